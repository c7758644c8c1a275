//! The files a build reads, as a tree: a root, the directories and files below it, and nothing
//! outside it. Rendering asks the [`Loader`](super::loader::Loader), the loader asks its tree, so
//! no transformer knows where the files come from:
//!
//! - [`Disk`]: the file system below a canonical root (the repository, or a `--source` checkout).
//!   Symlinks are followed; where they lead out of the root is refused. Texts are read once.
//! - [`Virtual`]: paths that exist only in memory (the ExternalArtifact an ArtifactGenerator
//!   composes), each file backed by a file of a [`Disk`] tree ([`FileRef`]). A read goes to that
//!   file through its own tree, so a file has one [`FileId`] and one name however it is reached:
//!   findings name the file in git (`apps/base/podinfo/release.yaml:12`), not its path in the
//!   artifact. `..` moves between the artifact's directories exactly as in its tarball, and a path
//!   that climbs above the artifact's root escapes, whatever lies beside it on disk.
//!
//! A tree of a git revision will be a third kind, behind the same questions.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::source::{FileId, SourceMap, Span};

use super::fast_map::FastMap;

/// Where a build reads.
pub enum Tree {
    Disk(Arc<Disk>),
    Virtual(Arc<Virtual>),
}

/// Why a path did not resolve.
pub enum Miss {
    /// It leads out of the tree's root.
    Escapes,
    /// Nothing is there (or it cannot be read): the path as joined, and why.
    Missing(PathBuf, String),
}

/// One entry of a directory listing.
#[derive(Clone, Debug)]
pub struct DirEntry {
    pub name: String,
    pub path: PathBuf,
    /// A directory (a symlink is not one, as `lstat` says).
    pub is_dir: bool,
}

/// A file of a [`Disk`] tree: what backs a file of a [`Virtual`] one.
#[derive(Clone)]
pub struct FileRef {
    pub disk: Arc<Disk>,
    /// Canonical path, below `disk`'s root.
    pub path: PathBuf,
}

impl std::fmt::Debug for FileRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FileRef").field(&self.path).finish()
    }
}

type Texts = FastMap<PathBuf, (FileId, Arc<str>)>;

/// The file system below a root.
pub struct Disk {
    /// Canonical root: nothing outside is ever read.
    root: PathBuf,
    /// How the root is shown in file names (a `--source` checkout outside the repository).
    pub(super) display_root: Option<String>,
    sources: Arc<SourceMap>,
    texts: Mutex<Texts>,
    /// Canonical paths seen (below the root, no symlinks): resolving through them needs no syscall.
    known: Mutex<FastMap<std::ffi::OsString, bool>>,
    /// Texts read before the build (by cluster discovery), with their ids when already registered.
    pub(super) prefetched: FastMap<PathBuf, (Arc<str>, Option<FileId>)>,
}

