//! Reading `configMapGenerator` / `secretGenerator` entries and `generatorOptions` as strictly as
//! kustomize does (unknown fields and wrong types are errors).

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Value};

use super::super::resource::Behavior;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    ConfigMap,
    Secret,
}

impl GenKind {
    pub fn field(self) -> &'static str {
        match self {
            GenKind::ConfigMap => "configMapGenerator",
            GenKind::Secret => "secretGenerator",
        }
    }
    pub fn kind(self) -> &'static str {
        match self {
            GenKind::ConfigMap => "ConfigMap",
            GenKind::Secret => "Secret",
        }
    }
    /// The fields a generator entry of this kind takes.
    pub fn known_fields(self) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "name",
            "namespace",
            "behavior",
            "literals",
            "files",
            "envs",
            "env",
            "options",
        ];
        const SECRET: &[&str] = &[
            "name",
            "namespace",
            "behavior",
            "literals",
            "files",
            "envs",
            "env",
            "options",
            "type",
        ];
        match self {
            GenKind::ConfigMap => COMMON,
            GenKind::Secret => SECRET,
        }
    }
}

/// One generator entry.
pub struct GenArgs<'a> {
    pub kind: GenKind,
    pub entry: &'a Node,
    pub name: Option<(String, Span)>,
    pub namespace: Option<(String, Span)>,
    pub behavior: Behavior,
    pub behavior_span: Span,
    pub literals: Vec<(String, Span)>,
    pub files: Vec<(String, Span)>,
    /// `envs` then the legacy `env`, as kustomize appends it.
    pub envs: Vec<(String, Span)>,
    pub secret_type: Option<(String, Span)>,
    pub options: Options,
}

/// A label or annotation to set: key, key span, value (a string node from the kustomization).
pub type MetaEntry = (String, Span, Node);

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub labels: Vec<MetaEntry>,
    pub annotations: Vec<MetaEntry>,
    /// The span of `disableNameSuffixHash: true`, when set.
    pub disable_hash: Option<Span>,
    /// The span of `immutable: true`, when set.
    pub immutable: Option<Span>,
}

impl Options {
    /// kustomize's MergeGlobalOptionsIntoLocal: local labels/annotations win, a global `true` wins.
    pub fn merged_with_global(mut self, global: &Options) -> Options {
        for (k, ks, v) in &global.labels {
            if !self.labels.iter().any(|(l, _, _)| l == k) {
                self.labels.push((k.clone(), *ks, v.clone()));
            }
        }
        for (k, ks, v) in &global.annotations {
            if !self.annotations.iter().any(|(l, _, _)| l == k) {
                self.annotations.push((k.clone(), *ks, v.clone()));
            }
        }
        self.disable_hash = self.disable_hash.or(global.disable_hash);
        self.immutable = self.immutable.or(global.immutable);
        self
    }
}

fn err(field: &str, n: &Node, expected: &str) -> Error {
    Error::at(
        "generator",
        n.span(),
        format!("`{field}`: expected {expected}, found a {}", n.type_name()),
    )
}

fn check_fields(n: &Node, known: &[&str], what: &str) -> Result<()> {
    let Some(m) = n.as_map() else {
        return Err(err(what, n, "a mapping"));
    };
    for e in &m.entries {
        if !known.contains(&e.key.as_str()) {
            return Err(Error::at(
                "unknown-field",
                e.key_span,
                format!("unknown field \"{}\" in {what}", e.key),
            )
            .with_label("not a known field")
            .with_help(format!("known fields: {}", known.join(", "))));
        }
    }
    Ok(())
}

/// A string field; null counts as absent (Go's JSON leaves the field empty).
fn opt_string(n: &Node, key: &str, what: &str) -> Result<Option<(String, Span)>> {
    match n.get(key) {
        None => Ok(None),
        Some(v) => match &v.value {
            Value::Null => Ok(None),
            Value::Str(s) => Ok(Some((s.clone(), v.span()))),
            _ => Err(err(&format!("{what}.{key}"), v, "a string")),
        },
    }
}

