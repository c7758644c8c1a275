//! Fatal errors of loading and rendering, carried as data with spans and turned into miette reports
//! at the edge.

use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, Report};

use crate::report::shown::{Shown, range};

use crate::source::{SourceMap, Span};

/// A render failure: what went wrong, where, and how to fix it. Boxed: errors are rare, results common.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorData>);

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorData {
    /// Stable code, such as `yaml`, `missing-file`, `cycle`, `patch-target`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    pub label: Option<String>,
    pub help: Option<String>,
    /// Further places worth showing (label text, span).
    pub notes: Vec<(String, Span)>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl std::ops::Deref for Error {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl Error {
    pub fn new(code: &'static str, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorData {
            code,
            message: message.into(),
            span: None,
            label: None,
            help: None,
            notes: Vec::new(),
        }))
    }

    pub fn at(code: &'static str, span: Span, message: impl Into<String>) -> Error {
        let mut e = Error::new(code, message);
        if !span.is_none() {
            e.span = Some(span);
        }
        e
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Error {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, label: impl Into<String>, span: Span) -> Error {
        if !span.is_none() {
            self.notes.push((label.into(), span));
        }
        self
    }

    /// Adds a span when the error has none yet (an inner error that only knows its message).
    pub fn or_at(mut self, span: Span) -> Error {
        if self.span.is_none() && !span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Prefixes the message with context.
    pub fn context(mut self, ctx: impl AsRef<str>) -> Error {
        self.message = format!("{}: {}", ctx.as_ref(), self.message);
        self
    }

    /// `path:line:col: message` for one-line output and tests.
    pub fn one_line(&self, map: &SourceMap) -> String {
        match self.span {
            Some(s) => format!("{}: {}", map.describe(s), self.message),
            None => self.message.clone(),
        }
    }

    /// A miette report with a code frame on the file that holds the span; notes in the same file
    /// are labels in that frame, notes elsewhere related reports with frames of their own.
    pub fn to_report(&self, map: &SourceMap) -> Report {
        let mut shown = Shown {
            message: self.message.clone(),
            code: format!("fluxlint::{}", self.code),
            severity: miette::Severity::Error,
            help: self.help.clone(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        let primary = self.span.and_then(|s| Some((s, map.get(s.file)?)));
        if let Some((span, file)) = &primary {
            let (line, col) = file.line_col(span.start);
            shown.message = format!("{}:{}:{}: {}", file.display, line, col, self.message);
            shown.source = Some(NamedSource::new(
                file.display.clone(),
                Arc::clone(&file.text),
            ));
            shown.labels.push(LabeledSpan::new_primary_with_span(
                self.label.clone(),
                range(*span),
            ));
        }
        for (label, s) in &self.notes {
            match &primary {
                Some((span, _)) if s.file == span.file => {
                    shown
                        .labels
                        .push(LabeledSpan::new_with_span(Some(label.clone()), range(*s)));
                }
                _ => {
                    if let Some(mut r) = Shown::elsewhere(map, *s, label) {
                        if let Some(f) = map.get(s.file) {
                            let (l, c) = f.line_col(s.start);
                            r.message = format!("{label} ({}:{l}:{c})", f.display);
                        }
                        shown.related.push(r);
                    }
                }
            }
        }
        Report::new(shown)
    }
}
