//! `labels:`, `commonLabels` and `commonAnnotations` — kustomize's LabelTransformer and
//! AnnotationsTransformer steps.
//!
//! Order, as kustomize configures them: every `labels:` entry in turn, then `commonLabels`, then
//! `commonAnnotations`; a later one overwrites an earlier one's value for the same key.

pub mod fsslice;
pub mod values;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::alias::{Path, Seg};
use super::fieldspec::FieldSpec;
use super::resource::ResMap;
use fsslice::CreateKind;
use values::Pair;

const LABEL_FIELDS: &[&str] = &["pairs", "includeSelectors", "includeTemplates", "fields"];
const FIELD_SPEC_FIELDS: &[&str] = &["group", "version", "kind", "path", "create"];

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    // kustomize configures every transformer before running any, so a bad entry anywhere fails
    // the build even when an earlier one would have run.
    let mut steps = Vec::new();
    for entry in values::list(values::get(&ctx.k.root, "labels"), "labels")? {
        steps.push(label_entry(ctx, entry)?);
    }
    if let Some(n) = values::get(&ctx.k.root, "commonLabels") {
        let pairs = values::string_map(ctx.loader, n, "commonLabels")?;
        steps.push((pairs, ctx.config.common_labels.clone()));
    }
    for (pairs, specs) in &steps {
        set_pairs(resmap, pairs, specs)?;
    }
    if let Some(n) = values::get(&ctx.k.root, "commonAnnotations") {
        let pairs = values::string_map(ctx.loader, n, "commonAnnotations")?;
        set_pairs(resmap, &pairs, &ctx.config.common_annotations)?;
    }
    Ok(())
}

/// One `labels:` entry: its pairs and the field specs they go to.
fn label_entry(ctx: &Ctx, entry: &Node) -> Result<(Vec<Pair>, Vec<FieldSpec>)> {
    values::check_keys(entry, "labels", LABEL_FIELDS)?;
    let flag = |key: &str| -> Result<bool> {
        match values::get(entry, key) {
            Some(n) => values::boolean(ctx.loader, n, &format!("labels.{key}")),
            None => Ok(false),
        }
    };
    let include_selectors = flag("includeSelectors")?;
    let include_templates = flag("includeTemplates")?;
    let pairs = match values::get(entry, "pairs") {
        Some(n) => values::string_map(ctx.loader, n, "labels.pairs")?,
        None => Vec::new(),
    };
    let mut specs = Vec::new();
    for f in values::list(values::get(entry, "fields"), "labels.fields")? {
        specs.push(field_spec(ctx, f)?);
    }
    let conflict = |msg: String| {
        Error::at(
            "labels",
            entry.span(),
            format!("failed to merge labels: {msg}"),
        )
        .with_help("a custom field spec may not repeat a built-in one with a different `create`")
    };
    let mut merge = |extra: &[FieldSpec]| -> Result<()> {
        for s in extra {
            fsslice::merge_one(&mut specs, s).map_err(conflict)?;
        }
        Ok(())
    };
    if include_selectors {
        merge(&ctx.config.common_labels)?;
    } else {
        if include_templates {
            merge(&ctx.config.template_labels)?;
        }
        merge(&[FieldSpec::new("", "", "", "metadata/labels", true)])?;
    }
    Ok((pairs, specs))
}

fn field_spec(ctx: &Ctx, n: &Node) -> Result<FieldSpec> {
    values::check_keys(n, "labels.fields", FIELD_SPEC_FIELDS)?;
    let s = |key: &str| -> Result<String> {
        match values::get(n, key) {
            Some(v) => values::string(ctx.loader, v, &format!("labels.fields.{key}")),
            None => Ok(String::new()),
        }
    };
    let create = match values::get(n, "create") {
        Some(v) => values::boolean(ctx.loader, v, "labels.fields.create")?,
        None => false,
    };
    Ok(FieldSpec::new(
        &s("group")?,
        &s("version")?,
        &s("kind")?,
        &s("path")?,
        create,
    ))
}

/// Sets every pair at every field the specs select, in every resource (also the entry point of the
/// LabelTransformer / AnnotationsTransformer plugin forms).
pub fn set_pairs(resmap: &mut ResMap, pairs: &[Pair], specs: &[FieldSpec]) -> Result<()> {
    // kustomize skips a transformer with nothing to set, walk and all.
    if pairs.is_empty() {
        return Ok(());
    }
    let origin = Origin::new(
        pairs.first().map(|p| p.value_span).unwrap_or(Span::NONE),
        SetBy::Transformer,
    );
    for res in &mut resmap.resources {
        let before = res.aliases.snapshot(&res.node);
        // kustomize's setter hands one node per key to every field it creates in the resource
        let mut created: Vec<Vec<Path>> = vec![Vec::new(); pairs.len()];
        for spec in specs {
            let mut set = |target: &mut Node, at: &[Seg]| -> Result<()> {
                for (p, made) in pairs.iter().zip(created.iter_mut()) {
                    let value = Node::new(
                        Value::Str(p.value.clone()),
                        Origin::new(p.value_span, SetBy::Transformer),
                    );
                    if fsslice::set_entry(target, &p.key, p.key_span, value)? {
                        let mut path = at.to_vec();
                        path.push(Seg::Key(p.key.clone()));
                        made.push(path);
                    }
                }
                Ok(())
            };
            fsslice::apply_at(res, spec, CreateKind::Map, &origin, &mut set)?;
        }
        // an overwritten field may be shared with fields the specs did not reach
        res.aliases.reconcile(&mut res.node, before);
        for paths in created {
            res.aliases.add_group(paths);
        }
    }
    Ok(())
}
