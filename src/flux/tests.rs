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

/// The file (as displayed) a node's value was last set in.
fn file_of(repo: &Repo, n: &crate::yaml::Node) -> String {
    repo.sources
        .get(n.origin.span.file)
        .map(|f| f.display.clone())
        .unwrap_or_default()
}

fn at<'a>(a: &'a Applied, path: &[&str]) -> &'a crate::yaml::Node {
    a.resource
        .node
        .get_path(path)
        .unwrap_or_else(|| panic!("no {path:?} in {}", resource_id(&a.resource)))
}

#[test]
fn renders_a_path_as_the_kustomize_controller_does() {
    let repo = load("features", &Options::default());
    let env = &repo.environments[0];
    assert!(env.failures.is_empty(), "{}", dump(env));
    let d = object(env, "Deployment", "dev-web");
    // targetNamespace and namePrefix, set by the Flux Kustomization
    assert_eq!(d.resource.namespace(), "web-dev");
    assert_eq!(
        file_of(&repo, at(d, &["metadata", "namespace"])),
        "clusters/dev/apps.yaml"
    );
    assert_eq!(
        file_of(&repo, at(d, &["metadata", "name"])),
        "clusters/dev/apps.yaml"
    );
    // images, patches with targets (strategic merge and JSON 6902)
    let c = &at(d, &["spec", "template", "spec", "containers"])
        .as_seq()
        .expect("list")[0];
    assert_eq!(c.str_at(&["image"]), Some("nginx:1.27"));
    assert_eq!(
        file_of(&repo, c.get("image").expect("image")),
        "clusters/dev/apps.yaml"
    );
    assert_eq!(
        at(d, &["metadata", "labels", "patched"]).as_str(),
        Some("yes")
    );
    let svc = object(env, "Service", "dev-web");
    assert_eq!(
        at(svc, &["spec", "ports"]).as_seq().expect("ports")[0]
            .get("port")
            .and_then(|n| n.as_i64()),
        Some(8080)
    );
    // commonMetadata: top-level metadata only, never selectors
    assert_eq!(at(d, &["metadata", "labels", "team"]).as_str(), Some("web"));
    assert_eq!(
        file_of(&repo, at(d, &["metadata", "labels", "team"])),
        "clusters/dev/apps.yaml"
    );
    assert_eq!(
        at(d, &["metadata", "annotations", "owner"]).as_str(),
        Some("web-team")
    );
    assert!(
        d.resource
            .node
            .get_path(&["spec", "selector", "matchLabels", "team"])
            .is_none()
    );
    // components relative to the path; the generator lists sub-directories with a kustomization
    // and skips what is not YAML or what the source-controller leaves out
    object(env, "ConfigMap", "dev-extra");
    object(env, "ConfigMap", "dev-sub");
    assert_eq!(
        env.objects.iter().filter(|a| a.unit == 1).count(),
        5,
        "{}",
        dump(env)
    );
    // the flux-system Kustomization applies the cluster directory with its own commonMetadata
    let cm = object(env, "ConfigMap", "cluster-vars");
    assert_eq!(cm.unit, 0);
    assert_eq!(
        at(cm, &["metadata", "labels", "toolkit.fluxcd.io/tenant"]).as_str(),
        Some("platform")
    );
}

