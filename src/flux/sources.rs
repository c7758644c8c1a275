//! Where a Flux Kustomization's `spec.path` is read from. The path is relative to the root of its
//! source: this repository when the source is the GitRepository that syncs the cluster directory (or
//! another GitRepository with the same URL), a local directory when `--source NAME=DIR` maps the
//! source, and otherwise nothing — the unit is recorded as not checked.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::kustomize::resource::Resource;

use super::kinds::{FluxKind, FluxSource, namespace_of};

/// `--source NAME=DIR`: a source (by `name` or `namespace/name`) read from a local checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMapping {
    pub key: String,
    /// Canonical directory.
    pub dir: PathBuf,
    /// The directory as the user wrote it (file names in findings start with it).
    pub display: String,
}

impl SourceMapping {
    /// Parses `NAME=DIR` (the directory must exist).
    pub fn parse(arg: &str) -> Result<SourceMapping> {
        let Some((key, dir)) = arg.split_once('=') else {
            return Err(Error::new(
                "usage",
                format!("--source '{arg}': expected NAME=DIR (a source name, or namespace/name)"),
            ));
        };
        let key = key.trim();
        if key.is_empty() || dir.is_empty() || key.matches('/').count() > 1 {
            return Err(Error::new(
                "usage",
                format!("--source '{arg}': expected NAME=DIR (a source name, or namespace/name)"),
            ));
        }
        let canon = PathBuf::from(dir)
            .canonicalize()
            .ok()
            .filter(|p| p.is_dir());
        let Some(canon) = canon else {
            return Err(Error::new(
                "usage",
                format!("--source '{arg}': '{dir}' is not a directory"),
            ));
        };
        Ok(SourceMapping {
            key: key.to_string(),
            dir: canon,
            display: dir.trim_end_matches('/').to_string(),
        })
    }

    /// Does this mapping name the source `r`?
    pub fn names(&self, r: &Resource) -> bool {
        self.key == r.name() || self.key == format!("{}/{}", namespace_of(r), r.name())
    }
}

/// How a unit's path is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// From this repository.
    Repo,
    /// From this repository, paths relative to this directory of it (an OCI artifact or bucket
    /// built from a sub-tree, declared in `fluxlint.yaml` or inferred).
    RepoAt(PathBuf),
    /// From the directory of `--source` mapping `i`.
    Mapped(usize),
    /// Not read: why.
    Skipped(String),
}

/// Decides where a source's content comes from. `repo` is the GitRepository that syncs the cluster
/// directory, when known.
pub fn origin_of(src: &Resource, repo: Option<&Resource>, mappings: &[SourceMapping]) -> Origin {
    if let Some(i) = mappings.iter().position(|m| m.names(src)) {
        return Origin::Mapped(i);
    }
    // the source that syncs the cluster directory is this repository whatever its kind (a
    // GitRepository, or the OCIRepository of a gitless setup); another source is when it has the
    // same kind and URL
    let this_repo = repo.is_some_and(|r| {
        same_object(r, src)
            || (FluxKind::of(src) == FluxKind::of(r)
                && FluxKind::of(src).is_some_and(FluxKind::is_source)
                && match (FluxSource(r).url(), FluxSource(src).url()) {
                    (Some(a), Some(b)) => normalize_url(a) == normalize_url(b),
                    _ => false,
                })
    });
    if this_repo {
        return Origin::Repo;
    }
    let id = format!("{}/{}/{}", src.kind(), namespace_of(src), src.name());
    let url = FluxSource(src)
        .url()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    Origin::Skipped(format!(
        "source {id}{url} is not this repository; map it to a local checkout with --source {}=DIR to check it",
        src.name()
    ))
}

/// A source's `spec.ref` as text (`branch main`, `tag prod-v1.2.3`), `None` when unset.
pub fn ref_text(r: &Resource) -> Option<String> {
    let m = r.node.get_path(&["spec", "ref"])?.as_map()?;
    let parts: Vec<String> = ["branch", "tag", "semver", "name", "commit", "digest"]
        .iter()
        .filter_map(|k| Some(format!("{k} {}", m.get(k)?.scalar_string()?)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn same_object(a: &Resource, b: &Resource) -> bool {
    a.kind() == b.kind() && a.name() == b.name() && namespace_of(a) == namespace_of(b)
}

/// A source URL reduced to `host/path` (scheme, user, port, `.git` and the scp-like `:` removed,
/// lower-cased), so `ssh://git@github.com/org/repo` and `https://github.com/Org/repo.git` compare
/// equal. Lower-casing the path follows the Git hosts (GitHub, GitLab, Bitbucket, Azure DevOps),
/// which resolve repository paths case-insensitively. The one URL normaliser: the renderer uses it
/// to recognise this repository, the rules to recognise a shared source.
pub fn normalize_url(url: &str) -> String {
    let u = url.trim();
    let (rest, scp) = match u.split_once("://") {
        Some((_, rest)) => (rest, false),
        None => (u, true),
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let (host, path) = if scp {
        rest.split_once(':').unwrap_or((rest, ""))
    } else {
        rest.split_once('/').unwrap_or((rest, ""))
    };
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    format!("{host}/{}", path.to_lowercase())
}

/// The account or organisation a source URL belongs to: the first path segment after the host
/// (`github.com/example/fleet` and `oci://ghcr.io/example/manifests/shop` both give `example`).
/// Sources of the same owner as this repository are the team's own (an app repository, its
/// manifests artifact); others are third-party (a vendor's manifests or chart).
pub fn url_owner(url: &str) -> Option<String> {
    let n = normalize_url(url);
    let (_, path) = n.split_once('/')?;
    let owner = path.split('/').next()?;
    (!owner.is_empty()).then(|| owner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_the_first_path_segment_on_any_host() {
        assert_eq!(
            url_owner("ssh://git@github.com/Example/fleet").as_deref(),
            Some("example")
        );
        assert_eq!(
            url_owner("oci://ghcr.io/example/manifests/shop").as_deref(),
            Some("example")
        );
        assert_eq!(
            url_owner("git@gitlab.com:team/sub/repo.git").as_deref(),
            Some("team")
        );
        assert_eq!(url_owner("https://charts.example.com"), None);
    }

    #[test]
    fn urls_of_one_repository_compare_equal() {
        let want = "github.com/example/fleet";
        for u in [
            "ssh://git@github.com/example/fleet",
            "https://github.com/example/fleet.git",
            "git@github.com:example/fleet.git",
            "ssh://git@GitHub.com:22/example/fleet/",
            "http://user@github.com/example/fleet",
            "https://github.com/Example/Fleet.git/",
        ] {
            assert_eq!(normalize_url(u), want, "{u}");
        }
        assert_ne!(normalize_url("https://github.com/example/other"), want);
    }

    #[test]
    fn parses_mappings() {
        let m = SourceMapping::parse(&format!("podinfo={}", std::env::temp_dir().display()))
            .expect("ok");
        assert_eq!(m.key, "podinfo");
        assert!(SourceMapping::parse("podinfo").is_err());
        assert!(SourceMapping::parse("podinfo=/no/such/dir/at/all").is_err());
        assert!(SourceMapping::parse("a/b/c=/tmp").is_err());
    }
}
