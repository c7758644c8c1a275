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
