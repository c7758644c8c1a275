use super::*;
use crate::source::{FileId, Span};
use crate::yaml::{SetBy, parse_stream};

fn resmap(text: &str) -> ResMap {
    let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
    ResMap {
        resources: docs
            .into_iter()
            .map(|d| Resource::new(d.root, Span::NONE))
            .collect(),
        ..ResMap::default()
    }
}

fn rename(r: &mut Resource, name: &str) {
    r.remember_id();
    r.set_metadata_str("name", name, Origin::none());
}

#[test]
fn follows_renamed_config_map() {
    let mut m = resmap(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        envFrom:\n        - configMapRef:\n            name: cfg\n        - configMapRef:\n            name: other\n",
    );
    rename(&mut m.resources[0], "cfg-abc");
    fix(&mut m, &TransformerConfig::defaults()).unwrap_or_default();
    let mut out = Vec::new();
    crate::kustomize::fieldspec::visit(
        &m.resources[1].node,
        &FieldSpec::split_path("spec/template/spec/containers/envFrom/configMapRef/name"),
        &mut out,
    );
    let names: Vec<&str> = out.iter().filter_map(|n| n.as_str()).collect();
    assert_eq!(names, ["cfg-abc", "other"]);
    assert_eq!(m.resources[0].refs_by.len(), 1);
}

#[test]
fn never_renamed_resources_are_not_targets() {
    let mut m = resmap(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccountName: sa\n",
    );
    fix(&mut m, &TransformerConfig::defaults()).unwrap_or_default();
    assert!(m.resources[0].refs_by.is_empty());
}

#[test]
fn builtin_field_specs_parse() {
    let cfg = TransformerConfig::defaults();
    assert_eq!(cfg.name_reference.len(), 16);
    let secret = cfg.name_reference.iter().find(|r| r.kind == "Secret");
    // Ingress spec/tls/secretName is listed twice, as in kustomize
    assert_eq!(secret.map(|r| r.fields.len()), Some(70));
    assert_eq!(cfg.var_reference.len(), 72);
    assert_eq!(cfg.namespace.len(), 3);
    assert_eq!(cfg.name_prefix.len(), 1);
}

#[test]
fn updated_reference_takes_the_renamer_origin() {
    let mut m = resmap(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: web\n",
    );
    let old = m.resources[1]
        .node
        .get_path(&["spec", "serviceName"])
        .map(|n| n.origin.clone());
    let prefix = Span::new(FileId::NONE, 100, 104);
    m.resources[0].remember_id();
    m.resources[0].set_metadata_str("name", "pre-web", Origin::new(prefix, SetBy::Transformer));
    fix(&mut m, &TransformerConfig::defaults()).unwrap_or_default();
    let r = m.resources[1].node.get_path(&["spec", "serviceName"]);
    assert_eq!(r.and_then(Node::as_str), Some("pre-web"));
    let origin = r.map(|n| n.origin.clone()).unwrap_or_else(Origin::none);
    assert_eq!((origin.span, origin.by), (prefix, SetBy::Transformer));
    assert_eq!(origin.prev.as_deref().cloned(), old);
}

#[test]
fn subjects_follow_service_account_namespace() {
    let mut m = resmap(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: ci\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: ci\n",
    );
    m.resources[0].remember_id();
    m.resources[0].set_metadata_str("namespace", "prod", Origin::none());
    fix(&mut m, &TransformerConfig::defaults()).unwrap_or_default();
    let subject = m.resources[1]
        .node
        .get("subjects")
        .and_then(Node::as_seq)
        .and_then(|s| s.first());
    assert_eq!(subject.and_then(|s| s.str_at(&["name"])), Some("sa"));
    assert_eq!(subject.and_then(|s| s.str_at(&["namespace"])), Some("prod"));
}

#[test]
fn missing_subject_name_is_an_error() {
    let mut m = resmap(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nsubjects:\n- kind: ServiceAccount\n  namespace: x\n",
    );
    m.resources[0].remember_id();
    let e = fix(&mut m, &TransformerConfig::defaults()).err();
    assert!(e.is_some_and(|e| e.message.contains("no 'name' field")));
}
