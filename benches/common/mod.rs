//! What both benchmarks share: the generated repository and peak memory.

use std::path::PathBuf;
use std::process::Command;

/// `target/bench-repo-N` (N = `FLUXLINT_BENCH_APPS`, default 1000), generated once with
/// `gen-repo` (`../shared/bench/gen-repo` beside the checkout, or `FLUXLINT_GEN_REPO`); the
/// canonical path and N. Exits with status 1 when it cannot be generated: a benchmark that measured
/// nothing must not look like one that passed.
pub fn bench_repo() -> (PathBuf, usize) {
    let apps: usize = std::env::var("FLUXLINT_BENCH_APPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let gen_repo = std::env::var("FLUXLINT_GEN_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../shared/bench/gen-repo"));
    let repo = manifest.join(format!("target/bench-repo-{apps}"));
    if !repo.join("apps").is_dir() {
        let st = Command::new("python3")
            .arg(&gen_repo)
            .args(["--apps", &apps.to_string(), "--out"])
            .arg(&repo)
            .status();
        if !matches!(st, Ok(s) if s.success()) {
            eprintln!(
                "error: cannot generate the repo with python3 {} (set FLUXLINT_GEN_REPO to gen-repo)",
                gen_repo.display()
            );
            std::process::exit(1);
        }
    }
    (repo.canonicalize().unwrap_or(repo), apps)
}

/// Peak resident memory of this process so far, in KiB (0 where /proc is missing).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
