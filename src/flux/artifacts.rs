//! ExternalArtifacts and the ArtifactGenerators that compose them (Flux's source-watcher,
//! `source.extensions.fluxcd.io/v1beta1`), followed offline: a Flux Kustomization whose
//! `sourceRef` is `kind: ExternalArtifact` reads a tree of files that a generator copies out of
//! its sources, and fluxlint builds that tree in memory ([`crate::kustomize::tree::Virtual`]) and
//! renders the Kustomization's `spec.path` inside it. Every file of the tree is the repository
//! file it was copied from, so findings point at the line in git.
//!
//! What fluxlint reads, as the controller does (source-watcher `internal/builder`, checked
//! against its tests):
//!
//! - **Naming.** Each `spec.artifacts[]` entry produces an ExternalArtifact named `name` in the
//!   generator's namespace. A `sourceRef: {kind: ExternalArtifact, name}` names it, its namespace
//!   defaulting to the Kustomization's. The first generator (in apply order) that declares the name
//!   in that namespace answers; one that is applied by a Kustomization rendered later is waited for.
//! - **Sources.** `spec.sources[]` maps an alias to a Flux source (kind, name, namespace defaulting
//!   to the generator's). Every source must exist, as the controller fetches all of them before it
//!   copies. Each is resolved the way a Kustomization's `sourceRef` is (the renderer's one
//!   function): this repository, a `--source NAME=DIR` checkout, or not read — then an artifact
//!   that copies from it is "not checked" with the reason. An ExternalArtifact alias is itself
//!   followed (cycles are errors). What the source-controller leaves out of every artifact
//!   (`.git/`, CI files) is not in a source.
//! - **`from: "@alias/pattern"`** is relative to the source's root. With none of `* ? [ ]` it is a
//!   path: a directory is copied below `to` under its own name (`cp -r dir dest/` → `dest/dir/`,
//!   `@alias/` → the whole source into `dest/`), a file to `to` — into it when `to` ends with `/`
//!   or is already a directory, else as that file name. Otherwise it is a Go `fs.Glob` pattern
//!   ([`glob`]): `*` stays within one path element, and `**` is no more than `*`, so
//!   `@repo/apps/**` matches the entries of `apps/`, each then copied whole (a directory
//!   recursively). A pattern ending in `/**` strips that directory (`apps/base/**` →
//!   `to/podinfo/…`); any other keeps the matched path (`deploy/*.yaml` → `to/deploy/x.yaml`).
//!   A glob that matches nothing, or whose matches are all excluded, fails the artifact.
//! - **`to: "@artifact/path"`**: `..` is applied; a destination above the artifact's root fails.
//!   Later operations overwrite files of earlier ones; a file where a directory must go fails.
//! - **`exclude`**: doublestar globs, matched against the path from the source root and from the
//!   literal part of `from` before its first glob element; one without `/` also matches the file
//!   name at any depth. An excluded directory is skipped whole.
//! - **`strategy`**: `Overwrite` (default) copies. `Merge` copies too, but where the destination
//!   exists it merges YAML the way Helm merges values files: fluxlint does not compute that file,
//!   and reports the artifact as not checked. `Extract` unpacks tarballs: not checked. So is
//!   `spec.pathPattern` (artifacts named from directory captures).
//! - **Validation** as the controller's: duplicate aliases or artifact names, a `revision` alias
//!   that `spec.sources` does not declare, a source kind outside the API's enum.
//!
//! Invalid generators are render failures of the units that read them, located at the field.
//! The tree of a (generator, artifact) is built once per environment.

mod copy;
mod glob;
mod select;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kustomize::loader::{LoadRestrictor, Loader};
use crate::kustomize::tree::Virtual;
use crate::source::Span;

use super::Environment;
use super::kinds::{ArtifactGenerator, ObjectRef, OutputArtifact, SOURCE_GROUP, is_named};
use super::render::RenderCtx;
use super::sources::Origin;

