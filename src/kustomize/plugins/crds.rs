//! `crds:` — field specs read from OpenAPI definitions.
//!
//! kustomize's `crds:` files are not CustomResourceDefinition manifests but OpenAPI definition maps
//! (`{"<go package>.<Kind>": {"Schema": {...}}}`, as openapi-gen writes them). For each definition
//! that looks like a Kubernetes type (has `apiVersion`, `kind` and `metadata` properties), the
//! properties, followed through `$ref`s, add field specs for the kind (the last dot-separated part
//! of the definition name): `x-kubernetes-object-ref-api-version` + `-kind` add a name reference
//! (at `<property>/<x-kubernetes-object-ref-name-key or "name">`), `x-kubernetes-label-selector` a
//! commonLabels spec, `x-kubernetes-annotation` a commonAnnotations spec and
//! `x-kubernetes-identity` a namePrefix spec.

use crate::error::{Error, Result};
use crate::yaml::{Map, Node, Value};

use super::super::fieldspec::{FieldSpec, NameRef, TransformerConfig};
use super::super::labels::values;

pub fn config_from_crd(doc: &Node) -> Result<TransformerConfig> {
    let mut cfg = TransformerConfig::default();
    if doc.is_null() {
        return Ok(cfg);
    }
    let Some(defs) = doc.as_map() else {
        return Err(not_definitions(doc));
    };
    for e in &defs.entries {
        if e.value.is_null() {
            continue;
        }
        if e.value.as_map().is_none() {
            return Err(not_definitions(&e.value));
        }
        let Some(props) = properties(&e.value) else {
            continue;
        };
        if !["kind", "apiVersion", "metadata"]
            .iter()
            .all(|k| props.contains_key(k))
        {
            continue;
        }
        if e.key.split('.').count() < 3 {
            return Err(Error::at(
                "crds",
                e.key_span,
                "`api` should be specified in dot notation: group.version.kind",
            )
            .with_help("name the definition `<group or package>.<version>.<Kind>`"));
        }
        let kind = e.key.rsplit('.').next().unwrap_or_default();
        let mut seen = Vec::new();
        load_type(&mut cfg, kind, defs, &e.key, &[], &mut seen);
    }
    Ok(cfg)
}

fn not_definitions(n: &Node) -> Error {
    Error::at(
        "crds",
        n.span(),
        format!(
            "unable to parse open API definition: expected a map of definitions, found a {}",
            n.type_name()
        ),
    )
    .with_label("not an OpenAPI definition")
    .with_help("`crds:` takes OpenAPI definition files (`{\"<package>.<Kind>\": {\"Schema\": ...}}`), not CustomResourceDefinition manifests; list CRD manifests under `resources:`")
}

fn properties(def: &Node) -> Option<&Map> {
    values::get(def, "Schema")?.get("properties")?.as_map()
}

/// Case-insensitive extension lookup (go-openapi lower-cases extension keys); only strings count.
fn ext<'a>(prop: &'a Node, key: &str) -> Option<&'a str> {
    let m = prop.as_map()?;
    m.entries
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .and_then(|e| e.value.as_str())
}

fn load_type(
    cfg: &mut TransformerConfig,
    kind: &str,
    defs: &Map,
    type_name: &str,
    path: &[String],
    seen: &mut Vec<String>,
) {
    // a recursive type would loop forever in kustomize; stop at the first repeat instead
    if seen.iter().any(|s| s == type_name) {
        return;
    }
    let Some(props) = defs.get(type_name).and_then(properties) else {
        return;
    };
    seen.push(type_name.to_string());
    for e in &props.entries {
        let prop = &e.value;
        let mut here = path.to_vec();
        here.push(e.key.clone());
        let spec = |p: &[String]| FieldSpec::new("", "", kind, &p.join("/"), false);
        if ext(prop, "x-kubernetes-annotation").is_some() {
            push(&mut cfg.common_annotations, spec(&here));
        }
        if ext(prop, "x-kubernetes-label-selector").is_some() {
            push(&mut cfg.common_labels, spec(&here));
        }
        if ext(prop, "x-kubernetes-identity").is_some() {
            push(&mut cfg.name_prefix, spec(&here));
        }
        if let (Some(version), Some(ref_kind)) = (
            ext(prop, "x-kubernetes-object-ref-api-version"),
            ext(prop, "x-kubernetes-object-ref-kind"),
        ) {
            let key = ext(prop, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut p = here.clone();
            p.push(key.to_string());
            let fs = spec(&p);
            match cfg
                .name_reference
                .iter_mut()
                .find(|r| r.group.is_empty() && r.version == version && r.kind == ref_kind)
            {
                Some(r) => push(&mut r.fields, fs),
                None => cfg.name_reference.push(NameRef {
                    group: String::new(),
                    version: version.to_string(),
                    kind: ref_kind.to_string(),
                    fields: vec![fs],
                }),
            }
        }
        if let Some(Value::Str(r)) = prop.get("$ref").map(|n| &n.value) {
            load_type(cfg, kind, defs, r, &here, seen);
        }
    }
    seen.pop();
}

fn push(list: &mut Vec<FieldSpec>, fs: FieldSpec) {
    if !list.contains(&fs) {
        list.push(fs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    #[test]
    fn object_refs_and_selectors() {
        let text = r#"{
  "x.io/v1.MyKind": {"Schema": {"properties": {
    "apiVersion": {}, "kind": {}, "metadata": {},
    "spec": {"$ref": "x.io/v1.MyKindSpec"}}}},
  "x.io/v1.MyKindSpec": {"Schema": {"properties": {
    "secretRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "Secret"},
    "cm": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "ConfigMap",
           "x-kubernetes-object-ref-name-key": "cmName"},
    "selector": {"x-kubernetes-label-selector": ""}}}}
}"#;
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        let cfg = config_from_crd(&docs[0].root).unwrap_or_default();
        let secret = cfg.name_reference.iter().find(|r| r.kind == "Secret");
        assert_eq!(
            secret.map(|r| r.fields[0].path.join("/")),
            Some("spec/secretRef/name".to_string())
        );
        let cm = cfg.name_reference.iter().find(|r| r.kind == "ConfigMap");
        assert_eq!(
            cm.map(|r| r.fields[0].path.join("/")),
            Some("spec/cm/cmName".to_string())
        );
        assert_eq!(cfg.common_labels[0].kind, "MyKind");
    }
}
