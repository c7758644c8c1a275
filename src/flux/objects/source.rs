//! Sources (GitRepository, OCIRepository, Bucket), their refs, and the sources that feed an
//! environment.

use std::collections::HashSet;

use crate::flux::sources::normalize_url;
use crate::flux::{Applied, Environment};
use crate::yaml::Node;

use super::{Kustomization, Obj, SOURCE_GROUP, SOURCE_KINDS, SourceRef, kustomizations, objects};

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

/// A GitRepository, OCIRepository or Bucket.
#[derive(Clone, Copy)]
pub struct Source<'a>(pub Obj<'a>);

impl<'a> Source<'a> {
    /// `spec.ref`, when set.
    pub fn ref_node(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "ref"]).filter(|n| !n.is_null())
    }

    /// The fields of `spec.ref` in Flux's precedence order (the first one decides).
    pub fn ref_fields(&self) -> Vec<RefField<'a>> {
        let order: &[&'static str] = match self.0.kind() {
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
        let fields = self.ref_fields();
        if let Some(f) = fields.into_iter().next() {
            let (kind, value) = f.follows();
            return Some(Effective {
                kind,
                value,
                field: Some(f),
            });
        }
        let (kind, value) = match self.0.kind() {
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
    pub fn url(&self) -> Option<String> {
        let raw = match self.0.kind() {
            "Bucket" => format!(
                "{}/{}",
                self.0.get(&["spec", "endpoint"])?.scalar_string()?,
                self.0.get(&["spec", "bucketName"])?.scalar_string()?
            ),
            _ => self.0.get(&["spec", "url"])?.scalar_string()?,
        };
        Some(normalize_url(&raw))
    }

    /// Is `other` the same source: the same definition (one file brought into both), or the same
    /// kind, URL and effective ref?
    pub fn same_as(&self, other: &Source) -> bool {
        if self.0.resource().doc_span == other.0.resource().doc_span {
            return true;
        }
        let url = self.url();
        let (Some(a), Some(b)) = (self.effective(), other.effective()) else {
            return false;
        };
        self.0.kind() == other.0.kind()
            && url.is_some()
            && url == other.url()
            && a.kind == b.kind
            && a.value == b.value
    }

    pub fn interval(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "interval"])
    }
}

/// Every source object in the environment.
pub fn sources(env: &Environment) -> Vec<Source<'_>> {
    objects(env, SOURCE_GROUP, &SOURCE_KINDS)
        .into_iter()
        .map(Source)
        .collect()
}

/// The source a reference names.
pub fn find_source<'a>(
    env: &'a Environment,
    kind: &str,
    name: &str,
    namespace: &str,
) -> Option<Source<'a>> {
    sources(env)
        .into_iter()
        .find(|s| s.0.kind() == kind && s.0.is_named(name, namespace))
}

/// The sources that feed an environment, and the references that name none.
pub struct Feeds<'a> {
    /// In order of first use; each once.
    pub sources: Vec<Source<'a>>,
    /// Flux Kustomizations whose `sourceRef` names no source in the environment.
    pub unresolved: Vec<(Kustomization<'a>, SourceRef<'a>)>,
}

/// A source feeds an environment when a Flux Kustomization of that environment applies from it
/// (the one that applies the cluster directory included). An environment without any Flux
/// Kustomization is fed by every source it defines.
pub fn feeding_sources(env: &Environment) -> Feeds<'_> {
    let mut feeds = Feeds {
        sources: Vec::new(),
        unresolved: Vec::new(),
    };
    let ks = kustomizations(env);
    if ks.is_empty() {
        feeds.sources = sources(env);
        return feeds;
    }
    let mut seen = HashSet::new();
    for k in ks {
        let Some(r) = k.source_ref() else { continue };
        match find_source(env, &r.kind, &r.name, &r.namespace) {
            Some(s) => {
                if seen.insert(s.0.applied as *const Applied) {
                    feeds.sources.push(s);
                }
            }
            None => feeds.unresolved.push((k, r)),
        }
    }
    feeds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::resource::Resource;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn node(text: &str) -> Node {
        parse_stream(text, FileId(0), SetBy::Resource)
            .ok()
            .and_then(|d| d.into_iter().next())
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(crate::yaml::Origin::none()))
    }

    fn effective(text: &str) -> Option<(RefKind, String)> {
        let env = Environment {
            name: "dev".into(),
            aliases: vec![],
            cluster_dir: "/x".into(),
            cluster_display: "clusters/dev".into(),
            units: vec![],
            objects: vec![Applied {
                resource: Resource::new(node(text), crate::source::Span::NONE),
                unit: 0,
            }],
            failures: vec![],
            unmatched_patches: vec![],
            undefined_vars: vec![],
            root: None,
            repo_source: None,
            index: Default::default(),
        };
        let s = Source(Obj {
            env: &env,
            applied: &env.objects[0],
        });
        s.effective().map(|e| (e.kind, e.value))
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
