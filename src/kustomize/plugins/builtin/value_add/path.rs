//! Field paths as the ValueAddTransformer reads them (kyaml's `PathGetter` creating what is
//! missing), and Go's file path helpers for `filePathPosition`.

use crate::yaml::parse::resolve_plain;
use crate::yaml::{Map, Node, Origin, Value};

/// The filter splits on `/`; a part ending in `\` joins the next one (`a\/b` is the key `a/b`).
pub fn split(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in path.split('/') {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(p);
            }
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// Go's `strconv.Atoi`.
fn atoi(p: &str) -> Option<i64> {
    let digits = p.strip_prefix(['+', '-']).unwrap_or(p);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok()
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

fn kind_name(n: &Node) -> &'static str {
    match n.value {
        Value::Seq(_) => "SequenceNode",
        Value::Map(_) => "MappingNode",
        _ => "ScalarNode",
    }
}

pub fn wrong_kind(expected: &str, n: &Node) -> String {
    format!(
        "wrong node kind: expected {expected} but got {}",
        kind_name(n)
    )
}

fn text(n: &Node) -> String {
    match n.value {
        Value::Seq(_) | Value::Map(_) => String::new(),
        _ => n.scalar_string().unwrap_or_default(),
    }
}

/// kyaml's `PathGetter` with `Create: ScalarNode`: `None` when an index or `-` finds no element.
pub fn lookup_create<'a>(
    node: &'a mut Node,
    parts: &[String],
    origin: &Origin,
) -> Result<Option<&'a mut Node>, String> {
    let mut cur = node;
    for (i, part) in parts.iter().enumerate() {
        let next = parts.get(i + 1);
        let kind = kind_name(cur);
        if let Some(idx) = atoi(part) {
            if idx < 0 {
                return Err(format!("array index {idx} cannot be negative"));
            }
            cur = match &mut cur.value {
                Value::Null => return Ok(None),
                Value::Seq(items) => match items.get_mut(idx as usize) {
                    Some(x) => x,
                    None => return Ok(None),
                },
                _ => {
                    return Err(format!(
                        "wrong node kind: expected SequenceNode but got {kind}"
                    ));
                }
            };
        } else if part == "-" {
            cur = match &mut cur.value {
                Value::Null => return Ok(None),
                Value::Seq(items) => match items.last_mut() {
                    Some(x) => x,
                    None => return Ok(None),
                },
                _ => {
                    return Err(format!(
                        "wrong node kind: expected SequenceNode but got {kind}"
                    ));
                }
            };
        } else if part == "*" {
            return Err("wildcard is not supported in PathGetter".into());
        } else if is_list_index(part) {
            let inner = &part[1..part.len() - 1];
            let Some((key, want)) = inner.split_once('=') else {
                return Err(
                    "list path element must contain fieldName=fieldValue for element to match"
                        .into(),
                );
            };
            if cur.is_null() {
                cur.value = Value::Seq(Vec::new());
            }
            let Value::Seq(items) = &mut cur.value else {
                return Err(format!(
                    "wrong node kind: expected SequenceNode but got {kind}"
                ));
            };
            let found = items.iter().position(|item| {
                if key.is_empty() {
                    !matches!(item.value, Value::Map(_) | Value::Seq(_)) && text(item) == want
                } else {
                    item.get(key).is_some_and(|v| {
                        !matches!(v.value, Value::Map(_) | Value::Seq(_)) && text(v) == want
                    })
                }
            });
            let at = match found {
                Some(at) => at,
                None => {
                    let v = Node::new(resolve_plain(want), origin.clone());
                    let elem = if key.is_empty() {
                        v
                    } else {
                        let mut m = Map::new();
                        m.insert(key, origin.span, v);
                        Node::new(Value::Map(m), origin.clone())
                    };
                    items.push(elem);
                    items.len() - 1
                }
            };
            cur = &mut items[at];
        } else {
            if cur.is_null() {
                cur.value = Value::Map(Map::new());
            }
            let Value::Map(m) = &mut cur.value else {
                return Err(format!(
                    "wrong node kind: expected MappingNode but got {kind}"
                ));
            };
            if m.get(part).is_none() {
                let fresh = match next {
                    None => Value::Null,
                    Some(p) if is_list_index(p) || atoi(p).is_some_and(|i| i >= 0) => {
                        Value::Seq(Vec::new())
                    }
                    Some(_) => Value::Map(Map::new()),
                };
                m.insert(part.clone(), origin.span, Node::new(fresh, origin.clone()));
            }
            let Some(child) = m.get_mut(part) else {
                return Ok(None);
            };
            cur = child;
        }
    }
    Ok(Some(cur))
}

