//! `patchesStrategicMerge`, `patches` and `patchesJson6902`, with kustomize v5.5's semantics:
//! - a `patches:` entry is a JSON 6902 patch when its document is a list, else strategic merge
//!   patches (one or more documents, each with `kind` and `metadata.name`);
//! - a strategic merge patch without `target` applies to the resource whose current or any previous
//!   id equals the patch's (apiVersion included); none or several is an error;
//! - with a `target`, every selected resource is patched (the patch's own name and kind do not
//!   matter); a target that selects nothing is not an error, for any of the three fields;
//! - a strategic merge patch never changes the namespace, and changes name or kind only with
//!   `options: {allowNameChange: true}` / `{allowKindChange: true}` (otherwise silently kept);
//! - after a JSON patch kustomize rewrites the annotations, so every annotation value becomes a
//!   string; and since kustomize keeps internal annotations on resources that were renamed, moved
//!   or generated, `add /metadata/annotations/x` works on those even without annotations.

mod apply;
mod label_selector;
mod selector;
mod yaml11;

use crate::error::{Error, Result};
use crate::yaml::{Document, Node, SetBy, Value};

use super::Ctx;
use super::kustomization::{parse_embedded, type_error};
use super::resource::{Placeholder, ResMap, Unknown, UnmatchedPatch};

pub use label_selector::LabelSelector;
pub use selector::Selector;

use apply::{JsonMode, Options};

/// `patchesStrategicMerge:` — each entry a file path or inline YAML.
pub fn apply_strategic_merge_field(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let Some(list) = ctx.k.field("patchesStrategicMerge") else {
        return Ok(());
    };
    let Some(items) = list.as_seq() else {
        return Err(type_error("patchesStrategicMerge", list, "a list"));
    };
    // kustomize loads every patch before applying any
    let mut loaded = Vec::new();
    for item in items {
        loaded.extend(load_strategic_merge_item(ctx, item)?);
    }
    apply_strategic_merge_docs(ctx, resmap, &loaded)
}

/// One `patchesStrategicMerge` entry (or `paths` entry of a PatchStrategicMergeTransformer): inline
/// YAML when it reads as resource documents, else a file path.
pub fn load_strategic_merge_item(ctx: &Ctx, item: &Node) -> Result<Vec<Document>> {
    let Some(text) = item.as_str() else {
        return Err(type_error(
            "patchesStrategicMerge",
            item,
            "a file path or inline patch",
        ));
    };
    load_patch(ctx, item, text)
}

/// Inline strategic merge patch documents (the `patches` text of a PatchStrategicMergeTransformer),
/// never a file path.
pub fn parse_strategic_merge_text(ctx: &Ctx, holder: &Node, text: &str) -> Result<Vec<Document>> {
    parse_embedded(
        ctx.loader,
        holder,
        text,
        SetBy::Patch,
        &inline_label(ctx, holder),
    )
}

/// Loaded strategic merge patches applied in order, each to the one resource with its id.
pub fn apply_strategic_merge_docs(ctx: &Ctx, resmap: &mut ResMap, docs: &[Document]) -> Result<()> {
    for d in docs {
        check_smp_doc(d)?;
        apply::smp_by_id(ctx, resmap, d, Options::default(), true)?;
    }
    Ok(())
}

/// `patches:` — each entry `{path | patch, target?, options?}`.
pub fn apply_patches_field(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    for entry in ctx.k.map_list("patches")? {
        apply_patch_entry(ctx, resmap, entry)?;
    }
    Ok(())
}

/// One `patches:` entry; also a PatchTransformer plugin config, once its keys are the field's.
pub fn apply_patch_entry(ctx: &Ctx, resmap: &mut ResMap, entry: &Node) -> Result<()> {
    let e = Entry::read(
        ctx,
        entry,
        "patches",
        &["path", "patch", "target", "options"],
    )?;
    let target = e.target.map(Selector::parse).transpose()?;
    if let (Some(node), Some(t)) = (e.target, &target) {
        note_unmatched(ctx, resmap, node, t);
    }
    if is_json_patch(&e.docs) {
        let Some(target) = target else {
            return Err(
                Error::at("patch", entry.span(), "a JSON 6902 patch needs a `target`")
                    .with_label("this patch")
                    .with_help("add `target:` with the kind and name (or selectors) to patch"),
            );
        };
        let ops = json_ops(ctx, &e.docs[0])?;
        return apply::json_to_selected(ctx, resmap, &target, &ops, JsonMode::Patches);
    }
    for d in &e.docs {
        check_smp_doc(d)?;
    }
    match target {
        None => {
            for d in &e.docs {
                apply::smp_by_id(ctx, resmap, d, e.options, false)?;
            }
            Ok(())
        }
        Some(t) => apply::smp_to_selected(ctx, resmap, &t, &e.docs, e.options),
    }
}

