//! Reading files for a build: every path is resolved (`..`, symlinks) and must stay inside the
//! repository root; with `--load-restrictor root-only` a kustomization may only read files below its
//! own directory. Files are read and parsed once and shared.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{Document, SetBy, parse_stream};

use super::fast_map::FastMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    #[default]
    RootOnly,
    None,
}

/// A parsed file.
#[derive(Debug)]
pub struct Loaded {
    pub file: FileId,
    pub docs: Vec<Document>,
}

pub struct Loader {
    /// Canonical repository root: nothing outside is ever read.
    root: PathBuf,
    pub restrictor: LoadRestrictor,
    pub sources: Arc<SourceMap>,
    texts: Mutex<FastMap<PathBuf, (FileId, Arc<str>)>>,
    /// Canonical paths seen (below the root, no symlinks): resolving through them needs no syscall.
    known: Mutex<FastMap<std::ffi::OsString, bool>>,
    /// How the root is shown in file names (a `--source` checkout outside the repository).
    display_root: Option<String>,
    /// Texts read before the build (by cluster discovery), with their ids when already registered.
    prefetched: FastMap<PathBuf, (Arc<str>, Option<FileId>)>,
}

impl Loader {
    pub fn new(root: &Path, restrictor: LoadRestrictor, sources: Arc<SourceMap>) -> Result<Loader> {
        let root = root.canonicalize().map_err(|e| {
            Error::new(
                "missing-file",
                format!("cannot open repository root {}: {e}", root.display()),
            )
        })?;
        Ok(Loader {
            root,
            restrictor,
            sources,
            texts: Mutex::new(FastMap::default()),
            known: Mutex::new(FastMap::default()),
            display_root: None,
            prefetched: FastMap::default(),
        })
    }

    /// Reuses texts read before the build instead of reading the files again.
    pub fn with_prefetched(mut self, texts: &[(PathBuf, Arc<str>, Option<FileId>)]) -> Loader {
        self.prefetched = texts
            .iter()
            .map(|(p, t, f)| (p.clone(), (Arc::clone(t), *f)))
            .collect();
        self
    }

