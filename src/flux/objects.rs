//! Typed access to the Flux objects of an environment: sources (GitRepository, OCIRepository,
//! Bucket) and their refs, Flux Kustomizations and what they point at (source, dependencies,
//! kubeConfig), Alerts and Providers; plus the nouns rules share about them: "the sources that feed
//! an environment", "a name that names another environment", Go durations.
//!
//! Views borrow the rendered objects: every node keeps its origin, so a rule points at the file
//! where a value was last set. Lookups follow Flux's defaults (a reference's namespace is the
//! referrer's; an object without a namespace matches any).

mod duration;
mod graph;
mod naming;

pub use duration::parse_duration;
pub use graph::{KustomizeEntry, KustomizeFiles, kustomize_entries};
pub use naming::{EnvNames, named_for, normalize_rel};

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
    pub fn is_named(&self, name: &str, namespace: &str) -> bool {
        self.name() == name && (self.namespace().is_empty() || self.namespace() == namespace)
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
        .filter(|a| a.resource.gvk().group == group && kinds.contains(&a.resource.kind()))
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
// Sources

/// What a source's ref asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    Branch,
    Tag,
    /// A semver range (`ref.semver`).
    Semver,
    Commit,
    /// A full git reference (`ref.name`, e.g. `refs/heads/main`) that is neither a branch nor a tag.
    Name,
    /// An OCI digest.
    Digest,
}

impl RefKind {
    pub fn from_field(field: &str) -> Option<RefKind> {
        Some(match field {
            "branch" => RefKind::Branch,
            "tag" => RefKind::Tag,
            "semver" => RefKind::Semver,
            "commit" => RefKind::Commit,
            "name" => RefKind::Name,
            "digest" => RefKind::Digest,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Branch => "branch",
            RefKind::Tag => "tag",
            RefKind::Semver => "semver",
            RefKind::Commit => "commit",
            RefKind::Name => "name",
            RefKind::Digest => "digest",
        }
    }
}

/// One field of `spec.ref`.
#[derive(Clone, Debug)]
pub struct RefField<'a> {
    /// The field name (`branch`, `tag`, …).
    pub field: &'static str,
    pub kind: RefKind,
    pub value: String,
    pub node: &'a Node,
}

impl RefField<'_> {
    /// What this field follows: `ref.name: refs/heads/main` is the branch `main`, `refs/tags/v1`
    /// the tag `v1`.
    pub fn follows(&self) -> (RefKind, String) {
        let v = self.value.as_str();
        match self.kind {
            RefKind::Name if v.starts_with("refs/heads/") => {
                (RefKind::Branch, v["refs/heads/".len()..].to_string())
            }
            RefKind::Name if v.starts_with("refs/tags/") => {
                (RefKind::Tag, v["refs/tags/".len()..].to_string())
            }
            k => (k, v.to_string()),
        }
    }
}

/// The ref a source follows once Flux's precedence is applied.
#[derive(Clone, Debug)]
pub struct Effective<'a> {
    /// What is followed (`ref.name: refs/heads/main` is a branch `main`).
    pub kind: RefKind,
    pub value: String,
    /// The field that decides; `None` when Flux's default applies.
    pub field: Option<RefField<'a>>,
}

/// A GitRepository, OCIRepository or Bucket.
#[derive(Clone, Copy)]
pub struct Source<'a>(pub Obj<'a>);

impl<'a> Source<'a> {
    /// `spec.ref`, when set.
    pub fn ref_node(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "ref"]).filter(|n| !n.is_null())
    }

    /// The fields of `spec.ref` in Flux's precedence order (the first one decides).
    pub fn ref_fields(&self) -> Vec<RefField<'a>> {
        let order: &[&'static str] = match self.0.kind() {
            "OCIRepository" => &["digest", "semver", "tag"],
            "GitRepository" => &["commit", "name", "semver", "tag", "branch"],
            _ => &[],
        };
        let Some(r) = self.ref_node() else {
            return Vec::new();
        };
        order
            .iter()
            .filter_map(|&field| {
                let node = r.get(field)?;
                let value = node.scalar_string().filter(|v| !v.is_empty())?;
                Some(RefField {
                    field,
                    kind: RefKind::from_field(field)?,
                    value,
                    node,
                })
            })
            .collect()
    }

    /// What the source follows: the deciding ref field, or Flux's default (`master` for a
    /// GitRepository, `latest` for an OCIRepository); `None` for a Bucket, which has no ref.
    pub fn effective(&self) -> Option<Effective<'a>> {
        let fields = self.ref_fields();
        if let Some(f) = fields.into_iter().next() {
            let (kind, value) = f.follows();
            return Some(Effective {
                kind,
                value,
                field: Some(f),
            });
        }
        let (kind, value) = match self.0.kind() {
            "GitRepository" => (RefKind::Branch, "master"),
            "OCIRepository" => (RefKind::Tag, "latest"),
            _ => return None,
        };
        Some(Effective {
            kind,
            value: value.to_string(),
            field: None,
        })
    }

    /// Where the content comes from: `spec.url`, or a Bucket's endpoint and bucket name. Trailing
    /// `/` and `.git` are dropped so that spellings of one repository compare equal.
    pub fn url(&self) -> Option<String> {
        let raw = match self.0.kind() {
            "Bucket" => format!(
                "{}/{}",
                self.0.get(&["spec", "endpoint"])?.scalar_string()?,
                self.0.get(&["spec", "bucketName"])?.scalar_string()?
            ),
            _ => self.0.get(&["spec", "url"])?.scalar_string()?,
        };
        let t = raw.trim().trim_end_matches('/');
        Some(t.strip_suffix(".git").unwrap_or(t).to_string())
    }

    pub fn interval(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "interval"])
    }
}

