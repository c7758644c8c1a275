//! The Flux objects of an environment, as the rules read them: each one paired with the
//! environment it was applied into ([`Obj`]: ids, "applied by" notes, lookups of what it refers
//! to) and seen through its kind's typed view from [`super::kinds`] ([`InEnv`]), which holds the
//! fields, references and defaults. Plus the nouns rules share about them: "the sources that feed
//! an environment", "a name that names another environment", Go durations.
//!
//! Views borrow the rendered objects: every node keeps its origin, so a rule points at the file
//! where a value was last set.

pub mod deps;
mod duration;
mod graph;
mod kustomization;
mod naming;
mod notification;
mod source;

pub use super::kinds::{
    Effective, HELM_GROUP, KUSTOMIZE_GROUP, NOTIFICATION_GROUP, ObjectRef, RefField, RefKind,
    SOURCE_GROUP, SOURCE_KINDS, depends_on, kube_config_refs, suspend_node,
};
pub use deps::{DepGraph, Key};
pub use duration::parse_duration;
pub use graph::{KustomizeEntry, KustomizeFiles, Reached, kustomize_entries, reachable_entries};
pub use kustomization::{Kustomization, cluster_sync, find_kustomization, kustomizations};
pub use naming::{EnvNames, named_for, normalize_rel};
pub use notification::{Alert, alerts, find_provider};
pub use source::{Feeds, Source, feeding_sources, find_source, sources};

use std::collections::HashSet;
use std::ops::Deref;

use crate::diagnostic::Diagnostic;
use crate::kustomize::resource::Resource;
use crate::yaml::Node;

use super::{Applied, Environment, path_span, resource_id};

/// One object applied into an environment.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    pub env: &'a Environment,
    pub applied: &'a Applied,
}

impl<'a> Obj<'a> {
    pub fn resource(&self) -> &'a Resource {
        &self.applied.resource
    }
    pub fn node(&self) -> &'a Node {
        &self.applied.resource.node
    }
    pub fn kind(&self) -> &'a str {
        self.applied.resource.kind()
    }
    pub fn name(&self) -> &'a str {
        self.applied.resource.name()
    }
    pub fn namespace(&self) -> &'a str {
        self.applied.resource.namespace()
    }
    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node().get_path(path)
    }
    /// `metadata.name`, where a finding about a missing field points (the document if unnamed).
    pub fn name_node(&self) -> &'a Node {
        self.get(&["metadata", "name"]).unwrap_or(self.node())
    }
    /// `group/version/Kind/namespace/name`.
    pub fn id(&self) -> String {
        resource_id(self.resource())
    }
    /// Is this object the one a reference names (`namespace` already defaulted by the referrer)?
    /// Resolved as the renderer resolves it ([`crate::flux::kinds::is_named`]).
    pub fn is_named(&self, name: &str, namespace: &str) -> bool {
        crate::flux::kinds::is_named(self.resource(), name, namespace)
    }
    /// Adds the resource id and, when a Flux Kustomization applied this object, a note on it.
    pub fn annotate(&self, d: Diagnostic) -> Diagnostic {
        let d = d.resource(self.id());
        match self.env.applied_by(self.applied) {
            Some(k) => d.note(
                path_span(&k.resource),
                format!("applied by Flux Kustomization '{}'", k.resource.name()),
            ),
            None => d,
        }
    }
}

/// An object of an environment seen through its kind's view (`.1`, whose accessors the
/// wrapper derefs to); `.0` carries the environment, for ids, notes and lookups.
#[derive(Clone, Copy)]
pub struct InEnv<'a, V>(pub Obj<'a>, pub V);

impl<'a, V> InEnv<'a, V> {
    /// `o` seen through `view` (a view's constructor, e.g. `FluxKustomization`).
    pub fn new(o: Obj<'a>, view: fn(&'a Resource) -> V) -> InEnv<'a, V> {
        InEnv(o, view(o.resource()))
    }
}

impl<V> Deref for InEnv<'_, V> {
    type Target = V;
    fn deref(&self) -> &V {
        &self.1
    }
}

/// Objects of an API group and kind, first occurrence of each (namespace, name) only.
pub fn objects<'a>(env: &'a Environment, group: &str, kinds: &[&str]) -> Vec<Obj<'a>> {
    let mut seen = HashSet::new();
    env.objects
        .iter()
        .filter(|a| a.resource.group() == group && kinds.contains(&a.resource.kind()))
        .filter(|a| {
            seen.insert((
                a.resource.kind().to_string(),
                a.resource.namespace().to_string(),
                a.resource.name().to_string(),
            ))
        })
        .map(|applied| Obj { env, applied })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Policy parameters

/// The entry of a per-environment table (`byEnvironment:`) for an environment: the first key
/// (a glob) that matches its name, an alias or its role.
pub fn env_entry<'a>(table: Option<&'a Node>, env: &Environment) -> Option<&'a Node> {
    let map = table?.as_map()?;
    map.iter()
        .find(|(k, _)| env.policy_names().any(|n| crate::policy::glob_match(k, n)))
        .map(|(_, v)| v)
}

/// A list of strings (a single string counts as a list of one).
pub fn str_list(n: Option<&Node>) -> Option<Vec<String>> {
    let n = n?;
    match n.as_seq() {
        Some(items) => Some(items.iter().filter_map(Node::scalar_string).collect()),
        None => n.as_str().map(|s| vec![s.to_string()]),
    }
}

/// The nodes that name a namespace an object lives in or creates: `metadata.namespace`, a
/// Namespace's name, a Flux Kustomization's or HelmRelease's `targetNamespace`.
pub fn namespace_nodes(r: &Resource) -> Vec<&Node> {
    let mut nodes = vec![r.node.get_path(&["metadata", "namespace"])];
    if r.kind() == "Namespace" && r.gvk().group.is_empty() {
        nodes.push(r.node.get_path(&["metadata", "name"]));
    }
    if matches!(r.kind(), "Kustomization" | "HelmRelease")
        && r.gvk().group.ends_with("toolkit.fluxcd.io")
    {
        nodes.push(r.node.get_path(&["spec", "targetNamespace"]));
    }
    nodes.into_iter().flatten().collect()
}
