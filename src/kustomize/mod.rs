//! The kustomize engine: a directory in, the resources `kustomize build` would print out.
//!
//! The flow follows kustomize's `KustTarget`: accumulate resources (files, directories, nested
//! kustomizations), apply components, run generators, run the built-in transformers in kustomize's
//! order, then — once, at the top — append content hashes, fix name references, resolve vars, drop
//! local-config resources and sort.

pub mod alias;
pub mod defaults;
pub mod fast_map;
pub mod fieldspec;
pub mod generators;
pub mod hash;
pub mod images;
pub mod json6902;
pub mod kustomization;
pub mod labels;
pub mod loader;
pub mod name_affix;
pub mod name_reference;
pub mod namespace;
pub mod order;
pub mod patches;
pub mod plugins;
pub mod replacements;
pub mod replicas;
pub mod resource;
pub mod schema;
pub mod strategic_merge;
pub mod string_map;
pub mod tree;
pub mod vars;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, SetBy, Value};

use fieldspec::TransformerConfig;
use kustomization::Kustomization;
use loader::{Loader, is_remote};
use resource::{Placeholder, RemoteEntry, ResMap, Resource, validate_resource};

/// What one kustomization level hands to its parent.
#[derive(Debug, Default)]
pub struct Accumulator {
    pub resmap: ResMap,
    /// Field specs added by `configurations:` and `crds:` here and below (the defaults come on top).
    pub config: TransformerConfig,
    pub vars: Vec<vars::Var>,
    pub schema: std::sync::Arc<schema::Schema>,
    /// The top kustomization's `buildMetadata`, handed down to every level.
    pub build_meta: Option<std::sync::Arc<plugins::BuildMeta>>,
}

/// What a transformer needs to know about the kustomization it runs for.
pub struct Ctx<'a> {
    pub loader: &'a Loader,
    pub k: &'a Kustomization,
    pub config: &'a TransformerConfig,
    /// Merge keys for strategic merge (built-in, or this kustomization's `openapi:`).
    pub schema: &'a schema::Schema,
}

/// Builds the kustomization in `dir`, as `kustomize build dir` does.
pub fn build(loader: &Loader, dir: &Path) -> Result<ResMap> {
    let dir = loader.resolve(dir, ".", None, Span::NONE)?;
    let top = Kustomization::load(loader, &dir, Span::NONE)?;
    build_kustomization(loader, &top)
}

/// Builds a kustomization already loaded (or made in memory, see [`Kustomization::synthetic`]).
pub fn build_kustomization(loader: &Loader, top: &Kustomization) -> Result<ResMap> {
    let mut stack = Vec::new();
    let mut acc = Accumulator {
        schema: schema::Schema::builtin(),
        build_meta: plugins::BuildMeta::for_top(top)?.map(std::sync::Arc::new),
        ..Default::default()
    };
    let first = accumulate_target(loader, top, &mut acc, &mut stack);
    if acc.schema.openapi_fields() > 0 {
        // which `openapi:` wins depends on reading order: start over, one entry at a time
        acc = Accumulator {
            schema: schema::Schema::sequential(),
            build_meta: acc.build_meta.clone(),
            ..Default::default()
        };
        stack.clear();
        accumulate_target(loader, top, &mut acc, &mut stack)?;
    } else {
        first?;
    }
    hash::add_hashes(&mut acc.resmap)?;
    let config = TransformerConfig::with_defaults(&acc.config);
    name_reference::fix(&mut acc.resmap, &config)?;
    vars::resolve(&mut acc.resmap, &acc.vars, &config)?;
    acc.resmap.resources.retain(|r| !r.is_local_config());
    order::sort(top, &mut acc.resmap)?;
    plugins::build_meta::finish(acc.build_meta.as_deref(), &mut acc.resmap)?;
    for r in &mut acc.resmap.resources {
        crate::yaml::kubectl::finish_resource(&mut r.node, &loader.sources)
            .map_err(|e| Error::at("output", e.span, e.message).with_label("here"))?;
    }
    Ok(acc.resmap)
}

/// One kustomization (or component) applied onto `acc`.
pub fn accumulate_target(
    loader: &Loader,
    k: &Kustomization,
    acc: &mut Accumulator,
    stack: &mut Vec<PathBuf>,
) -> Result<()> {
    if stack.contains(&k.dir) {
        return Err(cycle_error(loader, stack, &k.dir, Span::NONE));
    }
    stack.push(k.dir.clone());
    let r = accumulate_inner(loader, k, acc, stack);
    stack.pop();
    r
}

