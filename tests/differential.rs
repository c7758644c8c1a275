//! Differential test: random kustomize trees (base → env overlay → region overlay, components,
//! generators, patches, transformers), built by fluxlint and by `kubectl kustomize`, must agree.
//!
//! - `FLUXLINT_SEEDS=<count>` runs seeds `0..count` (default 200);
//! - `FLUXLINT_SEED=<n>` runs only seed `n` and keeps its tree; `FLUXLINT_KEEP=1` keeps every tree;
//! - `FLUXLINT_SHOW=<n>` prints the first `n` differences (default 5);
//! - a seed that differs keeps its tree in `target/differential/<seed>/` (the file `BUILD` names the
//!   directory that was built), so `kubectl kustomize target/differential/<seed>/<BUILD>` reproduces it.
//!
//! When kubectl is not on PATH the test is skipped.

mod common;
#[path = "differential/generators.rs"]
mod generators;
#[path = "differential/json6902.rs"]
mod json6902;
#[path = "differential/kust.rs"]
mod kust;
#[path = "differential/layout.rs"]
mod layout;
#[path = "differential/model.rs"]
mod model;
#[path = "differential/patches.rs"]
mod patches;
#[path = "differential/resources.rs"]
mod resources;
#[path = "differential/rng.rs"]
mod rng;
#[path = "differential/transformers.rs"]
mod transformers;
#[path = "differential/yaml.rs"]
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use fluxlint::kustomize::loader::LoadRestrictor;

use common::{compare_streams, fluxlint_build, has_kubectl, kubectl_build, project_root};

const DEFAULT_SEEDS: u64 = 200;
const SHOWN_DIFFERENCES: usize = 5;
const MAX_DIFF_LINES: usize = 60;

enum Outcome {
    Match { kubectl_failed: bool },
    Differ(String),
}

fn seeds() -> (Vec<u64>, bool) {
    if let Some(n) = env_u64("FLUXLINT_SEED") {
        return (vec![n], true);
    }
    let count = env_u64("FLUXLINT_SEEDS").unwrap_or(DEFAULT_SEEDS);
    let keep = std::env::var_os("FLUXLINT_KEEP").is_some();
    ((0..count).collect(), keep)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name} must be a number, got {v:?}"),
    }
}

fn out_dir(seed: u64) -> PathBuf {
    project_root()
        .join("target/differential")
        .join(seed.to_string())
}

/// Generates, writes and builds one seed both ways.
fn run_seed(seed: u64, keep: bool) -> Outcome {
    let tree = layout::generate(seed);
    let root = out_dir(seed);
    let _ = std::fs::remove_dir_all(&root);
    if let Err(e) = tree.write(&root) {
        return Outcome::Differ(format!("cannot write the tree: {e}"));
    }
    let dir = root.join(&tree.build);
    let outcome = compare(&root, &dir);
    if !keep && matches!(outcome, Outcome::Match { .. }) {
        let _ = std::fs::remove_dir_all(&root);
    }
    outcome
}

fn compare(root: &Path, dir: &Path) -> Outcome {
    let Some(expected) = kubectl_build(dir, LoadRestrictor::RootOnly) else {
        return Outcome::Differ("kubectl could not be run".into());
    };
    let actual = fluxlint_build(root, dir, LoadRestrictor::RootOnly);
    match (expected, actual) {
        (Ok(e), Ok(a)) => match compare_streams(&e, &a) {
            Ok(()) => Outcome::Match {
                kubectl_failed: false,
            },
            Err(d) => Outcome::Differ(with_line_diff(&d)),
        },
        (Err(_), Err(_)) => Outcome::Match {
            kubectl_failed: true,
        },
        (Ok(_), Err(m)) => Outcome::Differ(format!("fluxlint failed, kubectl rendered: {m}")),
        (Err(k), Ok(_)) => Outcome::Differ(format!(
            "kubectl failed, fluxlint rendered; kubectl said: {}",
            k.trim()
        )),
    }
}