/// The `sourceRef.kind` an ArtifactGenerator answers.
pub const KIND: &str = "ExternalArtifact";

/// Source kinds an ArtifactGenerator reads (the API's enum).
const ALIAS_KINDS: [&str; 5] = [
    "GitRepository",
    "OCIRepository",
    "Bucket",
    "HelmChart",
    "ExternalArtifact",
];

/// Trees built so far in one environment, by (namespace, generator, artifact).
#[derive(Default)]
pub struct Cache {
    built: HashMap<(String, String, String), Built>,
}

#[derive(Clone)]
enum Built {
    Ready(Ready),
    NotChecked(String),
    Failed(Error),
}

impl Built {
    fn found(self) -> Result<Found> {
        match self {
            Built::Ready(r) => Ok(Found::Ready(r)),
            Built::NotChecked(why) => Ok(Found::NotChecked(why)),
            Built::Failed(e) => Err(e),
        }
    }
}

/// An artifact's tree, ready to render in.
#[derive(Clone)]
pub struct Ready {
    pub loader: Arc<Loader>,
    /// Index in the environment's objects of the generator.
    pub generator: usize,
    /// The artifact's `name` in the generator (for "declared here" notes).
    pub declared: Span,
    /// The `--source` mapping one of its sources was read from.
    pub mapped: Option<String>,
}

impl Ready {
    /// A `spec.path` that is not a directory of the artifact: what the artifact holds, and where
    /// it is composed.
    pub fn path_error(&self, e: Error) -> Error {
        let root = self.loader.root();
        let held: Vec<String> = self
            .loader
            .read_dir(root)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                if e.is_dir {
                    format!("{}/", e.name)
                } else {
                    e.name
                }
            })
            .collect();
        let held = if held.is_empty() {
            "nothing".to_string()
        } else {
            held.join(", ")
        };
        e.with_note("the ExternalArtifact is composed here", self.declared)
            .with_help(format!(
                "spec.path is relative to the root of the ExternalArtifact, which holds {held}"
            ))
    }
}

/// What a `sourceRef` to an ExternalArtifact reads.
pub enum Found {
    Ready(Ready),
    /// Not known yet: a generator or one of its sources may still be applied.
    Wait,
    NotChecked(String),
}

/// Resolves a Flux source reference the way the renderer resolves a Kustomization's `sourceRef`:
/// the source's index and where its content is read; `None` while it is not known yet.
pub type ResolveSource<'r> = dyn Fn(&ObjectRef) -> Result<Option<(Option<usize>, Origin)>> + 'r;

/// The tree of the ExternalArtifact `sref` names (`last`: nothing new will be applied, so what is
/// missing now is missing).
pub fn locate(
    ctx: &RenderCtx,
    env: &Environment,
    sref: &ObjectRef,
    last: bool,
    cache: &mut Cache,
    resolve: &ResolveSource,
) -> Result<Found> {
    Locator {
        ctx,
        env,
        last,
        resolve,
        visiting: Vec::new(),
    }
    .locate(sref, cache)
}

struct Locator<'a, 'c, 'r> {
    ctx: &'a RenderCtx<'c>,
    env: &'a Environment,
    last: bool,
    resolve: &'a ResolveSource<'r>,
    /// Artifacts being built (an artifact copied from itself is a cycle).
    visiting: Vec<(String, String, String)>,
}

