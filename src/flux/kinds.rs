//! The Flux objects, read the way the controllers read them: which kind an object is, and typed
//! accessors for the fields rules need. Accessors hand out nodes (not copies) so diagnostics can point
//! at the value, in the file where it was last set.
//!
//! This is the renderer's view; the rules read the same objects through [`super::objects`]. The two
//! share how a reference is resolved ([`is_named`]) and how a source URL is compared
//! ([`super::sources::normalize_url`]). Not merged yet (#3): `ObjectRef` here vs `SourceRef` /
//! `DependsOn` there, and `Environment::feeding_sources` (which also counts HelmRelease chart
//! sources) vs `objects::feeding_sources` (the sources of Flux Kustomizations, what `source-ref`,
//! `interval` and `isolation` check).

use crate::kustomize::resource::Resource;
use crate::source::Span;
use crate::yaml::{Node, Value};

pub const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
pub const HELM_GROUP: &str = "helm.toolkit.fluxcd.io";
pub const NOTIFICATION_GROUP: &str = "notification.toolkit.fluxcd.io";

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

    /// Sources a Kustomization can apply (`sourceRef.kind`).
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

/// A reference to another object (`sourceRef`, `dependsOn` item, `providerRef`, …), with the
/// namespace defaulted to the referrer's as the controllers do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// The reference node (for diagnostics).
    pub span: Span,
}

impl ObjectRef {
    fn read(n: &Node, default_kind: &str, default_ns: &str) -> Option<ObjectRef> {
        let name = n.get("name")?.scalar_string()?;
        Some(ObjectRef {
            kind: n
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or(default_kind)
                .to_string(),
            name,
            namespace: n
                .get("namespace")
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(default_ns)
                .to_string(),
            span: n.span(),
        })
    }

    /// `Kind/namespace/name`.
    pub fn display(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }

    /// Does `r` answer this reference (kind, name, namespace; any Flux group or version)?
    pub fn matches(&self, r: &Resource) -> bool {
        r.kind() == self.kind && is_named(r, &self.name, &self.namespace)
    }
}

fn spec<'a>(r: &'a Resource, field: &str) -> Option<&'a Node> {
    r.node.get_path(&["spec", field]).filter(|n| !n.is_null())
}

/// A boolean field the way the API server reads it (absent means false).
fn flag(r: &Resource, field: &str) -> bool {
    spec(r, field).and_then(Node::as_bool).unwrap_or(false)
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
    /// `spec.path` as written (empty means the source root).
    pub fn path(&self) -> &'a str {
        spec(self.0, "path").and_then(Node::as_str).unwrap_or("")
    }
    pub fn path_node(&self) -> Option<&'a Node> {
        spec(self.0, "path")
    }
    /// `spec.sourceRef`, its namespace defaulted to the Kustomization's.
    pub fn source_ref(&self) -> Option<ObjectRef> {
        spec(self.0, "sourceRef")
            .and_then(|n| ObjectRef::read(n, "GitRepository", self.namespace()))
    }
    pub fn source_ref_node(&self) -> Option<&'a Node> {
        spec(self.0, "sourceRef")
    }
    /// `spec.dependsOn`, each a Kustomization in the same namespace unless it says otherwise.
    pub fn depends_on(&self) -> Vec<ObjectRef> {
        spec(self.0, "dependsOn")
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| ObjectRef::read(i, "Kustomization", self.namespace()))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// `spec.prune` (omitted means false).
    pub fn prune(&self) -> bool {
        flag(self.0, "prune")
    }
    pub fn prune_node(&self) -> Option<&'a Node> {
        spec(self.0, "prune")
    }
    pub fn suspend(&self) -> bool {
        flag(self.0, "suspend")
    }
    pub fn interval(&self) -> Option<&'a Node> {
        spec(self.0, "interval")
    }
    /// `spec.kubeConfig` (a `secretRef` or `configMapRef`): the Kustomization applies to another cluster.
    pub fn kube_config(&self) -> Option<&'a Node> {
        spec(self.0, "kubeConfig")
    }
    pub fn target_namespace(&self) -> Option<&'a Node> {
        spec(self.0, "targetNamespace")
    }
    pub fn post_build(&self) -> Option<&'a Node> {
        spec(self.0, "postBuild")
    }
    /// Any other `spec` field.
    pub fn field(&self, name: &str) -> Option<&'a Node> {
        spec(self.0, name)
    }
}

/// What a Git repository source tracks (`spec.ref`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitRef {
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub semver: Option<String>,
    pub commit: Option<String>,
    pub name: Option<String>,
}

