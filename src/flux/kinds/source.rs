//! Sources (GitRepository, OCIRepository, Bucket, and HelmRepository for HelmReleases): where
//! their content comes from, and the ref they follow once Flux's precedence and defaults apply.

use crate::kustomize::resource::Resource;
use crate::yaml::Node;

use super::super::sources::normalize_url;
use super::spec;

/// What a source's ref asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    Branch,
    Tag,
    /// A semver range (`ref.semver`).
    Semver,
    Commit,
    /// A full git reference (`ref.name`, e.g. `refs/heads/main`) that is neither a branch nor a tag.
    Name,
    /// An OCI digest.
    Digest,
}

impl RefKind {
    pub fn from_field(field: &str) -> Option<RefKind> {
        Some(match field {
            "branch" => RefKind::Branch,
            "tag" => RefKind::Tag,
            "semver" => RefKind::Semver,
            "commit" => RefKind::Commit,
            "name" => RefKind::Name,
            "digest" => RefKind::Digest,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
            RefKind::Semver => "semver",
            RefKind::Commit => "commit",
            RefKind::Name => "name",
            RefKind::Digest => "digest",
        }
    }
}

/// One field of `spec.ref`.
#[derive(Clone, Debug)]
pub struct RefField<'a> {
    /// The field name (`branch`, `tag`, …).
    pub field: &'static str,
    pub kind: RefKind,
    pub value: String,
    pub node: &'a Node,
}

impl RefField<'_> {
    /// What this field follows: `ref.name: refs/heads/main` is the branch `main`, `refs/tags/v1`
    /// the tag `v1`.
    pub fn follows(&self) -> (RefKind, String) {
        let v = self.value.as_str();
        match self.kind {
            RefKind::Name if v.starts_with("refs/heads/") => {
                (RefKind::Branch, v["refs/heads/".len()..].to_string())
            }
            RefKind::Name if v.starts_with("refs/tags/") => {
                (RefKind::Tag, v["refs/tags/".len()..].to_string())
            }
            k => (k, v.to_string()),
        }
    }
}

/// The ref a source follows once Flux's precedence is applied.
#[derive(Clone, Debug)]
pub struct Effective<'a> {
    /// What is followed (`ref.name: refs/heads/main` is a branch `main`).
    pub kind: RefKind,
    pub value: String,
    /// The field that decides; `None` when Flux's default applies.
    pub field: Option<RefField<'a>>,
}

/// A source: GitRepository, OCIRepository or Bucket (or HelmRepository for HelmReleases).
#[derive(Clone, Copy, Debug)]
pub struct FluxSource<'a>(pub &'a Resource);

impl<'a> FluxSource<'a> {
    fn kind(&self) -> &'a str {
        self.0.kind()
    }
    /// `spec.url` when it is a string.
    pub fn url(&self) -> Option<&'a str> {
        self.url_node().and_then(Node::as_str)
    }
    pub fn url_node(&self) -> Option<&'a Node> {
        spec(self.0, "url")
    }
    pub fn interval(&self) -> Option<&'a Node> {
        spec(self.0, "interval")
    }
    /// `spec.ref`, when set.
    pub fn ref_node(&self) -> Option<&'a Node> {
        spec(self.0, "ref").filter(|n| !n.is_null())
    }

    /// The fields of `spec.ref` in Flux's precedence order (the first one decides).
    pub fn ref_fields(&self) -> Vec<RefField<'a>> {
        let order: &[&'static str] = match self.kind() {
            "OCIRepository" => &["digest", "semver", "tag"],
            "GitRepository" => &["commit", "name", "semver", "tag", "branch"],
            _ => &[],
        };
        let Some(r) = self.ref_node() else {
            return Vec::new();
        };
        order
            .iter()
            .filter_map(|&field| {
                let node = r.get(field)?;
                let value = node.scalar_string().filter(|v| !v.is_empty())?;
                Some(RefField {
                    field,
                    kind: RefKind::from_field(field)?,
                    value,
                    node,
                })
            })
            .collect()
    }

    /// What the source follows: the deciding ref field, or Flux's default (`master` for a
    /// GitRepository, `latest` for an OCIRepository); `None` for a Bucket, which has no ref.
    pub fn effective(&self) -> Option<Effective<'a>> {
        if let Some(f) = self.ref_fields().into_iter().next() {
            let (kind, value) = f.follows();
            return Some(Effective {
                kind,
                value,
                field: Some(f),
            });
        }
        let (kind, value) = match self.kind() {
            "GitRepository" => (RefKind::Branch, "master"),
            "OCIRepository" => (RefKind::Tag, "latest"),
            _ => return None,
        };
        Some(Effective {
            kind,
            value: value.to_string(),
            field: None,
        })
    }

    /// Where the content comes from: `spec.url`, or a Bucket's endpoint and bucket name, through
    /// [`normalize_url`] so that spellings of one repository (`ssh://git@host/org/repo`,
    /// `https://host/org/repo.git`) compare equal.
    pub fn location(&self) -> Option<String> {
        let raw = match self.kind() {
            "Bucket" => format!(
                "{}/{}",
                spec(self.0, "endpoint")?.scalar_string()?,
                spec(self.0, "bucketName")?.scalar_string()?
            ),
            _ => self.url_node()?.scalar_string()?,
        };
        Some(normalize_url(&raw))
    }

    /// Is `other` the same source: the same definition (one file brought into both), or the same
    /// kind, location and effective ref?
    pub fn same_as(&self, other: &FluxSource) -> bool {
        if self.0.doc_span == other.0.doc_span {
            return true;
        }
        let url = self.location();
        let (Some(a), Some(b)) = (self.effective(), other.effective()) else {
            return false;
        };
        self.kind() == other.kind()
            && url.is_some()
            && url == other.location()
            && a.kind == b.kind
            && a.value == b.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::yaml::{Origin, SetBy, parse_stream};

    fn effective(text: &str) -> Option<(RefKind, String)> {
        let node = parse_stream(text, FileId(0), SetBy::Resource)
            .ok()
            .and_then(|d| d.into_iter().next())
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(Origin::none()));
        let r = Resource::new(node, Span::NONE);
        FluxSource(&r).effective().map(|e| (e.kind, e.value))
    }

    #[test]
    fn refs_follow_flux_precedence_and_defaults() {
        let git =
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: a}\n";
        assert_eq!(
            effective(&format!("{git}spec: {{ref: {{branch: main, tag: v1}}}}")),
            Some((RefKind::Tag, "v1".into()))
        );
        assert_eq!(
            effective(&format!("{git}spec: {{ref: {{name: refs/heads/main}}}}")),
            Some((RefKind::Branch, "main".into()))
        );
        assert_eq!(
            effective(&format!("{git}spec: {{url: x}}")),
            Some((RefKind::Branch, "master".into()))
        );
        assert_eq!(
            effective(&format!(
                "{git}spec: {{ref: {{semver: '>=1', commit: abc}}}}"
            )),
            Some((RefKind::Commit, "abc".into()))
        );
        let bucket = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: a}\n";
        assert_eq!(effective(bucket), None);
    }
}
