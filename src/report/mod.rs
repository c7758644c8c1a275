//! Output formats for `check`, one file per `--format` value. Reporters ask the `SourceMap` for
//! locations; they never compute line:column themselves.

pub mod human;
pub mod json;

use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;

/// What a report needs besides the diagnostics.
pub struct Summary {
    pub environments: usize,
    pub overlays: usize,
    pub resources: usize,
    pub files: usize,
    pub elapsed_ms: u128,
}

/// Everything a reporter gets.
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceMap,
    pub summary: Summary,
}
