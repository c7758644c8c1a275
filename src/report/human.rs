//! `--format human`: miette's graphical report per diagnostic (plain without colour), then a
//! summary line.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic as MietteDiagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

use super::Report;

pub fn render(r: &Report, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    for d in r.diagnostics {
        let shown = Shown::of(d, r.sources);
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
    out
}

/// A diagnostic as miette shows it: labels in the primary file inline, others as related reports.
#[derive(Debug)]
struct Shown {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Shown>,
}

impl Shown {
    fn of(d: &Diagnostic, sources: &SourceMap) -> Shown {
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
            } else if let Some(f) = sources.get(l.span.file) {
                shown.related.push(Shown {
                    message: l.text.clone(),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    source: Some(NamedSource::new(f.display.clone(), Arc::clone(&f.text))),
                    labels: vec![LabeledSpan::new_primary_with_span(None, range(l.span))],
                    related: Vec::new(),
                });
            }
        }
        shown
    }
}

fn non_empty(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

fn range(s: Span) -> (usize, usize) {
    (s.start as usize, (s.end.saturating_sub(s.start)) as usize)
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl MietteDiagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn MietteDiagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn MietteDiagnostic),
            ))
        }
    }
}
