//! `replacements:` — kustomize's ReplacementTransformer: copy a field of one resource into fields of
//! others. A replaced value keeps the origin of the source field it came from, remembering what it
//! overrode, so a diagnostic points where the value was really written.

mod config;
pub mod path;
pub mod selector;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::resource::{ResMap, Resource, mark};
use config::{Options, Replacement, Selector, Target};
use path::{Kind, follow, match_paths, text_of};
use selector::LabelSelector;

const DEFAULT_FIELD_PATH: &str = "metadata.name";

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    apply_entries(ctx, resmap, &ctx.k.map_list("replacements")?, true)
}

/// Replacement entries (`{path}` or inline), all loaded before any runs. `strict` refuses unknown
/// fields, as the kustomization's own field does; a ReplacementTransformer config ignores them.
pub fn apply_entries(
    ctx: &Ctx,
    resmap: &mut ResMap,
    entries: &[&Node],
    strict: bool,
) -> Result<()> {
    let mut all = Vec::new();
    for entry in entries {
        match config::entry_path(entry, strict)? {
            Some((path, span)) => all.extend(load_file(ctx, &path, span)?),
            None => all.push(config::replacement(entry, strict)?),
        }
    }
    for r in &all {
        run(r, resmap)?;
    }
    Ok(())
}

/// A file of replacements: a list, or a single one.
fn load_file(ctx: &Ctx, rel: &str, span: Span) -> Result<Vec<Replacement>> {
    let file = ctx.k.resolve_file(ctx.loader, rel, span)?;
    let loaded = ctx.loader.load_yaml(&file, SetBy::Transformer, span)?;
    let Some(doc) = loaded.docs.first() else {
        return Ok(Vec::new());
    };
    match &doc.root.value {
        Value::Seq(items) => items
            .iter()
            .map(|i| config::replacement(i, false))
            .collect(),
        Value::Map(_) => Ok(vec![config::replacement(&doc.root, false)?]),
        _ => Err(Error::at(
            "replacement",
            span,
            format!(
                "unsupported replacement type encountered within replacement path: {}",
                doc.root.type_name()
            ),
        )
        .with_help("the file must hold a list of replacements, or a single one")),
    }
}

fn run(r: &Replacement, resmap: &mut ResMap) -> Result<()> {
    let (Some(source), Some(targets)) = (&r.source, &r.targets) else {
        return Err(Error::at(
            "replacement",
            r.span,
            "replacements must specify a source and at least one target",
        ));
    };
    let value = source_value(source, resmap)?;
    for t in targets {
        apply_target(t, &value, resmap)?;
    }
    Ok(())
}

fn source_value(source: &config::Source, resmap: &ResMap) -> Result<Node> {
    let shown = match &source.field_path {
        Some((p, _)) => format!("{}:{p}", source.id),
        None => source.id.to_string(),
    };
    let mut found: Option<&Resource> = None;
    for r in &resmap.resources {
        if source.id.selects_resource(r) {
            if let Some(first) = found {
                return Err(Error::at(
                    "replacement-source",
                    source.span,
                    format!("multiple matches for selector {shown}"),
                )
                .with_label(format!("matches {} and {}", describe(first), describe(r)))
                .with_help(
                    "add kind, name or namespace to the source so it selects one resource",
                ));
            }
            found = Some(r);
        }
    }
    let Some(res) = found else {
        return Err(Error::at(
            "replacement-source",
            source.span,
            format!("nothing selected by {shown}"),
        )
        .with_label("selects no resource"));
    };
    let (fp, fp_span) = match &source.field_path {
        Some((p, s)) => (p.as_str(), *s),
        None => (DEFAULT_FIELD_PATH, source.span),
    };
    let missing = || {
        Error::at(
            "replacement-source",
            fp_span,
            format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                source.id
            ),
        )
        .with_label(format!("not in {}", describe(res)))
    };
    let node = path::lookup(&res.node, &path::split(fp))
        .map_err(|e| Error::at("replacement-source", fp_span, e))?
        .ok_or_else(missing)?;
    let empty = match &node.value {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    };
    if empty {
        return Err(missing());
    }
    refine(&source.options, node).map_err(|e| Error::at("replacement-source", fp_span, e))
}

