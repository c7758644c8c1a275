//! Reading files for a build, through a [`Tree`]: every path is resolved (`..`, symlinks) and must
//! stay inside the tree's root; with `--load-restrictor root-only` a kustomization may only read
//! files below its own directory. Files are read and parsed once and shared. The tree is the disk
//! (the repository, a `--source` checkout) or a virtual one (an ExternalArtifact): the loader
//! answers the same questions for both, and names every file by the disk file behind it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{Document, SetBy, parse_stream};

pub use super::tree::{DirEntry, FileRef, normalize};
use super::tree::{Disk, Entry, Miss, Tree, Virtual, read_file, under};

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
    tree: Tree,
    pub restrictor: LoadRestrictor,
    pub sources: Arc<SourceMap>,
}

impl Loader {
    /// A loader of the disk below `root`.
    pub fn new(root: &Path, restrictor: LoadRestrictor, sources: Arc<SourceMap>) -> Result<Loader> {
        let disk = Disk::new(root, Arc::clone(&sources))?;
        Ok(Loader {
            tree: Tree::Disk(Arc::new(disk)),
            restrictor,
            sources,
        })
    }

    /// A loader of a tree held in memory (its files are read from the disk trees behind them).
    pub fn of_virtual(
        tree: Virtual,
        restrictor: LoadRestrictor,
        sources: Arc<SourceMap>,
    ) -> Loader {
        Loader {
            tree: Tree::Virtual(Arc::new(tree)),
            restrictor,
            sources,
        }
    }

    /// Reuses texts read before the build instead of reading the files again.
    pub fn with_prefetched(mut self, texts: &[(PathBuf, Arc<str>, Option<FileId>)]) -> Loader {
        if let Tree::Disk(d) = &mut self.tree
            && let Some(d) = Arc::get_mut(d)
        {
            d.prefetched = texts
                .iter()
                .map(|(p, t, f)| (p.clone(), (Arc::clone(t), *f)))
                .collect();
        }
        self
    }

    /// Shows files below the root as `<label>/<path>` (for a checkout outside the repository).
    pub fn with_display_root(mut self, label: String) -> Loader {
        // a loader is labelled as it is made, before anything shares its tree
        if let Tree::Disk(d) = &mut self.tree
            && let Some(d) = Arc::get_mut(d)
        {
            d.display_root = Some(label);
        }
        self
    }

    pub fn root(&self) -> &Path {
        match &self.tree {
            Tree::Disk(d) => d.root(),
            Tree::Virtual(v) => v.root(),
        }
    }

    /// Path shown to users: relative to the repository root, with `/`; a file of a virtual tree
    /// is shown as the disk file behind it.
    pub fn display(&self, path: &Path) -> String {
        match &self.tree {
            Tree::Disk(d) => d.display(path),
            Tree::Virtual(v) => v.display(path),
        }
    }

    /// Joins `rel` onto `base` and resolves it; refuses what escapes the tree's root, and (with
    /// root-only) what escapes `restrict_to`.
    pub fn resolve(
        &self,
        base: &Path,
        rel: &str,
        restrict_to: Option<&Path>,
        span: Span,
    ) -> Result<PathBuf> {
        let found = match &self.tree {
            Tree::Disk(d) => d.resolve(base, rel),
            Tree::Virtual(v) => v.resolve(base, rel),
        };
        let canon = match found {
            Ok(p) => p,
            Err(Miss::Escapes) => return Err(self.escape_error(rel, span)),
            Err(Miss::Missing(lexical, why)) => {
                return Err(Error::at(
                    "missing-file",
                    span,
                    format!("'{}': {why}", self.display(&lexical)),
                )
                .with_label("referenced here"));
            }
        };
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

    /// Is this (resolved) path a directory?
    pub fn is_dir(&self, p: &Path) -> bool {
        match &self.tree {
            Tree::Disk(d) => d.is_dir(p),
            Tree::Virtual(v) => matches!(v.get(p), Some(Entry::Dir)),
        }
    }

    /// Is this path a file (a symlink to one included)?
    pub fn is_file(&self, p: &Path) -> bool {
        match &self.tree {
            Tree::Disk(_) => p.is_file(),
            Tree::Virtual(v) => matches!(v.get(p), Some(Entry::File(_))),
        }
    }

    /// Does anything exist at this path (not resolved: `..` is applied lexically in a virtual
    /// tree)?
    pub fn exists(&self, p: &Path) -> bool {
        match &self.tree {
            Tree::Disk(_) => p.exists(),
            Tree::Virtual(v) => v.get(p).is_some(),
        }
    }

    /// The entries of a directory, in byte order of their names.
    pub fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<DirEntry>> {
        match &self.tree {
            Tree::Disk(d) => d.read_dir(dir),
            Tree::Virtual(v) => v.read_dir(dir),
        }
    }

    /// The disk file a (resolved) path reads, if it is a file.
    pub fn file_ref(&self, p: &Path) -> Option<FileRef> {
        match &self.tree {
            Tree::Disk(d) => (!d.is_dir(p) && p.is_file()).then(|| FileRef {
                disk: Arc::clone(d),
                path: p.to_path_buf(),
            }),
            Tree::Virtual(v) => match v.get(p) {
                Some(Entry::File(f)) => Some(f.clone()),
                _ => None,
            },
        }
    }

    fn escape_error(&self, rel: &str, span: Span) -> Error {
        let (what, root) = match &self.tree {
            Tree::Disk(d) => ("repository root", d.root().display().to_string()),
            Tree::Virtual(v) => ("artifact", v.display(v.root())),
        };
        Error::at(
            "path-escape",
            span,
            format!("'{rel}' resolves outside the {what} {root}"),
        )
        .with_label(match self.tree {
            Tree::Disk(_) => "leaves the repository",
            Tree::Virtual(_) => "leaves the artifact",
        })
        .with_help(match self.tree {
            Tree::Disk(_) => "fluxlint never reads files outside the repository root",
            Tree::Virtual(_) => {
                "an ExternalArtifact holds only what its ArtifactGenerator copies into it"
            }
        })
    }

    /// Reads a file (once) and registers it in the source map.
    pub fn read(&self, path: &Path, span: Span) -> Result<(FileId, Arc<str>)> {
        match &self.tree {
            Tree::Disk(d) => d.read(path, span),
            Tree::Virtual(v) => match v.get(path) {
                Some(Entry::File(f)) => f.disk.read(&f.path, span),
                _ => Err(Error::at(
                    "missing-file",
                    span,
                    format!("cannot read '{}': not a file", v.display(path)),
                )),
            },
        }
    }

    /// Raw bytes of a file, not through the text cache (binary content and byte-order marks stay
    /// as they are).
    pub fn read_bytes(&self, path: &Path, span: Span) -> Result<Vec<u8>> {
        let real = match &self.tree {
            Tree::Disk(_) => path.to_path_buf(),
            Tree::Virtual(v) => match v.get(path) {
                Some(Entry::File(f)) => f.path.clone(),
                _ => PathBuf::new(),
            },
        };
        read_file(&real).map_err(|e| {
            Error::at(
                "missing-file",
                span,
                format!("cannot read '{}': {e}", self.display(path)),
            )
        })
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
