//! The sources (GitRepository, OCIRepository, Bucket) of an environment, and the ones that feed it.

use std::collections::HashSet;

use crate::flux::kinds::FluxSource;
use crate::flux::{Applied, Environment};

use super::{InEnv, Kustomization, ObjectRef, SOURCE_GROUP, SOURCE_KINDS, kustomizations, objects};

/// A GitRepository, OCIRepository or Bucket of an environment.
pub type Source<'a> = InEnv<'a, FluxSource<'a>>;

/// Every source object in the environment.
pub fn sources(env: &Environment) -> Vec<Source<'_>> {
    objects(env, SOURCE_GROUP, &SOURCE_KINDS)
        .into_iter()
        .map(|o| InEnv::new(o, FluxSource))
        .collect()
}

/// The source a reference names.
pub fn find_source<'a>(
    env: &'a Environment,
    kind: &str,
    name: &str,
    namespace: &str,
) -> Option<Source<'a>> {
    sources(env)
        .into_iter()
        .find(|s| s.0.kind() == kind && s.0.is_named(name, namespace))
}

/// The sources that feed an environment, and the references that name none.
pub struct Feeds<'a> {
    /// In order of first use; each once.
    pub sources: Vec<Source<'a>>,
    /// Flux Kustomizations whose `sourceRef` names no source in the environment.
    pub unresolved: Vec<(Kustomization<'a>, ObjectRef<'a>)>,
    /// The source no file defines that the renderer read as this repository (flux bootstrap,
    /// Terraform or the Flux Operator create it), when a Kustomization applies from it: its ref is
    /// not in git.
    pub implicit: Option<&'a crate::flux::ImplicitSource>,
    /// Sources of other repositories (a vendor's manifests, another team's repository): they feed
    /// the environment, but this repository's promotion and polling rules are not theirs.
    pub foreign: Vec<Source<'a>>,
}

/// A source feeds an environment when a Flux Kustomization of that environment applies from it
/// (the one that applies the cluster directory included). An environment without any Flux
/// Kustomization is fed by every source it defines. (`Environment::feeding_sources`, the
/// renderer's, also counts the chart sources of HelmReleases.)
pub fn feeding_sources(env: &Environment) -> Feeds<'_> {
    let mut feeds = Feeds {
        sources: Vec::new(),
        unresolved: Vec::new(),
        implicit: None,
        foreign: Vec::new(),
    };
    let ks = kustomizations(env);
    if ks.is_empty() {
        // not the chart sources of HelmReleases: those are versions of a chart, not of this
        // repository
        let charts: Vec<crate::flux::ObjectRef> = env
            .of_kind("HelmRelease")
            .filter_map(|a| crate::flux::kinds::HelmRelease(&a.resource).source_ref())
            .collect();
        feeds.sources = sources(env)
            .into_iter()
            .filter(|s| !charts.iter().any(|r| r.matches(s.0.resource())))
            .collect();
        return feeds;
    }
    let mut seen = HashSet::new();
    for k in ks {
        let Some(r) = k.source_ref() else { continue };
        match find_source(env, &r.kind, &r.name, &r.namespace) {
            Some(s) => {
                if seen.insert(s.0.applied as *const Applied) {
                    feeds.sources.push(s);
                }
            }
            None => match env.entry.implicit_source.as_ref() {
                Some(imp) if imp.named_by(&r) => feeds.implicit = Some(imp),
                _ => feeds.unresolved.push((k, r)),
            },
        }
    }
    // a source is third-party when every Kustomization that applies from it was left unread as
    // another repository's, and that repository is not of this one's owner (the team's own app
    // repository is held to the environment's promotion rules; a vendor's manifests are not).
    // When this repository's URL is not known, another repository's owner cannot be compared.
    let own = env
        .repo_source
        .and_then(|i| FluxSource(&env.objects[i].resource).url())
        .and_then(crate::flux::sources::url_owner);
    let foreign: HashSet<*const Applied> = feeds
        .sources
        .iter()
        .filter(|s| {
            let theirs = FluxSource(s.0.resource())
                .url()
                .and_then(crate::flux::sources::url_owner);
            if own.is_some() && theirs == own {
                return false;
            }
            let users: Vec<&crate::flux::Unit> = env
                .units
                .iter()
                .filter(|u| {
                    u.source
                        .is_some_and(|i| std::ptr::eq(&env.objects[i], s.0.applied))
                })
                .collect();
            !users.is_empty() && users.iter().all(|u| u.foreign)
        })
        .map(|s| s.0.applied as *const Applied)
        .collect();
    let (mine, theirs) = std::mem::take(&mut feeds.sources)
        .into_iter()
        .partition(|s| !foreign.contains(&(s.0.applied as *const Applied)));
    feeds.sources = mine;
    feeds.foreign = theirs;
    feeds
}
