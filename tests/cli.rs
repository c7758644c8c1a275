//! The binary, end to end: exit codes, diagnostics with file:line:col, and hostile input.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

struct Tree {
    dir: PathBuf,
}

impl Tree {
    fn new(name: &str, files: &[(&str, &str)]) -> Tree {
        let dir = std::env::temp_dir().join(format!("fluxlint-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, text).expect("write");
        }
        fs::create_dir_all(&dir).expect("mkdir");
        Tree { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Every file and its content, to prove that nothing was written.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.dir, &mut out);
        out.sort();
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&p, out);
        } else if ft.is_file() {
            out.push((p.clone(), fs::read(&p).unwrap_or_default()));
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn fluxlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxlint"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fluxlint")
}

fn build(tree: &Tree, sub: &str) -> Output {
    let dir = tree.path(sub);
    let root = tree.dir.to_string_lossy().into_owned();
    fluxlint(&["build", &dir.to_string_lossy(), "--root", &root])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const DEPLOY: &str =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n";

#[test]
fn renders_and_exits_zero() {
    let t = Tree::new(
        "ok",
        &[
            ("kustomization.yaml", "resources:\n- d.yaml\n"),
            ("d.yaml", DEPLOY),
        ],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("kind: Deployment") && out.contains("replicas: 1"),
        "{out}"
    );
}

#[test]
fn yaml_syntax_error_points_at_line_and_column() {
    let before = "resources:\n- d.yaml\n";
    let t = Tree::new(
        "syntax",
        &[
            ("kustomization.yaml", before),
            (
                "d.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a, b\n",
            ),
        ],
    );
    let snap = t.snapshot();
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("d.yaml:5:1") || e.contains("d.yaml:4:"), "{e}");
    assert_eq!(t.snapshot(), snap, "fluxlint wrote into the tree");
}

#[test]
fn missing_resource_names_the_kustomization_line() {
    let t = Tree::new(
        "missing",
        &[
            ("kustomization.yaml", "resources:\n- d.yaml\n- nope.yaml\n"),
            ("d.yaml", DEPLOY),
        ],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("kustomization.yaml:3:3") && e.contains("nope.yaml"),
        "{e}"
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let t = Tree::new(
        "dup",
        &[
            ("kustomization.yaml", "resources:\n- a.yaml\n- b.yaml\n"),
            ("a.yaml", DEPLOY),
            ("b.yaml", DEPLOY),
        ],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already registered id"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn kustomization_cycles_are_refused() {
    let t = Tree::new(
        "cycle",
        &[
            ("a/kustomization.yaml", "resources:\n- ../b\n"),
            ("b/kustomization.yaml", "resources:\n- ../a\n"),
        ],
    );
    let o = build(&t, "a");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cycle"), "{}", stderr(&o));
}

#[test]
fn paths_that_escape_the_root_are_refused() {
    let t = Tree::new(
        "escape",
        &[(
            "app/kustomization.yaml",
            "resources:\n- ../../../../../../etc/passwd\n",
        )],
    );
    let dir = t.path("app");
    let root = dir.to_string_lossy().into_owned();
    let o = fluxlint(&["build", &root, "--root", &root]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outside the repository root"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_escaping_symlinks_are_refused() {
    let t = Tree::new(
        "symlink",
        &[("kustomization.yaml", "resources:\n- loop.yaml\n")],
    );
    std::os::unix::fs::symlink(t.path("loop.yaml"), t.path("loop.yaml")).expect("symlink");
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("symbolic links"), "{}", stderr(&o));

    let t = Tree::new(
        "symlink-out",
        &[("kustomization.yaml", "resources:\n- out.yaml\n")],
    );
    std::os::unix::fs::symlink("/etc/hostname", t.path("out.yaml")).expect("symlink");
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outside the repository root"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn alias_bombs_end_quickly_with_a_diagnostic() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let t = Tree::new(
        "bomb",
        &[
            ("kustomization.yaml", "resources:\n- bomb.yaml\n"),
            ("bomb.yaml", &bomb),
        ],
    );
    let start = Instant::now();
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("billion laughs"), "{}", stderr(&o));
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn unknown_fields_and_unsupported_features_are_diagnosed() {
    let t = Tree::new(
        "unknown",
        &[
            (
                "kustomization.yaml",
                "resources:\n- d.yaml\nnamePrefx: x-\n",
            ),
            ("d.yaml", DEPLOY),
        ],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("kustomization.yaml:3:1") && e.contains("namePrefx"),
        "{e}"
    );

    let t = Tree::new(
        "helm",
        &[("kustomization.yaml", "helmCharts:\n- name: redis\n")],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("helmCharts"), "{}", stderr(&o));

    let t = Tree::new(
        "remote",
        &[(
            "kustomization.yaml",
            "resources:\n- https://github.com/example/repo//deploy?ref=v1\n",
        )],
    );
    let o = build(&t, ".");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("remote resource"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(fluxlint(&[]).status.code(), Some(2));
    assert_eq!(fluxlint(&["build"]).status.code(), Some(2));
    assert_eq!(
        fluxlint(&["build", "/nonexistent/fluxlint/dir"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        fluxlint(&["build", ".", "--load-restrictor", "bogus"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn origins_mark_values_set_by_patches() {
    let t = Tree::new(
        "origins",
        &[
            (
                "kustomization.yaml",
                "resources:\n- d.yaml\npatches:\n- path: p.yaml\n",
            ),
            ("d.yaml", DEPLOY),
            (
                "p.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
            ),
        ],
    );
    let dir = t.dir.to_string_lossy().into_owned();
    let o = fluxlint(&["build", &dir, "--root", &dir, "--origins"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("replicas: 3 # p.yaml:6"), "{out}");
    assert!(
        !out.contains("name: web #"),
        "identity fields keep their base origin:\n{out}"
    );
}
