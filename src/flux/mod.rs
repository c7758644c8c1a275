//! Flux, the way the controllers see a repository: environments (`clusters/<env>/`), the Flux objects
//! in them, and everything each Flux Kustomization applies, rendered with the kustomize engine.
//!
//! Render failures are data on the environment ([`Environment::failures`]), not errors: the `render`
//! rule reports them, and every other rule checks what did render.

pub mod artifacts;
pub mod clusters;
pub mod config;
pub mod deprecations;
pub mod discover;
pub mod envsubst;
pub mod generate;
pub mod inventory;
pub mod kinds;
pub mod objects;
pub mod overrides;
pub mod render;
pub mod resourceset;
pub mod roles;
pub mod sources;
pub mod substitute;
pub mod targets;
pub mod version;
pub mod workloads;

pub use clusters::EntryKind;
pub use kinds::{FluxKind, FluxKustomization, FluxSource, ObjectRef};
pub use roles::{Role, RoleFrom};
pub use sources::SourceMapping;

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Error;
use crate::kustomize::resource::Resource;
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

/// The checked repository: its environments, rendered.
pub struct Repo {
    /// Canonical repository root.
    pub root: PathBuf,
    pub sources: Arc<SourceMap>,
    pub environments: Vec<Environment>,
    /// Directories that looked like clusters and are not, and why.
    pub not_clusters: Vec<clusters::NotCluster>,
    /// The Kubernetes and Flux versions `fluxlint.yaml` declares (see [`targets`]).
    pub versions: config::Versions,
}

/// Where an environment lives, before rendering.
#[derive(Clone, Debug)]
pub struct EnvSpec {
    pub name: String,
    /// Other names for it (`prod` for `production`).
    pub aliases: Vec<String>,
    /// Canonical cluster directory: the directory Flux syncs (`<root>/clusters/<name>`).
    pub cluster_dir: PathBuf,
    /// What the environment is for.
    pub role: Option<Role>,
    pub role_from: RoleFrom,
    /// How the cluster directory was found.
    pub entry: EntryKind,
    /// What syncs the cluster directory, as git has it (bootstrap's objects, a FluxInstance).
    pub sync: Option<Arc<clusters::SyncDecl>>,
}

impl EnvSpec {
    /// An environment at `cluster_dir`, its role read from its name.
    pub fn new(name: impl Into<String>, cluster_dir: PathBuf) -> EnvSpec {
        let name = name.into();
        let role = Role::from_names([name.as_str()]);
        EnvSpec {
            role,
            role_from: if role.is_some() {
                RoleFrom::Name
            } else {
                RoleFrom::None
            },
            name,
            aliases: Vec::new(),
            cluster_dir,
            entry: EntryKind::Layout,
            sync: None,
        }
    }
}

