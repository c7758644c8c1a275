//! The tree: a base, an optional env overlay on it, an optional region overlay on that, and components.

use crate::generators::{Behavior, generator, generator_options};
use crate::kust::{Gen, Kust};
use crate::model::{Model, Tree};
use crate::rng::Rng;
use crate::yaml::Y;
use crate::{json6902, patches, resources as res, transformers as tf};

pub fn generate(seed: u64) -> Tree {
    let mut g = Gen {
        rng: Rng::new(seed),
        model: Model::default(),
        tree: Tree::default(),
        broken: false,
        may_break: false,
        counter: 0,
    };
    g.may_break = g.rng.chance(12);
    let depth = match g.rng.below(20) {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    };
    base(&mut g, depth == 0);
    let env = *g.rng.pick(&["dev", "staging", "prod"]);
    let region = *g.rng.pick(&["eu", "us", "ap"]);
    g.tree.build = "base".into();
    if depth >= 1 {
        let dir = format!("overlays/{env}");
        overlay(&mut g, &dir, "../../base", env, depth == 1);
        g.tree.build = dir;
    }
    if depth >= 2 {
        let dir = format!("overlays/{env}-{region}");
        overlay(&mut g, &dir, &format!("../{env}"), region, true);
        g.tree.build = dir;
    }
    g.tree
}

/// The base: workloads and their companions, generators they refer to, maybe a nested directory.
fn base(g: &mut Gen, top: bool) {
    let mut k = Kust::new("base", false);
    let mut docs: Vec<Y> = Vec::new();
    if g.rng.chance(50) {
        docs.push(res::config_map(g));
    }
    if g.rng.chance(40) {
        docs.push(res::secret(g));
    }
    let with_sa = g.rng.chance(50);
    if with_sa {
        docs.push(res::service_account(g));
    }
    if g.rng.chance(40) {
        docs.push(res::pvc(g));
    }
    for _ in 0..g.rng.range(0, 2) {
        generator(g, &mut k, false, Behavior::Create);
    }
    if g.rng.chance(40) {
        generator(g, &mut k, true, Behavior::Create);
    }
    if g.rng.chance(20) {
        generator_options(g, &mut k);
    }
    for _ in 0..g.rng.range(1, 3) {
        let kind = if g.rng.chance(25) {
            "StatefulSet"
        } else {
            "Deployment"
        };
        docs.push(res::workload(g, kind));
    }
    companions(g, &mut docs, with_sa);
    write_resources(g, &mut k, docs);
    if g.rng.chance(15) {
        patches::workload_patch(g, &mut k);
    }
    transformers(g, &mut k, "base", 15);
    if top && g.rng.chance(15) {
        tf::sort_options(g, &mut k);
    }
    k.finish(g);
}

/// Services, an Ingress, an HPA, a RoleBinding and a custom resource around the workloads.
fn companions(g: &mut Gen, docs: &mut Vec<Y>, with_sa: bool) {
    let workloads = g.model.workloads.clone();
    let mut services = Vec::new();
    for w in &workloads {
        if g.rng.chance(80) {
            docs.push(res::service(g, &w.name));
            services.push(w.name.clone());
        }
    }
    if let Some(s) = services.first()
        && g.rng.chance(40)
    {
        docs.push(res::ingress(g, s));
    }
    if let Some(d) = workloads.iter().find(|w| w.kind == "Deployment")
        && g.rng.chance(40)
    {
        docs.push(res::hpa(g, &d.name));
    }
    if with_sa && g.rng.chance(70) {
        let sa = g.model.of_kind("ServiceAccount")[0].orig.clone();
        docs.push(res::role_binding(g, &sa));
    }
    if g.rng.chance(50) {
        docs.push(res::widget(g));
    }
}

/// Spreads documents over files: one per file, a multi-document file, or a nested kustomization.
fn write_resources(g: &mut Gen, k: &mut Kust, mut docs: Vec<Y>) {
    if g.rng.chance(30) {
        g.rng.shuffle(&mut docs);
    }
    let mut multi = Vec::new();
    let mut nested = Vec::new();
    for doc in docs {
        match g.rng.below(10) {
            0..=5 => {
                let file = format!("{}.yaml", file_stem(&doc));
                let il = g.indent_style();
                g.tree.add_yaml(format!("{}/{file}", k.dir), &[doc], il);
                k.push("resources", file);
            }
            6..=8 => multi.push(doc),
            _ => nested.push(doc),
        }
    }
    if !multi.is_empty() {
        let il = g.indent_style();
        g.tree.add_yaml(format!("{}/more.yaml", k.dir), &multi, il);
        k.push("resources", "more.yaml");
    }
    if !nested.is_empty() {
        let il = g.indent_style();
        g.tree
            .add_yaml(format!("{}/nested/all.yaml", k.dir), &nested, il);
        let inner = crate::ymap! { "resources" => vec!["all.yaml"] };
        g.tree.add_yaml(
            format!("{}/nested/kustomization.yaml", k.dir),
            &[inner],
            false,
        );
        k.push("resources", "nested");
    }
}

