//! `--format junit`: JUnit XML as CI test reporters read it (Jenkins, GitLab, Azure, the GitHub
//! test-report actions): a `<testsuite>` for the repository-wide rules and one per environment, a
//! `<testcase>` per rule that applies there. Findings at or above `--fail-on` make the case fail
//! (one `<failure>` listing them); findings below it go to the case's `<system-out>`, so the
//! report's verdict matches the exit code.

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;

use super::Report;
use super::locate::Locator;
use super::rules::{REPOSITORY, suites};

pub fn render(r: &Report) -> String {
    let locator = Locator::new(r.root);
    let suites = suites(r);
    let seconds = format!("{:.3}", r.summary.elapsed_ms as f64 / 1000.0);
    let fails = |c: &super::rules::Case| c.diagnostics.iter().any(|d| d.severity >= r.fail_on);
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites
        .iter()
        .map(|s| s.cases.iter().filter(|c| fails(c)).count())
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"fluxlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" \
         time=\"{seconds}\">"
    );
    for s in &suites {
        let failed = s.cases.iter().filter(|c| fails(c)).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" \
             time=\"0\">",
            attr(&s.name),
            s.cases.len()
        );
        let class = format!(
            "fluxlint.{}",
            s.environment.as_deref().unwrap_or(REPOSITORY)
        );
        for c in &s.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
                attr(&c.rule),
                attr(&class)
            );
            if c.diagnostics.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            let (failing, other): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
                c.diagnostics.iter().partition(|d| d.severity >= r.fail_on);
            if let Some(first) = failing.first() {
                let message = if failing.len() == 1 {
                    first.message.clone()
                } else {
                    format!("{} findings; first: {}", failing.len(), first.message)
                };
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    attr(&message),
                    first.severity,
                    text(&lines(&failing, &locator, r))
                );
            }
            if !other.is_empty() {
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    text(&lines(&other, &locator, r))
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// `path:line:col: severity[rule] message`, then the resource and the help, per finding.
fn lines(diags: &[&Diagnostic], locator: &Locator, r: &Report) -> String {
    let mut out = String::new();
    for d in diags {
        let at = locator
            .locate(r.sources, d.primary.span)
            .map(|l| format!("{}:{}:{}: ", l.file.display(), l.start_line, l.start_col))
            .unwrap_or_default();
        let _ = writeln!(out, "{at}{}[{}] {}", d.severity, d.rule, d.message);
        if let Some(res) = &d.resource {
            let _ = writeln!(out, "  resource: {res}");
        }
        for l in &d.secondary {
            if let Some(loc) = locator.locate(r.sources, l.span) {
                let _ = writeln!(
                    out,
                    "  {}:{}:{}: {}",
                    loc.file.display(),
                    loc.start_line,
                    loc.start_col,
                    l.text
                );
            }
        }
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  help: {h}");
        }
    }
    out
}

/// Character data: markup escaped, and characters XML 1.0 cannot hold replaced.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value (double-quoted); whitespace other than spaces kept as character references,
/// which attribute normalisation would otherwise turn into spaces.
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(ch),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            text("a<b>&\"c\"\u{1b}[0m\n"),
            "a&lt;b&gt;&amp;\"c\"\u{FFFD}[0m\n"
        );
        assert_eq!(attr("x=\"1\"\n\ty"), "x=&quot;1&quot;&#10;&#9;y");
        assert_eq!(text("\r"), "&#13;");
        assert!(!allowed('\u{FFFE}') && allowed('é') && allowed('\u{1F600}'));
    }
}
