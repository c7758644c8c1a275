//! Evaluating field assertions on one object in one environment. Pure: the engine turns each
//! [`Failure`] into a diagnostic.

use crate::kustomize::resource::Resource;
use crate::yaml::{Node, Value};

use super::{AssertOp, Assertion, Quantity, glob_match};

/// An assertion that does not hold at one place.
#[derive(Debug)]
pub struct Failure<'a> {
    pub message: String,
    /// Short text for the primary label: what was expected.
    pub label: String,
    pub help: String,
    /// The node that carries the bad value; `None` for a missing field.
    pub value: Option<&'a Node>,
    /// For a missing field: the node to point at (the list item's or the object's name).
    pub anchor: Option<&'a Node>,
}

/// How a value is quoted in messages: strings in double quotes, numbers and booleans bare.
pub fn shown(n: &Node) -> String {
    match &n.value {
        Value::Str(s) => format!("\"{s}\""),
        Value::Seq(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
        _ => n.scalar_string().unwrap_or_default(),
    }
}

/// `{environment}` in a string of the policy stands for the environment's name.
fn with_env(n: &Node, env: &str) -> Node {
    match &n.value {
        Value::Str(s) if s.contains("{environment}") => {
            Node::str(s.replace("{environment}", env), n.origin.clone())
        }
        _ => n.clone(),
    }
}

/// Every failure of `a` on `r` in the environment `env`.
pub fn evaluate<'a>(a: &Assertion, r: &'a Resource, env: &str) -> Vec<Failure<'a>> {
    let name_node = r.node.get_path(&["metadata", "name"]);
    let mut out = Vec::new();
    for slot in a.parsed.resolve(&r.node) {
        let anchor = slot.anchor.or(name_node);
        let path = slot.path.as_str();
        let (expected, help) = expectation(&a.op, path, env);
        let outcome = match (&a.op, slot.value) {
            (AssertOp::Exists, Some(_)) | (AssertOp::Absent, None) => None,
            (AssertOp::Exists, None) => Some(format!("{path} is not set in {env}")),
            (AssertOp::Absent, Some(v)) => Some(format!(
                "{path} is set to {} in {env}, expected it to be absent",
                shown(v)
            )),
            (op, found) => {
                let (v, prefix) = match (found, &a.default) {
                    (Some(v), _) => (v, format!("{path} is {}", shown(v))),
                    (None, Some(d)) => (d, format!("{path} is not set (defaults to {})", shown(d))),
                    (None, None) => {
                        out.push(failure(
                            a, r, env, &slot.path, "not set", &expected, help, None, anchor,
                        ));
                        continue;
                    }
                };
                (!holds(op, v, env)).then(|| {
                    let numeric = matches!(op, AssertOp::Min(_) | AssertOp::Max(_));
                    if numeric && Quantity::from_node(v).is_err() {
                        format!("{prefix} in {env}, expected a quantity of {expected}")
                    } else {
                        format!("{prefix} in {env}, expected {expected}")
                    }
                })
            }
        };
        if let Some(message) = outcome {
            let value_text = slot.value.map(shown).unwrap_or_else(|| "not set".into());
            let mut f = failure(
                a,
                r,
                env,
                path,
                &value_text,
                &expected,
                help,
                slot.value,
                anchor,
            );
            if a.message.is_none() {
                f.message = message;
            }
            out.push(f);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn failure<'a>(
    a: &Assertion,
    r: &Resource,
    env: &str,
    path: &str,
    value: &str,
    expected: &str,
    help: String,
    found: Option<&'a Node>,
    anchor: Option<&'a Node>,
) -> Failure<'a> {
    let message = match &a.message {
        Some(m) => m
            .replace("{path}", path)
            .replace("{value}", value)
            .replace("{expected}", expected)
            .replace("{environment}", env)
            .replace("{kind}", r.kind())
            .replace("{name}", r.name())
            .replace("{namespace}", r.namespace()),
        None => format!("{path} is not set in {env}, expected {expected}"),
    };
    Failure {
        message,
        label: format!("expected {expected}"),
        help,
        value: found,
        anchor,
    }
}

/// What the operator expects ("at least 3") and how to fix a failure.
fn expectation(op: &AssertOp, path: &str, env: &str) -> (String, String) {
    match op {
        AssertOp::Exists => ("it to be set".into(), format!("set {path}")),
        AssertOp::Absent => ("it to be absent".into(), format!("remove {path}")),
        AssertOp::Equals(e) => {
            let e = shown(&with_env(e, env));
            (e.clone(), format!("set {path} to {e}"))
        }
        AssertOp::In(list) => {
            let items: Vec<String> = list.iter().map(|n| shown(&with_env(n, env))).collect();
            let e = format!("one of {}", items.join(", "));
            (e.clone(), format!("set {path} to {e}"))
        }
        AssertOp::Pattern(g) => {
            let e = format!("a value matching \"{}\"", g.replace("{environment}", env));
            (e.clone(), format!("set {path} to {e}"))
        }
        AssertOp::Min(b) => (
            format!("at least {}", b.text),
            format!("set {path} to {} or more", b.text),
        ),
        AssertOp::Max(b) => (
            format!("at most {}", b.text),
            format!("set {path} to {} or less", b.text),
        ),
    }
}

fn holds(op: &AssertOp, v: &Node, env: &str) -> bool {
    match op {
        AssertOp::Exists => true,
        AssertOp::Absent => false,
        AssertOp::Equals(e) => v.same_value(&with_env(e, env)),
        AssertOp::In(list) => list.iter().any(|e| v.same_value(&with_env(e, env))),
        AssertOp::Pattern(g) => match &v.value {
            Value::Seq(_) | Value::Map(_) => false,
            _ => v
                .scalar_string()
                .is_some_and(|s| glob_match(&g.replace("{environment}", env), &s)),
        },
        AssertOp::Min(b) => Quantity::from_node(v).is_ok_and(|q| q >= b.value),
        AssertOp::Max(b) => Quantity::from_node(v).is_ok_and(|q| q <= b.value),
    }
}
