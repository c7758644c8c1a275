//! How clusters are found: the directories Flux syncs, whatever the repository's layout.
//!
//! A cluster is a directory that something syncs. fluxlint looks for what does the syncing, in
//! every YAML file of the repository (hidden directories such as `.git` or `.archive` left out):
//!
//! - a bootstrapped `flux-system`: a Flux Kustomization whose `spec.path` is a directory holding
//!   its own file (`clusters/prod/flux-system/gotk-sync.yaml` with `path: ./clusters/prod`), named
//!   `flux-system`, written in `gotk-sync.yaml` or next to the source it reads;
//! - bootstrap placeholders: a `flux-system/gotk-sync.yaml` that holds no document yet (Flux's
//!   example repositories ship them before `flux bootstrap` runs): the parent directory;
//! - a Flux Operator `FluxInstance` with `spec.sync` (kind, url, ref, path), or the
//!   `flux-instance` Helm chart's HelmRelease with `values.instance.sync`: the sync path;
//! - and, where nothing in git does the syncing (Terraform, a manual bootstrap), the layout:
//!   every `clusters/<c>/` (at the root or one directory down, as in `kubernetes/clusters/<c>/`)
//!   that holds Flux objects of its own. One that another cluster includes or applies, or that
//!   holds no Flux object (a `clusters/base` of shared components), is not a cluster.
//!
//! A sync found inside `clusters/<c>/` makes `<c>` the environment's name; elsewhere the name is
//! the first segment of the sync path that is not a generic word (`kubernetes/main/flux/cluster`
//! is `main`). `fluxlint.yaml` can declare the environments instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::kustomize::resource::Resource;
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{Document, Node, Origin, SetBy, Value, parse_stream};

use super::kinds::{FluxKind, FluxKustomization, is_flux_kustomization, namespace_of};

/// Path segments that say nothing about which cluster a directory is for.
const GENERIC: &[&str] = &[
    "kubernetes",
    "k8s",
    "kube",
    "flux",
    "flux-system",
    "cluster",
    "clusters",
    "config",
    "configs",
    "gitops",
    "deploy",
    "manifests",
    "fleet",
    "sync",
];

/// API groups whose objects make a directory hold "Flux objects".
const FLUX_GROUPS: &[&str] = &[
    "kustomize.toolkit.fluxcd.io/",
    "source.toolkit.fluxcd.io/",
    "helm.toolkit.fluxcd.io/",
    "notification.toolkit.fluxcd.io/",
    "image.toolkit.fluxcd.io/",
    "source.extensions.fluxcd.io/",
    "fluxcd.controlplane.io/",
];

/// Files larger than this are not read for discovery (generated bundles, not cluster entries).
const MAX_SCAN_BYTES: u64 = 8 * 1024 * 1024;

/// How an environment's entry was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// A bootstrapped `flux-system` Kustomization (and its source) in git.
    Bootstrap,
    /// A Flux Operator FluxInstance's `spec.sync`.
    FluxInstance,
    /// The `flux-instance` chart's HelmRelease, `values.instance.sync`.
    FluxInstanceChart,
    /// Bootstrap placeholder files (`flux-system/gotk-sync.yaml` without documents).
    Placeholder,
    /// A `clusters/<c>/` directory with Flux objects and no sync in git.
    Layout,
    /// Declared in `fluxlint.yaml`.
    Config,
}

impl EntryKind {
    /// How the entry reads in `tree` and in messages.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::Bootstrap => "flux bootstrap (flux-system)",
            EntryKind::FluxInstance => "Flux Operator FluxInstance",
            EntryKind::FluxInstanceChart => "flux-instance HelmRelease",
            EntryKind::Placeholder => "flux bootstrap placeholders",
            EntryKind::Layout => "clusters/ directory",
            EntryKind::Config => "fluxlint.yaml",
        }
    }
}

