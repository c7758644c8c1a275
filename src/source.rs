//! Every file fluxlint reads, once: path, text, line index. Spans point into it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    /// Marks a span that does not come from any file (a value fluxlint made up).
    pub const NONE: FileId = FileId(u32::MAX);
}

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const NONE: Span = Span {
        file: FileId::NONE,
        start: 0,
        end: 0,
    };

    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn is_none(&self) -> bool {
        self.file == FileId::NONE
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the working directory or repo root).
    pub display: String,
    /// Absolute, canonical path.
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(display: String, path: PathBuf, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        SourceFile {
            display,
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (column in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(end - start);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, col_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let start = start as usize;
        let rest = &self.text[start..];
        match rest.char_indices().nth(col_chars) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }
}

/// All files read during one run. Append-only; shared between threads.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&self, display: String, path: &Path, text: Arc<str>) -> FileId {
        let file = Arc::new(SourceFile::new(display, path.to_path_buf(), text));
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        files.push(file);
        FileId(files.len() as u32 - 1)
    }

    /// Number of files read.
    pub fn len(&self) -> usize {
        self.files.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of files read from disk (built-in policies, inline patches and generated
    /// kustomizations are held under relative display names and do not count).
    pub fn disk_files(&self) -> usize {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.iter().filter(|f| f.path.is_absolute()).count()
    }

    /// The file read from this path, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    pub fn get(&self, id: FileId) -> Option<Arc<SourceFile>> {
        if id == FileId::NONE {
            return None;
        }
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.get(id.0 as usize).cloned()
    }

    /// `path:line:col` of the start of a span.
    pub fn describe(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(f) => {
                let (l, c) = f.line_col(span.start);
                format!("{}:{}:{}", f.display, l, c)
            }
            None => "<generated>".to_string(),
        }
    }

    /// `path:line` of the start of a span.
    pub fn describe_line(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(f) => {
                let (l, _) = f.line_col(span.start);
                format!("{}:{}", f.display, l)
            }
            None => "<generated>".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let f = SourceFile::new("a".into(), PathBuf::from("a"), Arc::from("ab\néx: 1\n"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' is after the two-byte 'é'
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.offset_of(2, 1), 5);
    }
}