/// The `delimiter`/`index` options of a source pick one part of a scalar.
fn refine(opts: &Options, node: &Node) -> Result<Node, String> {
    if opts.delimiter.is_empty() {
        return Ok(node.clone());
    }
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
        return Err("delimiter option can only be used with scalar nodes".into());
    }
    let text = text_of(node);
    let parts: Vec<&str> = text.split(opts.delimiter.as_str()).collect();
    if opts.index < 0 || opts.index as usize >= parts.len() {
        return Err(format!(
            "options.index {} is out of bounds for value {text}",
            opts.index
        ));
    }
    let value = retype(parts[opts.index as usize], node, false)?;
    Ok(Node::new(value, node.origin.clone()))
}

/// `Kind name` (with the namespace when there is one) for messages.
fn describe(r: &Resource) -> String {
    match r.namespace() {
        "" => format!("{} '{}'", r.kind(), r.name()),
        ns => format!("{} '{}' in namespace '{ns}'", r.kind(), r.name()),
    }
}

fn labels_match(sel: &str, pairs: &[(&str, String)], span: Span) -> Result<bool> {
    if sel.is_empty() {
        return Ok(true);
    }
    let parsed = LabelSelector::parse(sel).map_err(|e| Error::at("replacement", span, e))?;
    Ok(parsed.matches(pairs))
}

fn meta_selected(r: &Resource, s: &Selector) -> Result<bool> {
    Ok(
        labels_match(&s.annotation_selector, &r.annotations(), s.span)?
            && labels_match(&s.label_selector, &r.labels(), s.span)?,
    )
}

fn apply_target(t: &Target, value: &Node, resmap: &mut ResMap) -> Result<()> {
    let Some(select) = &t.select else {
        return Err(Error::at(
            "replacement",
            t.span,
            "target must specify resources to select",
        ));
    };
    let default_path = [(DEFAULT_FIELD_PATH.to_string(), t.span)];
    let paths: &[(String, Span)] = if t.field_paths.is_empty() {
        &default_path
    } else {
        &t.field_paths
    };
    for r in &mut resmap.resources {
        if !meta_selected(r, select)? {
            continue;
        }
        let mut rejected = false;
        for rej in &t.reject {
            let by_meta = (!rej.annotation_selector.is_empty() || !rej.label_selector.is_empty())
                && meta_selected(r, rej)?;
            let by_id = !rej.id.is_empty() && rej.id.selects_resource(r);
            rejected |= by_meta || by_id;
        }
        if rejected || !select.id.selects_resource(r) {
            continue;
        }
        let before = r.aliases.snapshot(&r.node);
        for (fp, span) in paths {
            copy_to(r, fp, *span, &t.options, value)?;
        }
        stringify_annotations(&mut r.node);
        // a scalar target is written in place, into a node other fields may share
        r.aliases.reconcile(&mut r.node, before);
    }
    Ok(())
}

/// kustomize rewrites `metadata.annotations` as a string map, so a number copied there prints as
/// a string.
fn stringify_annotations(node: &mut Node) {
    let Some(m) = node
        .get_path_mut(&["metadata", "annotations"])
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for (_, v) in m.iter_mut() {
        if matches!(v.value, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
            v.value = Value::Str(text_of(v));
        }
    }
}

fn copy_to(r: &mut Resource, fp: &str, span: Span, opts: &Options, value: &Node) -> Result<()> {
    let create = opts.create.then(|| Kind::of(value));
    let what = if create.is_some() {
        "unable to find or create field"
    } else {
        "unable to find field"
    };
    let fail = |detail: Option<String>| {
        let msg = match detail {
            Some(d) => format!("{what} \"{fp}\" in replacement target: {d}"),
            None => format!("{what} \"{fp}\" in replacement target"),
        };
        Error::at("replacement-target", span, msg)
    };
    let created_origin = Origin::new(span, SetBy::Transformer);
    let shown = describe(r);
    let matches = match_paths(&mut r.node, &path::split(fp), create, &created_origin)
        .map_err(|e| fail(Some(e)).with_label(format!("in {shown}")))?;
    if matches.is_empty() {
        let fail = fail(None).with_label(format!("not in {shown}"));
        return Err(if create.is_some() {
            fail
        } else {
            fail.with_help("set `options: {create: true}` on the target to create the field")
        });
    }
    for m in matches {
        let Some(t) = follow(&mut r.node, &m.steps) else {
            continue;
        };
        set_field(opts, t, value, m.created).map_err(|e| {
            Error::at(
                "replacement-target",
                span,
                format!("cannot set \"{fp}\" of {shown}: {e}"),
            )
        })?;
    }
    Ok(())
}

