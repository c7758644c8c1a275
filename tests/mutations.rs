//! Robustness: the example repository with one file broken at random — a line deleted,
//! duplicated, re-indented or swapped, a value or key replaced by something hostile (empty,
//! anchors and aliases, huge numbers, tabs, path escapes, `${VAR}`, invalid UTF-8), the file cut
//! short — and `check` and `build` run on it in process. Whatever the input, fluxlint must not
//! panic, must exit 0, 1 or 2 (build: 0 or 1), must print parseable JSON when it reports
//! findings, and must not write into the repository.
//!
//! `FLUXLINT_MUTATIONS=N` runs N mutations (default 300); `FLUXLINT_MUTATION=SEED` one of them.

#[allow(dead_code)]
#[path = "differential/rng.rs"]
mod rng;
mod toolkit;

use std::ffi::OsString;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rng::Rng;
use toolkit::{Scratch, copy, files_below, project};

/// Values that have broken parsers and renderers before.
const HOSTILE: &[&str] = &[
    "",
    "~",
    "null",
    "[]",
    "{}",
    "[",
    "{",
    "'",
    "\"",
    "-",
    ": :",
    "? x",
    "&a",
    "*a",
    "*undefined",
    "&a [*a, *a]",
    "!!binary x",
    "!!int abc",
    "!custom x",
    "-1",
    "0",
    "1e400",
    "-0.0",
    "0x1F",
    "0o17",
    "99999999999999999999999999999",
    "9223372036854775808",
    ".nan",
    "true",
    "yes",
    "3Gi",
    "500m",
    "1.5.5",
    "${UNDEFINED}",
    "${A:=${B:=${C}}}",
    "$${X}",
    "../../../../etc",
    "/etc/passwd",
    "http://example.com/x",
    "\t",
    "a\tb",
    "é😀",
    "|",
    ">-",
    "<<: *a",
    "---",
    "...",
    "%YAML 1.1",
];

const KEYS: &[&str] = &[
    "resources",
    "patches",
    "components",
    "namespace",
    "spec",
    "metadata",
    "kind",
    "apiVersion",
    "replicas",
    "path",
    "target",
    "sourceRef",
    "postBuild",
    "substituteFrom",
    "dependsOn",
    "<<",
    "$patch",
    "configMapGenerator",
    "replacements",
    "images",
    "selector",
];

/// The repository's contents, to prove nothing was written.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_below(dir)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(dir.join(&p)).unwrap_or_default();
            (p, bytes)
        })
        .collect()
}

/// One random change to a file's bytes, and what it was.
fn mutate(rng: &mut Rng, text: &[u8]) -> (Vec<u8>, String) {
    let s = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.below(lines.len());
    let what = match rng.below(10) {
        0 => {
            let l = lines.remove(i);
            format!("deleted line {}: {l:?}", i + 1)
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l.clone());
            format!("duplicated line {}: {l:?}", i + 1)
        }
        2 => {
            let l = &mut lines[i];
            if rng.chance(50) || !l.starts_with("  ") {
                l.insert_str(0, "  ");
                format!("indented line {}", i + 1)
            } else {
                l.drain(..2);
                format!("dedented line {}", i + 1)
            }
        }
        3 => {
            let j = rng.below(lines.len());
            lines.swap(i, j);
            format!("swapped lines {} and {}", i + 1, j + 1)
        }
        4 | 5 => {
            // the value after the first `: ` (or a list item's), else the whole line
            let v = *rng.pick(HOSTILE);
            let l = &mut lines[i];
            let cut = l.find(": ").map(|p| p + 2).or_else(|| {
                let t = l.trim_start();
                t.starts_with("- ").then(|| l.len() - t.len() + 2)
            });
            match cut {
                Some(c) => l.replace_range(c.., v),
                None => *l = v.to_string(),
            }
            format!("line {} value -> {v:?}", i + 1)
        }
        6 => {
            let k = *rng.pick(KEYS);
            let l = &mut lines[i];
            let indent = l.len() - l.trim_start().len();
            match l.find(':') {
                Some(c) if c > indent => l.replace_range(indent..c, k),
                _ => l.insert_str(indent, &format!("{k}: ")),
            }
            format!("line {} key -> {k:?}", i + 1)
        }
        7 => {
            let v = *rng.pick(HOSTILE);
            let indent = " ".repeat(2 * rng.below(4));
            let k = *rng.pick(KEYS);
            lines.insert(i, format!("{indent}{k}: {v}"));
            format!("inserted at line {}: {k}: {v:?}", i + 1)
        }
        8 => {
            let n = rng.below(text.len().max(1));
            return (text[..n].to_vec(), format!("cut after byte {n}"));
        }
        _ => {
            let mut b = text.to_vec();
            let n = rng.below(b.len() + 1);
            const JUNK: [&[u8]; 5] = [b"\xff\xfe", b"\0", b"\r", b"\xe2\x80", b"#"];
            let junk = *rng.pick(&JUNK);
            b.splice(n..n, junk.iter().copied());
            return (b, format!("inserted {junk:?} at byte {n}"));
        }
    };
    let mut out = lines.join("\n");
    out.push('\n');
    (out.into_bytes(), what)
}

