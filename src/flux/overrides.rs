//! What a Flux Kustomization adds to the kustomization it builds (fluxcd/pkg `Generator.WriteFile`):
//! the controller rewrites the path's kustomization.yaml (or the generated one) with
//! `namespace: <targetNamespace>`, `namePrefix`/`nameSuffix`, its `patches` appended, its
//! `components` appended (paths relative to the kustomization), the v1beta2 `patchesStrategicMerge` /
//! `patchesJson6902` appended, and its `images` merged by name — all at the same level as the file's
//! own fields, so they run in kustomize's usual transformer order. Every value keeps the span of the
//! Flux Kustomization's YAML, so findings name it. `commonMetadata` is not a kustomize field: the
//! controller sets those labels and annotations on the built objects' metadata, after `postBuild`
//! (see [`apply_common_metadata`]).

use std::path::Path;

use crate::error::{Error, Result};
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::loader::Loader;
use crate::kustomize::resource::{FluxPatch, ResMap, Resource};
use crate::kustomize::{self};
use crate::source::Span;
use crate::yaml::{Entry, Map, Node, Origin, SetBy, Value};

use super::generate;

/// The `spec` fields that change the build.
const BUILD_FIELDS: &[&str] = &[
    "targetNamespace",
    "namePrefix",
    "nameSuffix",
    "patches",
    "components",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
];

/// Does this Flux Kustomization change what kustomize builds (beyond `postBuild` and
/// `commonMetadata`, which act on the built objects)?
pub fn changes_build(flux: &Resource) -> bool {
    flux.node.get("spec").is_some_and(|s| {
        BUILD_FIELDS
            .iter()
            .any(|f| s.get(f).is_some_and(|n| !n.is_null()))
    })
}

/// Builds `dir` as the kustomize-controller does for the Flux Kustomization `flux` (none: plain).
pub fn build(loader: &Loader, dir: &Path, flux: Option<&Resource>, span: Span) -> Result<ResMap> {
    let spec = flux.and_then(|r| r.node.get("spec"));
    let changes = flux.is_some_and(changes_build);
    let root = if generate::has_kustomization(loader, dir) {
        let k = Kustomization::load(loader, dir, span)?;
        if !changes {
            return kustomize::build_kustomization(loader, &k);
        }
        k.root.clone()
    } else {
        generate::generated(loader, dir)?
    };
    let root = match spec {
        Some(s) if changes => merge(loader, dir, root, s)?,
        _ => root,
    };
    let k = Kustomization::synthetic(loader, dir, root)?;
    let mut built = kustomize::build_kustomization(loader, &k)?;
    if let (Some(flux), Some(spec)) = (flux, spec) {
        mark_flux_patches(flux, spec, &mut built);
    }
    Ok(built)
}

/// Marks the unmatched targets that are the Flux Kustomization's own `spec.patches`, and whether
/// each was written in its file or came from elsewhere (a parent's patch, a component).
fn mark_flux_patches(flux: &Resource, spec: &Node, built: &mut ResMap) {
    let Some(items) = spec.get("patches").and_then(Node::as_seq) else {
        return;
    };
    let targets: Vec<Span> = items
        .iter()
        .filter_map(|p| p.get("target"))
        .map(Node::span)
        .collect();
    for u in &mut built.unmatched_patches {
        if targets.contains(&u.target) {
            u.flux = Some(if u.target.file == flux.doc_span.file {
                FluxPatch::Own
            } else {
                FluxPatch::Inherited
            });
        }
    }
}

fn merge(loader: &Loader, dir: &Path, mut root: Node, spec: &Node) -> Result<Node> {
    if root.is_null() {
        root = Node::map(root.origin.clone());
    }
    let base = root.origin.clone();
    let Some(m) = root.as_map_mut() else {
        return Ok(root);
    };
    for (field, key) in [
        ("targetNamespace", "namespace"),
        ("namePrefix", "namePrefix"),
        ("nameSuffix", "nameSuffix"),
    ] {
        if let Some(e) = spec_entry(spec, field) {
            let Some(s) = e.value.as_str() else {
                return Err(wrong_type(field, &e.value, "a string"));
            };
            set(m, key, e.key_span, Node::str(s, transformer(&e.value)));
        }
    }
    if let Some(items) = spec_list(spec, "patches")? {
        for p in items {
            let mut entry = Map::new();
            for k in ["patch", "target"] {
                if let Some(e) = p.as_map().and_then(|pm| pm.entry(k)) {
                    entry.insert(k, e.key_span, e.value.clone());
                }
            }
            push(
                m,
                "patches",
                &base,
                Node::new(Value::Map(entry), p.origin.clone()),
            );
        }
    }
    if let Some(items) = spec_list(spec, "components")? {
        let ignore_missing = spec
            .get("ignoreMissingComponents")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        for c in items {
            let Some(s) = c.as_str() else {
                return Err(wrong_type("components", c, "a list of paths"));
            };
            if !is_local_relative(s) {
                return Err(Error::at(
                    "flux-component",
                    c.span(),
                    format!("component path '{s}' must be local and relative"),
                )
                .with_label("not a local relative path")
                .with_help("components are read from the source, relative to spec.path"));
            }
            if ignore_missing && !loader.exists(&dir.join(s)) {
                continue;
            }
            push(m, "components", &base, c.clone());
        }
    }
    if let Some(items) = spec_list(spec, "patchesStrategicMerge")? {
        for p in items {
            // the API holds these as objects; kustomize reads them as inline YAML text
            let text = crate::yaml::emit::emit_document(p, None);
            push(
                m,
                "patchesStrategicMerge",
                &base,
                Node::str(text, p.origin.clone()),
            );
        }
    }
    if let Some(items) = spec_list(spec, "patchesJson6902")? {
        for p in items {
            let mut entry = Map::new();
            if let Some(e) = p.as_map().and_then(|pm| pm.entry("target")) {
                entry.insert("target", e.key_span, e.value.clone());
            }
            if let Some(e) = p.as_map().and_then(|pm| pm.entry("patch")) {
                // the controller marshals the operations to JSON text
                let json = serde_json::to_string(&e.value.to_json()).unwrap_or_default();
                entry.insert("patch", e.key_span, Node::str(json, e.value.origin.clone()));
            }
            push(
                m,
                "patchesJson6902",
                &base,
                Node::new(Value::Map(entry), p.origin.clone()),
            );
        }
    }
    if let Some(items) = spec_list(spec, "images")? {
        for img in items {
            let name = img.get("name").and_then(Node::as_str).unwrap_or("");
            let mut entry = Map::new();
            for k in ["name", "newName", "newTag", "digest"] {
                if let Some(e) = img.as_map().and_then(|im| im.entry(k)) {
                    entry.insert(k, e.key_span, retag(&e.value));
                }
            }
            let new = Node::new(Value::Map(entry), img.origin.clone());
            with_list(m, "images", &base, |list| {
                match list
                    .iter_mut()
                    .find(|i| i.get("name").and_then(Node::as_str) == Some(name))
                {
                    // the controller replaces an image of the same name whole
                    Some(old) => *old = new,
                    None => list.push(new),
                }
            });
        }
    }
    Ok(root)
}

