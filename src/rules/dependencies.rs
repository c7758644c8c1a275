//! `dependencies`: the Flux Kustomizations of an environment are applied in a safe order — those the
//! policy names depend on others (apps on infrastructure, directly or through others), every
//! `dependsOn` names an object of the same environment (its namespace defaults to the
//! dependent's), and no dependencies form a cycle. HelmReleases' `dependsOn` (which name other
//! HelmReleases) are held to the same two last promises. See `policies/dependencies.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, DepGraph, Obj};
use crate::policy::glob_match;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "dependencies",
    scope: Scope::Env,
    resources: true,
    run: check,
};

fn noun(kind: &str) -> &'static str {
    match kind {
        "Kustomization" => "Flux Kustomization",
        _ => "HelmRelease",
    }
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let g = DepGraph::of(env);
    let mut out = Vec::new();
    for (o, dep) in &g.missing {
        let what = noun(o.kind());
        // the name exists in another namespace: the namespace is what is wrong
        let elsewhere = g
            .nodes
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
                dep.name_node,
                format!(
                    "'{}' is in namespace '{}': add `namespace: {}` to the entry",
                    dep.name,
                    t.namespace(),
                    t.namespace()
                ),
            ),
            _ => (
                dep.name_node,
                format!("name a {what} of this environment, or remove the entry"),
            ),
        };
        out.push(
            o.annotate(
                ctx.diag(format!(
                    "{what} '{}' depends on '{}', which is not defined in namespace '{}' of {}",
                    o.name(),
                    dep.name,
                    dep.namespace,
                    env.name
                ))
                .at_node(at, format!("no such {what}"))
                .help(help),
            ),
        );
    }
    out.extend(required_order(ctx, &g));
    out.extend(cycles(ctx, &g));
    out
}

/// `order: [{kustomization: apps, dependsOn: "infra*"}]` (names are globs): each Flux
/// Kustomization matching `kustomization` reaches one matching `dependsOn` through its
/// dependencies, when the environment has one. A direct entry that names a match counts even when
/// the match is missing: that is reported as a missing dependency already.
fn required_order(ctx: &Ctx, g: &DepGraph) -> Vec<Diagnostic> {
    let rules = ctx
        .policy
        .param("order")
        .and_then(|n| n.as_seq())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let ks: Vec<&Obj> = g
        .nodes
        .iter()
        .filter(|o| o.kind() == "Kustomization")
        .collect();
    let reaches = |k: &Obj, to: &str| {
        g.reachable(&objects::deps::key(k))
            .iter()
            .filter(|(kind, _, n)| kind == "Kustomization" && glob_match(to, n))
            .count()
    };
    let mut out = Vec::new();
    for r in rules {
        let (Some(from), Some(to)) = (r.str_at(&["kustomization"]), r.str_at(&["dependsOn"]))
        else {
            continue;
        };
        let mut targets: Vec<&Obj> = ks
            .iter()
            .copied()
            .filter(|k| glob_match(to, k.name()))
            .collect();
        if targets.is_empty() {
            continue;
        }
        targets.sort_by_key(|k| k.name());
        for k in ks
            .iter()
            .filter(|k| glob_match(from, k.name()) && !glob_match(to, k.name()))
        {
            let named = objects::depends_on(k.resource())
                .iter()
                .any(|d| glob_match(to, &d.name));
            if named || reaches(k, to) > 0 {
                continue;
            }
            // a Kustomization reading another repository is not one of this repository's layers
            if from_elsewhere(k) {
                continue;
            }
            // an aggregator: it applies only Flux Kustomizations, and the repository orders
            // them one by one (some of them depend on the layer themselves)
            let children = applied_kustomizations(k);
            if children.as_ref().is_some_and(|c| {
                c.iter().any(|ch| {
                    objects::depends_on(ch.resource())
                        .iter()
                        .any(|d| glob_match(to, &d.name))
                        || reaches(ch, to) > 0
                })
            }) {
                continue;
            }
            let mut wanted: Vec<String> =
                targets.iter().map(|t| format!("'{}'", t.name())).collect();
            wanted.dedup();
            // suggest the last layer: the match that itself follows most of the others
            let last = targets
                .iter()
                .max_by_key(|t| (reaches(t, to), std::cmp::Reverse(t.name())))
                .map_or(to, |t| t.name());
            let at = k.get(&["spec", "dependsOn"]).unwrap_or(k.name_node());
            out.push(k.annotate(
                ctx.diag(format!(
                    "Flux Kustomization '{}' does not depend on {}, expected it to be applied after it",
                    k.name(),
                    wanted.join(" or ")
                ))
                .at_node(at, "missing dependency")
                .help(format!("add `dependsOn: [{{name: {last}}}]` to its spec")),
            ));
        }
    }
    out
}

/// The Flux Kustomizations `k` applies, when it applies no workload (Deployment, HelmRelease, …)
/// beside them: `None` when it does, or when its unit is unknown.
fn applied_kustomizations<'a>(k: &Obj<'a>) -> Option<Vec<Obj<'a>>> {
    let env = k.env;
    let unit = env.units.iter().position(|u| {
        u.object
            .is_some_and(|i| std::ptr::eq(&env.objects[i], k.applied))
    })?;
    let mut out = Vec::new();
    for a in env.objects.iter().filter(|a| a.unit == unit) {
        match a.resource.kind() {
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "HelmRelease" => {
                return None;
            }
            _ if crate::flux::kinds::is_flux_kustomization(&a.resource) => {
                out.push(Obj { env, applied: a })
            }
            _ => {}
        }
    }
    Some(out)
}

/// Is `k` a Flux Kustomization whose path fluxlint did not read from this repository (its source is
/// another repository)?
fn from_elsewhere(k: &Obj) -> bool {
    let env = k.env;
    env.units.iter().any(|u| {
        u.skipped.is_some()
            && u.source_id.is_some()
            && u.object
                .is_some_and(|i| std::ptr::eq(&env.objects[i], k.applied))
    })
}

/// Each cycle once, at the `dependsOn` entry of its first member that leads into it.
fn cycles(ctx: &Ctx, g: &DepGraph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for cycle in g.cycles() {
        let Some((start, item)) = cycle.first() else {
            continue;
        };
        let Some(o) = g.get(start) else { continue };
        let names: Vec<&str> = cycle
            .iter()
            .map(|(k, _)| k.2.as_str())
            .chain(std::iter::once(start.2.as_str()))
            .collect();
        let deps = objects::depends_on(o.resource());
        let at = deps
            .get(*item)
            .map(|d| d.name_node)
            .unwrap_or(o.name_node());
        out.push(o.annotate(
            ctx.diag(format!(
                "{}s depend on each other in a cycle: {}",
                noun(o.kind()),
                names.join(" → ")
            ))
            .at_node(at, "closes a cycle")
            .help("remove one dependsOn entry of the cycle; Flux applies none of them until it is broken"),
        ));
    }
    out
}
