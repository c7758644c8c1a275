//! ValueAddTransformer: writes one string into a field of selected resources, creating the path as
//! kyaml's `LookupCreate` does (exact `[k=v]` matches, new list elements appended).
//!
//! `value` defaults to the name of the kustomization's directory; `metadata/namespace` goes through
//! the namespace filter (namespaced kinds only, plus RoleBinding subjects named `default`); a
//! `filePathPosition` inserts the value as a directory level of the existing path.

mod path;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::parse::resolve_plain;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::super::super::Ctx;
use super::super::super::labels::values;
use super::super::super::namespace;
use super::super::super::patches::Selector;
use super::super::super::resource::ResMap;
use super::super::decode::Cfg;
use super::super::load::PluginConfig;
use super::patch::{check_path, fails, list, selector_node};
use path::{insert_path_part, lookup_create, split, wrong_kind};

struct Target {
    selector: Option<Selector>,
    field_path: String,
    span: Span,
    position: i64,
}

pub fn transform(ctx: &Ctx, pc: &PluginConfig, cfg: &Cfg, resmap: &mut ResMap) -> Result<()> {
    let value_node = cfg.get("value");
    let mut value = cfg.string("value")?.trim().to_string();
    if value.is_empty() {
        value = ctx
            .k
            .dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let origin = Origin::new(
        value_node.map_or(pc.doc_span, Node::span),
        SetBy::Transformer,
    );

    let mut nodes: Vec<Node> = list(cfg, cfg.get("targets"), "targets")?
        .into_iter()
        .cloned()
        .collect();
    let file_path = cfg.string("targetFilePath")?;
    if !file_path.is_empty() {
        let span = cfg.get("targetFilePath").map_or(pc.doc_span, Node::span);
        check_path(ctx, pc, &file_path, span)?;
        let file = ctx.k.resolve_file(ctx.loader, &file_path, span)?;
        let loaded = ctx.loader.load_yaml(&file, SetBy::Transformer, span)?;
        if let Some(doc) = loaded.docs.first() {
            let listed = list(cfg, values::get(&doc.root, "targets"), "targets")?;
            nodes.extend(listed.into_iter().cloned());
        }
    }
    if nodes.is_empty() {
        return Err(fails(cfg, cfg.node, "must specify at least one target")
            .with_label("no `targets`")
            .with_help("add `targets: [{fieldPath: …, selector: {kind: …}}]`"));
    }
    let mut targets = Vec::new();
    for n in &nodes {
        targets.push(target(cfg, n)?);
    }
    for t in &targets {
        for r in &mut resmap.resources {
            if t.selector.as_ref().is_some_and(|s| !s.matches(r)) {
                continue;
            }
            if t.field_path == "metadata/namespace" {
                let opts = namespace::Options::default();
                namespace::set_namespace(r, &value, &origin, &[], opts)?;
                continue;
            }
            let parts = split(&t.field_path);
            let in_annotations = parts.len() == 3 && parts[..2] == ["metadata", "annotations"];
            let label = format!("in {} \"{}\"", r.kind(), r.name());
            let at = |e: String| Error::at("value-add", t.span, e).with_label(label.clone());
            let Some(node) = lookup_create(&mut r.node, &parts, &origin).map_err(at)? else {
                continue;
            };
            if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
                return Err(at(wrong_kind("ScalarNode", node)).with_help(
                    "a ValueAddTransformer sets a single value: point `fieldPath` at a scalar field (list elements as `[name=x]` or an index)",
                ));
            }
            let new = if t.position > 0 {
                let old = match node.value {
                    Value::Null => String::new(),
                    _ => node.scalar_string().unwrap_or_default(),
                };
                insert_path_part(&old, t.position - 1, &value)
            } else {
                value.clone()
            };
            // kyaml writes an untagged scalar in the old one's style: plain text is read again as
            // YAML, a quoted string stays a string; annotations are always rewritten as strings
            let existed = node.origin.span != origin.span;
            let keep_str =
                in_annotations || (existed && node.as_str().is_some() && is_quoted(ctx, node));
            let v = if keep_str {
                Value::Str(new)
            } else {
                resolve_plain(&new)
            };
            let o = if node.is_null() {
                origin.clone()
            } else {
                origin.clone().overriding(&node.origin)
            };
            *node = Node::new(v, o);
        }
    }
    Ok(())
}

fn is_quoted(ctx: &Ctx, n: &Node) -> bool {
    let span = n.span();
    ctx.loader
        .sources
        .get(span.file)
        .and_then(|f| f.text.as_bytes().get(span.start as usize).copied())
        .is_some_and(|b| b == b'"' || b == b'\'')
}

fn target(cfg: &Cfg, n: &Node) -> Result<Target> {
    if !matches!(n.value, Value::Map(_) | Value::Null) {
        return Err(cfg
            .error(
                n,
                "targets",
                &format!("expected a mapping, found a {}", n.type_name()),
            )
            .with_label("wrong type"));
    }
    let selector = match values::get(n, "selector") {
        None => None,
        Some(s) => Some(Selector::parse(&selector_node(
            cfg,
            s,
            "targets.selector",
        )?)?),
    };
    let fp_node = values::get(n, "fieldPath");
    let field_path = cfg.string_of(fp_node, "targets.fieldPath")?;
    if field_path.is_empty() {
        return Err(
            fails(cfg, fp_node.unwrap_or(n), "fieldPath cannot be empty")
                .with_label("no `fieldPath`")
                .with_help("name the field to set, e.g. `fieldPath: metadata/annotations/team`"),
        );
    }
    let pos_node = values::get(n, "filePathPosition");
    let position = cfg.int_of(pos_node, "targets.filePathPosition")?;
    if position < 0 {
        return Err(fails(
            cfg,
            pos_node.unwrap_or(n),
            &format!("value of FilePathPosition ({position}) cannot be negative"),
        )
        .with_label("negative"));
    }
    Ok(Target {
        selector,
        field_path,
        span: fp_node.map_or(n.span(), Node::span),
        position,
    })
}