fn file_stem(doc: &Y) -> String {
    let text = doc.to_yaml(false);
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().trim_matches('"').to_lowercase())
            .unwrap_or_default()
    };
    format!("{}-{}", field("kind:"), field("  name:"))
}

/// An env or region overlay on `parent`.
fn overlay(g: &mut Gen, dir: &str, parent: &str, level: &str, top: bool) {
    let mut k = Kust::new(dir, false);
    k.push("resources", parent);
    if g.break_now(10) {
        k.push("resources", "missing.yaml");
    }
    if g.rng.chance(30) {
        let doc = if g.rng.chance(50) {
            res::config_map(g)
        } else {
            res::widget(g)
        };
        write_resources(g, &mut k, vec![doc]);
    }
    if g.rng.chance(55) {
        let behavior = *g.rng.pick(&[
            Behavior::Create,
            Behavior::Merge,
            Behavior::Merge,
            Behavior::Replace,
        ]);
        generator(g, &mut k, false, behavior);
    }
    if g.rng.chance(30) {
        let behavior = *g
            .rng
            .pick(&[Behavior::Create, Behavior::Merge, Behavior::Replace]);
        generator(g, &mut k, true, behavior);
    }
    if g.rng.chance(15) {
        generator_options(g, &mut k);
    }
    // kustomize applies components after this kustomization's generators, before its transformers
    if g.rng.chance(40) {
        component(g, &mut k, level);
    }
    for _ in 0..g.rng.range(0, 4) {
        random_patch(g, &mut k);
    }
    if g.break_now(15) {
        patches::broken_patch(g, &mut k);
    }
    transformers(g, &mut k, level, 35);
    if top && g.rng.chance(10) {
        tf::sort_options(g, &mut k);
    }
    k.finish(g);
}

fn random_patch(g: &mut Gen, k: &mut Kust) {
    match g.rng.below(8) {
        0..=2 => patches::workload_patch(g, k),
        3 => patches::other_patch(g, k),
        4 => patches::targeted_patch(g, k),
        _ => json6902::json_patch(g, k),
    }
}

/// A `kind: Component` used by this overlay: a resource, a generator merge, a patch, labels.
fn component(g: &mut Gen, k: &mut Kust, level: &str) {
    let name = g.model.fresh(&format!("{level}-extras"));
    let mut c = Kust::new(&format!("components/{name}"), true);
    if g.rng.chance(50) {
        let doc = if g.rng.chance(50) {
            res::widget(g)
        } else {
            res::config_map(g)
        };
        write_resources(g, &mut c, vec![doc]);
    }
    if g.rng.chance(50) {
        generator(g, &mut c, false, Behavior::Merge);
    }
    if g.rng.chance(60) {
        random_patch(g, &mut c);
    }
    if g.rng.chance(30) {
        tf::labels(g, &mut c, level);
    }
    if g.rng.chance(20) {
        tf::common_annotations(g, &mut c, level);
    }
    if g.rng.chance(15) {
        tf::images(g, &mut c);
    }
    if c.fields_len() <= 2 {
        tf::labels(g, &mut c, level);
    }
    c.finish(g);
    k.push("components", format!("../../components/{name}"));
}

/// Transformer fields, each with probability `percent`.
fn transformers(g: &mut Gen, k: &mut Kust, level: &str, percent: u32) {
    if g.rng.chance(percent) {
        tf::namespace(g, k);
    }
    if g.rng.chance(percent) {
        tf::name_affixes(g, k, level);
    }
    if g.rng.chance(percent) {
        tf::common_labels(g, k, level);
    }
    if g.rng.chance(percent) {
        tf::labels(g, k, level);
    }
    if g.rng.chance(percent) {
        tf::common_annotations(g, k, level);
    }
    if g.rng.chance(percent) {
        tf::images(g, k);
    }
    if g.rng.chance(percent * 2 / 3) {
        tf::replicas(g, k);
    }
    if g.rng.chance(percent * 2 / 3) {
        tf::replacements(g, k);
    }
}
