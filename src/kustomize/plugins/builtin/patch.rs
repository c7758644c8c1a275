//! PatchTransformer, PatchJson6902Transformer, PatchStrategicMergeTransformer and
//! ReplacementTransformer configs.
//!
//! kustomize v5.5 runs the kustomization's `patches:`, `patchesJson6902:`, `patchesStrategicMerge:`
//! and `replacements:` fields as exactly these plugins, so the field forms' code runs them here too
//! (origins included: values a patch sets point at the patch). What differs is decoding: keys
//! match case-insensitively and unknown keys are ignored, top-level strings take any scalar, while
//! selector fields and `options` must have their own types. A `path` resolves against the
//! kustomization that lists the transformer, not the config file (kustomize configures every
//! plugin with the kustomization's loader, whether the config is inline, a file or a directory).

use std::path::Path;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Map, Node, Value};

use super::super::super::Ctx;
use super::super::super::labels::values;
use super::super::super::resource::ResMap;
use super::super::super::{patches, replacements};
use super::super::decode::Cfg;
use super::super::load::PluginConfig;

const ID_KEYS: &[&str] = &["group", "version", "kind", "name", "namespace"];
const SELECTOR_KEYS: &[&str] = &["labelSelector", "annotationSelector"];

pub fn fails(cfg: &Cfg, n: &Node, msg: &str) -> Error {
    Error::at(
        "plugin-config",
        n.span(),
        format!("plugin {} fails configuration: {msg}", cfg.label),
    )
}

pub fn type_error(cfg: &Cfg, n: &Node, field: &str, want: &str) -> Error {
    cfg.error(
        n,
        field,
        &format!("expected {want}, found a {}", n.type_name()),
    )
    .with_label("wrong type")
}

/// A Go `string` field kept as a node (for spans): any scalar, as its text; `None` when absent or "".
fn text_node(cfg: &Cfg, n: Option<&Node>, field: &str) -> Result<Option<Node>> {
    let Some(n) = n else {
        return Ok(None);
    };
    let text = cfg.string_of(Some(n), field)?;
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(match n.value {
        Value::Str(_) => n.clone(),
        _ => Node::str(text, n.origin.clone()),
    }))
}

/// A `types.Selector` (patch target, ValueAdd selector) with the keys `Selector::parse` reads.
/// Its id fields come from an embedded struct that sigs.k8s.io/yaml does not coerce: only strings.
pub fn selector_node(cfg: &Cfg, n: &Node, field: &str) -> Result<Node> {
    if n.as_map().is_none() {
        return Err(type_error(cfg, n, field, "a mapping"));
    }
    let mut m = Map::new();
    for key in ID_KEYS.iter().chain(SELECTOR_KEYS) {
        let Some(v) = values::get(n, key) else {
            continue;
        };
        let name = format!("{field}.{key}");
        let v = if ID_KEYS.contains(key) {
            match v.value {
                Value::Str(_) => v.clone(),
                _ => return Err(type_error(cfg, v, &name, "a string")),
            }
        } else {
            Node::str(cfg.string_of(Some(v), &name)?, v.origin.clone())
        };
        m.insert(*key, v.span(), v);
    }
    Ok(Node::new(Value::Map(m), n.origin.clone()))
}

/// `options` of a PatchTransformer: a Go `map[string]bool`, so only `true` / `false`.
fn options_node(cfg: &Cfg, n: &Node) -> Result<Node> {
    let Some(m) = n.as_map() else {
        return Err(type_error(cfg, n, "options", "a map of booleans"));
    };
    for e in &m.entries {
        if !matches!(e.value.value, Value::Bool(_) | Value::Null) {
            return Err(type_error(
                cfg,
                &e.value,
                &format!("options.{}", e.key),
                "true or false",
            )
            .with_help("write the option unquoted: `allowNameChange: true`"));
        }
    }
    let mut out = n.clone();
    if let Some(m) = out.as_map_mut() {
        m.entries.retain(|e| !e.value.is_null());
    }
    Ok(out)
}

/// A Go slice field: absent or null is empty.
pub fn list<'a>(cfg: &Cfg, n: Option<&'a Node>, field: &str) -> Result<Vec<&'a Node>> {
    match n.map(|n| (n, &n.value)) {
        None | Some((_, Value::Null)) => Ok(Vec::new()),
        Some((_, Value::Seq(items))) => Ok(items.iter().collect()),
        Some((n, _)) => Err(type_error(cfg, n, field, "a list")),
    }
}

