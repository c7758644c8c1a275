//! A diagnostic as miette shows it: labels in the primary file inline, places in other files as
//! related reports with their own code frames. Findings (`--format human`) and fatal errors
//! (`Error::to_report`) both render through it.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic as MietteDiagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::source::{SourceMap, Span};

#[derive(Debug)]
pub struct Shown {
    pub message: String,
    pub code: String,
    pub severity: miette::Severity,
    pub help: Option<String>,
    pub source: Option<NamedSource<Arc<str>>>,
    pub labels: Vec<LabeledSpan>,
    pub related: Vec<Shown>,
}

impl Shown {
    /// A place in another file: its message above a code frame.
    pub fn elsewhere(sources: &SourceMap, span: Span, text: &str) -> Option<Shown> {
        let f = sources.get(span.file)?;
        Some(Shown {
            message: text.to_string(),
            code: String::new(),
            severity: miette::Severity::Advice,
            help: None,
            source: Some(NamedSource::new(f.display.clone(), Arc::clone(&f.text))),
            labels: vec![LabeledSpan::new_primary_with_span(None, range(span))],
            related: Vec::new(),
        })
    }
}

pub fn non_empty(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

pub fn range(s: Span) -> (usize, usize) {
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
