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
    for i in 0..resmap.resources.len() {
        let r = &mut resmap.resources[i];
        r.remember_id();
        set_namespace(r, &ns, &origin, &ctx.config.namespace)?;
        check_conflict(resmap, i, span)?;
    }
    Ok(())
}

/// Applies the namespace to one resource.
pub fn set_namespace(r: &mut Resource, ns: &str, origin: &Origin, specs: &[FieldSpec]) -> Result<()> {
    let gvk = r.gvk();
    let api_version = r.api_version().to_string();
    let is_binding = is_role_binding(&gvk.kind);
    if !gvk.is_cluster_scoped() {
        r.set_metadata_str("namespace", ns, origin.clone());
    }
    if is_binding {
        set_default_subjects(&mut r.node, ns, origin);
    }
    let mut set = |n: &mut Node| -> Result<()> {
        set_str(n, ns, origin);
        Ok(())
    };
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

/// Subjects named `default` (the default service account, by kustomize's reckoning) follow the
/// namespace; other subjects keep theirs, and name references may move ServiceAccount subjects later.
fn set_default_subjects(node: &mut Node, ns: &str, origin: &Origin) {
    let Some(subjects) = node.get_mut("subjects").and_then(Node::as_seq_mut) else {
        return;
    };
    for s in subjects {
        let Some(m) = s.as_map_mut() else {
            continue;
        };
        if m.get("name").and_then(Node::as_str) != Some("default") {
            continue;
        }
        match m.get_mut("namespace") {
            Some(n) => set_str(n, ns, origin),
            None => m.insert("namespace", origin.span, Node::str(ns, origin.clone())),
        }
    }
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
        .with_note("one resource", resmap.resources[i].doc_span)
        .with_note("the other resource", other.doc_span)
        .with_help("two resources that differed only by namespace become the same object")),
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
        set_namespace(&mut r, "prod", &o, &cfg.namespace).unwrap_or_default();
        r
    }

    #[test]
    fn namespaced_and_cluster_scoped() {
        let r = run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n");
        assert_eq!(r.namespace(), "prod");
        let r = run("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: a\n");
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
        let subjects = r.node.get("subjects").and_then(Node::as_seq).cloned().unwrap_or_default();
        assert_eq!(subjects[0].str_at(&["namespace"]), Some("prod"));
        assert_eq!(subjects[1].str_at(&["namespace"]), Some("old"));
    }
}