/// One environment, rendered.
pub struct Environment {
    pub name: String,
    pub aliases: Vec<String>,
    /// What the environment is for (`None`: role-specific rules do not apply).
    pub role: Option<Role>,
    pub role_from: RoleFrom,
    /// How the cluster directory was found, and the source that syncs it.
    pub entry: Entry,
    pub cluster_dir: PathBuf,
    /// `clusters/<name>`, relative to the repo root.
    pub cluster_display: String,
    /// What was rendered: the cluster directory itself (unit 0), then one unit per Flux
    /// Kustomization, in discovery order.
    pub units: Vec<Unit>,
    /// Every object applied into the environment, with the unit that applied it.
    pub objects: Vec<Applied>,
    pub failures: Vec<Failure>,
    /// Patches whose `target:` selected no resource: (unit, the target).
    pub unmatched_patches: Vec<(usize, crate::kustomize::resource::UnmatchedPatch)>,
    /// Resources a `$patch: delete` removed, by unit: where a rule misses one, it points there.
    pub deleted: Vec<(usize, crate::kustomize::resource::Deleted)>,
    /// Remote entries (URLs, git repositories) each unit's build left out, once per unit and URL:
    /// Flux fetches them when it applies; fluxlint works offline and says so (`render`, info).
    pub remote: Vec<(usize, crate::kustomize::resource::RemoteEntry)>,
    /// `${VAR}`s that `postBuild` met with no value and no default (Flux substitutes an empty
    /// string, or fails the build with strict substitution): findings for the `render` rule.
    pub undefined_vars: Vec<UndefinedVar>,
    /// Values that keep a `${VAR}` whose value is known only at run time (a `substituteFrom`
    /// object made in the cluster, SOPS-encrypted): rules do not judge them.
    pub unresolved: Vec<Span>,
    /// Index in `objects` of the Flux Kustomization that applies the cluster directory (flux-system).
    pub root: Option<usize>,
    /// Index in `objects` of the GitRepository that syncs the cluster directory: this repository.
    pub repo_source: Option<usize>,
    /// What fluxlint noticed while rendering, said once at `info`.
    pub notes: Vec<EnvNote>,
    /// The Flux Operator ResourceSets it applies: expanded, or why not.
    pub resource_sets: Vec<resourceset::Seen>,
    /// Lookups by id, built on first use (rules ask for counterparts and HPAs of every workload).
    pub index: std::sync::OnceLock<Index>,
}

/// How an environment is synced.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    /// Repo-relative file that declares the sync (gotk-sync.yaml, the FluxInstance), if any.
    pub declared_in: Option<String>,
    /// The source that syncs the cluster directory when no file defines it (flux bootstrap,
    /// Terraform or the Flux Operator create it): it is this repository.
    pub implicit_source: Option<ImplicitSource>,
    /// Indices in `objects` of sync objects that are not in the cluster directory's render: the
    /// FluxInstance's source and Kustomization as the operator makes them, or bootstrap's
    /// `gotk-sync.yaml` objects that the cluster's kustomization.yaml leaves out.
    pub added: Vec<usize>,
}

/// A source that no file defines and that is this repository.
#[derive(Debug, Clone)]
pub struct ImplicitSource {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The directory its paths are relative to (the repository root, or the sub-tree an OCI
    /// artifact is built from).
    pub root: PathBuf,
    /// Where it is first referenced.
    pub span: Span,
    /// Why fluxlint reads it as this repository.
    pub why: String,
}

impl ImplicitSource {
    /// Does a reference name this source?
    pub fn named_by(&self, r: &ObjectRef) -> bool {
        let ns = if r.namespace.is_empty() {
            "default"
        } else {
            &r.namespace
        };
        r.named && self.names(&r.kind, ns, &r.name)
    }

    /// Is this source (kind, namespace, name)?
    pub fn names(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.kind == kind && self.namespace == namespace && self.name == name
    }

