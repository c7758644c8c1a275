//! Applying loaded patches to the resources of a build.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Document, Map, Node, Origin, SetBy, Value};

use super::super::Ctx;
use super::super::json6902;
use super::super::resource::{Deleted, Gvk, ResId, ResMap, Resource};
use super::super::strategic_merge;
use super::super::string_map;
use super::selector::Selector;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// Which transformer applies a JSON patch: they differ in whether the resource's id is recorded
/// (and so whether kustomize's internal annotations exist during the patch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonMode {
    /// `patches:` — records the id first, so `metadata.annotations` always exists.
    Patches,
    /// `patchesJson6902:` — annotations exist only on renamed, moved or generated resources.
    Legacy,
}

/// The patch's id, read straight from its fields (what `Resource::id` reads, without copying the
/// patch into a resource).
fn patch_id(patch: &Document) -> ResId {
    let at = |path: &[&str]| patch.root.str_at(path).unwrap_or("");
    ResId {
        gvk: Gvk::from_api_version(at(&["apiVersion"]), at(&["kind"])),
        name: at(&["metadata", "name"]).to_string(),
        namespace: at(&["metadata", "namespace"]).to_string(),
    }
}

/// kustomize's `ResId.Equals` (gvk exactly — an unset apiVersion matches only an unset one —, name,
/// and namespace with unset meaning `default`) against any of `r`'s ids, without building them: every id of a resource
/// shares its current gvk, so that is compared once, and then each (previous or current) name and
/// namespace.
fn has_id(r: &Resource, id: &ResId) -> bool {
    let (group, version) = r.group_version();
    if r.kind() != id.gvk.kind || group != id.gvk.group || version != id.gvk.version {
        return false;
    }
    // the gvks are equal, so the scope is the patch's
    let cluster_scoped = id.gvk.is_cluster_scoped();
    let effective = |ns: &str| -> bool {
        let ns = if cluster_scoped {
            ""
        } else if ns.is_empty() {
            "default"
        } else {
            ns
        };
        ns == id.effective_namespace()
    };
    let same = |name: &str, ns: &str| name == id.name && effective(ns);
    r.previous.iter().any(|(n, ns)| same(n, ns)) || same(r.name(), r.namespace())
}

/// A strategic merge patch applied to the one resource with the patch's id (current or previous).
///
/// `via_resmap`: kustomize applies it through `ResMap.ApplySmPatch` (`patchesStrategicMerge`), which
/// first round-trips the patch's labels and annotations as string maps; `patches:` does not.
pub fn smp_by_id(
    ctx: &Ctx,
    resmap: &mut ResMap,
    patch: &Document,
    opts: Options,
    via_resmap: bool,
) -> Result<()> {
    let id = patch_id(patch);
    let found: Vec<usize> = resmap
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| has_id(r, &id))
        .map(|(i, _)| i)
        .collect();
    let i = match found.as_slice() {
        [i] => *i,
        // the object may be in what the build left out (a remote resource, a bootstrap
        // placeholder): Flux will patch it there
        [] if !resmap.remote.is_empty() || !resmap.placeholders.is_empty() => return Ok(()),
        [] => return Err(no_target(ctx, &id, resmap, patch)),
        [a, b, ..] => {
            return Err(Error::at(
                "patch-target",
                patch.span,
                format!(
                    "strategic merge patch {} matches several resources",
                    describe(&id)
                ),
            )
            .with_label("this patch")
            .with_note("one match", resmap.resources[*a].doc_span)
            .with_note("another match", resmap.resources[*b].doc_span));
        }
    };
    // the id is taken first: a deleting merge empties the resource
    let gone = deletion(&resmap.resources[i], patch);
    if smp_one(
        ctx,
        &mut resmap.resources[i],
        &patch.root,
        opts,
        false,
        via_resmap,
    )? {
        resmap.resources.remove(i);
        resmap.deleted.push(gone);
    }
    Ok(())
}

/// What a deleting patch leaves for the rules: the resource's id and where the patch said so.
fn deletion(r: &Resource, patch: &Document) -> Deleted {
    let at = patch
        .root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| *k == "$patch"))
        .map(|(_, v)| v.span())
        .unwrap_or(patch.span);
    Deleted {
        kind: r.kind().to_string(),
        name: r.name().to_string(),
        namespace: r.namespace().to_string(),
        at,
    }
}

/// Strategic merge patches applied to every resource the target selects.
pub fn smp_to_selected(
    ctx: &Ctx,
    resmap: &mut ResMap,
    target: &Selector,
    docs: &[Document],
    opts: Options,
) -> Result<()> {
    let selected: Vec<usize> = select(resmap, target);
    let mut deleted = vec![false; resmap.resources.len()];
    for d in docs {
        for &i in &selected {
            if !deleted[i] {
                let gone = deletion(&resmap.resources[i], d);
                deleted[i] = smp_one(ctx, &mut resmap.resources[i], &d.root, opts, true, true)?;
                if deleted[i] {
                    resmap.deleted.push(gone);
                }
            }
        }
    }
    let mut i = 0;
    resmap.resources.retain(|_| {
        i += 1;
        !deleted[i - 1]
    });
    Ok(())
}

fn select(resmap: &ResMap, target: &Selector) -> Vec<usize> {
    resmap
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| target.matches(r))
        .map(|(i, _)| i)
        .collect()
}

