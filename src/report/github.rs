//! `--format github`: one GitHub Actions workflow command per finding
//! (`::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`), which the runner turns
//! into annotations on the files; and [`summary`], the Markdown that `check` appends to
//! `$GITHUB_STEP_SUMMARY`.
//!
//! Escaping follows the runner: in the message `%`, CR and LF are percent-encoded; in property
//! values also `:` and `,`. Columns are given only for a region on one line: GitHub's annotations
//! reject a column range that spans lines.

use crate::diagnostic::{Diagnostic, Severity};

use super::Report;
use super::locate::Locator;
use super::rules::{rules, suites};

pub fn render(r: &Report) -> String {
    let locator = Locator::new(r.root);
    let mut out = String::new();
    for d in r.diagnostics {
        out.push_str(&command(d, &locator, r));
        out.push('\n');
    }
    out
}

fn command(d: &Diagnostic, locator: &Locator, r: &Report) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some(loc) = locator.locate(r.sources, d.primary.span) {
        props.push(("file", loc.file.display()));
        props.push(("line", loc.start_line.to_string()));
        props.push(("endLine", loc.end_line.to_string()));
        if loc.start_line == loc.end_line {
            props.push(("col", loc.start_col.to_string()));
            // GitHub's end column is the last character's
            let end = loc.end_col.saturating_sub(1).max(loc.start_col);
            props.push(("endColumn", end.to_string()));
        }
    }
    let title = match &d.environment {
        Some(e) => format!("fluxlint {} ({e})", d.rule),
        None => format!("fluxlint {}", d.rule),
    };
    props.push(("title", title));
    let mut message = d.message.clone();
    if let Some(res) = &d.resource {
        message.push_str(&format!("\nresource: {res}"));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!("::{name} {}::{}", props.join(","), escape_data(&message))
}

/// The message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Markdown for the job summary: the verdict, a table of rules × (repository, environments) with
/// the findings in each cell, then the findings themselves.
pub fn summary(r: &Report) -> String {
    let failed = r.diagnostics.iter().any(|d| d.severity >= r.fail_on);
    let mut out = String::from("## fluxlint\n\n");
    out.push_str(&format!(
        "{} **{})**",
        if failed { "❌" } else { "✅" },
        super::counts_phrase(r)
    ));
    out.push_str(&format!(", failing on `{}`\n\n", r.fail_on));
    let suites = suites(r);
    out.push_str("| Rule |");
    for s in &suites {
        out.push_str(&format!(" {} |", md(&s.name)));
    }
    out.push_str("\n| --- |");
    for _ in &suites {
        out.push_str(" :-: |");
    }
    out.push('\n');
    for rule in rules(r) {
        let cells: Vec<String> = suites
            .iter()
            .map(|s| match s.cases.iter().find(|c| c.rule == rule.id) {
                None => "—".to_string(),
                Some(case) => cell(&case.diagnostics),
            })
            .collect();
        if cells.iter().all(|c| c == "—") {
            continue;
        }
        out.push_str(&format!(
            "| `{}` | {} |\n",
            rule.id.replace('|', "\\|"),
            cells.join(" | ")
        ));
    }
    if !r.diagnostics.is_empty() {
        const SHOWN: usize = 100;
        out.push_str(&format!(
            "\n<details><summary>Findings ({})</summary>\n\n",
            r.diagnostics.len()
        ));
        let locator = Locator::new(r.root);
        for d in r.diagnostics.iter().take(SHOWN) {
            let at = locator
                .locate(r.sources, d.primary.span)
                .map(|l| {
                    format!(
                        " `{}:{}:{}`",
                        l.file.display().replace('`', "'"),
                        l.start_line,
                        l.start_col
                    )
                })
                .unwrap_or_default();
            let env = d
                .environment
                .as_deref()
                .map(md)
                .map(|e| format!(" · {e}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "- {} **{}**{env}{at} — {}\n",
                icon(d.severity),
                md(&d.rule),
                md(&d.message)
            ));
        }
        if r.diagnostics.len() > SHOWN {
            out.push_str(&format!("- … and {} more\n", r.diagnostics.len() - SHOWN));
        }
        out.push_str("\n</details>\n");
    }
    out.push('\n');
    out
}

fn cell(diags: &[&Diagnostic]) -> String {
    if diags.is_empty() {
        return "✅".to_string();
    }
    let mut parts = Vec::new();
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        let n = diags.iter().filter(|d| d.severity == s).count();
        if n > 0 {
            parts.push(format!("{} {n}", icon(s)));
        }
    }
    parts.join(" ")
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

/// Text that Markdown must show as written, on one line (in a table cell or a list item).
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_newlines_only() {
        assert_eq!(
            escape_data("100% of a:b, c\r\nd\ne %0A"),
            "100%25 of a:b, c%0D%0Ad%0Ae %250A"
        );
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("fluxlint x (a:b, c%)\nz"),
            "fluxlint x (a%3Ab%2C c%25)%0Az"
        );
        // an already-escaped sequence is escaped again, not passed through
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn nasty_text_cannot_end_the_command() {
        let nasty = "value \"::error::injected\"\n::warning file=x::y\r%0A,:";
        let data = escape_data(nasty);
        assert!(!data.contains('\n') && !data.contains('\r'));
        assert_eq!(unescape(&data), nasty);
        let prop = escape_property(nasty);
        assert!(!prop.contains(':') && !prop.contains(','));
        assert_eq!(unescape(&prop), nasty);
    }

    /// The runner's decoding.
    fn unescape(s: &str) -> String {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    }

    #[test]
    fn levels_and_regions() {
        use crate::report::{Report, Summary};
        use crate::source::{SourceMap, Span};
        use std::path::Path;
        use std::sync::Arc;

        let sources = SourceMap::new();
        let text = "a: 1\nb:\n  c: 2\n";
        let id = sources.add("x.yaml".into(), Path::new("/repo/x.yaml"), Arc::from(text));
        let diags = vec![
            Diagnostic::new("r", Severity::Info, "one-line")
                .at(Span::new(id, 3, 4), "")
                .env("dev"),
            Diagnostic::new("r", Severity::Warning, "two lines")
                .at(Span::new(id, 5, text.len()), ""),
            Diagnostic::new("s", Severity::Error, "nowhere"),
        ];
        let report = Report {
            inventory: &[],
            diagnostics: &diags,
            sources: &sources,
            summary: Summary {
                environments: 1,
                overlays: 0,
                resources: 0,
                files: 1,
                elapsed_ms: 0,
            },
            root: Path::new("/repo"),
            policies: &[],
            environments: Vec::new(),
            fail_on: Severity::Error,
            docs_url: None,
        };
        let out = render(&report);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::notice file=x.yaml,line=1,endLine=1,col=4,endColumn=4,title=fluxlint r (dev)::one-line",
                // a region over several lines has no columns
                "::warning file=x.yaml,line=2,endLine=3,title=fluxlint r::two lines",
                "::error title=fluxlint s::nowhere",
            ]
        );
    }

    #[test]
    fn markdown_text_stays_text() {
        assert_eq!(md("a|b *c* ${X}\n<d>"), "a\\|b \\*c\\* \\${X} \\<d\\>");
    }
}
