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
                    Some(b) => selected(&ctx, (b.run)(&ctx)),
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

/// The repository-relative file a span is in ("" when none).
fn file_of(repo: &Repo, span: crate::source::Span) -> String {
    repo.sources
        .get(span.file)
        .map(|f| f.display.clone())
        .unwrap_or_default()
}

/// Is an object selected by the policy's `match` and not left out by its `exclude`?
fn selects(ctx: &Ctx, r: &crate::kustomize::resource::Resource) -> bool {
    let p = ctx.policy;
    if p.select.is_empty() && p.exclude.is_none() {
        return true;
    }
    let file = file_of(ctx.repo, r.doc_span);
    p.select.matches_in(r, &file) && !p.exclude.as_ref().is_some_and(|x| x.excludes(r, &file))
}

/// A built-in's findings, those its policy's `match`/`exclude` select: by the resource a finding
/// is about (when the environment has it) and by the file it points at.
fn selected(ctx: &Ctx, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let p = ctx.policy;
    if p.select.is_empty() && p.exclude.is_none() {
        return diags;
    }
    let by_id: std::collections::HashMap<String, &crate::kustomize::resource::Resource> = ctx
        .env
        .map(|e| {
            e.objects
                .iter()
                .map(|a| (flux::resource_id(&a.resource), &a.resource))
                .collect()
        })
        .unwrap_or_default();
    diags
        .into_iter()
        .filter(|d| {
            let file = file_of(ctx.repo, d.primary.span);
            if !p.select.matches_path(&file) {
                return false;
            }
            if p.exclude
                .as_ref()
                .is_some_and(|x| !x.paths.is_empty() && x.matches_path(&file))
            {
                return false;
            }
            match d.resource.as_deref().and_then(|id| by_id.get(id)) {
                Some(r) => {
                    let rf = file_of(ctx.repo, r.doc_span);
                    p.select.matches(r) && !p.exclude.as_ref().is_some_and(|x| x.excludes(r, &rf))
                }
                None => true,
            }
        })
        .collect()
}

/// A policy's field assertions over the selected objects of one environment.
fn assertions(ctx: &Ctx, list: &[Assertion]) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for applied in env.objects.iter().filter(|a| selects(ctx, &a.resource)) {
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
