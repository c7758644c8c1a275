//! Finding the repository root and its environments, and rendering them (in parallel).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::kustomize::loader::{LoadRestrictor, Loader};
use crate::source::SourceMap;

use super::{EnvSpec, Repo, SourceMapping, config, render};

/// How to load a repository beyond its environments.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--source NAME=DIR` mappings.
    pub sources: Vec<SourceMapping>,
}

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

/// The environments of a repository: those `fluxlint.yaml` declares, else every directory under
/// `clusters/`, sorted by name.
pub fn environments(root: &Path) -> Result<Vec<EnvSpec>> {
    environments_in(root, &SourceMap::new())
}

/// [`environments`], reading `fluxlint.yaml` into `sources` (so its errors can be shown).
pub fn environments_in(root: &Path, sources: &SourceMap) -> Result<Vec<EnvSpec>> {
    if let Some(envs) = config::load(root, sources)? {
        return Ok(envs);
    }
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
    load_with(root, specs, Arc::new(SourceMap::new()), &Options::default())
}

/// [`load`] with options, registering files in `sources`.
pub fn load_with(
    root: &Path,
    specs: &[EnvSpec],
    sources: Arc<SourceMap>,
    options: &Options,
) -> Result<Repo> {
    // no load restrictor: the kustomize-controller builds with LoadRestrictionsNone
    let loader = Loader::new(root, LoadRestrictor::None, Arc::clone(&sources))?;
    let source_loaders = options
        .sources
        .iter()
        .map(|m| {
            Loader::new(&m.dir, LoadRestrictor::None, Arc::clone(&sources))
                .map(|l| l.with_display_root(m.display.clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    let cluster_dirs: Vec<_> = specs.iter().map(|s| s.cluster_dir.clone()).collect();
    let repo_vars = std::sync::OnceLock::new();
    let ctx = render::RenderCtx {
        loader: &loader,
        mappings: &options.sources,
        source_loaders: &source_loaders,
        cluster_dirs: &cluster_dirs,
        repo_vars: &repo_vars,
    };
    let environments = specs
        .par_iter()
        .map(|s| render::render_env(&ctx, s))
        .collect();
    Ok(Repo {
        root: loader.root().to_path_buf(),
        sources,
        environments,
    })
}
