//! The Flux objects, read the way the controllers read them: which kind an object is, and typed
//! views over a [`Resource`] with each kind's fields, references and defaults. This is the one
//! model: the renderer reads these views, and the rules read them too, through [`super::objects`],
//! which pairs a view with the environment the object was applied into.
//!
//! Accessors hand out nodes (not copies) so diagnostics can point at the value, in the file where it
//! was last set. A node accessor returns the field as written (a `null` included, so a finding can
//! point at it); a value accessor reads a `null` as unset and applies the API's default.

mod artifact_generator;
mod source;

pub use artifact_generator::{
    ArtifactGenerator, CopyOp, GeneratorSource, OutputArtifact, SOURCE_EXTENSIONS_GROUP,
    is_artifact_generator,
};
pub use source::{Effective, FluxSource, RefField, RefKind};

use crate::kustomize::resource::Resource;
use crate::yaml::Node;

pub const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
pub const HELM_GROUP: &str = "helm.toolkit.fluxcd.io";
pub const NOTIFICATION_GROUP: &str = "notification.toolkit.fluxcd.io";
/// The source kinds a Flux Kustomization can apply from ([`FluxKind::is_source`]).
pub const SOURCE_KINDS: [&str; 3] = ["GitRepository", "OCIRepository", "Bucket"];

/// The Flux kinds fluxlint understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FluxKind {
    GitRepository,
    OciRepository,
    Bucket,
    HelmRepository,
    HelmChart,
    Kustomization,
    HelmRelease,
    Provider,
    Alert,
    Receiver,
}

impl FluxKind {
    /// The Flux kind of a resource (its API group must be Flux's), if any.
    pub fn of(r: &Resource) -> Option<FluxKind> {
        let group = r.gvk().group;
        Some(match (group.as_str(), r.kind()) {
            (SOURCE_GROUP, "GitRepository") => FluxKind::GitRepository,
            (SOURCE_GROUP, "OCIRepository") => FluxKind::OciRepository,
            (SOURCE_GROUP, "Bucket") => FluxKind::Bucket,
            (SOURCE_GROUP, "HelmRepository") => FluxKind::HelmRepository,
            (SOURCE_GROUP, "HelmChart") => FluxKind::HelmChart,
            (KUSTOMIZE_GROUP, "Kustomization") => FluxKind::Kustomization,
            (HELM_GROUP, "HelmRelease") => FluxKind::HelmRelease,
            (NOTIFICATION_GROUP, "Provider") => FluxKind::Provider,
            (NOTIFICATION_GROUP, "Alert") => FluxKind::Alert,
            (NOTIFICATION_GROUP, "Receiver") => FluxKind::Receiver,
            _ => return None,
        })
    }

    /// Sources a Kustomization can apply (`sourceRef.kind`, [`SOURCE_KINDS`]).
    pub fn is_source(self) -> bool {
        matches!(
            self,
            FluxKind::GitRepository | FluxKind::OciRepository | FluxKind::Bucket
        )
    }
}

/// Is this a Flux Kustomization (kustomize.toolkit.fluxcd.io, any version)?
pub fn is_flux_kustomization(r: &Resource) -> bool {
    r.kind() == "Kustomization" && r.gvk().group == KUSTOMIZE_GROUP
}

/// The namespace an object lives in once applied: its own, else `default`.
pub fn namespace_of(r: &Resource) -> &str {
    match r.namespace() {
        "" => "default",
        ns => ns,
    }
}

/// Does `r` carry this name in this namespace (an empty namespace is `default`, on either side)?
/// The one way a reference (`sourceRef`, `dependsOn`, `providerRef`, …) is resolved, by the
/// renderer and by the rules alike.
pub fn is_named(r: &Resource, name: &str, namespace: &str) -> bool {
    let ns = if namespace.is_empty() {
        "default"
    } else {
        namespace
    };
    r.name() == name && namespace_of(r) == ns
}

/// A reference to another object (`sourceRef`, a `dependsOn` or `eventSources` entry, …), read as
/// the controllers read it: the kind defaults per field, the namespace to the referrer's.
#[derive(Clone, Debug)]
pub struct ObjectRef<'a> {
    pub kind: String,
    /// The name as written (empty when unset; a bare scalar entry is its own name).
    pub name: String,
    /// Its own `namespace`, else the referrer's `metadata.namespace` (empty means `default`, as
    /// [`is_named`] resolves it).
    pub namespace: String,
    /// Whether the reference sets `name`: one that does not names nothing.
    pub named: bool,
    /// The reference.
    pub node: &'a Node,
    /// Its `name` (or the reference when unnamed), where a finding about the target points.
    pub name_node: &'a Node,
    /// Its `namespace`, when it sets one.
    pub namespace_node: Option<&'a Node>,
}

impl<'a> ObjectRef<'a> {
    fn read(node: &'a Node, default_kind: &str, referrer: &Resource) -> ObjectRef<'a> {
        let name_node = node.get("name").unwrap_or(node);
        let namespace = match node.str_at(&["namespace"]) {
            Some(ns) if !ns.is_empty() => ns,
            _ => referrer.namespace(),
        };
        ObjectRef {
            kind: node.str_at(&["kind"]).unwrap_or(default_kind).to_string(),
            name: name_node.scalar_string().unwrap_or_default(),
            namespace: namespace.to_string(),
            named: node.get("name").and_then(Node::scalar_string).is_some(),
            node,
            name_node,
            namespace_node: node.get("namespace").filter(|n| !n.is_null()),
        }
    }

    /// `Kind/namespace/name`.
    pub fn display(&self) -> String {
        let ns = if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        };
        format!("{}/{ns}/{}", self.kind, self.name)
    }