impl<'a> Locator<'a, '_, '_> {
    fn locate(&mut self, sref: &ObjectRef, cache: &mut Cache) -> Result<Found> {
        let Some((gi, gen_ref, art)) = self.declaring(sref) else {
            return self.undeclared(sref);
        };
        let key = (
            gen_ref.namespace().to_string(),
            gen_ref.name().to_string(),
            art.name.clone(),
        );
        if let Some(b) = cache.built.get(&key) {
            return b.clone().found();
        }
        if self.visiting.contains(&key) {
            return Err(Error::at(
                "flux-artifact",
                sref.node.span(),
                format!(
                    "ExternalArtifact {}/{} copies from itself (a cycle)",
                    key.0, key.2
                ),
            )
            .with_label("read again here")
            .with_help("an artifact cannot be a source of itself"));
        }
        self.visiting.push(key.clone());
        let built = self.build(gi, gen_ref, &art, cache);
        self.visiting.pop();
        let built = match built {
            Ok(None) => return Ok(Found::Wait),
            Ok(Some(b)) => b,
            Err(e) => Built::Failed(e),
        };
        cache.built.insert(key, built.clone());
        built.found()
    }

    /// The first generator (in apply order) declaring the artifact: its index, view and entry.
    fn declaring(
        &self,
        sref: &ObjectRef,
    ) -> Option<(usize, ArtifactGenerator<'a>, OutputArtifact<'a>)> {
        self.env.objects.iter().enumerate().find_map(|(i, a)| {
            let g = ArtifactGenerator::new(&a.resource)?;
            if !is_named(&a.resource, g.name(), &sref.namespace) {
                return None;
            }
            let art = g.artifacts().into_iter().find(|x| x.name == sref.name)?;
            Some((i, g, art))
        })
    }

    fn undeclared(&self, sref: &ObjectRef) -> Result<Found> {
        let object = self.env.objects.iter().any(|a| {
            a.resource.kind() == KIND
                && a.resource.group() == SOURCE_GROUP
                && sref.matches(&a.resource)
        });
        if object {
            return Ok(Found::NotChecked(format!(
                "source {} is an ExternalArtifact that no ArtifactGenerator here declares: its content is produced at run time",
                sref.display()
            )));
        }
        if !self.last {
            return Ok(Found::Wait);
        }
        let ns = if sref.namespace.is_empty() {
            "default"
        } else {
            &sref.namespace
        };
        Err(Error::at(
            "flux-source",
            sref.node.span(),
            format!(
                "source {} is not defined in environment {}",
                sref.display(),
                self.env.name
            ),
        )
        .with_label("no such source")
        .with_help(format!(
            "declare it in spec.artifacts of an ArtifactGenerator in namespace {ns}, applied in this environment"
        )))
    }

    /// `None` while a source is not known yet.
    fn build(
        &mut self,
        gi: usize,
        g: ArtifactGenerator,
        art: &OutputArtifact,
        cache: &mut Cache,
    ) -> Result<Option<Built>> {
        let id = format!("{}/{}", g.namespace(), art.name);
        if g.path_pattern().is_some() {
            return Ok(Some(Built::NotChecked(format!(
                "ExternalArtifact {id} comes from spec.pathPattern of ArtifactGenerator {}/{}, which fluxlint does not expand",
                g.namespace(),
                g.name()
            ))));
        }
        validate(&g)?;
        // every source is fetched before anything is copied: all must exist
        let mut trees: Vec<(String, Tree)> = Vec::new();
        let mut mapped = None;
        for s in g.sources() {
            let tree = if s.reference.kind == KIND {
                match self.locate(&s.reference, cache)? {
                    Found::Wait => return Ok(None),
                    Found::NotChecked(why) => Tree::NotChecked(why),
                    Found::Ready(r) => {
                        mapped = mapped.or(r.mapped);
                        Tree::Shared(r.loader)
                    }
                }
            } else {
                let Some((_, origin)) = (self.resolve)(&s.reference)? else {
                    return Ok(None);
                };
                match origin {
                    Origin::Repo => Tree::Borrowed(self.ctx.loader, self.ctx.loader.root().into()),
                    Origin::RepoAt(base) => Tree::Borrowed(self.ctx.loader, base),
                    Origin::Mapped(i) => {
                        mapped = mapped.or_else(|| Some(self.ctx.mappings[i].key.clone()));
                        let l = &self.ctx.source_loaders[i];
                        Tree::Borrowed(l, l.root().into())
                    }
                    Origin::Skipped(why) => Tree::NotChecked(why),
                }
            };
            trees.push((s.alias.clone(), tree));
        }
        let inputs: BTreeMap<String, copy::Input> = trees
            .iter()
            .map(|(alias, t)| {
                let input = match t {
                    Tree::Borrowed(l, base) => copy::Input::Tree(select::Src { loader: l, base }),
                    Tree::Shared(l) => copy::Input::Tree(select::Src::of(l)),
                    Tree::NotChecked(why) => copy::Input::NotChecked(format!(
                        "ExternalArtifact {id} copies from alias '{alias}': {why}"
                    )),
                };
                (alias.clone(), input)
            })
            .collect();
        Ok(Some(match copy::stage(art, &inputs)? {
            copy::Staged::NotChecked(why) => Built::NotChecked(why),
            copy::Staged::Tree(entries) => {
                let tree = Virtual::new(
                    &format!("ExternalArtifact:{}", id.replace('/', ":")),
                    format!("<ExternalArtifact {id}>"),
                    entries,
                );
                // the kustomize-controller builds with LoadRestrictionsNone, in the artifact
                let loader = Loader::of_virtual(
                    tree,
                    LoadRestrictor::None,
                    Arc::clone(&self.ctx.loader.sources),
                );
                Built::Ready(Ready {
                    loader: Arc::new(loader),
                    generator: gi,
                    declared: art.name_node.span(),
                    mapped,
                })
            }
        }))
    }
}

