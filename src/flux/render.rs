//! Rendering one environment the way Flux applies it: the cluster directory (applied by the
//! flux-system Kustomization with its own fields), then every path a Flux Kustomization points at,
//! recursively. Units discovered together render in parallel; results are appended in discovery
//! order, so the environment is the same at any thread count.
//!
//! A unit waits when what it needs is not known yet (its source, or a `substituteFrom` ConfigMap
//! applied by a unit found later); when nothing new arrives, what is still missing is a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::kustomize::loader::Loader;
use crate::kustomize::resource::{ResMap, Resource};
use crate::source::Span;

use super::kinds::{FluxKind, FluxKustomization, ObjectRef, is_flux_kustomization, namespace_of};
use super::sources::{self, Origin, SourceMapping};
use super::substitute::{self, Vars};
use super::{
    Applied, Entry, EnvNote, EnvSpec, Environment, Failure, ImplicitSource, UndefinedVar, Unit,
    artifacts, overrides, path_span, resourceset,
};

/// What every environment's render shares.
pub struct RenderCtx<'a> {
    pub loader: &'a Loader,
    pub mappings: &'a [SourceMapping],
    /// Sources `fluxlint.yaml` declares as this repository.
    pub repo_sources: &'a [super::config::RepoSource],
    /// One loader per mapping (rooted at the mapped directory).
    pub source_loaders: &'a [Loader],
    /// Every environment's cluster directory (a fallback ConfigMap is never taken from another's).
    pub cluster_dirs: &'a [PathBuf],
    /// ConfigMaps and Secrets of the whole repository, read once when a `substituteFrom` needs one
    /// that no unit applies.
    pub repo_vars: &'a std::sync::OnceLock<Vec<(PathBuf, Resource)>>,
}

/// Renders an environment. Never fails: what does not render is recorded in `failures`.
pub fn render_env(ctx: &RenderCtx, spec: &EnvSpec) -> Environment {
    let mut env = Environment {
        name: spec.name.clone(),
        aliases: spec.aliases.clone(),
        role: spec.role,
        role_from: spec.role_from,
        entry: Entry {
            kind: spec.entry,
            declared_in: spec.sync.as_ref().map(|s| s.file.clone()),
            implicit_source: None,
            added: Vec::new(),
        },
        cluster_dir: spec.cluster_dir.clone(),
        cluster_display: ctx.loader.display(&spec.cluster_dir),
        units: Vec::new(),
        objects: Vec::new(),
        failures: Vec::new(),
        unmatched_patches: Vec::new(),
        deleted: Vec::new(),
        remote: Vec::new(),
        unresolved: Vec::new(),
        undefined_vars: Vec::new(),
        root: None,
        repo_source: None,
        notes: Vec::new(),
        resource_sets: Vec::new(),
        index: Default::default(),
    };
    env.units.push(Unit {
        name: "<cluster>".into(),
        namespace: String::new(),
        object: None,
        path: env.cluster_display.clone(),
        dir: Some(spec.cluster_dir.clone()),
        span: Span::NONE,
        skipped: None,
        source: None,
        mapped: None,
        source_id: None,
        foreign: false,
    });
    let mut r = Renderer {
        ctx,
        env,
        seen: HashMap::new(),
        queue: Vec::new(),
        implicit_decided: false,
        artifacts: artifacts::Cache::default(),
        said: Default::default(),
    };
    r.cluster_dir(spec);
    r.run();
    r.env
}

struct Renderer<'c, 'a> {
    ctx: &'c RenderCtx<'a>,
    env: Environment,
    /// Flux Kustomizations met, by (namespace, name): the unit each one renders.
    seen: HashMap<(String, String), usize>,
    queue: Vec<Pending>,
    /// Whether the source that no file defines has been looked for (see [`Renderer::implicit`]).
    implicit_decided: bool,
    /// ExternalArtifact trees built so far.
    artifacts: artifacts::Cache,
    /// Keys of the `postBuild` notes said so far (each is said once).
    said: std::collections::HashSet<String>,
}

/// A unit waiting to render, and how far it got.
struct Pending {
    unit: usize,
    built: Option<Vec<Resource>>,
}

/// A unit ready to build: which loader (this repository's, a `--source` one, or an
/// ExternalArtifact's tree), which directory.
struct Ready {
    unit: usize,
    loader: Option<usize>,
    tree: Option<Arc<Loader>>,
    dir: PathBuf,
}

