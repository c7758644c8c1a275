//! The kustomization's built-in transformer fields: namespace, prefixes, labels, annotations, images,
//! replicas and replacements.

use crate::kust::{Gen, Kust};
use crate::{ylist, ymap};

pub fn namespace(g: &mut Gen, k: &mut Kust) {
    let ns = *g.rng.pick(&["shop", "prod", "team-a", "eu-west"]);
    k.set("namespace", ns);
    for r in &mut g.model.resources {
        r.namespace = Some(ns.to_string());
    }
}

/// namePrefix and/or nameSuffix; every resource accumulated so far is renamed.
pub fn name_affixes(g: &mut Gen, k: &mut Kust, level: &str) {
    let prefix = g.rng.chance(60).then(|| format!("{level}-"));
    let suffix = (prefix.is_none() || g.rng.chance(40))
        .then(|| format!("-{}", g.rng.pick(&["v2", "x", "blue"])));
    if let Some(p) = &prefix {
        k.set("namePrefix", p.clone());
    }
    if let Some(s) = &suffix {
        k.set("nameSuffix", s.clone());
    }
    for r in &mut g.model.resources {
        r.name = format!(
            "{}{}{}",
            prefix.as_deref().unwrap_or(""),
            r.name,
            suffix.as_deref().unwrap_or("")
        );
    }
}

pub fn common_labels(g: &mut Gen, k: &mut Kust, level: &str) {
    let mut m = ymap! { "env" => level };
    if g.rng.chance(40) {
        m.set("team", "payments");
    }
    k.set("commonLabels", m);
}

/// The newer `labels` field, with and without selectors and templates.
pub fn labels(g: &mut Gen, k: &mut Kust, level: &str) {
    let mut entry = ymap! { "pairs" => ymap! { "owner" => format!("{level}-team") } };
    match g.rng.below(4) {
        0 => entry.set("includeSelectors", true),
        1 => entry.set("includeTemplates", true),
        2 => entry.set("includeSelectors", false),
        _ => {}
    }
    k.push("labels", entry);
    if g.rng.chance(30) {
        k.push(
            "labels",
            ymap! { "pairs" => ymap! { "cost-center" => "42" }, "includeTemplates" => true },
        );
    }
}

pub fn common_annotations(g: &mut Gen, k: &mut Kust, level: &str) {
    let mut m = ymap! { "owner.example.com/level" => level };
    if g.rng.chance(30) {
        m.set("note", "multi\nline");
    }
    k.set("commonAnnotations", m);
}

pub fn images(g: &mut Gen, k: &mut Kust) {
    let mut names = g.model.image_names();
    names.push("not-used".into());
    for _ in 0..g.rng.range(1, 2) {
        let name = g.rng.pick(&names).clone();
        let mut e = ymap! { "name" => name };
        match g.rng.below(4) {
            0 => e.set("newTag", "1.27"),
            1 => e.set("newName", "mirror.example.com/lib/app"),
            2 => e.set(
                "digest",
                "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3",
            ),
            _ => {
                e.set("newName", "mirror.example.com/app");
                e.set("newTag", "v9");
            }
        }
        k.push("images", e);
    }
}

pub fn replicas(g: &mut Gen, k: &mut Kust) {
    let Some(w) = g.model.workloads.first().cloned() else {
        return;
    };
    let name = if g.rng.chance(70) {
        w.name.clone()
    } else {
        g.model.current_name(w.kind, &w.name)
    };
    k.push(
        "replicas",
        ymap! { "name" => name, "count" => g.rng.range(2, 9) },
    );
}

/// One replacement: a ConfigMap value into a Deployment's env, an image tag, or a name into a ConfigMap.
pub fn replacements(g: &mut Gen, k: &mut Kust) {
    let deployments: Vec<_> = g
        .model
        .workloads
        .iter()
        .filter(|w| w.kind == "Deployment")
        .cloned()
        .collect();
    let cms: Vec<(String, Vec<String>)> = g
        .model
        .config_maps
        .iter()
        .map(|(n, keys)| {
            (
                n.clone(),
                keys.iter()
                    .filter(|k| !k.contains('.'))
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    let replacement = match (deployments.is_empty(), cms.is_empty(), g.rng.below(3)) {
        (false, false, 0 | 1) => {
            let w = g.rng.pick(&deployments).clone();
            let (cm, keys) = g.rng.pick(&cms).clone();
            let key = g.rng.pick(&keys).clone();
            let Some(main) = w.main_container().map(|c| c.name.clone()) else {
                return;
            };
            let (path, options) = if g.rng.chance(60) {
                (
                    format!(
                        "spec.template.spec.containers.[name={main}].env.[name=LOG_LEVEL].value"
                    ),
                    None,
                )
            } else {
                (
                    format!("spec.template.spec.containers.[name={main}].image"),
                    Some(ymap! { "delimiter" => ":", "index" => 1i64 }),
                )
            };
            let mut tgt = ymap! { "select" => ymap! { "kind" => "Deployment", "name" => w.name.clone() }, "fieldPaths" => vec![path] };
            if let Some(o) = options {
                tgt.set("options", o);
            }
            ymap! {
                "source" => ymap! { "kind" => "ConfigMap", "name" => cm, "fieldPath" => format!("data.{key}") },
                "targets" => ylist![tgt],
            }
        }
        (false, _, _) => {
            let w = g.rng.pick(&deployments).clone();
            let mut tgt = ymap! {
                "select" => ymap! { "kind" => "Deployment" },
                "fieldPaths" => vec!["metadata.annotations.source-name"],
                "options" => ymap! { "create" => true },
            };
            if deployments.len() > 1 && g.rng.chance(50) {
                tgt.set("reject", ylist![ymap! { "name" => w.name.clone() }]);
            }
            ymap! {
                "source" => ymap! { "kind" => "Deployment", "name" => w.name.clone(), "fieldPath" => "metadata.name" },
                "targets" => ylist![tgt],
            }
        }
        _ => return,
    };
    if g.rng.chance(30) {
        let file = format!("replacement-{}.yaml", g.next_id());
        let il = g.indent_style();
        g.tree
            .add_yaml(format!("{}/{file}", k.dir), &[replacement], il);
        k.push("replacements", ymap! { "path" => file });
    } else {
        k.push("replacements", replacement);
    }
}

/// `sortOptions` (only meaningful in the kustomization being built).
pub fn sort_options(g: &mut Gen, k: &mut Kust) {
    if g.rng.chance(50) {
        k.set("sortOptions", ymap! { "order" => "fifo" });
    } else {
        k.set(
            "sortOptions",
            ymap! { "order" => "legacy", "legacySortOptions" => ymap! {
                "orderFirst" => vec!["Namespace", "ConfigMap"],
                "orderLast" => vec!["Deployment"],
            } },
        );
    }
}
