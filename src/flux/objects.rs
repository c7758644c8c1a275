//! Typed access to the Flux objects of an environment: sources (GitRepository, OCIRepository,
//! Bucket) and their refs, Flux Kustomizations and what they point at (source, dependencies,
//! kubeConfig), Alerts and Providers; plus the nouns rules share about them: "the sources that feed
//! an environment", "a name that names another environment", Go durations.
//!
//! Views borrow the rendered objects: every node keeps its origin, so a rule points at the file
//! where a value was last set. Lookups follow Flux's defaults (a reference's namespace is the
//! referrer's; an object without a namespace matches any).

pub mod deps;
mod duration;
mod graph;
mod kustomization;
mod naming;
mod notification;
mod source;

pub use deps::{DepGraph, HELM_GROUP, Key};
pub use duration::parse_duration;
pub use graph::{KustomizeEntry, KustomizeFiles, Reached, kustomize_entries, reachable_entries};
pub use kustomization::{
    DependsOn, Kustomization, SourceRef, cluster_sync, depends_on, find_kustomization,
    kube_config_refs, kustomizations,
};
pub use naming::{EnvNames, named_for, normalize_rel};
pub use notification::{Alert, EventSource, alerts, find_provider};
pub use source::{
    Effective, Feeds, RefField, RefKind, Source, feeding_sources, find_source, sources,
};

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::kustomize::resource::Resource;
use crate::yaml::Node;

use super::{Applied, Environment, path_span, resource_id};

pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
pub const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const NOTIFICATION_GROUP: &str = "notification.toolkit.fluxcd.io";
/// The source kinds a Flux Kustomization can apply from.
pub const SOURCE_KINDS: [&str; 3] = ["GitRepository", "OCIRepository", "Bucket"];

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
/// (a glob) that matches its name or an alias.
pub fn env_entry<'a>(table: Option<&'a Node>, env: &Environment) -> Option<&'a Node> {
    let map = table?.as_map()?;
    map.iter()
        .find(|(k, _)| {
            crate::policy::glob_match(k, &env.name)
                || env.aliases.iter().any(|a| crate::policy::glob_match(k, a))
        })
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

/// A reference's namespace: its own, else the referrer's.
fn default_ns(ns: Option<&str>, referrer: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => referrer.to_string(),
    }
}
