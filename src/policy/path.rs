//! Field paths of assertions: `spec.template.spec.containers[*].resources.limits.cpu`,
//! `spec.template.spec.containers[name=api].env[name=APP_ENV].value`, `metadata.labels["app.kubernetes.io/name"]`.
//!
//! Resolving a path against an object gives one [`Slot`] per place the path reaches: a value that is
//! there, or a field that is missing (with the node a diagnostic should point at instead). A `[*]` over
//! a missing or empty list reaches nothing, so an assertion under it holds vacuously.

use std::fmt;

use crate::yaml::{Node, Value};

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// `[*]`: every list item.
    All,
    /// `[3]`: one list item.
    Index(usize),
    /// `[name=api]`: the list items whose `key` field is `value`.
    Select { key: String, value: String },
}

/// A parsed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub steps: Vec<Step>,
}

/// Where a path leads in one object.
#[derive(Clone, Debug)]
pub struct Slot<'a> {
    /// The path with wildcards made concrete (`containers[name=api]`, or `containers[2]` for an
    /// item without a name).
    pub path: String,
    /// The value, when the field is there (a `null` counts as missing).
    pub value: Option<&'a Node>,
    /// The `name` node of the innermost list item the path went through (for a missing field).
    pub anchor: Option<&'a Node>,
}

impl Path {
    /// Parses a path; the error says what is wrong and where (a character offset).
    pub fn parse(s: &str) -> Result<Path, String> {
        let chars: Vec<char> = s.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        let mut expect_key = true;
        if chars.is_empty() {
            return Err("the path is empty".into());
        }
        while i < chars.len() {
            match chars[i] {
                '[' => {
                    let (step, next) = bracket(&chars, i)?;
                    steps.push(step);
                    i = next;
                    expect_key = false;
                }
                '.' if !expect_key => {
                    i += 1;
                    expect_key = true;
                    if i == chars.len() {
                        return Err("the path ends with '.'".into());
                    }
                }
                _ if expect_key => {
                    let start = i;
                    while i < chars.len() && !matches!(chars[i], '.' | '[' | ']' | '"' | '\'') {
                        i += 1;
                    }
                    if i == start {
                        return Err(format!(
                            "expected a field name at character {}, found '{}'",
                            start + 1,
                            chars[start]
                        ));
                    }
                    steps.push(Step::Key(chars[start..i].iter().collect()));
                    expect_key = false;
                }
                c => {
                    return Err(format!(
                        "expected '.' or '[' at character {}, found '{c}'",
                        i + 1
                    ));
                }
            }
        }
        Ok(Path { steps })
    }

    /// Every place this path reaches in `root`.
    pub fn resolve<'a>(&self, root: &'a Node) -> Vec<Slot<'a>> {
        let mut out = Vec::new();
        walk(root, &self.steps, String::new(), None, &mut out);
        out
    }
}

/// `[...]` starting at `i`: the step and the index after `]`.
fn bracket(chars: &[char], i: usize) -> Result<(Step, usize), String> {
    let close = |from: usize| -> Result<usize, String> {
        (from..chars.len())
            .find(|&k| chars[k] == ']')
            .ok_or_else(|| format!("'[' at character {} is not closed", i + 1))
    };
    let body_start = i + 1;
    match chars.get(body_start) {
        Some(&q @ ('"' | '\'')) => {
            let end = (body_start + 1..chars.len())
                .find(|&k| chars[k] == q)
                .ok_or_else(|| format!("quote at character {} is not closed", body_start + 1))?;
            if chars.get(end + 1) != Some(&']') {
                return Err(format!("expected ']' at character {}", end + 2));
            }
            Ok((
                Step::Key(chars[body_start + 1..end].iter().collect()),
                end + 2,
            ))
        }
        _ => {
            let end = close(body_start)?;
            let body: String = chars[body_start..end].iter().collect();
            let body = body.trim();
            let step = if body == "*" {
                Step::All
            } else if let Some((k, v)) = body.split_once('=') {
                let (k, v) = (k.trim(), v.trim());
                if k.is_empty() {
                    return Err(format!("'[{body}]' names no field to select on"));
                }
                let v = unquote(v);
                Step::Select {
                    key: k.to_string(),
                    value: v.to_string(),
                }
            } else if let Ok(n) = body.parse::<usize>() {
                Step::Index(n)
            } else {
                return Err(format!(
                    "'[{body}]' is not a list selector: expected [*], [3], [name=value] or [\"key\"]"
                ));
            };
            Ok((step, end + 1))
        }
    }
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn walk<'a>(
    node: &'a Node,
    steps: &[Step],
    path: String,
    anchor: Option<&'a Node>,
    out: &mut Vec<Slot<'a>>,
) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(Slot {
            path,
            value: (!node.is_null()).then_some(node),
            anchor,
        });
        return;
    };
    let missing = |out: &mut Vec<Slot<'a>>| {
        // a wildcard below a missing field reaches nothing
        if !rest.contains(&Step::All) {
            let mut p = path.clone();
            push_step(&mut p, step);
            for s in rest {
                push_step(&mut p, s);
            }
            out.push(Slot {
                path: p,
                value: None,
                anchor,
            });
        }
    };
    match step {
        Step::Key(k) => match node.get(k) {
            Some(v) if !v.is_null() => {
                let mut p = path.clone();
                push_step(&mut p, step);
                walk(v, rest, p, anchor, out);
            }
            _ => missing(out),
        },
        Step::All => {
            let Some(items) = node.as_seq() else { return };
            for (i, item) in items.iter().enumerate() {
                let (p, a) = item_path(&path, i, item, anchor);
                walk(item, rest, p, a, out);
            }
        }
        Step::Index(i) => match node.as_seq().and_then(|s| s.get(*i)) {
            Some(item) => {
                let mut p = path.clone();
                push_step(&mut p, step);
                let a = item.get("name").or(anchor);
                walk(item, rest, p, a, out);
            }
            None => missing(out),
        },
        Step::Select { key, value } => {
            let picked: Vec<&Node> = node
                .as_seq()
                .map(|s| {
                    s.iter()
                        .filter(|it| {
                            it.get(key).and_then(Node::scalar_string).as_deref() == Some(value)
                        })
                        .collect()
                })
                .unwrap_or_default();
            if picked.is_empty() {
                missing(out);
            }
            for item in picked {
                let mut p = path.clone();
                push_step(&mut p, step);
                let a = item.get("name").or(item.get(key)).or(anchor);
                walk(item, rest, p, a, out);
            }
        }
    }
}