/// `patchesJson6902:` — each entry `{target, path | patch}`; the target must name its resource.
pub fn apply_json6902_field(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    for entry in ctx.k.map_list("patchesJson6902")? {
        apply_json6902_entry(ctx, resmap, entry)?;
    }
    Ok(())
}

/// One `patchesJson6902:` entry; also a PatchJson6902Transformer plugin config, once its keys are
/// the field's (`jsonOp` read as `patch`).
pub fn apply_json6902_entry(ctx: &Ctx, resmap: &mut ResMap, entry: &Node) -> Result<()> {
    let e = Entry::read(
        ctx,
        entry,
        "patchesJson6902",
        &["path", "patch", "target", "options"],
    )?;
    let Some(tnode) = e.target else {
        return Err(
            Error::at("patch", entry.span(), "patchesJson6902 needs a `target`")
                .with_label("this patch"),
        );
    };
    let target = Selector::parse(tnode)?;
    if !target.has_name() {
        return Err(Error::at(
            "patch",
            tnode.span(),
            "a patchesJson6902 target must specify the target name",
        )
        .with_label("no `name`")
        .with_help("add `name:`, or move the patch to `patches:`, where any selector works"));
    }
    if !is_json_patch(&e.docs) {
        let span = e.docs.first().map(|d| d.span).unwrap_or(entry.span());
        return Err(Error::at(
            "json-patch",
            span,
            "a patchesJson6902 patch must be a list of JSON 6902 operations",
        )
        .with_label("not a list"));
    }
    let ops = json_ops(ctx, &e.docs[0])?;
    note_unmatched(ctx, resmap, tnode, &target);
    apply::json_to_selected(ctx, resmap, &target, &ops, JsonMode::Legacy)
}

/// Remembers a patch `target:` that selects nothing: kustomize is silent about it, `check` is not.
fn note_unmatched(ctx: &Ctx, resmap: &mut ResMap, target_node: &Node, target: &Selector) {
    if !resmap.resources.iter().any(|r| target.matches(r)) {
        let unknown = match resmap.remote.first() {
            Some(r) => Some(Unknown::Remote(r.url.clone())),
            None => {
                placeholder_for(&resmap.placeholders, &target.kind_text).map(Unknown::Placeholder)
            }
        };
        resmap.unmatched_patches.push(UnmatchedPatch {
            target: target_node.span(),
            culprit: target.culprit(&resmap.resources),
            named: target.has_name(),
            unknown,
            flux: None,
            component: ctx.k.is_component,
        });
    }
}

/// The placeholder a target's objects would come from: bootstrap writes the sync objects into
/// `gotk-sync.yaml` and the controllers into `gotk-components.yaml`.
fn placeholder_for(placeholders: &[Placeholder], kind: &str) -> Option<Placeholder> {
    let sync = matches!(
        kind,
        "Kustomization" | "GitRepository" | "OCIRepository" | "Bucket"
    );
    let want = if sync {
        "gotk-sync.yaml"
    } else {
        "gotk-components.yaml"
    };
    placeholders
        .iter()
        .find(|p| p.file.ends_with(want))
        .or_else(|| placeholders.first())
        .cloned()
}

/// One `patches:` / `patchesJson6902:` entry, its patch loaded.
struct Entry<'a> {
    docs: Vec<Document>,
    target: Option<&'a Node>,
    options: Options,
}

impl<'a> Entry<'a> {
    fn read(ctx: &Ctx, entry: &'a Node, field: &str, keys: &[&str]) -> Result<Entry<'a>> {
        if let Some(m) = entry.as_map() {
            for e in &m.entries {
                if !keys.contains(&e.key.as_str()) {
                    return Err(Error::at(
                        "patch",
                        e.key_span,
                        format!("unknown field \"{}\" in a `{field}` entry", e.key),
                    )
                    .with_label("not a patch field")
                    .with_help(format!("a patch entry has {}", keys.join(", "))));
                }
            }
        }
        let present = |k: &str| entry.get(k).filter(|n| !n.is_null());
        let path = present("path");
        let patch = present("patch").filter(|p| p.as_str().is_none_or(|s| !s.trim().is_empty()));
        let docs = match (path, patch) {
            (Some(_), Some(p)) => {
                return Err(Error::at(
                    "patch",
                    p.span(),
                    "a patch entry can't have both `path` and `patch`",
                )
                .with_label("inline patch")
                .with_help("keep one of them"));
            }
            (None, None) => {
                return Err(Error::at(
                    "patch",
                    entry.span(),
                    "a patch entry must specify one of `path` and `patch`",
                ));
            }
            (Some(p), None) => {
                let Some(s) = p.as_str() else {
                    return Err(type_error(&format!("{field}.path"), p, "a string"));
                };
                let file = ctx.k.resolve_file(ctx.loader, s, p.span())?;
                let (_, text) = ctx.loader.read(&file, p.span())?;
                check_json_text(&text, p)?;
                load_file(ctx, p, s)?
            }
            (None, Some(p)) => {
                let Some(s) = p.as_str() else {
                    return Err(type_error(&format!("{field}.patch"), p, "a string"));
                };
                // `patches:` trims inline text before looking at it; patchesJson6902 does not
                let text = if field == "patches" { s.trim() } else { s };
                check_json_text(text, p)?;
                parse_embedded(ctx.loader, p, s, SetBy::Patch, &inline_label(ctx, p))?
            }
        };
        if docs.is_empty() {
            let span = path.or(patch).map(Node::span).unwrap_or(entry.span());
            return Err(Error::at("patch", span, "the patch is empty").with_label("no documents"));
        }
        let options = match present("options") {
            None => Options::default(),
            Some(o) => read_options(ctx, o)?,
        };
        Ok(Entry {
            docs,
            target: present("target"),
            options,
        })
    }
}

/// Patch text that starts with `[` is read as JSON, not YAML: it must be strict JSON.
fn check_json_text(text: &str, holder: &Node) -> Result<()> {
    if !text.starts_with('[') {
        return Ok(());
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::at(
            "json-patch",
            holder.span(),
            format!("a patch that starts with '[' must be valid JSON: {e}"),
        )
        .with_label("not JSON")
        .with_help("quote every key and string, or write the operations as a YAML block list (`- op: add`)")),
    }
}

