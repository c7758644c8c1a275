//! The commands around `check`, through the binary: `init` output passes `check`, `tag` accepts
//! and rejects the right tags, `rules` / `explain` match `docs/rules/<id>.md`, the example output
//! in every rule's documentation is what `fluxlint check` really prints, completions and man page,
//! and the integration files (`.pre-commit-hooks.yaml`, `action.yml`, the CI workflow).
//!
//! `FLUXLINT_BLESS=1 cargo test --test tools` rewrites the example outputs (in `policies/<id>.yaml`
//! and `src/tools/suppression.md`) and `docs/rules/`; the descriptions are compiled in, so run it
//! twice (the second run writes the docs from the rebuilt binary), then read the diff.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("FLUXLINT_BLESS").is_some()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fluxlint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("fluxlint-tools-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("mkdir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn copy(from: &Path, to: &Path) {
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        if e.file_name() == ".fluxlint-delete" {
            continue;
        }
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
            copy(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// The example repo with a case of `fixtures/err` laid over it (as tests/check_fixtures.rs does).
fn materialize(case: &str, into: &Path) {
    copy(&project().join("fixtures/example"), into);
    let case_dir = project().join(case);
    if let Ok(list) = fs::read_to_string(case_dir.join(".fluxlint-delete")) {
        for l in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let p = into.join(l);
            let _ = fs::remove_file(&p).or_else(|_| fs::remove_dir_all(&p));
        }
    }
    copy(&case_dir, into);
}

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
    let o = run_in(&repo, &["check", "--fail-on", "info"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "init {args:?} does not pass check:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stdout(&o).starts_with("0 errors, 0 warnings, 0 infos"),
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

// ---------------------------------------------------------------------- rules, explain, docs

/// Every rule id `fluxlint rules` lists (the defaults alone: `--policies` names an empty dir).
fn rule_ids(empty: &Path) -> Vec<String> {
    let o = run_in(empty, &["rules", "--policies", "."]);
    assert!(o.status.success());
    stdout(&o)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn rules_lists_every_default_policy() {
    let s = Scratch::new("rules");
    let ids = rule_ids(&s.0);
    let mut expected: Vec<String> = fs::read_dir(project().join("policies"))
        .expect("policies")
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    expected.push("suppression".into());
    expected.sort();
    assert_eq!(ids, expected);
    let o = run_in(&s.0, &["explain", "replica", "--policies", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean \"replicas\""),
        "{}",
        stderr(&o)
    );
}

/// `docs/rules/README.md`: the rules as `fluxlint rules` lists them, linked to their pages.
fn rules_index(empty: &Path) -> String {
    let o = run_in(empty, &["rules", "--policies", "."]);
    let mut out = String::from(
        "# Rules\n\nThe default rules, as `fluxlint rules` lists them. Each page is what \
         `fluxlint explain <rule>` prints; a repository changes a rule with its own policy (see \
         [policies.md](../policies.md)).\n\n| rule | severity | summary |\n|---|---|---|\n",
    );
    for line in stdout(&o).lines() {
        let mut parts = line.splitn(2, ' ');
        let id = parts.next().unwrap_or_default();
        let rest = parts.next().unwrap_or_default().trim_start();
        let mut rest = rest.splitn(2, ' ');
        let severity = rest.next().unwrap_or_default();
        let summary = rest.next().unwrap_or_default().trim_start();
        out.push_str(&format!("| [`{id}`]({id}.md) | {severity} | {summary} |\n"));
    }
    out
}

/// Where a rule's documentation comes from (the file holding its description).
fn doc_source(id: &str) -> PathBuf {
    if id == "suppression" {
        project().join("src/tools/suppression.md")
    } else {
        project().join(format!("policies/{id}.yaml"))
    }
}

/// The `fixtures/err/...` case the Example section names, and the output shown for it.
fn example(doc: &str) -> Option<(String, String)> {
    let section = &doc[doc.find("## Example")?..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let start = section.find("`fixtures/err/")? + 1;
    let case = section[start..].split('`').next()?.to_string();
    let block = section.split("```console\n$ fluxlint check\n").nth(1)?;
    let shown = block.split("```").next()?.to_string();
    Some((case, shown))
}

/// The output as documented: no trailing spaces, the elapsed time left out of the comparison.
fn normalize(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.trim_end();
            match (l.rfind(", "), l.ends_with(" ms)")) {
                (Some(i), true) => format!("{}, … ms)", &l[..i]),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the console block of a description source with `output`, indented like the block.
fn rewrite_example(source: &Path, output: &str) {
    let text = fs::read_to_string(source).expect("doc source");
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == "```console"
            && lines.peek().is_some_and(|l| l.trim() == "$ fluxlint check")
        {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(lines.next().unwrap_or_default());
            out.push('\n');
            for l in output.lines() {
                let l = l.trim_end();
                if !l.is_empty() {
                    out.push_str(indent);
                    out.push_str(l);
                }
                out.push('\n');
            }
            for l in lines.by_ref() {
                if l.trim() == "```" {
                    out.push_str(l);
                    out.push('\n');
                    break;
                }
            }
        }
    }
    fs::write(source, out).expect("write doc source");
}

#[test]
fn every_rule_is_documented_with_real_output() {
    let s = Scratch::new("docs");
    let empty = s.0.join("empty");
    fs::create_dir_all(&empty).expect("mkdir");
    let ids = rule_ids(&empty);
    assert!(ids.len() >= 13, "{ids:?}");
    let docs_dir = project().join("docs/rules");
    let mut problems = Vec::new();
    for id in &ids {
        let o = run_in(&empty, &["explain", id, "--policies", "."]);
        assert!(o.status.success(), "explain {id}: {}", stderr(&o));
        let text = stdout(&o);
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(text.contains(section), "{id}: no {section}");
        }
        let file = docs_dir.join(format!("{id}.md"));
        if bless() {
            fs::create_dir_all(&docs_dir).expect("mkdir");
            fs::write(&file, &text).expect("write doc");
        } else if fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            problems.push(format!(
                "docs/rules/{id}.md differs from `fluxlint explain {id}` (FLUXLINT_BLESS=1 regenerates it)"
            ));
        }
        let Some((case, shown)) = example(&text) else {
            problems.push(format!(
                "{id}: the Example names no fixtures/err case with its output"
            ));
            continue;
        };
        let repo = s.0.join(id);
        fs::create_dir_all(&repo).expect("mkdir");
        materialize(&case, &repo);
        let o = run_in(&repo, &["check"]);
        let actual = stdout(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1))
                && !actual.starts_with("0 errors, 0 warnings, 0 infos"),
            "{id}: {case} has no finding: {actual}{}",
            stderr(&o)
        );
        if normalize(&actual) != normalize(&shown) {
            if bless() {
                rewrite_example(&doc_source(id), &actual);
            }
            problems.push(format!(
                "{id}: the Example output differs from `fluxlint check` on {case}:\n--- shown\n{shown}--- actual\n{actual}"
            ));
        }
    }
    let index = rules_index(&empty);
    let index_file = docs_dir.join("README.md");
    if bless() {
        fs::write(&index_file, &index).expect("write index");
    } else if fs::read_to_string(&index_file).ok().as_deref() != Some(index.as_str()) {
        problems.push("docs/rules/README.md is not the index of `fluxlint rules`".into());
    }
    let listed: Vec<String> = fs::read_dir(&docs_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .trim_end_matches(".md")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    for f in listed {
        if !ids.contains(&f) && f != "README" {
            problems.push(format!("docs/rules/{f}.md documents no rule"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
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
