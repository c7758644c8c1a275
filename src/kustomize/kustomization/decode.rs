//! Decoding a kustomization's top level as kustomize does (YAML into JSON into a Go struct):
//! field names match case-insensitively and several spellings of one field fold together.

use crate::error::Error;
use crate::source::Span;
use crate::yaml::{Entry, Node, Value};

use super::KNOWN_FIELDS;

/// Folds top-level keys that differ only in case into one entry under the field's own spelling,
/// as Go decodes them into one struct field: maps and structs merge (later keys win), anything
/// else is replaced by the later value. Unknown keys stay as they are (for the error).
pub fn fold_keys(mut root: Node) -> Node {
    let Some(m) = root.as_map_mut() else {
        return root;
    };
    let mut out: Vec<Entry> = Vec::with_capacity(m.entries.len());
    for mut e in std::mem::take(&mut m.entries) {
        let Some(name) = canonical(&e.key) else {
            out.push(e);
            continue;
        };
        e.key = name.to_string();
        match out.iter_mut().find(|x| x.key == name) {
            Some(prev) => {
                let old = std::mem::replace(&mut prev.value, Node::null(e.value.origin.clone()));
                prev.value = merge_go(old, e.value);
                prev.key_span = e.key_span;
            }
            None => out.push(e),
        }
    }
    m.entries = out;
    root
}

/// What Go's encoding/json leaves after decoding `new` over `old`.
fn merge_go(old: Node, new: Node) -> Node {
    match (old.value, new.value) {
        (Value::Map(mut a), Value::Map(b)) => {
            for e in b.entries {
                match a.entries.iter_mut().find(|x| x.key == e.key) {
                    Some(x) => {
                        let prev =
                            std::mem::replace(&mut x.value, Node::null(e.value.origin.clone()));
                        x.value = merge_go(prev, e.value);
                    }
                    None => a.entries.push(e),
                }
            }
            Node::new(Value::Map(a), new.origin)
        }
        (_, v) => Node::new(v, new.origin),
    }
}

/// The known field a key names (case-insensitively).
pub fn canonical(key: &str) -> Option<&'static str> {
    KNOWN_FIELDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key))
        .copied()
}

/// Plain scalars YAML 1.1 reads as booleans.
pub fn is_yaml11_bool(s: &str) -> bool {
    crate::yaml::scalar::yaml11_bool(s).is_some()
}

pub fn unknown_field(key: &str, span: Span, what: &str, known: &[&str]) -> Error {
    let hint = known
        .iter()
        .map(|k| {
            (
                strsim_distance(&k.to_ascii_lowercase(), &key.to_ascii_lowercase()),
                k,
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| format!("did you mean `{k}`?"))
        .unwrap_or_else(|| "remove it; kustomize refuses unknown fields".to_string());
    Error::at(
        "unknown-field",
        span,
        format!("unknown field \"{key}\" in {what}"),
    )
    .with_label("not a kustomization field")
    .with_help(hint)
}

/// Levenshtein distance (for "did you mean").
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn root(text: &str) -> Node {
        let docs = parse_stream(text, FileId::NONE, SetBy::Transformer).unwrap_or_default();
        docs.into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(crate::yaml::Origin::none()))
    }

    #[test]
    fn folds_spellings_like_go() {
        let r = fold_keys(root(
            "commonLabels: {a: b, c: d}\ncommonlabels: {c: e}\nIMAGES: [x]\nimages: [y]\nbogus: 1\n",
        ));
        assert_eq!(r.str_at(&["commonLabels", "a"]), Some("b"));
        assert_eq!(r.str_at(&["commonLabels", "c"]), Some("e"));
        assert_eq!(
            r.get("images").and_then(Node::as_seq).map(Vec::len),
            Some(1)
        );
        assert!(r.get("bogus").is_some());
    }

    #[test]
    fn suggests_close_fields() {
        assert_eq!(canonical("NAMEPREFIX"), Some("namePrefix"));
        assert_eq!(canonical("nameReference"), None);
        assert_eq!(strsim_distance("commonlabel", "commonlabels"), 1);
    }
}
