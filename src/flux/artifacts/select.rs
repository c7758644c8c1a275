//! What a copy operation selects in a source: Go's `fs.Glob` walk of a `from` pattern, the
//! paths it names, and what `exclude` takes out again (source-watcher `internal/builder`).

use std::path::{Path, PathBuf};

use crate::flux::generate;
use crate::kustomize::loader::{DirEntry, Loader};
use crate::source::Span;

use super::glob::{self, BadPattern};

/// A source's files: a loader and the directory the source's paths start from (its root, or the
/// sub-tree an OCI artifact is built from).
#[derive(Clone, Copy)]
pub struct Src<'a> {
    pub loader: &'a Loader,
    pub base: &'a Path,
}

impl<'a> Src<'a> {
    /// The source rooted at its loader's root.
    pub fn of(loader: &'a Loader) -> Src<'a> {
        Src {
            loader,
            base: loader.root(),
        }
    }
}

/// The source path (resolved) and whether it is a directory; `None` when it does not exist.
pub fn stat(src: Src, rel: &str) -> Option<(PathBuf, bool)> {
    let p = src
        .loader
        .resolve(src.base, dot(rel), None, Span::NONE)
        .ok()?;
    let dir = src.loader.is_dir(&p);
    Some((p, dir))
}

/// A directory of the source, without what the source-controller leaves out of every artifact.
pub fn list(src: Src, rel: &str) -> Vec<DirEntry> {
    let Some((p, true)) = stat(src, rel) else {
        return Vec::new();
    };
    let mut entries = src.loader.read_dir(&p).unwrap_or_default();
    entries.retain(|e| !generate::ignored(&e.name, e.is_dir));
    entries
}

/// `fs.ValidPath`: `.`, or `/`-separated names without empty, `.` or `..` elements.
fn valid_path(p: &str) -> bool {
    p == "." || (!p.is_empty() && p.split('/').all(|e| !matches!(e, "" | "." | "..")))
}

/// Go's `fs.Glob`: the pattern element by element, each directory's entries in lexical order.
pub fn fs_glob(src: Src, pattern: &str) -> std::result::Result<Vec<String>, BadPattern> {
    if !glob::valid_go(pattern) {
        return Err(BadPattern);
    }
    if !glob::has_meta(pattern) {
        let found = valid_path(pattern) && stat(src, pattern).is_some();
        return Ok(if found {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    // `path.Split` and `cleanGlobPath`: a leading `/` stays (and names no valid path)
    let (dir, file) = match pattern.rfind('/') {
        Some(0) => ("/", &pattern[1..]),
        Some(i) => (&pattern[..i], &pattern[i + 1..]),
        None => (".", pattern),
    };
    if !glob::has_meta(dir) {
        return glob_in(src, dir, file, Vec::new());
    }
    let mut out = Vec::new();
    for d in fs_glob(src, dir)? {
        out = glob_in(src, &d, file, out)?;
    }
    Ok(out)
}

fn glob_in(
    src: Src,
    dir: &str,
    pattern: &str,
    mut out: Vec<String>,
) -> std::result::Result<Vec<String>, BadPattern> {
    if !valid_path(dir) {
        return Ok(out);
    }
    let rel = if dir == "." { "" } else { dir };
    for e in list(src, rel) {
        if glob::match_element(pattern, &e.name)? {
            out.push(join(rel, &e.name));
        }
    }
    Ok(out)
}

/// The literal part of a pattern before its first glob element (`""` for none).
pub fn selection_root(pattern: &str) -> String {
    let cleaned = clean(pattern).unwrap_or_default();
    cleaned
        .split('/')
        .take_while(|e| !e.contains(['*', '?', '[', ']']))
        .collect::<Vec<_>>()
        .join("/")
}

/// `shouldExcludePath`: a pattern matches the path from the source root, or from the selection
/// root; a pattern without `/` also matches the file name at any depth.
pub fn excluded(path: &str, base: &str, patterns: &[&str]) -> bool {
    if patterns.is_empty() {
        return false;
    }
    if any_excludes(path, patterns) {
        return true;
    }
    let rel = if base.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
    };
    match rel {
        Some(r) if !r.is_empty() && r != path => any_excludes(r, patterns),
        _ => false,
    }
}

fn any_excludes(path: &str, patterns: &[&str]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    patterns.iter().any(|p| {
        glob::doublestar(p, path).unwrap_or(false)
            || (!p.contains('/') && glob::doublestar(p, name).unwrap_or(false))
    })
}

/// `.` for the root, else the path.
pub fn dot(p: &str) -> &str {
    if p.is_empty() { "." } else { p }
}

pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Lexical cleaning of a relative `/` path (`""` is the root); `None` when `..` climbs above it.
pub fn clean(p: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}
