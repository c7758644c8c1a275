//! A kustomization file: found in a directory, parsed with spans, fields read on demand.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::{FileId, Span};
use crate::yaml::{Entry, Node, SetBy, Value};

use super::loader::Loader;

mod decode;
mod embedded;

use decode::{canonical, fold_keys, is_yaml11_bool, unknown_field};
pub use embedded::parse_embedded;

pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Every top-level field kustomize v5.5 accepts (matched case-insensitively, as Go's encoding/json
/// matches struct fields).
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
];

/// The fields of a kustomization's `metadata` (kustomize's ObjectMeta).
const METADATA_FIELDS: &[&str] = &["name", "namespace", "labels", "annotations"];

/// Fields whose empty list kustomize folds away on load (`bases` into `resources`, `imageTags` into
/// `images`, `helmChartInflationGenerator` into `helmCharts`), so they leave a kustomization empty.
const FOLDED_FIELDS: &[&str] = &["bases", "imageTags", "helmChartInflationGenerator"];

#[derive(Debug)]
pub struct Kustomization {
    /// Canonical directory.
    pub dir: PathBuf,
    pub path: PathBuf,
    pub file: FileId,
    pub root: Node,
    pub is_component: bool,
    /// The file's text, to tell plain scalars (YAML 1.1 booleans) from quoted ones.
    text: Arc<str>,
}