/// What syncs a cluster, as found in git.
#[derive(Clone, Debug)]
pub struct SyncDecl {
    pub kind: EntryKind,
    /// Canonical entry directory.
    pub dir: PathBuf,
    /// Repo-relative file that declares the sync.
    pub file: String,
    /// The objects that sync the cluster: bootstrap's source and Kustomization as written in git,
    /// or those the Flux Operator makes from a FluxInstance (their values point at its `sync`).
    pub objects: Vec<Resource>,
    /// The source the sync reads, when known but not defined by `objects` (placeholders):
    /// (kind, namespace, name).
    pub implicit_source: Option<(String, String, String)>,
}

/// A directory that looked like a cluster and is not one, and why (shown by `tree` and when no
/// environment is found).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotCluster {
    pub dir: String,
    pub why: String,
    /// A copy-me cluster directory (its sync names a directory that does not exist), with that
    /// sync's file: said at info by `check`, as it is left out.
    pub template: Option<String>,
}

/// A YAML file read for discovery.
struct Scanned {
    path: PathBuf,
    /// Repo-relative, with `/`.
    rel: String,
    text: Arc<str>,
    /// Holds an object of a Flux API group.
    flux: bool,
    /// Its id in the source map, when discovery parsed it.
    file: Option<FileId>,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    /// Sync declarations by entry directory (first wins), sorted by directory.
    pub syncs: Vec<SyncDecl>,
    /// Candidate `clusters/<c>` directories that are clusters (canonical), sorted.
    pub layout: Vec<PathBuf>,
    pub not_clusters: Vec<NotCluster>,
    /// Texts read, for the loader to reuse (with the id of those already in the source map).
    pub texts: Vec<(PathBuf, Arc<str>, Option<FileId>)>,
}

/// Scans the repository for the directories Flux syncs.
pub fn find(root: &Path, sources: &SourceMap) -> Found {
    let mut files = Vec::new();
    // entries are sorted per directory as the walk goes: the list comes out in path order
    walk(root, root, 0, &mut files);
    let mut scanned: Vec<Scanned> = files.par_iter().filter_map(|p| read(root, p)).collect();
    let mut found = Found::default();
    let mut syncs: Vec<SyncDecl> = Vec::new();
    for s in &mut scanned {
        if s.rel.is_empty() {
            continue;
        }
        let (decls, file) = declarations(root, s, sources);
        s.file = file;
        syncs.extend(decls);
    }
    // first declaration of a directory wins, by kind (bootstrap objects over operator over
    // placeholders), then by file
    syncs.sort_by(|a, b| (&a.dir, a.kind, &a.file).cmp(&(&b.dir, b.kind, &b.file)));
    syncs.dedup_by(|b, a| a.dir == b.dir);
    let (layout, not_clusters) = layout_clusters(root, &scanned, &syncs);
    found.syncs = syncs;
    found.layout = layout;
    found.not_clusters = not_clusters;
    found.texts = scanned
        .into_iter()
        .map(|s| (s.path, s.text, s.file))
        .collect();
    found
}

/// Every `.yaml`/`.yml` regular file below `dir`, hidden directories and symlinked directories
/// left out (no loops), at most 32 levels deep.
fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 32 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<std::fs::DirEntry> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let Ok(t) = e.file_type() else { continue };
        let p = e.path();
        if t.is_dir() {
            walk(root, &p, depth + 1, out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            // a symlinked file counts when it is a regular file inside the repository
            let regular = if t.is_symlink() {
                p.canonicalize()
                    .ok()
                    .filter(|c| c.starts_with(root))
                    .and_then(|c| std::fs::metadata(c).ok())
                    .is_some_and(|m| m.is_file())
            } else {
                t.is_file()
            };
            if regular {
                out.push(p);
            }
        }
    }
}