impl Renderer<'_, '_> {
    /// Unit 0: the cluster directory as bootstrap applies it, then as its Flux Kustomization (the
    /// one whose path is the cluster directory) renders it.
    fn cluster_dir(&mut self, spec: &EnvSpec) {
        let dir = spec.cluster_dir.as_path();
        if let Some((kind, namespace, name)) =
            spec.sync.as_ref().and_then(|s| s.implicit_source.clone())
        {
            let file = spec
                .sync
                .as_ref()
                .map(|s| s.file.clone())
                .unwrap_or_default();
            self.env.entry.implicit_source = Some(ImplicitSource {
                kind,
                namespace,
                name,
                root: self.ctx.loader.root().to_path_buf(),
                span: Span::NONE,
                why: format!("flux bootstrap writes it into {file}, which holds no object yet"),
            });
            self.implicit_decided = true;
        }
        let boot = match overrides::build(self.ctx.loader, dir, None, Span::NONE) {
            Ok(m) => {
                self.record(0, &m);
                m.resources
            }
            Err(e) => {
                self.env.failures.push(Failure { unit: 0, error: e });
                return;
            }
        };
        let mut boot = boot;
        let mut root = boot.iter().position(|r| {
            FluxKustomization::new(r).is_some_and(|k| {
                resolve_path(self.ctx.loader, k.path(), Span::NONE).is_ok_and(|d| d == dir)
            })
        });
        let mut added = Vec::new();
        if root.is_none()
            && let Some(sync) = &spec.sync
            && !sync.objects.is_empty()
        {
            // what syncs the cluster is in git but not in its render (a FluxInstance, or a
            // gotk-sync.yaml the cluster's kustomization.yaml leaves out): apply it as Flux does
            let start = boot.len();
            for o in &sync.objects {
                if !boot
                    .iter()
                    .any(|b| super::clusters::key(b) == super::clusters::key(o))
                {
                    boot.push(o.clone());
                }
            }
            added.extend(start..boot.len());
            root = boot.iter().position(|r| {
                FluxKustomization::new(r).is_some_and(|k| {
                    resolve_path(self.ctx.loader, k.path(), Span::NONE).is_ok_and(|d| d == dir)
                })
            });
        }
        let root_key = root.map(|ri| key_of(&boot[ri]));
        let added_keys: Vec<_> = added
            .iter()
            .map(|&i| super::clusters::key(&boot[i]))
            .collect();
        let mut objects = boot;
        if let Some(ri) = root {
            let k = objects[ri].clone();
            self.env.units[0].name = k.name().to_string();
            self.env.units[0].namespace = namespace_of(&k).to_string();
            self.env.units[0].span = path_span(&k);
            let rebuilt = if overrides::changes_build(&k) {
                overrides::build(self.ctx.loader, dir, Some(&k), path_span(&k)).map(|m| m.resources)
            } else {
                Ok(objects.clone())
            };
            let reapplied = rebuilt.and_then(|mut built| {
                // the cluster directory's own ConfigMaps can feed its substitution
                let vars = self.vars(&k, &objects, true)?.unwrap_or_default();
                self.note_unresolved(&vars);
                self.post_build(0, &k, &mut built, &vars)?;
                Ok(built)
            });
            match reapplied {
                Ok(built) => objects = built,
                // bootstrap applied the directory as it is: keep that
                Err(e) => self.env.failures.push(Failure { unit: 0, error: e }),
            }
        }
        let objects = self.resource_sets(objects, 0);
        let start = self.env.objects.len();
        push_all(&mut self.env, objects, 0);
        for (i, a) in self.env.objects.iter().enumerate().skip(start) {
            if added_keys.contains(&super::clusters::key(&a.resource)) {
                self.env.entry.added.push(i);
            }
        }
        if let Some(key) = root_key {
            let idx = self.env.objects[start..]
                .iter()
                .position(|a| is_flux_kustomization(&a.resource) && key_of(&a.resource) == key)
                .map(|i| start + i);
            self.env.units[0].object = idx;
            self.env.root = idx;
            self.seen.insert(key, 0);
            if let Some(i) = idx
                && let Some(sref) = FluxKustomization(&self.env.objects[i].resource).source_ref()
            {
                self.env.repo_source = self.env.find(&sref).map(|a| self.index_of(a));
                self.env.units[0].source_id = Some(sref.display());
            }
        }
        if self.env.repo_source.is_none() {
            // no Kustomization applies the cluster directory: the GitRepository bootstrap created
            self.env.repo_source = self.guess_repo_source(start);
        }
        self.discover(start, 0);
    }

    /// What a build left for the `render` rule: patches that selected nothing, remote entries.
    fn record(&mut self, unit: usize, m: &ResMap) {
        let unmatched = m.unmatched_patches.iter().map(|s| (unit, s.clone()));
        self.env.unmatched_patches.extend(unmatched);
        let deleted = m.deleted.iter().map(|d| (unit, d.clone()));
        self.env.deleted.extend(deleted);
        for r in &m.remote {
            if !self
                .env
                .remote
                .iter()
                .any(|(u, e)| *u == unit && e.url == r.url)
            {
                self.env.remote.push((unit, r.clone()));
            }
        }
    }

