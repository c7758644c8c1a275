//! Workloads, the way the rules about pods see an environment: bare Pods, Deployments,
//! StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs with their pod templates, containers and init
//! containers, how many pods they run, and the HorizontalPodAutoscaler that scales them.
//!
//! Every accessor hands back the rendered [`Node`], so a rule can point at the place where a value
//! was last set.

mod env;
mod pod;
mod quantity;

use crate::diagnostic::Diagnostic;
use crate::kustomize::resource::Resource;
use crate::yaml::Node;

use super::{Applied, Environment};

pub use env::EnvValue;
pub use pod::{Defaults, container_value, pod_total, split_key};
pub use quantity::{Quantity, format_quantity};

/// Kinds that run pods, and where their pod spec lives.
const KINDS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

/// A workload applied into an environment.
pub struct Workload<'a> {
    pub applied: &'a Applied,
    pub kind: &'a str,
    /// Effective namespace (`default` when unset).
    pub namespace: &'a str,
    pub name: &'a str,
    /// `spec.template.spec` (or the CronJob's); `None` when the manifest has none.
    pub pod_spec: Option<&'a Node>,
}

/// How many pods a workload runs, and the node that says so (`None`: the field is not set).
#[derive(Clone, Copy)]
pub struct Replicas<'a> {
    /// `None` when the field holds something that is not a whole number.
    pub count: Option<i64>,
    pub node: Option<&'a Node>,
}

/// A container or init container of a pod spec.
pub struct Container<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    pub init: bool,
    /// An init container with `restartPolicy: Always`: it runs beside the app containers.
    pub sidecar: bool,
}

/// Every workload of an environment, in render order.
pub fn workloads(env: &Environment) -> Vec<Workload<'_>> {
    env.objects.iter().filter_map(workload).collect()
}

/// The workload an applied object is, if it is one.
pub fn workload(a: &Applied) -> Option<Workload<'_>> {
    let r = &a.resource;
    let kind = r.kind();
    let (kind, path) = KINDS.iter().find(|(k, _)| *k == kind)?;
    Some(Workload {
        applied: a,
        kind,
        namespace: effective_namespace(r),
        name: r.name(),
        pod_spec: r.node.get_path(path),
    })
}

/// The workload with this kind, namespace and name in an environment (to compare environments).
pub fn find<'a>(
    env: &'a Environment,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Option<Workload<'a>> {
    env.lookup(kind, namespace, name)
        .filter_map(workload)
        .find(|w| w.kind == kind && w.namespace == namespace && w.name == name)
}

/// The same workload in another environment: same kind, namespace and name; else the one that
/// was the same before this kustomization's or Flux's renames (a per-environment `namespace`,
/// `namePrefix`, `targetNamespace`); else the only one of that kind and name.
pub fn counterpart<'a>(other: &'a Environment, w: &Workload) -> Option<Workload<'a>> {
    if let Some(x) = find(other, w.kind, w.namespace, w.name) {
        return Some(x);
    }
    let same_kind = || {
        other
            .objects
            .iter()
            .filter_map(workload)
            .filter(|x| x.kind == w.kind)
    };
    let org = w.resource().original_id();
    let by_origin: Vec<Workload> = same_kind()
        .filter(|x| {
            let o = x.resource().original_id();
            o.name == org.name && o.effective_namespace() == org.effective_namespace()
        })
        .collect();
    let by_name: Vec<Workload> = same_kind().filter(|x| x.name == w.name).collect();
    [by_origin, by_name]
        .into_iter()
        .find(|v| v.len() == 1)
        .and_then(|mut v| v.pop())
}

/// `metadata.namespace`, or `default`.
pub fn effective_namespace(r: &Resource) -> &str {
    match r.namespace() {
        "" => "default",
        ns => ns,
    }
}

/// `metadata.name` of an object (where a finding about a missing field points).
pub fn name_node(r: &Resource) -> Option<&Node> {
    r.node.get_path(&["metadata", "name"])
}

impl<'a> Workload<'a> {
    pub fn resource(&self) -> &'a Resource {
        &self.applied.resource
    }

    /// The replica count: `spec.replicas` (Deployment, StatefulSet, ReplicaSet, …), `parallelism`
    /// (Job, CronJob); missing counts as 1. A DaemonSet runs one pod per node: counted as 1.
    pub fn replicas(&self) -> Replicas<'a> {
        let r = self.resource();
        let node = match self.kind {
            "DaemonSet" | "Pod" => None,
            "Job" => r.node.get_path(&["spec", "parallelism"]),
            "CronJob" => r
                .node
                .get_path(&["spec", "jobTemplate", "spec", "parallelism"]),
            _ => r.node.get_path(&["spec", "replicas"]),
        }
        .filter(|n| !n.is_null());
        Replicas {
            count: match node {
                None => Some(1),
                Some(n) => whole_number(n),
            },
            node,
        }
    }

    /// Whether the kind has a `spec.replicas` field a team sets.
    pub fn has_replicas_field(&self) -> bool {
        matches!(
            self.kind,
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
        )
    }

    /// App containers, then init containers.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let Some(spec) = self.pod_spec else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (field, init) in [("containers", false), ("initContainers", true)] {
            for c in spec.get(field).and_then(Node::as_seq).into_iter().flatten() {
                let sidecar =
                    init && c.get("restartPolicy").and_then(Node::as_str) == Some("Always");
                out.push(Container {
                    node: c,
                    name: c.get("name").and_then(Node::as_str).unwrap_or(""),
                    init,
                    sidecar,
                });
            }
        }
        out
    }

    /// The HorizontalPodAutoscaler in the same environment and namespace whose `scaleTargetRef`
    /// names this workload.
    pub fn hpa(&self, env: &'a Environment) -> Option<&'a Applied> {
        env.hpa_for(self.kind, self.namespace, self.name)
    }

    /// `Kind "name"` for messages.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind, self.name)
    }
}

