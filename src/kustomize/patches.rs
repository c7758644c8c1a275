//! `patchesStrategicMerge`, `patches` and `patchesJson6902`.
//!
//! TODO(#2): targets (selectors), JSON 6902, options. What works now: strategic-merge patches from
//! files or inline text, applied to the resource with the patch's own id.

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Document, Node, SetBy};

use super::Ctx;
use super::kustomization::parse_embedded;
use super::resource::{ResId, ResMap, Resource};
use super::strategic_merge;

/// `patchesStrategicMerge:` — each entry a file path or inline YAML.
pub fn apply_strategic_merge_field(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let Some(list) = ctx.k.field("patchesStrategicMerge") else {
        return Ok(());
    };
    let Some(items) = list.as_seq() else {
        return Err(super::kustomization::type_error(
            "patchesStrategicMerge",
            list,
            "a list",
        ));
    };
    for item in items {
        let Some(text) = item.as_str() else {
            return Err(super::kustomization::type_error(
                "patchesStrategicMerge",
                item,
                "a file path or inline patch",
            ));
        };
        let docs = load_patch(ctx, item, text)?;
        for d in &docs {
            apply_smp_by_id(ctx, resmap, d)?;
        }
    }
    Ok(())
}

/// `patches:` — each entry `{path | patch, target?, options?}`.
pub fn apply_patches_field(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    for entry in ctx.k.map_list("patches")? {
        let docs = if let Some(p) = entry.get("path") {
            let Some(path) = p.as_str() else {
                return Err(super::kustomization::type_error(
                    "patches.path",
                    p,
                    "a string",
                ));
            };
            load_file(ctx, p, path)?
        } else if let Some(p) = entry.get("patch") {
            let Some(text) = p.as_str() else {
                return Err(super::kustomization::type_error(
                    "patches.patch",
                    p,
                    "a string",
                ));
            };
            parse_embedded(ctx.loader, p, text, SetBy::Patch, &inline_label(ctx, p))?
        } else {
            return Err(Error::at(
                "patch",
                entry.span(),
                "a patch entry needs `path` or `patch`",
            ));
        };
        for d in &docs {
            apply_smp_by_id(ctx, resmap, d)?;
        }
    }
    Ok(())
}

/// `patchesJson6902:` TODO(#2)
pub fn apply_json6902_field(_ctx: &Ctx, _resmap: &mut ResMap) -> Result<()> {
    Ok(())
}

fn inline_label(ctx: &Ctx, n: &Node) -> String {
    format!("{} (inline patch)", ctx.loader.sources.describe(n.span()))
}

/// An entry that is either a path to a file or inline YAML (kustomize tries the file first).
fn load_patch(ctx: &Ctx, holder: &Node, text: &str) -> Result<Vec<Document>> {
    let looks_inline = text.contains('\n') || text.trim_start().starts_with('{');
    if !looks_inline {
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
    Ok(loaded.docs.clone())
}

/// Applies a strategic-merge patch to the resource with the patch's id.
fn apply_smp_by_id(ctx: &Ctx, resmap: &mut ResMap, patch: &Document) -> Result<()> {
    let probe = Resource::new(patch.root.clone(), patch.span);
    let id: ResId = probe.id();
    let Some(i) = resmap.resources.iter().position(|r| r.was(&id)) else {
        return Err(no_target(&id, patch.span));
    };
    let target = &mut resmap.resources[i];
    let gvk = target.gvk();
    strategic_merge::merge(&mut target.node, &patch.root, &gvk, ctx.schema)
}

fn no_target(id: &ResId, span: Span) -> Error {
    Error::at(
        "patch-target",
        span,
        format!(
            "no resource matches strategic merge patch \"{}\" ({} {})",
            id.name,
            id.gvk.kind,
            if id.namespace.is_empty() {
                ""
            } else {
                &id.namespace
            }
        ),
    )
    .with_label("this patch")
    .with_help("check the patch's kind, metadata.name and metadata.namespace against the resources")
}
