//! Fatal errors of loading and rendering, carried as data with spans and turned into miette reports
//! at the edge.

use std::sync::Arc;

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

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

    /// A miette report with a code frame on the file that holds the span.
    pub fn to_report(&self, map: &SourceMap) -> Report {
        let mut diag = MietteDiagnostic::new(self.message.clone())
            .with_code(format!("fluxlint::{}", self.code));
        if let Some(h) = &self.help {
            diag = diag.with_help(h.clone());
        }
        let Some(span) = self.span else {
            return Report::new(diag);
        };
        let Some(file) = map.get(span.file) else {
            return Report::new(diag);
        };
        let (line, col) = file.line_col(span.start);
        diag.message = format!("{}:{}:{}: {}", file.display, line, col, self.message);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            self.label.clone(),
            (span.start as usize, (span.end - span.start) as usize),
        )];
        for (label, s) in &self.notes {
            if s.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    (s.start as usize, (s.end - s.start) as usize),
                ));
            }
        }
        diag = diag.with_labels(labels);
        let src = NamedSource::new(file.display.clone(), Arc::clone(&file.text).to_string());
        let mut report = Report::new(diag).with_source_code(src);
        for (label, s) in &self.notes {
            if s.file != span.file
                && let Some(f) = map.get(s.file)
            {
                let (l, c) = f.line_col(s.start);
                report = report.wrap_err(format!("{label} ({}:{l}:{c})", f.display));
            }
        }
        report
    }
}