/// kustomize resolves a plugin's files against the kustomization listing it, not the config file:
/// a file found only next to a config kept elsewhere is the likely mistake, worth saying so.
pub fn check_path(ctx: &Ctx, pc: &PluginConfig, rel: &str, span: Span) -> Result<()> {
    let Some(cfg_dir) = pc.file.parent() else {
        return Ok(());
    };
    if cfg_dir == ctx.k.dir
        || rel.is_empty()
        || Path::new(rel).is_absolute()
        || ctx.loader.exists(&ctx.k.dir.join(rel))
        || !ctx.loader.is_file(&cfg_dir.join(rel))
    {
        return Ok(());
    }
    Err(Error::at(
        "missing-file",
        span,
        format!(
            "'{}': no such file or directory",
            ctx.loader.display(&ctx.k.dir.join(rel))
        ),
    )
    .with_label("resolved against the kustomization's directory")
    .with_help(format!(
        "a plugin config's paths are relative to the kustomization that lists it ({}), not to the config file; this file is at '{}'",
        ctx.loader.display(&ctx.k.path),
        ctx.loader.display(&cfg_dir.join(rel))
    )))
}

fn check_node(ctx: &Ctx, pc: &PluginConfig, n: &Node) -> Result<()> {
    match n.as_str() {
        Some(rel) => check_path(ctx, pc, rel, n.span()),
        None => Ok(()),
    }
}

fn insert(m: &mut Map, key: &str, v: Node) {
    m.insert(key, v.span(), v);
}

/// PatchTransformer: `{patch | path, target?, options?}`, one `patches:` entry.
pub fn patch_transformer(
    ctx: &Ctx,
    pc: &PluginConfig,
    cfg: &Cfg,
    resmap: &mut ResMap,
) -> Result<()> {
    let path = text_node(cfg, cfg.get("path"), "path")?;
    // kustomize trims the inline patch before deciding whether there is one
    let patch = text_node(cfg, cfg.get("patch"), "patch")?
        .filter(|p| p.as_str().is_none_or(|s| !s.trim().is_empty()));
    let mut m = Map::new();
    match (path, patch) {
        (None, None) => {
            return Err(
                fails(cfg, cfg.node, "must specify one of `patch` and `path`")
                    .with_label("no patch")
                    .with_help("add `patch:` with the patch text, or `path:` naming a patch file"),
            );
        }
        (Some(_), Some(p)) => {
            return Err(
                fails(cfg, &p, "`patch` and `path` can't be set at the same time")
                    .with_label("inline patch")
                    .with_help("keep one of them"),
            );
        }
        (Some(p), None) => {
            check_node(ctx, pc, &p)?;
            insert(&mut m, "path", p);
        }
        (None, Some(p)) => insert(&mut m, "patch", p),
    }
    if let Some(t) = cfg.get("target") {
        insert(&mut m, "target", selector_node(cfg, t, "target")?);
    }
    if let Some(o) = cfg.get("options") {
        insert(&mut m, "options", options_node(cfg, o)?);
    }
    let entry = Node::new(Value::Map(m), cfg.node.origin.clone());
    patches::apply_patch_entry(ctx, resmap, &entry)
}

/// PatchJson6902Transformer: `{target, path | jsonOp}`; the target must name its resource.
pub fn json6902_transformer(
    ctx: &Ctx,
    pc: &PluginConfig,
    cfg: &Cfg,
    resmap: &mut ResMap,
) -> Result<()> {
    let Some(tnode) = cfg.get("target") else {
        // kubectl dereferences the missing target and crashes
        return Err(fails(cfg, cfg.node, "must specify the target name")
            .with_label("no `target`")
            .with_help("add `target:` with the kind and name of the resource to patch"));
    };
    let target = selector_node(cfg, tnode, "target")?;
    if target.str_at(&["name"]).is_none_or(str::is_empty) {
        return Err(fails(cfg, tnode, "must specify the target name")
            .with_label("no `name`")
            .with_help("add `name:`, or use a PatchTransformer, where any selector works"));
    }
    let path = text_node(cfg, cfg.get("path"), "path")?;
    let op = text_node(cfg, cfg.get("jsonOp"), "jsonOp")?;
    let mut m = Map::new();
    insert(&mut m, "target", target);
    match (path, op) {
        (None, None) => {
            return Err(fails(cfg, cfg.node, "empty file path and empty jsonOp")
                .with_label("no patch")
                .with_help("add `jsonOp:` with the operations, or `path:` naming a patch file"));
        }
        (Some(_), Some(op)) => {
            return Err(
                fails(cfg, &op, "must specify a file path or jsonOp, not both")
                    .with_label("inline operations")
                    .with_help("keep one of `path` and `jsonOp`"),
            );
        }
        (Some(p), None) => {
            check_node(ctx, pc, &p)?;
            insert(&mut m, "path", p);
        }
        (None, Some(op)) => insert(&mut m, "patch", op),
    }
    let entry = Node::new(Value::Map(m), cfg.node.origin.clone());
    patches::apply_json6902_entry(ctx, resmap, &entry)
}

