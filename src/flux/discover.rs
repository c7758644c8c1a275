//! Finding the repository root and its environments, and rendering them (in parallel).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::Result;
use crate::kustomize::loader::{LoadRestrictor, Loader};
use crate::source::SourceMap;

use super::{EntryKind, EnvSpec, Repo, Role, RoleFrom, SourceMapping, clusters, config, render};

/// How to load a repository beyond its environments.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--source NAME=DIR` mappings.
    pub sources: Vec<SourceMapping>,
    /// Sources `fluxlint.yaml` declares as this repository.
    pub repo_sources: Vec<config::RepoSource>,
    /// Files discovery already read (the loader reuses them instead of reading them again).
    pub texts: Vec<(PathBuf, Arc<str>, Option<crate::source::FileId>)>,
    /// Directories that looked like clusters and are not (kept on the repository: a template
    /// cluster directory is said at info).
    pub not_clusters: Vec<clusters::NotCluster>,
    /// The Kubernetes and Flux versions `fluxlint.yaml` declares.
    pub versions: config::Versions,
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

/// What discovery found: the environments, the directories that looked like clusters and are
/// not, what `fluxlint.yaml` says, and the files read on the way (the loader reuses them).
#[derive(Debug, Default)]
pub struct Discovery {
    pub envs: Vec<EnvSpec>,
    pub not_clusters: Vec<clusters::NotCluster>,
    pub config: config::Config,
    pub texts: Vec<(PathBuf, Arc<str>, Option<crate::source::FileId>)>,
}

/// The environments of a repository, sorted by name: those `fluxlint.yaml` declares, else the
/// clusters found as Flux finds them ([`clusters`]).
pub fn environments(root: &Path) -> Result<Vec<EnvSpec>> {
    environments_in(root, &SourceMap::new())
}

/// [`environments`], reading `fluxlint.yaml` into `sources` (so its errors can be shown).
pub fn environments_in(root: &Path, sources: &SourceMap) -> Result<Vec<EnvSpec>> {
    Ok(discover(root, sources)?.envs)
}

