//! JSON Schemas from CustomResourceDefinitions (`apiextensions.k8s.io/v1`): each served
//! version's `openAPIV3Schema` made into a strict draft-7 schema as the API server reads it —
//! objects with properties closed unless they preserve unknown fields, `nullable`,
//! int-or-string, int32 bounds, embedded resources, and `metadata` as ObjectMeta.

use std::sync::Arc;

use serde_json::{Map, Value as J, json};

use super::{Compiled, Judge, bundle, compile_cached};
use crate::yaml::Node;

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// One version of a CRD: what it judges and its schema (`None`: it does not compile).
pub struct CrdVersion {
    /// `group/version/Kind`.
    pub key: String,
    pub judge: Judge,
    pub compiled: Option<Arc<Compiled>>,
    /// How many of its `x-kubernetes-validations` rules fluxlint cannot evaluate (transition
    /// rules, `oldSelf`).
    pub rules: usize,
}

/// A key of a map node.
fn field<'a>(n: Option<&'a Node>, k: &str) -> Option<&'a Node> {
    n.and_then(Node::as_map).and_then(|m| m.get(k))
}

/// A string field of a map node.
fn text(n: Option<&Node>, k: &str) -> Option<String> {
    field(n, k).and_then(Node::as_str).map(String::from)
}

/// The versions a CustomResourceDefinition object serves, with schemas.
pub fn versions(crd: &Node) -> Vec<CrdVersion> {
    let spec = field(Some(crd), "spec");
    let (Some(group), Some(kind), Some(list)) = (
        text(spec, "group"),
        text(field(spec, "names"), "kind"),
        field(spec, "versions").and_then(Node::as_seq),
    ) else {
        return Vec::new();
    };
    let name = text(field(Some(crd), "metadata"), "name").unwrap_or_default();
    let mut out = Vec::new();
    for v in list {
        let Some(vname) = text(Some(v), "name") else {
            continue;
        };
        if field(Some(v), "served").and_then(Node::as_bool) == Some(false) {
            continue;
        }
        let Some(schema) = field(field(Some(v), "schema"), "openAPIV3Schema") else {
            continue;
        };
        let mut rules = 0;
        let root = convert_root(&schema.to_json(), &mut rules);
        out.push(CrdVersion {
            key: format!("{group}/{vname}/{kind}"),
            judge: Judge::Crd {
                name: name.clone(),
                version: vname,
                span: crd.span(),
            },
            compiled: compile_cached(root),
            rules,
        });
    }
    out
}

/// The schema of a whole custom resource.
pub fn convert_root(schema: &J, rules: &mut usize) -> J {
    let mut root = convert(schema, false, rules);
    if let Some(o) = root.as_object_mut() {
        let props = o
            .entry("properties")
            .or_insert_with(|| J::Object(Map::new()));
        if let Some(p) = props.as_object_mut() {
            p.insert(
                "metadata".into(),
                json!({"$ref": format!("#/definitions/{OBJECT_META}")}),
            );
            p.entry("apiVersion").or_insert(json!({"type": "string"}));
            p.entry("kind").or_insert(json!({"type": "string"}));
        }
        o.insert(
            "definitions".into(),
            J::Object(bundle().definitions_from(OBJECT_META)),
        );
    }
    root
}

/// One schema node; `junctor`: inside allOf/anyOf/oneOf/not, where properties only add
/// constraints to the main schema's and must not close the object.
fn convert(v: &J, junctor: bool, rules: &mut usize) -> J {
    let J::Object(src) = v else {
        return v.clone();
    };
    let mut o = Map::new();
    let preserve = src
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(J::as_bool)
        == Some(true);
    let embedded = src
        .get("x-kubernetes-embedded-resource")
        .and_then(J::as_bool)
        == Some(true);
    let int_or_string = src.get("x-kubernetes-int-or-string").and_then(J::as_bool) == Some(true);
    let nullable = src.get("nullable").and_then(J::as_bool) == Some(true);
    if let Some(J::Array(r)) = src.get(super::cel::KEYWORD) {
        // transition rules need the object as it is in the cluster
        *rules += r
            .iter()
            .filter(|x| {
                x.get("rule")
                    .and_then(J::as_str)
                    .is_some_and(|t| !super::cel::evaluable(t))
            })
            .count();
    }
    for (k, val) in src {
        match k.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let J::Object(m) = val {
                    o.insert(
                        k.clone(),
                        J::Object(
                            m.iter()
                                .map(|(n, s)| (n.clone(), convert(s, junctor, rules)))
                                .collect(),
                        ),
                    );
                }
            }
            "items" | "additionalProperties" | "additionalItems" => {
                let c = match val {
                    J::Array(a) => J::Array(a.iter().map(|s| convert(s, junctor, rules)).collect()),
                    J::Object(_) => convert(val, junctor, rules),
                    other => other.clone(),
                };
                o.insert(k.clone(), c);
            }
            "allOf" | "anyOf" | "oneOf" => {
                if let J::Array(a) = val {
                    o.insert(
                        k.clone(),
                        J::Array(a.iter().map(|s| convert(s, true, rules)).collect()),
                    );
                }
            }
            "not" => {
                o.insert(k.clone(), convert(val, true, rules));
            }
            "type" | "enum" | "required" | "pattern" | "minimum" | "maximum" | "minLength"
            | "maxLength" | "minItems" | "maxItems" | "uniqueItems" | "multipleOf"
            | "minProperties" | "maxProperties" => {
                o.insert(k.clone(), val.clone());
            }
            "exclusiveMinimum" | "exclusiveMaximum" => {
                // OpenAPI v3.0 (draft 4): a flag on minimum/maximum
                if val.as_bool() == Some(true) {
                    let base = if k == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if let Some(limit) = src.get(base) {
                        o.insert(k.clone(), limit.clone());
                    }
                } else if val.is_number() {
                    o.insert(k.clone(), val.clone());
                }
            }
            super::cel::KEYWORD => {
                o.insert(k.clone(), val.clone());
            }
            "format" if val.as_str() == Some("int32") => {
                o.entry("minimum").or_insert(json!(i32::MIN));
                o.entry("maximum").or_insert(json!(i32::MAX));
            }
            // descriptions, defaults, examples, CEL rules, list and map types: not judged here
            _ => {}
        }
    }
    if let Some(J::Bool(true)) = src.get("exclusiveMinimum") {
        o.remove("minimum");
    }
    if let Some(J::Bool(true)) = src.get("exclusiveMaximum") {
        o.remove("maximum");
    }
    if int_or_string {
        o.insert("type".into(), json!(["integer", "string"]));
    }
    if nullable && let Some(t) = o.get("type").cloned() {
        let mut types: Vec<J> = match t {
            J::Array(a) => a,
            other => vec![other],
        };
        types.push(json!("null"));
        o.insert("type".into(), J::Array(types));
    }
    if embedded && let Some(J::Object(p)) = o.get_mut("properties") {
        p.entry("apiVersion").or_insert(json!({"type": "string"}));
        p.entry("kind").or_insert(json!({"type": "string"}));
        p.entry("metadata").or_insert(json!({"type": "object"}));
    }
    if !junctor
        && !preserve
        && o.contains_key("properties")
        && !o.contains_key("additionalProperties")
    {
        o.insert("additionalProperties".into(), J::Bool(false));
    }
    J::Object(o)
}