#[test]
fn substitutes_variables_as_flux_does() {
    let repo = load("features", &Options::default());
    let env = &repo.environments[0];
    let d = object(env, "Deployment", "dev-web");
    let replicas = at(d, &["spec", "replicas"]);
    assert_eq!(replicas.value, Value::Int(3));
    assert_eq!(file_of(&repo, replicas), "clusters/dev/vars.yaml");
    assert!(
        replicas.origin.prev.is_some(),
        "remembers the ${{REPLICAS}} it replaced"
    );
    assert_eq!(
        at(d, &["spec", "selector", "matchLabels", "app"]).as_str(),
        Some("web")
    );
    assert_eq!(
        file_of(&repo, at(d, &["spec", "selector", "matchLabels", "app"])),
        "clusters/dev/apps.yaml"
    );
    let env_vars = at(d, &["spec", "template", "spec", "containers"])
        .as_seq()
        .expect("list")[0]
        .get("env")
        .and_then(|e| e.as_seq())
        .expect("env")
        .clone();
    let value = |name: &str| {
        env_vars
            .iter()
            .find(|e| e.str_at(&["name"]) == Some(name))
            .and_then(|e| e.get("value"))
            .map(|v| v.value.clone())
    };
    assert_eq!(value("REGION"), Some(Value::Str("eu-west-1".into())));
    // kustomize prints "${REPLICAS}" without quotes, so Flux reads back a number
    assert_eq!(value("QUOTED"), Some(Value::Int(3)));
    assert_eq!(value("DEFAULTED"), Some(Value::Str("frontend".into())));
    assert_eq!(value("LITERAL"), Some(Value::Str("${NOT_A_VAR}".into())));
    // the optional Secret is not in git: it may define any variable at run time, so one
    // without a value is left as written (not emptied, not reported)
    assert_eq!(
        value("MISSING"),
        Some(Value::Str("${UNDEFINED_VAR}".into()))
    );
    assert!(env.undefined_vars.is_empty(), "{:?}", env.undefined_vars);
    let kept = env.unresolved.first().expect("kept value");
    assert_eq!(
        repo.sources
            .get(kept.file)
            .map(|f| f.display.clone())
            .as_deref(),
        Some("apps/web/deployment.yaml")
    );
    assert!(
        env.notes.iter().any(|n| n
            .message
            .contains("Secret/flux-system/missing-secret (optional)")),
        "{:?}",
        env.notes
    );
    // opted out
    let script = object(env, "ConfigMap", "dev-script");
    assert_eq!(
        at(script, &["data", "run.sh"]).as_str(),
        Some("echo ${REPLICAS}")
    );
}

#[test]
fn reads_sources_as_flux_does() {
    let repo = load("features", &Options::default());
    let env = &repo.environments[0];
    let root = env.root_kustomization().expect("root");
    assert_eq!(root.resource.name(), "flux-system");
    assert_eq!(env.units[0].object, env.root);
    let feeding = env.feeding_source().expect("feeding");
    assert_eq!(feeding.resource.kind(), "GitRepository");
    assert_eq!(
        FluxSource(&feeding.resource)
            .effective()
            .map(|e| (e.kind, e.value)),
        Some((kinds::RefKind::Branch, "main".to_string()))
    );
    let names: Vec<&str> = env
        .feeding_sources()
        .iter()
        .map(|a| a.resource.name())
        .collect();
    assert_eq!(names, vec!["flux-system", "podinfo", "fleet-mirror"]);
    // another source: not checked, with the reason
    let podinfo = env
        .units
        .iter()
        .find(|u| u.name == "podinfo")
        .expect("unit");
    assert!(
        podinfo
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("--source podinfo=DIR"))
    );
    // another GitRepository of the same repository reads this repository
    let mirror = env.units.iter().find(|u| u.name == "mirror").expect("unit");
    assert!(mirror.skipped.is_none());
    object(env, "ConfigMap", "mirrored");
    // typed accessors
    let apps = FluxKustomization::new(&object(env, "Kustomization", "apps").resource).expect("ks");
    assert_eq!(apps.prune_node().and_then(Node::as_bool), Some(true));
    assert!(!apps.suspend());
    assert_eq!(
        apps.source_ref().map(|r| r.display()).as_deref(),
        Some("GitRepository/flux-system/flux-system")
    );
    assert!(apps.depends_on().is_empty());
    assert_eq!(apps.path(), "./apps/web");
}

#[test]
fn maps_a_source_to_a_local_checkout() {
    let dir = fixture("podinfo-src");
    let mapping =
        SourceMapping::parse(&format!("flux-system/podinfo={}", dir.display())).expect("mapping");
    let repo = load(
        "features",
        &Options {
            sources: vec![mapping],
            ..Options::default()
        },
    );
    let env = &repo.environments[0];
    let unit = env
        .units
        .iter()
        .position(|u| u.name == "podinfo")
        .expect("unit");
    assert!(env.units[unit].skipped.is_none(), "{}", dump(env));
    assert_eq!(
        env.units[unit].mapped.as_deref(),
        Some("flux-system/podinfo")
    );
    let d = object(env, "Deployment", "podinfo");
    assert_eq!(d.unit, unit);
    let file = file_of(&repo, at(d, &["spec", "replicas"]));
    assert!(
        file.ends_with("podinfo-src/kustomize/deployment.yaml"),
        "{file}"
    );
}

