//! `fluxlint check` through the binary: exit codes, formats, scoping and determinism.

mod toolkit;

use std::process::Output;

use toolkit::{Example as Broken, fluxlint, project};

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn the_example_repo_passes() {
    let example = project().join("fixtures/example");
    let o = fluxlint(&["check", &example.to_string_lossy()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 errors, 0 warnings"));
}

#[test]
fn findings_exit_one_and_json_names_file_line_column() {
    let repo = Broken::with("json", &["replicas/dev-json6902"]);
    let o = fluxlint(&["check", &repo.path(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "replicas");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["environment"], "dev");
    assert_eq!(d["resource"], "apps/v1/Deployment/shop/web");
    assert_eq!(d["file"], "apps/overlays/dev/kustomization.yaml");
    assert!(d["line"].as_u64().is_some_and(|l| l > 0));
    assert!(d["column"].as_u64().is_some_and(|c| c > 0));
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["environments"], 3);
}

#[test]
fn a_cluster_path_checks_that_environment_only() {
    let repo = Broken::with(
        "scope",
        &["replicas/dev-json6902", "replicas/prod-patch-two"],
    );
    let all = json(&fluxlint(&["check", &repo.path(), "--format", "json"]));
    let envs: Vec<&str> = all["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["environment"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        envs.contains(&"dev") && envs.contains(&"production"),
        "{envs:?}"
    );
    let prod = format!("{}/clusters/production", repo.path());
    let only = json(&fluxlint(&["check", &prod, "--format", "json"]));
    assert_eq!(only["summary"]["environments"], 1);
    assert!(
        only["diagnostics"]
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|d| d["environment"] == "production"))
    );
    let env = json(&fluxlint(&[
        "check",
        &repo.path(),
        "--env",
        "dev",
        "--format",
        "json",
    ]));
    assert!(
        env["diagnostics"]
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|d| d["environment"] == "dev"))
    );
}

#[test]
fn fail_on_decides_the_exit_code() {
    let repo = Broken::with("fail-on", &["replicas/dev-json6902"]);
    assert_eq!(
        fluxlint(&["check", &repo.path(), "--fail-on", "error"])
            .status
            .code(),
        Some(1)
    );
    let example = project().join("fixtures/example");
    assert_eq!(
        fluxlint(&["check", &example.to_string_lossy(), "--fail-on", "info"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn output_is_the_same_at_any_thread_count() {
    let repo = Broken::with(
        "jobs",
        &[
            "replicas/dev-json6902",
            "resource-quota/prod-scale-up-over",
            "alerts/production-no-alert",
        ],
    );
    let strip = |o: Output| -> String {
        let s = String::from_utf8_lossy(&o.stdout).into_owned();
        // the elapsed time is the one thing allowed to differ
        s.split("\"elapsed_ms\":").next().unwrap_or("").to_string()
    };
    let one = strip(fluxlint(&[
        "check",
        &repo.path(),
        "--jobs",
        "1",
        "--format",
        "json",
    ]));
    let four = strip(fluxlint(&[
        "check",
        &repo.path(),
        "--jobs",
        "4",
        "--format",
        "json",
    ]));
    assert!(!one.is_empty());
    assert_eq!(one, four);
}

/// Scoping chooses what is reported, not what is known: production's path into staging's overlay
/// is an isolation finding whether the whole repo, `clusters/production` or `--env production` is
/// checked.
#[test]
fn a_scoped_check_still_knows_the_other_environments() {
    let repo = Broken::with(
        "scope-isolation",
        &["isolation/red2-production-target-namespace-dev"],
    );
    let isolation = |args: &[&str]| {
        let out = json(&fluxlint(args));
        out["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|d| d["rule"] == "isolation")
                    .map(|d| format!("{}:{}", d["file"], d["line"]))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let whole = isolation(&["check", &repo.path(), "--format", "json"]);
    assert!(!whole.is_empty());
    let prod = format!("{}/clusters/production", repo.path());
    assert_eq!(isolation(&["check", &prod, "--format", "json"]), whole);
    let env = [
        "check",
        &repo.path(),
        "--env",
        "production",
        "--format",
        "json",
    ];
    assert_eq!(isolation(&env), whole);
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(
        fluxlint(&[
            "check",
            "--env",
            "nosuch",
            &project().join("fixtures/example").to_string_lossy()
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        fluxlint(&["check", "/nonexistent/fluxlint"]).status.code(),
        Some(2)
    );
    assert_eq!(
        fluxlint(&["check", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        fluxlint(&["check", "--fail-on", "fatal"]).status.code(),
        Some(2)
    );
    // a --source that names no source (a typo) is refused, not silently unused
    let example = project().join("fixtures/example");
    let tmp = std::env::temp_dir();
    let o = fluxlint(&[
        "check",
        &example.to_string_lossy(),
        "--source",
        &format!("flux-sytem={}", tmp.display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--source 'flux-sytem': no Flux source of that name")
            && err.contains("did you mean \"flux-system\"?"),
        "{err}"
    );
}

#[test]
fn no_environment_exits_two_with_what_was_looked_for() {
    let dir = toolkit::Scratch::new("no-env");
    std::fs::create_dir_all(dir.0.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.0.join("clusters/base")).expect("mkdir");
    std::fs::write(
        dir.0.join("clusters/base/namespace.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shared\n",
    )
    .expect("write");
    let o = fluxlint(&["check", &dir.0.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "no report: {}", toolkit::stdout(&o));
    let err = toolkit::stderr(&o);
    for want in [
        "no environment found",
        "FluxInstance",
        "gotk-sync.yaml",
        "clusters/base: it holds no Flux object",
        "environments:\n  - name: production",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn a_source_no_file_defines_can_be_mapped() {
    // clusters/dev reads GitRepository "fleet", which nothing in git defines
    let dir = toolkit::Scratch::new("undefined-source");
    let fleet = toolkit::Scratch::new("undefined-source-fleet");
    std::fs::create_dir_all(dir.0.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.0.join("clusters/dev")).expect("mkdir");
    std::fs::write(
        dir.0.join("clusters/dev/apps.yaml"),
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 1m\n  path: ./app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: other\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: base\n  namespace: flux-system\nspec:\n  interval: 1m\n  path: ./clusters/dev\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n",
    )
    .expect("write");
    std::fs::create_dir_all(fleet.0.join("app")).expect("mkdir");
    std::fs::write(
        fleet.0.join("app/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-the-mapped-checkout\n  namespace: apps\n",
    )
    .expect("write");
    let arg = format!("other={}", fleet.0.display());
    let o = fluxlint(&[
        "tree",
        &dir.0.to_string_lossy(),
        "--source",
        &arg,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", toolkit::stderr(&o));
    let v = json(&o);
    let units = v["environments"][0]["units"].as_array().expect("units");
    let apps = units
        .iter()
        .find(|u| u["name"] == "apps")
        .expect("unit apps");
    assert_eq!(apps["status"], "rendered", "{apps}");
    assert_eq!(apps["resources"], 1);
}
