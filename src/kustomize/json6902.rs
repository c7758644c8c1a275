//! JSON 6902 patches, applied to node trees the way kustomize v5.5 applies them (evanphx/json-patch
//! v5 with its default options), which is looser than the RFC:
//! - `replace` of a missing map key adds it;
//! - negative indices count from the end (`/args/-1` is the last item; for `add`, `-1` appends);
//! - the first segment of a path is ignored, so `spec/replicas` means `/replicas`;
//! - `test` of a missing key passes when the expected value is null.
//!
//! Operations are read lazily, as kustomize does: a malformed operation only fails when applied.
//! Values set by an operation carry the spans of the patch's `value` node; moved and copied values
//! keep their own origins and remember the operation that put them there.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

const CODE: &str = "json-patch";

/// Applies the operations of a JSON patch document (a list of `{op, path, value, from}` maps).
pub fn apply(target: &mut Node, ops: &Node) -> Result<()> {
    let Some(items) = ops.as_seq() else {
        return Err(Error::at(
            CODE,
            ops.span(),
            format!(
                "a JSON patch must be a list of operations, found a {}",
                ops.type_name()
            ),
        ));
    };
    for op in items {
        apply_op(target, op)?;
    }
    Ok(())
}

/// A decoded JSON pointer: its text, its unescaped segments (the first one dropped), its node.
struct Pointer<'a> {
    raw: &'a str,
    parts: Vec<String>,
    node: &'a Node,
}

impl Pointer<'_> {
    fn parent(&self) -> &[String] {
        &self.parts[..self.parts.len() - 1]
    }
    fn key(&self) -> &str {
        &self.parts[self.parts.len() - 1]
    }
    fn span(&self) -> Span {
        self.node.span()
    }
    fn err(&self, msg: impl Into<String>) -> Error {
        Error::at(CODE, self.span(), msg.into()).with_label("this path")
    }
}

fn pointer<'a>(op: &'a Node, field: &str, opname: &str) -> Result<Pointer<'a>> {
    let Some(node) = op.get(field) else {
        return Err(Error::at(
            CODE,
            op.span(),
            format!("{opname} operation needs a \"{field}\""),
        ));
    };
    let Some(raw) = node.as_str() else {
        return Err(Error::at(
            CODE,
            node.span(),
            format!(
                "\"{field}\" must be a JSON pointer string, found a {}",
                node.type_name()
            ),
        ));
    };
    let split: Vec<&str> = raw.split('/').collect();
    if split.len() < 2 {
        return Err(Error::at(
            CODE,
            node.span(),
            format!("invalid JSON pointer \"{raw}\": it must start with \"/\""),
        )
        .with_label("this path")
        .with_help("JSON 6902 paths look like /spec/template/spec/containers/0/image"));
    }
    let parts = split[1..].iter().map(|s| unescape(s)).collect();
    Ok(Pointer { raw, parts, node })
}

/// `~1` → `/`, then `~0` → `~` (RFC 6901 order).
fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