/// Every source object in the environment.
pub fn sources(env: &Environment) -> Vec<Source<'_>> {
    objects(env, SOURCE_GROUP, &SOURCE_KINDS)
        .into_iter()
        .map(Source)
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
    pub unresolved: Vec<(Kustomization<'a>, SourceRef<'a>)>,
}

/// A source feeds an environment when a Flux Kustomization of that environment applies from it
/// (the one that applies the cluster directory included). An environment without any Flux
/// Kustomization is fed by every source it defines.
pub fn feeding_sources(env: &Environment) -> Feeds<'_> {
    let mut feeds = Feeds {
        sources: Vec::new(),
        unresolved: Vec::new(),
    };
    let ks = kustomizations(env);
    if ks.is_empty() {
        feeds.sources = sources(env);
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
            None => feeds.unresolved.push((k, r)),
        }
    }
    feeds
}

// ---------------------------------------------------------------------------------------------
// Flux Kustomizations

/// `spec.sourceRef` of a Flux Kustomization, namespace defaulted.
#[derive(Clone, Debug)]
pub struct SourceRef<'a> {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// The `sourceRef` node.
    pub node: &'a Node,
    /// `sourceRef.name` (or the `sourceRef` node when unnamed).
    pub name_node: &'a Node,
}

/// One `spec.dependsOn` entry, namespace defaulted.
#[derive(Clone, Debug)]
pub struct DependsOn<'a> {
    pub name: String,
    pub namespace: String,
    /// The entry's `name` node (or the entry).
    pub node: &'a Node,
}

/// A Flux Kustomization (kustomize.toolkit.fluxcd.io).
#[derive(Clone, Copy)]
pub struct Kustomization<'a>(pub Obj<'a>);

impl<'a> Kustomization<'a> {
    pub fn source_ref(&self) -> Option<SourceRef<'a>> {
        let node = self.0.get(&["spec", "sourceRef"])?;
        let name_node = node.get("name").unwrap_or(node);
        Some(SourceRef {
            kind: node
                .str_at(&["kind"])
                .unwrap_or("GitRepository")
                .to_string(),
            name: name_node.scalar_string().unwrap_or_default(),
            namespace: default_ns(node.str_at(&["namespace"]), self.0.namespace()),
            node,
            name_node,
        })
    }
    pub fn path(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "path"])
    }
    pub fn prune(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "prune"])
    }
    pub fn depends_on_node(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "dependsOn"])
    }
    pub fn depends_on(&self) -> Vec<DependsOn<'a>> {
        let items = self
            .depends_on_node()
            .and_then(Node::as_seq)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        items
            .iter()
            .filter_map(|item| {
                let node = item.get("name").unwrap_or(item);
                Some(DependsOn {
                    name: node.scalar_string().filter(|n| !n.is_empty())?,
                    namespace: default_ns(item.str_at(&["namespace"]), self.0.namespace()),
                    node,
                })
            })
            .collect()
    }
    /// The names of the Secret or ConfigMap `spec.kubeConfig` reads (with their nodes).
    pub fn kube_config_refs(&self) -> Vec<(&'a Node, String)> {
        kube_config_refs(self.0)
    }
    pub fn suspended(&self) -> bool {
        self.0
            .get(&["spec", "suspend"])
            .and_then(Node::as_bool)
            .unwrap_or(false)
    }
    pub fn interval(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "interval"])
    }
}

/// `spec.kubeConfig.secretRef.name` / `configMapRef.name` of a Flux Kustomization or HelmRelease.
pub fn kube_config_refs<'a>(o: Obj<'a>) -> Vec<(&'a Node, String)> {
    ["secretRef", "configMapRef"]
        .iter()
        .filter_map(|r| {
            let n = o.get(&["spec", "kubeConfig", r, "name"])?;
            Some((n, n.scalar_string()?))
        })
        .collect()
}

fn default_ns(ns: Option<&str>, referrer: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => referrer.to_string(),
    }
}