fn set_field(opts: &Options, t: &mut Node, value: &Node, created: bool) -> Result<(), String> {
    let target_is_scalar = !matches!(t.value, Value::Map(_) | Value::Seq(_));
    let mut text = text_of(value);
    if !opts.delimiter.is_empty() {
        if !target_is_scalar {
            return Err("delimiter option can only be used with scalar nodes".into());
        }
        let current = text_of(t);
        let mut parts: Vec<&str> = current.split(opts.delimiter.as_str()).collect();
        if opts.index < 0 {
            parts.insert(0, &text);
        } else if opts.index as usize >= parts.len() {
            parts.push(&text);
        } else {
            parts[opts.index as usize] = &text;
        }
        text = parts.join(&opts.delimiter);
    }
    // The value was written in the source field: point there, as set by this transformer.
    let origin = Origin::new(value.origin.span, SetBy::Transformer).overriding(&t.origin);
    if target_is_scalar {
        // kyaml copies only the text into a scalar: the target keeps its type.
        t.value = retype(&text, t, created)?;
        t.origin = origin;
    } else {
        *t = value.clone();
        mark(t, SetBy::Transformer);
        t.origin = origin;
    }
    Ok(())
}

/// `text` as a scalar of the same YAML type as `like` (an untyped created node resolves freely).
fn retype(text: &str, like: &Node, created: bool) -> Result<Value, String> {
    use crate::yaml::parse::resolve_plain;
    if created {
        return Ok(resolve_plain(text));
    }
    let resolved = resolve_plain(text);
    let ok = match (&like.value, &resolved) {
        (Value::Str(_) | Value::Null | Value::Map(_) | Value::Seq(_), _) => {
            return Ok(Value::Str(text.to_string()));
        }
        (Value::Int(_), Value::Int(_)) => true,
        (Value::Float(_), Value::Int(_) | Value::Float(_)) => true,
        (Value::Bool(_), Value::Bool(_)) => true,
        _ => false,
    };
    if ok {
        Ok(resolved)
    } else {
        let tag = match like.value {
            Value::Int(_) => "!!int",
            Value::Float(_) => "!!float",
            _ => "!!bool",
        };
        Err(format!("yaml: cannot decode !!str `{text}` as a {tag}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn at(start: usize, v: Value, by: SetBy) -> Node {
        Node::new(
            v,
            Origin::new(Span::new(FileId::NONE, start, start + 1), by),
        )
    }

    #[test]
    fn scalar_targets_keep_their_type_and_take_the_source_origin() {
        let src = at(10, Value::Str("3".into()), SetBy::Resource);
        let mut t = at(50, Value::Int(1), SetBy::Resource);
        set_field(&Options::default(), &mut t, &src, false).unwrap();
        assert_eq!(t.value, Value::Int(3));
        assert_eq!(t.origin.span.start, 10);
        assert_eq!(t.origin.by, SetBy::Transformer);
        assert_eq!(t.origin.prev.as_ref().map(|p| p.span.start), Some(50));

        let mut s = at(60, Value::Str("x".into()), SetBy::Resource);
        set_field(
            &Options::default(),
            &mut s,
            &at(1, Value::Int(80), SetBy::Resource),
            false,
        )
        .unwrap();
        assert_eq!(s.value, Value::Str("80".into()));

        let mut n = at(60, Value::Int(1), SetBy::Resource);
        let bad = at(1, Value::Str("nginx:1".into()), SetBy::Resource);
        assert!(set_field(&Options::default(), &mut n, &bad, false).is_err());

        let mut created = Node::null(Origin::none());
        set_field(&Options::default(), &mut created, &src, true).unwrap();
        assert_eq!(created.value, Value::Int(3));
    }

    #[test]
    fn delimiters_split_sources_and_targets() {
        let host = at(0, Value::Str("db.local:5432".into()), SetBy::Resource);
        let opts = Options {
            delimiter: ":".into(),
            index: 1,
            create: false,
        };
        assert_eq!(
            refine(&opts, &host).unwrap().value,
            Value::Str("5432".into())
        );
        let bad = Options {
            index: 2,
            ..opts.clone()
        };
        assert!(refine(&bad, &host).is_err());

        let tag = at(0, Value::Str("v2".into()), SetBy::Resource);
        for (index, want) in [(1, "app:v2"), (-1, "v2:app:v1"), (7, "app:v1:v2")] {
            let mut img = at(5, Value::Str("app:v1".into()), SetBy::Resource);
            let o = Options {
                index,
                ..opts.clone()
            };
            set_field(&o, &mut img, &tag, false).unwrap();
            assert_eq!(img.value, Value::Str(want.into()));
        }
    }
}