impl<'a> Container<'a> {
    /// The `name` node (where findings about a missing field point), else the container itself.
    pub fn name_node(&self) -> &'a Node {
        self.node.get("name").unwrap_or(self.node)
    }

    /// `resources.limits.<resource>`, when set.
    pub fn limit(&self, resource: &str) -> Option<&'a Node> {
        set(self.node.get_path(&["resources", "limits", resource]))
    }

    /// `resources.requests.<resource>`, when set.
    pub fn request(&self, resource: &str) -> Option<&'a Node> {
        set(self.node.get_path(&["resources", "requests", resource]))
    }

    /// `container "name"` or `init container "name"`, for messages.
    pub fn describe(&self) -> String {
        let what = if self.init {
            "init container"
        } else {
            "container"
        };
        format!("{what} \"{}\"", self.name)
    }
}

fn set(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| !n.is_null())
}

/// An integer, or a string holding one (`"3"`).
pub fn whole_number(n: &Node) -> Option<i64> {
    n.as_i64()
        .or_else(|| n.as_str().and_then(|s| s.trim().parse().ok()))
}

/// A scalar as text, for messages.
pub fn text(n: &Node) -> String {
    n.scalar_string()
        .unwrap_or_else(|| format!("a {}", n.type_name()))
}

/// Adds the "applied by" note: the Flux Kustomization whose `spec.path` brought the object in.
pub fn note_applied_by(d: Diagnostic, env: &Environment, a: &Applied) -> Diagnostic {
    match env.applied_by(a) {
        Some(k) => d.note(
            super::path_span(&k.resource),
            format!(
                "applied to {} by Flux Kustomization \"{}\"",
                env.name,
                k.resource.name()
            ),
        ),
        None => d,
    }
}

/// The entry of an environment-keyed map (`byEnvironment: {dev: …, "prod*": …}`) that names this
/// environment: its name or an alias, keys are globs; the first match wins.
pub fn for_environment<'n>(map: Option<&'n Node>, env: &Environment) -> Option<&'n Node> {
    let m = map?.as_map()?;
    m.iter()
        .find(|(k, _)| env.policy_names().any(|n| crate::policy::glob_match(k, n)))
        .map(|(_, v)| v)
}

/// Does a list of environment names/globs include this environment?
pub fn names_environment(list: &[String], env: &Environment) -> bool {
    list.iter()
        .any(|g| env.policy_names().any(|n| crate::policy::glob_match(g, n)))
}

/// A list of strings (a policy parameter); `None` when unset or not a list.
pub fn string_list(n: Option<&Node>) -> Option<Vec<String>> {
    Some(
        n?.as_seq()?
            .iter()
            .filter_map(Node::scalar_string)
            .collect(),
    )
}

/// Is a workload one the policy looks at: its `match:` (kinds, name, namespace and label globs)
/// and `params.kinds` select it, its namespace is not under `params.excludeNamespaces` (Flux's own controllers in
/// `flux-system` carry neither the team's limits nor its variables), and it is not part of Flux
/// itself (`app.kubernetes.io/part-of: flux`, as `flux bootstrap` labels its components).
pub fn in_scope(policy: &crate::policy::Policy, w: &Workload) -> bool {
    use crate::policy::glob_match;
    let r = w.resource();
    let label = |k: &str| r.label(k);
    let s = &policy.select;
    let any =
        |globs: &[String], v: &str| globs.is_empty() || globs.iter().any(|g| glob_match(g, v));
    let kinds = string_list(policy.param("kinds")).unwrap_or_default();
    let excluded = string_list(policy.param("excludeNamespaces"))
        .unwrap_or_else(|| vec!["flux-system".into(), "kube-system".into()]);
    any(&s.kinds, w.kind)
        && any(&kinds, w.kind)
        && any(&s.names, w.name)
        && any(&s.namespaces, w.namespace)
        && s.labels
            .iter()
            .all(|(k, g)| label(k).is_some_and(|v| glob_match(g, &v)))
        && !excluded.iter().any(|g| glob_match(g, w.namespace))
        && label("app.kubernetes.io/part-of").as_deref() != Some("flux")
}

