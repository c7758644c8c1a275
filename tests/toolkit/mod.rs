//! Helpers of the tests of the commands around `check` (tests/tools.rs, tests/rule_docs.rs).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bless() -> bool {
    std::env::var_os("FLUXLINT_BLESS").is_some()
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fluxlint")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch directory, removed at the end.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
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

/// Every file below a directory, as paths relative to it, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for p in rd.flatten().map(|e| e.path()) {
            if p.is_dir() {
                walk(&p, base, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub fn copy(from: &Path, to: &Path) {
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
pub fn materialize(case: &str, into: &Path) {
    copy(&project().join("fixtures/example"), into);
    overlay(case, into);
}

/// Lays a case directory over a repository: its `.fluxlint-delete` list first, then its files.
fn overlay(case: &str, into: &Path) {
    let case_dir = project().join(case);
    if let Ok(list) = fs::read_to_string(case_dir.join(".fluxlint-delete")) {
        for l in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let p = into.join(l);
            let _ = fs::remove_file(&p).or_else(|_| fs::remove_dir_all(&p));
        }
    }
    copy(&case_dir, into);
}

/// The example repo with cases of `fixtures/err` (`rule/case`) laid over it, in a scratch
/// directory removed at the end.
pub struct Example(pub Scratch);

impl Example {
    pub fn with(name: &str, cases: &[&str]) -> Example {
        let s = Scratch::new(name);
        copy(&project().join("fixtures/example"), &s.0);
        for c in cases {
            overlay(&format!("fixtures/err/{c}"), &s.0);
        }
        Example(s)
    }

    pub fn dir(&self) -> &Path {
        &self.0.0
    }

    pub fn path(&self) -> String {
        self.0.0.to_string_lossy().into_owned()
    }
}

/// `fluxlint ARGS` with `NO_COLOR`, `GITHUB_STEP_SUMMARY` set to `summary` or removed.
pub fn fluxlint_with_summary(args: &[&str], summary: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fluxlint"));
    cmd.args(args).env("NO_COLOR", "1");
    match summary {
        Some(p) => cmd.env("GITHUB_STEP_SUMMARY", p),
        None => cmd.env_remove("GITHUB_STEP_SUMMARY"),
    };
    cmd.output().expect("run fluxlint")
}

/// `fluxlint ARGS` with `NO_COLOR`.
pub fn fluxlint(args: &[&str]) -> Output {
    fluxlint_with_summary(args, None)
}