/// A source: GitRepository, OCIRepository or Bucket (or HelmRepository for HelmReleases).
#[derive(Clone, Copy, Debug)]
pub struct FluxSource<'a>(pub &'a Resource);

impl<'a> FluxSource<'a> {
    pub fn new(r: &'a Resource) -> Option<FluxSource<'a>> {
        let k = FluxKind::of(r)?;
        (k.is_source() || k == FluxKind::HelmRepository).then_some(FluxSource(r))
    }
    pub fn kind(&self) -> &'a str {
        self.0.kind()
    }
    pub fn name(&self) -> &'a str {
        self.0.name()
    }
    pub fn namespace(&self) -> &'a str {
        namespace_of(self.0)
    }
    pub fn url(&self) -> Option<&'a str> {
        spec(self.0, "url").and_then(Node::as_str)
    }
    pub fn url_node(&self) -> Option<&'a Node> {
        spec(self.0, "url")
    }
    pub fn interval(&self) -> Option<&'a Node> {
        spec(self.0, "interval")
    }
    pub fn suspend(&self) -> bool {
        flag(self.0, "suspend")
    }
    /// `spec.ref` (GitRepository, OCIRepository).
    pub fn ref_node(&self) -> Option<&'a Node> {
        spec(self.0, "ref")
    }
    /// `spec.ref.<field>` (`branch`, `tag`, `semver`, `commit`, `name`, `digest`).
    pub fn ref_field(&self, field: &str) -> Option<&'a Node> {
        self.ref_node()?.get(field).filter(|n| !n.is_null())
    }
    pub fn git_ref(&self) -> GitRef {
        let s = |f: &str| self.ref_field(f).and_then(Node::scalar_string);
        GitRef {
            branch: s("branch"),
            tag: s("tag"),
            semver: s("semver"),
            commit: s("commit"),
            name: s("name"),
        }
    }
}

/// A HelmRelease: its chart's source (`spec.chart.spec.sourceRef`, or `spec.chartRef`).
#[derive(Clone, Copy, Debug)]
pub struct HelmRelease<'a>(pub &'a Resource);

impl<'a> HelmRelease<'a> {
    pub fn new(r: &'a Resource) -> Option<HelmRelease<'a>> {
        (FluxKind::of(r) == Some(FluxKind::HelmRelease)).then_some(HelmRelease(r))
    }
    pub fn source_ref(&self) -> Option<ObjectRef> {
        let ns = namespace_of(self.0);
        if let Some(n) = self
            .0
            .node
            .get_path(&["spec", "chart", "spec", "sourceRef"])
        {
            return ObjectRef::read(n, "HelmRepository", ns);
        }
        spec(self.0, "chartRef").and_then(|n| ObjectRef::read(n, "OCIRepository", ns))
    }
    pub fn depends_on(&self) -> Vec<ObjectRef> {
        let ns = namespace_of(self.0);
        spec(self.0, "dependsOn")
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| ObjectRef::read(i, "HelmRelease", ns))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn suspend(&self) -> bool {
        flag(self.0, "suspend")
    }
    pub fn kube_config(&self) -> Option<&'a Node> {
        spec(self.0, "kubeConfig")
    }
}

/// An Alert: its provider, severity and event sources.
#[derive(Clone, Copy, Debug)]
pub struct Alert<'a>(pub &'a Resource);

impl<'a> Alert<'a> {
    pub fn new(r: &'a Resource) -> Option<Alert<'a>> {
        (FluxKind::of(r) == Some(FluxKind::Alert)).then_some(Alert(r))
    }
    pub fn provider_ref(&self) -> Option<ObjectRef> {
        spec(self.0, "providerRef")
            .and_then(|n| ObjectRef::read(n, "Provider", namespace_of(self.0)))
    }
    /// `spec.eventSeverity` (the API default is `info`).
    pub fn event_severity(&self) -> &'a str {
        spec(self.0, "eventSeverity")
            .and_then(Node::as_str)
            .unwrap_or("info")
    }
    pub fn event_severity_node(&self) -> Option<&'a Node> {
        spec(self.0, "eventSeverity")
    }
    /// `spec.eventSources`, each `{kind, name, namespace?}` (`name: '*'` for all).
    pub fn event_sources(&self) -> Vec<ObjectRef> {
        spec(self.0, "eventSources")
            .and_then(Node::as_seq)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| ObjectRef::read(i, "", namespace_of(self.0)))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn suspend(&self) -> bool {
        flag(self.0, "suspend")
    }
}

/// A scalar as text, for values that may be written as numbers or strings (`interval: 60`).
pub fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Seq(_) | Value::Map(_) => None,
        _ => n.scalar_string(),
    }
}