/// Whose software a workload runs: the team's own application, or third-party software the
/// repository deploys (controllers, operators, vendored manifests). Rules about how the team
/// runs its apps (`env-vars`, `replicas`, `resources`) look at its own apps by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    OwnApp,
    ThirdParty,
}

/// Words of a path or name that mark a layer of third-party software: `infrastructure/`,
/// `infra-controllers`, `crds`, `kube-system`, `vendor/`.
const THIRD_PARTY_WORDS: &[&str] = &[
    "infrastructure",
    "infra",
    "controllers",
    "crds",
    "operators",
    "operator",
    "platform",
    "system",
    "vendor",
    "vendored",
    "thirdparty",
];

/// Does a path or a name (split into words on anything not a letter or digit) carry a word that
/// marks third-party software (`third-party` counts as one word)?
fn third_party_words(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower.contains("third-party") || lower.contains("third_party") {
        return true;
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| THIRD_PARTY_WORDS.contains(&w))
}

impl Workload<'_> {
    /// Is this one of the team's own apps or third-party software? Third party, by these signals
    /// (each seen on the real repositories fluxlint is measured on):
    /// - it was read from another repository (a `--source` mapping);
    /// - the directory of the file that defines it, the Flux Kustomization's `spec.path` or its
    ///   name (not the one that syncs the cluster directory, `flux-system`) has a word
    ///   `infrastructure`, `infra`, `controllers`, `crds`, `operator(s)`, `platform`, `system`,
    ///   `vendor` or `third-party` (`infrastructure/base/cert-manager`, `infra-controllers`,
    ///   `apps/kube-system/cilium`, `platform/kafka/kafdrop`);
    /// - its file is `helm template` output (`# Source: <chart>/templates/…` headers);
    /// - its namespace has the word `system` (`kube-system`, `flux-system`, `cert-manager-system`);
    /// - it carries the labels of a rendered Helm chart (`app.kubernetes.io/managed-by: Helm`,
    ///   `helm.sh/chart`): a chart's output vendored into git;
    /// - it is part of Flux (`app.kubernetes.io/part-of: flux`).
    ///
    /// Workloads that a HelmRelease installs are not rendered at all, and remote resources are
    /// not checked: neither reaches a rule.
    pub fn ownership(&self, env: &Environment, sources: &crate::source::SourceMap) -> Ownership {
        let unit = env.unit_of(self.applied);
        let r = self.resource();
        let label = |k: &str| r.label(k);
        let file = sources.get(r.doc_span.file);
        let file_dir = file
            .as_ref()
            .map(|f| match f.display.rsplit_once('/') {
                Some((dir, _)) => dir.to_string(),
                None => String::new(),
            })
            .unwrap_or_default();
        // `helm template` output committed to git: `# Source: <chart>/templates/<file>` headers
        let helm_output = file.as_ref().is_some_and(|f| {
            f.text.lines().any(|l| {
                l.strip_prefix("# Source: ")
                    .is_some_and(|p| p.contains("/templates/"))
            })
        });
        let third = unit.mapped.is_some()
            || helm_output
            || third_party_words(&file_dir)
            || (unit.object.is_some()
                && unit.object != env.root
                && (third_party_words(&unit.path) || third_party_words(&unit.name)))
            || self.namespace.split('-').any(|w| w == "system")
            || label("app.kubernetes.io/managed-by")
                .is_some_and(|v| v.eq_ignore_ascii_case("helm"))
            || label("helm.sh/chart").is_some()
            || label("app.kubernetes.io/part-of").as_deref() == Some("flux");
        if third {
            Ownership::ThirdParty
        } else {
            Ownership::OwnApp
        }
    }
}

/// Does the policy look at this workload: [`in_scope`], and, unless its `params.scope` is `all`,
/// one of the team's own apps (`scope: own-apps`, the default; see [`Workload::ownership`])?
pub fn in_policy_scope(ctx: &crate::rules::Ctx, env: &Environment, w: &Workload) -> bool {
    in_scope(ctx.policy, w)
        && (ctx.policy.param("scope").and_then(Node::as_str) == Some("all")
            || w.ownership(env, &ctx.repo.sources) == Ownership::OwnApp)
}

#[cfg(test)]
mod ownership_tests {
    use super::third_party_words;

    #[test]
    fn third_party_layers_by_word() {
        for s in [
            "infrastructure/base/cert-manager",
            "./infra-controllers",
            "kubernetes/apps/kube-system/cilium",
            "vendor/charts",
            "third-party/redis",
            "crds",
            "kubernetes/platform/kafka/kafdrop/base",
            "core/istio-operator",
        ] {
            assert!(third_party_words(s), "{s}");
        }
        for s in [
            "apps/base/web",
            "./apps/overlays/production",
            "kubernetes/apps/base/game-servers",
            "systemd-exporter",
        ] {
            assert!(!third_party_words(s), "{s}");
        }
    }
}
