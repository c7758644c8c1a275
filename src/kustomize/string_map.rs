//! kustomize reads labels and annotations as Go `map[string]string` (kyaml's `GetLabels` /
//! `GetAnnotations` take each value node's text) and writes them back with `SetLabels` /
//! `SetAnnotations` as string nodes. Wherever it does that round trip, `version: 1` becomes
//! `version: "1"`, `tier: null` becomes `tier: "null"` (the scalar as written: `~` stays `"~"`), a
//! nested map or list becomes `""`, and an empty (or null) map disappears.

use crate::yaml::{Map, Node, Value};

use super::loader::Loader;
use super::resource::ResMap;

/// The text yaml.v3 keeps for a scalar: as written in the source when we have it.
pub fn scalar_text(loader: &Loader, n: &Node) -> String {
    match &n.value {
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
        _ => written(loader, n).unwrap_or_else(|| n.scalar_string().unwrap_or_default()),
    }
}

/// The source text of a plain scalar, if its span holds one that reads as the node's value.
fn written(loader: &Loader, n: &Node) -> Option<String> {
    let span = n.span();
    if span.is_none() {
        return None;
    }
    let file = loader.sources.get(span.file)?;
    let text = file
        .text
        .get(span.start as usize..span.end as usize)?
        .trim();
    let plausible = match &n.value {
        Value::Null => matches!(text, "" | "~" | "null" | "Null" | "NULL"),
        Value::Bool(b) => text.eq_ignore_ascii_case(&b.to_string()),
        Value::Int(_) | Value::Float(_) => {
            !text.is_empty()
                && !text.contains(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | ','))
                && text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    };
    plausible.then(|| text.to_string())
}

/// Rewrites `metadata.<field>` as kustomize's get-then-set of a string map does.
pub fn round_trip(loader: &Loader, metadata: &mut Map, field: &str) {
    let empty = match metadata.get_mut(field) {
        None => return,
        Some(n) if n.is_null() => true,
        Some(n) => {
            stringify(loader, n, true);
            n.as_map().is_some_and(Map::is_empty)
        }
    };
    if empty {
        metadata.remove(field);
    }
}

/// Makes every value of the map `n` a string. `null_text`: a null keeps its text (`GetLabels`);
/// else it becomes "" (`GetDataMap`, whose `GetValue` maps nulls to "").
fn stringify(loader: &Loader, n: &mut Node, null_text: bool) {
    let Some(m) = n.as_map_mut() else {
        return;
    };
    for e in &mut m.entries {
        let text = match e.value.value {
            Value::Str(_) => continue,
            Value::Null if !null_text => String::new(),
            _ => scalar_text(loader, &e.value),
        };
        e.value.value = Value::Str(text);
    }
}

/// A generated ConfigMap or Secret that merged into or replaced an existing one: kustomize set its
/// labels and annotations (and with `merge` its data) from Go string maps.
pub fn stringify_merged(loader: &Loader, node: &mut Node, data: bool) {
    if let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) {
        round_trip(loader, md, "labels");
        round_trip(loader, md, "annotations");
    }
    if data {
        for field in ["data", "binaryData"] {
            if let Some(n) = node.get_mut(field) {
                stringify(loader, n, false);
            }
        }
    }
}

/// The end of every build: kustomize strips its internal annotations with `GetAnnotations` /
/// `SetAnnotations` (`RemoveOriginAnnotations` runs on every resource), so every annotation value
/// prints as a string and an empty `annotations:` disappears.
pub fn finish_annotations(loader: &Loader, resmap: &mut ResMap) {
    for r in &mut resmap.resources {
        if let Some(md) = r.node.get_mut("metadata").and_then(Node::as_map_mut) {
            round_trip(loader, md, "annotations");
        }
    }
}