/// Every Flux Kustomization in the environment (v1 and v1beta2), each once.
pub fn kustomizations(env: &Environment) -> Vec<Kustomization<'_>> {
    objects(env, KUSTOMIZE_GROUP, &["Kustomization"])
        .into_iter()
        .map(Kustomization)
        .collect()
}

pub fn find_kustomization<'a>(
    env: &'a Environment,
    name: &str,
    namespace: &str,
) -> Option<Kustomization<'a>> {
    kustomizations(env)
        .into_iter()
        .find(|k| k.0.is_named(name, namespace))
}

/// The Flux Kustomization that applies the environment's cluster directory (Flux's own sync).
pub fn cluster_sync(env: &Environment) -> Option<Kustomization<'_>> {
    env.units
        .iter()
        .filter(|u| u.dir.as_deref() == Some(env.cluster_dir.as_path()))
        .find_map(|u| u.object)
        .map(|i| {
            Kustomization(Obj {
                env,
                applied: &env.objects[i],
            })
        })
}

// ---------------------------------------------------------------------------------------------
// Notifications

/// One `spec.eventSources` entry of an Alert, namespace defaulted.
#[derive(Clone, Debug)]
pub struct EventSource<'a> {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub node: &'a Node,
    /// The entry's `name` node (or the entry).
    pub name_node: &'a Node,
}

/// A notification Alert.
#[derive(Clone, Copy)]
pub struct Alert<'a>(pub Obj<'a>);

impl<'a> Alert<'a> {
    pub fn suspend(&self) -> Option<&'a Node> {
        self.0
            .get(&["spec", "suspend"])
            .filter(|n| n.as_bool() == Some(true))
    }
    /// `spec.providerRef.name`.
    pub fn provider_ref(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "providerRef", "name"])
    }
    /// `spec.eventSeverity` (Flux's default is `info`).
    pub fn event_severity(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "eventSeverity"])
    }
    pub fn event_sources_node(&self) -> Option<&'a Node> {
        self.0.get(&["spec", "eventSources"])
    }
    pub fn event_sources(&self) -> Vec<EventSource<'a>> {
        let items = self
            .event_sources_node()
            .and_then(Node::as_seq)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        items
            .iter()
            .map(|node| {
                let name_node = node.get("name").unwrap_or(node);
                EventSource {
                    kind: node.str_at(&["kind"]).unwrap_or("").to_string(),
                    name: name_node.scalar_string().unwrap_or_default(),
                    namespace: default_ns(node.str_at(&["namespace"]), self.0.namespace()),
                    node,
                    name_node,
                }
            })
            .collect()
    }
}

pub fn alerts(env: &Environment) -> Vec<Alert<'_>> {
    objects(env, NOTIFICATION_GROUP, &["Alert"])
        .into_iter()
        .map(Alert)
        .collect()
}

/// The Provider a reference names.
pub fn find_provider<'a>(env: &'a Environment, name: &str, namespace: &str) -> Option<Obj<'a>> {
    objects(env, NOTIFICATION_GROUP, &["Provider"])
        .into_iter()
        .find(|p| p.is_named(name, namespace))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn node(text: &str) -> Node {
        parse_stream(text, FileId(0), SetBy::Resource)
            .ok()
            .and_then(|d| d.into_iter().next())
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(crate::yaml::Origin::none()))
    }

    fn effective(text: &str) -> Option<(RefKind, String)> {
        let env = Environment {
            name: "dev".into(),
            aliases: vec![],
            cluster_dir: "/x".into(),
            cluster_display: "clusters/dev".into(),
            units: vec![],
            objects: vec![Applied {
                resource: Resource::new(node(text), crate::source::Span::NONE),
                unit: 0,
            }],
            failures: vec![],
        };
        let s = Source(Obj {
            env: &env,
            applied: &env.objects[0],
        });
        s.effective().map(|e| (e.kind, e.value))
    }

    #[test]
    fn refs_follow_flux_precedence_and_defaults() {
        let git =
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: a}\n";
        assert_eq!(
            effective(&format!("{git}spec: {{ref: {{branch: main, tag: v1}}}}")),
            Some((RefKind::Tag, "v1".into()))
        );
        assert_eq!(
            effective(&format!("{git}spec: {{ref: {{name: refs/heads/main}}}}")),
            Some((RefKind::Branch, "main".into()))
        );
        assert_eq!(
            effective(&format!("{git}spec: {{url: x}}")),
            Some((RefKind::Branch, "master".into()))
        );
        assert_eq!(
            effective(&format!(
                "{git}spec: {{ref: {{semver: '>=1', commit: abc}}}}"
            )),
            Some((RefKind::Commit, "abc".into()))
        );
        let bucket = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: a}\n";
        assert_eq!(effective(bucket), None);
    }
}
