//! JSON 6902 patches (add/replace/remove/copy/move/test, with and without `-`) and patch targets.

use crate::kust::{Gen, Kust};
use crate::model::Workload;
use crate::yaml::Y;
use crate::ymap;

/// A `target:` selector: by kind, by name (exact or regex), by label selector, or combinations.
/// `workloads_only` keeps it to Deployments so that workload paths exist in everything selected.
pub fn random_target(g: &mut Gen, workloads_only: bool) -> Y {
    let mut t = Y::Map(Vec::new());
    let kinds: &[&str] = if workloads_only {
        &["Deployment"]
    } else {
        &[
            "Deployment",
            "Service",
            "ConfigMap",
            "Widget",
            "StatefulSet",
        ]
    };
    let kind = *g.rng.pick(kinds);
    let names: Vec<String> = g
        .model
        .of_kind(kind)
        .iter()
        .map(|r| r.orig.clone())
        .collect();
    if workloads_only || g.rng.chance(60) {
        t.set("kind", kind);
        if g.rng.chance(30) {
            t.set(
                "group",
                if kind == "Deployment" || kind == "StatefulSet" {
                    "apps"
                } else {
                    ""
                },
            );
            t.set("version", if kind == "Widget" { "v1alpha1" } else { "v1" });
        }
    }
    match g.rng.below(4) {
        0 if !names.is_empty() => {
            t.set("name", format!("{}.*", &names[0][..2.min(names[0].len())]))
        }
        1 if names.len() > 1 => t.set("name", format!("({}|{})", names[0], names[1])),
        2 => {
            let apps: Vec<String> = g.model.workloads.iter().map(|w| w.name.clone()).collect();
            let sel = match (g.rng.below(3), apps.first()) {
                (0, Some(a)) => format!("app={a}"),
                (1, Some(a)) => format!("app in ({a},shared,gadget)"),
                _ => "tier=backend".to_string(),
            };
            t.set("labelSelector", sel);
        }
        _ => t.set("name", ".*"),
    }
    t
}

/// The ops of one patch on one workload; the model follows along so later ops stay valid.
fn ops(g: &mut Gen, w: &Workload) -> Vec<Y> {
    let c0 = "/spec/template/spec/containers/0";
    let mut out = Vec::new();
    let mut w = w.clone();
    for _ in 0..g.rng.range(1, 4) {
        let first = w.containers[0].clone();
        let op = match g.rng.below(10) {
            0 => {
                ymap! { "op" => "replace", "path" => "/spec/replicas", "value" => g.rng.range(1, 9) }
            }
            1 => {
                w.containers[0].image = "nginx:1.27-alpine".into();
                ymap! { "op" => "replace", "path" => format!("{c0}/image"), "value" => "nginx:1.27-alpine" }
            }
            // `env` may be missing on a sidecar that a patch moved first: only touch a list we know
            2 if !first.env.is_empty() => {
                w.containers[0].env.push("APPENDED".into());
                ymap! { "op" => "add", "path" => format!("{c0}/env/-"), "value" => ymap! { "name" => "APPENDED", "value" => "1" } }
            }
            3 if !first.env.is_empty() => {
                w.containers[0].env.insert(0, "FIRST".into());
                ymap! { "op" => "add", "path" => format!("{c0}/env/0"), "value" => ymap! { "name" => "FIRST", "value" => "0" } }
            }
            4 if w.has_tier => {
                w.has_tier = false;
                ymap! { "op" => "remove", "path" => "/metadata/labels/tier" }
            }
            5 if w.has_tier => {
                w.has_tier = false;
                ymap! { "op" => "move", "from" => "/metadata/labels/tier", "path" => "/metadata/labels/moved-tier" }
            }
            6 => {
                ymap! { "op" => "copy", "from" => "/metadata/labels/app", "path" => "/spec/template/metadata/labels/copied-app" }
            }
            7 => {
                ymap! { "op" => "test", "path" => format!("{c0}/name"), "value" => first.name.clone() }
            }
            8 => {
                ymap! { "op" => "add", "path" => "/metadata/labels/app.kubernetes.io~1part-of", "value" => "shop" }
            }
            9 if first.env.len() > 1 && first.env.last().is_some_and(|e| e != "LOG_LEVEL") => {
                w.containers[0].env.pop();
                ymap! { "op" => "remove", "path" => format!("{c0}/env/{}", first.env.len() - 1) }
            }
            _ => ymap! { "op" => "test", "path" => "/kind", "value" => w.kind },
        };
        out.push(op);
    }
    if let Some(m) = g.model.workload_mut(&w.name) {
        *m = w;
    }
    out
}

