//! A kustomization file: found in a directory, parsed with spans, fields read on demand.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::{FileId, Span};
use crate::yaml::{Document, Node, SetBy, Value, parse_stream};

use super::loader::Loader;

pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Every top-level field kustomize v5.5 accepts.
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "crds",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "imageTags",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "replacements",
    "vars",
    "configurations",
    "openapi",
    "buildMetadata",
    "sortOptions",
    "transformers",
    "generators",
    "validators",
    "helmCharts",
    "helmChartInflationGenerator",
    "helmGlobals",
    "inventory",
    "nameReference",
];

#[derive(Debug)]
pub struct Kustomization {
    /// Canonical directory.
    pub dir: PathBuf,
    pub path: PathBuf,
    pub file: FileId,
    pub root: Node,
    pub is_component: bool,
}

impl Kustomization {
    /// Finds and parses the kustomization file in `dir`.
    pub fn load(loader: &Loader, dir: &Path, span: Span) -> Result<Kustomization> {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        let path = match found.as_slice() {
            [] => {
                return Err(Error::at(
                    "missing-kustomization",
                    span,
                    format!(
                        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                        loader.display(dir)
                    ),
                ));
            }
            [one] => one.clone(),
            _ => {
                return Err(Error::at(
                    "multiple-kustomizations",
                    span,
                    format!(
                        "found multiple kustomization files in '{}'",
                        loader.display(dir)
                    ),
                )
                .with_help(
                    "keep exactly one of kustomization.yaml, kustomization.yml, Kustomization",
                ));
            }
        };
        let loaded = loader.load_yaml(&path, SetBy::Transformer, span)?;
        let root = match loaded.docs.as_slice() {
            [] => Node::map(crate::yaml::Origin::new(
                Span::new(loaded.file, 0, 0),
                SetBy::Transformer,
            )),
            [d] => d.root.clone(),
            [_, second, ..] => {
                return Err(Error::at(
                    "kustomization",
                    second.span,
                    "a kustomization file must hold a single document",
                ));
            }
        };
        if !matches!(root.value, Value::Map(_)) {
            return Err(Error::at(
                "kustomization",
                root.span(),
                format!(
                    "a kustomization must be a mapping, found a {}",
                    root.type_name()
                ),
            ));
        }
        let kind = root.str_at(&["kind"]).unwrap_or("Kustomization");
        let is_component = match kind {
            "" | "Kustomization" => false,
            "Component" => true,
            other => {
                let span = root.get("kind").map(Node::span).unwrap_or(root.span());
                return Err(Error::at(
                    "kustomization",
                    span,
                    format!("unsupported kind \"{other}\": expected Kustomization or Component"),
                ));
            }
        };
        let k = Kustomization {
            dir: dir.to_path_buf(),
            path,
            file: loaded.file,
            root,
            is_component,
        };
        k.check_fields()?;
        Ok(k)
    }

    fn check_fields(&self) -> Result<()> {
        let Some(m) = self.root.as_map() else {
            return Ok(());
        };
        for e in &m.entries {
            if !KNOWN_FIELDS.contains(&e.key.as_str()) {
                let hint = KNOWN_FIELDS
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(&e.key))
                    .map(|k| format!("did you mean `{k}`?"))
                    .unwrap_or_else(|| "remove it; kustomize refuses unknown fields".to_string());
                return Err(Error::at(
                    "unknown-field",
                    e.key_span,
                    format!("unknown field \"{}\" in {}", e.key, self.kind_name()),
                )
                .with_label("not a kustomization field")
                .with_help(hint));
            }
        }
        Ok(())
    }

    pub fn kind_name(&self) -> &'static str {
        if self.is_component {
            "Component"
        } else {
            "Kustomization"
        }
    }

    pub fn field(&self, name: &str) -> Option<&Node> {
        self.root.get(name).filter(|n| !n.is_null())
    }

    /// A list of strings (`resources`, `components`, …); each with its span.
    pub fn str_list(&self, name: &str) -> Result<Vec<(String, Span)>> {
        let Some(n) = self.field(name) else {
            return Ok(Vec::new());
        };
        let Some(items) = n.as_seq() else {
            return Err(type_error(name, n, "a list of strings"));
        };
        items
            .iter()
            .map(|i| match i.scalar_string() {
                Some(s) if !matches!(i.value, Value::Null) => Ok((s, i.span())),
                _ => Err(type_error(name, i, "a string")),
            })
            .collect()
    }

    /// A string field.
    pub fn string(&self, name: &str) -> Result<Option<(String, Span)>> {
        match self.field(name) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Str(s) => Ok(Some((s.clone(), n.span()))),
                Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                    Ok(Some((n.scalar_string().unwrap_or_default(), n.span())))
                }
                _ => Err(type_error(name, n, "a string")),
            },
        }
    }

    /// A list of mappings (`patches`, `images`, `replicas`, generators, …).
    pub fn map_list(&self, name: &str) -> Result<Vec<&Node>> {
        let Some(n) = self.field(name) else {
            return Ok(Vec::new());
        };
        let Some(items) = n.as_seq() else {
            return Err(type_error(name, n, "a list"));
        };
        for i in items {
            if i.as_map().is_none() {
                return Err(type_error(name, i, "a mapping"));
            }
        }
        Ok(items.iter().collect())
    }

    /// A string→string map (`commonLabels`, `commonAnnotations`).
    pub fn string_map(&self, name: &str) -> Result<Vec<(String, Node)>> {
        let Some(n) = self.field(name) else {
            return Ok(Vec::new());
        };
        let Some(m) = n.as_map() else {
            return Err(type_error(name, n, "a map of strings"));
        };
        let mut out = Vec::new();
        for e in &m.entries {
            let mut v = e.value.clone();
            match &v.value {
                Value::Str(_) => {}
                Value::Null => v.value = Value::Str(String::new()),
                Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                    v.value = Value::Str(v.scalar_string().unwrap_or_default())
                }
                _ => return Err(type_error(name, &e.value, "a string")),
            }
            out.push((e.key.clone(), v));
        }
        Ok(out)
    }

    /// Resolves a path relative to this kustomization for reading a file (load restrictor applies).
    pub fn resolve_file(&self, loader: &Loader, rel: &str, span: Span) -> Result<PathBuf> {
        loader.resolve(&self.dir, rel, Some(&self.dir), span)
    }
}