fn read(root: &Path, p: &Path) -> Option<Scanned> {
    use std::io::Read;
    // one open: the size and the type come from the handle (a FIFO is never read)
    let mut f = std::fs::File::open(p).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_SCAN_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let text: Arc<str> = Arc::from(text.strip_prefix('\u{feff}').unwrap_or(&text));
    // most files name no Flux group at all: one substring search settles them
    // (every group in FLUX_GROUPS contains "fluxcd.": `*.fluxcd.io/`, `fluxcd.controlplane.io/`)
    let flux = text.contains("fluxcd.")
        && text.lines().any(|l| {
            let l = l.trim_start_matches(['-', ' ']);
            l.strip_prefix("apiVersion:")
                .map(|v| v.trim().trim_matches(['"', '\'']))
                .is_some_and(|v| FLUX_GROUPS.iter().any(|g| v.starts_with(g)))
        });
    let gotk_sync = p.ends_with("flux-system/gotk-sync.yaml");
    Some(Scanned {
        path: p.to_path_buf(),
        // only files discovery looks into need their name
        rel: if flux || gotk_sync {
            rel_of(root, p)
        } else {
            String::new()
        },
        text,
        flux,
        file: None,
    })
}

fn rel_of(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The sync declarations of one file, and its id when it was parsed.
fn declarations(root: &Path, s: &Scanned, sources: &SourceMap) -> (Vec<SyncDecl>, Option<FileId>) {
    let mut out = Vec::new();
    let Some(parent) = s.path.parent() else {
        return (out, None);
    };
    if s.rel.ends_with("flux-system/gotk-sync.yaml") && is_placeholder(&s.text) {
        if let Some(dir) = parent.parent() {
            out.push(SyncDecl {
                kind: EntryKind::Placeholder,
                dir: dir.to_path_buf(),
                file: s.rel.clone(),
                objects: Vec::new(),
                implicit_source: Some((
                    "GitRepository".into(),
                    "flux-system".into(),
                    "flux-system".into(),
                )),
            });
        }
        return (out, None);
    }
    let wanted = s.text.contains("FluxInstance")
        || s.text.contains("flux-instance")
        || s.text.contains("kustomize.toolkit.fluxcd.io/");
    if !wanted {
        return (out, None);
    }
    let file = sources.add(s.rel.clone(), &s.path, Arc::clone(&s.text));
    let Ok(docs) = parse_stream(&s.text, file, SetBy::Resource) else {
        return (out, Some(file));
    };
    let resources: Vec<Resource> = docs
        .into_iter()
        .filter(|d| d.root.as_map().is_some())
        .map(|Document { root, span }| Resource::new(root, span))
        .collect();
    for r in &resources {
        if let Some(d) = bootstrap_sync(root, parent, s, r, &resources) {
            out.push(d);
        } else if let Some(d) = operator_sync(root, s, r) {
            out.push(d);
        }
    }
    (out, Some(file))
}

/// A file with no YAML document (only comments and blank lines).
fn is_placeholder(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// A Flux Kustomization that syncs the directory holding it, as `flux bootstrap` writes it.
fn bootstrap_sync(
    root: &Path,
    parent: &Path,
    s: &Scanned,
    r: &Resource,
    all: &[Resource],
) -> Option<SyncDecl> {
    let k = FluxKustomization::new(r)?;
    let dir = resolve_dir(root, k.path())?;
    if !parent.starts_with(&dir) {
        return None;
    }
    let sref = k.source_ref().filter(|x| x.named)?;
    let source = all.iter().find(|o| {
        FluxKind::of(o).is_some_and(FluxKind::is_source)
            && o.kind() == sref.kind
            && crate::flux::kinds::is_named(o, &sref.name, &sref.namespace)
    });
    // bootstrap's own names, or a sync with its source next to it in flux-system (a tenant's
    // Kustomization reading its own repository at the root is not a cluster)
    let at_root = dir == root;
    let bootstrap_like = k.name() == "flux-system"
        || s.rel.ends_with("gotk-sync.yaml")
        || (source.is_some() && k.namespace() == "flux-system" && !at_root);
    if !bootstrap_like {
        return None;
    }
    let mut objects: Vec<Resource> = source.into_iter().cloned().collect();
    objects.push(r.clone());
    Some(SyncDecl {
        kind: EntryKind::Bootstrap,
        dir,
        file: s.rel.clone(),
        objects,
        implicit_source: None,
    })
}

/// A FluxInstance's `spec.sync`, or the flux-instance chart's `values.instance.sync`.
fn operator_sync(root: &Path, s: &Scanned, r: &Resource) -> Option<SyncDecl> {
    let (kind, sync) = match (r.group(), r.kind()) {
        ("fluxcd.controlplane.io", "FluxInstance") => {
            (EntryKind::FluxInstance, r.node.get_path(&["spec", "sync"])?)
        }
        ("helm.toolkit.fluxcd.io", "HelmRelease") if is_flux_instance_chart(r) => (
            EntryKind::FluxInstanceChart,
            r.node.get_path(&["spec", "values", "instance", "sync"])?,
        ),
        _ => return None,
    };
    let path = sync.str_at(&["path"])?;
    // an OCI artifact or bucket may be built from a sub-tree: its path is relative to that
    let sync_kind = sync.str_at(&["kind"]).unwrap_or("GitRepository");
    let dir = resolve_dir(root, path).or_else(|| {
        (sync_kind != "GitRepository")
            .then(|| resolve_in_subtree(root, path))
            .flatten()
    })?;
    // the operator creates the sync objects in the instance's namespace, named after it unless
    // `sync.name` says otherwise (the chart installs into its release's namespace)
    let namespace = match r.namespace() {
        "" => "flux-system".to_string(),
        ns => ns.to_string(),
    };
    let name = sync
        .str_at(&["name"])
        .map(str::to_string)
        .unwrap_or_else(|| namespace.clone());
    Some(SyncDecl {
        kind,
        dir,
        file: s.rel.clone(),
        objects: synthesize(sync, &name, &namespace),
        implicit_source: None,
    })
}

/// The flux-instance chart: a HelmRelease named `flux-instance`, or whose chart is.
fn is_flux_instance_chart(r: &Resource) -> bool {
    r.name() == "flux-instance"
        || r.node.str_at(&["spec", "chart", "spec", "chart"]) == Some("flux-instance")
        || r.node.str_at(&["spec", "chartRef", "name"]) == Some("flux-instance")
}

/// The source and Kustomization the Flux Operator makes from a `sync` block: every value points
/// at the line of the block that set it.
fn synthesize(sync: &Node, name: &str, namespace: &str) -> Vec<Resource> {
    let at = |n: Option<&Node>| Origin::new(n.unwrap_or(sync).span(), SetBy::Resource);
    let s = |v: &str, n: Option<&Node>| Node::str(v, at(n));
    let kind = sync.str_at(&["kind"]).unwrap_or("GitRepository");
    let metadata = |span_from: Option<&Node>| {
        map(
            at(span_from),
            vec![
                ("name", s(name, sync.get("name"))),
                ("namespace", s(namespace, None)),
            ],
        )
    };
    let mut source_spec = vec![(
        "interval",
        s(
            sync.str_at(&["interval"]).unwrap_or("1m"),
            sync.get("interval"),
        ),
    )];
    if let Some(u) = sync.get("url").and_then(Node::as_str) {
        source_spec.push(("url", s(u, sync.get("url"))));
    }
    if let Some(rf) = sync.get("ref").and_then(Node::as_str) {
        let (field, value) = ref_field(kind, rf);
        let node = sync.get("ref");
        source_spec.push(("ref", map(at(node), vec![(field, s(value, node))])));
    }
    if let Some(p) = sync.get("pullSecret").and_then(Node::as_str) {
        let node = sync.get("pullSecret");
        source_spec.push(("secretRef", map(at(node), vec![("name", s(p, node))])));
    }
    let source = map(
        at(None),
        vec![
            ("apiVersion", s("source.toolkit.fluxcd.io/v1", None)),
            ("kind", s(kind, sync.get("kind"))),
            ("metadata", metadata(None)),
            ("spec", map(at(None), source_spec)),
        ],
    );
    let path = sync.str_at(&["path"]).unwrap_or("");
    let kustomization = map(
        at(None),
        vec![
            ("apiVersion", s("kustomize.toolkit.fluxcd.io/v1", None)),
            ("kind", s("Kustomization", None)),
            ("metadata", metadata(None)),
            (
                "spec",
                map(
                    at(None),
                    vec![
                        (
                            "interval",
                            s(
                                sync.str_at(&["interval"]).unwrap_or("1m"),
                                sync.get("interval"),
                            ),
                        ),
                        ("path", s(path, sync.get("path"))),
                        ("prune", Node::new(Value::Bool(true), at(None))),
                        (
                            "sourceRef",
                            map(
                                at(None),
                                vec![("kind", s(kind, sync.get("kind"))), ("name", s(name, None))],
                            ),
                        ),
                    ],
                ),
            ),
        ],
    );
    vec![
        Resource::new(source, sync.span()),
        Resource::new(kustomization, sync.span()),
    ]
}

/// `sync.ref` as a source's `spec.ref` field: `refs/heads/x` is a branch, `refs/tags/x` a tag,
/// another `refs/…` a name; for an OCI artifact a tag, or a semver range when it has operators.
fn ref_field<'a>(kind: &str, rf: &'a str) -> (&'static str, &'a str) {
    if let Some(b) = rf.strip_prefix("refs/heads/") {
        return ("branch", b);
    }
    if let Some(t) = rf.strip_prefix("refs/tags/") {
        return ("tag", t);
    }
    if rf.starts_with("refs/") {
        return ("name", rf);
    }
    if rf.contains(['<', '>', '~', '^', '*', ' ', '=']) {
        return ("semver", rf);
    }
    if kind == "GitRepository" {
        ("branch", rf)
    } else {
        ("tag", rf)
    }
}

fn map(origin: Origin, entries: Vec<(&str, Node)>) -> Node {
    let mut m = crate::yaml::Map::new();
    let span = origin.span;
    for (k, v) in entries {
        m.insert(k, span, v);
    }
    Node::new(Value::Map(m), origin)
}

/// A `spec.path`-like path (relative to the repository root, `./` allowed) as an existing
/// directory inside the repository.
pub fn resolve_dir(root: &Path, path: &str) -> Option<PathBuf> {
    let rel = path.trim().trim_start_matches("./").trim_start_matches('/');
    if rel.split('/').any(|s| s == "..") {
        return None;
    }
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let canon = dir.canonicalize().ok()?;
    (canon.starts_with(root) && canon.is_dir()).then_some(canon)
}

/// A path relative to a sub-tree of the repository (an OCI artifact pushed from `kubernetes/`):
/// the shallowest directory `D` with `D/path` a directory, one or two levels down.
pub fn resolve_in_subtree(root: &Path, path: &str) -> Option<PathBuf> {
    let mut level: Vec<PathBuf> = vec![root.to_path_buf()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for d in &level {
            let Ok(rd) = std::fs::read_dir(d) else {
                continue;
            };
            let mut subs: Vec<PathBuf> = rd
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .collect();
            subs.sort();
            for s in &subs {
                if let Some(found) = resolve_dir(s, path).filter(|f| f.starts_with(root)) {
                    return Some(found);
                }
            }
            next.extend(subs);
        }
        level = next;
    }
    None
}

/// The `clusters/<c>` directories (at the root or one level down) that hold Flux objects of
/// their own and that no other cluster includes or applies.
fn layout_clusters(
    root: &Path,
    scanned: &[Scanned],
    syncs: &[SyncDecl],
) -> (Vec<PathBuf>, Vec<NotCluster>) {
    let mut candidates: Vec<(PathBuf, String)> = Vec::new();
    let mut push_children = |parent: &Path| {
        let Ok(rd) = std::fs::read_dir(parent) else {
            return;
        };
        for e in rd.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if let Ok(c) = e.path().canonicalize() {
                let rel = rel_of(root, &c);
                candidates.push((c, rel));
            }
        }
    };
    push_children(&root.join("clusters"));
    if let Ok(rd) = std::fs::read_dir(root) {
        let mut tops: Vec<PathBuf> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path().join("clusters"))
            .filter(|p| p.is_dir())
            .collect();
        tops.sort();
        for t in tops {
            push_children(&t);
        }
    }
    candidates.sort();
    candidates.dedup();
    let mut clusters = Vec::new();
    let mut not = Vec::new();
    for (dir, rel) in &candidates {
        if syncs
            .iter()
            .any(|s| s.dir.starts_with(dir) || dir.starts_with(&s.dir))
        {
            // a sync in git names this directory (or one inside it): not a layout guess
            continue;
        }
        let has_flux = scanned.iter().any(|s| s.flux && s.path.starts_with(dir));
        if !has_flux {
            not.push(NotCluster {
                dir: rel.clone(),
                why: "it holds no Flux object and nothing syncs it".into(),
                template: None,
            });
            continue;
        }
        let used_by = scanned.iter().find(|s| {
            !s.path.starts_with(dir)
                && candidates
                    .iter()
                    .any(|(c, _)| c != dir && s.path.starts_with(c))
                && refers_into(root, s, dir)
        });
        if let Some(s) = used_by {
            not.push(NotCluster {
                dir: rel.clone(),
                why: format!(
                    "{} includes it: it is shared, not a cluster of its own",
                    rel_of(root, &s.path)
                ),
                template: None,
            });
            continue;
        }
        if let Some((p, file)) = template_sync(root, scanned, dir) {
            not.push(NotCluster {
                dir: rel.clone(),
                why: format!(
                    "its flux-system sync applies '{p}', which does not exist: a template to copy, not a cluster"
                ),
                template: Some(file),
            });
            continue;
        }
        clusters.push(dir.clone());
    }
    (clusters, not)
}

