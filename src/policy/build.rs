//! From a schema-valid policy document to a [`Policy`]: the checks a schema cannot express (globs,
//! quantities, paths, built-in names, `builtin` xor `assert`).

use crate::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Value};

use super::{
    AssertOp, Assertion, Bound, Check, Path, Policy, Quantity, Select, did_you_mean, glob,
};

/// A policy document: a policy, or `disabled: true` for its id.
pub struct Loaded {
    pub id: String,
    /// `metadata.name`, for "defined twice" errors.
    pub span: Span,
    /// `None` when the document turns the rule off.
    pub policy: Option<Policy>,
}

const OPS: &[&str] = &["exists", "absent", "equals", "in", "pattern", "min", "max"];

fn key_span(n: &Node, key: &str) -> Span {
    n.as_map()
        .and_then(|m| m.entry(key))
        .map(|e| e.key_span)
        .unwrap_or(n.span())
}

fn err(span: Span, message: impl Into<String>, label: &str) -> Error {
    Error::at("policy", span, message).with_label(label)
}

fn strings(n: Option<&Node>) -> Vec<(String, Span)> {
    n.and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.scalar_string().map(|v| (v, x.span())))
                .collect()
        })
        .unwrap_or_default()
}

fn globs(n: Option<&Node>, what: &str) -> Result<Vec<String>> {
    strings(n)
        .into_iter()
        .map(|(g, span)| {
            glob(&g)
                .map(|_| g.clone())
                .map_err(|e| bad_glob(span, what, &g, &e))
        })
        .collect()
}

fn bad_glob(span: Span, what: &str, g: &str, e: &globset::Error) -> Error {
    let why = e.kind().to_string();
    err(
        span,
        format!("invalid {what} glob \"{g}\": {}", why.to_lowercase()),
        "not a valid glob",
    )
    .with_help("use *, ?, [abc] and {a,b}; escape special characters with \\")
}

pub fn from_node(n: &Node) -> Result<Loaded> {
    let name = n.get_path(&["metadata", "name"]);
    let id = name.and_then(Node::as_str).unwrap_or_default().to_string();
    let span = name.map(Node::span).unwrap_or(n.span());
    if id == crate::suppress::RULE {
        return Err(err(
            span,
            format!("\"{id}\" is reserved for findings about fluxlint-ignore comments"),
            "reserved rule id",
        )
        .with_help("choose another name"));
    }
    let Some(spec) = n.get("spec") else {
        return Err(err(n.span(), "a policy needs a spec", "here"));
    };
    if spec.get("disabled").and_then(Node::as_bool) == Some(true) {
        return Ok(Loaded {
            id,
            span,
            policy: None,
        });
    }
    let severity = spec
        .str_at(&["severity"])
        .and_then(Severity::parse)
        .unwrap_or(Severity::Error);
    let select = match spec.get("match") {
        Some(m) => selector(m)?,
        None => Select::default(),
    };
    let exclude = spec.get("exclude").map(selector).transpose()?;
    let check = match (spec.get("builtin"), spec.get("assert")) {
        (Some(_), Some(_)) => {
            return Err(err(
                key_span(spec, "assert"),
                format!("policy \"{id}\" has both builtin and assert"),
                "second check here",
            )
            .with_note("builtin here", key_span(spec, "builtin"))
            .with_help(
                "a policy runs either a built-in check or field assertions: split it in two",
            ));
        }
        (Some(b), None) => builtin(spec, b)?,
        (None, Some(a)) => {
            if spec.get("params").is_some() {
                return Err(err(
                    key_span(spec, "params"),
                    "params are for a builtin check; field assertions take none",
                    "not used",
                ));
            }
            let mut out = Vec::new();
            for item in a.as_seq().map(Vec::as_slice).unwrap_or_default() {
                out.extend(assertions(item)?);
            }
            Check::Assert(out)
        }
        (None, None) => {
            return Err(err(
                key_span(n, "spec"),
                format!("policy \"{id}\" checks nothing: its spec has neither builtin nor assert"),
                "add builtin or assert",
            )
            .with_help("add `assert:` with field assertions, `builtin: <name>`, or `disabled: true` to turn the rule off"));
        }
    };
    Ok(Loaded {
        id: id.clone(),
        span,
        policy: Some(Policy {
            id,
            severity,
            summary: spec.str_at(&["summary"]).unwrap_or("").to_string(),
            description: spec.str_at(&["description"]).unwrap_or("").to_string(),
            environments: globs(spec.get("environments"), "environment")?,
            select,
            exclude,
            check,
            span: n.span(),
        }),
    })
}