/// Where an alias reads.
enum Tree<'a> {
    /// A loader, and the directory the source's paths start from.
    Borrowed(&'a Loader, std::path::PathBuf),
    Shared(Arc<Loader>),
    NotChecked(String),
}

/// The controller's spec validation (it fails every artifact of the generator).
fn validate(g: &ArtifactGenerator) -> Result<()> {
    let sources = g.sources();
    for (i, s) in sources.iter().enumerate() {
        let at = s.alias_node.unwrap_or(s.node).span();
        if s.alias.is_empty() {
            return Err(invalid(at, "a source without 'alias'".into(), "no alias"));
        }
        if sources[..i].iter().any(|o| o.alias == s.alias) {
            return Err(invalid(
                at,
                format!("duplicate source alias '{}'", s.alias),
                "declared twice",
            ));
        }
        if !ALIAS_KINDS.contains(&s.reference.kind.as_str()) {
            let at = s.node.get("kind").unwrap_or(s.node).span();
            return Err(invalid(
                at,
                format!(
                    "source alias '{}' has kind '{}', expected one of {}",
                    s.alias,
                    s.reference.kind,
                    ALIAS_KINDS.join(", ")
                ),
                "unsupported kind",
            ));
        }
    }
    let artifacts = g.artifacts();
    for (i, a) in artifacts.iter().enumerate() {
        if artifacts[..i].iter().any(|o| o.name == a.name) {
            return Err(invalid(
                a.name_node.span(),
                format!("duplicate artifact name '{}'", a.name),
                "declared twice",
            ));
        }
        if let Some(r) = a.revision {
            let text = r.scalar_string().unwrap_or_default();
            let alias = text.strip_prefix('@').unwrap_or(&text);
            if !sources.iter().any(|s| s.alias == alias) {
                return Err(invalid(
                    r.span(),
                    format!(
                        "artifact {} revision source alias '{alias}' not found",
                        a.name
                    ),
                    "no such alias",
                ));
            }
        }
    }
    Ok(())
}

fn invalid(span: Span, message: String, label: &str) -> Error {
    Error::at("flux-artifact", span, message)
        .with_label(label.to_string())
        .with_help("the source-watcher rejects the whole ArtifactGenerator until this is fixed")
}

#[cfg(test)]
mod tests;
