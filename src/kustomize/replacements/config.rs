//! Reading `replacements:` entries (kustomize's `types.Replacement`) from nodes, keeping spans.
//!
//! Keys match case-insensitively, as Go's JSON decoding does. Entries written in the kustomization are
//! decoded strictly (unknown fields are errors); files named by `path:` are not.

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Value};

use super::selector::IdSelector;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub delimiter: String,
    pub index: i64,
    pub create: bool,
}

#[derive(Clone, Debug)]
pub struct Source {
    pub span: Span,
    pub id: IdSelector,
    /// The path and its span; `None` means kustomize's default, `metadata.name`.
    pub field_path: Option<(String, Span)>,
    pub options: Options,
}

#[derive(Clone, Debug)]
pub struct Selector {
    pub span: Span,
    pub id: IdSelector,
    pub label_selector: String,
    pub annotation_selector: String,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub span: Span,
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<(String, Span)>,
    pub options: Options,
}

#[derive(Clone, Debug)]
pub struct Replacement {
    pub span: Span,
    pub source: Option<Source>,
    pub targets: Option<Vec<Target>>,
}

/// A mapping read with Go's JSON rules.
struct Fields<'a> {
    node: &'a Node,
    what: &'static str,
}

impl<'a> Fields<'a> {
    fn new(node: &'a Node, what: &'static str, known: &[&str], strict: bool) -> Result<Self> {
        let Some(m) = node.as_map() else {
            return Err(Error::at(
                "replacement",
                node.span(),
                format!("{what} must be a mapping, found a {}", node.type_name()),
            ));
        };
        if strict
            && let Some(e) = m
                .entries
                .iter()
                .find(|e| !known.iter().any(|k| k.eq_ignore_ascii_case(&e.key)))
        {
            return Err(Error::at(
                "replacement",
                e.key_span,
                format!("unknown field \"{}\" in {what}", e.key),
            )
            .with_label("not a field of this type")
            .with_help(format!("the fields are: {}", known.join(", "))));
        }
        Ok(Fields { node, what })
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        let m = self.node.as_map()?;
        // Go prefers an exact match, then takes a case-insensitive one.
        m.get(key)
            .or_else(|| {
                m.entries
                    .iter()
                    .find(|e| e.key.eq_ignore_ascii_case(key))
                    .map(|e| &e.value)
            })
            .filter(|n| !n.is_null())
    }

    fn string(&self, key: &str) -> Result<Option<(String, Span)>> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Str(s) => Ok(Some((s.clone(), n.span()))),
                _ => Err(self.type_error(key, n, "a string")),
            },
        }
    }

    fn str_or_empty(&self, key: &str) -> Result<String> {
        Ok(self.string(key)?.map(|(s, _)| s).unwrap_or_default())
    }

    fn type_error(&self, key: &str, n: &Node, expected: &str) -> Error {
        Error::at(
            "replacement",
            n.span(),
            format!(
                "`{key}` in {} must be {expected}, found a {}",
                self.what,
                n.type_name()
            ),
        )
    }
}

const ID_KEYS: [&str; 5] = ["group", "version", "kind", "name", "namespace"];

fn id_selector(f: &Fields) -> Result<IdSelector> {
    Ok(IdSelector {
        group: f.str_or_empty("group")?,
        version: f.str_or_empty("version")?,
        kind: f.str_or_empty("kind")?,
        name: f.str_or_empty("name")?,
        namespace: f.str_or_empty("namespace")?,
    })
}

fn options(n: Option<&Node>, strict: bool) -> Result<Options> {
    let Some(n) = n else {
        return Ok(Options::default());
    };
    let f = Fields::new(
        n,
        "replacement options",
        &["delimiter", "index", "encoding", "create"],
        strict,
    )?;
    let index = match f.get("index") {
        None => 0,
        Some(i) => i
            .as_i64()
            .filter(|_| matches!(i.value, Value::Int(_)))
            .ok_or_else(|| f.type_error("index", i, "an integer"))?,
    };
    let create = match f.get("create") {
        None => false,
        Some(c) => c
            .as_bool()
            .ok_or_else(|| f.type_error("create", c, "a boolean"))?,
    };
    Ok(Options {
        delimiter: f.str_or_empty("delimiter")?,
        index,
        create,
    })
}