    /// `Kind/namespace/name`.
    pub fn display(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// Something fluxlint noticed about an environment as it rendered it, said once at `info`
/// (by the `render` rule): a source read as this repository, a unit not checked.
#[derive(Debug, Clone)]
pub struct EnvNote {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// Objects by (kind, effective namespace, name), and HPAs by the workload they scale.
#[derive(Debug, Default)]
pub struct Index {
    by_id: std::collections::HashMap<(String, String, String), Vec<usize>>,
    hpa_by_target: std::collections::HashMap<(String, String, String), usize>,
    /// Objects by kind, in order: rules ask for the quotas or limit ranges of every namespace.
    by_kind: std::collections::HashMap<String, Vec<usize>>,
}

/// A variable used without a value (and without a default) by `postBuild` substitution.
#[derive(Clone, Debug)]
pub struct UndefinedVar {
    pub unit: usize,
    /// The variable's name.
    pub name: String,
    /// The value that uses it (in the file where that value was written).
    pub span: Span,
    /// `flux::resource_id` of the object holding the value.
    pub resource: String,
}

/// A rendered path: the cluster directory, or a Flux Kustomization's `spec.path`.
#[derive(Debug)]
pub struct Unit {
    /// `name` of the Flux Kustomization (`<cluster>` for the cluster directory).
    pub name: String,
    pub namespace: String,
    /// Index in [`Environment::objects`] of the Flux Kustomization object; `None` for unit 0.
    pub object: Option<usize>,
    /// `spec.path` as written.
    pub path: String,
    /// The directory rendered, when it resolved.
    pub dir: Option<PathBuf>,
    /// The span that names this unit (the Flux Kustomization's `spec.path`, or none).
    pub span: Span,
    /// Why this unit was not rendered (a source that is not this repository, …): reported as not
    /// checked.
    pub skipped: Option<String>,
    /// Index in [`Environment::objects`] of the unit's source (GitRepository, OCIRepository, …).
    pub source: Option<usize>,
    /// The `--source` mapping the path was read from (its NAME), when not this repository.
    pub mapped: Option<String>,
    /// `Kind/namespace/name` of the source its path is read from, once known (also for a source
    /// no file defines).
    pub source_id: Option<String>,
    /// Its source is not this repository (nor a `--source` mapping): another team's or a vendor's
    /// repository, not rendered, and not held to this repository's promotion rules.
    pub foreign: bool,
}

/// An object applied into an environment.
#[derive(Debug)]
pub struct Applied {
    pub resource: Resource,
    /// Index in [`Environment::units`].
    pub unit: usize,
}

/// A unit that failed to render.
#[derive(Debug)]
pub struct Failure {
    pub unit: usize,
    pub error: Error,
}

/// `group/version/Kind/namespace/name` of a resource.
pub fn resource_id(r: &Resource) -> String {
    let (group, version) = r.group_version();
    format!(
        "{group}/{version}/{}/{}/{}",
        r.kind(),
        r.namespace(),
        r.name()
    )
}

impl Environment {
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut ix = Index::default();
            for (i, a) in self.objects.iter().enumerate() {
                let r = &a.resource;
                let ns = kinds::namespace_of(r).to_string();
                ix.by_kind.entry(r.kind().to_string()).or_default().push(i);
                ix.by_id
                    .entry((r.kind().to_string(), ns.clone(), r.name().to_string()))
                    .or_default()
                    .push(i);
                if r.kind() == "HorizontalPodAutoscaler"
                    && let (Some(k), Some(n)) = (
                        r.node.str_at(&["spec", "scaleTargetRef", "kind"]),
                        r.node.str_at(&["spec", "scaleTargetRef", "name"]),
                    )
                {
                    ix.hpa_by_target
                        .entry((k.to_string(), ns, n.to_string()))
                        .or_insert(i);
                }
            }
            ix
        })
    }

