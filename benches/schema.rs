//! Benchmark: the `schema` rule over every rendered object of a `gen-repo --apps N` repository
//! (N = 1000 by default: 9,616 objects in three environments), and schema validation of 10,000
//! objects.
//!
//! `cargo bench --bench schema`. Prints the first run (parsing the built-in bundle and compiling
//! the validators of the kinds it meets) apart from the warm runs (min and median of 10). Target:
//! 10,000 objects validated in under 100 ms on 2 cores.

mod common;

use std::time::{Duration, Instant};

use fluxlint::flux::discover;
use fluxlint::rules::{Ctx, builtin};
use rayon::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let (root, apps) = common::bench_repo();
    let envs = discover::environments(&root).unwrap_or_else(|e| panic!("{}", e.message));
    let repo = discover::load(&root, &envs).unwrap_or_else(|e| panic!("{}", e.message));
    let policies = fluxlint::policy::load::load(&repo.sources, None)
        .unwrap_or_else(|e| panic!("{}", e.message));
    let Some(policy) = policies.iter().find(|p| p.id == "schema") else {
        panic!("no schema policy");
    };
    let Some(rule) = builtin("schema") else {
        panic!("no schema built-in");
    };
    let ctx = Ctx {
        repo: &repo,
        env: None,
        policy,
    };
    let objects: Vec<_> = repo
        .environments
        .iter()
        .flat_map(|e| e.objects.iter())
        .collect();

    let t = Instant::now();
    let found = (rule.run)(&ctx).len();
    let first = t.elapsed();
    let mut warm: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let _ = (rule.run)(&ctx);
            t.elapsed()
        })
        .collect();
    warm.sort();

    // 10,000 objects: the repository's, repeated
    let ten_k: Vec<_> = objects.iter().cycle().take(10_000).collect();
    let bundle = fluxlint::schema::bundle();
    let mut validate: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let problems: usize = ten_k
                .par_iter()
                .map(|a| {
                    let r = &a.resource;
                    match bundle.get(r.api_version(), r.kind()) {
                        Some((c, _)) => fluxlint::schema::validate(c, &r.node, &|_| false).len(),
                        None => 0,
                    }
                })
                .sum();
            assert_eq!(problems, 0, "the generated repository is valid");
            t.elapsed()
        })
        .collect();
    validate.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "schema rule, gen-repo --apps {apps} ({} objects, {} threads): first run {:.1} ms, then {:.1} ms min, {:.1} ms median ({found} findings)",
        objects.len(),
        rayon::current_num_threads(),
        ms(first),
        ms(warm[0]),
        ms(warm[warm.len() / 2]),
    );
    println!(
        "validate 10,000 objects: {:.1} ms min, {:.1} ms median (target < 100 ms); peak {} MB",
        ms(validate[0]),
        ms(validate[validate.len() / 2]),
        common::peak_rss_kb() / 1024,
    );
}