    fn index_of(&self, a: &Applied) -> usize {
        self.env
            .objects
            .iter()
            .position(|o| std::ptr::eq(o, a))
            .unwrap_or(0)
    }

    fn guess_repo_source(&self, start: usize) -> Option<usize> {
        let gits: Vec<usize> = (start..self.env.objects.len())
            .filter(|&i| {
                FluxKind::of(&self.env.objects[i].resource) == Some(FluxKind::GitRepository)
            })
            .collect();
        gits.iter()
            .copied()
            .find(|&i| self.env.objects[i].resource.name() == "flux-system")
            .or_else(|| (gits.len() == 1).then(|| gits[0]))
    }

    /// Registers the Flux Kustomizations among objects `from..` (applied by `unit`) as new units.
    fn discover(&mut self, from: usize, unit: usize) {
        let mut i = from;
        while i < self.env.objects.len() {
            let r = &self.env.objects[i].resource;
            if !is_flux_kustomization(r) || self.env.root == Some(i) {
                i += 1;
                continue;
            }
            let key = key_of(r);
            if let Some(&first) = self.seen.get(&key) {
                let span = path_span(r);
                let id = format!("{}/{}", key.0, key.1);
                let owner = first;
                let error = if owner == unit {
                    // a Kustomization that applies its own file manages itself, like flux-system
                    None
                } else if self.ancestors(unit).contains(&owner) {
                    Some(Error::at(
                        "flux-cycle",
                        span,
                        format!("Kustomization {id} is applied again by a Kustomization it applies (a cycle)"),
                    )
                    .with_label("applied again here")
                    .with_note("first applied here", self.env.units[owner].span)
                    .with_help("remove the Kustomization from the path it applies"))
                } else {
                    Some(
                        Error::at(
                            "flux-duplicate",
                            span,
                            format!(
                                "Kustomization {id} is defined twice in environment {}",
                                self.env.name
                            ),
                        )
                        .with_label("second definition")
                        .with_note("first definition", self.env.units[owner].span)
                        .with_help("rename one of them, or remove the duplicate"),
                    )
                };
                if let Some(e) = error {
                    self.env.failures.push(Failure { unit, error: e });
                }
                // one object per name: the duplicate is not applied twice
                self.env.objects.remove(i);
                continue;
            }
            let k = FluxKustomization(r);
            let u = self.env.units.len();
            self.env.units.push(Unit {
                name: key.1.clone(),
                namespace: key.0.clone(),
                object: Some(i),
                path: k.path().to_string(),
                dir: None,
                span: path_span(r),
                skipped: None,
                source: None,
                mapped: None,
                source_id: None,
                foreign: false,
            });
            self.seen.insert(key, u);
            self.queue.push(Pending {
                unit: u,
                built: None,
            });
            i += 1;
        }
    }

    /// The units that (transitively) applied `unit`'s Flux Kustomization.
    fn ancestors(&self, mut unit: usize) -> Vec<usize> {
        let mut out = vec![unit];
        while let Some(o) = self.env.units[unit].object {
            let parent = self.env.objects[o].unit;
            if out.contains(&parent) {
                break;
            }
            out.push(parent);
            unit = parent;
        }
        out
    }

    fn run(&mut self) {
        let mut waiting: Vec<Pending> = Vec::new();
        let mut known = self.env.objects.len();
        loop {
            let mut wave = std::mem::take(&mut self.queue);
            let mut last = false;
            if wave.is_empty() {
                if waiting.is_empty() {
                    break;
                }
                last = self.env.objects.len() == known;
                known = self.env.objects.len();
                // before giving up on what waits: the source no file defines may be this
                // repository, and what renders from it may define the sources the others wait for
                if last && !self.implicit_decided {
                    self.implicit();
                    if self.env.entry.implicit_source.is_some() {
                        last = false;
                    }
                }
                wave = std::mem::take(&mut waiting);
            }
            waiting.extend(self.wave(wave, last));
        }
    }

