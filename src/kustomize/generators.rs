//! `configMapGenerator` and `secretGenerator`.
//!
//! Each entry becomes one ConfigMap or Secret, absorbed into the resources accumulated so far the way
//! kustomize does it: `create` appends, `merge` and `replace` rewrite a resource already there whose
//! current or any previous id matches. Content hashes are appended later, once, at the top of the
//! build (see `hash.rs`); a resource is hashed only if every generator that touched it wants a hash.

mod args;
mod kv;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Map, Node, Origin, SetBy, Value};

use super::Ctx;
use super::resource::{Behavior, Generated, ResMap, Resource};
use super::string_map;
pub use args::GenKind;
use args::{GenArgs, MetaEntry, Options};
use kv::Pair;

pub fn run(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let global = args::parse_options(ctx.k.field("generatorOptions"), "generatorOptions")?;
    for kind in [GenKind::ConfigMap, GenKind::Secret] {
        for entry in ctx.k.map_list(kind.field())? {
            let args = args::parse_entry(kind, entry)?;
            let (res, behavior) = generate(ctx, &args, &global)?;
            absorb(ctx, resmap, res, behavior, &args)?;
        }
    }
    Ok(())
}

/// One entry from outside the kustomization's generator lists (the ConfigMapGenerator /
/// SecretGenerator plugin forms, which ignore `generatorOptions`), absorbed into `resmap`.
pub fn run_entry(ctx: &Ctx, kind: GenKind, entry: &Node, resmap: &mut ResMap) -> Result<()> {
    let args = args::parse_entry(kind, entry)?;
    let (res, behavior) = generate(ctx, &args, &Options::default())?;
    absorb(ctx, resmap, res, behavior, &args)
}

fn gen_origin(span: Span) -> Origin {
    Origin::new(span, SetBy::Generator)
}

/// Builds the resource of one entry (not yet in the map).
fn generate(ctx: &Ctx, args: &GenArgs, global: &Options) -> Result<(Resource, Behavior)> {
    let entry_span = args.entry.span();
    let Some((name, name_span)) = &args.name else {
        return Err(Error::at(
            "generator",
            entry_span,
            format!("a {} entry must have a name", args.kind.field()),
        )
        .with_label("no `name`"));
    };
    let options = args.options.clone().merged_with_global(global);
    let pairs = kv::load_pairs(ctx, args)?;
    check_duplicates(args, name, &pairs)?;

    let o = gen_origin(entry_span);
    let mut root = Map::new();
    root.insert("apiVersion", entry_span, Node::str("v1", o.clone()));
    root.insert("kind", entry_span, Node::str(args.kind.kind(), o.clone()));
    root.insert(
        "metadata",
        entry_span,
        metadata(args, name, *name_span, &options),
    );
    match args.kind {
        GenKind::ConfigMap => {
            let mut data = Map::new();
            let mut binary = Map::new();
            for p in pairs {
                match String::from_utf8(p.value) {
                    Ok(s) => data.insert(p.key, p.span, Node::str(s, gen_origin(p.span))),
                    Err(e) => {
                        let enc = encode_base64(&e.into_bytes());
                        binary.insert(p.key, p.span, Node::str(enc, gen_origin(p.span)));
                    }
                }
            }
            if !data.is_empty() {
                root.insert("data", entry_span, Node::new(Value::Map(data), o.clone()));
            }
            if !binary.is_empty() {
                root.insert(
                    "binaryData",
                    entry_span,
                    Node::new(Value::Map(binary), o.clone()),
                );
            }
        }
        GenKind::Secret => {
            let (t, t_span) = match &args.secret_type {
                Some((t, span)) => (t.as_str(), *span),
                None => ("Opaque", entry_span),
            };
            root.insert("type", t_span, Node::str(t, gen_origin(t_span)));
            let mut data = Map::new();
            for p in pairs {
                let enc = encode_base64(&p.value);
                data.insert(p.key, p.span, Node::str(enc, gen_origin(p.span)));
            }
            // kustomize always writes a Secret's `data`, even when empty
            root.insert("data", entry_span, Node::new(Value::Map(data), o.clone()));
        }
    }
    if let Some(span) = options.immutable {
        root.insert(
            "immutable",
            span,
            Node::new(Value::Bool(true), gen_origin(span)),
        );
    }
    let mut res = Resource::new(Node::new(Value::Map(root), o), entry_span);
    res.generated = Some(Generated {
        behavior: args.behavior,
        hash: options.disable_hash.is_none(),
    });
    Ok((res, args.behavior))
}

/// Base64 as kustomize writes it into `data`/`binaryData`: once the text reaches 70 characters it
/// is cut into lines of 70, each ending in a newline.
fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = B64.encode(bytes);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    for chunk in enc.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn metadata(args: &GenArgs, name: &str, name_span: Span, options: &Options) -> Node {
    let o = gen_origin(args.entry.span());
    let mut md = Map::new();
    md.insert("name", name_span, Node::str(name, gen_origin(name_span)));
    if let Some((ns, span)) = &args.namespace {
        md.insert("namespace", *span, Node::str(ns, gen_origin(*span)));
    }
    for (field, entries) in [
        ("labels", &options.labels),
        ("annotations", &options.annotations),
    ] {
        if !entries.is_empty() {
            md.insert(field, args.entry.span(), string_map_node(entries, &o));
        }
    }
    Node::new(Value::Map(md), o)
}

