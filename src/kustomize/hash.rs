//! Content-hash name suffixes for generated ConfigMaps and Secrets.
//!
//! kustomize appends the hash once, at the end of the top-level build, so the hash covers every
//! patch and merge applied on the way up, and prefixes/suffixes sit before it (`pre-cfg-s-<hash>`).

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::yaml::{Node, Value};

use super::resource::ResMap;

/// Renames every generated resource that asks for it to `name-<hash>`.
pub fn add_hashes(resmap: &mut ResMap) -> Result<()> {
    for r in &mut resmap.resources {
        if !r.generated.as_ref().is_some_and(|g| g.hash) {
            continue;
        }
        let suffix = content_hash(&r.node);
        r.remember_id();
        let name = format!("{}-{}", r.name(), suffix);
        // the name keeps its origin: the suffix is derived, the name was set by generator/prefixes
        if let Some(n) = r.node.get_path_mut(&["metadata", "name"]) {
            n.value = Value::Str(name);
        }
    }
    Ok(())
}

/// The 10-character suffix kustomize computes for a resource.
pub fn content_hash(node: &Node) -> String {
    let kind = node.str_at(&["kind"]).unwrap_or("");
    let mut out = String::new();
    match kind {
        "ConfigMap" => {
            let mut fields = vec![
                ("data", field_value(node, "data")),
                ("kind", Encoded::Str("ConfigMap")),
                // kustomize looks the name up under a key that never exists, so it is always ""
                ("name", Encoded::Str("")),
            ];
            if let Some(b) = node.get("binaryData").filter(|b| b.as_map().is_some()) {
                fields.insert(0, ("binaryData", Encoded::Node(b)));
            }
            encode_object(&fields, &mut out);
        }
        "Secret" => {
            let mut fields = vec![
                ("data", field_value(node, "data")),
                ("kind", Encoded::Str("Secret")),
                ("name", Encoded::Str("")),
            ];
            if let Some(s) = node.get("stringData").filter(|s| s.as_map().is_some()) {
                fields.push(("stringData", Encoded::Node(s)));
            }
            fields.push(("type", field_value(node, "type")));
            encode_object(&fields, &mut out);
        }
        _ => encode_node(node, &mut out),
    }
    suffix_of(out.as_bytes())
}

fn suffix_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

enum Encoded<'a> {
    Str(&'a str),
    Owned(String),
    Node(&'a Node),
}

/// A top-level field as kustomize's hasher reads it: missing → `""`, scalar → its text, else JSON.
fn field_value<'a>(node: &'a Node, key: &str) -> Encoded<'a> {
    match node.get(key) {
        None => Encoded::Str(""),
        Some(n) => match &n.value {
            Value::Map(_) | Value::Seq(_) => Encoded::Node(n),
            Value::Null => Encoded::Str(""),
            _ => Encoded::Owned(n.scalar_string().unwrap_or_default()),
        },
    }
}

/// `fields` must be sorted by key, as Go's encoding/json sorts map keys.
fn encode_object(fields: &[(&str, Encoded)], out: &mut String) {
    out.push('{');
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_str(k, out);
        out.push(':');
        match v {
            Encoded::Str(s) => encode_str(s, out),
            Encoded::Owned(s) => encode_str(s, out),
            Encoded::Node(n) => encode_node(n, out),
        }
    }
    out.push('}');
}

/// JSON the way Go's encoding/json writes a decoded `interface{}`: sorted keys, no spaces,
/// numbers as float64.
fn encode_node(node: &Node, out: &mut String) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => encode_float(*i as f64, out),
        Value::Float(f) => encode_float(*f, out),
        Value::Str(s) => encode_str(s, out),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode_node(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let mut entries: Vec<(&str, &Node)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode_str(k, out);
                out.push(':');
                encode_node(v, out);
            }
            out.push('}');
        }
    }
}

fn encode_float(f: f64, out: &mut String) {
    if !f.is_finite() {
        out.push_str("null");
    } else if f.fract() == 0.0 && f.abs() < 1e21 {
        out.push_str(&format!("{f:.0}"));
    } else if f.abs() >= 1e-6 && f.abs() < 1e21 {
        out.push_str(&format!("{f}"));
    } else {
        // Go: exponent form with at least two exponent digits, e.g. 1e-07, 1e+21
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let digits = if digits.len() < 2 {
            format!("0{digits}")
        } else {
            digits.to_string()
        };
        out.push_str(&format!("{mant}e{sign}{digits}"));
    }
}

fn encode_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Map, Origin};

    fn s(v: &str) -> Node {
        Node::str(v, Origin::none())
    }

    fn map(pairs: &[(&str, Node)]) -> Node {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert(*k, crate::source::Span::NONE, v.clone());
        }
        Node::new(Value::Map(m), Origin::none())
    }

    fn cm(data: Option<Node>) -> Node {
        let mut pairs = vec![
            ("apiVersion", s("v1")),
            ("kind", s("ConfigMap")),
            ("metadata", map(&[("name", s("cfg"))])),
        ];
        if let Some(d) = data {
            pairs.push(("data", d));
        }
        map(&pairs)
    }

    #[test]
    fn configmap_vectors() {
        assert_eq!(
            content_hash(&cm(Some(map(&[("foo", s("bar"))])))),
            "798k5k7g9f"
        );
        assert_eq!(content_hash(&cm(None)), "6ct58987ht");
    }

    #[test]
    fn secret_vector() {
        let n = map(&[
            ("apiVersion", s("v1")),
            ("kind", s("Secret")),
            ("metadata", map(&[("name", s("s"))])),
            ("type", s("Opaque")),
            ("data", map(&[("foo", s("YmFy"))])),
        ]);
        assert_eq!(content_hash(&n), "572hm7m64f");
    }

    #[test]
    fn escaping_matches_go() {
        // vectors from `kubectl kustomize` (v5.5.0) on literals `a=<value>`
        let cases = [
            ("<b>&", "988gf96f87"),
            ("\u{2028}", "d4797728th"),
            ("\"\\é😀", "bfd27bbh92"),
            ("\u{8}", "btg76k55hc"),
            ("\u{feff}", "68kkccbgm4"),
            ("\r", "f2g49k87h2"),
            ("x\ty\nz", "t7h48c48fg"),
            ("\u{1}", "2tg979hmfh"),
        ];
        for (v, want) in cases {
            assert_eq!(content_hash(&cm(Some(map(&[("a", s(v))])))), want, "{v:?}");
        }
    }

    #[test]
    fn binary_data_and_empty_secret() {
        // `files: [bin.dat]` holding 00 01 ff fe, plus other keys — see fixtures gen-binary
        let n = map(&[
            ("kind", s("Secret")),
            ("metadata", map(&[("name", s("empty"))])),
            ("type", s("Opaque")),
            ("data", map(&[])),
        ]);
        assert_eq!(content_hash(&n), "46f8b28mk5");
    }
}
