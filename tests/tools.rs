//! The commands around `check`, through the binary: `init` output passes `check`, `tag` accepts
//! and rejects the right tags, completions and man page, the integration files
//! (`.pre-commit-hooks.yaml`, `action.yml`, the CI workflow), and the pre-push hook.

mod toolkit;

use std::fs;
use std::path::Path;
use std::process::Command;

use toolkit::*;

// ---------------------------------------------------------------------------------------- init

fn init_passes(name: &str, args: &[&str]) {
    let s = Scratch::new(name);
    let repo = s.0.join("repo");
    let repo_s = repo.to_string_lossy().into_owned();
    let mut full = vec!["init", repo_s.as_str()];
    full.extend(args);
    let o = run_in(&s.0, &full);
    assert!(o.status.success(), "init {args:?}: {}", stderr(&o));
    let promotion = fs::read_to_string(repo.join("docs/PROMOTION.md")).expect("PROMOTION.md");
    for section in [
        "## Tag conventions",
        "## Promoting a change, step by step",
        "## Approvals",
        "## Monitoring",
        "## Rollback",
        "## Emergency rollback",
        "fluxlint check clusters/",
        "fluxlint tag",
    ] {
        assert!(promotion.contains(section), "{name}: no {section:?}");
    }
    // an environment whose name gives no role (qa) is said once, at info
    let o = run_in(&repo, &["check", "--fail-on", "warning"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "init {args:?} does not pass check:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stdout(&o).starts_with("0 errors, 0 warnings, 0 infos")
            || (args.iter().any(|a| a.contains("qa"))
                && stdout(&o).contains("0 errors, 0 warnings, 1 info")
                && stdout(&o).contains("environment qa has no role")),
        "{}",
        stdout(&o)
    );
    let o = run_in(&repo, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn init_default() {
    init_passes("default", &[]);
}

#[test]
fn init_two_apps() {
    init_passes("two-apps", &["--app", "api", "--app", "web"]);
}

#[test]
fn init_named_apps_and_namespace() {
    init_passes(
        "named",
        &[
            "--envs",
            "dev,staging,production",
            "--app",
            "billing",
            "--app",
            "checkout",
            "--app",
            "search",
            "--namespace",
            "shop",
        ],
    );
}

#[test]
fn init_four_environments() {
    init_passes(
        "four",
        &["--envs", "dev,qa,staging,production", "--app", "api"],
    );
}

#[test]
fn init_refuses_to_overwrite_and_bad_names() {
    let s = Scratch::new("overwrite");
    fs::create_dir_all(s.0.join("repo/docs")).expect("mkdir");
    fs::write(s.0.join("repo/docs/PROMOTION.md"), "mine\n").expect("write");
    let o = run_in(&s.0, &["init", "repo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("PROMOTION.md"), "{}", stderr(&o));
    assert!(!s.0.join("repo/clusters").exists(), "nothing is written");
    assert_eq!(
        fs::read_to_string(s.0.join("repo/docs/PROMOTION.md"))
            .ok()
            .as_deref(),
        Some("mine\n")
    );
    for bad in [
        &["init", "x", "--app", "Web"][..],
        &["init", "x", "--envs", "dev,production"],
        &["init", "x", "--app", "a", "--app", "a"],
        &["init", "x", "--namespace", "production"],
    ] {
        let o = run_in(&s.0, bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&o).starts_with("error: "), "{bad:?}: {}", stderr(&o));
    }
}

// ----------------------------------------------------------------------------------------- tag

#[test]
fn tag_accepts_and_rejects() {
    let s = Scratch::new("tag");
    let accept = [
        ("staging-v1.5.0", "staging"),
        ("staging-v1.5.0-rc.1", "staging"),
        ("refs/tags/prod-v2.0.0", "production"),
        ("prod-v1.2.2", "production"),
        ("prod-v1.0.0+build.7", "production"),
    ];
    for (tag, env) in accept {
        let o = run_in(&s.0, &["tag", tag]);
        assert_eq!(o.status.code(), Some(0), "{tag}: {}", stderr(&o));
        assert!(
            stdout(&o).contains(&format!("promotes {env} ")),
            "{}",
            stdout(&o)
        );
    }
    let reject = [
        ("staging-v1.5", "'1.5' is not a semantic version"),
        ("prod-v01.2.3", "is not a semantic version"),
        ("v1.0.0", "matches no environment's tag pattern"),
        ("main", "matches no environment's tag pattern"),
        ("production-v1.0.0", "matches no environment's tag pattern"),
    ];
    for (tag, why) in reject {
        let o = run_in(&s.0, &["tag", tag]);
        assert_eq!(o.status.code(), Some(1), "{tag}");
        let err = stderr(&o);
        assert!(err.contains(why), "{tag}: {err}");
        assert!(
            err.contains("staging-v<semver>") && err.contains("prod-v<semver>"),
            "{err}"
        );
    }
    // a repository's own policy changes the conventions
    let p = s.0.join("policies");
    fs::create_dir_all(&p).expect("mkdir");
    let policy = fs::read_to_string(project().join("policies/source-ref.yaml"))
        .expect("policy")
        .replace(
            "production: {tag: \"prod-v*\", semver: true, prerelease: true}",
            "production: {tag: \"release-*\", semver: true, prerelease: false}",
        );
    fs::write(p.join("source-ref.yaml"), policy).expect("write");
    fs::create_dir_all(s.0.join("clusters")).expect("mkdir");
    let o = run_in(&s.0, &["tag", "release-1.0.0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(&s.0, &["tag", "release-1.0.0-rc.1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is a pre-release"), "{}", stderr(&o));
    let o = run_in(&s.0, &["tag", "prod-v1.0.0"]);
    assert_eq!(o.status.code(), Some(1));
}

// ------------------------------------------------------------------------ completions and man

#[test]
fn completions_and_man_page() {
    let s = Scratch::new("man");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run_in(&s.0, &["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let text = stdout(&o);
        assert!(text.contains("explain") && text.contains("init"), "{shell}");
    }
    let o = run_in(&s.0, &["man"]);
    assert!(o.status.success());
    let roff = stdout(&o);
    assert!(
        roff.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &roff[..roff.len().min(80)]
    );
    assert!(
        roff.contains(".TH fluxlint 1") && roff.contains("check"),
        "{roff}"
    );
    let o = run_in(&s.0, &["man", "--dir", "pages"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for page in [
        "fluxlint.1",
        "fluxlint-check.1",
        "fluxlint-init.1",
        "fluxlint-tag.1",
    ] {
        assert!(s.0.join("pages").join(page).is_file(), "{page}");
    }
}

// ------------------------------------------------------------------------------ integrations

#[test]
fn integration_files() {
    let hooks = fs::read_to_string(project().join(".pre-commit-hooks.yaml")).expect("hooks");
    for want in [
        "id: fluxlint",
        "language: rust",
        "entry: fluxlint check",
        "pass_filenames: false",
        "files:",
    ] {
        assert!(hooks.contains(want), ".pre-commit-hooks.yaml: no {want:?}");
    }
    let action = fs::read_to_string(project().join("action.yml")).expect("action");
    for want in [
        "using: composite",
        "actions/cache@",
        "cargo install",
        "github/codeql-action/upload-sarif@",
        "fail-on:",
        "upload-sarif:",
        "policies:",
        "format:",
        "path:",
    ] {
        assert!(action.contains(want), "action.yml: no {want:?}");
    }
    let ci = fs::read_to_string(project().join(".github/workflows/ci.yml")).expect("ci");
    assert!(
        ci.contains("uses: ./"),
        "the CI runs the action on the fixtures"
    );
    // every file parses as YAML
    for text in [&hooks, &action, &ci] {
        fluxlint::yaml::parse_stream(
            text,
            fluxlint::source::FileId(0),
            fluxlint::yaml::SetBy::Resource,
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
    }
}

// ----------------------------------------------------------------------------- docs/promotion

/// Every `$ fluxlint ...` transcript in a markdown file: (command line, expected output).
fn transcripts(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in md.split("```console\n").skip(1) {
        let body = block.split("```").next().unwrap_or_default();
        let mut cur: Option<(String, String)> = None;
        for line in body.lines() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                out.extend(cur.take());
                cur = Some((cmd.to_string(), String::new()));
            } else if let Some((_, o)) = cur.as_mut() {
                o.push_str(line);
                o.push('\n');
            }
        }
        out.extend(cur);
    }
    out
}

#[test]
fn promotion_doc_is_real() {
    let md = fs::read_to_string(project().join("docs/promotion.md")).expect("docs/promotion.md");
    assert!(
        md.contains(fluxlint::tools::promotion::HOOK),
        "docs/promotion.md shows the pre-push hook that fluxlint init writes"
    );
    let s = Scratch::new("promotion-doc");
    let t = transcripts(&md);
    assert!(t.len() >= 2, "{t:?}");
    for (cmd, expected) in t {
        let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        let o = run_in(&s.0, &args);
        let actual = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(actual, expected, "`{cmd}`");
    }
}

/// The pre-push hook, installed in a Git repository written by `fluxlint init`, refuses a tag
/// that promotes nothing and lets a good one through.
#[test]
fn pre_push_hook() {
    let has_git = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_git {
        eprintln!("skipped: no git");
        return;
    }
    let s = Scratch::new("hook");
    let repo = s.0.join("repo");
    assert!(run_in(&s.0, &["init", "repo"]).status.success());
    let git = |args: &[&str]| {
        let bin = Path::new(env!("CARGO_BIN_EXE_fluxlint"))
            .parent()
            .map(Path::to_path_buf);
        let path = std::env::join_paths(bin.into_iter().chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("PATH", path)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git")
    };
    let remote = s.0.join("remote.git");
    let remote_s = remote.to_string_lossy().into_owned();
    assert!(
        Command::new("git")
            .args(["init", "-q", "--bare", &remote_s])
            .output()
            .is_ok_and(|o| o.status.success())
    );
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &["commit", "-qm", "scaffold"],
        &["remote", "add", "origin", &remote_s],
        &["tag", "staging-v1.0.0"],
        &["tag", "prod-v1.0"],
    ] {
        let o = git(args);
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    }
    let hook = repo.join(".git/hooks/pre-push");
    fs::write(&hook, fluxlint::tools::promotion::HOOK).expect("hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let o = git(&[
        "push",
        "-q",
        "origin",
        "HEAD:refs/heads/main",
        "staging-v1.0.0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = git(&["push", "-q", "origin", "prod-v1.0"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("'1.0' is not a semantic version"),
        "{}",
        stderr(&o)
    );
}