/// PatchStrategicMergeTransformer: `paths` (each inline YAML or a file, as `patchesStrategicMerge:`
/// reads them), then the documents of `patches`; all loaded before any is applied, each applied to
/// the one resource with its id.
pub fn smp_transformer(ctx: &Ctx, pc: &PluginConfig, cfg: &Cfg, resmap: &mut ResMap) -> Result<()> {
    let mut items = Vec::new();
    for item in list(cfg, cfg.get("paths"), "paths")? {
        if let Some(n) = text_node(cfg, Some(item), "paths")? {
            items.push(n);
        }
    }
    let inline = text_node(cfg, cfg.get("patches"), "patches")?;
    if items.is_empty() && inline.is_none() {
        return Err(
            fails(cfg, cfg.node, "empty file path and empty patch content")
                .with_label("no patch")
                .with_help("add `paths:` (patch files) or `patches:` (inline patch documents)"),
        );
    }
    let mut docs = Vec::new();
    for item in &items {
        check_node(ctx, pc, item)?;
        docs.extend(patches::load_strategic_merge_item(ctx, item)?);
    }
    if let Some(p) = &inline {
        let text = p.as_str().unwrap_or_default();
        let parsed = patches::parse_strategic_merge_text(ctx, p, text)?;
        docs.extend(parsed.into_iter().filter(|d| !d.root.is_null()));
    }
    if docs.is_empty() {
        let at = inline.as_ref().or(items.first()).unwrap_or(cfg.node);
        return Err(fails(cfg, at, "patch appears to be empty").with_label("no documents"));
    }
    patches::apply_strategic_merge_docs(ctx, resmap, &docs)
}

/// ReplacementTransformer: `replacements`, each `{path}` or inline, read leniently.
pub fn replacement_transformer(
    ctx: &Ctx,
    pc: &PluginConfig,
    cfg: &Cfg,
    resmap: &mut ResMap,
) -> Result<()> {
    let items = list(cfg, cfg.get("replacements"), "replacements")?;
    for item in &items {
        if let Some(p) = values::get(item, "path") {
            check_node(ctx, pc, p)?;
        }
    }
    replacements::apply_entries(ctx, resmap, &items, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn doc(text: &str) -> Node {
        parse_stream(text, FileId::NONE, SetBy::Transformer)
            .unwrap()
            .remove(0)
            .root
    }

    #[test]
    fn selector_keys_fold_case_and_unknown_ones_drop() {
        let n = doc(
            "kind: PatchTransformer\nTarget:\n  KIND: Deployment\n  name: web\n  labelselector: 5\n  other: x\n",
        );
        let cfg = Cfg::new(&n);
        let t = selector_node(&cfg, cfg.get("target").unwrap(), "target").unwrap();
        assert_eq!(t.str_at(&["kind"]), Some("Deployment"));
        assert_eq!(t.str_at(&["name"]), Some("web"));
        assert_eq!(t.str_at(&["labelSelector"]), Some("5"));
        assert!(t.get("other").is_none());
    }

    #[test]
    fn selector_ids_and_options_keep_their_types() {
        let n = doc(
            "kind: PatchTransformer\ntarget:\n  name: 5\noptions:\n  allowNameChange: \"true\"\n",
        );
        let cfg = Cfg::new(&n);
        let err = selector_node(&cfg, cfg.get("target").unwrap(), "target").unwrap_err();
        assert!(err.message.contains("`target.name`"));
        let err = options_node(&cfg, cfg.get("options").unwrap()).unwrap_err();
        assert!(err.message.contains("true or false"));
    }
}
