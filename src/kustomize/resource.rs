//! Resources, their ids, and the ordered resource map a kustomization renders to.

use std::fmt;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

/// Group/version/kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Does this gvk satisfy a selector where empty fields match anything?
    pub fn matches(&self, group: &str, version: &str, kind: &str) -> bool {
        (group.is_empty() || group == self.group)
            && (version.is_empty() || version == self.version)
            && (kind.is_empty() || kind == self.kind)
    }

    /// Kinds that are not namespaced, as kustomize decides it (kyaml's OpenAPI data, by apiVersion
    /// and kind: unknown types are namespaced).
    pub fn is_cluster_scoped(&self) -> bool {
        super::namespace::scope::is_cluster_scoped_gvk(&self.group, &self.version, &self.kind)
    }
}

/// kustomize's `NotNamespaceableKinds`.
pub fn is_cluster_scoped_kind(kind: &str) -> bool {
    matches!(
        kind,
        "APIService"
            | "CSIDriver"
            | "CSINode"
            | "CertificateSigningRequest"
            | "Cluster"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "ComponentStatus"
            | "CustomResourceDefinition"
            | "MutatingWebhookConfiguration"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PodSecurityPolicy"
            | "PriorityClass"
            | "RuntimeClass"
            | "SelfSubjectAccessReview"
            | "SelfSubjectRulesReview"
            | "StorageClass"
            | "SubjectAccessReview"
            | "TokenReview"
            | "ValidatingWebhookConfiguration"
            | "VolumeAttachment"
    )
}

/// A resource's identity: gvk, name, namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    /// Empty for cluster-scoped kinds and for namespaced resources without a namespace.
    pub namespace: String,
}

impl ResId {
    /// The namespace as kustomize compares it: a missing namespace on a namespaced kind is `default`.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Same object, treating an unset namespace as `default` (how kustomize finds patch targets).
    pub fn same_object(&self, other: &ResId) -> bool {
        self.gvk.kind == other.gvk.kind
            && self.gvk.group == other.gvk.group
            && (self.gvk.version == other.gvk.version
                || self.gvk.version.is_empty()
                || other.gvk.version.is_empty())
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        let g = if self.gvk.group.is_empty() {
            "[noGrp]"
        } else {
            &self.gvk.group
        };
        write!(
            f,
            "{}_{}_{}|{}|{}",
            g, self.gvk.version, self.gvk.kind, ns, self.name
        )
    }
}

/// What a generator says about a resource it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub behavior: Behavior,
    /// Append a content hash to the name at the end of the build.
    pub hash: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

/// One resource: its tree plus what kustomize tracks beside it.
#[derive(Clone, Debug)]
pub struct Resource {
    pub node: Node,
    /// The span of the whole document the resource came from.
    pub doc_span: Span,
    /// Names and namespaces this resource had before renames, oldest first (for name references).
    pub previous: Vec<(String, String)>,
    /// The name/namespace when first loaded, for `config.kubernetes.io/origin` and name references.
    pub original: (String, String),
    pub generated: Option<Generated>,
    /// Whether name references may point at this resource (kustomize excludes some after patches).
    pub refs_by: Vec<ResId>,
    /// `namePrefix`/`nameSuffix` values applied to this resource, innermost kustomization first
    /// (name references prefer targets renamed the same way as the referrer).
    pub name_prefixes: Vec<String>,
    pub name_suffixes: Vec<String>,
    /// Fields that share one value node in kustomize (see [`super::alias`]).
    pub aliases: super::alias::Aliases,
}

impl Resource {
    pub fn new(node: Node, doc_span: Span) -> Resource {
        let mut r = Resource {
            node,
            doc_span,
            previous: Vec::new(),
            original: (String::new(), String::new()),
            generated: None,
            refs_by: Vec::new(),
            name_prefixes: Vec::new(),
            name_suffixes: Vec::new(),
            aliases: Default::default(),
        };
        r.original = (r.name().to_string(), r.namespace().to_string());
        r
    }

    pub fn api_version(&self) -> &str {
        self.node.str_at(&["apiVersion"]).unwrap_or("")
    }
    pub fn kind(&self) -> &str {
        self.node.str_at(&["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.node.str_at(&["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.node.str_at(&["metadata", "namespace"]).unwrap_or("")
    }
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }
    /// The API group and version, borrowed (what `gvk()` copies): for comparisons in loops.
    pub fn group_version(&self) -> (&str, &str) {
        let av = self.api_version();
        av.rsplit_once('/').unwrap_or(("", av))
    }
    /// The API group (`""` for the core group), borrowed.
    pub fn group(&self) -> &str {
        self.group_version().0
    }
    pub fn id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }
    /// Is this the object `id` names (same group, kind, name, effective namespace)? Allocation-free.
    pub fn is(&self, id: &ResId) -> bool {
        let (group, version) = self.group_version();
        if self.kind() != id.gvk.kind
            || group != id.gvk.group
            || self.name() != id.name
            || !(version == id.gvk.version || id.gvk.version.is_empty() || version.is_empty())
        {
            return false;
        }
        let ns = self.namespace();
        let eff = if is_cluster_scoped_kind(self.kind()) {
            ""
        } else if ns.is_empty() {
            "default"
        } else {
            ns
        };
        eff == id.effective_namespace()
    }