pub fn type_error(field: &str, n: &Node, expected: &str) -> Error {
    Error::at(
        "kustomization",
        n.span(),
        format!("`{field}`: expected {expected}, found a {}", n.type_name()),
    )
}

/// Parses YAML text held in a string value of `holder` (an inline patch), mapping the spans of the
/// result back into `holder`'s file when the text sits there verbatim (a block or plain scalar).
pub fn parse_embedded(
    loader: &Loader,
    holder: &Node,
    text: &str,
    by: SetBy,
    label: &str,
) -> Result<Vec<Document>> {
    let span = holder.span();
    let file_text: Option<Arc<str>> = loader.sources.get(span.file).map(|f| Arc::clone(&f.text));
    // Map each line of `text` to the byte offset of its start in the holder's file.
    let line_map = file_text
        .as_deref()
        .and_then(|ft| locate_lines(ft, span, text));
    let virt = loader.add_virtual(label.to_string(), Arc::from(text));
    let mut docs = parse_stream(text, virt, by).map_err(|e| {
        let mapped = remap_span(e.span, &line_map, text, span);
        Error::at("yaml", mapped, e.message)
    })?;
    for d in &mut docs {
        remap_node(&mut d.root, &line_map, text, span);
        d.span = remap_span(d.span, &line_map, text, span);
    }
    Ok(docs)
}

/// For each line of `text`, where that line starts in `file` inside `span`, if every line is found in
/// order (block scalars: the same text after indentation).
fn locate_lines(file: &str, span: Span, text: &str) -> Option<Vec<(usize, usize)>> {
    let region = file.get(span.start as usize..span.end.max(span.start) as usize)?;
    let mut out = Vec::new();
    let mut search_from = 0usize;
    for line in text.split('\n') {
        if line.is_empty() {
            out.push((span.start as usize + search_from, 0));
            continue;
        }
        let pos = region.get(search_from..)?.find(line)? + search_from;
        out.push((span.start as usize + pos, line.len()));
        search_from = pos + line.len();
    }
    Some(out)
}

fn remap_offset(off: u32, map: &Option<Vec<(usize, usize)>>, text: &str) -> Option<u32> {
    let map = map.as_ref()?;
    let off = off as usize;
    let mut line_start = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        let end = line_start + line.len();
        if off <= end {
            let (file_off, _) = *map.get(i)?;
            return Some((file_off + (off - line_start)) as u32);
        }
        line_start = end + 1;
    }
    None
}

fn remap_span(s: Span, map: &Option<Vec<(usize, usize)>>, text: &str, holder: Span) -> Span {
    match (
        remap_offset(s.start, map, text),
        remap_offset(s.end, map, text),
    ) {
        (Some(a), Some(b)) => Span {
            file: holder.file,
            start: a,
            end: b.max(a),
        },
        _ => holder,
    }
}

fn remap_node(n: &mut Node, map: &Option<Vec<(usize, usize)>>, text: &str, holder: Span) {
    n.origin.span = remap_span(n.origin.span, map, text, holder);
    match &mut n.value {
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|i| remap_node(i, map, text, holder)),
        Value::Map(m) => {
            for e in &mut m.entries {
                e.key_span = remap_span(e.key_span, map, text, holder);
                remap_node(&mut e.value, map, text, holder);
            }
        }
        _ => {}
    }
}
