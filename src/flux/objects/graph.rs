//! The files a kustomization refers to (`resources`, `components`, patches, generator inputs…),
//! read from the texts the render already loaded (no I/O), with spans on each entry.

use std::collections::HashMap;

use crate::kustomize::kustomization::FILE_NAMES;
use crate::source::{FileId, SourceMap};
use crate::yaml::{Node, SetBy, parse_stream};

/// One reference to a file or directory in a kustomization.
#[derive(Clone, Debug)]
pub struct KustomizeEntry {
    /// The kustomization field (`resources`, `patches`, …).
    pub field: &'static str,
    /// The path as written.
    pub value: String,
    /// The node that holds it.
    pub node: Node,
}

/// The kustomization files the render read, by directory (repo-relative).
pub struct KustomizeFiles {
    by_dir: HashMap<String, FileId>,
    /// The keys of `by_dir`, sorted.
    sorted: Vec<String>,
}

impl KustomizeFiles {
    pub fn new(sources: &SourceMap) -> KustomizeFiles {
        let mut by_dir = HashMap::new();
        for i in 0..sources.len() {
            let id = FileId(i as u32);
            let Some(f) = sources.get(id) else { continue };
            let (dir, file) = f
                .display
                .rsplit_once('/')
                .unwrap_or(("", f.display.as_str()));
            if FILE_NAMES.contains(&file) {
                by_dir.entry(dir.to_string()).or_insert(id);
            }
        }
        let mut sorted: Vec<String> = by_dir.keys().cloned().collect();
        sorted.sort();
        KustomizeFiles { by_dir, sorted }
    }

    /// The kustomization file of a repo-relative directory (`""` for the root).
    pub fn of_dir(&self, dir: &str) -> Option<FileId> {
        self.by_dir.get(dir).copied()
    }

    /// What a directory without a kustomization file brings in through Flux's generated one: the
    /// topmost kustomization directories below it.
    pub fn top_dirs_under(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // the directories below `dir` are one run of the sorted list; one is topmost when none of
        // its parents below `dir` has a kustomization (a lookup per level, not a scan: this runs
        // for every file entry too, which has nothing below it)
        let start = self
            .sorted
            .partition_point(|d| d.as_str() <= prefix.as_str());
        self.sorted[start..]
            .iter()
            .take_while(|d| d.starts_with(&prefix))
            .filter(|d| {
                !d[prefix.len()..]
                    .match_indices('/')
                    .any(|(i, _)| i > 0 && self.by_dir.contains_key(&d[..prefix.len() + i]))
            })
            .cloned()
            .collect()
    }
}

/// A path a kustomization refers to, reached from the directories a walk started at.
#[derive(Clone, Debug)]
pub struct Reached {
    /// The directory whose kustomization holds the entry (repo-relative).
    pub dir: String,
    /// What the entry names (repo-relative, normalized).
    pub target: String,
    pub entry: KustomizeEntry,
}

/// Every path referred to by the kustomizations reachable from `starts` (repo-relative
/// directories): their entries, then the entries of the directories those name, and so on. A
/// directory without a kustomization file brings in the topmost kustomization directories below
/// it, as Flux's generated kustomization does. Each directory is read once.
pub fn reachable_entries(sources: &SourceMap, starts: Vec<String>) -> Vec<Reached> {
    let files = KustomizeFiles::new(sources);
    let mut queue = starts;
    queue.reverse();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    while let Some(dir) = queue.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let Some(file) = files.of_dir(&dir) else {
            queue.extend(files.top_dirs_under(&dir).into_iter().rev());
            continue;
        };
        for entry in kustomize_entries(sources, file) {
            let Some(target) = super::normalize_rel(&dir, &entry.value) else {
                continue;
            };
            queue.push(target.clone());
            out.push(Reached {
                dir: dir.clone(),
                target,
                entry,
            });
        }
    }
    out
}

/// The paths a kustomization file refers to, in file order per field. Inline patches, remote
/// resources and unparsable files give nothing.
pub fn kustomize_entries(sources: &SourceMap, file: FileId) -> Vec<KustomizeEntry> {
    let Some(f) = sources.get(file) else {
        return Vec::new();
    };
    let Some(doc) = parse_stream(&f.text, file, SetBy::Resource)
        .ok()
        .and_then(|d| d.into_iter().next())
    else {
        return Vec::new();
    };
    let root = doc.root;
    let mut out = Vec::new();
    let mut push = |field: &'static str, node: &Node, value: &str| {
        if !value.is_empty() && !value.contains('\n') {
            out.push(KustomizeEntry {
                field,
                value: value.to_string(),
                node: node.clone(),
            });
        }
    };
    for field in [
        "resources",
        "bases",
        "components",
        "crds",
        "patchesStrategicMerge",
    ] {
        for n in seq(root.get(field)) {
            if let Some(s) = n.as_str() {
                push(field, n, s);
            }
        }
    }
    for field in ["patches", "patchesJson6902", "replacements"] {
        for item in seq(root.get(field)) {
            if let Some(n) = item.get("path")
                && let Some(s) = n.as_str()
            {
                push(field, n, s);
            }
        }
    }
    for field in ["configMapGenerator", "secretGenerator"] {
        for item in seq(root.get(field)) {
            for n in seq(item.get("files")).iter().chain(seq(item.get("envs"))) {
                if let Some(s) = n.as_str() {
                    // `key=path` names the key; the path follows
                    push(field, n, s.rsplit_once('=').map_or(s, |(_, p)| p));
                }
            }
            if let Some(n) = item.get("env")
                && let Some(s) = n.as_str()
            {
                push(field, n, s);
            }
        }
    }
    out
}

fn seq(n: Option<&Node>) -> &[Node] {
    n.and_then(Node::as_seq).map(Vec::as_slice).unwrap_or(&[])
}
