//! Data-driven `check` tests. Every case is a change to the example repo (`fixtures/example`):
//!
//! - `fixtures/ok/<case>/` — files laid over the example repo; the result must have no findings;
//! - `fixtures/err/<rule-id>/<case>/` — files laid over the example repo that break that rule, next
//!   to `<case>.out`: the expected diagnostics, one per line,
//!   `path:line:col: severity[rule] message (env)`.
//!
//! - `fixtures/repos/<case>/` — a whole repository of its own (a layout the example does not
//!   have: Flux Operator, `kubernetes/<cluster>`, OCI sub-trees), next to `<case>.out` with every
//!   finding.
//!
//! Any case may also sit next to `<case>.tree`: what fluxlint saw (`fluxlint tree`: environments,
//! roles, entries, every unit with its status), compared too.
//!
//! A case directory may hold `.fluxlint-delete`, a list of repo paths to remove first. Adding a case
//! needs no Rust. `FLUXLINT_BLESS=1` writes the `.out` files (and the `.tree` files that exist)
//! from what fluxlint reports now; `FLUXLINT_CASE=<substring>` runs only matching cases.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use fluxlint::diagnostic::location;
use fluxlint::flux::discover;

use common::project_root;

fn copy_dir(from: &Path, to: &Path) {
    let Ok(rd) = fs::read_dir(from) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == ".fluxlint-delete" {
            continue;
        }
        let dest = to.join(&name);
        if p.is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Lays a case over a fresh copy of the example repo.
fn materialize(case: &Path, name: &str) -> PathBuf {
    materialize_on(case, name, Some(&project_root().join("fixtures/example")))
}

/// Copies a case into a fresh directory, over a copy of `base` when given.
fn materialize_on(case: &Path, name: &str, base: Option<&Path>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fluxlint-case-{}-{}",
        std::process::id(),
        name.replace('/', "-")
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("mkdir");
    if let Some(b) = base {
        copy_dir(b, &dir);
    }
    if let Ok(list) = fs::read_to_string(case.join(".fluxlint-delete")) {
        for l in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let p = dir.join(l);
            let _ = fs::remove_file(&p).or_else(|_| fs::remove_dir_all(&p));
        }
    }
    copy_dir(case, &dir);
    dir
}

/// Runs the default policies (plus the case's own `policies/`) and formats the findings.
fn check(repo_dir: &Path) -> Vec<String> {
    check_and_tree(repo_dir).0
}

/// The findings, and what fluxlint saw (the `fluxlint tree` text).
fn check_and_tree(repo_dir: &Path) -> (Vec<String>, String) {
    let root = repo_dir.canonicalize().expect("root");
    let envs = discover::environments(&root).expect("environments");
    let repo = discover::load(&root, &envs).expect("load");
    let inventories: Vec<_> = repo
        .environments
        .iter()
        .map(|e| fluxlint::flux::inventory::of(e, &repo.sources))
        .collect();
    let tree = fluxlint::tools::tree::render(&inventories);
    let pdir = root.join("policies");
    let policies =
        fluxlint::policy::load::load(&repo.sources, pdir.is_dir().then_some(pdir.as_path()))
            .unwrap_or_else(|e| panic!("policies: {}", e.message));
    let diags = fluxlint::engine::run(&repo, &policies);
    let found = diags
        .iter()
        .map(|d| {
            let (file, line, col) = location(&repo.sources, d.primary.span);
            let env = d
                .environment
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            format!(
                "{file}:{line}:{col}: {}[{}] {}{env}",
                d.severity, d.rule, d.message
            )
        })
        .collect();
    (found, tree)
}

