//! Benchmark: `fluxlint build` of `apps/overlays/production` in a `gen-repo --apps N` repository,
//! against `kubectl kustomize` on the same tree.
//!
//! `cargo bench --bench build` (N = 1000; `FLUXLINT_BENCH_APPS=N` to change it). Needs python3 and
//! `../shared/bench/gen-repo` (or `FLUXLINT_GEN_REPO=path`). Prints wall times (min and median of
//! the runs), peak memory of one build in a fresh process, and the speed-up over kubectl.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fluxlint::kustomize::{self, loader::LoadRestrictor, loader::Loader};
use fluxlint::source::SourceMap;
use fluxlint::yaml::emit;

// the same allocator as the binary
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn build_once(root: &Path, dir: &Path) -> usize {
    let sources = Arc::new(SourceMap::new());
    let loader = match Loader::new(root, LoadRestrictor::RootOnly, sources) {
        Ok(l) => l,
        Err(e) => panic!("loader: {}", e.message),
    };
    match kustomize::build(&loader, dir) {
        Ok(r) => emit::emit_stream(r.resources.iter().map(|r| &r.node), None).len(),
        Err(e) => panic!("build failed: {}", e.message),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // child mode: one build, then report peak memory
    if args.len() >= 4 && args[1] == "--once" {
        let bytes = build_once(Path::new(&args[2]), Path::new(&args[3]));
        println!("{bytes} {}", common::peak_rss_kb());
        return;
    }
    let (root, apps) = common::bench_repo();
    let dir = root.join("apps/overlays/production");

    let runs = 10;
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        bytes = build_once(&root, &dir);
        times.push(t.elapsed());
    }
    times.sort();
    let min = times[0];
    let median = times[runs / 2];

    let exe = std::env::current_exe().unwrap_or_default();
    let peak = Command::new(exe)
        .arg("--once")
        .arg(&root)
        .arg(&dir)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);

    println!("fluxlint build, {apps} apps, apps/overlays/production ({bytes} bytes of YAML)");
    println!(
        "  fluxlint: min {:.1} ms, median {:.1} ms over {runs} runs; peak memory {:.1} MB",
        ms(min),
        ms(median),
        peak as f64 / 1024.0
    );
    let t = Instant::now();
    match Command::new("kubectl").arg("kustomize").arg(&dir).output() {
        Ok(o) if o.status.success() => {
            let k = t.elapsed();
            println!("  kubectl kustomize: {:.1} ms (one run)", ms(k));
            println!(
                "  speed-up: {:.0}x (kubectl / fluxlint median)",
                k.as_secs_f64() / median.as_secs_f64()
            );
        }
        _ => println!("  kubectl kustomize: not available"),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
