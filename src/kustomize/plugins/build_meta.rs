//! `buildMetadata:` — kustomize's origin and transformation annotations and the managed-by label.
//!
//! Only the top kustomization's `buildMetadata` counts (kustomize hands it down to every nested
//! kustomization). While it is set, every resource carries `config.kubernetes.io/origin` from the
//! moment it enters the build (its file, or the generator that made it), and every transformer
//! that runs appends itself to `alpha.config.kubernetes.io/transformations` of every resource in
//! the map at the time, whether it changed the resource or not. Paths are relative to the directory
//! being built. At the end the annotations that were not asked for are removed again, as are
//! kustomize's internal build annotations, which kustomize removes from every build.

use std::path::{Component, Path, PathBuf};

use crate::error::Result;
use crate::source::Span;
use crate::yaml::emit::quote_str;
use crate::yaml::{Node, Origin, SetBy};

use super::super::kustomization::Kustomization;
use super::super::labels::values;
use super::super::resource::{ResMap, Resource};

pub const ORIGIN: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// What kubectl's embedded kustomize prints as its version.
pub const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// Annotations kustomize strips from every build's output.
const BUILD_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
];

/// The top kustomization's `buildMetadata` and the directory paths are relative to.
#[derive(Clone, Debug)]
pub struct BuildMeta {
    pub top: PathBuf,
    pub origin: bool,
    pub transformers: bool,
    pub managed_by: bool,
    pub span: Span,
}

impl BuildMeta {
    /// `None` when the kustomization asks for no build metadata.
    pub fn for_top(k: &Kustomization) -> Result<Option<BuildMeta>> {
        let list = k.str_list("buildMetadata")?;
        if list.is_empty() {
            return Ok(None);
        }
        let has = |opt: &str| list.iter().any(|(s, _)| s == opt);
        Ok(Some(BuildMeta {
            top: k.dir.clone(),
            origin: has("originAnnotations"),
            transformers: has("transformerAnnotations"),
            managed_by: has("managedByLabel"),
            span: k.field("buildMetadata").map_or(Span::NONE, Node::span),
        }))
    }

    /// `path` relative to the directory being built, with `/`.
    pub fn rel(&self, path: &Path) -> String {
        relative(&self.top, path)
    }

    fn origin(&self) -> Origin {
        Origin::new(self.span, SetBy::Transformer)
    }

    /// Marks resources read from `file` (replacing an origin they carry).
    pub fn annotate_file(&self, file: &Path, resources: &mut [Resource]) {
        let text = format!("path: {}\n", quote_str(&self.rel(file)));
        for r in resources {
            set_annotation(r, ORIGIN, &text, &self.origin());
        }
    }

    /// Marks what a generator made, unless it already has an origin.
    pub fn annotate_generated(&self, by: &ConfiguredBy, r: &mut Resource) {
        if annotation(r, ORIGIN).is_none() {
            set_annotation(r, ORIGIN, &by.origin_text(), &self.origin());
        }
    }

    /// Records that a transformer ran over every resource in the map.
    pub fn record_transformer(&self, by: &ConfiguredBy, resmap: &mut ResMap) {
        for r in &mut resmap.resources {
            match annotation(r, ORIGIN) {
                // kustomize assumes a resource without an origin was made by the transformer
                None => set_annotation(r, ORIGIN, &by.origin_text(), &self.origin()),
                Some(_) => {
                    let mut text = annotation(r, TRANSFORMATIONS).unwrap_or_default();
                    text.push_str(&by.item_text());
                    set_annotation(r, TRANSFORMATIONS, &text, &self.origin());
                }
            }
        }
    }
}

/// The generator or transformer config behind an annotation.
#[derive(Clone, Debug)]
pub struct ConfiguredBy {
    pub configured_in: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ConfiguredBy {
    pub fn builtin(configured_in: String, kind: &str) -> ConfiguredBy {
        ConfiguredBy {
            configured_in,
            api_version: "builtin".into(),
            kind: kind.into(),
            name: String::new(),
            namespace: String::new(),
        }
    }

    fn body(&self, indent: &str) -> String {
        let mut s = format!(
            "configuredIn: {}\n{indent}configuredBy:\n",
            quote_str(&self.configured_in)
        );
        for (k, v) in [
            ("apiVersion", &self.api_version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("{indent}  {k}: {}\n", quote_str(v)));
            }
        }
        s
    }

    fn origin_text(&self) -> String {
        self.body("")
    }

    fn item_text(&self) -> String {
        format!("- {}", self.body("  "))
    }
}