    /// Is `id` this resource's current id or one it had before a rename?
    pub fn was(&self, id: &ResId) -> bool {
        if self.is(id) {
            return true;
        }
        let gvk = self.gvk();
        self.previous.iter().any(|(n, ns)| {
            ResId {
                gvk: gvk.clone(),
                name: n.clone(),
                namespace: ns.clone(),
            }
            .same_object(id)
        })
    }

    /// The id this resource had when first loaded (before prefixes, suffixes, namespaces, hashes).
    pub fn original_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.original.0.clone(),
            namespace: self.original.1.clone(),
        }
    }
    /// Every id this resource had, current last.
    pub fn all_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        let mut v: Vec<ResId> = self
            .previous
            .iter()
            .map(|(n, ns)| ResId {
                gvk: gvk.clone(),
                name: n.clone(),
                namespace: ns.clone(),
            })
            .collect();
        v.push(self.id());
        v
    }

    pub fn labels(&self) -> Vec<(&str, String)> {
        self.string_map(&["metadata", "labels"])
    }
    /// One label's value, as text.
    pub fn label(&self, key: &str) -> Option<String> {
        self.node
            .get_path(&["metadata", "labels"])
            .and_then(Node::as_map)
            .and_then(|m| m.get(key))
            .and_then(Node::scalar_string)
    }
    pub fn annotations(&self) -> Vec<(&str, String)> {
        self.string_map(&["metadata", "annotations"])
    }
    fn string_map(&self, path: &[&str]) -> Vec<(&str, String)> {
        match self.node.get_path(path).and_then(Node::as_map) {
            Some(m) => m
                .iter()
                .map(|(k, v)| (k, v.scalar_string().unwrap_or_default()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Records the current name/namespace as previous before a rename.
    pub fn remember_id(&mut self) {
        let cur = (self.name().to_string(), self.namespace().to_string());
        if self.previous.last() != Some(&cur) {
            self.previous.push(cur);
        }
    }

    /// Sets `metadata.<field>` to a string, with an origin.
    pub fn set_metadata_str(&mut self, field: &str, value: &str, origin: Origin) {
        let meta_origin = origin.clone();
        let Some(meta) = self.node.ensure_map("metadata", &meta_origin) else {
            return;
        };
        if let Some(m) = meta.as_map_mut() {
            let new = match m.get(field) {
                Some(old) => Node::str(value, origin.overriding(&old.origin)),
                None => Node::str(value, origin),
            };
            let key_span = new.origin.span;
            m.insert(field, key_span, new);
        }
    }

    pub fn is_local_config(&self) -> bool {
        self.node.str_at(&[
            "metadata",
            "annotations",
            "config.kubernetes.io/local-config",
        ]) == Some("true")
    }
}

/// The resources of a build, in order.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    pub resources: Vec<Resource>,
    /// The `target:` of every patch that selected no resource (kustomize applies it to nothing,
    /// silently; `fluxlint check` reports it).
    pub unmatched_patches: Vec<UnmatchedPatch>,
    /// Remote `resources:` / `components:` entries (URLs, git repositories) left out of the build:
    /// Flux fetches them when it applies, fluxlint works offline.
    pub remote: Vec<RemoteEntry>,
    /// `resources:` entries that list a bootstrap placeholder (a `gotk-components.yaml` or
    /// `gotk-sync.yaml` that holds no document yet: `flux bootstrap` writes its objects).
    pub placeholders: Vec<Placeholder>,
    /// Resources a strategic merge patch deleted (`$patch: delete`), with where it said so: a rule
    /// that misses the object points at the directive rather than at what is left.
    pub deleted: Vec<Deleted>,
}

/// A resource removed by a `$patch: delete` patch.
#[derive(Clone, Debug)]
pub struct Deleted {
    pub kind: String,
    pub name: String,
    /// The resource's namespace, empty when it had none.
    pub namespace: String,
    /// The `$patch: delete` directive (or the patch document when the patch emptied the resource).
    pub at: Span,
}

/// A patch `target:` that selected no resource.
#[derive(Clone, Debug)]
pub struct UnmatchedPatch {
    /// The `target:` map.
    pub target: Span,
    /// The one selector field to blame (its name and value), when there is one.
    pub culprit: Option<(&'static str, Span)>,
    /// Does the target name its resource (`name:`), or select by kind, group or labels only?
    pub named: bool,
    /// Why fluxlint cannot tell that the patch selects nothing: the build it ran on left out
    /// objects that Flux will have (a remote resource, a bootstrap placeholder).
    pub unknown: Option<Unknown>,
    /// Set by the Flux layer: the target is a Flux Kustomization's `spec.patches` entry.
    pub flux: Option<FluxPatch>,
    /// Written in a Component: one patch for every kustomization that includes it, where a
    /// target matching nothing in some of them is how components are used.
    pub component: bool,
}

/// What a build left out that a patch may have been meant for.
#[derive(Clone, Debug)]
pub enum Unknown {
    Remote(String),
    Placeholder(Placeholder),
}

/// Where a Flux Kustomization's `spec.patches` entry was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FluxPatch {
    /// In the Kustomization's own file.
    Own,
    /// Elsewhere: a parent Kustomization's patch or a component that gives every child the same
    /// `spec.patches` (defaults for every child; Flux ignores a target that matches nothing).
    Inherited,
}

/// A remote entry left out of a build.
#[derive(Clone, Debug)]
pub struct RemoteEntry {
    pub url: String,
    /// The entry in its kustomization file.
    pub span: Span,
}

/// A bootstrap placeholder file listed in `resources:`.
#[derive(Clone, Debug)]
pub struct Placeholder {
    /// Repo-relative path of the file.
    pub file: String,
    /// The `resources:` entry that lists it.
    pub span: Span,
}

impl ResMap {
    pub fn new() -> ResMap {
        ResMap::default()
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Index of the resource with this current id.
    pub fn find(&self, id: &ResId) -> Option<usize> {
        self.resources.iter().position(|r| r.is(id))
    }

    /// Appends, refusing a second resource with the same id.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let id = r.id();
        if let Some(i) = self.find(&id) {
            let first = self.resources[i].doc_span;
            return Err(Error::at(
                "duplicate-id",
                r.doc_span,
                format!("may not add resource with an already registered id: {id}"),
            )
            .with_label("second definition")
            .with_note("first defined here", first)
            .with_help(
                "remove one of the two, or rename one with a patch or namePrefix/nameSuffix",
            ));
        }
        self.resources.push(r);
        Ok(())
    }

    /// Appends many; call [`ResMap::check_unique`] once afterwards.
    pub fn extend_unchecked(&mut self, other: ResMap) {
        self.resources.extend(other.resources);
        self.unmatched_patches.extend(other.unmatched_patches);
        self.remote.extend(other.remote);
        self.placeholders.extend(other.placeholders);
        self.deleted.extend(other.deleted);
    }

    /// Appends many, refusing duplicate ids.
    pub fn append_all(&mut self, other: ResMap) -> Result<()> {
        self.extend_unchecked(other);
        self.check_unique()
    }

    /// Refuses two resources with the same id (one hash map, not a scan per resource).
    pub fn check_unique(&self) -> Result<()> {
        let mut seen: super::fast_map::FastMap<(&str, &str, &str, &str), usize> =
            super::fast_map::with_capacity(self.resources.len());
        for (i, r) in self.resources.iter().enumerate() {
            let group = r.api_version().rsplit_once('/').map(|x| x.0).unwrap_or("");
            let ns = if is_cluster_scoped_kind(r.kind()) {
                ""
            } else if r.namespace().is_empty() {
                "default"
            } else {
                r.namespace()
            };
            if let Some(&first) = seen.get(&(group, r.kind(), r.name(), ns)) {
                let id = r.id();
                return Err(Error::at(
                    "duplicate-id",
                    r.doc_span,
                    format!("may not add resource with an already registered id: {id}"),
                )
                .with_label("second definition")
                .with_note("first defined here", self.resources[first].doc_span)
                .with_help(
                    "remove one of the two, or rename one with a patch or namePrefix/nameSuffix",
                ));
            }
            seen.insert((group, r.kind(), r.name(), ns), i);
        }
        Ok(())
    }
}

/// Checks the shape every resource must have (a map with apiVersion, kind, metadata.name).
pub fn validate_resource(node: &Node, doc_span: Span) -> Result<()> {
    let Value::Map(m) = &node.value else {
        return Err(Error::at(
            "resource",
            node.span(),
            format!("a resource must be a mapping, found a {}", node.type_name()),
        ));
    };
    match m.get("kind") {
        Some(k) if k.as_str().is_some_and(|s| !s.is_empty()) => {}
        _ => {
            return Err(Error::at("resource", doc_span, "missing Resource kind")
                .with_help("every resource needs `apiVersion`, `kind` and `metadata.name`"));
        }
    }
    Ok(())
}

/// Marks a whole subtree as set by the given input.
pub fn mark(node: &mut Node, by: SetBy) {
    node.origin.by = by;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| mark(n, by)),
        Value::Map(m) => m.entries.iter_mut().for_each(|e| mark(&mut e.value, by)),
        _ => {}
    }
}

// Name tracking for namespace, namePrefix/nameSuffix and name references.
impl Resource {
    /// The ids this resource had before renames (kustomize's `PrevIds`), oldest first; the current
    /// id is not included.
    pub fn previous_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.previous
            .iter()
            .map(|(n, ns)| ResId {
                gvk: gvk.clone(),
                name: n.clone(),
                namespace: ns.clone(),
            })
            .collect()
    }

    /// kustomize's `OrgId`: the oldest previous id, or the current one.
    pub fn org_id(&self) -> ResId {
        match self.previous.first() {
            Some((n, ns)) => ResId {
                gvk: self.gvk(),
                name: n.clone(),
                namespace: ns.clone(),
            },
            None => self.id(),
        }
    }
}