fn apply_op(target: &mut Node, op: &Node) -> Result<()> {
    if op.as_map().is_none() {
        return Err(Error::at(
            CODE,
            op.span(),
            format!(
                "a JSON patch operation must be a map, found a {}",
                op.type_name()
            ),
        ));
    }
    let kind = op.get("op").and_then(Node::as_str).unwrap_or("");
    let op_origin = Origin::new(op.span(), SetBy::Patch);
    match kind {
        "add" => {
            let path = pointer(op, "path", kind)?;
            add(target, &path, value_of(op))
        }
        "remove" => {
            let path = pointer(op, "path", kind)?;
            remove(target, &path).map(|_| ())
        }
        "replace" => {
            let path = pointer(op, "path", kind)?;
            replace(target, &path, value_of(op))
        }
        "move" => {
            let from = pointer(op, "from", kind)?;
            let path = pointer(op, "path", kind)?;
            if path.raw.starts_with(&format!("{}/", from.raw)) {
                return Err(path
                    .err(format!(
                        "cannot move \"{}\" into its own child \"{}\"",
                        from.raw, path.raw
                    ))
                    .with_note("moved from here", from.span()));
            }
            let mut moved = remove(target, &from)?;
            remember(&mut moved, &op_origin);
            add(target, &path, moved)
        }
        "copy" => {
            let from = pointer(op, "from", kind)?;
            let path = pointer(op, "path", kind)?;
            let mut copied = match get(target, &from)? {
                Some(n) => n.clone(),
                None => {
                    return Err(from.err(format!(
                        "copy operation does not apply: \"{}\" does not exist",
                        from.raw
                    )));
                }
            };
            remember(&mut copied, &op_origin);
            add(target, &path, copied)
        }
        "test" => {
            let path = pointer(op, "path", kind)?;
            let expected = op.get("value");
            let actual = get(target, &path)?;
            let ok = match (actual, expected) {
                (None, None) => true,
                (None, Some(e)) => e.is_null(),
                (Some(a), None) => a.is_null(),
                (Some(a), Some(e)) => a.same_value(e),
            };
            if ok {
                return Ok(());
            }
            let found = match actual {
                Some(a) => format!("it is {}", short(a)),
                None => "it does not exist".to_string(),
            };
            let span = expected.map(Node::span).unwrap_or(op.span());
            Err(Error::at(
                CODE,
                span,
                format!(
                    "test operation failed: \"{}\" is not {}; {found}",
                    path.raw,
                    expected.map(short).unwrap_or_else(|| "null".into())
                ),
            )
            .with_label("expected value")
            .with_note("tested path", path.span()))
        }
        _ => {
            let span = op.get("op").map(Node::span).unwrap_or(op.span());
            let what = match op.get("op") {
                None => "a JSON patch operation needs an \"op\"".to_string(),
                Some(_) => format!("unknown JSON patch operation \"{kind}\""),
            };
            Err(Error::at(CODE, span, what)
                .with_help("use one of add, remove, replace, move, copy, test"))
        }
    }
}

/// The operation's value; a missing `value` is null, as in kustomize.
fn value_of(op: &Node) -> Node {
    match op.get("value") {
        Some(v) => v.clone(),
        None => Node::null(Origin::new(op.span(), SetBy::Patch)),
    }
}

/// A moved or copied value keeps its own origin and remembers the operation that moved it.
fn remember(n: &mut Node, op_origin: &Origin) {
    let chained = match &n.origin.prev {
        Some(p) => op_origin.clone().overriding(p),
        None => op_origin.clone(),
    };
    n.origin.prev = Some(Arc::new(chained));
}

/// A short rendering of a value for messages.
fn short(n: &Node) -> String {
    let s = n.to_json().to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// Walks to the container that holds the pointer's last segment.
fn container_mut<'n>(root: &'n mut Node, path: &Pointer) -> Result<&'n mut Node> {
    let mut cur = root;
    let parent = path.parent();
    for (i, part) in parent.iter().enumerate() {
        let here = || format!("/{}", escape_join(&parent[..=i]));
        let type_name = cur.type_name();
        cur = match &mut cur.value {
            Value::Map(m) => match m.get_mut(part) {
                Some(n) => n,
                None => {
                    return Err(path.err(format!(
                        "\"{}\" does not exist: no key \"{part}\" at \"{}\"",
                        path.raw,
                        here()
                    )));
                }
            },
            Value::Seq(items) => {
                let len = items.len();
                let Some(idx) = index(part, len) else {
                    return Err(path.err(format!(
                        "\"{}\" does not exist: index \"{part}\" is out of range at \"{}\" (the list has {})",
                        path.raw,
                        here(),
                        count(len)
                    )));
                };
                &mut items[idx]
            }
            _ => {
                return Err(path.err(format!(
                    "\"{}\" does not exist: \"{}\" is a {}, not a map or list",
                    path.raw,
                    here(),
                    type_name
                )));
            }
        };
    }
    Ok(cur)
}

fn escape_join(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| p.replace('~', "~0").replace('/', "~1"))
        .collect::<Vec<_>>()
        .join("/")
}

/// Go's `strconv.Atoi`, then negative indices from the end; `None` when out of range.
/// For `add`, `len` is the length after insertion.
fn index(part: &str, len: usize) -> Option<usize> {
    let i: i64 = part.parse().ok()?;
    let len = len as i64;
    let i = if i < 0 { i + len } else { i };
    (0..len).contains(&i).then_some(i as usize)
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 item".to_string()
    } else {
        format!("{n} items")
    }
}

