//! The composite action (action.yml), the `action` job of .github/workflows/ci.yml and the
//! pre-commit hook (.pre-commit-hooks.yaml), run as written. GitHub Actions cannot run offline, so
//! tests/action/runner.rs simulates the runner (see there for what it models and what it refuses);
//! the steps' bash runs for real, against the fluxlint binary of this build.

#[path = "action/expr.rs"]
mod expr;
#[path = "action/host.rs"]
mod host;
#[path = "action/runner.rs"]
mod runner;
#[path = "action/scope.rs"]
mod scope;

use std::path::{Path, PathBuf};
use std::process::Command;

use host::{copy_dir, load_yaml};
use runner::{Outcome, Runner, StepRun};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fluxlint-action-{}-{name}", std::process::id()))
}

/// A runner whose workspace is a user's repository: fixtures/example, with the broken replicas
/// case laid over it when `broken`.
fn user_repo(name: &str, broken: bool) -> Runner {
    let r = Runner::new(&scratch(name));
    copy_dir(&repo().join("fixtures/example"), &r.workspace);
    if broken {
        copy_dir(
            &repo().join("fixtures/err/replicas/prod-patch-two"),
            &r.workspace,
        );
    }
    r
}

fn action(r: &mut Runner, with: &[(&str, &str)]) -> StepRun {
    let run = r
        .run_action(with)
        .unwrap_or_else(|e| panic!("simulator: {e}\n{}", r.log));
    // the binary came from the (warm) cache, as on a second run on GitHub
    if r.warm_cache {
        assert_eq!(
            run.step("install fluxlint").outcome,
            Outcome::Skipped,
            "{}",
            r.log
        );
    }
    run
}