    /// Shows files below the root as `<label>/<path>` (for a checkout outside the repository).
    pub fn with_display_root(mut self, label: String) -> Loader {
        self.display_root = Some(label);
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path shown to users: relative to the repository root, with `/`.
    pub fn display(&self, path: &Path) -> String {
        if let Some(label) = &self.display_root
            && let Ok(rel) = path.strip_prefix(&self.root)
        {
            let rel = rel.to_string_lossy();
            return if rel.is_empty() {
                label.clone()
            } else {
                format!("{label}/{rel}")
            };
        }
        match path.strip_prefix(&self.root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => path.display().to_string(),
        }
    }

    /// Joins `rel` onto `base` and resolves it; refuses what escapes the repository root, and (with
    /// root-only) what escapes `restrict_to`.
    pub fn resolve(
        &self,
        base: &Path,
        rel: &str,
        restrict_to: Option<&Path>,
        span: Span,
    ) -> Result<PathBuf> {
        let joined = base.join(rel);
        let canon = match self.canonicalize(base, rel, &joined) {
            Ok(p) => p,
            Err(e) => {
                // only errors need the lexical form
                let lexical = normalize(&joined);
                let why = if e.raw_os_error() == Some(40) {
                    "too many levels of symbolic links (a symlink loop?)".to_string()
                } else if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                };
                // say "escapes" rather than "missing" for paths that would leave the repo anyway
                if !lexical.starts_with(&self.root) {
                    return Err(self.escape_error(rel, span));
                }
                return Err(Error::at(
                    "missing-file",
                    span,
                    format!("'{}': {why}", self.display(&lexical)),
                )
                .with_label("referenced here"));
            }
        };
        if !under(&canon, &self.root) {
            return Err(self.escape_error(rel, span));
        }
        if !self.is_known(&canon) {
            let dir = std::fs::metadata(&canon)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            self.lock_known()
                .insert(canon.clone().into_os_string(), dir);
        }
        if self.restrictor == LoadRestrictor::RootOnly
            && let Some(dir) = restrict_to
            && !under(&canon, dir)
            && !self.is_dir(&canon)
        {
            return Err(Error::at(
                "load-restrictor",
                span,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    self.display(&canon),
                    self.display(dir)
                ),
            )
            .with_label("outside this kustomization's directory")
            .with_help(
                "move the file below the kustomization, or build with `--load-restrictor none`",
            ));
        }
        Ok(canon)
    }

    /// `canonicalize`, but cheap for the common case: `base` is canonical, so walk `rel` one
    /// component at a time and only fall back to the system call when a component is a symlink.
    fn canonicalize(&self, base: &Path, rel: &str, joined: &Path) -> std::io::Result<PathBuf> {
        if !base.is_absolute() || !self.is_known(base) {
            return joined.canonicalize();
        }
        let mut cur = base.to_path_buf();
        for c in Path::new(rel).components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    cur.pop();
                }
                Component::Normal(name) => {
                    cur.push(name);
                    if self.is_known(&cur) {
                        continue;
                    }
                    let meta = std::fs::symlink_metadata(&cur)?;
                    if meta.file_type().is_symlink() {
                        return joined.canonicalize();
                    }
                    self.lock_known()
                        .insert(cur.clone().into_os_string(), meta.is_dir());
                }
                _ => return joined.canonicalize(),
            }
        }
        Ok(cur)
    }

    fn is_known(&self, p: &Path) -> bool {
        p == self.root || self.lock_known().contains_key(p.as_os_str())
    }

    /// Is this (resolved) path a directory? Answered from what `resolve` saw when it can be.
    pub fn is_dir(&self, p: &Path) -> bool {
        if p == self.root {
            return true;
        }
        if let Some(&dir) = self.lock_known().get(p.as_os_str()) {
            return dir;
        }
        p.is_dir()
    }

    fn lock_known(&self) -> std::sync::MutexGuard<'_, FastMap<std::ffi::OsString, bool>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn escape_error(&self, rel: &str, span: Span) -> Error {
        Error::at(
            "path-escape",
            span,
            format!(
                "'{rel}' resolves outside the repository root {}",
                self.root.display()
            ),
        )
        .with_label("leaves the repository")
        .with_help("fluxlint never reads files outside the repository root")
    }

    /// Reads a file (once) and registers it in the source map.
    pub fn read(&self, path: &Path, span: Span) -> Result<(FileId, Arc<str>)> {
        if let Some(x) = self.lock_texts().get(path) {
            return Ok(x.clone());
        }
        if let Some((text, file)) = self.prefetched.get(path) {
            let mut texts = self.lock_texts();
            if let Some(x) = texts.get(path) {
                return Ok(x.clone());
            }
            let id = file
                .unwrap_or_else(|| self.sources.add(self.display(path), path, Arc::clone(text)));
            texts.insert(path.to_path_buf(), (id, Arc::clone(text)));
            return Ok((id, Arc::clone(text)));
        }
        let bytes = read_file(path).map_err(|e| {
            Error::at(
                "missing-file",
                span,
                format!("cannot read '{}': {e}", self.display(path)),
            )
        })?;
        let text: Arc<str> = match String::from_utf8(bytes) {
            Ok(s) => Arc::from(s.strip_prefix('\u{feff}').unwrap_or(&s)),
            Err(_) => {
                return Err(Error::at(
                    "encoding",
                    span,
                    format!("'{}' is not UTF-8 text", self.display(path)),
                ));
            }
        };
        let mut texts = self.lock_texts();
        if let Some(x) = texts.get(path) {
            return Ok(x.clone());
        }
        let id = self
            .sources
            .add(self.display(path), path, Arc::clone(&text));
        texts.insert(path.to_path_buf(), (id, Arc::clone(&text)));
        Ok((id, text))
    }

    /// Reads (once) and parses a YAML file. The parsed tree is not cached: every caller gets its
    /// own copy to transform, and most files are read by one kustomization only.
    pub fn load_yaml(&self, path: &Path, by: SetBy, span: Span) -> Result<Loaded> {
        let (file, text) = self.read(path, span)?;
        let docs = parse_stream(&text, file, by)
            .map_err(|e| Error::at("yaml", e.span, e.message).with_label("here"))?;
        Ok(Loaded { file, docs })
    }

    /// Registers text that does not come from a file of its own (inline patches are spans of their
    /// kustomization instead; this is for generated text such as a synthesized kustomization).
    pub fn add_virtual(&self, display: String, text: Arc<str>) -> FileId {
        self.sources.add(display.clone(), Path::new(&display), text)
    }

    fn lock_texts(&self) -> std::sync::MutexGuard<'_, FastMap<PathBuf, (FileId, Arc<str>)>> {
        self.texts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `std::fs::read` without the size query: manifests are small, and one `statx` per file adds up
/// over thousands of files.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(8 * 1024);
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// `path.starts_with(dir)` (whole components), answered from the bytes when they settle it: a
/// byte prefix that ends at a separator is a component prefix, and the component walk cost a
/// tenth of resolving. Anything else (`dir` with `.` or doubled separators) takes the walk.
fn under(path: &Path, dir: &Path) -> bool {
    let (p, d) = (
        path.as_os_str().as_encoded_bytes(),
        dir.as_os_str().as_encoded_bytes(),
    );
    if p.starts_with(d) && (p.len() == d.len() || p[d.len()] == b'/' || d.ends_with(b"/")) {
        return true;
    }
    path.starts_with(dir)
}

/// Lexical normalization (`a/./b/../c` → `a/c`) without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Is this a remote resource (git or http URL) that fluxlint does not fetch?
pub fn is_remote(entry: &str) -> bool {
    entry.starts_with("http://")
        || entry.starts_with("https://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || entry.starts_with("ssh://")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.starts_with("oci://")
        || entry.contains("?ref=")
        || entry.contains(".git//")
}