/// Go's `filesys.InsertPathPart`: `part` becomes directory level `pos` of `path` (clamped), an
/// absolute path staying absolute.
pub fn insert_path_part(path: &str, pos: i64, part: &str) -> String {
    if part.is_empty() {
        return path.to_string();
    }
    let parts = path_split(path);
    let mut pos = pos.clamp(0, parts.len() as i64) as usize;
    if parts.first().is_some_and(String::is_empty) && pos < parts.len() {
        pos += 1;
    }
    let mut out: Vec<String> = parts[..pos].to_vec();
    out.push(part.to_string());
    out.extend_from_slice(&parts[pos..]);
    path_join(&out)
}

/// Go's `filesys.PathSplit`: an absolute path starts with an empty part.
fn path_split(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    let (dir, file) = match s.rfind('/') {
        Some(i) => (&s[..=i], &s[i + 1..]),
        None => ("", s),
    };
    if dir == "/" {
        return if file.is_empty() {
            vec![String::new()]
        } else {
            vec![String::new(), file.to_string()]
        };
    }
    let dir = dir.strip_suffix('/').unwrap_or(dir);
    if dir.is_empty() {
        return vec![file.to_string()];
    }
    let mut out = path_split(dir);
    out.push(file.to_string());
    out
}

fn path_join(parts: &[String]) -> String {
    match parts.split_first() {
        None => String::new(),
        Some((first, rest)) if first.is_empty() => format!("/{}", join(rest)),
        Some(_) => join(parts),
    }
}

/// Go's `filepath.Join`: empty elements dropped, the result cleaned.
fn join(parts: &[String]) -> String {
    let kept: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    if kept.is_empty() {
        return String::new();
    }
    clean(&kept.join("/"))
}

/// Go's `path.Clean`.
fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let body = out.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".to_string()
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    #[test]
    fn inserts_path_parts_like_go() {
        let f = |path, pos| insert_path_part(path, pos, "PEACH");
        assert_eq!(f("", 3), "PEACH");
        assert_eq!(f("/", 3), "/PEACH");
        assert_eq!(f("pie", 0), "PEACH/pie");
        assert_eq!(f("/pie", 0), "/PEACH/pie");
        assert_eq!(f("raw", 1), "raw/PEACH");
        assert_eq!(f("/raw", 9), "/raw/PEACH");
        assert_eq!(f("a/nice/warm/pie", 3), "a/nice/warm/PEACH/pie");
        assert_eq!(f("/a/nice/warm/pie", 3), "/a/nice/warm/PEACH/pie");
        assert_eq!(f("a//b/./c", 1), "a/PEACH/b/c");
    }

    #[test]
    fn splits_on_unescaped_slashes() {
        assert_eq!(
            split(r"metadata/annotations/a\/b"),
            ["metadata", "annotations", "a/b"]
        );
    }

    #[test]
    fn creates_like_lookup_create() {
        let mut n = parse_stream(
            "spec:\n  ports:\n  - port: 80\n",
            FileId::NONE,
            SetBy::Resource,
        )
        .unwrap()
        .remove(0)
        .root;
        let o = Origin::none();
        let path = split("spec/ports/[port=90]/name");
        assert!(lookup_create(&mut n, &path, &o).unwrap().is_some());
        assert_eq!(
            n.get_path(&["spec", "ports"])
                .unwrap()
                .as_seq()
                .unwrap()
                .len(),
            2
        );
        assert!(
            lookup_create(&mut n, &split("spec/ports/5/name"), &o)
                .unwrap()
                .is_none()
        );
        let err = lookup_create(&mut n, &split("spec/ports/x"), &o).unwrap_err();
        assert!(err.contains("expected MappingNode but got SequenceNode"));
        assert!(lookup_create(&mut n, &split("spec/ports/-1"), &o).is_err());
    }
}