#[test]
fn failures_are_data() {
    let repo = load("failures", &Options::default());
    let env = &repo.environments[0];
    let codes: Vec<(&str, &str)> = env
        .failures
        .iter()
        .map(|f| (env.units[f.unit].name.as_str(), f.error.code))
        .collect();
    for want in [
        ("escape", "path-escape"),
        ("values", "flux-generate"),
        ("loop-b", "flux-cycle"),
        ("loop-b", "flux-duplicate"),
        ("orphan", "flux-source"),
        ("vars", "postbuild"),
    ] {
        assert!(codes.contains(&want), "{want:?} not in {codes:?}");
    }
    assert!(
        env.failures.iter().all(|f| f.error.span.is_some()),
        "{}",
        dump(env)
    );
    // one object per Kustomization name
    let loops = env
        .objects
        .iter()
        .filter(|a| a.resource.name() == "loop-a")
        .count();
    assert_eq!(loops, 1);
}

#[test]
fn environments_from_fluxlint_yaml() {
    let repo = load("config", &Options::default());
    assert_eq!(repo.environments.len(), 1);
    let env = &repo.environments[0];
    assert_eq!(env.name, "production");
    assert!(env.is_named("prod"));
    assert_eq!(env.cluster_display, "clusters/prod");
    object(env, "ConfigMap", "app");
}

#[test]
fn the_same_at_any_thread_count() {
    let render = |threads: usize| -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            let mut out = String::new();
            for name in ["features", "failures"] {
                let repo = load(name, &Options::default());
                for env in &repo.environments {
                    out.push_str(&dump(env));
                    for a in &env.objects {
                        out.push_str(&crate::yaml::emit::emit_document(&a.resource.node, None));
                    }
                    for u in &env.undefined_vars {
                        out.push_str(&format!("{} {}\n", u.name, u.resource));
                    }
                }
            }
            out
        })
    };
    assert_eq!(render(1), render(4));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// The example repo with an `ok` case laid over it, rendered.
fn example_with(case: &str) -> (Repo, PathBuf) {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir = std::env::temp_dir().join(format!("fluxlint-flux-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&base.join("example"), &dir);
    copy_dir(&base.join("ok").join(case), &dir);
    let root = dir.canonicalize().expect("root");
    let sources = std::sync::Arc::new(crate::source::SourceMap::new());
    let envs = discover::environments_in(&root, &sources).expect("environments");
    let repo = discover::load_with(&root, &envs, sources, &Options::default()).expect("load");
    (repo, dir)
}

#[test]
fn ok_cases_render_as_flux_would() {
    let (repo, dir) = example_with("flux-postbuild-replicas");
    let prod = repo
        .environments
        .iter()
        .find(|e| e.name == "production")
        .expect("prod");
    let web = object(prod, "Deployment", "web");
    assert_eq!(at(web, &["spec", "replicas"]).value, Value::Int(3));
    assert_eq!(
        file_of(&repo, at(web, &["spec", "replicas"])),
        "clusters/production/apps.yaml"
    );
    let _ = std::fs::remove_dir_all(dir);

    let (repo, dir) = example_with("flux-target-namespace");
    let dev = repo
        .environments
        .iter()
        .find(|e| e.name == "dev")
        .expect("dev");
    let web = object(dev, "Deployment", "web");
    assert_eq!(web.resource.namespace(), "shop");
    assert_eq!(
        file_of(&repo, at(web, &["metadata", "namespace"])),
        "clusters/dev/apps.yaml"
    );
    assert_eq!(
        at(web, &["metadata", "labels", "app.kubernetes.io/managed-by"]).as_str(),
        Some("flux")
    );
    let _ = std::fs::remove_dir_all(dir);

    // production's apps read through an ExternalArtifact: named by their files in git
    let (repo, dir) = example_with("artifact-generator-apps");
    let prod = repo
        .environments
        .iter()
        .find(|e| e.name == "production")
        .expect("prod");
    let web = object(prod, "Deployment", "web");
    assert_eq!(at(web, &["spec", "replicas"]).value, Value::Int(3));
    assert_eq!(
        file_of(&repo, at(web, &["spec", "replicas"])),
        "apps/overlays/production/web-patch.yaml"
    );
    assert_eq!(
        file_of(&repo, at(web, &["spec", "selector"])),
        "apps/base/web/deployment.yaml"
    );
    let _ = std::fs::remove_dir_all(dir);

    let (repo, dir) = example_with("flux-config-aliases");
    let names: Vec<&str> = repo.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["dev", "staging", "production"]);
    assert!(repo.environments[2].is_named("prod"));
    let _ = std::fs::remove_dir_all(dir);
}
