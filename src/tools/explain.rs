//! `fluxlint rules` and `fluxlint explain RULE`: the rule documentation, built from the active
//! policies (their summary, severity, environments and markdown description) plus the reserved
//! `suppression` rule. `docs/rules/<id>.md` holds the same text for the default policies; a test
//! keeps them equal, and re-runs the example of each (the output shown must be real).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{EXIT_OK, EXIT_USAGE, ExplainArgs, PoliciesArg};
use crate::policy::{Check, Policy, did_you_mean};
use crate::source::SourceMap;

use super::Active;

/// The documentation of the `suppression` rule (reported by the engine, not by a policy).
pub const SUPPRESSION_DOC: &str = include_str!("suppression.md");
const SUPPRESSION_SUMMARY: &str =
    "every fluxlint-ignore comment gives a reason and suppresses something";

/// One line per rule: id, severity, summary.
pub fn list(active: &Active) -> String {
    let mut rows: Vec<(String, String, String)> = active
        .policies
        .iter()
        .map(|p| (p.id.clone(), p.severity.to_string(), p.summary.clone()))
        .collect();
    rows.push((
        crate::suppress::RULE.to_string(),
        "error/warning".to_string(),
        SUPPRESSION_SUMMARY.to_string(),
    ));
    rows.sort();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(id, sev, summary)| format!("{id:w0$}  {sev:w1$}  {summary}\n"))
        .collect()
}

/// The documentation of a rule, as markdown.
pub fn doc(active: &Active, id: &str) -> Option<String> {
    if id == crate::suppress::RULE {
        return Some(suppression_doc());
    }
    active.get(id).map(|p| policy_doc(p, &active.sources))
}

fn suppression_doc() -> String {
    format!(
        "# {}\n\n{SUPPRESSION_SUMMARY}.\n\n- Severity: error (no reason), warning (suppresses nothing)\n\
         - Environments: all\n- Check: built into the engine; it cannot be turned off or suppressed\n\n{}",
        crate::suppress::RULE,
        SUPPRESSION_DOC.trim_start()
    )
}

fn policy_doc(p: &Policy, sources: &SourceMap) -> String {
    let envs = if p.environments.is_empty() {
        "all".to_string()
    } else {
        p.environments
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let check = match &p.check {
        Check::Builtin { name, .. } => format!("built-in `{name}`"),
        Check::Assert(a) => format!(
            "{} field assertion{}",
            a.len(),
            if a.len() == 1 { "" } else { "s" }
        ),
    };
    let file = sources.get(p.span.file);
    let shown = file.as_ref().map_or(String::new(), |f| {
        match f.display.strip_prefix("<built-in>/") {
            Some(rest) => format!("`{rest}` (built in)"),
            None => format!("`{}`", f.display),
        }
    });
    let summary = p.summary.trim_end_matches('.');
    let mut out = format!(
        "# {}\n\n{summary}.\n\n- Severity: {}\n- Environments: {envs}\n- Check: {check}\n- Policy: {shown}\n\n",
        p.id, p.severity
    );
    let description = p.description.trim();
    if description.is_empty() {
        out.push_str("(This policy has no description.)\n");
    } else {
        out.push_str(description);
        out.push('\n');
    }
    if let Some(yaml) = file.as_ref().and_then(|f| {
        let text = f.text.get(p.span.start as usize..p.span.end as usize)?;
        Some(without_description(text))
    }) {
        out.push_str(&format!(
            "\n## Configuration\n\nThe policy, without its description. A repository changes it with a policy of \
             the same id in its own `policies/` (see `docs/policies.md`):\n\n```yaml\n{yaml}```\n"
        ));
    }
    out
}

/// A policy document's text without its `description:` block.
fn without_description(text: &str) -> String {
    let mut out = String::new();
    let mut skipping: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(i) = skipping {
            if line.trim().is_empty() || indent > i {
                continue;
            }
            skipping = None;
        }
        if line.trim_start().starts_with("description:") {
            skipping = Some(indent);
            continue;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn rules(
    args: &PoliciesArg,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    match super::load_for(args, color, stderr) {
        Ok(active) => {
            let _ = stdout.write_all(list(&active).as_bytes());
            ExitCode::from(EXIT_OK)
        }
        Err(code) => code,
    }
}

pub fn run(
    args: &ExplainArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let active = match super::load_for(&args.policies, color, stderr) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match doc(&active, &args.rule) {
        Some(text) => {
            let _ = stdout.write_all(text.as_bytes());
            ExitCode::from(EXIT_OK)
        }
        None => {
            let ids: Vec<&str> = active
                .policies
                .iter()
                .map(|p| p.id.as_str())
                .chain([crate::suppress::RULE])
                .collect();
            let _ = writeln!(stderr, "error: no rule \"{}\"", args.rule);
            match did_you_mean(&args.rule, ids.iter().copied()) {
                Some(s) => {
                    let _ = writeln!(stderr, "  help: did you mean \"{s}\"?");
                }
                None => {
                    let _ = writeln!(stderr, "  help: `fluxlint rules` lists the rules");
                }
            }
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_block_is_dropped() {
        let text = "kind: Policy\nspec:\n  severity: error\n  description: |\n    ## What\n\n    text\n  builtin: x\n";
        assert_eq!(
            without_description(text),
            "kind: Policy\nspec:\n  severity: error\n  builtin: x\n"
        );
    }

    #[test]
    fn every_default_rule_has_a_doc() {
        let active = super::super::load(None).unwrap_or_else(|e| panic!("{}", e.message));
        for p in &active.policies {
            let d = doc(&active, &p.id).unwrap_or_default();
            for section in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(d.contains(section), "{}: no {section}", p.id);
            }
        }
        assert!(list(&active).contains("suppression"));
    }
}
