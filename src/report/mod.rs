//! Output formats for `check`, one file per `--format` value. Reporters ask the `SourceMap` for
//! locations (through [`locate`] for the CI formats); they never compute line:column themselves.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod locate;
pub mod rules;
pub mod sarif;
pub mod shown;

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::Policy;
use crate::source::SourceMap;

/// What a report needs besides the diagnostics.
pub struct Summary {
    pub environments: usize,
    pub overlays: usize,
    pub resources: usize,
    pub files: usize,
    pub elapsed_ms: u128,
}

/// A checked environment: its name and other names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvName {
    pub name: String,
    pub aliases: Vec<String>,
}

/// Everything a reporter gets.
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceMap,
    pub summary: Summary,
    /// The repository root fluxlint found (canonical).
    pub root: &'a Path,
    /// The active policies (the rules a run knows).
    pub policies: &'a [Policy],
    /// The environments that were checked, in order.
    pub environments: Vec<EnvName>,
    /// Findings at or above this severity fail the run (JUnit failures, the summary's verdict).
    pub fail_on: Severity,
    /// Base URL of the rule docs (`<url><id>.md`) when the user gave one.
    pub docs_url: Option<&'a str>,
    /// What fluxlint saw in each reported environment.
    pub inventory: &'a [crate::flux::inventory::Inventory],
}

/// "rendered N of M Flux Kustomizations" and why the others were not, for the human summary;
/// `None` when no environment applies any.
pub fn coverage_phrase(r: &Report) -> Option<String> {
    use crate::flux::inventory::Status;
    let (mut rendered, mut total) = (0, 0);
    let mut why: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for inv in r.inventory {
        let (a, b) = inv.kustomizations();
        rendered += a;
        total += b;
        for it in inv
            .items
            .iter()
            .filter(|i| i.kind == "Kustomization" && i.in_repo)
        {
            match it.status {
                Status::Rendered => {}
                Status::Failed => *why.entry("failed").or_default() += 1,
                Status::NotChecked => *why.entry("not checked").or_default() += 1,
            }
        }
    }
    if total == 0 {
        return None;
    }
    let mut out = format!("rendered {rendered} of {total} Flux Kustomizations");
    if !why.is_empty() {
        let parts: Vec<String> = why.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out.push_str(&format!(" ({}; see the render findings)", parts.join(", ")));
    }
    Some(out)
}

/// "N errors, N warnings, N infos in N environments (N overlays, N resources": the counts every
/// reporter states, in the same words.
pub fn counts_phrase(r: &Report) -> String {
    let c = crate::engine::count(r.diagnostics);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{} error{}, {} warning{}, {} info{} in {} environment{} ({} overlays, {} resources",
        c.errors,
        plural(c.errors),
        c.warnings,
        plural(c.warnings),
        c.infos,
        plural(c.infos),
        r.summary.environments,
        plural(r.summary.environments),
        r.summary.overlays,
        r.summary.resources,
    )
}
