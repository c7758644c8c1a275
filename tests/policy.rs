//! Policy files: data-driven validation cases, and the binary's exit code on a bad policy.
//!
//! `fixtures/policy/<case>/` is a policy directory (as `--policies` would name it);
//! `fixtures/policy/<case>.err` is what loading it must say: empty when it loads, else the error as
//! `path:line:col: message`, then `  label:`, `  help:` and `  note: path:line:col: text` lines.
//! `FLUXLINT_BLESS=1` writes the `.err` files; `FLUXLINT_CASE=<substring>` picks cases.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fluxlint::source::SourceMap;

use common::project_root;

fn describe(dir: &Path) -> String {
    let sources = SourceMap::new();
    match fluxlint::policy::load::load(&sources, Some(dir)) {
        Ok(_) => String::new(),
        Err(e) => {
            let mut out = format!("{}\n", e.one_line(&sources));
            if let Some(l) = e.label.as_deref().filter(|l| !l.is_empty()) {
                out.push_str(&format!("  label: {l}\n"));
            }
            if let Some(h) = &e.help {
                out.push_str(&format!("  help: {h}\n"));
            }
            for (text, span) in &e.notes {
                out.push_str(&format!("  note: {}: {text}\n", sources.describe(*span)));
            }
            out
        }
    }
}

