//! The work list: every (environment × policy) pair, and repository-wide policies once, on rayon.
//! Results are collected, suppressions (`# fluxlint-ignore`) applied, then sorted and deduplicated,
//! so the output does not depend on thread count.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity, sort_and_dedup};
use crate::flux::{self, Repo};
use crate::policy::{Assertion, Check, Policy, assert};
use crate::rules::{self, Ctx, Scope};

/// How a run is reported.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Report suppressions that suppress nothing. Only meaningful when every environment was
    /// checked: a suppression may be for an environment that was left out.
    pub report_unused_suppressions: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            report_unused_suppressions: true,
        }
    }
}

/// Runs every policy over the repository (every environment in it was checked).
pub fn run(repo: &Repo, policies: &[Policy]) -> Vec<Diagnostic> {
    run_with(repo, policies, Options::default())
}

/// Runs every policy over the repository.
pub fn run_with(repo: &Repo, policies: &[Policy], opts: Options) -> Vec<Diagnostic> {
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
                    let names: Vec<&str> = e.policy_names().collect();
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
                Check::Assert(list) => assertions(&ctx, list),
            }
        })
        .collect();
    sort_and_dedup(&mut diags, &repo.sources);
    let known: Vec<&str> = policies.iter().map(|p| p.id.as_str()).collect();
    let mut diags = crate::suppress::apply(
        diags,
        &repo.sources,
        &known,
        opts.report_unused_suppressions,
    );
    sort_and_dedup(&mut diags, &repo.sources);
    diags
}

/// A policy's field assertions over the selected objects of one environment.
fn assertions(ctx: &Ctx, list: &[Assertion]) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for applied in env
        .objects
        .iter()
        .filter(|a| ctx.policy.select.matches(&a.resource))
    {
        let r = &applied.resource;
        for a in list {
            for f in assert::evaluate(a, r, &env.name) {
                let d = ctx
                    .diag(f.message)
                    .help(f.help)
                    .resource(flux::resource_id(r));
                let mut d = match (f.value, f.anchor) {
                    (Some(v), _) => d.at_node(v, f.label),
                    (None, Some(n)) => d.at(n.span(), f.label),
                    (None, None) => d.at(r.doc_span, f.label),
                };
                if let Some(k) = env.applied_by(applied) {
                    d = d.note(
                        flux::path_span(&k.resource),
                        "brought into the environment by this Flux Kustomization",
                    );
                }
                out.push(d.note(a.span, format!("required by policy \"{}\"", ctx.policy.id)));
            }
        }
    }
    out
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
