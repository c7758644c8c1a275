//! Locations for formats that other tools read (SARIF, GitHub annotations, JUnit): a path relative
//! to the checkout, and a region with start and end.
//!
//! Paths are relative to the nearest directory at or above the repository root that holds `.git`
//! (the checkout GitHub resolves paths against), else to the root: a Flux repo kept in a
//! subdirectory of a monorepo still gets annotations on the right files.

use std::path::{Path, PathBuf};

use crate::source::{SourceMap, Span};

/// Where a file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilePath {
    /// Relative to the checkout, with `/`.
    Relative(String),
    /// Outside the checkout (`--policies /elsewhere`).
    Absolute(PathBuf),
}

impl FilePath {
    /// As a URI reference: relative (to `%SRCROOT%`) or `file://`, percent-encoded.
    pub fn uri(&self) -> String {
        match self {
            FilePath::Relative(p) => encode(p),
            FilePath::Absolute(p) => {
                let s = p.to_string_lossy().replace('\\', "/");
                let s = if s.starts_with('/') {
                    s
                } else {
                    format!("/{s}")
                };
                format!("file://{}", encode(&s))
            }
        }
    }

    /// As shown to a person.
    pub fn display(&self) -> String {
        match self {
            FilePath::Relative(p) => p.clone(),
            FilePath::Absolute(p) => p.to_string_lossy().into_owned(),
        }
    }
}

/// A region: 1-based lines and columns (in characters); `end_col` is the column after the last
/// character (SARIF's convention).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: FilePath,
    pub start_line: usize,
    pub start_col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

pub struct Locator {
    base: PathBuf,
}

impl Locator {
    pub fn new(root: &Path) -> Locator {
        let base = root
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(root);
        Locator {
            base: base.to_path_buf(),
        }
    }

    /// The directory paths are relative to.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Where a span is; `None` for no span and for files that are not on disk (the built-in
    /// policies).
    pub fn locate(&self, sources: &SourceMap, span: Span) -> Option<Loc> {
        let f = sources.get(span.file)?;
        if !f.path.is_absolute() {
            return None;
        }
        let file = match f.path.strip_prefix(&self.base) {
            Ok(rel) => FilePath::Relative(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            Err(_) => FilePath::Absolute(f.path.clone()),
        };
        let text: &str = &f.text;
        let start = (span.start as usize).min(text.len());
        let end = (span.end as usize).clamp(start, text.len());
        // a node's span may run to the next line (a block mapping): the region ends at its last
        // character, not at the start of the following line
        let mut end = start + text.get(start..end).map_or(0, |s| s.trim_end().len());
        if end == start
            && let Some(c) = text.get(start..).and_then(|s| s.chars().next())
            && c != '\n'
            && c != '\r'
        {
            end = start + c.len_utf8();
        }
        let (start_line, start_col) = f.line_col(start as u32);
        // at the end of a line or of the file (an empty placeholder file): one column, so that
        // every region has a width
        let (end_line, end_col) = if end == start {
            (start_line, start_col + 1)
        } else {
            f.line_col(end as u32)
        };
        Some(Loc {
            file,
            start_line,
            start_col,
            end_line,
            end_col,
        })
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn regions_end_at_the_last_character() {
        let sources = SourceMap::new();
        let text = "spec:\n  replicas: 2\n  template:\n    a: é\n\n";
        let id = sources.add("x.yaml".into(), Path::new("/r/x.yaml"), Arc::from(text));
        let l = Locator {
            base: PathBuf::from("/r"),
        };
        // the scalar `2`
        let loc = l.locate(&sources, Span::new(id, 18, 19)).expect("loc");
        assert_eq!(loc.file, FilePath::Relative("x.yaml".into()));
        assert_eq!(
            (loc.start_line, loc.start_col, loc.end_line, loc.end_col),
            (2, 13, 2, 14)
        );
        // a mapping whose span runs to the blank line after it
        let start = text.find("template").expect("template");
        let loc = l
            .locate(&sources, Span::new(id, start, text.len()))
            .expect("loc");
        assert_eq!((loc.start_line, loc.end_line, loc.end_col), (3, 4, 9));
        // an empty span covers one character
        let loc = l.locate(&sources, Span::new(id, 18, 18)).expect("loc");
        assert_eq!(loc.end_col, 14);
        assert!(l.locate(&sources, Span::NONE).is_none());
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            FilePath::Relative("a b/c#d.yaml".into()).uri(),
            "a%20b/c%23d.yaml"
        );
        assert_eq!(
            FilePath::Absolute(PathBuf::from("/tmp/p q.yaml")).uri(),
            "file:///tmp/p%20q.yaml"
        );
    }
}
