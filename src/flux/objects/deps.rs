//! The dependency graph of an environment: Flux Kustomizations and HelmReleases, linked by
//! `spec.dependsOn` (each entry names an object of the dependent's kind; its namespace defaults to
//! the dependent's), with the entries that name nothing, what each object reaches, and the cycles.

use std::collections::{BTreeMap, BTreeSet};

use crate::flux::Environment;

use super::{HELM_GROUP, KUSTOMIZE_GROUP, Obj, ObjectRef, depends_on, objects};

/// An object's key: (kind, namespace, name).
pub type Key = (String, String, String);

/// The `dependsOn` index of an edge that comes from a ResourceSet's `spec.dependsOn`.
pub const VIA_RESOURCE_SET: usize = usize::MAX;

/// At most this many cycles are found per environment.
const MAX_CYCLES: usize = 20;

pub fn key(o: &Obj) -> Key {
    (
        o.kind().to_string(),
        o.namespace().to_string(),
        o.name().to_string(),
    )
}

pub struct DepGraph<'a> {
    /// Flux Kustomizations, then HelmReleases; each (kind, namespace, name) once.
    pub nodes: Vec<Obj<'a>>,
    /// Entries that name no object of the environment, with their dependent.
    pub missing: Vec<(Obj<'a>, ObjectRef<'a>)>,
    /// Edges to what exists: (target, index of the `dependsOn` entry).
    edges: BTreeMap<Key, Vec<(Key, usize)>>,
}

impl<'a> DepGraph<'a> {
    pub fn of(env: &'a Environment) -> DepGraph<'a> {
        let mut nodes = objects(env, KUSTOMIZE_GROUP, &["Kustomization"]);
        nodes.extend(objects(env, HELM_GROUP, &["HelmRelease"]));
        let mut g = DepGraph {
            nodes,
            missing: Vec::new(),
            edges: BTreeMap::new(),
        };
        for o in &g.nodes {
            for (i, dep) in depends_on(o.resource()).into_iter().enumerate() {
                let target = g
                    .nodes
                    .iter()
                    .find(|t| t.kind() == o.kind() && t.is_named(&dep.name, &dep.namespace));
                match target {
                    Some(t) => {
                        let list = g.edges.entry(key(o)).or_default();
                        if !list.iter().any(|(x, _)| *x == key(t)) {
                            list.push((key(t), i));
                        }
                    }
                    None => g.missing.push((*o, dep)),
                }
            }
        }
        // what a ResourceSet produces waits for the ResourceSet's own `dependsOn`
        for rs in &env.resource_sets {
            for m in &rs.members {
                for gate in &rs.depends_on {
                    let exists = g.nodes.iter().any(|t| key(t) == *gate);
                    if !exists || !g.nodes.iter().any(|t| key(t) == *m) {
                        continue;
                    }
                    let list = g.edges.entry(m.clone()).or_default();
                    if !list.iter().any(|(x, _)| x == gate) {
                        list.push((gate.clone(), VIA_RESOURCE_SET));
                    }
                }
            }
        }
        g
    }

    pub fn get(&self, k: &Key) -> Option<&Obj<'a>> {
        self.nodes.iter().find(|o| key(o) == *k)
    }

    /// Everything `start` depends on, directly or through others.
    pub fn reachable(&self, start: &Key) -> BTreeSet<Key> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(k) = stack.pop() {
            for (t, _) in self.edges.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    }

    /// Each elementary cycle once, in a deterministic order, from its smallest member (by kind,
    /// namespace, name): (member, index of the `dependsOn` entry taken from it).
    pub fn cycles(&self) -> Vec<Vec<(Key, usize)>> {
        let mut keys: Vec<Key> = self.nodes.iter().map(key).collect();
        keys.sort();
        let mut found = Vec::new();
        for start in &keys {
            let mut path = Vec::new();
            self.walk(start, start, &mut path, &mut found);
        }
        found
    }

    /// Depth-first search for cycles through `start` that visit only objects after it in key
    /// order, so that each cycle is found once.
    fn walk(
        &self,
        start: &Key,
        at: &Key,
        path: &mut Vec<(Key, usize)>,
        found: &mut Vec<Vec<(Key, usize)>>,
    ) {
        for (t, i) in self.edges.get(at).map(Vec::as_slice).unwrap_or(&[]) {
            if found.len() >= MAX_CYCLES {
                return;
            }
            path.push((at.clone(), *i));
            if t == start {
                found.push(path.clone());
            } else if t > start && !path.iter().any(|(k, _)| k == t) {
                self.walk(start, t, path, found);
            }
            path.pop();
        }
    }
}