/// The concrete path of the `i`th item of a `[*]`: `[name=x]` when it has a name, else `[i]`.
fn item_path<'a>(
    path: &str,
    i: usize,
    item: &'a Node,
    anchor: Option<&'a Node>,
) -> (String, Option<&'a Node>) {
    let mut p = path.to_string();
    match item
        .get("name")
        .filter(|n| matches!(n.value, Value::Str(_)))
    {
        Some(n) => {
            push_step(
                &mut p,
                &Step::Select {
                    key: "name".into(),
                    value: n.scalar_string().unwrap_or_default(),
                },
            );
            (p, Some(n))
        }
        None => {
            push_step(&mut p, &Step::Index(i));
            (p, anchor)
        }
    }
}

fn push_step(p: &mut String, step: &Step) {
    use fmt::Write;
    let _ = match step {
        Step::Key(k) if is_plain(k) => {
            if !p.is_empty() {
                p.push('.');
            }
            write!(p, "{k}")
        }
        Step::Key(k) => write!(p, "[\"{k}\"]"),
        Step::All => write!(p, "[*]"),
        Step::Index(i) => write!(p, "[{i}]"),
        Step::Select { key, value } if is_plain(value) => write!(p, "[{key}={value}]"),
        Step::Select { key, value } => write!(p, "[{key}=\"{value}\"]"),
    };
}

fn is_plain(k: &str) -> bool {
    !k.is_empty()
        && !k
            .chars()
            .any(|c| matches!(c, '.' | '[' | ']' | '"' | '\'' | '=') || c.is_whitespace())
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut p = String::new();
        for s in &self.steps {
            push_step(&mut p, s);
        }
        f.write_str(&p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn doc(text: &str) -> Node {
        parse_stream(text, FileId(0), SetBy::Resource)
            .map(|mut d| d.remove(0).root)
            .unwrap_or_else(|e| panic!("{}", e.message))
    }

    fn p(s: &str) -> Path {
        Path::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_keys_wildcards_selectors_and_quoted_keys() {
        assert_eq!(
            p("spec.containers[*].env[name=APP_ENV].value").steps,
            vec![
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::All,
                Step::Key("env".into()),
                Step::Select {
                    key: "name".into(),
                    value: "APP_ENV".into()
                },
                Step::Key("value".into()),
            ]
        );
        assert_eq!(
            p("metadata.labels[\"app.kubernetes.io/name\"]").steps[2],
            Step::Key("app.kubernetes.io/name".into())
        );
        assert_eq!(
            p("a[0][*]").steps,
            vec![Step::Key("a".into()), Step::Index(0), Step::All]
        );
        assert_eq!(p("a[name='x.y']").to_string(), "a[name=\"x.y\"]");
        for bad in [
            "", "a..b", "a.", ".a", "a[", "a[x]", "a[=1]", "a[\"x]", "a]", "a[*]b",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn resolves_to_values_and_missing_fields() {
        let n =
            doc("spec:\n  containers:\n  - name: api\n    image: a\n  - name: web\n  - image: c\n");
        let slots = p("spec.containers[*].image").resolve(&n);
        let got: Vec<(String, Option<String>)> = slots
            .iter()
            .map(|s| (s.path.clone(), s.value.and_then(Node::scalar_string)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("spec.containers[name=api].image".into(), Some("a".into())),
                ("spec.containers[name=web].image".into(), None),
                ("spec.containers[2].image".into(), Some("c".into())),
            ]
        );
        assert_eq!(
            slots[1].anchor.and_then(Node::as_str),
            Some("web"),
            "a missing field points at its item's name"
        );
        assert!(p("spec.initContainers[*].image").resolve(&n).is_empty());
        let sel = p("spec.containers[name=db].image").resolve(&n);
        assert_eq!(sel.len(), 1);
        assert!(sel[0].value.is_none());
        assert_eq!(sel[0].path, "spec.containers[name=db].image");
        assert!(p("spec.replicas").resolve(&n)[0].value.is_none());
    }
}
