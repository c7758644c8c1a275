//! `--format human`: miette's graphical report per diagnostic (plain without colour), then a
//! summary line.

use std::sync::Arc;

use miette::{LabeledSpan, NamedSource};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

use super::Report;
use super::shown::{Shown, non_empty, range};

pub fn render(r: &Report, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    for d in r.diagnostics {
        let shown = shown(d, r.sources);
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&format!("{}: {}\n", d.rule, d.message));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{}, {} files, {} ms)\n",
        super::counts_phrase(r),
        r.summary.files,
        r.summary.elapsed_ms
    ));
    if let Some(c) = super::coverage_phrase(r) {
        out.push_str(&c);
        out.push('\n');
    }
    out
}

/// A finding as miette shows it.
fn shown(d: &Diagnostic, sources: &SourceMap) -> Shown {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut context = Vec::new();
    if let Some(e) = &d.environment {
        context.push(format!("environment: {e}"));
    }
    if let Some(r) = &d.resource {
        context.push(format!("resource: {r}"));
    }
    let help = match (&d.help, context.is_empty()) {
        (Some(h), true) => Some(h.clone()),
        (Some(h), false) => Some(format!("{h}\n{}", context.join("\n"))),
        (None, false) => Some(context.join("\n")),
        (None, true) => None,
    };
    let mut shown = Shown {
        message: d.message.clone(),
        code: d.rule.clone(),
        severity,
        help,
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let primary = d.primary.span;
    if let Some(f) = sources.get(primary.file) {
        shown.source = Some(NamedSource::new(f.display.clone(), Arc::clone(&f.text)));
        shown.labels.push(LabeledSpan::new_primary_with_span(
            non_empty(&d.primary.text),
            range(primary),
        ));
    }
    for l in &d.secondary {
        if l.span.file == primary.file && shown.source.is_some() {
            shown.labels.push(LabeledSpan::new_with_span(
                non_empty(&l.text),
                range(l.span),
            ));
        } else if let Some(r) = Shown::elsewhere(sources, l.span, &l.text) {
            shown.related.push(r);
        }
    }
    shown
}
