//! Field specs: where in which kinds a transformer writes (kustomize's `configurations`), and the walk
//! that visits those fields.

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, Value};

use super::resource::Gvk;

/// A field spec: a gvk selector (empty parts match anything), a path, and whether to create it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Path segments; `[]` suffixes stripped (lists are walked implicitly).
    pub path: Vec<String>,
    /// Per segment of `path`: whether it was written with a `[]` suffix. kustomize never creates such
    /// a segment, and turns a null there into an empty list.
    pub seq: Vec<bool>,
    pub create: bool,
}

impl FieldSpec {
    pub fn applies_to(&self, gvk: &Gvk) -> bool {
        gvk.matches(&self.group, &self.version, &self.kind)
    }

    /// Parses `a/b\/c/d[]` into segments.
    pub fn split_path(path: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut chars = path.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'/') => {
                    cur.push('/');
                    chars.next();
                }
                '/' => out.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        out.push(cur);
        out.into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_suffix("[]").map(str::to_string).unwrap_or(s))
            .collect()
    }

    /// Reads one field spec from a config node (`{group, version, kind, path, create}`).
    pub fn from_node(n: &Node) -> Result<FieldSpec> {
        let Some(m) = n.as_map() else {
            return Err(Error::at(
                "config",
                n.span(),
                "a field spec must be a mapping with `path` (and optionally group, version, kind, create)",
            ));
        };
        let s = |k: &str| m.get(k).and_then(|v| v.scalar_string()).unwrap_or_default();
        let path = s("path");
        if path.is_empty() {
            return Err(Error::at("config", n.span(), "a field spec needs a `path`"));
        }
        Ok(FieldSpec::new(
            &s("group"),
            &s("version"),
            &s("kind"),
            &path,
            m.get("create").and_then(Node::as_bool).unwrap_or(false),
        ))
    }

    pub fn new(group: &str, version: &str, kind: &str, path: &str, create: bool) -> FieldSpec {
        let raw: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let path = FieldSpec::split_path(path);
        // `a\/b` joins two raw pieces into one segment; only trust the hints when the counts agree
        let seq = if raw.len() == path.len() {
            raw.iter().map(|s| s.ends_with("[]")).collect()
        } else {
            vec![false; path.len()]
        };
        FieldSpec {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            path,
            seq,
            create,
        }
    }

    /// Whether path segment `i` was written as a list (`name[]`).
    pub fn is_seq(&self, i: usize) -> bool {
        self.seq.get(i).copied().unwrap_or(false)
    }
}

/// Visits the node(s) at `path` below `node`; sequences on the way are walked element by element.
/// Missing fields are created (as null, for the callback to fill) when `create` is set.
pub fn walk(
    node: &mut Node,
    path: &[String],
    create: bool,
    origin: &Origin,
    f: &mut dyn FnMut(&mut Node) -> Result<()>,
) -> Result<()> {
    if let Value::Seq(items) = &mut node.value {
        for item in items {
            walk(item, path, create, origin, f)?;
        }
        return Ok(());
    }
    let Some((first, rest)) = path.split_first() else {
        return f(node);
    };
    let Value::Map(m) = &mut node.value else {
        if node.is_null() && create {
            node.value = Value::Map(Default::default());
            return walk(node, path, create, origin, f);
        }
        return Ok(());
    };
    if m.get(first).is_none() {
        if !create {
            return Ok(());
        }
        let fresh = if rest.is_empty() {
            Node::null(origin.clone())
        } else {
            Node::map(origin.clone())
        };
        m.insert(first.clone(), origin.span, fresh);
    }
    match m.get_mut(first) {
        Some(child) => walk(child, rest, create, origin, f),
        None => Ok(()),
    }
}

/// Like [`walk`] but read-only and never creating.
pub fn visit<'a>(node: &'a Node, path: &[String], out: &mut Vec<&'a Node>) {
    if let Value::Seq(items) = &node.value {
        for item in items {
            visit(item, path, out);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        out.push(node);
        return;
    };
    if let Some(child) = node.get(first) {
        visit(child, rest, out);
    }
}

/// Parses a list of field specs under `key` of a config document.
pub fn specs_from(config: &Node, key: &str) -> Result<Vec<FieldSpec>> {
    match config.get(key) {
        None => Ok(Vec::new()),
        Some(n) => match n.as_seq() {
            Some(items) => items.iter().map(FieldSpec::from_node).collect(),
            None if n.is_null() => Ok(Vec::new()),
            None => Err(Error::at(
                "config",
                n.span(),
                format!("`{key}` must be a list of field specs"),
            )),
        },
    }
}

