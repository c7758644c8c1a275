//! Strict reading of kustomization fields the way kustomize decodes them: YAML 1.1 scalars into Go
//! structs, unknown keys refused. `version: 1` under `commonLabels` is an error there, not "1".

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Value};

use super::super::loader::Loader;

/// One `key: value` of a string map, with the spans of both.
#[derive(Clone, Debug)]
pub struct Pair {
    pub key: String,
    pub key_span: Span,
    pub value: String,
    pub value_span: Span,
}

fn go_type(n: &Node) -> &'static str {
    match n.value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn type_error(n: &Node, field: &str, want: &str) -> Error {
    Error::at(
        "kustomization",
        n.span(),
        format!(
            "invalid kustomization: `{field}`: expected a {want}, found a {}",
            go_type(n)
        ),
    )
    .with_help(match n.value {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) if want == "string" => {
            "quote the value: kustomize reads it as a non-string"
        }
        _ => "fix the value's type",
    })
}

fn yaml11_bool(s: &str) -> bool {
    crate::yaml::scalar::yaml11_bool(s).is_some()
}

/// Whether the scalar was written without quotes (looked up in the source text).
fn is_plain(loader: &Loader, n: &Node) -> bool {
    let span = n.span();
    if span.is_none() {
        return false;
    }
    let Some(file) = loader.sources.get(span.file) else {
        return false;
    };
    let first = file
        .text
        .get(span.start as usize..)
        .and_then(|t| t.chars().next());
    !matches!(first, Some('"' | '\'' | '|' | '>'))
}

/// A value a Go `string` field accepts: a string, or null (empty).
pub fn string(loader: &Loader, n: &Node, field: &str) -> Result<String> {
    match &n.value {
        Value::Null => Ok(String::new()),
        Value::Str(s) if yaml11_bool(s) && is_plain(loader, n) => Err(Error::at(
            "kustomization",
            n.span(),
            format!("invalid kustomization: `{field}`: '{s}' is a boolean in YAML 1.1, expected a string"),
        )
        .with_help(format!("quote it: \"{s}\""))),
        Value::Str(s) => Ok(s.clone()),
        _ => Err(type_error(n, field, "string")),
    }
}

/// A Go `bool` field.
pub fn boolean(loader: &Loader, n: &Node, field: &str) -> Result<bool> {
    match &n.value {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::Str(s) if is_plain(loader, n) && yaml11_bool(s) => Ok(matches!(
            s.as_str(),
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
        )),
        _ => Err(type_error(n, field, "boolean")),
    }
}

/// A Go `int64` field.
pub fn int(n: &Node, field: &str) -> Result<i64> {
    match &n.value {
        Value::Null => Ok(0),
        Value::Int(i) => Ok(*i),
        _ => Err(type_error(n, field, "integer")),
    }
}

/// A Go `map[string]string` field.
pub fn string_map(loader: &Loader, n: &Node, field: &str) -> Result<Vec<Pair>> {
    match &n.value {
        Value::Null => Ok(Vec::new()),
        Value::Map(m) => m
            .entries
            .iter()
            .map(|e| {
                Ok(Pair {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: string(loader, &e.value, &format!("{field}.{}", e.key))?,
                    value_span: e.value.span(),
                })
            })
            .collect(),
        _ => Err(type_error(n, field, "map of strings")),
    }
}

/// Refuses keys a Go struct does not have (kustomize decodes kustomizations strictly).
pub fn check_keys(n: &Node, field: &str, known: &[&str]) -> Result<()> {
    if n.is_null() {
        return Ok(());
    }
    let Some(m) = n.as_map() else {
        return Err(type_error(n, field, "mapping"));
    };
    for e in &m.entries {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&e.key)) {
            return Err(Error::at(
                "unknown-field",
                e.key_span,
                format!(
                    "invalid kustomization: unknown field \"{}\" in `{field}`",
                    e.key
                ),
            )
            .with_label("not accepted here")
            .with_help(format!("the known fields are: {}", known.join(", "))));
        }
    }
    Ok(())
}

/// A struct field as Go's encoding/json finds it: key names match case-insensitively, and of
/// several spellings the last one wins. Null counts as absent.
pub fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    let m = n.as_map()?;
    m.entries
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .map(|e| &e.value)
        .filter(|v| !v.is_null())
}

/// The entries of a list field (a null entry stands for an empty struct, as Go decodes it).
pub fn list<'a>(n: Option<&'a Node>, field: &str) -> Result<Vec<&'a Node>> {
    let Some(n) = n else {
        return Ok(Vec::new());
    };
    match &n.value {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => Ok(items.iter().collect()),
        _ => Err(type_error(n, field, "list")),
    }
}
