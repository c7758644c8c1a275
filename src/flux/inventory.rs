//! What fluxlint saw in an environment: its entry, and every Flux Kustomization, HelmRelease and
//! Flux Operator ResourceSet it applies, each with its source, path, status and resource count.
//! `tree`, the JSON report and the human summary read this one inventory.

use crate::diagnostic::location;
use crate::source::{SourceMap, Span};

use super::kinds::{FluxKind, HelmRelease, namespace_of};
use super::{Environment, Unit};

/// Did a unit render?
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Rendered,
    /// Not rendered, and not an error: a source fluxlint cannot read, a Helm chart.
    NotChecked,
    /// Did not render: the `render` rule reports why.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Rendered => "rendered",
            Status::NotChecked => "not-checked",
            Status::Failed => "failed",
        }
    }
}

/// One Flux Kustomization, HelmRelease or ResourceSet of an environment.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
    /// Repo-relative file that defines the object, and the 1-based line of its name.
    pub file: String,
    pub line: usize,
    /// `Kind/namespace/name` of its source (chart source for a HelmRelease).
    pub source: Option<String>,
    /// `spec.path` (Kustomizations), or the chart name (HelmReleases).
    pub path: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    /// Objects it applied (a HelmRelease: none, charts are not rendered; a ResourceSet: the
    /// objects it produced).
    pub resources: usize,
    /// Index of the item that applied this one (`None`: the cluster directory applied it).
    pub parent: Option<usize>,
    /// Does its path read this repository (or a `--source` checkout)? Kustomizations of other
    /// repositories do not count towards "rendered N of M".
    pub in_repo: bool,
}

/// An environment's inventory.
#[derive(Clone, Debug)]
pub struct Inventory {
    pub name: String,
    pub role: Option<&'static str>,
    /// Repo-relative cluster directory.
    pub entry: String,
    pub entry_kind: &'static str,
    /// The file that declares the sync, if any.
    pub entry_file: Option<String>,
    /// Did the cluster directory itself render?
    pub entry_status: Status,
    pub items: Vec<Item>,
}

impl Inventory {
    /// (rendered, total) Flux Kustomizations whose path is in the repository.
    pub fn kustomizations(&self) -> (usize, usize) {
        let ks = self
            .items
            .iter()
            .filter(|i| i.kind == "Kustomization" && i.in_repo);
        let total = ks.clone().count();
        let rendered = ks.filter(|i| i.status == Status::Rendered).count();
        (rendered, total)
    }
}

/// The inventory of an environment.
pub fn of(env: &Environment, sources: &SourceMap) -> Inventory {
    let failed = |u: usize| env.failures.iter().find(|f| f.unit == u);
    let entry_status = if failed(0).is_some() {
        Status::Failed
    } else {
        Status::Rendered
    };
    let mut items: Vec<Item> = Vec::new();
    // unit index → item index, so children can name their parent
    let mut item_of_unit: Vec<Option<usize>> = vec![None; env.units.len()];
    for (ui, u) in env.units.iter().enumerate() {
        let Some(oi) = u.object else { continue };
        let r = &env.objects[oi].resource;
        let (file, line) = place(sources, name_span(r));
        let parent_unit = env.objects[oi].unit;
        let (status, reason) = unit_status(env, ui, u);
        item_of_unit[ui] = Some(items.len());
        items.push(Item {
            kind: "Kustomization",
            name: u.name.clone(),
            namespace: u.namespace.clone(),
            file,
            line,
            source: u.source_id.clone(),
            path: Some(u.path.clone()),
            status,
            reason,
            resources: env.objects.iter().filter(|a| a.unit == ui).count(),
            parent: (parent_unit != ui).then_some(parent_unit),
            in_repo: !u
                .skipped
                .as_deref()
                .is_some_and(|s| s.contains("is not this repository")),
        });
    }
    // parents were unit indices: make them item indices
    for it in &mut items {
        it.parent = it
            .parent
            .and_then(|u| item_of_unit.get(u).copied().flatten());
    }
    for a in &env.objects {
        if FluxKind::of(&a.resource) != Some(FluxKind::HelmRelease) {
            continue;
        }
        let r = &a.resource;
        let (file, line) = place(sources, name_span(r));
        let hr = HelmRelease(r);
        let chart = r
            .node
            .str_at(&["spec", "chart", "spec", "chart"])
            .map(str::to_string)
            .or_else(|| hr.source_ref().map(|s| s.name.clone()));
        items.push(Item {
            kind: "HelmRelease",
            name: r.name().to_string(),
            namespace: namespace_of(r).to_string(),
            file,
            line,
            source: hr.source_ref().map(|s| s.display()),
            path: chart,
            status: Status::NotChecked,
            reason: Some("Helm charts are not rendered".into()),
            resources: 0,
            parent: item_of_unit.get(a.unit).copied().flatten(),
            in_repo: false,
        });
    }
    for rs in &env.resource_sets {
        let (file, line) = place(sources, rs.span);
        let (status, reason) = match &rs.not_checked {
            Some(why) => (
                Status::NotChecked,
                Some(format!("resources produced at run time from {why}")),
            ),
            None => (Status::Rendered, None),
        };
        items.push(Item {
            kind: "ResourceSet",
            name: rs.name.clone(),
            namespace: rs.namespace.clone(),
            file,
            line,
            source: None,
            path: None,
            status,
            reason,
            resources: rs.produced,
            parent: item_of_unit.get(rs.unit).copied().flatten(),
            in_repo: false,
        });
    }
    Inventory {
        name: env.name.clone(),
        role: env.role.map(super::Role::as_str),
        entry: env.cluster_display.clone(),
        entry_kind: env.entry.kind.describe(),
        entry_file: env.entry.declared_in.clone(),
        entry_status,
        items,
    }
}

fn unit_status(env: &Environment, ui: usize, u: &Unit) -> (Status, Option<String>) {
    if let Some(f) = env.failures.iter().find(|f| f.unit == ui) {
        let msg = f
            .error
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        return (Status::Failed, Some(msg));
    }
    if let Some(why) = &u.skipped {
        return (Status::NotChecked, Some(why.clone()));
    }
    if u.dir.is_some() {
        // rendered without its remote entries: the JSON reason says which were not checked
        let remote: Vec<&str> = env
            .remote
            .iter()
            .filter(|(r, _)| *r == ui)
            .map(|(_, e)| e.url.as_str())
            .collect();
        let reason =
            (!remote.is_empty()).then(|| format!("not checked (remote): {}", remote.join(", ")));
        return (Status::Rendered, reason);
    }
    (
        Status::NotChecked,
        Some("its source did not resolve".to_string()),
    )
}

/// Where an object is defined: its `metadata.name` when that was written in the object's own file
/// (a patch may have renamed it elsewhere), else the start of its document.
fn name_span(r: &crate::kustomize::resource::Resource) -> Span {
    r.node
        .get_path(&["metadata", "name"])
        .map(|n| n.span())
        .filter(|s| s.file == r.doc_span.file)
        .unwrap_or(r.doc_span)
}

fn place(sources: &SourceMap, span: Span) -> (String, usize) {
    let (file, line, _) = location(sources, span);
    (file, line)
}