    /// Objects with this kind, effective namespace (`default` when unset) and name, in order.
    pub fn lookup(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = &Applied> {
        let key = (kind.to_string(), namespace.to_string(), name.to_string());
        self.index()
            .by_id
            .get(&key)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// The first HPA (in order) whose `scaleTargetRef` names this workload.
    pub fn hpa_for(&self, kind: &str, namespace: &str, name: &str) -> Option<&Applied> {
        let key = (kind.to_string(), namespace.to_string(), name.to_string());
        self.index()
            .hpa_by_target
            .get(&key)
            .map(|&i| &self.objects[i])
    }

    /// Objects of a kind (any group).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Applied> + 'a {
        self.index()
            .by_kind
            .get(kind)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Units of this repository that did not render (failed, or left unread: a path on another
    /// branch, a run-time input), by index: what they apply is unknown, so no rule concludes from
    /// this environment that something is missing. Another repository's units are not counted:
    /// they do not hold this repository's Alerts and quotas.
    pub fn unread_units(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.failures.iter().map(|f| f.unit).collect();
        v.extend(
            self.units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.skipped.is_some() && !u.foreign)
                .map(|(i, _)| i),
        );
        v.sort_unstable();
        v.dedup();
        v
    }

    /// "3 Flux Kustomizations did not render (apps, infra, …)" for "not checked" findings.
    pub fn describe_unread(&self, unread: &[usize]) -> String {
        let names: Vec<&str> = unread
            .iter()
            .take(3)
            .map(|&i| self.units[i].name.as_str())
            .collect();
        let more = if unread.len() > 3 { ", …" } else { "" };
        let n = unread.len();
        format!(
            "{n} Flux Kustomization{} of {} did not render ({}{more})",
            if n == 1 { "" } else { "s" },
            self.name,
            names.join(", ")
        )
    }

    /// The unit that applied an object.
    pub fn unit_of(&self, a: &Applied) -> &Unit {
        &self.units[a.unit]
    }

    /// The Flux Kustomization object that applied `a`, if any (for "brought in by" labels).
    pub fn applied_by(&self, a: &Applied) -> Option<&Applied> {
        self.units[a.unit].object.map(|i| &self.objects[i])
    }

    /// The object a reference names (kind, name, namespace), if the environment has it.
    pub fn find(&self, r: &ObjectRef) -> Option<&Applied> {
        self.objects
            .iter()
            .find(|a| FluxKind::of(&a.resource).is_some() && r.matches(&a.resource))
    }

    /// The source a Flux Kustomization (or HelmRelease) reads from, if the environment has it.
    pub fn source_of(&self, a: &Applied) -> Option<&Applied> {
        let r = match FluxKind::of(&a.resource)? {
            FluxKind::Kustomization => FluxKustomization(&a.resource).source_ref()?,
            FluxKind::HelmRelease => kinds::HelmRelease(&a.resource).source_ref()?,
            _ => return None,
        };
        self.find(&r)
    }

    /// The Flux Kustomization that applies the cluster directory (flux-system).
    pub fn root_kustomization(&self) -> Option<&Applied> {
        self.root.map(|i| &self.objects[i])
    }

    /// The GitRepository that feeds the environment: the source of the Kustomization that applies
    /// the cluster directory.
    pub fn feeding_source(&self) -> Option<&Applied> {
        self.repo_source.map(|i| &self.objects[i])
    }

    /// Every source that feeds the environment: the sources of its Flux Kustomizations and
    /// HelmReleases, each once, in the order first referenced (the feeding GitRepository first).
    pub fn feeding_sources(&self) -> Vec<&Applied> {
        let mut out: Vec<&Applied> = Vec::new();
        let candidates = self
            .feeding_source()
            .into_iter()
            .chain(self.objects.iter().filter_map(|a| self.source_of(a)));
        for s in candidates {
            if !out.iter().any(|o| std::ptr::eq(*o, s)) {
                out.push(s);
            }
        }
        out
    }

    /// Units that were not rendered, with the reason (reported as not checked).
    pub fn skipped(&self) -> impl Iterator<Item = (&Unit, &str)> {
        self.units
            .iter()
            .filter_map(|u| u.skipped.as_deref().map(|s| (u, s)))
    }

    /// Does this value keep a `${VAR}` that Flux fills in at run time (see
    /// [`Environment::unresolved`])?
    pub fn is_unresolved(&self, n: &Node) -> bool {
        let span = n.span();
        !span.is_none() && self.unresolved.contains(&span)
    }

    /// Does `name` name this environment (its name or an alias)?
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }

    /// The names a policy's per-environment key can match: the name, the aliases, and the
    /// role's name (`production` for an environment called `prod`).
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.role.map(Role::as_str))
    }

    /// Was this object added by fluxlint from a sync declaration rather than rendered from the
    /// cluster directory (see [`Entry::added`])?
    pub fn is_added(&self, a: &Applied) -> bool {
        self.entry
            .added
            .iter()
            .any(|&i| std::ptr::eq(&self.objects[i], a))
    }
}

/// The span of `spec.path` (or the document) of a Flux Kustomization object.
pub fn path_span(r: &Resource) -> Span {
    r.node
        .get_path(&["spec", "path"])
        .map(Node::span)
        .unwrap_or(r.doc_span)
}
#[cfg(test)]
mod tests;