#[test]
fn ci_action_job_succeeds() {
    let pr_from_fork = [
        ("event_name", "pull_request"),
        ("event.pull_request.head.repo.full_name", "someone/fluxlint"),
    ];
    // a push uploads SARIF; a pull request from a fork cannot, and must not try
    for (github, uploads) in [(&[][..], 1), (&pr_from_fork[..], 0)] {
        let mut r = Runner::new(&scratch(&format!("ci-{uploads}")));
        // what the job reads from its checkout (policies/: `fluxlint tag` loads them from the cwd)
        for dir in [
            "fixtures/example",
            "fixtures/err/replicas/prod-patch-two",
            "policies",
        ] {
            copy_dir(&repo().join(dir), &r.workspace.join(dir));
        }
        r.github
            .extend(github.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let ci = load_yaml(&repo().join(".github/workflows/ci.yml")).expect("ci.yml");
        let (steps, ok) = r
            .run_job(&ci, "action")
            .unwrap_or_else(|e| panic!("simulator: {e}\n{}", r.log));
        for s in &steps {
            let expected = match s.id.as_deref() {
                Some("broken") => Outcome::Failure,
                _ => Outcome::Success,
            };
            assert_eq!(s.outcome, expected, "step {:?}\n{}", s.name, r.log);
            if !s.steps.is_empty() {
                assert_eq!(s.step("install fluxlint").outcome, Outcome::Skipped);
            }
        }
        assert!(ok, "the job failed\n{}", r.log);
        assert_eq!(
            steps.iter().filter(|s| !s.steps.is_empty()).count(),
            3,
            "three action runs"
        );
        assert_eq!(r.uploads.len(), uploads, "{:?}", r.uploads);
        if uploads == 1 {
            assert_eq!(r.uploads[0]["sarif_file"], "fluxlint.sarif");
            assert_eq!(r.uploads[0]["category"], "fluxlint");
        }
        // `format: human github` on the example wrote the job summary
        assert!(
            r.summary.contains('|'),
            "no Markdown summary: {:?}",
            r.summary
        );
    }
}

#[test]
fn clean_repository_passes() {
    let mut r = user_repo("clean", false);
    let run = action(&mut r, &[]);
    assert_eq!(run.outcome, Outcome::Success, "{}", r.log);
    assert_eq!(run.outputs["exit-code"], "0");
    assert_eq!(run.outputs["sarif-file"], "");
    assert!(
        run.step("result").log.contains("no findings at or above"),
        "{}",
        r.log
    );
    assert_eq!(
        run.step("upload SARIF to code scanning").outcome,
        Outcome::Skipped
    );
    assert!(r.uploads.is_empty());
    // the binary is on PATH for the job's later steps
    let out = Command::new("bash")
        .args(["-c", "command -v fluxlint"])
        .env("PATH", r.step_path())
        .output();
    assert!(
        out.is_ok_and(
            |o| String::from_utf8_lossy(&o.stdout).starts_with(&*r.temp.to_string_lossy())
        )
    );
}

#[test]
fn broken_repository_fails_with_exit_1() {
    let mut r = user_repo("broken", true);
    let run = action(&mut r, &[]);
    assert_eq!(run.outcome, Outcome::Failure, "{}", r.log);
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(
        run.step("fluxlint check").log.contains("replicas"),
        "{}",
        r.log
    );
    let result = run.step("result");
    assert_eq!(
        (result.outcome, result.exit_code),
        (Outcome::Failure, Some(1)),
        "{}",
        r.log
    );
    assert!(
        result
            .log
            .contains("::error title=fluxlint::findings at or above the threshold")
    );
}

#[test]
fn upload_sarif_writes_and_uploads_the_report() {
    let abs = scratch("sarif").join("runner temp/out.sarif");
    for sarif_file in ["fluxlint.sarif", abs.to_str().expect("utf-8 path")] {
        let mut r = user_repo("sarif", true);
        let run = action(
            &mut r,
            &[("upload-sarif", "true"), ("sarif-file", sarif_file)],
        );
        assert_eq!(run.outputs["exit-code"], "1", "{}", r.log);
        assert_eq!(run.outputs["sarif-file"], sarif_file);
        assert_eq!(
            run.step("upload SARIF to code scanning").outcome,
            Outcome::Success,
            "{}",
            r.log
        );
        assert_eq!(r.uploads.len(), 1, "{}", r.log);
        assert_eq!(r.uploads[0]["sarif_file"], sarif_file);
        let text = std::fs::read_to_string(r.workspace.join(sarif_file)).expect("SARIF file");
        let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
        let results = sarif["runs"][0]["results"]
            .as_array()
            .expect("runs[0].results");
        assert!(
            results.iter().any(|f| f["ruleId"] == "replicas"),
            "{results:?}"
        );
    }
}

#[test]
fn inputs_policies_fail_on_and_formats() {
    // team policies (in a directory whose name holds a space): replicas is only a warning
    let mut r = user_repo("inputs", true);
    let team = r.workspace.join("team policies");
    copy_dir(&repo().join("policies"), &team);
    let replicas = std::fs::read_to_string(team.join("replicas.yaml")).expect("replicas.yaml");
    let warning = replicas.replacen("severity: error", "severity: warning", 1);
    std::fs::write(team.join("replicas.yaml"), warning).expect("write policy");

    let with = [("policies", "team policies"), ("format", "human github")];
    let run = action(&mut r, &with);
    assert_eq!(
        run.outputs["exit-code"], "0",
        "a warning is below fail-on: error\n{}",
        r.log
    );
    let check = run.step("fluxlint check");
    assert!(
        check
            .log
            .contains("::warning file=apps/overlays/production/web-patch.yaml"),
        "{}",
        check.log
    );
    assert!(
        r.summary.contains("replicas"),
        "job summary: {:?}",
        r.summary
    );

    for fail_on in ["warning", "info"] {
        let run = action(
            &mut r,
            &[("policies", "team policies"), ("fail-on", fail_on)],
        );
        assert_eq!(
            run.outputs["exit-code"], "1",
            "fail-on {fail_on}\n{}",
            r.log
        );
        assert_eq!(run.outcome, Outcome::Failure);
    }
}

#[test]
fn configuration_error_fails_with_exit_2() {
    let mut r = user_repo("config", false);
    let run = action(&mut r, &[("policies", "no such policies")]);
    assert_eq!(run.outputs["exit-code"], "2", "{}", r.log);
    let result = run.step("result");
    assert_eq!(
        (result.outcome, result.exit_code),
        (Outcome::Failure, Some(2)),
        "{}",
        r.log
    );
    assert!(
        result
            .log
            .contains("could not check the repository (exit 2)")
    );
}

#[test]
fn cold_cache_installs_with_cargo() {
    // a fake cargo records its arguments and "installs" the test's binary under --root
    let mut r = user_repo("cold", false);
    r.warm_cache = false;
    let bin = scratch("cold").join("fake bin");
    std::fs::create_dir_all(&bin).expect("fake bin");
    let args = r.temp.join("cargo-args");
    let script = format!(
        "#!/bin/bash\nprintf '%s\\n' \"$@\" > '{}'\nmkdir -p \"$6/bin\"\ncp '{}' \"$6/bin/fluxlint\"\n",
        args.display(),
        env!("CARGO_BIN_EXE_fluxlint"),
    );
    write_executable(&bin.join("cargo"), &script);
    r.add_path(&bin);
    let run = action(&mut r, &[]);
    assert_eq!(
        run.step("install fluxlint").outcome,
        Outcome::Success,
        "{}",
        r.log
    );
    assert_eq!(run.outputs["exit-code"], "0", "{}", r.log);
    let root = r.temp.join("fluxlint");
    let expected = [
        "install",
        "--locked",
        "--path",
        &repo().to_string_lossy(),
        "--root",
        &root.to_string_lossy(),
    ]
    .join("\n");
    assert_eq!(
        std::fs::read_to_string(&args)
            .expect("cargo ran")
            .trim_end(),
        expected
    );
    assert_eq!(
        r.cache_keys.len(),
        2,
        "binary and cargo download caches: {:?}",
        r.cache_keys
    );
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn pre_commit_hook_runs_fluxlint_check() {
    let hooks = load_yaml(&repo().join(".pre-commit-hooks.yaml")).expect(".pre-commit-hooks.yaml");
    let hook = hooks.as_seq().and_then(|h| h.first()).expect("one hook");
    assert_eq!(hook.str_at(&["id"]), Some("fluxlint"));
    assert_eq!(hook.str_at(&["language"]), Some("rust"));
    assert_eq!(
        hook.get("pass_filenames").and_then(|n| n.as_bool()),
        Some(false)
    );
    // pre-commit matches `files` with Python's re.search on repository-relative paths
    let files = regex::Regex::new(hook.str_at(&["files"]).expect("files")).expect("files regex");
    for (path, matches) in [
        ("clusters/production/apps.yaml", true),
        ("apps/base/web.yml", true),
        ("README.md", false),
        ("notes.yaml.md", false),
        ("Cargo.toml", false),
    ] {
        assert_eq!(files.is_match(path), matches, "{path}");
    }
    // pre-commit runs the entry (shell-split, no file names) at the repository root, with the
    // hook's cargo-installed binary first on PATH
    let entry: Vec<&str> = hook
        .str_at(&["entry"])
        .expect("entry")
        .split_whitespace()
        .collect();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_fluxlint"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (broken, code) in [(false, 0), (true, 1)] {
        let dir = scratch(&format!("pre-commit-{broken}"));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&repo().join("fixtures/example"), &dir);
        if broken {
            copy_dir(&repo().join("fixtures/err/replicas/prod-patch-two"), &dir);
        }
        let git = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .status();
        assert!(git.is_ok_and(|s| s.success()), "git init");
        let out = Command::new(entry[0])
            .args(&entry[1..])
            .current_dir(&dir)
            .env("PATH", &path)
            .output();
        let out = out.expect("run the hook entry");
        let log = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{log}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
