//! Finding the repository root and its environments, and rendering them (in parallel).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::kustomize::loader::{LoadRestrictor, Loader};
use crate::source::SourceMap;

use super::{EnvSpec, Repo, render};

/// Walks up from `path` to the directory that holds `clusters/`, `fluxlint.yaml` or `.git`.
pub fn find_root(path: &Path) -> Option<PathBuf> {
    let abs = path.canonicalize().ok()?;
    let mut cur = Some(abs.as_path());
    while let Some(d) = cur {
        if d.join("clusters").is_dir()
            || d.join("fluxlint.yaml").is_file()
            || d.join(".git").exists()
        {
            return Some(d.to_path_buf());
        }
        cur = d.parent();
    }
    None
}

/// The environments of a repository: every directory under `clusters/`, sorted by name.
pub fn environments(root: &Path) -> Result<Vec<EnvSpec>> {
    let clusters = root.join("clusters");
    let Ok(rd) = std::fs::read_dir(&clusters) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<EnvSpec> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| EnvSpec {
            name: e.file_name().to_string_lossy().into_owned(),
            aliases: Vec::new(),
            cluster_dir: e.path(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    for e in &mut out {
        e.cluster_dir = e.cluster_dir.canonicalize().map_err(|err| {
            Error::new(
                "missing-file",
                format!("{}: {err}", e.cluster_dir.display()),
            )
        })?;
    }
    Ok(out)
}

/// Renders every environment (in parallel; the result does not depend on the thread count).
pub fn load(root: &Path, specs: &[EnvSpec]) -> Result<Repo> {
    let sources = Arc::new(SourceMap::new());
    let loader = Loader::new(root, LoadRestrictor::None, Arc::clone(&sources))?;
    let environments = specs
        .par_iter()
        .map(|s| render::render_env(&loader, s))
        .collect();
    Ok(Repo {
        root: loader.root().to_path_buf(),
        sources,
        environments,
    })
}
