//! Environments rendered from the repositories in `fixtures/flux/`, checked the way Flux applies them.

use std::path::PathBuf;

use super::discover::{self, Options};
use super::*;
use crate::yaml::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/flux")
        .join(name)
}

fn load(name: &str, options: &Options) -> Repo {
    let root = fixture(name).canonicalize().expect("fixture");
    let sources = std::sync::Arc::new(crate::source::SourceMap::new());
    let envs = discover::environments_in(&root, &sources).expect("environments");
    discover::load_with(&root, &envs, sources, options).expect("load")
}

fn object<'a>(env: &'a Environment, kind: &str, name: &str) -> &'a Applied {
    env.objects
        .iter()
        .find(|a| a.resource.kind() == kind && a.resource.name() == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {}", dump(env)))
}

fn dump(env: &Environment) -> String {
    let mut s = String::new();
    for (i, u) in env.units.iter().enumerate() {
        s.push_str(&format!(
            "unit {i}: {}/{} path={} skipped={:?}\n",
            u.namespace, u.name, u.path, u.skipped
        ));
    }
    for a in &env.objects {
        s.push_str(&format!("  [{}] {}\n", a.unit, resource_id(&a.resource)));
    }
    for f in &env.failures {
        s.push_str(&format!("  failure unit {}: {}\n", f.unit, f.error.message));
    }
    s
}

#[test]
fn dump_features() {
    let repo = load("features", &Options::default());
    for e in &repo.environments {
        eprintln!("{}", dump(e));
        for a in &e.objects {
            eprintln!(
                "{}",
                crate::yaml::emit::emit_document(&a.resource.node, None)
            );
        }
    }
    let _ = Value::Null;
}

#[test]
fn dump_failures() {
    let repo = load("failures", &Options::default());
    for e in &repo.environments {
        eprintln!("{}", dump(e));
    }
}