/// `commonMetadata`: labels and annotations set on every object's metadata (not on selectors or
/// templates), overriding values of the same key.
pub fn apply_common_metadata(flux: &Resource, objects: &mut [Resource]) {
    let Some(cm) = flux.node.get_path(&["spec", "commonMetadata"]) else {
        return;
    };
    for field in ["labels", "annotations"] {
        let Some(pairs) = cm.get(field).and_then(Node::as_map) else {
            continue;
        };
        if pairs.is_empty() {
            continue;
        }
        for r in objects.iter_mut() {
            let Some(md) = r
                .node
                .ensure_map("metadata", &Origin::new(r.doc_span, SetBy::Resource))
            else {
                continue;
            };
            let Some(target) = md.ensure_map(field, &Origin::new(cm.span(), SetBy::Transformer))
            else {
                continue;
            };
            let Some(tm) = target.as_map_mut() else {
                continue;
            };
            for e in &pairs.entries {
                let origin = Origin::new(e.value.span(), SetBy::Transformer);
                let value = e.value.scalar_string().unwrap_or_default();
                let origin = match tm.get(&e.key) {
                    Some(old) => origin.overriding(&old.origin),
                    None => origin,
                };
                tm.insert(e.key.clone(), e.key_span, Node::str(value, origin));
            }
        }
    }
}

/// Values copied from the Flux Kustomization count as set by a kustomization field.
fn transformer(n: &Node) -> Origin {
    Origin::new(n.span(), SetBy::Transformer)
}

fn retag(n: &Node) -> Node {
    let mut n = n.clone();
    n.origin.by = SetBy::Transformer;
    n
}

fn spec_entry<'a>(spec: &'a Node, field: &str) -> Option<&'a Entry> {
    spec.as_map()?
        .entries
        .iter()
        .find(|e| e.key == field && !e.value.is_null())
}

fn spec_list<'a>(spec: &'a Node, field: &str) -> Result<Option<&'a Vec<Node>>> {
    match spec_entry(spec, field) {
        None => Ok(None),
        Some(e) => match e.value.as_seq() {
            Some(items) => Ok(Some(items)),
            None => Err(wrong_type(field, &e.value, "a list")),
        },
    }
}

fn set(m: &mut Map, key: &str, key_span: Span, value: Node) {
    m.insert(key, key_span, value);
}

/// Appends to a list field of the kustomization, creating it when absent.
fn push(m: &mut Map, key: &str, base: &Origin, item: Node) {
    with_list(m, key, base, |items| items.push(item));
}

fn with_list(m: &mut Map, key: &str, base: &Origin, f: impl FnOnce(&mut Vec<Node>)) {
    if let Some(n) = m.get_mut(key)
        && let Value::Seq(items) = &mut n.value
    {
        f(items);
        return;
    }
    // absent or null (a non-list is left for kustomize to refuse, as it would the file)
    if m.get(key).is_some_and(|n| !n.is_null()) {
        return;
    }
    let mut items = Vec::new();
    f(&mut items);
    m.insert(key, base.span, Node::seq(items, base.clone()));
}

fn wrong_type(field: &str, n: &Node, expected: &str) -> Error {
    Error::at(
        "flux-kustomization",
        n.span(),
        format!("spec.{field} must be {expected}, found a {}", n.type_name()),
    )
    .with_label("wrong type")
}

/// Flux refuses remote and absolute component paths (`IsLocalRelativePath`).
fn is_local_relative(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    let remote = [
        "git::",
        "gh:",
        "ssh://",
        "https://",
        "http://",
        "git@",
        "github.com:",
        "github.com/",
    ]
    .iter()
    .any(|pre| pre.len() < lower.len() && lower.starts_with(pre));
    !remote && !p.starts_with('/') && !lower.trim_start_matches("file://").starts_with('/')
}