impl Kustomization {
    /// Finds and parses the kustomization file in `dir`.
    pub fn load(loader: &Loader, dir: &Path, span: Span) -> Result<Kustomization> {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| loader.is_file(p))
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
        let text = loader
            .sources
            .get(loaded.file)
            .map(|f| Arc::clone(&f.text))
            .unwrap_or_else(|| Arc::from(""));
        let file_span = Span::new(loaded.file, 0, 0);
        // kustomize reads the first document only; later ones are ignored
        let root = match loaded.docs.first() {
            Some(d) if !d.root.is_null() => d.root.clone(),
            _ => Node::null(crate::yaml::Origin::new(file_span, SetBy::Transformer)),
        };
        if !matches!(root.value, Value::Map(_) | Value::Null) {
            return Err(Error::at(
                "kustomization",
                root.span(),
                format!(
                    "a kustomization must be a mapping, found a {}",
                    root.type_name()
                ),
            ));
        }
        let mut k = Kustomization {
            dir: dir.to_path_buf(),
            path,
            file: loaded.file,
            root: fold_keys(root),
            is_component: false,
            text,
        };
        k.check_fields()?;
        k.check_type_meta()?;
        if k.is_empty() {
            return Err(Error::at(
                "empty-kustomization",
                k.root.span(),
                "kustomization.yaml is empty",
            )
            .with_label("nothing to build")
            .with_help(
                "list resources, components or generators (an empty `resources: []` is enough)",
            ));
        }
        Ok(k)
    }

    /// A kustomization that exists only in memory (what Flux generates for a path without one, or the
    /// fields a Flux Kustomization adds): `root` holds the fields, with spans into wherever they
    /// were written; `file` is the file that wrote them.
    pub fn synthetic(loader: &Loader, dir: &Path, root: Node) -> Result<Kustomization> {
        let file = root.span().file;
        let text = loader
            .sources
            .get(file)
            .map(|f| Arc::clone(&f.text))
            .unwrap_or_else(|| Arc::from(""));
        let path = loader
            .sources
            .get(file)
            .map(|f| f.path.clone())
            .unwrap_or_else(|| dir.join("kustomization.yaml"));
        let mut k = Kustomization {
            dir: dir.to_path_buf(),
            path,
            file,
            root: fold_keys(root),
            is_component: false,
            text,
        };
        k.check_fields()?;
        k.check_type_meta()?;
        Ok(k)
    }

    /// `kind` and `apiVersion`, checked as kustomize's EnforceFields does.
    fn check_type_meta(&mut self) -> Result<()> {
        let kind = self.string("kind")?.map(|(s, _)| s).unwrap_or_default();
        self.is_component = match kind.as_str() {
            "" | "Kustomization" => false,
            "Component" => true,
            other => {
                let span = self.field("kind").map_or(self.root.span(), Node::span);
                return Err(Error::at(
                    "kustomization",
                    span,
                    format!(
                        "unsupported kind \"{other}\": kind should be Kustomization or Component"
                    ),
                ));
            }
        };
        let (want, kind) = if self.is_component {
            ("kustomize.config.k8s.io/v1alpha1", "Component")
        } else {
            ("kustomize.config.k8s.io/v1beta1", "Kustomization")
        };
        if let Some((v, span)) = self.string("apiVersion")?
            && !v.is_empty()
            && v != want
        {
            return Err(Error::at(
                "kustomization",
                span,
                format!("apiVersion for {kind} should be {want}"),
            )
            .with_label(format!("found \"{v}\"")));
        }
        Ok(())
    }

    /// kustomize refuses a kustomization that sets nothing but `apiVersion` and `kind`.
    fn is_empty(&self) -> bool {
        let Some(m) = self.root.as_map() else {
            return true;
        };
        m.entries.iter().all(|e| {
            let key = canonical(&e.key).unwrap_or("");
            match &e.value.value {
                _ if matches!(key, "apiVersion" | "kind") => true,
                Value::Null => true,
                Value::Str(s) if s.is_empty() => {
                    matches!(key, "namespace" | "namePrefix" | "nameSuffix")
                }
                Value::Seq(items) if items.is_empty() => FOLDED_FIELDS.contains(&key),
                _ => false,
            }
        })
    }

    fn check_fields(&self) -> Result<()> {
        let Some(m) = self.root.as_map() else {
            return Ok(());
        };
        for e in &m.entries {
            if canonical(&e.key).is_none() {
                return Err(unknown_field(
                    &e.key,
                    e.key_span,
                    self.kind_name(),
                    KNOWN_FIELDS,
                ));
            }
        }
        if let Some(md) = self.field("metadata") {
            let Some(mm) = md.as_map() else {
                return Err(type_error("metadata", md, "a mapping"));
            };
            for e in &mm.entries {
                if !METADATA_FIELDS
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(&e.key))
                {
                    return Err(unknown_field(
                        &e.key,
                        e.key_span,
                        "metadata",
                        METADATA_FIELDS,
                    ));
                }
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

    /// A top-level field as kustomize finds it: the key matched case-insensitively, the last of
    /// several spellings winning; null counts as absent.
    pub fn field(&self, name: &str) -> Option<&Node> {
        self.entry(name).map(|e| &e.value).filter(|n| !n.is_null())
    }

    /// The entry (key and value) of a top-level field, matched as [`Kustomization::field`] does.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.root
            .as_map()?
            .entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case(name))
    }

    /// A plain scalar that YAML 1.1 (kustomize's reader) takes for a boolean.
    fn is_yaml11_bool(&self, n: &Node) -> bool {
        let Some(s) = n.as_str() else {
            return false;
        };
        let plain = self
            .text
            .get(n.span().start as usize..)
            .and_then(|t| t.chars().next())
            .is_some_and(|c| !matches!(c, '"' | '\'' | '|' | '>'));
        plain && n.span().file == self.file && !n.span().is_none() && is_yaml11_bool(s)
    }

    /// A Go `string` value: strings only (numbers and booleans are refused, as kustomize does).
    fn go_string(&self, field: &str, n: &Node) -> Result<String> {
        match &n.value {
            Value::Str(_) if self.is_yaml11_bool(n) => Err(Error::at(
                "kustomization",
                n.span(),
                format!(
                    "`{field}`: expected a string, found a boolean ('{}' is a boolean in YAML 1.1)",
                    n.as_str().unwrap_or_default()
                ),
            )
            .with_help(format!("quote it: \"{}\"", n.as_str().unwrap_or_default()))),
            Value::Str(s) => Ok(s.clone()),
            Value::Null => Ok(String::new()),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                Err(type_error(field, n, "a string")
                    .with_help("quote the value: kustomize reads it as a non-string"))
            }
            _ => Err(type_error(field, n, "a string")),
        }
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
            .map(|i| match &i.value {
                Value::Null => Err(type_error(name, i, "a string")),
                _ => Ok((self.go_string(name, i)?, i.span())),
            })
            .collect()
    }

    /// A string field.
    pub fn string(&self, name: &str) -> Result<Option<(String, Span)>> {
        match self.field(name) {
            None => Ok(None),
            Some(n) => Ok(Some((self.go_string(name, n)?, n.span()))),
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

    /// A string→string map (`commonLabels`, `commonAnnotations`). Go decodes every spelling of the
    /// key into the same map, so `commonLabels` and `commonlabels` add up; values must be strings.
    pub fn string_map(&self, name: &str) -> Result<Vec<(String, Node)>> {
        let Some(m) = self.root.as_map() else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(String, Node)> = Vec::new();
        for e in m
            .entries
            .iter()
            .filter(|e| e.key.eq_ignore_ascii_case(name))
        {
            let n = &e.value;
            let Some(map) = n.as_map() else {
                if n.is_null() {
                    continue;
                }
                return Err(type_error(name, n, "a map of strings"));
            };
            for item in &map.entries {
                let key_node = Node::str(
                    item.key.clone(),
                    crate::yaml::Origin::new(item.key_span, SetBy::Transformer),
                );
                if self.is_yaml11_bool(&key_node) {
                    return Err(Error::at(
                        "kustomization",
                        item.key_span,
                        format!("`{name}`: the key '{}' is a boolean in YAML 1.1", item.key),
                    )
                    .with_help(format!("quote it: \"{}\"", item.key)));
                }
                let mut v = item.value.clone();
                v.value = Value::Str(self.go_string(&format!("{name}.{}", item.key), &v)?);
                match out.iter_mut().find(|(k, _)| *k == item.key) {
                    Some(slot) => slot.1 = v,
                    None => out.push((item.key.clone(), v)),
                }
            }
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