#[test]
fn policy_cases_load_or_fail_as_expected() {
    // paths in messages are relative to the project root, as the harness loads them
    std::env::set_current_dir(project_root()).expect("cd");
    let bless = std::env::var_os("FLUXLINT_BLESS").is_some();
    let filter = std::env::var("FLUXLINT_CASE").unwrap_or_default();
    let base = Path::new("fixtures/policy");
    let mut dirs: Vec<PathBuf> = fs::read_dir(base)
        .expect("fixtures/policy")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty() || !filter.is_empty(), "no cases");
    let mut failures = Vec::new();
    for dir in &dirs {
        let found = describe(dir);
        let expected_path = dir.with_extension("err");
        if bless {
            fs::write(&expected_path, &found).expect("write .err");
            continue;
        }
        let expected =
            fs::read_to_string(&expected_path).unwrap_or_else(|_| "<missing .err>".into());
        if expected != found {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- found\n{found}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

struct Repo {
    dir: PathBuf,
}

impl Repo {
    /// A copy of the example repo with extra files.
    fn new(name: &str, files: &[(&str, &str)]) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("fluxlint-policy-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        copy(&project_root().join("fixtures/example"), &dir);
        for (path, text) in files {
            let p = dir.join(path);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, text).expect("write");
        }
        Repo { dir }
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxlint"))
        .arg("check")
        .args(args)
        .arg("--no-color")
        .env("NO_COLOR", "1")
        .output()
        .expect("run fluxlint")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const TYPO: &str = "apiVersion: fluxlint.dev/v1
kind: Policy
metadata:
  name: prod-memory
spec:
  severity: eror
  assert:
    - path: spec.template.spec.containers[*].resources.limits.memory
      max: 2Gi
";

#[test]
fn a_bad_repo_policy_exits_two_with_a_pointer_into_the_file() {
    let repo = Repo::new("typo", &[("policies/memory.yaml", TYPO)]);
    let out = check(&[repo.dir.to_str().expect("utf-8")]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains("policies/memory.yaml:6:13: unknown severity \"eror\""),
        "{err}"
    );
    assert!(err.contains("did you mean \"error\"?"), "{err}");
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn a_bad_policy_given_with_the_option_exits_two() {
    let repo = Repo::new("option", &[]);
    let pols = repo.dir.join("elsewhere");
    fs::create_dir_all(&pols).expect("mkdir");
    fs::write(
        pols.join("x.yaml"),
        TYPO.replace("severity: eror", "severity: error")
            .replace("max: 2Gi", "max: 2GB"),
    )
    .expect("write");
    let out = check(&[
        repo.dir.to_str().expect("utf-8"),
        "--policies",
        pols.to_str().expect("utf-8"),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("invalid quantity \"2GB\""), "{err}");
    let missing = check(&[
        repo.dir.to_str().expect("utf-8"),
        "--policies",
        "/nonexistent-dir",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    // a note in another file is shown below the error, not in its place
    let dup = project_root().join("fixtures/policy/duplicate-id");
    let out = check(&[
        repo.dir.to_str().expect("utf-8"),
        "--policies",
        dup.to_str().expect("utf-8"),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    let headline = err.lines().find(|l| l.contains('×')).unwrap_or_default();
    assert!(headline.contains("is defined twice"), "{err}");
    let note = err.find("first defined here (").expect("the note");
    assert!(
        note > err.find("is defined twice").unwrap_or(usize::MAX),
        "{err}"
    );
}

#[test]
fn assertions_report_findings_and_suppressions_silence_them() {
    let policy = TYPO
        .replace("severity: eror", "severity: warning")
        .replace("2Gi", "512Mi");
    let repo = Repo::new("assert", &[("policies/memory.yaml", &policy)]);
    let root = repo.dir.to_str().expect("utf-8");
    let out = check(&[root, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail by default"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = json["diagnostics"].as_array().cloned().unwrap_or_default();
    // production's two deployments set 1Gi in their patches
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert!(
        diags
            .iter()
            .all(|d| d["rule"] == "prod-memory" && d["line"] == 21)
    );
    let failing = check(&[root, "--fail-on", "warning"]);
    assert_eq!(failing.status.code(), Some(1));

    for f in ["api-patch.yaml", "web-patch.yaml"] {
        let p = repo.dir.join("apps/overlays/production").join(f);
        let t = fs::read_to_string(&p).expect("read").replace(
            "memory: 1Gi",
            "memory: 1Gi # fluxlint-ignore prod-memory -- sized for the batch import",
        );
        fs::write(&p, t).expect("write");
    }
    let quiet = check(&[root, "--fail-on", "warning"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stdout));

    // checking one environment does not call the other environments' suppressions unused
    let p = repo.dir.join("apps/overlays/dev/api-patch.yaml");
    let t = fs::read_to_string(&p).expect("read").replace(
        "  replicas: 1\n",
        "  # fluxlint-ignore prod-memory -- not needed\n  replicas: 1\n",
    );
    fs::write(&p, t).expect("write");
    let unused = check(&[root, "--fail-on", "warning", "--format", "json"]);
    assert_eq!(unused.status.code(), Some(1));
    assert!(text(&unused.stdout).contains("suppresses nothing"));
    let prod = repo.dir.join("clusters/production");
    let one = check(&[prod.to_str().expect("utf-8"), "--fail-on", "warning"]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stdout));
}

#[test]
fn repo_policies_replace_add_and_disable_defaults() {
    let sources = SourceMap::new();
    let dir = project_root().join("fixtures/policy/ok-overrides");
    let policies = fluxlint::policy::load::load(&sources, Some(&dir)).expect("loads");
    let ids: Vec<&str> = policies.iter().map(|p| p.id.as_str()).collect();
    assert!(
        !ids.contains(&"prune"),
        "disabled: true turns a default off"
    );
    assert!(ids.contains(&"env-label"), "a new id adds a rule");
    assert!(
        !ids.contains(&"require-labels"),
        "other tools' documents are skipped"
    );
    let replicas = policies
        .iter()
        .find(|p| p.id == "replicas")
        .expect("replicas");
    assert!(
        matches!(&replicas.check, fluxlint::policy::Check::Assert(a) if a.len() == 2),
        "the repo's replicas policy replaces the default: {:?}",
        replicas.check
    );
    assert_eq!(replicas.severity, fluxlint::diagnostic::Severity::Warning);
    assert_eq!(
        policies.len(),
        fluxlint::policy::load::DEFAULTS.len(),
        "one replaced, one disabled, one added"
    );
}
