//! Reading the entries of `transformers:`, `generators:` and `validators:` into plugin configs.
//!
//! As kustomize does it: an entry that parses as YAML mappings is an inline config; any other entry
//! is a path — a file of one or more configs, or a directory whose kustomization renders to them.
//! Inline configs come first, then the path entries in order, whatever their places in the list.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::source::{FileId, Span};
use crate::yaml::{Node, SetBy, Value, parse_stream};

use super::super::fieldspec::TransformerConfig;
use super::super::kustomization::{Kustomization, parse_embedded, type_error};
use super::super::loader::{Loader, is_remote};
use super::super::resource::validate_resource;
use super::super::{Accumulator, accumulate_target, load_resources};

/// One plugin config document.
#[derive(Clone, Debug)]
pub struct PluginConfig {
    pub node: Node,
    pub doc_span: Span,
    /// The file the config was read from (the kustomization for inline configs).
    pub file: PathBuf,
}

pub fn load(loader: &Loader, k: &Kustomization, field: &str) -> Result<Vec<PluginConfig>> {
    let Some(list) = k.field(field) else {
        return Ok(Vec::new());
    };
    let Some(items) = list.as_seq() else {
        return Err(type_error(field, list, "a list of strings"));
    };
    let mut inline = Vec::new();
    let mut paths = Vec::new();
    for item in items {
        let text = match &item.value {
            Value::Str(s) => s.clone(),
            Value::Null | Value::Seq(_) | Value::Map(_) => {
                return Err(type_error(field, item, "a string"));
            }
            _ => item.scalar_string().unwrap_or_default(),
        };
        if is_inline(&text) {
            let label = format!("{} (inline config)", loader.sources.describe(item.span()));
            for d in parse_embedded(loader, item, &text, SetBy::Transformer, &label)? {
                if d.root.is_null() {
                    continue;
                }
                validate_resource(&d.root, d.span)?;
                inline.push(PluginConfig {
                    node: d.root,
                    doc_span: d.span,
                    file: k.path.clone(),
                });
            }
        } else {
            paths.push((text, item.span()));
        }
    }
    for (entry, span) in paths {
        load_path(loader, k, &entry, span, &mut inline)?;
    }
    Ok(inline)
}

/// kustomize tries an entry as inline YAML first: text that holds mappings is a config.
fn is_inline(text: &str) -> bool {
    match parse_stream(text, FileId::NONE, SetBy::Transformer) {
        Ok(docs) => docs.iter().any(|d| d.root.as_map().is_some()),
        Err(_) => false,
    }
}

fn load_path(
    loader: &Loader,
    k: &Kustomization,
    entry: &str,
    span: Span,
    out: &mut Vec<PluginConfig>,
) -> Result<()> {
    if is_remote(entry) {
        return Err(Error::at(
            "remote-resource",
            span,
            format!("remote plugin config '{entry}' is not supported: fluxlint works offline"),
        )
        .with_help("vendor the config into the repository and refer to the local copy"));
    }
    let path = loader.resolve(&k.dir, entry, None, span)?;
    if loader.is_dir(&path) {
        let sub = Kustomization::load(loader, &path, span)?;
        if sub.is_component {
            return Err(Error::at(
                "component",
                span,
                format!(
                    "expected kind != 'Component' for path '{}'",
                    loader.display(&path)
                ),
            ));
        }
        let mut acc = Accumulator {
            config: TransformerConfig::defaults(),
            ..Default::default()
        };
        let mut stack = vec![k.dir.clone()];
        accumulate_target(loader, &sub, &mut acc, &mut stack)?;
        for r in acc.resmap.resources {
            let file = loader
                .sources
                .get(r.doc_span.file)
                .map(|f| f.path.clone())
                .unwrap_or_else(|| sub.path.clone());
            out.push(PluginConfig {
                node: r.node,
                doc_span: r.doc_span,
                file,
            });
        }
        return Ok(());
    }
    let path = k.resolve_file(loader, entry, span)?;
    for r in load_resources(loader, &path, span)? {
        out.push(PluginConfig {
            node: r.node,
            doc_span: r.doc_span,
            file: path.clone(),
        });
    }
    Ok(())
}