fn selector(n: &Node, strict: bool) -> Result<Selector> {
    let mut known = ID_KEYS.to_vec();
    known.extend(["labelSelector", "annotationSelector"]);
    let f = Fields::new(n, "a replacement selector", &known, strict)?;
    Ok(Selector {
        span: n.span(),
        id: id_selector(&f)?,
        label_selector: f.str_or_empty("labelSelector")?,
        annotation_selector: f.str_or_empty("annotationSelector")?,
    })
}

fn source(n: &Node, strict: bool) -> Result<Source> {
    let mut known = ID_KEYS.to_vec();
    known.extend(["fieldPath", "options"]);
    let f = Fields::new(n, "a replacement source", &known, strict)?;
    Ok(Source {
        span: n.span(),
        id: id_selector(&f)?,
        field_path: f.string("fieldPath")?.filter(|(s, _)| !s.is_empty()),
        options: options(f.get("options"), strict)?,
    })
}

fn list<'a>(f: &Fields<'a>, key: &str) -> Result<Option<&'a [Node]>> {
    match f.get(key) {
        None => Ok(None),
        Some(n) => match n.as_seq() {
            Some(items) => Ok(Some(items.as_slice())),
            None => Err(f.type_error(key, n, "a list")),
        },
    }
}

fn target(n: &Node, strict: bool) -> Result<Target> {
    let f = Fields::new(
        n,
        "a replacement target",
        &["select", "reject", "fieldPaths", "options"],
        strict,
    )?;
    let select = f.get("select").map(|s| selector(s, strict)).transpose()?;
    let reject = list(&f, "reject")?
        .unwrap_or_default()
        .iter()
        .filter(|r| !r.is_null())
        .map(|r| selector(r, strict))
        .collect::<Result<Vec<_>>>()?;
    let mut field_paths = Vec::new();
    for p in list(&f, "fieldPaths")?.unwrap_or_default() {
        match &p.value {
            Value::Str(s) => field_paths.push((s.clone(), p.span())),
            _ => return Err(f.type_error("fieldPaths", p, "a list of strings")),
        }
    }
    Ok(Target {
        span: n.span(),
        select,
        reject,
        field_paths,
        options: options(f.get("options"), strict)?,
    })
}

/// One replacement; `strict` for entries written inline in a kustomization.
pub fn replacement(n: &Node, strict: bool) -> Result<Replacement> {
    let f = Fields::new(n, "a replacement", &["source", "targets", "path"], strict)?;
    let source = f.get("source").map(|s| source(s, strict)).transpose()?;
    let targets = list(&f, "targets")?
        .map(|items| {
            items
                .iter()
                .filter(|t| !t.is_null())
                .map(|t| target(t, strict))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    Ok(Replacement {
        span: n.span(),
        source,
        targets,
    })
}

/// The `path:` of an inline entry, refusing one that also has a source or targets.
pub fn entry_path(n: &Node, strict: bool) -> Result<Option<(String, Span)>> {
    let f = Fields::new(n, "a replacement", &["source", "targets", "path"], strict)?;
    let Some(path) = f.string("path")?.filter(|(p, _)| !p.is_empty()) else {
        return Ok(None);
    };
    let has_targets = list(&f, "targets")?.is_some_and(|t| !t.is_empty());
    if f.get("source").is_some() || has_targets {
        return Err(Error::at(
            "replacement",
            path.1,
            "cannot specify both path and inline replacement",
        )
        .with_help("move the source and targets into the file, or drop `path`"));
    }
    Ok(Some(path))
}