fn accumulate_inner(
    loader: &Loader,
    k: &Kustomization,
    acc: &mut Accumulator,
    stack: &mut Vec<PathBuf>,
) -> Result<()> {
    plugins::reject_unsupported(k)?;
    // kustomize reads `openapi:` before the resources, which may already be patched with it
    let schema = schema::Schema::for_kustomization(loader, k, &acc.schema)?;
    let mut entries = k.str_list("resources")?;
    entries.extend(k.str_list("bases")?);
    // Entries are independent: load them in parallel, then append in the listed order, so that the
    // result (and the first error) is the same at any thread count. The one shared state is the
    // schema (kustomize's is process-wide): see `build` for builds that set `openapi:`.
    let load = |(entry, span): &(String, Span)| -> Result<Accumulator> {
        let mut part = Accumulator {
            schema: std::sync::Arc::clone(&acc.schema),
            build_meta: acc.build_meta.clone(),
            ..Default::default()
        };
        let mut stack = stack.clone();
        accumulate_resource(loader, k, entry, *span, &mut part, &mut stack)?;
        Ok(part)
    };
    let parts: Vec<Result<Accumulator>> = if acc.schema.is_sequential() {
        entries.iter().map(load).collect()
    } else {
        use rayon::prelude::*;
        entries.par_iter().map(load).collect()
    };
    for part in parts {
        let part = part?;
        acc.resmap.extend_unchecked(part.resmap);
        acc.config.merge(&part.config);
        acc.vars.extend(part.vars);
    }
    acc.resmap.check_unique()?;
    // configurations and crds extend the field specs for this level and everything above it
    for (entry, span) in k.str_list("configurations")? {
        let path = k.resolve_file(loader, &entry, span)?;
        let loaded = loader.load_yaml(&path, SetBy::Transformer, span)?;
        for d in &loaded.docs {
            let cfg = TransformerConfig::from_node(&d.root)?;
            acc.config.merge(&cfg);
        }
    }
    for (entry, span) in k.str_list("crds")? {
        let path = k.resolve_file(loader, &entry, span)?;
        let loaded = loader.load_yaml(&path, SetBy::Resource, span)?;
        for d in &loaded.docs {
            acc.config.merge(&plugins::config_from_crd(&d.root)?);
        }
    }
    {
        let config = TransformerConfig::with_defaults(&acc.config);
        let ctx = Ctx {
            loader,
            k,
            config: &config,
            schema: &schema,
        };
        generators::run(&ctx, &mut acc.resmap)?;
        plugins::run_generators(&ctx, acc.build_meta.as_deref(), &mut acc.resmap)?;
    }
    // since kustomize v5.1 components run after this level's generators, before its transformers
    for (entry, span) in k.str_list("components")? {
        if is_remote(&entry) {
            acc.resmap.remote.push(RemoteEntry { url: entry, span });
            continue;
        }
        let dir = loader.resolve(&k.dir, &entry, None, span)?;
        if !loader.is_dir(&dir) {
            return Err(Error::at(
                "component",
                span,
                format!("component '{entry}' must be a directory holding a kind: Component"),
            ));
        }
        let comp = Kustomization::load(loader, &dir, span)?;
        if !comp.is_component {
            return Err(Error::at(
                "component",
                span,
                format!(
                    "expected kind 'Component' for path '{}' but got 'Kustomization'",
                    loader.display(&dir)
                ),
            ));
        }
        accumulate_target(loader, &comp, acc, stack)?;
    }
    let config = TransformerConfig::with_defaults(&acc.config);
    let ctx = Ctx {
        loader,
        k,
        config: &config,
        schema: &schema,
    };
    patches::apply_strategic_merge_field(&ctx, &mut acc.resmap)?;
    patches::apply_patches_field(&ctx, &mut acc.resmap)?;
    namespace::apply(&ctx, &mut acc.resmap)?;
    name_affix::apply(&ctx, &mut acc.resmap)?;
    labels::apply(&ctx, &mut acc.resmap)?;
    patches::apply_json6902_field(&ctx, &mut acc.resmap)?;
    replicas::apply(&ctx, &mut acc.resmap)?;
    images::apply(&ctx, &mut acc.resmap)?;
    replacements::apply(&ctx, &mut acc.resmap)?;
    plugins::run_transformers(&ctx, acc.build_meta.as_deref(), &mut acc.resmap)?;
    acc.vars.extend(vars::parse(k, &acc.resmap)?);
    Ok(())
}

/// A kustomization that includes itself, through `span` (the entry that closes the loop).
fn cycle_error(loader: &Loader, stack: &[PathBuf], dir: &Path, span: Span) -> Error {
    let chain: Vec<String> = stack
        .iter()
        .skip_while(|p| p.as_path() != dir)
        .map(|p| loader.display(p))
        .chain(std::iter::once(loader.display(dir)))
        .collect();
    Error::at(
        "cycle",
        span,
        format!("cycle detected in kustomizations: {}", chain.join(" -> ")),
    )
    .with_label("includes a kustomization that includes this one")
    .with_help("remove one of the references in the loop")
}

/// A file `flux bootstrap` writes its objects into, before it has: `flux-system/gotk-components.yaml`
/// or `gotk-sync.yaml` (the caller knows it holds no document).
fn is_bootstrap_placeholder(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("gotk-components.yaml" | "gotk-sync.yaml")
    )
}

