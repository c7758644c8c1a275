//! kyaml's field paths as replacements use them: `a.b.[name=x].c`, `[a.b/c]` for keys holding dots,
//! `\.` escapes, numeric indexes and `*`. Sources are read with kyaml's `PathGetter` (exact matches);
//! targets with its `PathMatcher` (list selectors are unanchored regular expressions, `*` fans out, and
//! the `create` option builds what is missing).

use regex::Regex;

use crate::yaml::parse::resolve_plain;
use crate::yaml::{Map, Node, Origin, Value};

/// `SmarterPathSplitter(path, ".")`: splits on unescaped dots, keeping `[k=v]` whole and unwrapping
/// `[a.b]` map keys.
pub fn split(path: &str) -> Vec<String> {
    // PathSplitter: a part ending in `\` swallows the next one.
    let mut parts: Vec<String> = Vec::new();
    for (i, p) in path.split('.').enumerate() {
        match parts.last_mut() {
            Some(last) if i > 0 && last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => parts.push(p.to_string()),
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let elem = &parts[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem.clone()];
            while i < parts.len() - 1 {
                i += 1;
                bracketed.push(parts[i].clone());
                if parts[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(".");
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

/// Go's `strconv.Atoi` accepts an optional sign and decimal digits.
fn atoi(p: &str) -> Option<i64> {
    let digits = p.strip_prefix(['+', '-']).unwrap_or(p);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok()
}

fn split_index(p: &str) -> Result<(String, String), String> {
    let inner = p.strip_prefix('[').unwrap_or(p);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    match inner.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => {
            Err("list path element must contain fieldName=fieldValue for element to match".into())
        }
    }
}

fn kind_name(n: &Node) -> &'static str {
    match n.value {
        Value::Seq(_) => "SequenceNode",
        Value::Map(_) => "MappingNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &str, n: &Node) -> String {
    format!(
        "wrong node kind: expected {expected} but got {}",
        kind_name(n)
    )
}

/// The text kyaml holds for a scalar (what `[k=v]` compares and delimiters split).
pub fn text_of(n: &Node) -> String {
    match &n.value {
        Value::Seq(_) | Value::Map(_) => String::new(),
        _ => n.scalar_string().unwrap_or_default(),
    }
}

/// `PathGetter` lookup (the replacement source).
pub fn lookup<'a>(node: &'a Node, path: &[String]) -> Result<Option<&'a Node>, String> {
    let mut cur = node;
    for part in path.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let next = if let Some(idx) = atoi(part) {
            if idx < 0 {
                return Err(format!("array index {idx} cannot be negative"));
            }
            elements(cur)?.get(idx as usize)
        } else if part == "-" {
            elements(cur)?.last()
        } else if is_list_index(part) {
            let (key, value) = split_index(part)?;
            let items = match &cur.value {
                Value::Seq(items) => items.as_slice(),
                Value::Null => &[],
                _ => return Err(wrong_kind("SequenceNode", cur)),
            };
            items.iter().find(|e| {
                if key.is_empty() {
                    !matches!(e.value, Value::Seq(_) | Value::Map(_)) && text_of(e) == value
                } else {
                    e.get(&key)
                        .is_some_and(|v| !is_collection(v) && text_of(v) == value)
                }
            })
        } else {
            match &cur.value {
                Value::Null => None,
                Value::Map(m) => m.get(part),
                _ => return Err(wrong_kind("MappingNode", cur)),
            }
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn is_collection(n: &Node) -> bool {
    matches!(n.value, Value::Seq(_) | Value::Map(_))
}

fn elements(n: &Node) -> Result<&[Node], String> {
    match &n.value {
        Value::Seq(items) => Ok(items),
        Value::Null => Ok(&[]),
        _ => Err(wrong_kind("SequenceNode", n)),
    }
}

/// What a missing path part is created as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Scalar,
    Map,
    Seq,
}

impl Kind {
    pub fn of(n: &Node) -> Kind {
        match n.value {
            Value::Map(_) => Kind::Map,
            Value::Seq(_) => Kind::Seq,
            _ => Kind::Scalar,
        }
    }
    fn fresh(self, origin: &Origin) -> Node {
        match self {
            Kind::Scalar => Node::null(origin.clone()),
            Kind::Map => Node::map(origin.clone()),
            Kind::Seq => Node::seq(Vec::new(), origin.clone()),
        }
    }
}

fn part_kind(next: Option<&String>, leaf: Kind) -> Kind {
    match next {
        None => leaf,
        Some(p) if is_list_index(p) || atoi(p).is_some_and(|i| i >= 0) => Kind::Seq,
        Some(_) => Kind::Map,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// One matched field: how to reach it, and whether it was just created (an untyped scalar).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub steps: Vec<Step>,
    pub created: bool,
}

/// `PathMatcher`: every node `path` selects below `node`, creating missing parts when `create` is set.
pub fn match_paths(
    node: &mut Node,
    path: &[String],
    create: Option<Kind>,
    origin: &Origin,
) -> Result<Vec<Match>, String> {
    matcher(node, path, create, origin, false)
}

fn prefixed(step: Step, sub: Vec<Match>) -> impl Iterator<Item = Match> {
    sub.into_iter().map(move |mut m| {
        m.steps.insert(0, step.clone());
        m
    })
}

fn matcher(
    node: &mut Node,
    path: &[String],
    create: Option<Kind>,
    origin: &Origin,
    created: bool,
) -> Result<Vec<Match>, String> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(vec![Match {
            steps: Vec::new(),
            created,
        }]);
    };
    if let Some(idx) = atoi(first).filter(|i| *i >= 0) {
        let idx = idx as usize;
        if node.is_null() && create.is_some() {
            node.value = Value::Seq(Vec::new());
        }
        let len = elements(node)?.len();
        let mut fresh = false;
        if let (true, Some(leaf)) = (len == idx, create)
            && let Value::Seq(items) = &mut node.value
        {
            items.push(part_kind(rest.first(), leaf).fresh(origin));
            fresh = true;
        }
        let Some(Value::Seq(items)) = Some(&mut node.value) else {
            return Err(format!(
                "index {idx} specified but only {len} elements found"
            ));
        };
        if items.len() < idx + 1 {
            return Err(format!(
                "index {idx} specified but only {} elements found",
                items.len()
            ));
        }
        let sub = matcher(&mut items[idx], rest, create, origin, fresh)?;
        return Ok(prefixed(Step::Index(idx), sub).collect());
    }
    if is_list_index(first) {
        return match_seq(node, first, rest, create, origin);
    }
    if first == "*" {
        let items = match &mut node.value {
            Value::Seq(items) => items,
            Value::Null => return Ok(Vec::new()),
            _ => return Err(wrong_kind("SequenceNode", node)),
        };
        let mut out = Vec::new();
        for (i, item) in items.iter_mut().enumerate() {
            let sub = matcher(item, rest, create, origin, false)?;
            out.extend(prefixed(Step::Index(i), sub));
        }
        return Ok(out);
    }
    if node.is_null() {
        if create.is_none() {
            return Ok(Vec::new());
        }
        node.value = Value::Map(Map::new());
    }
    let Value::Map(m) = &mut node.value else {
        return Err(wrong_kind("MappingNode", node));
    };
    let mut fresh = false;
    if let Some(leaf) = create {
        let missing = m.get(first).is_none_or(|n| n.is_null() && !rest.is_empty());
        if missing {
            m.insert(
                first.clone(),
                origin.span,
                part_kind(rest.first(), leaf).fresh(origin),
            );
            fresh = rest.is_empty();
        }
    }
    let Some(child) = m.get_mut(first) else {
        return Ok(Vec::new());
    };
    let sub = matcher(child, rest, create, origin, fresh)?;
    Ok(prefixed(Step::Key(first.clone()), sub).collect())
}

fn match_seq(
    node: &mut Node,
    part: &str,
    rest: &[String],
    create: Option<Kind>,
    origin: &Origin,
) -> Result<Vec<Match>, String> {
    let (field, pattern) = split_index(part)?;
    let re = Regex::new(&pattern).map_err(|e| format!("error parsing regexp: {e}"))?;
    for attempt in 0..2 {
        if node.is_null() && create.is_some() {
            node.value = Value::Seq(Vec::new());
        }
        let items = match &mut node.value {
            Value::Seq(items) => items,
            Value::Null => return Ok(Vec::new()),
            _ => return Err(wrong_kind("SequenceNode", node)),
        };
        let mut out = Vec::new();
        for (i, item) in items.iter_mut().enumerate() {
            if field.is_empty() {
                if re.is_match(text_of(item).trim()) {
                    out.push(Match {
                        steps: vec![Step::Index(i)],
                        created: attempt == 1,
                    });
                }
                continue;
            }
            let Some(v) = item.get(&field) else {
                continue;
            };
            if v.is_null() || !re.is_match(text_of(v).trim()) {
                continue;
            }
            let sub = matcher(item, rest, create, origin, false)?;
            out.extend(prefixed(Step::Index(i), sub));
        }
        if !out.is_empty() || create.is_none() || attempt == 1 {
            return Ok(out);
        }
        let value = Node::new(resolve_plain(&pattern), origin.clone());
        let elem = if field.is_empty() {
            value
        } else {
            let mut m = Map::new();
            m.insert(field.clone(), origin.span, value);
            Node::new(Value::Map(m), origin.clone())
        };
        items.push(elem);
    }
    Ok(Vec::new())
}

/// The node a match leads to.
pub fn follow<'a>(node: &'a mut Node, steps: &[Step]) -> Option<&'a mut Node> {
    let mut cur = node;
    for s in steps {
        cur = match s {
            Step::Key(k) => cur.get_mut(k)?,
            Step::Index(i) => cur.as_seq_mut()?.get_mut(*i)?,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn doc(text: &str) -> Node {
        parse_stream(text, FileId::NONE, SetBy::Resource)
            .unwrap()
            .remove(0)
            .root
    }

    #[test]
    fn splits_like_kyaml() {
        assert_eq!(split("spec.replicas"), ["spec", "replicas"]);
        assert_eq!(
            split("spec.data.[name=f.i.r.s.t.].key"),
            ["spec", "data", "[name=f.i.r.s.t.]", "key"]
        );
        assert_eq!(
            split("metadata.annotations.[a.b.c/d.e.f-g.]"),
            ["metadata", "annotations", "a.b.c/d.e.f-g."]
        );
        assert_eq!(split(r"spec\.replicas"), ["spec.replicas"]);
        assert_eq!(split("a.[b]"), ["a", "[b]"]);
    }

    #[test]
    fn lookup_is_exact_and_matcher_is_regex() {
        let mut n = doc("c:\n- name: app\n  image: a\n- name: myapp\n  image: b\nl: [x, y]\n");
        let got = lookup(&n, &split("c.[name=app].image")).unwrap().unwrap();
        assert_eq!(got.as_str(), Some("a"));
        assert_eq!(
            lookup(&n, &split("l.1")).unwrap().unwrap().as_str(),
            Some("y")
        );
        assert!(lookup(&n, &split("c.name")).is_err());
        let o = Origin::none();
        let m = match_paths(&mut n, &split("c.[name=app].image"), None, &o).unwrap();
        assert_eq!(m.len(), 2);
        let m = match_paths(&mut n, &split("c.*.image"), None, &o).unwrap();
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn create_builds_missing_parts() {
        let mut n = doc("a: {}\n");
        let o = Origin::none();
        let m = match_paths(&mut n, &split("a.b.[name=x].c"), Some(Kind::Scalar), &o).unwrap();
        assert_eq!(m.len(), 1);
        assert!(m[0].created);
        assert!(follow(&mut n, &m[0].steps).is_some());
        let err = match_paths(&mut n, &split("a.b.5.c"), Some(Kind::Scalar), &o).unwrap_err();
        assert!(err.contains("index 5 specified but only 1 elements found"));
    }
}
