//! The work list: every (environment × policy) pair, and repository-wide policies once, on rayon.
//! Results are collected, sorted and deduplicated, so the output does not depend on thread count.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity, sort_and_dedup};
use crate::flux::Repo;
use crate::policy::{Check, Policy};
use crate::rules::{self, Ctx, Scope};

/// Runs every policy over the repository.
pub fn run(repo: &Repo, policies: &[Policy]) -> Vec<Diagnostic> {
    let mut jobs: Vec<(usize, Option<usize>)> = Vec::new();
    for (pi, p) in policies.iter().enumerate() {
        let scope = match &p.check {
            Check::Builtin { name, .. } => rules::builtin(name).map(|b| b.scope),
            Check::Assert(_) => Some(Scope::Env),
        };
        match scope {
            Some(Scope::Repo) => jobs.push((pi, None)),
            Some(Scope::Env) => {
                for (ei, e) in repo.environments.iter().enumerate() {
                    let mut names: Vec<&str> = vec![e.name.as_str()];
                    names.extend(e.aliases.iter().map(String::as_str));
                    if p.applies_to(&names) {
                        jobs.push((pi, Some(ei)));
                    }
                }
            }
            None => {}
        }
    }
    let mut diags: Vec<Diagnostic> = jobs
        .par_iter()
        .flat_map_iter(|&(pi, ei)| {
            let policy = &policies[pi];
            let ctx = Ctx {
                repo,
                env: ei.map(|i| &repo.environments[i]),
                policy,
            };
            match &policy.check {
                Check::Builtin { name, .. } => match rules::builtin(name) {
                    Some(b) => (b.run)(&ctx),
                    None => Vec::new(),
                },
                Check::Assert(_) => Vec::new(),
            }
        })
        .collect();
    sort_and_dedup(&mut diags, &repo.sources);
    diags
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn count(diags: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in diags {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}
