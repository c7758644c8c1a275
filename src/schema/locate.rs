//! From a JSON Schema error back to the YAML: the instance path walked down the node tree to the
//! node (and the key that holds it), and the subschema that judged it. Shared by the policy
//! schema and the `schema` rule.

use jsonschema::paths::LocationSegment;
use serde_json::Value as J;

use crate::source::Span;
use crate::yaml::{Node, Value};

/// A step of the instance path: a map key or a list index.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// The instance path of a validation error.
pub fn segments(e: &jsonschema::ValidationError) -> Vec<Seg> {
    e.instance_path()
        .iter()
        .map(|s| match s {
            LocationSegment::Property(p) => Seg::Key(p.to_string()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

/// The path as a policy path: `spec.template.spec.containers[0].image`.
pub fn dotted(segs: &[Seg]) -> String {
    let mut shown = String::new();
    for s in segs {
        match s {
            Seg::Key(k) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(k);
            }
            Seg::Index(i) => shown.push_str(&format!("[{i}]")),
        }
    }
    shown
}

/// The path as a JSON pointer: `/spec/template/spec/containers/0/image`.
pub fn pointer(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        out.push('/');
        match s {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// The node at an instance path (as deep as the path exists) and the span of the key that
/// holds it (`None` for list items and the root).
pub fn locate<'a>(doc: &'a Node, segs: &[Seg]) -> (&'a Node, Option<Span>) {
    let mut node = doc;
    let mut key_span = None;
    for s in segs {
        let next = match s {
            Seg::Key(k) => node.as_map().and_then(|m| m.entry(k)).map(|e| {
                key_span = Some(e.key_span);
                &e.value
            }),
            Seg::Index(i) => node.as_seq().and_then(|s| s.get(*i)).inspect(|_| {
                key_span = None;
            }),
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    (node, key_span)
}

/// Where to point for a node: the value when it is a scalar, its key when it is a block.
pub fn place(node: &Node, key_span: Option<Span>) -> Span {
    match (&node.value, key_span) {
        (Value::Map(_) | Value::Seq(_), Some(k)) => k,
        _ => node.span(),
    }
}

/// The subschema of `root` for an instance path, following local `$ref`s (`#/$defs/…` or
/// `#/definitions/…`) through `properties`, `additionalProperties` and `items`.
pub fn schema_at<'a>(root: &'a J, segs: &[Seg]) -> Option<&'a J> {
    let mut s = deref(root, root);
    for seg in segs {
        s = match seg {
            Seg::Key(k) => s
                .get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))?,
            Seg::Index(_) => s.get("items")?,
        };
        s = deref(root, s);
    }
    Some(s)
}

/// A schema with its local `$ref` followed (a few levels deep).
pub fn deref<'a>(root: &'a J, mut s: &'a J) -> &'a J {
    for _ in 0..8 {
        let Some(r) = s.get("$ref").and_then(J::as_str) else {
            break;
        };
        let target = r
            .strip_prefix("#/$defs/")
            .and_then(|n| root.get("$defs")?.get(n))
            .or_else(|| {
                r.strip_prefix("#/definitions/")
                    .and_then(|n| root.get("definitions")?.get(n))
            });
        match target {
            Some(t) => s = t,
            None => break,
        }
    }
    s
}

/// A JSON Schema type, as said in a message.
pub fn json_type(t: &str) -> &str {
    match t {
        "object" => "a map",
        "array" => "a list",
        "string" => "a string",
        "number" => "a number",
        "integer" => "a whole number",
        "boolean" => "true or false",
        "null" => "null",
        other => other,
    }
}

/// The type(s) a subschema expects, as said in a message.
pub fn expected_type(s: Option<&J>) -> String {
    match s.and_then(|s| s.get("type")) {
        Some(J::String(t)) => json_type(t).to_string(),
        Some(J::Array(ts)) => ts
            .iter()
            .filter_map(J::as_str)
            .map(json_type)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "another type".into(),
    }
}

/// What a node is, as said in a message.
pub fn a_type(n: &Node) -> &'static str {
    match n.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a map",
    }
}

/// A scalar as written in a message (strings quoted).
pub fn shown_value(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => format!("\"{s}\""),
        _ => n.scalar_string().unwrap_or_else(|| a_type(n).to_string()),
    }
}