fn cases(kind: &str) -> Vec<(String, PathBuf)> {
    let filter = std::env::var("FLUXLINT_CASE").unwrap_or_default();
    let base = project_root().join("fixtures").join(kind);
    let mut out = Vec::new();
    let mut visit = |rel: String, p: PathBuf| {
        if filter.is_empty() || rel.contains(&filter) {
            out.push((rel, p));
        }
    };
    let Ok(rd) = fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if kind == "ok" || kind == "repos" {
            visit(name, d);
            continue;
        }
        let mut sub: Vec<PathBuf> = fs::read_dir(&d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        sub.sort();
        for s in sub {
            let case = s
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            visit(format!("{name}/{case}"), s);
        }
    }
    out
}

#[test]
fn the_example_repo_is_clean() {
    let found = check(&project_root().join("fixtures/example"));
    assert!(
        found.is_empty(),
        "the example repo must pass every default policy:\n{}",
        found.join("\n")
    );
}

#[test]
fn ok_cases_are_clean() {
    let mut failures = Vec::new();
    for (name, dir) in cases("ok") {
        let repo = materialize(&dir, &format!("ok-{name}"));
        let (found, tree) = check_and_tree(&repo);
        if !found.is_empty() {
            failures.push(format!("ok/{name}:\n  {}", found.join("\n  ")));
        }
        failures.extend(compare_tree(&dir, &tree, &format!("ok/{name}")));
        let _ = fs::remove_dir_all(&repo);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn err_cases_report_exactly_the_expected_diagnostics() {
    let bless = std::env::var_os("FLUXLINT_BLESS").is_some();
    let mut failures = Vec::new();
    let all = cases("err");
    for (name, dir) in &all {
        let rule = name.split('/').next().unwrap_or("");
        let repo = materialize(dir, &format!("err-{name}"));
        let (found, tree) = check_and_tree(&repo);
        let _ = fs::remove_dir_all(&repo);
        failures.extend(compare_tree(dir, &tree, &format!("err/{name}")));
        let out_path = dir.with_extension("out");
        if bless {
            fs::write(
                &out_path,
                found.iter().map(|l| format!("{l}\n")).collect::<String>(),
            )
            .expect("write .out");
            continue;
        }
        let Ok(expected) = fs::read_to_string(&out_path) else {
            failures.push(format!("err/{name}: missing {}", out_path.display()));
            continue;
        };
        let expected: Vec<String> = expected
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if expected != found {
            failures.push(format!(
                "err/{name}:\n  expected:\n    {}\n  found:\n    {}",
                expected.join("\n    "),
                found.join("\n    ")
            ));
        }
        if !found.iter().any(|l| l.contains(&format!("[{rule}]"))) {
            failures.push(format!("err/{name}: breaks no `{rule}` finding"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Compares what fluxlint saw with `<case>.tree`, when the case has one (blessing rewrites it).
fn compare_tree(dir: &Path, tree: &str, name: &str) -> Option<String> {
    let path = dir.with_extension("tree");
    let expected = fs::read_to_string(&path).ok()?;
    if std::env::var_os("FLUXLINT_BLESS").is_some() {
        fs::write(&path, tree).expect("write .tree");
        return None;
    }
    (expected != tree)
        .then(|| format!("{name}: tree differs:\n--- expected\n{expected}--- found\n{tree}"))
}

#[test]
fn repository_cases_report_exactly_the_expected_diagnostics() {
    let bless = std::env::var_os("FLUXLINT_BLESS").is_some();
    let mut failures = Vec::new();
    let all = cases("repos");
    for (name, dir) in &all {
        let repo = materialize_on(dir, &format!("repo-{name}"), None);
        let (found, tree) = check_and_tree(&repo);
        let _ = fs::remove_dir_all(&repo);
        failures.extend(compare_tree(dir, &tree, &format!("repos/{name}")));
        let out_path = dir.with_extension("out");
        if bless {
            fs::write(
                &out_path,
                found.iter().map(|l| format!("{l}\n")).collect::<String>(),
            )
            .expect("write .out");
            continue;
        }
        let expected = fs::read_to_string(&out_path).unwrap_or_default();
        let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
        if expected != found {
            failures.push(format!(
                "repos/{name}:\n  expected:\n    {}\n  found:\n    {}",
                expected.join("\n    "),
                found.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