/// The `spec.path` of a `flux-system/gotk-sync.yaml` inside `dir` that names a directory the
/// repository does not have (`./clusters/cluster-name` in a `clusters/template` that scripts copy
/// and fill in for each new cluster).
fn template_sync(root: &Path, scanned: &[Scanned], dir: &Path) -> Option<(String, String)> {
    let sync = scanned
        .iter()
        .find(|s| s.path.starts_with(dir) && s.path.ends_with("flux-system/gotk-sync.yaml"))?;
    sync.text.lines().find_map(|l| {
        let p = l
            .trim()
            .strip_prefix("path:")?
            .trim()
            .trim_matches(['"', '\'']);
        let rel = p.trim_start_matches("./").trim_end_matches('/');
        (!rel.is_empty() && !rel.contains("${") && !root.join(rel).exists())
            .then(|| (p.to_string(), sync.rel.clone()))
    })
}

/// Does a file include or apply something inside `dir`: a kustomization `resources:` or
/// `components:` entry, or a Flux Kustomization `spec.path`?
fn refers_into(root: &Path, s: &Scanned, dir: &Path) -> bool {
    let Some(parent) = s.path.parent() else {
        return false;
    };
    let rel_dir = rel_of(root, dir);
    let name_of = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let is_kustomization = name_of(&s.path).is_some_and(|n| {
        matches!(
            n.as_str(),
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
    });
    s.text.lines().any(|l| {
        let t = l.trim().trim_start_matches("- ").trim();
        let t = t.trim_matches(['"', '\'']);
        if let Some(p) = t.strip_prefix("path:") {
            let p = p.trim().trim_matches(['"', '\'']);
            let p = p.trim_start_matches("./");
            return !p.is_empty() && (p == rel_dir || p.starts_with(&format!("{rel_dir}/")));
        }
        if is_kustomization && (t.starts_with("../") || t.starts_with("./")) {
            return crate::kustomize::loader::normalize(&parent.join(t)).starts_with(dir);
        }
        false
    })
}

/// The name of an environment whose entry is `dir`: the directory after `clusters/`, else the
/// first segment of the path that is not a generic word, else its last segment.
pub fn name_for(root: &Path, dir: &Path) -> String {
    let rel = rel_of(root, dir);
    let segs: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(i) = segs.iter().position(|s| *s == "clusters")
        && let Some(n) = segs.get(i + 1)
    {
        return clean_name(n);
    }
    if let Some(n) = segs.iter().find(|s| !GENERIC.contains(s)) {
        return clean_name(n);
    }
    if let Some(n) = segs.last() {
        return clean_name(n);
    }
    root.file_name()
        .map(|n| clean_name(&n.to_string_lossy()))
        .unwrap_or_else(|| "cluster".into())
}

/// A name from the whole repo-relative path (`kubernetes-main-flux-cluster`), for entries whose
/// short names collide.
pub fn long_name(root: &Path, dir: &Path) -> String {
    let rel = rel_of(root, dir).replace('/', "-");
    clean_name(if rel.is_empty() { "root" } else { &rel })
}

/// Names appear in findings and on the command line: letters, digits, `-`, `_`, `.`.
fn clean_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "cluster".into()
    } else {
        out
    }
}