/// A reference from a field to a kind (kustomize's `nameReference` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct NameRef {
    /// The kind being referred to.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The fields that hold the name.
    pub fields: Vec<FieldSpec>,
}

/// All transformer configuration: kustomize's defaults plus `configurations` and `crds` additions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameRef>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
}

fn merge_specs(into: &mut Vec<FieldSpec>, from: &[FieldSpec]) {
    for s in from {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

impl TransformerConfig {
    /// Parses a configuration document (the format of kustomize's `configurations:` files).
    pub fn from_node(n: &Node) -> Result<TransformerConfig> {
        let mut name_reference = Vec::new();
        if let Some(items) = n.get("nameReference").and_then(Node::as_seq) {
            for item in items {
                let s = |k: &str| {
                    item.get(k)
                        .and_then(Node::scalar_string)
                        .unwrap_or_default()
                };
                let fields = specs_from(item, "fieldSpecs")?;
                name_reference.push(NameRef {
                    group: s("group"),
                    version: s("version"),
                    kind: s("kind"),
                    fields,
                });
            }
        }
        Ok(TransformerConfig {
            name_prefix: specs_from(n, "namePrefix")?,
            name_suffix: specs_from(n, "nameSuffix")?,
            namespace: specs_from(n, "namespace")?,
            common_labels: specs_from(n, "commonLabels")?,
            template_labels: specs_from(n, "templateLabels")?,
            common_annotations: specs_from(n, "commonAnnotations")?,
            name_reference,
            var_reference: specs_from(n, "varReference")?,
            images: specs_from(n, "images")?,
            replicas: specs_from(n, "replicas")?,
        })
    }

    /// Adds another config's specs (kustomize merges configurations upward through the build).
    pub fn merge(&mut self, other: &TransformerConfig) {
        merge_specs(&mut self.name_prefix, &other.name_prefix);
        merge_specs(&mut self.name_suffix, &other.name_suffix);
        merge_specs(&mut self.namespace, &other.namespace);
        merge_specs(&mut self.common_labels, &other.common_labels);
        merge_specs(&mut self.template_labels, &other.template_labels);
        merge_specs(&mut self.common_annotations, &other.common_annotations);
        merge_specs(&mut self.var_reference, &other.var_reference);
        merge_specs(&mut self.images, &other.images);
        merge_specs(&mut self.replicas, &other.replicas);
        for r in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|x| x.group == r.group && x.version == r.version && x.kind == r.kind)
            {
                Some(x) => merge_specs(&mut x.fields, &r.fields),
                None => self.name_reference.push(r.clone()),
            }
        }
    }

    /// kustomize's built-in configuration.
    pub fn defaults() -> TransformerConfig {
        TransformerConfig::defaults_ref().clone()
    }

    /// Nothing configured (no `configurations:` or `crds:` additions).
    pub fn is_empty(&self) -> bool {
        *self == TransformerConfig::default()
    }

    /// The configuration transformers use: the defaults, plus `extra` when there is any.
    pub fn with_defaults(
        extra: &TransformerConfig,
    ) -> std::borrow::Cow<'static, TransformerConfig> {
        if extra.is_empty() {
            std::borrow::Cow::Borrowed(TransformerConfig::defaults_ref())
        } else {
            let mut c = TransformerConfig::defaults();
            c.merge(extra);
            std::borrow::Cow::Owned(c)
        }
    }

    /// The built-in configuration, parsed once.
    pub fn defaults_ref() -> &'static TransformerConfig {
        use std::sync::OnceLock;
        static DEFAULTS: OnceLock<TransformerConfig> = OnceLock::new();
        DEFAULTS.get_or_init(|| {
            let mut cfg = TransformerConfig::default();
            for text in super::defaults::DEFAULT_CONFIGS {
                let docs = crate::yaml::parse_stream(
                    text,
                    crate::source::FileId::NONE,
                    crate::yaml::SetBy::Transformer,
                )
                .unwrap_or_default();
                for d in docs {
                    if let Ok(c) = TransformerConfig::from_node(&d.root) {
                        cfg.merge(&c);
                    }
                }
            }
            cfg
        })
    }
}

/// A span to hang created nodes on when a transformer has no better one.
pub fn origin_at(span: Span) -> Origin {
    Origin::new(span, crate::yaml::SetBy::Transformer)
}