/// Ops valid on every Deployment, for kind- or label-wide targets.
fn generic_ops(g: &mut Gen) -> Vec<Y> {
    let mut out = vec![
        ymap! { "op" => "add", "path" => "/metadata/annotations", "value" => ymap! { "json-patched" => "true" } },
    ];
    if g.rng.chance(50) {
        out.push(ymap! { "op" => "replace", "path" => "/spec/replicas", "value" => 7i64 });
    }
    if g.rng.chance(30) {
        out.push(ymap! { "op" => "test", "path" => "/apiVersion", "value" => "apps/v1" });
    }
    out
}

pub fn json_patch(g: &mut Gen, k: &mut Kust) {
    let deployments: Vec<Workload> = g
        .model
        .workloads
        .iter()
        .filter(|w| w.kind == "Deployment")
        .cloned()
        .collect();
    if deployments.is_empty() || g.rng.chance(30) {
        let target = random_target(g, true);
        let ops = generic_ops(g);
        return deliver(g, k, target, ops);
    }
    let w = g.rng.pick(&deployments).clone();
    let name = if g.rng.chance(70) {
        w.name.clone()
    } else {
        g.model.current_name("Deployment", &w.name)
    };
    if g.rng.chance(15) {
        // patchesJson6902 runs after every other patch of the kustomization: keep to ops that do not
        // depend on what those did
        let target =
            ymap! { "group" => "apps", "version" => "v1", "kind" => "Deployment", "name" => name };
        let ops = generic_ops(g);
        return deliver_legacy(g, k, target, ops);
    }
    let mut ops = ops(g, &w);
    if g.break_now(15) {
        ops.push(ymap! { "op" => "test", "path" => "/spec/replicas", "value" => 999i64 });
    }
    deliver(g, k, ymap! { "kind" => "Deployment", "name" => name }, ops);
}

/// Inline as YAML or JSON, or from a `.json` or `.yaml` file.
fn deliver(g: &mut Gen, k: &mut Kust, target: Y, ops: Vec<Y>) {
    let list = Y::List(ops);
    let file = format!("json-{}", g.next_id());
    let il = g.indent_style();
    match g.rng.below(5) {
        0 => k.push(
            "patches",
            ymap! { "target" => target, "patch" => list.to_yaml(il) },
        ),
        1 => k.push(
            "patches",
            ymap! { "target" => target, "patch" => list.to_json() },
        ),
        2 => {
            g.tree.add(format!("{}/{file}.json", k.dir), list.to_json());
            k.push(
                "patches",
                ymap! { "path" => format!("{file}.json"), "target" => target },
            );
        }
        _ => {
            g.tree
                .add_yaml(format!("{}/{file}.yaml", k.dir), &[list], il);
            k.push(
                "patches",
                ymap! { "path" => format!("{file}.yaml"), "target" => target },
            );
        }
    }
}

fn deliver_legacy(g: &mut Gen, k: &mut Kust, target: Y, ops: Vec<Y>) {
    let file = format!("json-{}.yaml", g.next_id());
    let il = g.indent_style();
    g.tree
        .add_yaml(format!("{}/{file}", k.dir), &[Y::List(ops)], il);
    k.push(
        "patchesJson6902",
        ymap! { "target" => target, "path" => file },
    );
}