fn string_map_node(entries: &[MetaEntry], o: &Origin) -> Node {
    let mut m = Map::new();
    for (k, ks, v) in entries {
        let mut v = v.clone();
        v.origin = gen_origin(v.span());
        m.insert(k.clone(), *ks, v);
    }
    Node::new(Value::Map(m), o.clone())
}

fn check_duplicates(args: &GenArgs, name: &str, pairs: &[Pair]) -> Result<()> {
    for (i, p) in pairs.iter().enumerate() {
        if let Some(first) = pairs[..i].iter().find(|q| q.key == p.key) {
            return Err(Error::at(
                "generator",
                p.span,
                format!(
                    "{} '{name}' illegally repeats the key '{}'",
                    args.kind.kind().to_lowercase(),
                    p.key
                ),
            )
            .with_label("second definition")
            .with_note("first defined here", first.span)
            .with_help("a key may appear once across literals, files and env files"));
        }
    }
    Ok(())
}

/// Adds a generated resource to the map by its behavior (kustomize's appendReplaceOrMerge).
fn absorb(
    ctx: &Ctx,
    resmap: &mut ResMap,
    new: Resource,
    behavior: Behavior,
    args: &GenArgs,
) -> Result<()> {
    let id = new.id();
    let matches: Vec<usize> = resmap
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.original_id().same_object(&id) || r.all_ids().iter().any(|x| x.same_object(&id))
        })
        .map(|(i, _)| i)
        .collect();
    let kind = args.kind.kind();
    let name = new.name().to_string();
    match (matches.as_slice(), behavior) {
        ([], Behavior::Create) => resmap.append(new),
        ([], _) => Err(Error::at(
            "generator",
            args.behavior_span,
            format!("{kind} '{name}' does not exist; cannot merge or replace"),
        )
        .with_label("nothing to merge into")
        .with_help("a merge or replace needs the resource from a base, or use `behavior: create`")),
        ([i], Behavior::Create) => Err(Error::at(
            "generator",
            args.name.as_ref().map_or(args.entry.span(), |n| n.1),
            format!("{kind} '{name}' already exists; behavior must be merge or replace"),
        )
        .with_label("second definition")
        .with_note("already defined here", resmap.resources[*i].doc_span)
        .with_help("add `behavior: merge` or `behavior: replace`, or rename the generator")),
        ([i], _) => {
            let mut merged = merge_into(&resmap.resources[*i], new, behavior);
            // kustomize merges these as Go string maps
            string_map::stringify_merged(ctx.loader, &mut merged.node, behavior == Behavior::Merge);
            resmap.resources[*i] = merged;
            Ok(())
        }
        (many, _) => Err(Error::at(
            "generator",
            args.behavior_span,
            format!(
                "found {} resources that could accept the {} of {kind} '{name}'",
                many.len(),
                if behavior == Behavior::Merge {
                    "merge"
                } else {
                    "replace"
                },
            ),
        )),
    }
}

/// The generated resource takes the old one's place: it keeps the old name, namespace and history,
/// merges labels and annotations (new wins), and with `merge` also the data maps.
fn merge_into(old: &Resource, new: Resource, behavior: Behavior) -> Resource {
    let mut node = new.node;
    for field in ["labels", "annotations"] {
        let merged = merge_maps(
            old.node.get_path(&["metadata", field]),
            node.get_path(&["metadata", field]),
        );
        if let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) {
            match merged {
                Some(m) => md.insert(field, m.span(), m),
                None => {
                    md.remove(field);
                }
            }
        }
    }
    if let Some(md) = node.get_mut("metadata").and_then(Node::as_map_mut) {
        for field in ["name", "namespace"] {
            match old.node.get_path(&["metadata", field]) {
                Some(v) => md.insert(field, v.span(), v.clone()),
                None => {
                    md.remove(field);
                }
            }
        }
    }
    if behavior == Behavior::Merge
        && let Some(root) = node.as_map_mut()
    {
        for field in ["data", "binaryData"] {
            if let Some(m) = merge_maps(old.node.get(field), root.get(field)) {
                root.insert(field, m.span(), m);
            }
        }
    }
    let old_hash = old.generated.as_ref().is_some_and(|g| g.hash);
    let new_hash = new.generated.as_ref().is_some_and(|g| g.hash);
    let mut res = old.clone();
    res.node = node;
    res.generated = Some(Generated {
        behavior,
        hash: old_hash && new_hash,
    });
    res
}

/// `old` then `new` (new wins, remembering what it overrode); `None` when both are empty.
fn merge_maps(old: Option<&Node>, new: Option<&Node>) -> Option<Node> {
    let old_map = old.and_then(Node::as_map);
    let new_map = new.and_then(Node::as_map);
    let mut out = old_map.cloned().unwrap_or_default();
    if let Some(nm) = new_map {
        for e in &nm.entries {
            let mut v = e.value.clone();
            if let Some(prev) = out.get(&e.key) {
                v.origin = v.origin.clone().overriding(&prev.origin);
            }
            out.insert(e.key.clone(), e.key_span, v);
        }
    }
    if out.is_empty() {
        return None;
    }
    let origin = new
        .or(old)
        .map(|n| n.origin.clone())
        .unwrap_or_else(Origin::none);
    Some(Node::new(Value::Map(out), origin))
}

#[cfg(test)]
mod tests;
