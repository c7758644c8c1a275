//! Value nodes kustomize shares between several fields of one resource.
//!
//! kustomize's label and annotation setters (`SetEntry` in api/filters/filtersutil) build one YAML
//! node per key and transformer run, and every field that run *creates* in a resource gets that
//! same node: after `commonLabels: {app: web}` on a Deployment without an `app` label,
//! `metadata.labels.app`, `spec.selector.matchLabels.app` and the template's label are one node.
//! Later writes to an existing field copy into the node in place (kyaml's `SetYNode`), so they
//! reach every field sharing it: `labels: [{pairs: {app: api}}]` in an overlay, though it only
//! targets `metadata.labels`, also changes the selector and the template — so do strategic merge
//! patches and replacements that set one of them. A JSON patch rebuilds the resource from JSON,
//! which ends the sharing.
//!
//! Fluxlint's nodes are plain trees, so each resource keeps the groups of paths that share a node
//! and the operations that write in place re-synchronise them ([`Aliases::reconcile`]).

use crate::yaml::{Node, Value};

/// One step of a path into a resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub type Path = Vec<Seg>;

/// The groups of fields that share one value node in kustomize (each with two members or more).
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    groups: Vec<Vec<Path>>,
}

/// The members' values before an in-place operation.
pub struct Snapshot(Vec<Vec<Option<Value>>>);

impl Aliases {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Fields created together: from now on they share one node. A path already in a group leaves
    /// it (a created field is a new node).
    pub fn add_group(&mut self, paths: Vec<Path>) {
        if paths.len() < 2 {
            for p in &paths {
                self.forget(p);
            }
            return;
        }
        for p in &paths {
            self.forget(p);
        }
        self.groups.push(paths);
    }

    fn forget(&mut self, path: &Path) {
        for g in &mut self.groups {
            g.retain(|p| p != path);
        }
        self.groups.retain(|g| g.len() >= 2);
    }

    /// Every field was rebuilt (a JSON patch): nothing is shared any more.
    pub fn clear(&mut self) {
        self.groups.clear();
    }

    /// The fields under `prefix` were rebuilt (kustomize rewrote that map).
    pub fn drop_under(&mut self, prefix: &[Seg]) {
        for g in &mut self.groups {
            g.retain(|p| !p.starts_with(prefix));
        }
        self.groups.retain(|g| g.len() >= 2);
    }

    pub fn snapshot(&self, root: &Node) -> Snapshot {
        Snapshot(
            self.groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|p| lookup(root, p).map(|n| n.value.clone()))
                        .collect()
                })
                .collect(),
        )
    }

    /// After an operation that writes in place: a member whose value changed changed the shared
    /// node, so every member still present takes its value (when several changed, the last in
    /// kustomize's walk order — sorted field names — wins). Members that disappeared leave.
    pub fn reconcile(&mut self, root: &mut Node, before: Snapshot) {
        if self.groups.is_empty() {
            return;
        }
        for (g, old) in self.groups.iter_mut().zip(before.0) {
            // a member missing before the operation is a new node if it exists now
            let kept: Vec<(Path, Value)> = g
                .iter()
                .zip(old)
                .filter_map(|(p, was)| Some((p.clone(), was?)))
                .filter(|(p, _)| lookup(root, p).is_some())
                .collect();
            let mut changed: Option<&Path> = None;
            for (p, was) in &kept {
                let differs = lookup(root, p).is_some_and(|n| n.value != *was);
                if differs && changed.is_none_or(|c| p > c) {
                    changed = Some(p);
                }
            }
            let source = changed.and_then(|c| lookup(root, c)).cloned();
            *g = kept.into_iter().map(|(p, _)| p).collect();
            let Some(source) = source else {
                continue;
            };
            for p in g.iter() {
                if let Some(n) = lookup_mut(root, p) {
                    *n = source.clone();
                }
            }
        }
        self.groups.retain(|g| g.len() >= 2);
    }
}

fn lookup<'a>(root: &'a Node, path: &[Seg]) -> Option<&'a Node> {
    let mut n = root;
    for s in path {
        n = match (s, &n.value) {
            (Seg::Key(k), Value::Map(m)) => m.get(k)?,
            (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(n)
}

fn lookup_mut<'a>(root: &'a mut Node, path: &[Seg]) -> Option<&'a mut Node> {
    let mut n = root;
    for s in path {
        n = match (s, &mut n.value) {
            (Seg::Key(k), Value::Map(m)) => m.get_mut(k)?,
            (Seg::Index(i), Value::Seq(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn node(text: &str) -> Node {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        docs.into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(crate::yaml::Origin::none()))
    }

    fn path(s: &str) -> Path {
        s.split('/').map(|k| Seg::Key(k.to_string())).collect()
    }

    #[test]
    fn a_write_to_one_member_reaches_the_others() {
        let mut n = node("a: {x: '1'}\nb: {x: '1'}\nc: {x: '1'}\n");
        let mut al = Aliases::default();
        al.add_group(vec![path("a/x"), path("b/x")]);
        let before = al.snapshot(&n);
        if let Some(x) = lookup_mut(&mut n, &path("a/x")) {
            x.value = Value::Str("2".into());
        }
        al.reconcile(&mut n, before);
        assert_eq!(n.str_at(&["b", "x"]), Some("2"));
        assert_eq!(n.str_at(&["c", "x"]), Some("1"));
    }

    #[test]
    fn deleted_members_leave_and_created_paths_are_new_nodes() {
        let mut n = node("a: {x: '1'}\nb: {x: '1'}\n");
        let mut al = Aliases::default();
        al.add_group(vec![path("a/x"), path("b/x")]);
        let before = al.snapshot(&n);
        if let Some(m) = n.get_mut("a").and_then(Node::as_map_mut) {
            m.remove("x");
        }
        al.reconcile(&mut n, before);
        assert!(al.is_empty());
        al.add_group(vec![path("a/x"), path("b/x")]);
        al.add_group(vec![path("a/x")]);
        assert!(al.is_empty());
    }
}