/// A `match:` or `exclude:` block.
fn selector(m: &Node) -> Result<Select> {
    Ok(Select {
        kinds: strings(m.get("kinds"))
            .into_iter()
            .map(|(k, _)| k)
            .collect(),
        names: globs(m.get("names"), "name")?,
        namespaces: globs(m.get("namespaces"), "namespace")?,
        labels: m
            .get("labels")
            .and_then(Node::as_map)
            .map(|l| {
                l.iter()
                    .map(|(k, v)| {
                        let g = v.scalar_string().unwrap_or_default();
                        glob(&g)
                            .map(|_| (k.to_string(), g.clone()))
                            .map_err(|e| bad_glob(v.span(), "label", &g, &e))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default(),
        paths: globs(m.get("paths"), "path")?,
    })
}

fn builtin(spec: &Node, b: &Node) -> Result<Check> {
    let name = b.as_str().unwrap_or_default();
    if crate::rules::builtin(name).is_none() {
        let names: Vec<&str> = crate::rules::BUILTINS.iter().map(|b| b.name).collect();
        let help = match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("built-in checks: {}", names.join(", ")),
        };
        return Err(err(
            b.span(),
            format!("unknown builtin \"{name}\""),
            "no such built-in check",
        )
        .with_help(help));
    }
    if let Some(bi) = crate::rules::builtin(name)
        && !bi.resources
    {
        for key in ["match", "exclude"] {
            let Some(m) = spec.get(key) else { continue };
            if let Some((k, _)) = m
                .as_map()
                .and_then(|m| m.iter().find(|(k, _)| *k != "paths"))
            {
                return Err(err(
                    key_span(m, k),
                    format!(
                        "built-in \"{name}\" does not look at resources, so `{key}.{k}` cannot select any"
                    ),
                    "not supported by this check",
                )
                .with_help(format!(
                    "`{key}.paths` (globs over the files its findings point at) and `environments:` work for \"{name}\"; to turn it off use `disabled: true`"
                )));
            }
        }
    }
    Ok(Check::Builtin {
        name: name.to_string(),
        params: spec
            .get("params")
            .cloned()
            .unwrap_or_else(|| Node::null(spec.origin.clone())),
    })
}

fn assertions(item: &Node) -> Result<Vec<Assertion>> {
    let Some(p) = item.get("path") else {
        return Ok(Vec::new());
    };
    let path = p.as_str().unwrap_or_default().to_string();
    let parsed = Path::parse(&path).map_err(|e| {
        err(p.span(), format!("invalid path \"{path}\": {e}"), "invalid path").with_help(
            "write fields joined by '.', with [*] for every list item, [name=x] to pick items, [0] for one, [\"a.b\"] for keys with dots",
        )
    })?;
    let message = item.str_at(&["message"]).map(str::to_string);
    let default = item.get("default").cloned();
    let mut out = Vec::new();
    for (key, v) in item.as_map().map(|m| m.iter()).into_iter().flatten() {
        if !OPS.contains(&key) {
            continue;
        }
        let op = match key {
            "exists" | "absent" => {
                if v.as_bool() == Some(key == "exists") {
                    AssertOp::Exists
                } else {
                    AssertOp::Absent
                }
            }
            "equals" => AssertOp::Equals(v.clone()),
            "in" => AssertOp::In(v.as_seq().cloned().unwrap_or_default()),
            "pattern" => {
                let g = v.as_str().unwrap_or_default().to_string();
                if let Err(e) = glob(&g.replace("{environment}", "env")) {
                    return Err(bad_glob(v.span(), "pattern", &g, &e));
                }
                AssertOp::Pattern(g)
            }
            _ => {
                let bound = bound(v)?;
                if key == "min" {
                    AssertOp::Min(bound)
                } else {
                    AssertOp::Max(bound)
                }
            }
        };
        out.push(Assertion {
            path: path.clone(),
            parsed: parsed.clone(),
            op,
            message: message.clone(),
            default: default.clone(),
            span: key_span(item, key),
        });
    }
    if out.is_empty() {
        return Err(err(
            key_span(item, "path"),
            format!("the assertion on \"{path}\" checks nothing"),
            "no operator",
        )
        .with_help(format!("add one of: {}", OPS.join(", "))));
    }
    Ok(out)
}

fn bound(v: &Node) -> Result<Bound> {
    let text = match &v.value {
        Value::Str(s) => s.clone(),
        _ => v.scalar_string().unwrap_or_default(),
    };
    let value = Quantity::from_node(v).map_err(|e| {
        err(
            v.span(),
            format!("invalid quantity \"{text}\": {}", e.reason),
            "not a quantity",
        )
        .with_help("write a number or a Kubernetes quantity such as 3, 0.5, 500m, 128Mi or 1Gi")
    })?;
    Ok(Bound { text, value })
}
