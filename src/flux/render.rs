//! Rendering one environment the way Flux applies it: the cluster directory, then every path a Flux
//! Kustomization points at, recursively.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kustomize::kustomization::{FILE_NAMES, Kustomization};
use crate::kustomize::loader::Loader;
use crate::kustomize::resource::ResMap;
use crate::kustomize::{self};
use crate::source::Span;
use crate::yaml::{SetBy, parse_stream};

use super::{Applied, EnvSpec, Environment, Failure, Unit, path_span};

/// Renders an environment. Never fails: what does not render is recorded in `failures`.
pub fn render_env(loader: &Loader, spec: &EnvSpec) -> Environment {
    let mut env = Environment {
        name: spec.name.clone(),
        aliases: spec.aliases.clone(),
        cluster_dir: spec.cluster_dir.clone(),
        cluster_display: loader.display(&spec.cluster_dir),
        units: Vec::new(),
        objects: Vec::new(),
        failures: Vec::new(),
        unmatched_patches: Vec::new(),
    };
    env.units.push(Unit {
        name: "<cluster>".into(),
        namespace: String::new(),
        object: None,
        path: env.cluster_display.clone(),
        dir: Some(spec.cluster_dir.clone()),
        span: Span::NONE,
        skipped: None,
    });
    let mut rendered_dirs: HashSet<PathBuf> = HashSet::new();
    rendered_dirs.insert(spec.cluster_dir.clone());
    match render_dir(loader, &spec.cluster_dir) {
        Ok(m) => push_all(&mut env, m, 0),
        Err(e) => env.failures.push(Failure { unit: 0, error: e }),
    }
    // follow Flux Kustomizations, including those that rendered paths bring in
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut next = 0;
    while next < env.objects.len() {
        let i = next;
        next += 1;
        let r = &env.objects[i].resource;
        if r.kind() != "Kustomization" || r.gvk().group != "kustomize.toolkit.fluxcd.io" {
            continue;
        }
        let key = (r.namespace().to_string(), r.name().to_string());
        if !seen.insert(key.clone()) {
            continue;
        }
        let path = r.node.str_at(&["spec", "path"]).unwrap_or("").to_string();
        let unit = env.units.len();
        env.units.push(Unit {
            name: key.1,
            namespace: key.0,
            object: Some(i),
            path: path.clone(),
            dir: None,
            span: path_span(r),
            skipped: None,
        });
        let dir = match resolve_path(loader, &path, env.units[unit].span) {
            Ok(d) => d,
            Err(e) => {
                env.failures.push(Failure { unit, error: e });
                continue;
            }
        };
        env.units[unit].dir = Some(dir.clone());
        // the flux-system Kustomization applies the cluster directory itself
        if !rendered_dirs.insert(dir.clone()) {
            continue;
        }
        match render_dir(loader, &dir) {
            Ok(m) => push_all(&mut env, m, unit),
            Err(e) => env.failures.push(Failure { unit, error: e }),
        }
    }
    env
}

fn push_all(env: &mut Environment, m: ResMap, unit: usize) {
    env.unmatched_patches
        .extend(m.unmatched_patches.into_iter().map(|s| (unit, s)));
    env.objects.extend(
        m.resources
            .into_iter()
            .map(|resource| Applied { resource, unit }),
    );
}

/// `spec.path` is relative to the source's root (this repository); `./` and empty mean the root.
fn resolve_path(loader: &Loader, path: &str, span: Span) -> Result<PathBuf> {
    let rel = path.trim_start_matches("./");
    let rel = if rel.is_empty() { "." } else { rel };
    let dir = loader.resolve(loader.root(), rel, None, span)?;
    if !loader.is_dir(&dir) {
        return Err(Error::at(
            "flux-path",
            span,
            format!("spec.path '{path}' is not a directory"),
        ));
    }
    Ok(dir)
}

/// Renders a directory as kustomize-controller does: its kustomization when it has one, else a
/// generated one listing every manifest below it (sub-directories with a kustomization are listed as
/// directories and not descended into).
pub fn render_dir(loader: &Loader, dir: &Path) -> Result<ResMap> {
    if FILE_NAMES.iter().any(|n| dir.join(n).is_file()) {
        let k = Kustomization::load(loader, dir, Span::NONE)?;
        return kustomize::build_kustomization(loader, &k);
    }
    let mut entries = Vec::new();
    scan(dir, dir, &mut entries)?;
    let mut text = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for e in &entries {
        text.push_str("- ");
        text.push_str(&crate::yaml::emit::quote_str(e));
        text.push('\n');
    }
    if entries.is_empty() {
        text = String::from(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
        );
    }
    let display = format!(
        "{}/kustomization.yaml (generated by Flux)",
        loader.display(dir)
    );
    let file = loader.add_virtual(display, Arc::from(text.as_str()));
    let docs = parse_stream(&text, file, SetBy::Transformer)
        .map_err(|e| Error::at("yaml", e.span, e.message))?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(ResMap::new());
    };
    let k = Kustomization::synthetic(loader, dir, doc.root)?;
    kustomize::build_kustomization(loader, &k)
}

/// Lists `.yaml`/`.yml` files and kustomization directories below `dir`, in lexical order.
fn scan(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| {
            Error::new(
                "missing-file",
                format!("cannot read {}: {e}", dir.display()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    for p in names {
        let rel = p
            .strip_prefix(base)
            .map(|r| format!("./{}", r.to_string_lossy()))
            .unwrap_or_default();
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if FILE_NAMES.iter().any(|n| p.join(n).is_file()) {
                out.push(rel);
            } else {
                scan(base, &p, out)?;
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(rel);
        }
    }
    Ok(())
}
