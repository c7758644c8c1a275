//! The Kubernetes and Flux releases an environment runs, and where fluxlint read them: what decides
//! whether an API version is served.
//!
//! Kubernetes: `kubernetesVersion` in `fluxlint.yaml`, else the newest release fluxlint knows.
//! Flux, first found: `fluxVersion` in `fluxlint.yaml`; the `app.kubernetes.io/version` label that
//! `flux bootstrap`/`flux install` put on the controllers and CRDs of `gotk-components.yaml` (the
//! lowest, if they differ); a FluxInstance's `spec.distribution.version`; the flux-instance
//! HelmRelease's `values.instance.distribution.version`; else the newest Flux fluxlint knows. A
//! FluxInstance version may be a semver range (`2.x`, `2.5.x`): the Flux Operator installs the
//! newest release it allows, so that is the release judged (capped at the newest fluxlint knows).

use std::path::PathBuf;

use crate::source::{SourceMap, Span};
use crate::yaml::Node;

use super::config::Versions;
use super::version::Version;
use super::{Environment, Repo};

/// The newest releases the deprecation table knows.
pub const NEWEST_KUBERNETES: Version = Version::new(1, 35);
pub const NEWEST_FLUX: Version = Version::new(2, 9);

/// A release, and where it was read.
#[derive(Clone, Debug)]
pub struct Target {
    pub version: Version,
    pub from: From,
}

#[derive(Clone, Debug)]
pub enum From {
    /// `kubernetesVersion` / `fluxVersion` in `fluxlint.yaml`.
    Config(Span),
    /// Read from the environment's render: the node holding it, what it is, and the version as
    /// written when it is a range.
    Render {
        span: Span,
        what: &'static str,
        range: Option<String>,
    },
    /// Nothing says: the newest known.
    Newest,
}

impl Target {
    /// Where the version came from, for a message: "kubernetesVersion in fluxlint.yaml",
    /// "gotk-components label in clusters/dev/flux-system/gotk-components.yaml".
    pub fn describe(&self, sources: &SourceMap, field: &str) -> String {
        let file = |s: &Span| {
            sources
                .get(s.file)
                .map(|f| f.display.clone())
                .unwrap_or_default()
        };
        match &self.from {
            From::Config(_) => format!("{field} in fluxlint.yaml"),
            From::Render { span, what, range } => match range {
                Some(r) => format!("{what} '{r}' in {}", file(span)),
                None => format!("{what} in {}", file(span)),
            },
            From::Newest => format!("the newest fluxlint knows; set {field} in fluxlint.yaml"),
        }
    }

    /// The span that declares the version, if any (for a label on the finding).
    pub fn span(&self) -> Option<Span> {
        match &self.from {
            From::Config(s) | From::Render { span: s, .. } => Some(*s),
            From::Newest => None,
        }
    }
}

/// The Kubernetes release the clusters run.
pub fn kubernetes(declared: &Versions) -> Target {
    match &declared.kubernetes {
        Some((v, span)) => Target {
            version: *v,
            from: From::Config(*span),
        },
        None => Target {
            version: NEWEST_KUBERNETES,
            from: From::Newest,
        },
    }
}

/// The Flux release an environment runs.
pub fn flux(env: &Environment, repo: &Repo) -> Target {
    if let Some((v, span)) = &repo.versions.flux {
        return Target {
            version: *v,
            from: From::Config(*span),
        };
    }
    installed(env)
        .or_else(|| beside_sync(env, repo))
        .unwrap_or(Target {
            version: NEWEST_FLUX,
            from: From::Newest,
        })
}

const COMPONENTS_LABEL: &str = "app.kubernetes.io/version of the Flux components";

/// Flux 2 releases, and the 0.x releases that preceded Flux 2.0 (older than every row).
fn is_flux2(v: &Version) -> bool {
    v.major == 2 || v.major == 0
}

/// The `gotk-components.yaml` next to the file that declares the sync (or in the cluster's
/// `flux-system/`), when the cluster's kustomization.yaml leaves it out of the render: bootstrap
/// wrote it, so it is what was installed. Read from the text discovery already loaded.
fn beside_sync(env: &Environment, repo: &Repo) -> Option<Target> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some((dir, _)) = env
        .entry
        .declared_in
        .as_deref()
        .and_then(|f| f.rsplit_once('/'))
    {
        dirs.push(repo.root.join(dir));
    }
    dirs.push(env.cluster_dir.join("flux-system"));
    dirs.iter().find_map(|d| {
        let id = repo.sources.find(&d.join("gotk-components.yaml"))?;
        let file = repo.sources.get(id)?;
        let text: &str = &file.text;
        let key = "app.kubernetes.io/version:";
        let mut at = 0;
        while let Some(i) = text[at..].find(key) {
            let start = at + i + key.len();
            let line = text[start..].lines().next().unwrap_or("");
            let value = line.trim().trim_matches(['"', '\'']);
            if let Some(v) = Version::parse(value).filter(is_flux2) {
                let begin = start + line.find(value).unwrap_or(0);
                return Some(Target {
                    version: v,
                    from: From::Render {
                        span: Span::new(id, begin, begin + value.len()),
                        what: COMPONENTS_LABEL,
                        range: None,
                    },
                });
            }
            at = start;
        }
        None
    })
}

fn installed(env: &Environment) -> Option<Target> {
    let labelled = env
        .objects
        .iter()
        .map(|a| &a.resource)
        .filter(|r| r.label("app.kubernetes.io/part-of").as_deref() == Some("flux"))
        .filter_map(|r| {
            r.node
                .get_path(&["metadata", "labels", "app.kubernetes.io/version"])
        })
        .filter_map(|n| Some((Version::parse(n.as_str()?).filter(is_flux2)?, n)))
        .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if let Some((version, n)) = labelled {
        return Some(Target {
            version,
            from: From::Render {
                span: n.span(),
                what: COMPONENTS_LABEL,
                range: None,
            },
        });
    }
    let declared = |kind: &str, group: &str, path: &[&str], what: &'static str| {
        env.objects
            .iter()
            .map(|a| &a.resource)
            .filter(|r| r.kind() == kind && r.group() == group)
            .filter_map(|r| r.node.get_path(path))
            .find_map(|n| from_distribution(n, what))
    };
    declared(
        "FluxInstance",
        "fluxcd.controlplane.io",
        &["spec", "distribution", "version"],
        "FluxInstance spec.distribution.version",
    )
    .or_else(|| {
        declared(
            "HelmRelease",
            "helm.toolkit.fluxcd.io",
            &["spec", "values", "instance", "distribution", "version"],
            "flux-instance HelmRelease values.instance.distribution.version",
        )
    })
}

fn from_distribution(n: &Node, what: &'static str) -> Option<Target> {
    let text = n.as_str()?;
    let version = Version::newest_in_range(text, NEWEST_FLUX).filter(is_flux2)?;
    let exact = Version::parse(text).is_some();
    Some(Target {
        version,
        from: From::Render {
            span: n.span(),
            what,
            range: (!exact).then(|| text.to_string()),
        },
    })
}
