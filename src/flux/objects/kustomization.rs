//! Flux Kustomizations: their source, path, prune, dependencies and kubeConfig.

use crate::flux::Environment;
use crate::yaml::Node;

use super::{KUSTOMIZE_GROUP, Obj, default_ns, objects};

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
    /// The entry's `namespace` node, when it sets one.
    pub namespace_node: Option<&'a Node>,
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
        depends_on(self.0)
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

/// `spec.dependsOn` of a Flux Kustomization or HelmRelease (each entry names an object of the
/// same kind), namespaces defaulted to the dependent's.
pub fn depends_on(o: Obj<'_>) -> Vec<DependsOn<'_>> {
    let items = o
        .get(&["spec", "dependsOn"])
        .and_then(Node::as_seq)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    items
        .iter()
        .filter_map(|item| {
            let node = item.get("name").unwrap_or(item);
            Some(DependsOn {
                name: node.scalar_string().filter(|n| !n.is_empty())?,
                namespace: default_ns(item.str_at(&["namespace"]), o.namespace()),
                node,
                namespace_node: item.get("namespace").filter(|n| !n.is_null()),
            })
        })
        .collect()
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
