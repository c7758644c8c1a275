//! `dependencies`: the Flux Kustomizations of an environment are applied in a safe order — those the
//! policy names depend on others (apps on infrastructure, directly or through others), every
//! `dependsOn` names a Flux Kustomization of the same environment (its namespace defaults to the
//! dependent's), and no dependencies form a cycle. See `policies/dependencies.yaml`.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, Kustomization};
use crate::policy::glob_match;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "dependencies",
    scope: Scope::Env,
    run: check,
};

/// A Flux Kustomization's key: (namespace, name).
type Key = (String, String);

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let ks = objects::kustomizations(env);
    let key = |k: &Kustomization| (k.0.namespace().to_string(), k.0.name().to_string());
    let by_key: BTreeMap<Key, &Kustomization> = ks.iter().map(|k| (key(k), k)).collect();
    let mut out = Vec::new();
    // the dependency graph, over what exists
    let mut edges: BTreeMap<Key, Vec<(Key, usize)>> = BTreeMap::new();
    for k in &ks {
        for (i, dep) in k.depends_on().iter().enumerate() {
            match objects::find_kustomization(env, &dep.name, &dep.namespace) {
                Some(t) => {
                    let list = edges.entry(key(k)).or_default();
                    if !list.iter().any(|(x, _)| *x == key(&t)) {
                        list.push((key(&t), i));
                    }
                }
                None => out.push(
                    k.0.annotate(
                        ctx.diag(format!(
                            "Flux Kustomization '{}' depends on '{}', which is not defined in namespace '{}' of {}",
                            k.0.name(), dep.name, dep.namespace, env.name
                        ))
                        .at_node(dep.node, "no such Flux Kustomization")
                        .help("name a Flux Kustomization of this environment, or remove the entry"),
                    ),
                ),
            }
        }
    }
    out.extend(required_order(ctx, &ks, &by_key, &edges));
    out.extend(cycles(ctx, &by_key, &edges));
    out
}

/// `order: [{kustomization: apps, dependsOn: infrastructure}]` (names are globs): each
/// Kustomization matching `kustomization` reaches one matching `dependsOn` through its
/// dependencies, when the environment has both.
fn required_order(
    ctx: &Ctx,
    ks: &[Kustomization],
    by_key: &BTreeMap<Key, &Kustomization>,
    edges: &BTreeMap<Key, Vec<(Key, usize)>>,
) -> Vec<Diagnostic> {
    let rules = ctx
        .policy
        .param("order")
        .and_then(|n| n.as_seq())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for r in rules {
        let (Some(from), Some(to)) = (r.str_at(&["kustomization"]), r.str_at(&["dependsOn"]))
        else {
            continue;
        };
        if !by_key.keys().any(|(_, n)| glob_match(to, n)) {
            continue;
        }
        for k in ks
            .iter()
            .filter(|k| glob_match(from, k.0.name()) && !glob_match(to, k.0.name()))
        {
            let start = (k.0.namespace().to_string(), k.0.name().to_string());
            if reachable(edges, &start)
                .iter()
                .any(|(_, n)| glob_match(to, n))
            {
                continue;
            }
            let at = k.depends_on_node().unwrap_or(k.0.name_node());
            out.push(k.0.annotate(
                ctx.diag(format!(
                    "Flux Kustomization '{}' does not depend on '{to}', expected it to be applied after it",
                    k.0.name()
                ))
                .at_node(at, "missing dependency")
                .help(format!("add `dependsOn: [{{name: {to}}}]` to its spec")),
            ));
        }
    }
    out
}

fn reachable(edges: &BTreeMap<Key, Vec<(Key, usize)>>, start: &Key) -> BTreeSet<Key> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.clone()];
    while let Some(k) = stack.pop() {
        for (t, _) in edges.get(&k).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(t.clone()) {
                stack.push(t.clone());
            }
        }
    }
    seen
}

/// Each elementary cycle once, in a deterministic order, reported at the `dependsOn` entry of
/// its first Kustomization (by namespace, name) that leads into it.
fn cycles(
    ctx: &Ctx,
    by_key: &BTreeMap<Key, &Kustomization>,
    edges: &BTreeMap<Key, Vec<(Key, usize)>>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for start in by_key.keys() {
        let mut path = Vec::new();
        walk(edges, start, start, &mut path, &mut found);
    }
    let mut out = Vec::new();
    for cycle in found {
        let Some((start, item)) = cycle.first() else {
            continue;
        };
        let Some(k) = by_key.get(start) else { continue };
        let names: Vec<&str> = cycle
            .iter()
            .map(|(k, _)| k.1.as_str())
            .chain(std::iter::once(start.1.as_str()))
            .collect();
        let deps = k.depends_on();
        let at = deps.get(*item).map(|d| d.node).unwrap_or(k.0.name_node());
        out.push(k.0.annotate(
            ctx.diag(format!(
                "Flux Kustomizations depend on each other in a cycle: {}",
                names.join(" → ")
            ))
            .at_node(at, "closes a cycle")
            .help("remove one dependsOn entry of the cycle; Flux applies none of them until it is broken"),
        ));
    }
    out
}

/// At most this many cycles are reported per environment.
const MAX_CYCLES: usize = 20;

/// Depth-first search for cycles through `start` that visit only Kustomizations after it in key
/// order, so that each cycle is found once, from its smallest member. Path items are (node, index
/// of the dependsOn entry taken from it).
fn walk(
    edges: &BTreeMap<Key, Vec<(Key, usize)>>,
    start: &Key,
    at: &Key,
    path: &mut Vec<(Key, usize)>,
    found: &mut Vec<Vec<(Key, usize)>>,
) {
    for (t, i) in edges.get(at).map(Vec::as_slice).unwrap_or(&[]) {
        if found.len() >= MAX_CYCLES {
            return;
        }
        path.push((at.clone(), *i));
        if t == start {
            found.push(path.clone());
        } else if t > start && !path.iter().any(|(k, _)| k == t) {
            walk(edges, start, t, path, found);
        }
        path.pop();
    }
}