fn read_options(ctx: &Ctx, o: &Node) -> Result<Options> {
    let Some(m) = o.as_map() else {
        return Err(type_error("options", o, "a map of booleans"));
    };
    let mut out = Options::default();
    for e in &m.entries {
        let Some(b) = yaml11::option_bool(&e.value, &ctx.loader.sources) else {
            return Err(type_error(
                &format!("options.{}", e.key),
                &e.value,
                "a boolean",
            ));
        };
        match e.key.as_str() {
            "allowNameChange" => out.allow_name_change = b,
            "allowKindChange" => out.allow_kind_change = b,
            _ => {}
        }
    }
    Ok(out)
}

fn is_json_patch(docs: &[Document]) -> bool {
    docs.first().is_some_and(|d| d.root.as_seq().is_some())
}

/// The operations of a JSON patch document, with YAML 1.1 scalars converted as kustomize does.
fn json_ops(ctx: &Ctx, doc: &Document) -> Result<Node> {
    let mut ops = doc.root.clone();
    if ops.as_seq().is_some_and(Vec::is_empty) {
        return Err(
            Error::at("json-patch", doc.span, "the JSON patch has no operations")
                .with_label("empty list"),
        );
    }
    yaml11::convert(&mut ops, &ctx.loader.sources);
    Ok(ops)
}

/// A strategic merge patch document must name its kind and resource (kustomize cannot read it as
/// a resource otherwise).
fn check_smp_doc(d: &Document) -> Result<()> {
    let Value::Map(_) = &d.root.value else {
        return Err(Error::at(
            "patch",
            d.span,
            format!(
                "unable to parse a strategic merge or JSON patch: the document is a {}",
                d.root.type_name()
            ),
        ));
    };
    let has = |p: &[&str]| d.root.str_at(p).is_some_and(|s| !s.is_empty());
    let missing = match (has(&["kind"]), has(&["metadata", "name"])) {
        (true, true) => return Ok(()),
        (false, _) => "`kind`",
        (true, false) => "`metadata.name`",
    };
    Err(Error::at(
        "patch",
        d.span,
        format!("unable to parse a strategic merge or JSON patch: the patch has no {missing}"),
    )
    .with_label("this patch")
    .with_help(
        "a strategic merge patch needs apiVersion, kind and metadata.name, even with a target",
    ))
}

fn inline_label(ctx: &Ctx, n: &Node) -> String {
    format!("{} (inline patch)", ctx.loader.sources.describe(n.span()))
}

/// A `patchesStrategicMerge` entry: inline YAML when it reads as resource documents, else a file
/// path (kustomize tries the content first).
fn load_patch(ctx: &Ctx, holder: &Node, text: &str) -> Result<Vec<Document>> {
    let probe = crate::yaml::parse_stream(text, crate::source::FileId(0), SetBy::Patch);
    let inline = match probe {
        Ok(docs) => !docs.is_empty() && docs.iter().all(|d| d.root.as_map().is_some()),
        Err(_) => false,
    };
    if !inline {
        return load_file(ctx, holder, text);
    }
    parse_embedded(
        ctx.loader,
        holder,
        text,
        SetBy::Patch,
        &inline_label(ctx, holder),
    )
}

fn load_file(ctx: &Ctx, holder: &Node, path: &str) -> Result<Vec<Document>> {
    let p = ctx.k.resolve_file(ctx.loader, path, holder.span())?;
    let loaded = ctx.loader.load_yaml(&p, SetBy::Patch, holder.span())?;
    Ok(loaded.docs)
}