/// The sync declaration for an entry directory, if git has one.
pub fn sync_for<'a>(found: &'a Found, dir: &Path) -> Option<&'a SyncDecl> {
    found.syncs.iter().find(|s| s.dir == dir)
}

/// The Flux Kustomization among `objects` that applies `dir` (relative to the repository root).
pub fn applies_dir<'a>(root: &Path, objects: &'a [Resource], dir: &Path) -> Option<&'a Resource> {
    objects.iter().find(|r| {
        is_flux_kustomization(r)
            && FluxKustomization(r)
                .path_node()
                .and_then(Node::as_str)
                .and_then(|p| resolve_dir(root, p))
                .is_some_and(|d| d == dir)
    })
}

/// `(kind, namespace, name)` of an object.
pub fn key(r: &Resource) -> (String, String, String) {
    (
        r.kind().to_string(),
        namespace_of(r).to_string(),
        r.name().to_string(),
    )
}

/// The span of an object's `metadata.name`, or of the whole object.
pub fn name_span(r: &Resource) -> Span {
    r.node
        .get_path(&["metadata", "name"])
        .map(Node::span)
        .unwrap_or(r.doc_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_path() {
        let root = Path::new("/r");
        for (dir, want) in [
            ("/r/clusters/prod", "prod"),
            ("/r/clusters/prod/config", "prod"),
            ("/r/kubernetes/clusters/cluster-00", "cluster-00"),
            ("/r/kubernetes/main/flux/cluster", "main"),
            ("/r/kubernetes/flux/cluster", "cluster"),
            ("/r/deploy/eu west/flux-system", "eu-west"),
        ] {
            assert_eq!(name_for(root, Path::new(dir)), want, "{dir}");
        }
    }

    #[test]
    fn sync_refs_become_source_ref_fields() {
        assert_eq!(
            ref_field("GitRepository", "refs/heads/main"),
            ("branch", "main")
        );
        assert_eq!(
            ref_field("GitRepository", "refs/tags/prod-v1.2.3"),
            ("tag", "prod-v1.2.3")
        );
        assert_eq!(
            ref_field("GitRepository", "refs/pull/1/head"),
            ("name", "refs/pull/1/head")
        );
        assert_eq!(ref_field("OCIRepository", "latest"), ("tag", "latest"));
        assert_eq!(ref_field("OCIRepository", ">=1.0.0"), ("semver", ">=1.0.0"));
    }

    #[test]
    fn placeholders_hold_no_document() {
        assert!(is_placeholder(
            "# This file will be generated automatically by flux bootstrap.\n"
        ));
        assert!(is_placeholder(""));
        assert!(!is_placeholder("apiVersion: v1\nkind: ConfigMap\n"));
    }
}