fn accumulate_resource(
    loader: &Loader,
    k: &Kustomization,
    entry: &str,
    span: Span,
    acc: &mut Accumulator,
    stack: &mut Vec<PathBuf>,
) -> Result<()> {
    if is_remote(entry) {
        // Flux fetches it when it applies; fluxlint works offline: the rest is built without it
        acc.resmap.remote.push(RemoteEntry {
            url: entry.to_string(),
            span,
        });
        return Ok(());
    }
    let path = loader.resolve(&k.dir, entry, None, span)?;
    if loader.is_dir(&path) {
        if stack.contains(&path) {
            return Err(cycle_error(loader, stack, &path, span));
        }
        let sub = Kustomization::load(loader, &path, span)?;
        if sub.is_component {
            return Err(Error::at(
                "component",
                span,
                format!(
                    "expected kind != 'Component' for path '{}'",
                    loader.display(&path)
                ),
            )
            .with_help("list a Component under `components:`, not `resources:`"));
        }
        let mut sub_acc = Accumulator {
            // kustomize's schema is process-wide: a sub-kustomization's `openapi:` reaches its parents
            schema: std::sync::Arc::clone(&acc.schema),
            build_meta: acc.build_meta.clone(),
            ..Default::default()
        };
        accumulate_target(loader, &sub, &mut sub_acc, stack)?;
        acc.resmap.extend_unchecked(sub_acc.resmap);
        acc.config.merge(&sub_acc.config);
        acc.vars.extend(sub_acc.vars);
        return Ok(());
    }
    // a file: the load restrictor applies
    let path = k.resolve_file(loader, entry, span)?;
    let mut resources = load_resources(loader, &path, span)?;
    if resources.is_empty() && is_bootstrap_placeholder(&path) {
        acc.resmap.placeholders.push(Placeholder {
            file: loader.display(&path),
            span,
        });
    }
    if let Some(meta) = &acc.build_meta {
        meta.annotate_file(&path, &mut resources);
    }
    acc.resmap.extend_unchecked(ResMap {
        resources,
        ..ResMap::default()
    });
    Ok(())
}

/// Reads the resources of one manifest file, as kustomize's resource factory does: empty documents
/// skipped, `…List` kinds replaced by their items (queued after the file's other documents).
pub fn load_resources(loader: &Loader, path: &Path, span: Span) -> Result<Vec<Resource>> {
    let loaded = loader.load_yaml(path, SetBy::Resource, span)?;
    // kustomize's reader unwraps a `List` that is alone in its file keeping the items as written;
    // every other `…List` is unwrapped later, through JSON
    let alone = loaded.docs.len() == 1
        && loader.sources.get(loaded.file).is_some_and(|f| {
            crate::yaml::parse::split_documents(&f.text).is_ok_and(|p| p.len() == 1)
        });
    let mut queue: VecDeque<(Node, Span)> = VecDeque::new();
    for d in loaded.docs {
        let root = d.root;
        let kind = root.str_at(&["kind"]).unwrap_or("");
        if alone
            && matches!(kind, "List" | "ResourceList")
            && (root.get("items").is_some() || root.get("functionConfig").is_some())
        {
            if let Some(items) = root.get("items").and_then(Node::as_seq) {
                queue.extend(items.iter().map(|i| (i.clone(), i.span())));
            }
            continue;
        }
        queue.push_back((root, d.span));
    }
    let mut out = Vec::new();
    while let Some((node, doc_span)) = queue.pop_front() {
        push_resource(node, doc_span, &mut queue, &mut out)?;
    }
    Ok(out)
}

fn push_resource(
    node: Node,
    doc_span: Span,
    queue: &mut VecDeque<(Node, Span)>,
    out: &mut Vec<Resource>,
) -> Result<()> {
    let empty = match &node.value {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    };
    if empty {
        return Ok(());
    }
    validate_resource(&node, doc_span)?;
    let kind = node.str_at(&["kind"]).unwrap_or("");
    if kind.ends_with("List") {
        match node.get("items") {
            // a list without `items` stays, as a resource of its own
            None => {
                let mut node = node;
                if node.get("metadata").is_none()
                    && let Some(m) = node.as_map_mut()
                {
                    let origin = crate::yaml::Origin::new(doc_span, SetBy::Resource);
                    m.insert("metadata", doc_span, Node::map(origin));
                }
                out.push(Resource::new(node, doc_span));
            }
            Some(items) => match &items.value {
                Value::Null => {}
                Value::Seq(list) => {
                    for item in list {
                        let mut item = item.clone();
                        crate::yaml::kubectl::jsonify_annotations(&mut item);
                        let span = item.span();
                        queue.push_back((item, span));
                    }
                }
                _ => {
                    return Err(Error::at(
                        "resource",
                        items.span(),
                        format!(
                            "expected array in {kind}/items, but found {}",
                            items.type_name()
                        ),
                    ));
                }
            },
        }
        return Ok(());
    }
    let named = node
        .get("metadata")
        .and_then(|md| md.get("name"))
        .and_then(Node::scalar_string)
        .is_some_and(|n| !n.is_empty());
    if !named {
        return Err(Error::at(
            "resource",
            doc_span,
            format!("missing metadata.name in object of kind {kind}"),
        ));
    }
    out.push(Resource::new(node, doc_span));
    Ok(())
}
