//! kustomize reads labels and annotations as Go `map[string]string` (kyaml's `GetLabels` /
//! `GetAnnotations` take each value node's text) and writes them back with `SetLabels` /
//! `SetAnnotations` as string nodes. Wherever it does that round trip, `version: 1` becomes
//! `version: "1"`, `tier: null` becomes `tier: "null"` (the scalar as written: `~` stays `"~"`), a
//! nested map or list becomes `""`, and an empty (or null) map disappears.

use crate::yaml::{Map, Node, Value};

use super::loader::Loader;

/// The text yaml.v3 keeps for a scalar: as written in the source when we have it.
pub fn scalar_text(loader: &Loader, n: &Node) -> String {
    crate::yaml::kubectl::annotation_text(n, &loader.sources)
        .or_else(|| n.as_str().map(str::to_string))
        .unwrap_or_default()
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
