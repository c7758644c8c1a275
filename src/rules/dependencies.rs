//! `dependencies`: the Flux Kustomizations of an environment are applied in a safe order — those the
//! policy names depend on others (apps on infrastructure, directly or through others), every
//! `dependsOn` names an object of the same environment (its namespace defaults to the
//! dependent's), and no dependencies form a cycle. HelmReleases' `dependsOn` (which name other
//! HelmReleases) are held to the same two last promises. See `policies/dependencies.yaml`.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, Obj};
use crate::policy::glob_match;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "dependencies",
    scope: Scope::Env,
    run: check,
};

/// An object's key: (kind, namespace, name).
type Key = (String, String, String);
type Edges = BTreeMap<Key, Vec<(Key, usize)>>;

const KINDS: [(&str, &str, &str); 2] = [
    (
        objects::KUSTOMIZE_GROUP,
        "Kustomization",
        "Flux Kustomization",
    ),
    ("helm.toolkit.fluxcd.io", "HelmRelease", "HelmRelease"),
];

fn key(o: &Obj) -> Key {
    (
        o.kind().to_string(),
        o.namespace().to_string(),
        o.name().to_string(),
    )
}

fn noun(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(_, k, _)| *k == kind)
        .map_or("object", |(_, _, n)| n)
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let all: Vec<Obj> = KINDS
        .iter()
        .flat_map(|(g, k, _)| objects::objects(env, g, &[k]))
        .collect();
    let by_key: BTreeMap<Key, &Obj> = all.iter().map(|o| (key(o), o)).collect();
    let mut out = Vec::new();
    // the dependency graph, over what exists
    let mut edges: Edges = BTreeMap::new();
    for o in &all {
        for (i, dep) in objects::depends_on(*o).iter().enumerate() {
            let target = all
                .iter()
                .find(|t| t.kind() == o.kind() && t.is_named(&dep.name, &dep.namespace));
            match target {
                Some(t) => {
                    let list = edges.entry(key(o)).or_default();
                    if !list.iter().any(|(x, _)| *x == key(t)) {
                        list.push((key(t), i));
                    }
                }
                None => {
                    // the name exists elsewhere: the namespace the entry sets is what is wrong
                    let elsewhere = all
                        .iter()
                        .find(|t| t.kind() == o.kind() && t.name() == dep.name);
                    let (at, help) = match (elsewhere, dep.namespace_node) {
                        (Some(t), Some(ns)) => (
                            ns,
                            format!(
                                "'{}' is in namespace '{}': set that namespace",
                                dep.name,
                                t.namespace()
                            ),
                        ),
                        (Some(t), None) => (
                            dep.node,
                            format!(
                                "'{}' is in namespace '{}': add `namespace: {}` to the entry",
                                dep.name,
                                t.namespace(),
                                t.namespace()
                            ),
                        ),
                        _ => (
                            dep.node,
                            format!(
                                "name a {} of this environment, or remove the entry",
                                noun(o.kind())
                            ),
                        ),
                    };
                    out.push(o.annotate(
                        ctx.diag(format!(
                            "{} '{}' depends on '{}', which is not defined in namespace '{}' of {}",
                            noun(o.kind()), o.name(), dep.name, dep.namespace, env.name
                        ))
                        .at_node(at, format!("no such {}", noun(o.kind())))
                        .help(help),
                    ));
                }
            }
        }
    }
    out.extend(required_order(ctx, &all, &edges));
    out.extend(cycles(ctx, &by_key, &edges));
    out
}

/// `order: [{kustomization: apps, dependsOn: "infra*"}]` (names are globs): each Flux
/// Kustomization matching `kustomization` reaches one matching `dependsOn` through its
/// dependencies, when the environment has one. A direct entry that names a match counts even when
/// the match is missing: that is reported as a missing dependency already.
fn required_order(ctx: &Ctx, all: &[Obj], edges: &Edges) -> Vec<Diagnostic> {
    let rules = ctx
        .policy
        .param("order")
        .and_then(|n| n.as_seq())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let ks: Vec<&Obj> = all.iter().filter(|o| o.kind() == "Kustomization").collect();
    let mut out = Vec::new();
    for r in rules {
        let (Some(from), Some(to)) = (r.str_at(&["kustomization"]), r.str_at(&["dependsOn"]))
        else {
            continue;
        };
        let mut targets: Vec<&str> = ks
            .iter()
            .map(|k| k.name())
            .filter(|n| glob_match(to, n))
            .collect();
        targets.sort_unstable();
        targets.dedup();
        if targets.is_empty() {
            continue;
        }
        for k in ks
            .iter()
            .filter(|k| glob_match(from, k.name()) && !glob_match(to, k.name()))
        {
            let reached = reachable(edges, &key(k))
                .iter()
                .any(|(kind, _, n)| kind == "Kustomization" && glob_match(to, n));
            if reached
                || objects::depends_on(**k)
                    .iter()
                    .any(|d| glob_match(to, &d.name))
            {
                continue;
            }
            let wanted = targets
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(" or ");
            let at = k.get(&["spec", "dependsOn"]).unwrap_or(k.name_node());
            out.push(k.annotate(
                ctx.diag(format!(
                    "Flux Kustomization '{}' does not depend on {wanted}, expected it to be applied after it",
                    k.name()
                ))
                .at_node(at, "missing dependency")
                .help(format!(
                    "add `dependsOn: [{{name: {}}}]` to its spec",
                    last_layer(&ks, &targets, edges)
                )),
            ));
        }
    }
    out
}

/// Of the Kustomizations a dependent must follow, the one that follows most of the others (the
/// last layer of the infrastructure: `infra-configs` after `infra-controllers`).
fn last_layer<'t>(ks: &[&Obj], targets: &[&'t str], edges: &Edges) -> &'t str {
    let follows = |t: &str| {
        ks.iter()
            .filter(|k| k.name() == t)
            .map(|k| {
                reachable(edges, &key(k))
                    .iter()
                    .filter(|(kind, _, n)| kind == "Kustomization" && targets.contains(&n.as_str()))
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    targets
        .iter()
        .copied()
        .max_by_key(|t| (follows(t), std::cmp::Reverse(*t)))
        .unwrap_or("")
}

fn reachable(edges: &Edges, start: &Key) -> BTreeSet<Key> {
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
/// its first member (by kind, namespace, name) that leads into it.
fn cycles(ctx: &Ctx, by_key: &BTreeMap<Key, &Obj>, edges: &Edges) -> Vec<Diagnostic> {
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
        let Some(o) = by_key.get(start) else { continue };
        let names: Vec<&str> = cycle
            .iter()
            .map(|(k, _)| k.2.as_str())
            .chain(std::iter::once(start.2.as_str()))
            .collect();
        let deps = objects::depends_on(**o);
        let at = deps.get(*item).map(|d| d.node).unwrap_or(o.name_node());
        let plural = match o.kind() {
            "Kustomization" => "Flux Kustomizations",
            _ => "HelmReleases",
        };
        out.push(o.annotate(
            ctx.diag(format!(
                "{plural} depend on each other in a cycle: {}",
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

/// Depth-first search for cycles through `start` that visit only objects after it in key order,
/// so that each cycle is found once, from its smallest member. Path items are (node, index of the
/// dependsOn entry taken from it).
fn walk(
    edges: &Edges,
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