fn run(args: &[&str]) -> Result<(ExitCode, String, String), String> {
    let argv: Vec<OsString> = std::iter::once("fluxlint")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = catch_unwind(AssertUnwindSafe(|| {
        fluxlint::cli::run(argv, &mut out, &mut err)
    }))
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })?;
    Ok((
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    ))
}

/// The nearest directory at or above `file` (inside `root`) holding a kustomization.
fn kustomization_dir(root: &Path, file: &Path) -> Option<PathBuf> {
    let mut d = file.parent()?;
    while d.starts_with(root) && d != root {
        if ["kustomization.yaml", "kustomization.yml", "Kustomization"]
            .iter()
            .any(|k| d.join(k).is_file())
        {
            return Some(d.to_path_buf());
        }
        d = d.parent()?;
    }
    None
}

#[test]
fn random_damage_never_panics_and_never_writes() {
    let scratch = Scratch::new("mutations");
    let repo = scratch.0.join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    copy(&project().join("fixtures/example"), &repo);
    // the repository's own policies and configuration are user input too
    fs::create_dir_all(repo.join("policies")).expect("mkdir");
    for p in ["replicas.yaml", "resources.yaml", "source-ref.yaml"] {
        fs::copy(
            project().join("policies").join(p),
            repo.join("policies").join(p),
        )
        .expect("copy policy");
    }
    fs::write(
        repo.join("fluxlint.yaml"),
        "environments:\n  - name: dev\n    path: clusters/dev\n  - name: staging\n    path: clusters/staging\n  - name: production\n    path: clusters/production\n    aliases: [prod]\n",
    )
    .expect("write fluxlint.yaml");
    let mut targets = files_below(&repo);
    targets.retain(|p| {
        p.extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "env")
    });
    assert!(targets.len() > 30, "{targets:?}");

    let (count, first) = match std::env::var("FLUXLINT_MUTATION") {
        Ok(s) => (1, s.parse().expect("FLUXLINT_MUTATION is a number")),
        Err(_) => (
            std::env::var("FLUXLINT_MUTATIONS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(300u64),
            0,
        ),
    };
    let repo_arg = repo.to_string_lossy().into_owned();
    let mut failures = Vec::new();
    let mut exits = [0usize; 3];
    for seed in first..first + count {
        let mut rng = Rng::new(seed);
        let rel = rng.pick(&targets).clone();
        let path = repo.join(&rel);
        let original = fs::read(&path).expect("read");
        let (broken, what) = mutate(&mut rng, &original);
        fs::write(&path, &broken).expect("write");
        let before = (seed % 10 == 0).then(|| snapshot(&repo));
        let case = format!("seed {seed}: {} {what}", rel.display());

        match run(&["check", &repo_arg, "--format", "json"]) {
            Err(p) => failures.push(format!("{case}: check panicked: {p}")),
            Ok((code, out, err)) => {
                match [0u8, 1, 2].iter().position(|c| ExitCode::from(*c) == code) {
                    Some(i) => {
                        exits[i] += 1;
                        if i < 2 && serde_json::from_str::<serde_json::Value>(&out).is_err() {
                            failures.push(format!("{case}: check printed no JSON: {out}"));
                        }
                        if i == 2 && err.trim().is_empty() {
                            failures.push(format!("{case}: exit 2 without a message"));
                        }
                    }
                    None => failures.push(format!("{case}: check exit {code:?}\n{err}")),
                }
            }
        }
        if let Some(dir) = kustomization_dir(&repo, &path) {
            let dir = dir.to_string_lossy().into_owned();
            match run(&["build", &dir, "--origins"]) {
                Err(p) => failures.push(format!("{case}: build panicked: {p}")),
                Ok((code, _, err)) => {
                    if code != ExitCode::SUCCESS && code != ExitCode::from(1) {
                        failures.push(format!("{case}: build exit {code:?}\n{err}"));
                    } else if code != ExitCode::SUCCESS && err.trim().is_empty() {
                        failures.push(format!("{case}: build failed without a message"));
                    }
                }
            }
        }
        if let Some(before) = before
            && snapshot(&repo) != before
        {
            failures.push(format!("{case}: the repository changed"));
        }
        fs::write(&path, &original).expect("restore");
    }
    assert!(
        failures.is_empty(),
        "{} of {count} mutations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // the mutations reach every outcome: a test that only ever saw clean repositories would
    // prove little
    if count >= 100 {
        assert!(exits.iter().all(|n| *n > 0), "exit codes 0/1/2: {exits:?}");
    }
}
