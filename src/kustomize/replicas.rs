//! `replicas:` — kustomize's ReplicaCountTransformer.
//!
//! An entry matches resources by name — the current one or any earlier one (before a prefix,
//! suffix or patch renamed it) — whose kind one of the `replicas` field specs selects; an entry
//! that matches nothing fails the build.

use crate::error::{Error, Result};
use crate::yaml::{Node, Origin, SetBy, Value};

use super::Ctx;
use super::fieldspec::FieldSpec;
use super::labels::fsslice::{self, CreateKind};
use super::labels::values;
use super::resource::ResMap;
use crate::source::Span;

const REPLICA_FIELDS: &[&str] = &["name", "count"];

pub fn apply(ctx: &Ctx, resmap: &mut ResMap) -> Result<()> {
    let mut entries = Vec::new();
    for n in values::list(values::get(&ctx.k.root, "replicas"), "replicas")? {
        values::check_keys(n, "replicas", REPLICA_FIELDS)?;
        let name = match values::get(n, "name") {
            Some(v) => values::string(ctx.loader, v, "replicas.name")?,
            None => String::new(),
        };
        let (count, span) = match values::get(n, "count") {
            Some(v) => (values::int(v, "replicas.count")?, v.span()),
            None => (0, n.span()),
        };
        entries.push((n, name, count, Origin::new(span, SetBy::Transformer)));
    }
    for (n, name, count, origin) in entries {
        let span = values::get(n, "name").map(Node::span).unwrap_or(n.span());
        transform(resmap, &name, count, &origin, &ctx.config.replicas, span)?;
    }
    Ok(())
}

/// Sets `count` on every resource named `name` (now or before a rename) whose kind a spec selects;
/// fails when none matches (also the entry point of the ReplicaCountTransformer plugin form).
pub fn transform(
    resmap: &mut ResMap,
    name: &str,
    count: i64,
    origin: &Origin,
    specs: &[FieldSpec],
    span: Span,
) -> Result<()> {
    let mut found = false;
    for spec in specs {
        for res in &mut resmap.resources {
            let gvk = res.gvk();
            if !spec.applies_to(&gvk) || !res.all_ids().iter().any(|id| id.name == name) {
                continue;
            }
            found = true;
            let mut set = |target: &mut Node| -> Result<()> {
                let o = origin.clone().overriding(&target.origin);
                *target = Node::new(Value::Int(count), o);
                Ok(())
            };
            fsslice::apply(res, spec, CreateKind::Scalar, origin, &mut set)?;
        }
    }
    if found {
        return Ok(());
    }
    let kinds: Vec<String> = specs
        .iter()
        .map(|s| gvk_string(&s.kind, &s.version, &s.group))
        .collect();
    Err(Error::at(
        "replicas",
        span,
        format!(
            "resource with name '{name}' does not match a config with the following GVK [{}]",
            kinds.join(" ")
        ),
    )
    .with_label("no such resource")
    .with_help("`replicas` entries name a Deployment, StatefulSet, ReplicaSet or ReplicationController of this build (or a kind added by `configurations`)"))
}

fn gvk_string(kind: &str, version: &str, group: &str) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}",
        or(kind, "[noKind]"),
        or(version, "[noVer]"),
        or(group, "[noGrp]")
    )
}
