//! kustomize turns a YAML JSON-patch document into JSON with `sigs.k8s.io/yaml`, which reads YAML
//! 1.1: the plain scalars `yes`, `no`, `on`, `off`, `y`, `n` (in their capitalizations) are booleans,
//! as values and as map keys. Our parser reads YAML 1.2, so those plain scalars come out as strings;
//! this pass finds them by their source text (a quoted scalar's span includes its quotes) and
//! converts them, keeping spans.

use crate::source::{SourceMap, Span};
use crate::yaml::{Node, Value};

pub use crate::yaml::scalar::yaml11_bool;

/// The source text of a span, when it is known.
fn text_of(sources: &SourceMap, span: Span) -> Option<String> {
    if span.is_none() {
        return None;
    }
    let f = sources.get(span.file)?;
    f.text
        .get(span.start as usize..span.end as usize)
        .map(str::to_string)
}

/// Whether `n`, a string, was written as this plain word in its source.
fn plain_bool(sources: &SourceMap, s: &str, span: Span) -> Option<bool> {
    let b = yaml11_bool(s)?;
    (text_of(sources, span)?.trim_end() == s).then_some(b)
}

/// Converts the plain YAML 1.1 booleans of a patch document, in place.
pub fn convert(n: &mut Node, sources: &SourceMap) {
    match &mut n.value {
        Value::Str(s) => {
            if let Some(b) = plain_bool(sources, s, n.origin.span) {
                n.value = Value::Bool(b);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| convert(i, sources)),
        Value::Map(m) => {
            for e in &mut m.entries {
                if let Some(b) = plain_bool(sources, &e.key, e.key_span) {
                    e.key = b.to_string();
                }
                convert(&mut e.value, sources);
            }
        }
        _ => {}
    }
}

/// A boolean option as sigs.k8s.io/yaml reads it (`true`, or a plain `yes`/`on`/…).
pub fn option_bool(n: &Node, sources: &SourceMap) -> Option<bool> {
    match &n.value {
        Value::Bool(b) => Some(*b),
        Value::Str(s) => plain_bool(sources, s, n.span()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;
    use crate::yaml::{SetBy, parse_stream};
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn converts_plain_words_only() {
        let text = "- {a: on, b: \"on\", c: 'yes', d: Off, e: onion, y: 1}\n- [n, NO, \"no\"]\n";
        let sources = SourceMap::new();
        let id = sources.add("p.yaml".into(), Path::new("p.yaml"), Arc::from(text));
        let mut docs = parse_stream(text, id, SetBy::Patch).expect("parses");
        let mut root = docs.remove(0).root;
        convert(&mut root, &sources);
        let j = root.to_json().to_string();
        assert_eq!(
            j,
            r#"[{"a":true,"b":"on","c":"yes","d":false,"e":"onion","true":1},[false,false,"no"]]"#
        );
    }
}
