//! The render corpus: every case in `fixtures/render/<case>/` is built with fluxlint and compared, by
//! meaning, with the checked-in output of `kubectl kustomize` (Kustomize v5.5.0).
//!
//! A case is a directory with:
//! - `input/` — the tree; the build directory is `input/` or the relative path in `build` (one line);
//! - `expected.yaml` — what kubectl prints, or `expected.err` — kubectl fails (its message, for humans);
//! - optionally `args` — `load-restrictor=none`;
//! - optionally `root` — a directory of this repository to use instead of `input/` (the example repo).
//!
//! When kubectl is on PATH the expectations are confirmed against it too; `FLUXLINT_BLESS=1` rewrites
//! them from kubectl; `FLUXLINT_CASE=<substring>` runs (and blesses) only the matching cases.

mod common;

use std::fs;
use std::path::Path;

use fluxlint::kustomize::loader::LoadRestrictor;

use common::*;

struct Case {
    name: String,
    case: std::path::PathBuf,
    root: std::path::PathBuf,
    dir: std::path::PathBuf,
    restrictor: LoadRestrictor,
}

fn cases() -> Vec<Case> {
    let base = project_root().join("fixtures/render");
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(&base) else {
        return out;
    };
    let mut dirs: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let filter = std::env::var("FLUXLINT_CASE").unwrap_or_default();
    for d in dirs {
        if !filter.is_empty() && !d.to_string_lossy().contains(&filter) {
            continue;
        }
        // a case may render a tree that lives elsewhere in the repo (the example repo) instead of input/
        let root = match fs::read_to_string(d.join("root")) {
            Ok(r) => project_root().join(r.trim()),
            Err(_) => d.join("input"),
        };
        let build = fs::read_to_string(d.join("build")).unwrap_or_default();
        let build = build.trim();
        let dir = if build.is_empty() {
            root.clone()
        } else {
            root.join(build)
        };
        let args = fs::read_to_string(d.join("args")).unwrap_or_default();
        let restrictor = if args.contains("load-restrictor=none") {
            LoadRestrictor::None
        } else {
            LoadRestrictor::RootOnly
        };
        out.push(Case {
            name: d
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            case: d.clone(),
            root,
            dir,
            restrictor,
        });
    }
    out
}

fn case_dir(c: &Case) -> &Path {
    &c.case
}

#[test]
fn render_corpus_matches_kubectl_expectations() {
    let cases = cases();
    assert!(!cases.is_empty(), "no render cases found");
    let bless = std::env::var_os("FLUXLINT_BLESS").is_some();
    let kubectl = has_kubectl();
    let mut failures = Vec::new();
    for c in &cases {
        let dir = case_dir(c);
        let exp_ok = dir.join("expected.yaml");
        let exp_err = dir.join("expected.err");
        if bless {
            match kubectl_build(&c.dir, c.restrictor) {
                Some(Ok(out)) => {
                    let _ = fs::remove_file(&exp_err);
                    fs::write(&exp_ok, out).expect("write expected.yaml");
                }
                Some(Err(err)) => {
                    let _ = fs::remove_file(&exp_ok);
                    fs::write(&exp_err, err).expect("write expected.err");
                }
                None => panic!("FLUXLINT_BLESS needs kubectl on PATH"),
            }
        }
        let expected: Result<String, String> = if let Ok(t) = fs::read_to_string(&exp_ok) {
            Ok(t)
        } else if let Ok(t) = fs::read_to_string(&exp_err) {
            Err(t)
        } else {
            failures.push(format!("{}: no expected.yaml or expected.err", c.name));
            continue;
        };
        if kubectl && !bless {
            match (kubectl_build(&c.dir, c.restrictor), &expected) {
                (Some(Ok(k)), Ok(e)) => {
                    if let Err(d) = compare_streams(e, &k) {
                        failures.push(format!(
                            "{}: kubectl no longer gives expected.yaml: {d}",
                            c.name
                        ));
                    }
                }
                (Some(Err(_)), Err(_)) | (None, _) => {}
                (Some(Ok(_)), Err(_)) => failures.push(format!("{}: kubectl now succeeds", c.name)),
                (Some(Err(m)), Ok(_)) => {
                    failures.push(format!("{}: kubectl now fails: {m}", c.name))
                }
            }
        }
        let actual = fluxlint_build(&c.root, &c.dir, c.restrictor);
        match (&expected, &actual) {
            (Ok(e), Ok(a)) => {
                if let Err(d) = compare_streams(e, a) {
                    failures.push(format!("{}: {d}", c.name));
                }
            }
            (Err(_), Err(_)) => {}
            (Ok(_), Err(m)) => failures.push(format!("{}: fluxlint failed: {m}", c.name)),
            (Err(k), Ok(_)) => failures.push(format!(
                "{}: kubectl fails but fluxlint renders (kubectl said: {})",
                c.name,
                k.trim()
            )),
        }
    }
    let passed = cases.len() - failures.len();
    eprintln!(
        "render corpus: {passed}/{} cases match kubectl",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