/// Runs the seeds on a few threads; results in seed order.
fn run_all(seeds: &[u64], keep: bool) -> Vec<(u64, Outcome)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&seed) = seeds.get(i) else { break };
                    let outcome = run_seed(seed, keep);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((seed, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(seed, _)| *seed);
    results
}

/// Replaces the two full documents of a "resource differs" report by the lines that differ.
fn with_line_diff(report: &str) -> String {
    let Some((head, rest)) = report.split_once("--- expected\n") else {
        return report.to_string();
    };
    let Some((expected, actual)) = rest.split_once("--- actual\n") else {
        return report.to_string();
    };
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    // longest common subsequence: the documents are small
    let mut lcs = vec![vec![0usize; a.len() + 1]; e.len() + 1];
    for i in (0..e.len()).rev() {
        for j in (0..a.len()).rev() {
            lcs[i][j] = if e[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let name = e
        .iter()
        .find_map(|l| l.strip_prefix("  name: "))
        .unwrap_or("?");
    let kind = e
        .iter()
        .find_map(|l| l.strip_prefix("kind: "))
        .unwrap_or("?");
    let mut out = format!(
        "{} in {kind} {name} (- kubectl, + fluxlint):\n",
        head.trim_end()
    );
    let (mut i, mut j) = (0, 0);
    while i < e.len() || j < a.len() {
        if i < e.len() && j < a.len() && e[i] == a[j] {
            i += 1;
            j += 1;
        } else if j < a.len() && (i == e.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", a[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", e[i]));
            i += 1;
        }
    }
    out
}

fn shorten(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_DIFF_LINES {
        return text.to_string();
    }
    format!(
        "{}\n... ({} more lines)",
        lines[..MAX_DIFF_LINES].join("\n"),
        lines.len() - MAX_DIFF_LINES
    )
}

#[test]
fn random_trees_render_like_kubectl() {
    if !has_kubectl() {
        eprintln!("differential: kubectl is not on PATH, skipped");
        return;
    }
    let (seeds, keep) = seeds();
    let started = std::time::Instant::now();
    let results = run_all(&seeds, keep);
    let rejected = results
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Outcome::Match {
                    kubectl_failed: true
                }
            )
        })
        .count();
    let differing: Vec<(u64, String)> = results
        .into_iter()
        .filter_map(|(seed, o)| match o {
            Outcome::Differ(d) => Some((seed, d)),
            Outcome::Match { .. } => None,
        })
        .collect();
    let matched = seeds.len() - differing.len();
    eprintln!(
        "differential: {matched}/{} seeds match kubectl ({rejected} rejected by both) in {:.1?}",
        seeds.len(),
        started.elapsed()
    );
    let shown = env_u64("FLUXLINT_SHOW").map_or(SHOWN_DIFFERENCES, |n| n as usize);
    for (seed, d) in differing.iter().take(shown) {
        let root = out_dir(*seed);
        let build = std::fs::read_to_string(root.join("BUILD")).unwrap_or_default();
        eprintln!(
            "\n--- seed {seed}: FLUXLINT_SEED={seed} cargo test --test differential; tree kept in {}/{}\n{}",
            root.display(),
            build.trim(),
            shorten(d)
        );
    }
    let all: Vec<String> = differing.iter().map(|(s, _)| s.to_string()).collect();
    assert!(
        differing.is_empty(),
        "differential: {} of {} seeds differ from kubectl: {}",
        differing.len(),
        seeds.len(),
        all.join(" ")
    );
}

#[test]
fn generation_is_deterministic() {
    for seed in 0..64 {
        let a = layout::generate(seed);
        let b = layout::generate(seed);
        assert_eq!(a.build, b.build, "seed {seed}");
        assert_eq!(a.files, b.files, "seed {seed}");
        assert!(
            a.files.keys().any(|f| f.starts_with(&a.build)),
            "seed {seed}: nothing written in {}",
            a.build
        );
    }
}
