//! What the CI formats say about rules: every rule a run knows (the active policies, plus the
//! `suppression` rule of `# fluxlint-ignore` comments), and how findings group into suites — one
//! per checked environment, one for the repository-wide rules — with a case per rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::Check;
use crate::rules::Scope;

use super::Report;

/// The suite of repository-wide rules and of findings that belong to no environment.
pub const REPOSITORY: &str = "repository";

/// A rule as the formats describe it.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Shipped with fluxlint: documented under `docs/rules/<id>.md`.
    pub shipped: bool,
    pub scope: Scope,
}

const SUPPRESSION_SUMMARY: &str =
    "`# fluxlint-ignore` comments name a rule, give a reason and suppress something";
const SUPPRESSION_DESCRIPTION: &str = "## What it checks\n\n\
A comment `# fluxlint-ignore <rule> -- <reason>` suppresses that rule's findings on its line or \
the line below. A comment without a rule or without a reason is an error; one that suppresses \
nothing is a warning.\n\n## How to fix\n\nName the rule, give the reason after `--`, and remove \
suppressions that no longer suppress anything.\n";

/// Every rule of the run, sorted by id; rules that only appear in findings are added.
pub fn rules(r: &Report) -> Vec<RuleInfo> {
    let shipped: Vec<&str> = crate::policy::load::DEFAULTS
        .iter()
        .filter_map(|(file, _)| file.strip_suffix(".yaml"))
        .collect();
    let mut out: Vec<RuleInfo> = r
        .policies
        .iter()
        .map(|p| RuleInfo {
            id: p.id.clone(),
            severity: p.severity,
            summary: p.summary.clone(),
            description: p.description.clone(),
            shipped: shipped.contains(&p.id.as_str()),
            scope: match &p.check {
                Check::Builtin { name, .. } => {
                    crate::rules::builtin(name).map_or(Scope::Env, |b| b.scope)
                }
                Check::Assert(_) => Scope::Env,
            },
        })
        .collect();
    if !out.iter().any(|x| x.id == crate::suppress::RULE) {
        out.push(RuleInfo {
            id: crate::suppress::RULE.to_string(),
            severity: Severity::Error,
            summary: SUPPRESSION_SUMMARY.to_string(),
            description: SUPPRESSION_DESCRIPTION.to_string(),
            shipped: false,
            scope: Scope::Repo,
        });
    }
    for d in r.diagnostics {
        if !out.iter().any(|x| x.id == d.rule) {
            out.push(RuleInfo {
                id: d.rule.clone(),
                severity: d.severity,
                summary: format!("rule {}", d.rule),
                description: String::new(),
                shipped: false,
                scope: if d.environment.is_some() {
                    Scope::Env
                } else {
                    Scope::Repo
                },
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// One rule in one suite, with its findings (in report order).
pub struct Case<'a> {
    pub rule: String,
    pub diagnostics: Vec<&'a Diagnostic>,
}

/// The repository suite or one environment's.
pub struct Suite<'a> {
    pub name: String,
    /// `None` for the repository suite.
    pub environment: Option<String>,
    pub cases: Vec<Case<'a>>,
}

/// The repository suite first, then one per checked environment; a case for every rule that
/// applies there (sorted by id), findings attached.
pub fn suites<'a>(r: &'a Report) -> Vec<Suite<'a>> {
    let rules = rules(r);
    let case = |id: &str| Case {
        rule: id.to_string(),
        diagnostics: Vec::new(),
    };
    let mut out = vec![Suite {
        name: REPOSITORY.to_string(),
        environment: None,
        cases: rules
            .iter()
            .filter(|x| x.scope == Scope::Repo)
            .map(|x| case(&x.id))
            .collect(),
    }];
    for e in &r.environments {
        let mut names: Vec<&str> = vec![e.name.as_str()];
        names.extend(e.aliases.iter().map(String::as_str));
        let applies = |id: &str| {
            r.policies
                .iter()
                .find(|p| p.id == id)
                .is_none_or(|p| p.applies_to(&names))
        };
        out.push(Suite {
            name: e.name.clone(),
            environment: Some(e.name.clone()),
            cases: rules
                .iter()
                .filter(|x| x.scope == Scope::Env && applies(&x.id))
                .map(|x| case(&x.id))
                .collect(),
        });
    }
    for d in r.diagnostics {
        let si = match &d.environment {
            Some(env) => match out
                .iter()
                .position(|s| s.environment.as_deref() == Some(env.as_str()))
            {
                Some(i) => i,
                None => {
                    out.push(Suite {
                        name: env.clone(),
                        environment: Some(env.clone()),
                        cases: Vec::new(),
                    });
                    out.len() - 1
                }
            },
            None => 0,
        };
        let suite = &mut out[si];
        let ci = match suite.cases.iter().position(|c| c.rule == d.rule) {
            Some(i) => i,
            None => {
                let at = suite.cases.partition_point(|c| c.rule < d.rule);
                suite.cases.insert(at, case(&d.rule));
                at
            }
        };
        suite.cases[ci].diagnostics.push(d);
    }
    out
}
