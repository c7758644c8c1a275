//! ExternalArtifacts followed through the renderer: repositories written here, rendered as Flux
//! would apply them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::flux::discover::{self, Options};
use crate::flux::{Environment, Repo, SourceMapping};
use crate::source::SourceMap;

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(name: &str, files: &[(&str, &str)]) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("fluxlint-artifacts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (p, text) in files {
        let p = dir.join(p);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    Scratch(dir)
}

fn load(dir: &Path, options: &Options) -> Repo {
    let root = dir.canonicalize().expect("root");
    let sources = Arc::new(SourceMap::new());
    let envs = discover::environments_in(&root, &sources).expect("environments");
    discover::load_with(&root, &envs, sources, options).expect("load")
}

fn dump(env: &Environment) -> String {
    let mut s = String::new();
    for u in &env.units {
        s.push_str(&format!(
            "unit {}: path={} skipped={:?}\n",
            u.name, u.path, u.skipped
        ));
    }
    for f in &env.failures {
        s.push_str(&format!(
            "failure {}: {}\n",
            env.units[f.unit].name, f.error.message
        ));
    }
    s
}

const SYNC: &str = r#"apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: https://github.com/example/fleet
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/prod
  sourceRef:
    kind: GitRepository
    name: flux-system
"#;

const APPS: &str = r#"apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./prod
  sourceRef:
    kind: ExternalArtifact
    name: apps
"#;

const BASE: &str = "resources:\n  - cm.yaml\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  level: info\n";
const OVERLAY: &str = "resources:\n  - ../base\npatches:\n  - path: level.yaml\n";
const LEVEL: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  level: warn\n";

fn generator(sources: &str, copy: &str) -> String {
    format!(
        "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: gen\n  namespace: flux-system\nspec:\n  sources:\n{sources}  artifacts:\n    - name: apps\n      copy:\n{copy}"
    )
}

const FLEET: &str = "    - alias: fleet\n      kind: GitRepository\n      name: flux-system\n";
const COPY: &str = "        - from: \"@fleet/deploy/base/**\"\n          to: \"@artifact/base/\"\n        - from: \"@fleet/deploy/envs/prod/**\"\n          to: \"@artifact/prod/\"\n";

fn repo_files(generator_yaml: &str) -> Vec<(&'static str, String)> {
    vec![
        ("clusters/prod/flux-system/gotk-sync.yaml", SYNC.to_string()),
        ("clusters/prod/apps.yaml", APPS.to_string()),
        ("clusters/prod/artifacts.yaml", generator_yaml.to_string()),
        ("deploy/base/kustomization.yaml", BASE.to_string()),
        ("deploy/base/cm.yaml", CM.to_string()),
        ("deploy/envs/prod/kustomization.yaml", OVERLAY.to_string()),
        ("deploy/envs/prod/level.yaml", LEVEL.to_string()),
    ]
}

fn scratch(name: &str, files: &[(&str, String)]) -> Scratch {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    write(name, &refs)
}

fn level_file(repo: &Repo, env: &Environment) -> Option<(String, String)> {
    let cm = env
        .objects
        .iter()
        .find(|a| a.resource.kind() == "ConfigMap" && a.resource.name() == "settings")?;
    let n = cm.resource.node.get_path(&["data", "level"])?;
    let file = repo.sources.get(n.origin.span.file)?.display.clone();
    Some((n.as_str()?.to_string(), file))
}

#[test]
fn a_kustomization_renders_inside_the_artifact_with_files_named_as_in_git() {
    let s = scratch("render", &repo_files(&generator(FLEET, COPY)));
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    assert!(env.failures.is_empty(), "{}", dump(env));
    let unit = env
        .units
        .iter()
        .find(|u| u.name == "apps")
        .expect("apps unit");
    assert!(unit.skipped.is_none(), "{}", dump(env));
    assert!(
        unit.dir.as_ref().is_some_and(|d| !d.is_absolute()),
        "a path in the artifact"
    );
    let gen_index = unit.source.expect("source");
    assert_eq!(env.objects[gen_index].resource.kind(), "ArtifactGenerator");
    assert_eq!(
        level_file(&repo, env),
        Some(("warn".into(), "deploy/envs/prod/level.yaml".into()))
    );
}