    /// Does `r` answer this reference (kind, name, namespace; any Flux group or version)?
    pub fn matches(&self, r: &Resource) -> bool {
        self.named && r.kind() == self.kind && is_named(r, &self.name, &self.namespace)
    }
}

/// `spec.<field>` as written.
fn spec<'a>(r: &'a Resource, field: &str) -> Option<&'a Node> {
    r.node.get_path(&["spec", field])
}

/// `spec.suspend` when it suspends the object (absent or `null` means false).
pub fn suspend_node(r: &Resource) -> Option<&Node> {
    spec(r, "suspend").filter(|n| n.as_bool() == Some(true))
}

/// `spec.dependsOn` of a Flux Kustomization or HelmRelease: each entry names an object of the
/// dependent's kind; entries without a name are left out.
pub fn depends_on(r: &Resource) -> Vec<ObjectRef<'_>> {
    spec(r, "dependsOn")
        .and_then(Node::as_seq)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .map(|i| ObjectRef::read(i, r.kind(), r))
        .filter(|d| !d.name.is_empty())
        .collect()
}

/// The names of the Secret or ConfigMap `spec.kubeConfig` reads (`secretRef.name`,
/// `configMapRef.name`), with their nodes: the object applies to another cluster.
pub fn kube_config_refs(r: &Resource) -> Vec<(&Node, String)> {
    ["secretRef", "configMapRef"]
        .iter()
        .filter_map(|k| {
            let n = r.node.get_path(&["spec", "kubeConfig", k, "name"])?;
            Some((n, n.scalar_string()?))
        })
        .collect()
}

/// A Flux Kustomization (v1 or v1beta2).
#[derive(Clone, Copy, Debug)]
pub struct FluxKustomization<'a>(pub &'a Resource);

impl<'a> FluxKustomization<'a> {
    pub fn new(r: &'a Resource) -> Option<FluxKustomization<'a>> {
        is_flux_kustomization(r).then_some(FluxKustomization(r))
    }
    pub fn name(&self) -> &'a str {
        self.0.name()
    }
    pub fn namespace(&self) -> &'a str {
        namespace_of(self.0)
    }
    /// `spec.path` (empty means the source root).
    pub fn path(&self) -> &'a str {
        self.path_node().and_then(Node::as_str).unwrap_or("")
    }
    pub fn path_node(&self) -> Option<&'a Node> {
        spec(self.0, "path")
    }
    /// `spec.sourceRef` (kind `GitRepository` unless it says otherwise).
    pub fn source_ref(&self) -> Option<ObjectRef<'a>> {
        spec(self.0, "sourceRef").map(|n| ObjectRef::read(n, "GitRepository", self.0))
    }
    /// `spec.dependsOn`: other Flux Kustomizations.
    pub fn depends_on(&self) -> Vec<ObjectRef<'a>> {
        depends_on(self.0)
    }
    pub fn depends_on_node(&self) -> Option<&'a Node> {
        spec(self.0, "dependsOn")
    }
    /// `spec.prune` (the API default is false).
    pub fn prune_node(&self) -> Option<&'a Node> {
        spec(self.0, "prune")
    }
    pub fn suspend(&self) -> bool {
        suspend_node(self.0).is_some()
    }
    pub fn kube_config_refs(&self) -> Vec<(&'a Node, String)> {
        kube_config_refs(self.0)
    }
    pub fn post_build(&self) -> Option<&'a Node> {
        spec(self.0, "postBuild")
    }
}

/// A HelmRelease: its chart's source and its dependencies.
#[derive(Clone, Copy, Debug)]
pub struct HelmRelease<'a>(pub &'a Resource);

impl<'a> HelmRelease<'a> {
    /// `spec.chart.spec.sourceRef` (kind `HelmRepository` by default), else `spec.chartRef`
    /// (`OCIRepository`).
    pub fn source_ref(&self) -> Option<ObjectRef<'a>> {
        if let Some(n) = self
            .0
            .node
            .get_path(&["spec", "chart", "spec", "sourceRef"])
        {
            return Some(ObjectRef::read(n, "HelmRepository", self.0));
        }
        spec(self.0, "chartRef").map(|n| ObjectRef::read(n, "OCIRepository", self.0))
    }
}

/// A notification Alert: its provider, severity and event sources.
#[derive(Clone, Copy, Debug)]
pub struct Alert<'a>(pub &'a Resource);

impl<'a> Alert<'a> {
    /// `spec.providerRef.name` (a Provider in the Alert's namespace).
    pub fn provider_name(&self) -> Option<&'a Node> {
        self.0.node.get_path(&["spec", "providerRef", "name"])
    }
    /// `spec.eventSeverity` (the API default is `info`).
    pub fn event_severity(&self) -> Option<&'a Node> {
        spec(self.0, "eventSeverity")
    }
    pub fn event_sources_node(&self) -> Option<&'a Node> {
        spec(self.0, "eventSources")
    }
    /// `spec.eventSources`, each `{kind, name, namespace?}` (`name: '*'` for all).
    pub fn event_sources(&self) -> Vec<ObjectRef<'a>> {
        self.event_sources_node()
            .and_then(Node::as_seq)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|i| ObjectRef::read(i, "", self.0))
            .collect()
    }
    pub fn suspend_node(&self) -> Option<&'a Node> {
        suspend_node(self.0)
    }
}