/// kustomize's `Resource.ApplySmPatch`; returns whether the patch deleted the resource.
fn smp_one(
    ctx: &Ctx,
    r: &mut Resource,
    patch: &Node,
    opts: Options,
    targeted: bool,
    via_resmap: bool,
) -> Result<bool> {
    // the patch is copied only when it is changed for this resource
    let mut patch = Cow::Borrowed(patch);
    if via_resmap
        && let Some(md) = patch
            .to_mut()
            .get_mut("metadata")
            .and_then(Node::as_map_mut)
    {
        string_map::round_trip(ctx.loader, md, "labels");
        string_map::round_trip(ctx.loader, md, "annotations");
    }
    if targeted {
        // the patch takes the target's apiVersion; its own kind stays (and is undone below)
        if let (Some(m), Some(av)) = (
            patch.to_mut().as_map_mut(),
            r.node.get("apiVersion").cloned(),
        ) {
            m.insert("apiVersion", av.span(), av);
        }
    }
    if opts.allow_name_change || opts.allow_kind_change {
        r.remember_id();
    }
    let smp_opts = strategic_merge::Options {
        allow_name_change: opts.allow_name_change,
        allow_kind_change: opts.allow_kind_change,
    };
    let before = r.aliases.snapshot(&r.node);
    let outcome = strategic_merge::apply(&mut r.node, &patch, ctx.schema, smp_opts)?;
    // the merge writes into existing value nodes, shared ones included
    r.aliases.reconcile(&mut r.node, before);
    Ok(outcome == strategic_merge::Outcome::Deleted || is_empty(&r.node))
}

fn is_empty(n: &Node) -> bool {
    match &n.value {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// A JSON patch applied to every resource the target selects.
pub fn json_to_selected(
    ctx: &Ctx,
    resmap: &mut ResMap,
    target: &Selector,
    ops: &Node,
    mode: JsonMode,
) -> Result<()> {
    for i in select(resmap, target) {
        let r = &mut resmap.resources[i];
        let internal = match mode {
            JsonMode::Patches => {
                r.remember_id();
                true
            }
            JsonMode::Legacy => !r.previous.is_empty() || r.generated.is_some(),
        };
        if internal {
            ensure_annotations(&mut r.node, ops.span());
        }
        let what = format!(
            "{} \"{}\" ({})",
            r.kind(),
            r.name(),
            ctx.loader.sources.describe(r.doc_span)
        );
        json6902::apply(&mut r.node, ops).map_err(|e| {
            if e.help.is_none() {
                e.with_help(format!("the patch was applied to {what}"))
            } else {
                e
            }
        })?;
        finish_annotations(&mut r.node);
        // kustomize rebuilt the resource from JSON: no value node is shared any more
        r.aliases.clear();
    }
    Ok(())
}

/// kustomize's internal annotations make `metadata.annotations` exist during a JSON patch.
fn ensure_annotations(node: &mut Node, span: Span) {
    let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) else {
        return;
    };
    if md.get("annotations").is_none_or(Node::is_null) {
        let origin = Origin::new(span, SetBy::Patch);
        md.insert(
            "annotations",
            span,
            Node::new(Value::Map(Map::new()), origin),
        );
    }
}

/// kustomize re-reads and re-writes the annotations after a JSON patch: values become strings (as
/// JSON writes them; maps and lists become ""), and an empty map disappears.
fn finish_annotations(node: &mut Node) {
    crate::yaml::kubectl::jsonify_annotations(node);
    let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) else {
        return;
    };
    let drop = md
        .get("annotations")
        .is_some_and(|a| a.is_null() || a.as_map().is_some_and(|m| m.is_empty()));
    if drop {
        md.remove("annotations");
    }
}

fn describe(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        String::new()
    } else {
        format!(" in namespace \"{}\"", id.namespace)
    };
    let av = id.gvk.api_version();
    let av = if av.is_empty() {
        "(no apiVersion) ".to_string()
    } else {
        format!("{av} ")
    };
    format!("{av}{} \"{}\"{ns}", id.gvk.kind, id.name)
}

fn no_target(ctx: &Ctx, id: &ResId, resmap: &ResMap, patch: &Document) -> Error {
    // the most likely mistake: right kind and name, wrong apiVersion or namespace
    let near = resmap.resources.iter().find(|r| {
        r.all_ids()
            .iter()
            .any(|x| x.gvk.kind == id.gvk.kind && x.name == id.name)
    });
    // point at the field that is most likely wrong: the namespace or apiVersion when a resource
    // has this kind and name, else the name
    let field = |path: &[&str]| patch.root.get_path(path).map(Node::span);
    let wrong_ns = near.is_some_and(|r| {
        r.all_ids()
            .iter()
            .all(|x| x.effective_namespace() != id.effective_namespace())
    });
    let at = match near {
        Some(_) if wrong_ns => field(&["metadata", "namespace"]),
        Some(_) => field(&["apiVersion"]),
        None => None,
    }
    .or_else(|| field(&["metadata", "name"]))
    .unwrap_or(patch.span);
    let mut err = Error::at(
        "patch-target",
        at,
        format!("no resource matches strategic merge patch {}", describe(id)),
    )
    .with_label("matches no resource");
    err = match near {
        Some(r) => err.with_help(format!(
            "did you mean {} ({})? apiVersion, kind, metadata.name and metadata.namespace must all match{}",
            describe(&r.id()),
            ctx.loader.sources.describe(r.doc_span),
            if wrong_ns {
                " (a patch is matched before this kustomization's `namespace:` applies)"
            } else {
                ""
            }
        )),
        None => err.with_help(
            "check the patch's apiVersion, kind, metadata.name and metadata.namespace against the resources",
        ),
    };
    err
}