fn annotation(r: &Resource, key: &str) -> Option<String> {
    r.node
        .get_path(&["metadata", "annotations", key])
        .and_then(Node::scalar_string)
}

fn set_annotation(r: &mut Resource, key: &str, text: &str, origin: &Origin) {
    let Some(md) = r.node.ensure_map("metadata", origin) else {
        return;
    };
    let Some(ann) = md.ensure_map("annotations", origin) else {
        return;
    };
    if let Some(m) = ann.as_map_mut() {
        m.insert(key, origin.span, Node::str(text, origin.clone()));
    }
}

/// The end of the build: the managed-by label, then the annotations nobody asked for go.
pub fn finish(meta: Option<&BuildMeta>, resmap: &mut ResMap) -> Result<()> {
    let keep_origin = meta.is_some_and(|m| m.origin);
    let keep_transformations = meta.is_some_and(|m| m.transformers);
    for r in &mut resmap.resources {
        if let Some(m) = meta.filter(|m| m.managed_by) {
            let o = m.origin();
            if let Some(md) = r.node.ensure_map("metadata", &o)
                && let Some(labels) = md.ensure_map("labels", &o)
                && let Some(map) = labels.as_map_mut()
            {
                map.insert(MANAGED_BY, o.span, Node::str(MANAGED_BY_VALUE, o.clone()));
            }
        }
        let Some(md) = r.node.get_mut("metadata").and_then(Node::as_map_mut) else {
            continue;
        };
        let Some(ann) = md.get_mut("annotations").and_then(Node::as_map_mut) else {
            continue;
        };
        let before = ann.len();
        ann.entries.retain(|e| {
            !(BUILD_ANNOTATIONS.contains(&e.key.as_str())
                || (e.key == ORIGIN && !keep_origin)
                || (e.key == TRANSFORMATIONS && !keep_transformations))
        });
        if ann.is_empty() && before > 0 {
            md.remove("annotations");
        }
    }
    Ok(())
}

/// The kinds of the builtin transformers a kustomization's own fields configure, in the order
/// kustomize runs them (empty fields configure nothing).
pub fn builtin_transformers(k: &Kustomization) -> Vec<&'static str> {
    let mut out = Vec::new();
    let root = &k.root;
    let count = |key: &str| {
        values::get(root, key)
            .and_then(Node::as_seq)
            .map_or(0, Vec::len)
    };
    let non_empty_map = |key: &str| {
        values::get(root, key)
            .and_then(Node::as_map)
            .is_some_and(|m| !m.is_empty())
    };
    let non_empty_str = |key: &str| {
        values::get(root, key)
            .and_then(Node::scalar_string)
            .is_some_and(|s| !s.is_empty())
    };
    let mut push = |kind: &'static str, n: usize| out.extend(std::iter::repeat_n(kind, n));
    push(
        "PatchStrategicMergeTransformer",
        usize::from(count("patchesStrategicMerge") > 0),
    );
    push("PatchTransformer", count("patches"));
    push(
        "NamespaceTransformer",
        usize::from(non_empty_str("namespace")),
    );
    push(
        "PrefixTransformer",
        usize::from(non_empty_str("namePrefix")),
    );
    push(
        "SuffixTransformer",
        usize::from(non_empty_str("nameSuffix")),
    );
    // kustomize configures the commonLabels transformer, empty or not, whenever there are labels
    let labels = count("labels");
    let common = usize::from(labels > 0 || non_empty_map("commonLabels"));
    push("LabelTransformer", labels + common);
    push(
        "AnnotationsTransformer",
        usize::from(non_empty_map("commonAnnotations")),
    );
    push("PatchJson6902Transformer", count("patchesJson6902"));
    push("ReplicaCountTransformer", count("replicas"));
    push("ImageTagTransformer", count("images") + count("imageTags"));
    push(
        "ReplacementTransformer",
        usize::from(count("replacements") > 0),
    );
    out
}

/// `to` relative to `from` (both absolute), `..` where needed.
pub fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), f.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/r/a"), Path::new("/r/a/x.yaml")),
            "x.yaml"
        );
        assert_eq!(
            relative(Path::new("/r/overlays/prod"), Path::new("/r/base/d.yaml")),
            "../../base/d.yaml"
        );
    }

    #[test]
    fn configured_by_text() {
        let mut by = ConfiguredBy::builtin("kustomization.yaml".into(), "ConfigMapGenerator");
        assert_eq!(
            by.origin_text(),
            "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n"
        );
        by.name = "pg".into();
        assert_eq!(
            by.item_text(),
            "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: ConfigMapGenerator\n    name: pg\n"
        );
    }
}