impl Disk {
    pub fn new(root: &Path, sources: Arc<SourceMap>) -> Result<Disk> {
        let root = root.canonicalize().map_err(|e| {
            Error::new(
                "missing-file",
                format!("cannot open repository root {}: {e}", root.display()),
            )
        })?;
        Ok(Disk {
            root,
            display_root: None,
            sources,
            texts: Mutex::new(FastMap::default()),
            known: Mutex::new(FastMap::default()),
            prefetched: FastMap::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path shown to users: relative to the root, with `/`.
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

    /// Joins `rel` onto `base` and resolves it (`..`, symlinks); refuses what leaves the root.
    pub fn resolve(&self, base: &Path, rel: &str) -> std::result::Result<PathBuf, Miss> {
        let joined = base.join(rel);
        let canon = match self.canonicalize(base, rel, &joined) {
            Ok(p) => p,
            Err(e) => {
                // only errors need the lexical form
                let lexical = normalize(&joined);
                // say "escapes" rather than "missing" for paths that would leave the root anyway
                if !lexical.starts_with(&self.root) {
                    return Err(Miss::Escapes);
                }
                let why = if e.raw_os_error() == Some(40) {
                    "too many levels of symbolic links (a symlink loop?)".to_string()
                } else if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                };
                return Err(Miss::Missing(lexical, why));
            }
        };
        if !under(&canon, &self.root) {
            return Err(Miss::Escapes);
        }
        if !self.is_known(&canon) {
            let dir = std::fs::metadata(&canon)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            self.lock_known()
                .insert(canon.clone().into_os_string(), dir);
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

    /// The entries of a directory, in byte order of their names (Go's `filepath.Walk` order).
    pub fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<DirEntry>> {
        let mut out: Vec<(std::ffi::OsString, DirEntry)> = Vec::new();
        for e in std::fs::read_dir(dir)? {
            let Ok(e) = e else { continue };
            let Ok(t) = e.file_type() else { continue };
            let name = e.file_name();
            out.push((
                name.clone(),
                DirEntry {
                    name: name.to_string_lossy().into_owned(),
                    path: e.path(),
                    is_dir: t.is_dir(),
                },
            ));
        }
        out.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }

    /// Reads a text file (once) and registers it in the source map.
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

    fn lock_known(&self) -> MutexGuard<'_, FastMap<std::ffi::OsString, bool>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_texts(&self) -> MutexGuard<'_, Texts> {
        self.texts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An entry of a [`Virtual`] tree.
#[derive(Clone, Debug)]
pub enum Entry {
    Dir,
    File(FileRef),
}

/// A tree held in memory: paths below `root`, each a directory or a file backed by a disk file.
pub struct Virtual {
    /// Never a disk path: relative, one component, so nothing reads it from the file system.
    root: PathBuf,
    /// How the tree is named in messages about its directories (`<ExternalArtifact ns/name>`).
    label: String,
    /// Paths relative to the root (`a/b`, `/`-separated; `""` is the root itself), in byte order:
    /// a directory's children are one run of it.
    entries: BTreeMap<String, Entry>,
}

impl Virtual {
    /// A tree of `entries` (relative paths; every parent directory must be listed too). `id` must
    /// be a single path component (no `/`).
    pub fn new(id: &str, label: String, mut entries: BTreeMap<String, Entry>) -> Virtual {
        entries.insert(String::new(), Entry::Dir);
        Virtual {
            root: PathBuf::from(id),
            label,
            entries,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn entries(&self) -> &BTreeMap<String, Entry> {
        &self.entries
    }

    /// The path below the root that `p` names (`..` applied); `None` when it leaves the root.
    fn rel(&self, p: &Path) -> Option<String> {
        let rest = p.strip_prefix(&self.root).ok()?;
        let mut parts: Vec<&str> = Vec::new();
        for c in rest.components() {
            match c {
                Component::Normal(n) => parts.push(n.to_str()?),
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(parts.join("/"))
    }

    fn path_of(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    pub fn get(&self, p: &Path) -> Option<&Entry> {
        self.entries.get(&self.rel(p)?)
    }

    pub fn display(&self, p: &Path) -> String {
        match self.rel(p) {
            Some(rel) => match self.entries.get(&rel) {
                Some(Entry::File(f)) => f.disk.display(&f.path),
                _ if rel.is_empty() => self.label.clone(),
                _ => format!("{}/{rel}", self.label),
            },
            None => p.display().to_string(),
        }
    }

    pub fn resolve(&self, base: &Path, rel: &str) -> std::result::Result<PathBuf, Miss> {
        let Some(r) = self.rel(&base.join(rel)) else {
            return Err(Miss::Escapes);
        };
        let path = self.path_of(&r);
        if self.entries.contains_key(&r) {
            Ok(path)
        } else {
            Err(Miss::Missing(path, "no such file or directory".into()))
        }
    }

    pub fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<DirEntry>> {
        let not_dir = || std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory");
        let rel = self.rel(dir).ok_or_else(not_dir)?;
        if !matches!(self.entries.get(&rel), Some(Entry::Dir)) {
            return Err(not_dir());
        }
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        Ok(self
            .entries
            .range(prefix.clone()..)
            .skip_while(|(k, _)| k.is_empty())
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/'))
            .map(|(k, e)| DirEntry {
                name: k[prefix.len()..].to_string(),
                path: self.path_of(k),
                is_dir: matches!(e, Entry::Dir),
            })
            .collect())
    }
}

/// `std::fs::read` without the size query: manifests are small, and one `statx` per file adds up
/// over thousands of files.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(8 * 1024);
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// `path.starts_with(dir)` (whole components), answered from the bytes when they settle it: a
/// byte prefix that ends at a separator is a component prefix, and the component walk cost a
/// tenth of resolving. Anything else (`dir` with `.` or doubled separators) takes the walk.
pub fn under(path: &Path, dir: &Path) -> bool {
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

#[cfg(test)]
mod tests;
