//! What kustomize does to every resource on its way out, beyond the transformers.
//!
//! At the end of a build kustomize rewrites `metadata.annotations` through a `map[string]string`
//! (dropping the field when it has no entries, and turning every value into the text it was written
//! with: `1.0` → `"1.0"`, `0x10` → `"0x10"`, `~` → `"~"`), then marshals the resource to JSON (which
//! refuses `.inf` and `.nan`) and prints it with go-yaml, whose reader refuses some characters.

use std::sync::Arc;

use super::node::{Map, Node, Value};
use super::scalar::{go_json_float, parse_timestamp, resolve_plain};
use crate::source::{SourceMap, Span};

/// A value kustomize cannot print, and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub message: String,
    pub span: Span,
}

/// Applies kustomize's output rewriting to one resource.
pub fn finish_resource(node: &mut Node, sources: &SourceMap) -> Result<(), Refusal> {
    if let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) {
        stringify_annotations(md, sources);
    }
    check_printable(node)
}

fn stringify_annotations(md: &mut Map, sources: &SourceMap) {
    let empty = match md.get("annotations").map(|n| &n.value) {
        None => return,
        Some(Value::Map(m)) => m.is_empty(),
        Some(Value::Null) => true,
        // kustomize panics on other shapes; leave them for the error it would not give
        Some(_) => return,
    };
    if empty {
        md.remove("annotations");
        return;
    }
    let Some(Value::Map(m)) = md.get_mut("annotations").map(|n| &mut n.value) else {
        return;
    };
    for e in &mut m.entries {
        if let Some(text) = annotation_text(&e.value, sources) {
            e.value.value = Value::Str(text);
        }
    }
}

/// The string kustomize keeps for an annotation (or label) value read as a Go string: what the YAML
/// node held as text. `None` for a string that stays as it is.
pub fn annotation_text(v: &Node, sources: &SourceMap) -> Option<String> {
    match &v.value {
        Value::Str(s) => {
            let raw = written(v.span(), sources)?;
            if let Some(rest) = raw
                .strip_prefix("!!binary")
                .or_else(|| raw.strip_prefix("!<tag:yaml.org,2002:binary>"))
            {
                return Some(rest.trim().to_string());
            }
            // a timestamp is carried as RFC 3339, but the annotation keeps what was written
            let raw = strip_properties(&raw);
            (parse_timestamp(raw).as_deref() == Some(s.as_str())).then(|| raw.to_string())
        }
        Value::Seq(_) | Value::Map(_) => Some(String::new()),
        other => {
            if let Some(raw) = written(v.span(), sources) {
                let raw = strip_properties(&raw);
                if same(&resolve_plain(raw), other) {
                    return Some(raw.to_string());
                }
            }
            v.scalar_string()
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) if x.is_nan() && y.is_nan() => true,
        _ => Node::new(a.clone(), super::Origin::none())
            .same_value(&Node::new(b.clone(), super::Origin::none())),
    }
}

fn written(span: Span, sources: &SourceMap) -> Option<String> {
    if span.is_none() {
        return None;
    }
    let f = sources.get(span.file)?;
    let text: &Arc<str> = &f.text;
    text.get(span.start as usize..span.end as usize)
        .map(str::to_string)
}

/// Drops a leading tag and anchor (`!!int &a 5` → `5`).
fn strip_properties(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if s.starts_with('!') || s.starts_with('&') {
            match s.find([' ', '\t', '\n']) {
                Some(i) => s = &s[i..],
                None => return "",
            }
        } else {
            return s.trim_end();
        }
    }
}

/// Items of a `…List` reach kustomize through JSON: their annotations hold JSON's text.
pub fn jsonify_annotations(node: &mut Node) {
    let Some(m) = node
        .get_mut("metadata")
        .and_then(|md| md.get_mut("annotations"))
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for e in &mut m.entries {
        let text = match &e.value.value {
            Value::Str(_) => continue,
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => go_json_float(*f),
            Value::Seq(_) | Value::Map(_) => String::new(),
        };
        e.value.value = Value::Str(text);
    }
}