    /// Renders one wave; returns the units that must wait for more objects.
    fn wave(&mut self, wave: Vec<Pending>, last: bool) -> Vec<Pending> {
        let mut waiting = Vec::new();
        let mut ready: Vec<Ready> = Vec::new();
        let mut built: Vec<(usize, Vec<Resource>)> = Vec::new();
        for p in wave {
            if let Some(b) = p.built {
                built.push((p.unit, b));
                continue;
            }
            match self.locate(p.unit, last) {
                Ok(Some(r)) => ready.push(r),
                Ok(None) if self.env.units[p.unit].skipped.is_some() => {}
                Ok(None) => waiting.push(p),
                Err(e) => self.env.failures.push(Failure {
                    unit: p.unit,
                    error: e,
                }),
            }
        }
        let results: Vec<(usize, Result<ResMap>)> = {
            let env = &self.env;
            let ctx = self.ctx;
            ready
                .par_iter()
                .map(|r| {
                    let loader = match &r.tree {
                        Some(t) => t,
                        None => r.loader.map_or(ctx.loader, |i| &ctx.source_loaders[i]),
                    };
                    let unit = &env.units[r.unit];
                    let k = unit.object.map(|o| &env.objects[o].resource);
                    (r.unit, overrides::build(loader, &r.dir, k, unit.span))
                })
                .collect()
        };
        for (unit, res) in results {
            match res {
                Ok(m) => {
                    self.record(unit, &m);
                    built.push((unit, m.resources))
                }
                Err(e) => self.env.failures.push(Failure { unit, error: e }),
            }
        }
        built.sort_by_key(|(u, _)| *u);
        for (unit, mut objects) in built {
            let Some(o) = self.env.units[unit].object else {
                continue;
            };
            let k = self.env.objects[o].resource.clone();
            let vars = match self.vars(&k, &[], last) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    waiting.push(Pending {
                        unit,
                        built: Some(objects),
                    });
                    continue;
                }
                Err(e) => {
                    self.env.failures.push(Failure { unit, error: e });
                    continue;
                }
            };
            self.note_unresolved(&vars);
            if let Err(e) = self.post_build(unit, &k, &mut objects, &vars) {
                self.env.failures.push(Failure { unit, error: e });
                continue;
            }
            let objects = self.resource_sets(objects, unit);
            let start = self.env.objects.len();
            push_all(&mut self.env, objects, unit);
            self.discover(start, unit);
        }
        waiting
    }

    /// Where a unit's path is read from; `None` when it must wait (its source is not known yet) or
    /// is skipped.
    fn locate(&mut self, unit: usize, last: bool) -> Result<Option<Ready>> {
        let Some(o) = self.env.units[unit].object else {
            return Ok(None);
        };
        if last && !self.implicit_decided {
            self.implicit();
        }
        let k = FluxKustomization(&self.env.objects[o].resource);
        let span = self.env.units[unit].span;
        // a reference without a name names nothing: the controller refuses it as unset
        let Some(sref) = k.source_ref().filter(|r| r.named) else {
            return Err(Error::at(
                "flux-source",
                k.0.doc_span,
                format!(
                    "Kustomization {}/{} has no spec.sourceRef",
                    k.namespace(),
                    k.name()
                ),
            )
            .with_help(
                "set spec.sourceRef to the GitRepository (or OCIRepository, Bucket) to apply",
            ));
        };
        if sref.kind == artifacts::KIND {
            return self.locate_artifact(unit, last);
        }
        let path = k.path().to_string();
        self.env.units[unit].source_id = Some(sref.display());
        let (kind, name, ns, ref_span) = (
            sref.kind.clone(),
            sref.name.clone(),
            default_ns(&sref.namespace),
            sref.node.span(),
        );
        let Some((si, origin)) = self.source_origin(&sref, last)? else {
            return Ok(None);
        };
        self.env.units[unit].source = si;
        if si.is_none() {
            self.adopt_implicit(&kind, &ns, &name, &origin, ref_span);
        }
        let (loader, li, base) = match origin {
            Origin::Mapped(i) => {
                self.env.units[unit].mapped = Some(self.ctx.mappings[i].key.clone());
                (&self.ctx.source_loaders[i], Some(i), None)
            }
            Origin::RepoAt(base) => (self.ctx.loader, None, Some(base)),
            Origin::Repo => (self.ctx.loader, None, None),
            Origin::Skipped(why) => {
                self.env.units[unit].skipped = Some(why);
                self.env.units[unit].foreign = true;
                return Ok(None);
            }
        };
        // the same repository at another branch or tag: what is not in this checkout may be there
        let other_ref = si.and_then(|si| {
            let repo = self
                .env
                .repo_source
                .map(|i| &self.env.objects[i].resource)?;
            let src = &self.env.objects[si].resource;
            (li.is_none()
                && self.env.repo_source != Some(si)
                && sources::ref_text(repo) != sources::ref_text(src))
            .then(|| {
                (
                    format!("{}/{}/{}", src.kind(), namespace_of(src), src.name()),
                    sources::ref_text(src).unwrap_or_else(|| "another ref".into()),
                )
            })
        });
        let dir = match resolve_path_in(loader, base.as_deref(), &path, span) {
            Ok(d) => d,
            Err(e) if other_ref.is_some() && matches!(e.code, "missing-file" | "flux-path") => {
                let (id, at) = other_ref.unwrap_or_default();
                self.env.units[unit].skipped = Some(format!(
                    "spec.path '{path}' is not in this checkout: source {id} reads this repository at {at}; check that out to check it"
                ));
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        self.env.units[unit].dir = Some(dir.clone());
        Ok(Some(Ready {
            unit,
            loader: li,
            tree: None,
            dir,
        }))
    }

    /// The source a reference names and where its content is read: `None` while it is not
    /// known yet (unless `last`: then it is not defined). A source no object defines is read
    /// from a `--source` mapping of its name, a `fluxlint.yaml` source, or as this repository
    /// when it is the environment's implicit source ([`Renderer::implicit`]); its index is then
    /// `None`. The one resolution of a source, for a Kustomization's `sourceRef` and an
    /// ArtifactGenerator's sources alike.
    fn source_origin(
        &self,
        sref: &ObjectRef,
        last: bool,
    ) -> Result<Option<(Option<usize>, Origin)>> {
        let ns = default_ns(&sref.namespace);
        let declared = |kind: &str, ns: &str, name: &str| {
            self.ctx
                .repo_sources
                .iter()
                .find(|d| d.names(kind, ns, name))
                .map(|d| Origin::RepoAt(d.root.clone()))
        };
        let found = self.env.find(sref).map(|a| self.index_of(a));
        let Some(si) = found else {
            let mapping = self
                .ctx
                .mappings
                .iter()
                .position(|m| m.key == sref.name || m.key == format!("{ns}/{}", sref.name));
            if let Some(i) = mapping {
                return Ok(Some((None, Origin::Mapped(i))));
            }
            if let Some(o) = declared(&sref.kind, &ns, &sref.name) {
                return Ok(Some((None, o)));
            }
            if let Some(imp) = &self.env.entry.implicit_source
                && imp.names(&sref.kind, &ns, &sref.name)
            {
                return Ok(Some((None, Origin::RepoAt(imp.root.clone()))));
            }
            if !last {
                return Ok(None);
            }
            return Err(Error::at(
                "flux-source",
                sref.node.span(),
                format!(
                    "source {} is not defined in environment {}",
                    sref.display(),
                    self.env.name
                ),
            )
            .with_label("no such source")
            .with_help("define the source in the cluster directory or a path it applies"));
        };
        let repo = self.env.repo_source.map(|i| &self.env.objects[i].resource);
        let src = &self.env.objects[si].resource;
        // the Kustomization that syncs the cluster directory reads this repository by definition
        let origin = if self.env.repo_source == Some(si) {
            sources::origin_of(src, Some(src), self.ctx.mappings)
        } else {
            sources::origin_of(src, repo, self.ctx.mappings)
        };
        let origin = match origin {
            Origin::Mapped(i) => Origin::Mapped(i),
            o => declared(src.kind(), namespace_of(src), src.name()).unwrap_or(o),
        };
        Ok(Some((Some(si), origin)))
    }

    /// A source no object defines, read as this repository: a `fluxlint.yaml` source becomes the
    /// environment's implicit source when it has none yet (its ref is not in git either); the
    /// implicit source is said once, where it is first used.
    fn adopt_implicit(&mut self, kind: &str, ns: &str, name: &str, origin: &Origin, span: Span) {
        let Origin::RepoAt(root) = origin else {
            return;
        };
        match &self.env.entry.implicit_source {
            None => {
                self.env.entry.implicit_source = Some(ImplicitSource {
                    kind: kind.to_string(),
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    root: root.clone(),
                    span,
                    why: "fluxlint.yaml declares it".into(),
                });
                self.implicit_decided = true;
            }
            Some(imp) if imp.names(kind, ns, name) && imp.span.is_none() => {
                self.note_implicit(span);
            }
            Some(_) => {}
        }
    }

    /// [`Self::locate`] for a `sourceRef` to an ExternalArtifact: its path in the tree the
    /// ArtifactGenerator composes ([`artifacts`]).
    fn locate_artifact(&mut self, unit: usize, last: bool) -> Result<Option<Ready>> {
        let Some(o) = self.env.units[unit].object else {
            return Ok(None);
        };
        let mut cache = std::mem::take(&mut self.artifacts);
        // where an alias first reads the implicit source, to say so there
        let implicit_use = std::cell::Cell::new(None);
        let found = match FluxKustomization(&self.env.objects[o].resource).source_ref() {
            Some(sref) => artifacts::locate(self.ctx, &self.env, &sref, last, &mut cache, &|r| {
                let res = self.source_origin(r, last);
                if let Ok(Some((None, Origin::RepoAt(_)))) = &res
                    && let Some(imp) = &self.env.entry.implicit_source
                    && imp.named_by(r)
                    && implicit_use.get().is_none()
                {
                    implicit_use.set(Some(r.node.span()));
                }
                res
            }),
            None => Ok(artifacts::Found::Wait),
        };
        self.artifacts = cache;
        if let Some(span) = implicit_use.get()
            && self
                .env
                .entry
                .implicit_source
                .as_ref()
                .is_some_and(|i| i.span.is_none())
        {
            self.note_implicit(span);
        }
        let ready = match found? {
            artifacts::Found::Ready(r) => r,
            artifacts::Found::Wait => return Ok(None),
            artifacts::Found::NotChecked(why) => {
                self.env.units[unit].skipped = Some(why);
                return Ok(None);
            }
        };
        let u = &mut self.env.units[unit];
        u.source = Some(ready.generator);
        u.mapped = ready.mapped.clone();
        let dir = resolve_path(&ready.loader, &u.path, u.span).map_err(|e| ready.path_error(e))?;
        u.dir = Some(dir.clone());
        Ok(Some(Ready {
            unit,
            loader: None,
            tree: Some(ready.loader),
            dir,
        }))
    }

    /// Decides which source, defined by no file, is this repository: the one the Kustomization
    /// that syncs the cluster directory reads, else the one every Kustomization of the cluster
    /// directory reads (bootstrap, Terraform and the Flux Operator create it in the cluster).
    /// An OCI artifact or bucket may be built from a sub-tree: its root is the directory from
    /// which those Kustomizations' paths exist.
    fn implicit(&mut self) {
        self.implicit_decided = true;
        let undefined = |env: &Environment,
                         a: &Applied|
         -> Option<(String, String, String, String)> {
            let k = FluxKustomization::new(&a.resource)?;
            let r = k.source_ref().filter(|r| r.named)?;
            if env.find(&r).is_some() || !super::kinds::SOURCE_KINDS.contains(&r.kind.as_str()) {
                return None;
            }
            let ns = if r.namespace.is_empty() {
                "default".to_string()
            } else {
                r.namespace.clone()
            };
            Some((r.kind.clone(), ns, r.name.clone(), k.path().to_string()))
        };
        let (candidate, why) = match self.env.root.map(|i| &self.env.objects[i]) {
            Some(root) => match undefined(&self.env, root) {
                Some(c) => (
                    Some(c),
                    "it is the source of the Kustomization that syncs the cluster directory"
                        .to_string(),
                ),
                None => (None, String::new()),
            },
            None => {
                let mut found: Vec<(String, String, String, String)> = self
                    .env
                    .objects
                    .iter()
                    .filter(|a| a.unit == 0)
                    .filter_map(|a| undefined(&self.env, a))
                    .collect();
                let first = found.first().cloned();
                found.dedup_by(|a, b| (&a.0, &a.1, &a.2) == (&b.0, &b.1, &b.2));
                // several undefined sources (the others may be defined by what this one
                // applies): the one named as flux bootstrap names the cluster's own source
                let bootstrap = found
                    .iter()
                    .find(|c| c.2 == "flux-system" && c.1 == "flux-system")
                    .cloned();
                match (found.len(), first, bootstrap) {
                    (1, Some(c), _) => (
                        Some(c),
                        format!(
                            "every Kustomization in {} applies from it; flux bootstrap, Terraform or the Flux Operator creates it",
                            self.env.cluster_display
                        ),
                    ),
                    (_, _, Some(c)) => (
                        Some(c),
                        format!(
                            "it is named as flux bootstrap names the source that syncs {}; flux bootstrap, Terraform or the Flux Operator creates it",
                            self.env.cluster_display
                        ),
                    ),
                    _ => (None, String::new()),
                }
            }
        };
        let Some((kind, namespace, name, _)) = candidate else {
            return;
        };
        let root = if kind == "GitRepository" {
            self.ctx.loader.root().to_path_buf()
        } else {
            let paths: Vec<String> = self
                .env
                .objects
                .iter()
                .filter(|a| a.unit == 0)
                .filter_map(|a| undefined(&self.env, a))
                .filter(|c| (&c.0, &c.1, &c.2) == (&kind, &namespace, &name))
                .map(|c| c.3)
                .collect();
            self.subtree_root(&paths)
        };
        self.env.entry.implicit_source = Some(ImplicitSource {
            kind,
            namespace,
            name,
            root,
            span: Span::NONE,
            why,
        });
    }

    /// The directory the paths of an OCI artifact are relative to: the repository root when they
    /// exist there, else the ancestor of the cluster directory (shallowest first) from which the
    /// most of them exist.
    fn subtree_root(&self, paths: &[String]) -> PathBuf {
        let root = self.ctx.loader.root();
        let resolves = |base: &Path| {
            paths
                .iter()
                .filter(|p| resolve_path_in(self.ctx.loader, Some(base), p, Span::NONE).is_ok())
                .count()
        };
        let mut best = (resolves(root), root.to_path_buf());
        if best.0 == paths.len() {
            return best.1;
        }
        let mut ancestors: Vec<&Path> = self
            .env
            .cluster_dir
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(root) && *a != root)
            .collect();
        ancestors.reverse();
        for a in ancestors {
            let n = resolves(a);
            if n > best.0 {
                best = (n, a.to_path_buf());
            }
        }
        best.1
    }

    /// Says once that a source no file defines is read as this repository.
    fn note_implicit(&mut self, span: Span) {
        let Some(imp) = self.env.entry.implicit_source.as_mut() else {
            return;
        };
        imp.span = span;
        let rooted = if imp.root == self.ctx.loader.root() {
            String::new()
        } else {
            format!(", rooted at {}/", self.ctx.loader.display(&imp.root))
        };
        let message = format!(
            "source {} is not defined in the repository; fluxlint reads it as this repository{rooted} ({})",
            imp.display(),
            imp.why
        );
        self.env.notes.push(EnvNote {
            span,
            message,
            help: Some(
                "if it is another repository, map it with --source NAME=DIR or declare it in fluxlint.yaml `sources:`"
                    .into(),
            ),
        });
    }

    /// The variables of `k`'s `postBuild`: `None` while a `substituteFrom` object is not known yet
    /// (unless `last`: then the repository is searched, and a missing required one is an error).
    fn vars(&self, k: &Resource, extra: &[Resource], last: bool) -> Result<Option<Vars>> {
        let mut vars = Vars::default();
        let Some(pb) = FluxKustomization(k).post_build() else {
            return Ok(Some(vars));
        };
        let ns = namespace_of(k);
        for from in substitute::substitute_from(pb) {
            let matches = |r: &Resource| {
                r.kind() == from.kind && r.name() == from.name && namespace_of(r) == ns
            };
            let found = extra.iter().find(|r| matches(r)).or_else(|| {
                self.env
                    .objects
                    .iter()
                    .map(|a| &a.resource)
                    .find(|r| matches(r))
            });
            let found = match found {
                Some(r) => Some(r),
                None if !last => return Ok(None),
                None => self.repo_fallback(&from.kind, &from.name, ns),
            };
            let id = format!("{}/{ns}/{}", from.kind, from.name);
            match found {
                Some(r) if substitute::is_sops(r) => {
                    substitute::add_sops_keys(&mut vars, r);
                    // one object in every namespace (a component) is said once
                    vars.1.notes.push((
                        from.span,
                        format!("sops {}/{}", from.kind, from.name),
                        format!(
                            "substitution values from {id} are encrypted with SOPS (the \
                             kustomize-controller decrypts them at run time); their names are \
                             checked, their values are not"
                        ),
                    ));
                }
                Some(r) => substitute::add_from_object(&mut vars, r)?,
                None => {
                    // made in the cluster (Terraform, an ExternalSecret, a SealedSecret, by
                    // hand) or optional: Flux substitutes what it finds then
                    let by = self
                        .producer(&from.kind, &from.name, ns)
                        .map(|p| format!(" by {p}"))
                        .unwrap_or_default();
                    let optional = if from.optional { " (optional)" } else { "" };
                    vars.1.any = true;
                    vars.1.notes.push((
                        from.span,
                        format!("runtime {id}"),
                        format!(
                            "substitution values from {id}{optional} are produced at run \
                             time{by}; not checked (variables without a default are left as \
                             written)"
                        ),
                    ));
                }
            }
        }
        substitute::add_inline(&mut vars, pb)?;
        Ok(Some(vars))
    }

    /// The object this environment applies that makes a Secret at run time: an ExternalSecret
    /// whose target it is (`spec.target.name`, by default the ExternalSecret's name), a
    /// SealedSecret of that name.
    fn producer(&self, kind: &str, name: &str, ns: &str) -> Option<String> {
        if kind != "Secret" {
            return None;
        }
        self.env.objects.iter().map(|a| &a.resource).find_map(|r| {
            if namespace_of(r) != ns {
                return None;
            }
            let target = match r.kind() {
                "ExternalSecret" => r
                    .node
                    .str_at(&["spec", "target", "name"])
                    .unwrap_or(r.name()),
                "SealedSecret" => r
                    .node
                    .str_at(&["spec", "template", "metadata", "name"])
                    .unwrap_or(r.name()),
                _ => return None,
            };
            (target == name).then(|| format!("{} {ns}/{}", r.kind(), r.name()))
        })
    }

    /// Says once per environment what `postBuild` could not know.
    fn note_unresolved(&mut self, vars: &Vars) {
        for (span, key, message) in &vars.1.notes {
            if self.said.insert(key.clone()) {
                self.env.notes.push(EnvNote {
                    span: *span,
                    message: message.clone(),
                    help: Some(
                        "if the object should be in git, define it in a path this environment \
                         applies"
                            .into(),
                    ),
                });
            }
        }
    }

    /// A ConfigMap or Secret in a repository file outside other environments' cluster directories.
    fn repo_fallback(&self, kind: &str, name: &str, ns: &str) -> Option<&Resource> {
        let all = self
            .ctx
            .repo_vars
            .get_or_init(|| read_repo_vars(self.ctx.loader));
        all.iter()
            .filter(|(p, _)| {
                !self
                    .ctx
                    .cluster_dirs
                    .iter()
                    .any(|d| *d != self.env.cluster_dir && p.starts_with(d))
            })
            .map(|(_, r)| r)
            .find(|r| {
                r.kind() == kind
                    && r.name() == name
                    && (r.namespace().is_empty() || r.namespace() == ns)
            })
    }

    /// What the Flux Operator makes of the ResourceSets a unit applies ([`resourceset`]).
    fn resource_sets(&mut self, objects: Vec<Resource>, unit: usize) -> Vec<Resource> {
        resourceset::expand_all(
            objects,
            unit,
            &self.ctx.loader.sources,
            &mut self.env.resource_sets,
            &mut self.env.notes,
        )
    }

    /// `postBuild` substitution, then `commonMetadata`, as the controller runs them after the build.
    fn post_build(
        &mut self,
        unit: usize,
        k: &Resource,
        objects: &mut [Resource],
        vars: &Vars,
    ) -> Result<()> {
        if !vars.is_empty() {
            for r in objects.iter_mut() {
                if substitute::disabled(r) {
                    continue;
                }
                let mut undefined = Vec::new();
                substitute::substitute(r, vars, &mut undefined)?;
                let id = super::resource_id(r);
                for u in undefined {
                    if u.kept {
                        self.env.unresolved.push(u.span);
                        continue;
                    }
                    self.env.undefined_vars.push(UndefinedVar {
                        unit,
                        name: u.name,
                        span: u.span,
                        resource: id.clone(),
                    });
                }
            }
        }
        overrides::apply_common_metadata(k, objects);
        Ok(())
    }
}