fn string_list(n: &Node, key: &str, what: &str) -> Result<Vec<(String, Span)>> {
    let Some(v) = n.get(key).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(items) = v.as_seq() else {
        return Err(err(&format!("{what}.{key}"), v, "a list of strings"));
    };
    items
        .iter()
        .map(|i| match &i.value {
            Value::Str(s) => Ok((s.clone(), i.span())),
            Value::Null => Ok((String::new(), i.span())),
            _ => Err(err(&format!("{what}.{key}"), i, "a string")),
        })
        .collect()
}

fn opt_true(n: &Node, key: &str, what: &str) -> Result<Option<Span>> {
    match n.get(key) {
        None => Ok(None),
        Some(v) => match v.value {
            Value::Null | Value::Bool(false) => Ok(None),
            Value::Bool(true) => Ok(Some(v.span())),
            _ => Err(err(&format!("{what}.{key}"), v, "a boolean")),
        },
    }
}

fn string_map(n: &Node, key: &str, what: &str) -> Result<Vec<MetaEntry>> {
    let Some(v) = n.get(key).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(m) = v.as_map() else {
        return Err(err(&format!("{what}.{key}"), v, "a map of strings"));
    };
    let mut out = Vec::new();
    for e in &m.entries {
        let mut val = e.value.clone();
        match &val.value {
            Value::Str(_) => {}
            Value::Null => val.value = Value::Str(String::new()),
            _ => {
                return Err(err(
                    &format!("{what}.{key}.{}", e.key),
                    &e.value,
                    "a string",
                ));
            }
        }
        out.push((e.key.clone(), e.key_span, val));
    }
    Ok(out)
}

/// Parses `generatorOptions` or an entry's `options`.
pub fn parse_options(n: Option<&Node>, what: &str) -> Result<Options> {
    let Some(n) = n.filter(|n| !n.is_null()) else {
        return Ok(Options::default());
    };
    check_fields(
        n,
        &[
            "labels",
            "annotations",
            "disableNameSuffixHash",
            "immutable",
        ],
        what,
    )?;
    Ok(Options {
        labels: string_map(n, "labels", what)?,
        annotations: string_map(n, "annotations", what)?,
        disable_hash: opt_true(n, "disableNameSuffixHash", what)?,
        immutable: opt_true(n, "immutable", what)?,
    })
}

/// Parses one generator entry.
pub fn parse_entry(kind: GenKind, entry: &Node) -> Result<GenArgs<'_>> {
    let what = kind.field();
    check_fields(entry, kind.known_fields(), &format!("{what} entry"))?;
    let behavior_node = entry.get("behavior");
    let (behavior, behavior_span) = match opt_string(entry, "behavior", what)? {
        // kustomize treats an unknown behavior like an unspecified one, which acts as create
        Some((b, span)) => (
            match b.as_str() {
                "merge" => Behavior::Merge,
                "replace" => Behavior::Replace,
                _ => Behavior::Create,
            },
            span,
        ),
        None => (
            Behavior::Create,
            behavior_node.map_or(entry.span(), Node::span),
        ),
    };
    let mut envs = string_list(entry, "envs", what)?;
    if let Some((e, span)) = opt_string(entry, "env", what)?
        && !e.is_empty()
    {
        envs.push((e, span));
    }
    Ok(GenArgs {
        kind,
        entry,
        name: opt_string(entry, "name", what)?.filter(|(n, _)| !n.is_empty()),
        namespace: opt_string(entry, "namespace", what)?.filter(|(n, _)| !n.is_empty()),
        behavior,
        behavior_span,
        literals: string_list(entry, "literals", what)?,
        files: string_list(entry, "files", what)?,
        envs,
        secret_type: match kind {
            GenKind::Secret => opt_string(entry, "type", what)?.filter(|(t, _)| !t.is_empty()),
            GenKind::ConfigMap => None,
        },
        options: parse_options(entry.get("options"), &format!("{what}.options"))?,
    })
}