/// Characters go-yaml writes but will not read back, so that kustomize fails on them.
fn unreadable(c: char) -> bool {
    matches!(c, '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

fn check_str(s: &str, span: Span) -> Result<(), Refusal> {
    // every key and string of every resource passes here: in ASCII text only DEL is unreadable,
    // and a byte search finds it faster than decoding each character
    if s.is_ascii() && !s.as_bytes().contains(&0x7f) {
        return Ok(());
    }
    if let Some(c) = s.chars().find(|c| unreadable(*c)) {
        return Err(Refusal {
            message: format!(
                "control characters are not allowed: kustomize cannot print {:?} (U+{:04X})",
                s, c as u32
            ),
            span,
        });
    }
    Ok(())
}

/// JSON has no infinity or NaN, and some characters do not survive kustomize's printing.
fn check_printable(node: &Node) -> Result<(), Refusal> {
    match &node.value {
        Value::Float(f) if !f.is_finite() => Err(Refusal {
            message: format!(
                "{} cannot be converted to JSON (json: unsupported value)",
                super::emit::format_float(*f)
            ),
            span: node.span(),
        }),
        Value::Str(s) => check_str(s, node.span()),
        Value::Seq(items) => items.iter().try_for_each(check_printable),
        Value::Map(m) => m.entries.iter().try_for_each(|e| {
            check_str(&e.key, e.key_span)?;
            check_printable(&e.value)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};
    use std::path::Path;

    fn finish(text: &str) -> Result<Node, Refusal> {
        let sources = SourceMap::new();
        let file = sources.add("r.yaml".into(), Path::new("r.yaml"), Arc::from(text));
        let mut n = parse_stream(text, file, SetBy::Resource)
            .expect("parses")
            .remove(0)
            .root;
        finish_resource(&mut n, &sources).map(|_| n)
    }

    #[test]
    fn annotations_keep_their_written_text() {
        let n = finish(
            "metadata:\n  annotations:\n    a: 0x10\n    b: 1.0\n    c: ~\n    d:\n    e: &x 07\n    f: *x\n    j: 2024-01-02\n    g: !!binary aGk=\n    h: true\n    i: {x: 1}\n  labels:\n    l: 1\n",
        )
        .expect("ok");
        let get = |k: &str| {
            n.get_path(&["metadata", "annotations", k])
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        for (k, want) in [
            ("a", "0x10"),
            ("b", "1.0"),
            ("c", "~"),
            ("d", ""),
            ("e", "07"),
            ("f", "07"),
            ("g", "aGk="),
            ("h", "true"),
            ("i", ""),
            ("j", "2024-01-02"),
        ] {
            assert_eq!(get(k).as_deref(), Some(want), "{k}");
        }
        assert_eq!(
            n.get_path(&["metadata", "labels", "l"])
                .and_then(Node::as_i64),
            Some(1)
        );
    }

    #[test]
    fn empty_annotations_are_dropped() {
        for t in [
            "metadata:\n  annotations: {}\n  labels: {}\n",
            "metadata:\n  annotations:\n  labels: {}\n",
        ] {
            let n = finish(t).expect("ok");
            assert!(n.get_path(&["metadata", "annotations"]).is_none());
            assert!(n.get_path(&["metadata", "labels"]).is_some());
        }
    }

    #[test]
    fn refuses_what_kustomize_cannot_print() {
        assert!(finish("a: .inf\n").is_err());
        assert!(finish("a: [.nan]\n").is_err());
        assert!(finish("a: \"x\\x7f\"\n").is_err());
        assert!(finish("\"k\\u0080\": 1\n").is_err());
        assert!(finish("a: \"x\\x01\\u0085\\ufeff\"\n").is_ok());
        let _ = FileId(0);
    }
}