/// A reference's namespace, `default` when empty.
fn default_ns(ns: &str) -> String {
    if ns.is_empty() {
        "default".into()
    } else {
        ns.to_string()
    }
}

fn key_of(r: &Resource) -> (String, String) {
    (namespace_of(r).to_string(), r.name().to_string())
}

fn push_all(env: &mut Environment, objects: Vec<Resource>, unit: usize) {
    env.objects.extend(
        objects
            .into_iter()
            .map(|resource| Applied { resource, unit }),
    );
}

/// `spec.path` is relative to the source's root; `./` and empty mean the root.
pub fn resolve_path(loader: &Loader, path: &str, span: Span) -> Result<PathBuf> {
    resolve_path_in(loader, None, path, span)
}

/// [`resolve_path`] from `base` (a sub-tree of the loader's root) instead of the root.
pub fn resolve_path_in(
    loader: &Loader,
    base: Option<&Path>,
    path: &str,
    span: Span,
) -> Result<PathBuf> {
    let rel = path.trim_start_matches("./");
    let rel = rel.trim_start_matches('/');
    let rel = if rel.is_empty() { "." } else { rel };
    let dir = loader.resolve(base.unwrap_or(loader.root()), rel, None, span)?;
    if !loader.is_dir(&dir) {
        return Err(Error::at(
            "flux-path",
            span,
            format!("spec.path '{path}' is not a directory"),
        )
        .with_label("not a directory")
        .with_help("spec.path is relative to the root of the Kustomization's source"));
    }
    Ok(dir)
}

/// Every ConfigMap and Secret in the repository's YAML files, in path order.
fn read_repo_vars(loader: &Loader) -> Vec<(PathBuf, Resource)> {
    let mut files = Vec::new();
    collect_yaml(loader.root(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(loaded) = loader.load_yaml(&f, crate::yaml::SetBy::Resource, Span::NONE) else {
            continue;
        };
        for d in loaded.docs {
            let kind = d.root.str_at(&["kind"]).unwrap_or("");
            if matches!(kind, "ConfigMap" | "Secret")
                && d.root.str_at(&["metadata", "name"]).is_some()
            {
                out.push((f.clone(), Resource::new(d.root, d.span)));
            }
        }
    }
    out
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            if e.file_name() != ".git" {
                collect_yaml(&p, out);
            }
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}
