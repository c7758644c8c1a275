//! What the generator knows about the resources so far, so that patches and references point at things that
//! exist (most of the time), and the files it has written.

use std::collections::BTreeMap;
use std::path::Path;

use crate::yaml::Y;

#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub env: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub kind: &'static str,
    pub name: String,
    pub containers: Vec<Container>,
    /// `metadata.labels.tier` is still there (JSON patches may remove or move it once).
    pub has_tier: bool,
}

/// A configMapGenerator or secretGenerator entry, by the name other levels use to merge into it.
#[derive(Clone, Debug)]
pub struct Generated {
    pub kind: &'static str,
    pub name: String,
    /// The kustomization directory that created it.
    pub dir: String,
}

/// Any resource, by kind and original name; `name` is what it is called now (after prefixes and suffixes).
#[derive(Clone, Debug)]
pub struct Res {
    pub kind: &'static str,
    pub api_version: &'static str,
    pub orig: String,
    pub name: String,
    /// The namespace set by a `namespace:` field so far.
    pub namespace: Option<String>,
}

#[derive(Default, Debug)]
pub struct Model {
    pub workloads: Vec<Workload>,
    pub generated: Vec<Generated>,
    pub resources: Vec<Res>,
    /// ConfigMap/Secret names (original) with their data keys, for `configMapKeyRef` and replacements.
    pub config_maps: Vec<(String, Vec<String>)>,
    pub secrets: Vec<(String, Vec<String>)>,
    used: std::collections::BTreeSet<String>,
}

impl Model {
    /// A name not used before in this tree.
    pub fn fresh(&mut self, stem: &str) -> String {
        let mut name = stem.to_string();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }

    pub fn add(&mut self, kind: &'static str, api_version: &'static str, name: &str) {
        self.resources.push(Res {
            kind,
            api_version,
            orig: name.to_string(),
            name: name.to_string(),
            namespace: None,
        });
    }

    pub fn remove(&mut self, kind: &str, orig: &str) {
        self.resources
            .retain(|r| !(r.kind == kind && r.orig == orig));
        self.workloads
            .retain(|w| !(w.kind == kind && w.name == orig));
        if kind == "ConfigMap" {
            self.config_maps.retain(|(n, _)| n != orig);
        }
        if kind == "Secret" {
            self.secrets.retain(|(n, _)| n != orig);
        }
        self.generated
            .retain(|g| !(g.kind == kind && g.name == orig));
    }

    pub fn current_name(&self, kind: &str, orig: &str) -> String {
        self.current(kind, orig).0
    }

    /// The name and namespace a resource has now.
    pub fn current(&self, kind: &str, orig: &str) -> (String, Option<String>) {
        self.resources
            .iter()
            .find(|r| r.kind == kind && r.orig == orig)
            .map(|r| (r.name.clone(), r.namespace.clone()))
            .unwrap_or_else(|| (orig.to_string(), None))
    }

    pub fn of_kind(&self, kind: &str) -> Vec<Res> {
        self.resources
            .iter()
            .filter(|r| r.kind == kind)
            .cloned()
            .collect()
    }

    pub fn workload_mut(&mut self, name: &str) -> Option<&mut Workload> {
        self.workloads.iter_mut().find(|w| w.name == name)
    }

    /// Every image name in use (without tags), for the `images` transformer.
    pub fn image_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .workloads
            .iter()
            .flat_map(|w| w.containers.iter())
            .map(|c| c.image.split([':', '@']).next().unwrap_or("").to_string())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

impl Workload {
    /// Follows a strategic-merge patch's `containers` list: kubectl puts the patch's items first, in
    /// patch order, then the items it did not mention; env lists inside behave the same.
    pub fn apply_containers_patch(&mut self, patch: &[Y]) {
        let items: Vec<(String, bool)> = patch.iter().map(item_of).collect();
        let by_name = |name: &str| {
            self.containers
                .iter()
                .find(|c| c.name == name)
                .cloned()
                .unwrap_or(Container {
                    name: name.to_string(),
                    image: String::new(),
                    env: Vec::new(),
                })
        };
        let mut out: Vec<Container> = items
            .iter()
            .filter(|(_, deleted)| !deleted)
            .map(|(n, _)| by_name(n))
            .collect();
        for c in &self.containers {
            if !items.iter().any(|(n, _)| *n == c.name) {
                out.push(c.clone());
            }
        }
        for entry in patch {
            let (name, _) = item_of(entry);
            if let (Some(Y::List(env)), Some(c)) =
                (entry.get("env"), out.iter_mut().find(|c| c.name == name))
            {
                let items: Vec<(String, bool)> = env.iter().map(item_of).collect();
                let mut names: Vec<String> = items
                    .iter()
                    .filter(|(_, d)| !d)
                    .map(|(n, _)| n.clone())
                    .collect();
                names.extend(
                    c.env
                        .iter()
                        .filter(|e| !items.iter().any(|(n, _)| n == *e))
                        .cloned(),
                );
                c.env = names;
            }
            if let (Some(Y::Str(image)), Some(c)) =
                (entry.get("image"), out.iter_mut().find(|c| c.name == name))
            {
                c.image = image.clone();
            }
        }
        self.containers = out;
    }

    /// The container with the `LOG_LEVEL` variable every base workload starts with.
    pub fn main_container(&self) -> Option<&Container> {
        self.containers
            .iter()
            .find(|c| c.env.iter().any(|e| e == "LOG_LEVEL"))
    }
}

/// A list item's `name` and whether it says `$patch: delete`.
fn item_of(y: &Y) -> (String, bool) {
    let name = match y.get("name") {
        Some(Y::Str(s)) => s.clone(),
        _ => String::new(),
    };
    (name, y.get("$patch") == Some(&Y::from("delete")))
}

/// The generated files, by path relative to the tree's root.
#[derive(Default)]
pub struct Tree {
    pub files: BTreeMap<String, String>,
    /// The directory to build, relative to the root.
    pub build: String,
}

impl Tree {
    pub fn add(&mut self, path: String, text: String) {
        self.files.insert(path, text);
    }

    pub fn add_yaml(&mut self, path: String, docs: &[Y], indent_lists: bool) {
        let text = docs
            .iter()
            .map(|d| d.to_yaml(indent_lists))
            .collect::<Vec<_>>()
            .join("---\n");
        self.add(path, text);
    }

    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        for (rel, text) in &self.files {
            let p = root.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, text)?;
        }
        std::fs::write(root.join("BUILD"), format!("{}\n", self.build))
    }
}