#[test]
fn an_alias_on_another_repository_is_not_checked_unless_mapped() {
    let other = "    - alias: fleet\n      kind: GitRepository\n      name: other\n";
    let mut files = repo_files(&generator(other, COPY));
    files.push((
        "clusters/prod/other.yaml",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: other\n  namespace: flux-system\nspec:\n  url: https://github.com/example/other\n".into(),
    ));
    let s = scratch("foreign", &files);
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    let unit = env.units.iter().find(|u| u.name == "apps").expect("apps");
    let why = unit.skipped.as_deref().unwrap_or_default();
    assert!(
        why.starts_with("ExternalArtifact flux-system/apps copies from alias 'fleet': source GitRepository/flux-system/other"),
        "{}",
        dump(env)
    );
    // mapped to a checkout (here: this very repository), it renders from there
    let mapping = SourceMapping::parse(&format!("other={}", s.0.display())).expect("mapping");
    let repo = load(
        &s.0,
        &Options {
            sources: vec![mapping],
            ..Options::default()
        },
    );
    let env = &repo.environments[0];
    assert!(env.failures.is_empty(), "{}", dump(env));
    let unit = env.units.iter().find(|u| u.name == "apps").expect("apps");
    assert_eq!(unit.mapped.as_deref(), Some("other"));
    let (value, file) = level_file(&repo, env).expect("rendered");
    assert_eq!(value, "warn");
    assert!(file.ends_with("deploy/envs/prod/level.yaml"), "{file}");
}

#[test]
fn an_artifact_can_copy_from_another_and_not_from_itself() {
    let everything = "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: all\n  namespace: flux-system\nspec:\n  sources:\n    - alias: fleet\n      kind: GitRepository\n      name: flux-system\n  artifacts:\n    - name: everything\n      copy:\n        - from: \"@fleet/deploy/**\"\n          to: \"@artifact/\"\n";
    let apps = "    - alias: all\n      kind: ExternalArtifact\n      name: everything\n";
    let copy = "        - from: \"@all/base/**\"\n          to: \"@artifact/base/\"\n        - from: \"@all/envs/prod\"\n          to: \"@artifact/\"\n";
    let mut files = repo_files(&generator(apps, copy));
    files.push(("clusters/prod/everything.yaml", everything.to_string()));
    let s = scratch("chained", &files);
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    assert!(env.failures.is_empty(), "{}", dump(env));
    assert_eq!(
        level_file(&repo, env),
        Some(("warn".into(), "deploy/envs/prod/level.yaml".into()))
    );
    // a generator reading what it produces never gets its first source: a cycle
    let own = "    - alias: fleet\n      kind: GitRepository\n      name: flux-system\n    - alias: all\n      kind: ExternalArtifact\n      name: apps\n";
    let s = scratch("cycle", &repo_files(&generator(own, COPY)));
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    let msg = env
        .failures
        .first()
        .map(|f| f.error.message.clone())
        .unwrap_or_default();
    assert_eq!(
        msg,
        "ExternalArtifact flux-system/apps copies from itself (a cycle)",
        "{}",
        dump(env)
    );
}

#[test]
fn a_generator_applied_later_is_waited_for() {
    let mut files = repo_files(&generator(FLEET, COPY));
    // the generator comes with the infrastructure, a Kustomization rendered after apps is met
    let (_, g) = files.remove(2);
    files.push(("infra/artifacts.yaml", g));
    files.push((
        "clusters/prod/infra.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: infra\n  namespace: flux-system\nspec:\n  path: ./infra\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n".into(),
    ));
    let s = scratch("later", &files);
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    assert!(env.failures.is_empty(), "{}", dump(env));
    assert!(level_file(&repo, env).is_some(), "{}", dump(env));
}

#[test]
fn what_no_generator_declares_is_not_defined() {
    let mut files = repo_files(&generator(FLEET, COPY));
    files.remove(2);
    let s = scratch("undeclared", &files);
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    let msg = env
        .failures
        .first()
        .map(|f| f.error.message.clone())
        .unwrap_or_default();
    assert_eq!(
        msg,
        "source ExternalArtifact/flux-system/apps is not defined in environment prod"
    );
}

#[test]
fn invalid_generators_fail_at_the_field() {
    let dup = "    - alias: fleet\n      kind: GitRepository\n      name: flux-system\n    - alias: fleet\n      kind: OCIRepository\n      name: other\n";
    let s = scratch("dup", &repo_files(&generator(dup, COPY)));
    let repo = load(&s.0, &Options::default());
    let env = &repo.environments[0];
    let f = env.failures.first().expect("failure");
    assert_eq!(f.error.message, "duplicate source alias 'fleet'");
    let span = f.error.span.expect("span");
    let file = repo.sources.get(span.file).expect("file");
    assert_eq!(file.display, "clusters/prod/artifacts.yaml");
    assert_eq!(&file.text[span.start as usize..span.end as usize], "fleet");
    assert_eq!(file.line_col(span.start).0, 11);

    let bad_kind = "    - alias: fleet\n      kind: HelmRepository\n      name: flux-system\n";
    let s = scratch("kind", &repo_files(&generator(bad_kind, COPY)));
    let repo = load(&s.0, &Options::default());
    let msg = repo.environments[0]
        .failures
        .first()
        .map(|f| f.error.message.clone());
    assert!(msg.is_some_and(|m| m.starts_with("source alias 'fleet' has kind 'HelmRepository'")));
}
