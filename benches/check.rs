//! Benchmark: `fluxlint check` of a whole `gen-repo --apps N` repository (three environments).
//!
//! `cargo bench --bench check` (N = 1000; `FLUXLINT_BENCH_APPS=N` to change it). Needs python3 and
//! `../shared/bench/gen-repo` (or `FLUXLINT_GEN_REPO=path`). Prints wall times (min and median of the
//! runs) and the peak memory of one check in a fresh process. Target: under 1 s on 2 cores.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fluxlint::flux::discover;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn check_once(root: &Path) -> (usize, usize) {
    let envs = match discover::environments(root) {
        Ok(e) => e,
        Err(e) => panic!("environments: {}", e.message),
    };
    let repo = match discover::load(root, &envs) {
        Ok(r) => r,
        Err(e) => panic!("load: {}", e.message),
    };
    let policies = match fluxlint::policy::load::load(&repo.sources, None) {
        Ok(p) => p,
        Err(e) => panic!("policies: {}", e.message),
    };
    let diags = fluxlint::engine::run(&repo, &policies);
    let resources = repo.environments.iter().map(|e| e.objects.len()).sum();
    (resources, diags.len())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 3 && args[1] == "--once" {
        let _ = check_once(Path::new(&args[2]));
        println!("{}", common::peak_rss_kb());
        return;
    }
    let (root, apps) = common::bench_repo();
    let runs = 10;
    let mut times: Vec<Duration> = Vec::new();
    let mut result = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        result = check_once(&root);
        times.push(t.elapsed());
    }
    times.sort();
    let exe = std::env::current_exe().unwrap_or_default();
    let peak = Command::new(exe)
        .arg("--once")
        .arg(&root)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
    println!(
        "fluxlint check, {apps} apps, 3 environments ({} resources, {} findings)",
        result.0, result.1
    );
    println!(
        "  min {:.1} ms, median {:.1} ms over {runs} runs; peak memory {:.1} MB",
        times[0].as_secs_f64() * 1000.0,
        times[runs / 2].as_secs_f64() * 1000.0,
        peak as f64 / 1024.0
    );
}
