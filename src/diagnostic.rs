//! Findings: one `Diagnostic` type for every rule, reporter and output format.
//!
//! A diagnostic points at the YAML node that carries the bad value **in the file where it was last
//! set** (a base, a patch, a kustomization field), with secondary labels for the value it overrode
//! and for the Flux Kustomization that brought the file into the environment. Reporters never
//! compute line:column themselves; they ask the [`SourceMap`].

use std::cmp::Ordering;
use std::fmt;

use crate::source::{SourceMap, Span};
use crate::yaml::{Node, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with a short text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

impl Label {
    pub fn new(span: Span, text: impl Into<String>) -> Label {
        Label {
            span,
            text: text.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Rule id (kebab-case), e.g. `replicas`.
    pub rule: String,
    pub severity: Severity,
    /// What was found (quoting the value) and what was expected; lowercase, one line.
    pub message: String,
    /// The node that carries the bad value, where it was last set. `Span::NONE` when there is none.
    pub primary: Label,
    /// The value it overrode, the Flux Kustomization that applied it, the policy clause…
    pub secondary: Vec<Label>,
    /// How to fix it, imperative.
    pub help: Option<String>,
    pub environment: Option<String>,
    /// `group/version/Kind/namespace/name`.
    pub resource: Option<String>,
    /// A path that does not exist and that the finding is about (a missing directory or
    /// document), relative to the repository root with `/`: JSON reports it as the `file`, while
    /// the primary span points at an existing file that should refer to it (for SARIF and GitHub
    /// annotations, which need a file that is there).
    pub missing: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            primary: Label::new(Span::NONE, ""),
            secondary: Vec::new(),
            help: None,
            environment: None,
            resource: None,
            missing: None,
        }
    }

    /// Points at a span.
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.primary = Label::new(span, text);
        self
    }

    /// Points at a node where its value was last set, and labels the values it overrode.
    pub fn at_node(self, node: &Node, text: impl Into<String>) -> Diagnostic {
        self.at_origin(&node.origin, text)
    }

    /// Points at an origin, adding a secondary label for each earlier value it overrode.
    pub fn at_origin(mut self, origin: &Origin, text: impl Into<String>) -> Diagnostic {
        self.primary = Label::new(origin.span, text);
        let mut prev = origin.prev.as_deref();
        while let Some(p) = prev {
            if !p.span.is_none() && p.span != origin.span {
                self.secondary
                    .push(Label::new(p.span, "overrides the value set here"));
            }
            prev = p.prev.as_deref();
        }
        self
    }

    pub fn note(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        if !span.is_none() {
            self.secondary.push(Label::new(span, text));
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn env(mut self, env: &str) -> Diagnostic {
        self.environment = Some(env.to_string());
        self
    }

    /// Names the missing path the finding is about (see [`Diagnostic::missing`]).
    pub fn missing(mut self, path: impl Into<String>) -> Diagnostic {
        self.missing = Some(path.into());
        self
    }

    pub fn resource(mut self, id: impl Into<String>) -> Diagnostic {
        self.resource = Some(id.into());
        self
    }

    /// The sort key: file, line, column, rule, environment, message.
    pub fn sort_key(&self, sources: &SourceMap) -> (String, usize, usize, String, String, String) {
        let (file, line, col) = location(sources, self.primary.span);
        (
            file,
            line,
            col,
            self.rule.clone(),
            self.environment.clone().unwrap_or_default(),
            self.message.clone(),
        )
    }
}

/// File (repo-relative, `/`), 1-based line and column of a span; empty file and zeros for none.
pub fn location(sources: &SourceMap, span: Span) -> (String, usize, usize) {
    match sources.get(span.file) {
        Some(f) => {
            let (l, c) = f.line_col(span.start);
            (f.display.clone(), l, c)
        }
        None => (String::new(), 0, 0),
    }
}

/// Sorts (file, line, column, rule, environment) and removes exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    let mut keyed: Vec<_> = std::mem::take(diags)
        .into_iter()
        .map(|d| (d.sort_key(sources), d))
        .collect();
    keyed.sort_by(|a, b| match a.0.cmp(&b.0) {
        Ordering::Equal => a.1.severity.cmp(&b.1.severity).reverse(),
        o => o,
    });
    keyed.dedup_by(|a, b| a.0 == b.0);
    *diags = keyed.into_iter().map(|(_, d)| d).collect();
}
