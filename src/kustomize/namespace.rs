//! `namespace:` — kustomize's NamespaceTransformer.
//!
//! kustomize sets `metadata.namespace` itself on every namespaced resource (field specs naming that
//! path are ignored, so a cluster-scoped kind can never get one), gives every RoleBinding /
//! ClusterRoleBinding subject *named* `default` the namespace (its "defaultOnly" subject mode,
//! whatever the subject's kind), then applies the remaining `namespace` field specs. A
//! `metadata/name` field spec (the built-in one renames `v1` Namespace objects to the new
//! namespace) only applies to resources whose apiVersion is `v1`.

pub mod scope;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::fieldspec::{FieldSpec, walk};
use super::resource::{ResMap, Resource};

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let Some((ns, span)) = ctx.k.string("namespace")? else {
        return Ok(());
    };
    if ns.is_empty() {
        return Ok(());
    }
    let origin = Origin::new(span, SetBy::Transformer);
    let opts = Options::default();
    transform(resmap, &ns, &origin, &ctx.config.namespace, opts)
}

/// Which RoleBinding/ClusterRoleBinding subjects get the namespace (`setRoleBindingSubjects` of the
/// NamespaceTransformer plugin; the `namespace:` field uses `DefaultOnly`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Subjects {
    /// Subjects named `default`, whatever their kind.
    #[default]
    DefaultOnly,
    /// Every subject of kind ServiceAccount.
    AllServiceAccounts,
    None,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub subjects: Subjects,
    /// Only fill namespaces that are missing or empty (the plugin's `unsetOnly`).
    pub unset_only: bool,
}

/// The NamespaceTransformer over a whole resource map (also the entry point for its plugin form).
pub fn transform(
    resmap: &mut ResMap,
    ns: &str,
    origin: &Origin,
    specs: &[FieldSpec],
    opts: Options,
) -> Result<()> {
    for i in 0..resmap.resources.len() {
        let r = &mut resmap.resources[i];
        r.remember_id();
        set_namespace(r, ns, origin, specs, opts)?;
        check_conflict(resmap, i, origin.span)?;
    }
    Ok(())
}

/// Applies the namespace to one resource.
pub fn set_namespace(
    r: &mut Resource,
    ns: &str,
    origin: &Origin,
    specs: &[FieldSpec],
    opts: Options,
) -> Result<()> {
    let gvk = r.gvk();
    let api_version = r.api_version().to_string();
    let is_binding = is_role_binding(&gvk.kind);
    let mut set = |n: &mut Node| -> Result<()> {
        if !opts.unset_only || n.is_null() || n.as_str() == Some("") {
            set_str(n, ns, origin);
        }
        Ok(())
    };
    if !gvk.is_cluster_scoped() {
        let meta = ["metadata".to_string(), "namespace".to_string()];
        walk(&mut r.node, &meta, true, origin, &mut set)?;
    }
    if is_binding {
        set_subjects(&mut r.node, opts.subjects, origin, &mut set)?;
    }
    for fs in specs {
        let path: Vec<&str> = fs.path.iter().map(String::as_str).collect();
        let skip = path == ["metadata", "namespace"]
            || (path == ["metadata", "name"] && api_version != "v1")
            || (is_binding && is_role_binding(&fs.kind) && path == ["subjects"]);
        if skip || !fs.applies_to(&gvk) {
            continue;
        }
        walk(&mut r.node, &fs.path, fs.create, origin, &mut set)?;
    }
    Ok(())
}

fn is_role_binding(kind: &str) -> bool {
    matches!(kind, "RoleBinding" | "ClusterRoleBinding")
}

/// In the default mode only subjects named `default` (the default service account, by kustomize's
/// reckoning) follow the namespace; name references may move ServiceAccount subjects later.
fn set_subjects(
    node: &mut Node,
    mode: Subjects,
    origin: &Origin,
    set: &mut dyn FnMut(&mut Node) -> Result<()>,
) -> Result<()> {
    let Some(subjects) = node.get_mut("subjects").and_then(Node::as_seq_mut) else {
        return Ok(());
    };
    for s in subjects {
        let picked = match mode {
            Subjects::DefaultOnly => s.get("name").and_then(Node::as_str) == Some("default"),
            Subjects::AllServiceAccounts => {
                s.get("kind").and_then(Node::as_str) == Some("ServiceAccount")
            }
            Subjects::None => false,
        };
        if picked && s.as_map().is_some() {
            let path = ["namespace".to_string()];
            walk(s, &path, true, origin, set)?;
        }
    }
    Ok(())
}

/// Replaces a node with a string, recording what it overrode.
pub fn set_str(node: &mut Node, value: &str, origin: &Origin) {
    let o = if node.is_null() {
        origin.clone()
    } else {
        origin.clone().overriding(&node.origin)
    };
    *node = Node::new(Value::Str(value.to_string()), o);
}

/// kustomize refuses a namespace that makes two resources the same object.
fn check_conflict(resmap: &ResMap, i: usize, span: Span) -> Result<()> {
    let id = resmap.resources[i].id();
    let clash = resmap.resources.iter().enumerate().find(|(j, o)| {
        let oid = o.id();
        *j != i
            && oid.gvk == id.gvk
            && oid.name == id.name
            && oid.effective_namespace() == id.effective_namespace()
    });
    match clash {
        None => Ok(()),
        Some((_, other)) => Err(Error::at(
            "namespace-conflict",
            span,
            format!("namespace transformation produces ID conflict: {id}"),
        )
        .with_label("sets the namespace")
        .with_note("this resource", resmap.resources[i].doc_span)
        .with_note("becomes the same object as this one", other.doc_span)
        .with_help(
            "after the namespace is set, no two resources may share kind, name and namespace",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::source::FileId;
    use crate::yaml::parse_stream;

    fn res(text: &str) -> Resource {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        let d = docs.into_iter().next().map(|d| d.root);
        Resource::new(d.unwrap_or_else(|| Node::null(Origin::none())), Span::NONE)
    }

    fn run(text: &str) -> Resource {
        let mut r = res(text);
        let cfg = TransformerConfig::defaults();
        let o = Origin::new(Span::NONE, SetBy::Transformer);
        set_namespace(&mut r, "prod", &o, &cfg.namespace, Options::default()).unwrap_or_default();
        r
    }

    #[test]
    fn namespaced_and_cluster_scoped() {
        let r = run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n");
        assert_eq!(r.namespace(), "prod");
        let r = run(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: a\n",
        );
        assert_eq!(r.namespace(), "");
        let r = run("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
        assert_eq!((r.name(), r.namespace()), ("prod", ""));
        let r = run("apiVersion: example.com/v1\nkind: Namespace\nmetadata:\n  name: a\n");
        assert_eq!((r.name(), r.namespace()), ("a", "prod"));
    }

    #[test]
    fn default_subjects_only() {
        let r = run(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nsubjects:\n- kind: ServiceAccount\n  name: default\n- kind: ServiceAccount\n  name: app\n  namespace: old\n",
        );
        assert_eq!(r.node.str_at(&["subjects"]), None);
        let subjects = r
            .node
            .get("subjects")
            .and_then(Node::as_seq)
            .cloned()
            .unwrap_or_default();
        assert_eq!(subjects[0].str_at(&["namespace"]), Some("prod"));
        assert_eq!(subjects[1].str_at(&["namespace"]), Some("old"));
    }
}