fn not_container(path: &Pointer, n: &Node) -> Error {
    path.err(format!(
        "\"{}\" does not exist: its parent is a {}, not a map or list",
        path.raw,
        n.type_name()
    ))
}

fn add(root: &mut Node, path: &Pointer, val: Node) -> Result<()> {
    let con = container_mut(root, path)?;
    let key = path.key();
    match &mut con.value {
        Value::Map(m) => {
            let mut val = val;
            if let Some(old) = m.get(key) {
                val.origin = val.origin.clone().overriding(&old.origin);
            }
            m.insert(key, path.span(), val);
            Ok(())
        }
        Value::Seq(items) => {
            if key == "-" {
                items.push(val);
                return Ok(());
            }
            let Some(idx) = index(key, items.len() + 1) else {
                return Err(path.err(format!(
                    "cannot add at \"{}\": index \"{key}\" is out of range (the list has {})",
                    path.raw,
                    count(items.len())
                )));
            };
            items.insert(idx, val);
            Ok(())
        }
        _ => Err(not_container(path, con)),
    }
}

fn remove(root: &mut Node, path: &Pointer) -> Result<Node> {
    let con = container_mut(root, path)?;
    let key = path.key();
    match &mut con.value {
        Value::Map(m) => m.remove(key).ok_or_else(|| {
            path.err(format!(
                "cannot remove \"{}\": there is no key \"{key}\"",
                path.raw
            ))
        }),
        Value::Seq(items) => match index(key, items.len()) {
            Some(i) => Ok(items.remove(i)),
            None => Err(path.err(format!(
                "cannot remove \"{}\": index \"{key}\" is out of range (the list has {})",
                path.raw,
                count(items.len())
            ))),
        },
        _ => Err(not_container(path, con)),
    }
}

fn replace(root: &mut Node, path: &Pointer, mut val: Node) -> Result<()> {
    let con = container_mut(root, path)?;
    let key = path.key();
    match &mut con.value {
        Value::Map(m) => {
            // kustomize's json-patch adds a missing key instead of failing
            if let Some(old) = m.get(key) {
                val.origin = val.origin.clone().overriding(&old.origin);
            }
            m.insert(key, path.span(), val);
            Ok(())
        }
        Value::Seq(items) => match index(key, items.len()) {
            Some(i) => {
                val.origin = val.origin.clone().overriding(&items[i].origin);
                items[i] = val;
                Ok(())
            }
            None => Err(path.err(format!(
                "cannot replace \"{}\": index \"{key}\" is out of range (the list has {})",
                path.raw,
                count(items.len())
            ))),
        },
        _ => Err(not_container(path, con)),
    }
}