/// Finds the environments, with everything discovery learnt.
pub fn discover(root: &Path, sources: &SourceMap) -> Result<Discovery> {
    let config = config::load_config(root, sources)?;
    let found = clusters::find(root, sources);
    let role_of = |name: &str, aliases: &[String], declared: Option<Role>| {
        if let Some(r) = declared {
            return (Some(r), RoleFrom::Config);
        }
        let by_glob = config.roles.iter().find(|(_, globs)| {
            globs.iter().any(|g| {
                std::iter::once(name)
                    .chain(aliases.iter().map(String::as_str))
                    .any(|n| crate::policy::glob_match(g, n))
            })
        });
        if let Some((r, _)) = by_glob {
            return (Some(*r), RoleFrom::Config);
        }
        match Role::from_names(std::iter::once(name).chain(aliases.iter().map(String::as_str))) {
            Some(r) => (Some(r), RoleFrom::Name),
            None => (None, RoleFrom::None),
        }
    };
    let mut envs: Vec<EnvSpec> = Vec::new();
    if let Some(decls) = &config.environments {
        for d in decls {
            let sync = clusters::sync_for(&found, &d.cluster_dir)
                .cloned()
                .map(Arc::new);
            let (role, role_from) = role_of(&d.name, &d.aliases, d.role);
            envs.push(EnvSpec {
                name: d.name.clone(),
                aliases: d.aliases.clone(),
                cluster_dir: d.cluster_dir.clone(),
                role,
                role_from,
                entry: sync.as_ref().map_or(EntryKind::Config, |s| s.kind),
                sync,
            });
        }
    } else {
        let mut entries: Vec<(PathBuf, EntryKind, Option<Arc<clusters::SyncDecl>>)> = found
            .syncs
            .iter()
            .map(|s| (s.dir.clone(), s.kind, Some(Arc::new(s.clone()))))
            .collect();
        entries.extend(
            found
                .layout
                .iter()
                .map(|d| (d.clone(), EntryKind::Layout, None)),
        );
        let base: Vec<String> = entries
            .iter()
            .map(|(d, _, sync)| match sync {
                // a sync of the whole repository: named from where it is declared
                // (`clusters/home/flux-system/gotk-sync.yaml` is `home`), never from the name of
                // the checkout's directory
                Some(s) if d == root => s
                    .file
                    .rsplit_once('/')
                    .map(|(dir, _)| clusters::name_for(root, &root.join(dir)))
                    .filter(|n| n != "flux-system")
                    .unwrap_or_else(|| "root".into()),
                _ => clusters::name_for(root, d),
            })
            .collect();
        for (i, (dir, kind, sync)) in entries.into_iter().enumerate() {
            // two entries that would share a name are told apart by their whole path
            let name = if base.iter().filter(|b| **b == base[i]).count() > 1 {
                clusters::long_name(root, &dir)
            } else {
                base[i].clone()
            };
            let (role, role_from) = role_of(&name, &[], None);
            envs.push(EnvSpec {
                name,
                aliases: Vec::new(),
                cluster_dir: dir,
                role,
                role_from,
                entry: kind,
                sync,
            });
        }
        envs.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(Discovery {
        envs,
        not_clusters: found.not_clusters,
        config,
        texts: found.texts,
    })
}

/// Renders every environment (in parallel; the result does not depend on the thread count).
///
/// Discovery runs again into the source map of this load, so what syncs each cluster (whose
/// objects keep spans into the files that declare them) points into the same files as the render.
pub fn load(root: &Path, specs: &[EnvSpec]) -> Result<Repo> {
    let sources = Arc::new(SourceMap::new());
    let found = discover(root, &sources)?;
    let specs: Vec<EnvSpec> = specs
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if s.sync.is_some() {
                s.sync = found
                    .envs
                    .iter()
                    .find(|f| f.cluster_dir == s.cluster_dir)
                    .and_then(|f| f.sync.clone());
            }
            s
        })
        .collect();
    let options = Options {
        repo_sources: found.config.sources,
        texts: found.texts,
        not_clusters: found.not_clusters,
        versions: found.config.versions,
        ..Options::default()
    };
    load_with(root, &specs, sources, &options)
}

/// [`load`] with options, registering files in `sources`.
pub fn load_with(
    root: &Path,
    specs: &[EnvSpec],
    sources: Arc<SourceMap>,
    options: &Options,
) -> Result<Repo> {
    // no load restrictor: the kustomize-controller builds with LoadRestrictionsNone
    let loader = Loader::new(root, LoadRestrictor::None, Arc::clone(&sources))?
        .with_prefetched(&options.texts);
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
        repo_sources: &options.repo_sources,
        source_loaders: &source_loaders,
        cluster_dirs: &cluster_dirs,
        repo_vars: &repo_vars,
    };
    let environments = specs
        .par_iter()
        .map(|s| render::render_env(&ctx, s))
        .collect();
    keep_components(loader.root(), specs, &options.texts, &sources);
    Ok(Repo {
        root: loader.root().to_path_buf(),
        sources,
        environments,
        not_clusters: options.not_clusters.clone(),
        versions: options.versions.clone(),
    })
}

/// Keeps in the source map the `gotk-components.yaml` that bootstrap wrote next to each cluster's
/// sync when the cluster's kustomization.yaml leaves it out of the render: it still says which
/// Flux was installed ([`super::targets`]). Its text was read by discovery; it is not parsed.
fn keep_components(
    root: &Path,
    specs: &[EnvSpec],
    texts: &[(PathBuf, Arc<str>, Option<crate::source::FileId>)],
    sources: &SourceMap,
) {
    for spec in specs {
        let mut dirs = vec![spec.cluster_dir.join("flux-system")];
        if let Some((dir, _)) = spec.sync.as_ref().and_then(|s| s.file.rsplit_once('/')) {
            dirs.push(root.join(dir));
        }
        for path in dirs.iter().map(|d| d.join("gotk-components.yaml")) {
            if sources.find(&path).is_some() {
                continue;
            }
            if let Some((_, text, _)) = texts.iter().find(|(p, _, _)| *p == path) {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                sources.add(rel, &path, Arc::clone(text));
            }
        }
    }
}