/// The value at `path`: `Ok(None)` for a missing map key (the container must exist).
fn get<'n>(root: &'n mut Node, path: &Pointer) -> Result<Option<&'n Node>> {
    let con = container_mut(root, path)?;
    let key = path.key();
    match &con.value {
        Value::Map(m) => Ok(m.get(key)),
        Value::Seq(items) => match index(key, items.len()) {
            Some(i) => Ok(Some(&items[i])),
            None => Err(path.err(format!(
                "\"{}\" does not exist: index \"{key}\" is out of range (the list has {})",
                path.raw,
                count(items.len())
            ))),
        },
        _ => Err(not_container(path, con)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::parse_stream;

    fn node(text: &str) -> Node {
        let mut d = parse_stream(text, FileId(0), SetBy::Resource).expect("parses");
        d.remove(0).root
    }

    fn run(doc: &str, ops: &str) -> Result<String> {
        let mut t = node(doc);
        apply(&mut t, &node(ops))?;
        Ok(t.to_json().to_string())
    }

    const DOC: &str = "a: {b: [1, 2, 3], c: x}\nd~e/f: 1\n";

    #[test]
    fn kustomize_quirks() {
        let ok = |ops: &str| run(DOC, ops).expect("applies");
        assert_eq!(
            ok("[{op: replace, path: /a/z, value: 1}]"),
            r#"{"a":{"b":[1,2,3],"c":"x","z":1},"d~e/f":1}"#
        );
        assert!(ok("[{op: add, path: /a/b/-1, value: 9}]").contains("[1,2,3,9]"));
        assert!(ok("[{op: add, path: /a/b/-2, value: 9}]").contains("[1,2,9,3]"));
        assert!(ok("[{op: replace, path: /a/b/-1, value: 9}]").contains("[1,2,9]"));
        assert!(ok("[{op: remove, path: /a/b/-3}]").contains("[2,3]"));
        assert!(ok("[{op: add, path: /a/b/-, value: 9}]").contains("[1,2,3,9]"));
        assert!(ok("[{op: add, path: /a/b/01, value: 9}]").contains("[1,9,2,3]"));
        assert!(ok("[{op: add, path: a/q, value: 9}]").contains(r#""q":9"#));
        assert!(ok("[{op: add, path: /a/n}]").contains(r#""n":null"#));
        assert!(ok("[{op: test, path: /a/n, value: null}]").contains("[1,2,3]"));
        assert!(ok("[{op: replace, path: /d~0e~1f, value: 2}]").contains(r#""d~e/f":2"#));
    }

    #[test]
    fn move_copy_test() {
        let ok = |ops: &str| run(DOC, ops).expect("applies");
        assert_eq!(
            ok("[{op: move, from: /a/b/0, path: /a/b/-}, {op: copy, from: /a/c, path: /g}]"),
            r#"{"a":{"b":[2,3,1],"c":"x"},"d~e/f":1,"g":"x"}"#
        );
        assert_eq!(
            ok("[{op: move, from: /a, path: /a}]"),
            run(DOC, "[]").expect("noop")
        );
        ok("[{op: test, path: /a/b, value: [1, 2, 3]}, {op: test, path: /a/b/0, value: 1.0}]");
    }

    #[test]
    fn errors() {
        let err = |ops: &str| run(DOC, ops).expect_err("fails").message.clone();
        assert!(err("[{op: test, path: /a/c, value: y}]").contains("test operation failed"));
        assert!(err("[{op: test, path: /a/zz, value: 1}]").contains("does not exist"));
        assert!(err("[{op: remove, path: /a/zz}]").contains("no key"));
        assert!(err("[{op: add, path: /zz/x, value: 1}]").contains("does not exist"));
        assert!(err("[{op: add, path: /a/b/4, value: 1}]").contains("out of range"));
        assert!(err("[{op: replace, path: /a/b/3, value: 1}]").contains("out of range"));
        assert!(err("[{op: replace, path: /a/b/-, value: 1}]").contains("out of range"));
        assert!(err("[{op: move, from: /a, path: /a/x}]").contains("own child"));
        assert!(err("[{op: copy, from: /nope, path: /x}]").contains("does not exist"));
        assert!(err("[{op: frob, path: /x}]").contains("unknown JSON patch operation"));
        assert!(err("[{path: /x}]").contains("needs an \"op\""));
        assert!(err("[{op: add, value: 1}]").contains("needs a \"path\""));
        assert!(err("[{op: add, path: '', value: 1}]").contains("invalid JSON pointer"));
        assert!(err("[{op: add, path: /a/c/x, value: 1}]").contains("string"));
    }

    #[test]
    fn origins() {
        let mut t = node(DOC);
        let ops =
            node("[{op: replace, path: /a/c, value: {k: v}}, {op: move, from: /a/b, path: /m}]");
        apply(&mut t, &ops).expect("applies");
        let c = t.get_path(&["a", "c"]).expect("c");
        let v = ops.as_seq().and_then(|s| s[0].get("value")).expect("value");
        assert_eq!(c.span(), v.span());
        assert!(c.origin.prev.is_some(), "remembers the value it replaced");
        let m = t.get("m").expect("m");
        assert_eq!(
            m.origin.by,
            SetBy::Resource,
            "moved values keep their origin"
        );
        assert_eq!(
            m.origin.prev.as_ref().map(|p| p.by),
            Some(SetBy::Patch),
            "and remember the move"
        );
    }
}
