//! Strategic merge patch, as kustomize v5.5 runs it: kyaml's merge2 walker with the OpenAPI schema.
//!
//! This is not the apimachinery algorithm that `kubectl patch` uses, and the differences show:
//! - only `$patch: replace | delete | merge` are directives; `$setElementOrder/…`, `$retainKeys` and
//!   `$deleteFromPrimitiveList/…` are copied into the output as ordinary fields;
//! - lists merge by key only where the schema says `x-kubernetes-patch-strategy: merge`; lists of kinds
//!   without a schema (CRDs, unless an `openapi:` file describes them) are replaced;
//! - merged lists put the patch's elements first, then the resource's remaining ones;
//! - the associative-list walk (`assoc`) has kyaml's quirks, which kubectl shows too: a patch element
//!   without the merge key (`- $patch: replace`) drops every keyed element of the resource, a `$patch:
//!   replace` inside a keyed element changes nothing, duplicate keys collapse to one element, and a
//!   second merge key (`protocol` of ports) that only one side sets can keep the two elements apart.
//!
//! Origins: values taken from the patch keep the patch's spans and remember what they replaced; the
//! identity fields the patch repeats to find its target keep the resource's.

mod assoc;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::yaml::{Map, Node, Value};

use super::resource::Gvk;
use super::schema::{Resolver, Sch, Schema};

const DIRECTIVE: &str = "$patch";

/// Patch options of a `patches:` entry.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// What became of the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Merged,
    /// The patch said `$patch: delete` at its top: kustomize drops the resource.
    Deleted,
}

/// Merges `patch` into `target` (a whole resource), the way kustomize's strategic merge does. When the
/// patch deletes the resource, `target` becomes a null node (see [`apply`] to get that as a value).
pub fn merge(target: &mut Node, patch: &Node, _gvk: &Gvk, schema: &Schema) -> Result<()> {
    apply(target, patch, schema, Options::default()).map(|_| ())
}

/// Merges `patch` into the resource `target`; kind and name stay unless `opts` allow changing them,
/// and the namespace always stays (as in kustomize's `ApplySmPatch`).
pub fn apply(target: &mut Node, patch: &Node, schema: &Schema, opts: Options) -> Result<Outcome> {
    let resolver = schema.resolver();
    let walker = Walker { res: &resolver };
    let api_version = target.get("apiVersion").cloned();
    let kind = target.get("kind").cloned();
    let name = target.get_path(&["metadata", "name"]).cloned();
    let namespace = target.get_path(&["metadata", "namespace"]).cloned();
    let dest = std::mem::replace(target, Node::null(target.origin.clone()));
    let (merged, _) = walker.walk(Some(dest), Some(patch), false, None, FieldPath::ROOT)?;
    let Some(merged) = merged.filter(|n| !n.is_null()) else {
        return Ok(Outcome::Deleted);
    };
    *target = merged;
    let Some(top) = target.as_map_mut() else {
        return Ok(Outcome::Merged);
    };
    if let Some(av) = api_version
        && top.get("apiVersion").is_some_and(|n| n.same_value(&av))
    {
        top.insert("apiVersion", av.origin.span, av);
    }
    if !opts.allow_kind_change {
        restore(top, "kind", kind);
    }
    let origin = target.origin.clone();
    let Some(meta) = target.ensure_map("metadata", &origin) else {
        return Ok(Outcome::Merged);
    };
    let Some(meta) = meta.as_map_mut() else {
        return Ok(Outcome::Merged);
    };
    if !opts.allow_name_change {
        restore(meta, "name", name);
    }
    restore(meta, "namespace", namespace);
    Ok(Outcome::Merged)
}

/// Puts an identity field back as it was (removing it when it was absent).
fn restore(map: &mut Map, key: &str, old: Option<Node>) {
    match old {
        Some(n) => map.insert(key, n.origin.span, n),
        None => {
            map.remove(key);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Map,
    Seq,
    Scalar,
}

fn kind_of(n: &Node) -> Option<Kind> {
    match n.value {
        Value::Null => None,
        Value::Map(_) => Some(Kind::Map),
        Value::Seq(_) => Some(Kind::Seq),
        _ => Some(Kind::Scalar),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

/// The `$patch` directive of a patch map. `Ok(None)`: there is none.
fn directive(patch: &Node) -> Result<Option<Directive>> {
    let Some(d) = patch.get(DIRECTIVE) else {
        return Ok(None);
    };
    match d.scalar_string().as_deref() {
        Some("merge") => Ok(Some(Directive::Merge)),
        Some("replace") => Ok(Some(Directive::Replace)),
        Some("delete") => Ok(Some(Directive::Delete)),
        other => Err(Error::at(
            "patch-directive",
            d.span(),
            format!("unknown patch strategy '{}'", other.unwrap_or_default()),
        )
        .with_label("unknown directive")
        .with_help("`$patch` takes `merge`, `replace` or `delete`")),
    }
}

/// A null scalar written as nothing (`key:`): its span is empty.
fn written_empty(n: &Node) -> bool {
    let span = n.span();
    n.is_null() && !span.is_none() && span.start == span.end
}

fn without_directive(mut n: Node) -> Node {
    if let Some(m) = n.as_map_mut() {
        m.remove(DIRECTIVE);
    }
    n
}

/// A walk result: the new value (`None`: the field goes away) and whether it is the resource's own
/// node, updated in place (what kyaml's pointer identity decides in associative lists).
type Walked = (Option<Node>, bool);

struct Walker<'r> {
    res: &'r Resolver,
}

impl Walker<'_> {
    /// Merges `origin` (the patch side) into `dest`. `aliased`: the patch side *is* the destination,
    /// as in kyaml once a patch node has been taken over (added or replacing).
    fn walk(
        &self,
        dest: Option<Node>,
        origin: Option<&Node>,
        aliased: bool,
        sch: Option<Sch<'_>>,
        path: FieldPath<'_>,
    ) -> Result<Walked> {
        let sch = sch.or_else(|| self.schema_from_meta(dest.as_ref(), origin));
        let dk = dest.as_ref().and_then(kind_of);
        let ok = origin.and_then(kind_of);
        let kind = dk.or(ok);
        if let (Some(d), Some(o), Some(on)) = (dk, ok, origin)
            && d != o
        {
            let have = dest.as_ref().map(Node::type_name).unwrap_or("null");
            return Err(Error::at(
                "patch-type",
                on.span(),
                format!(
                    "wrong node kind: the resource has a {have} at '{}' but the patch has a {}",
                    path.render(),
                    on.type_name()
                ),
            )
            .with_label("this patch value")
            .with_help("a strategic merge patch must keep the type of the field it changes"));
        }
        let (val, in_place) = match kind {
            // a null the patch does not mention stays when written as `~` or `null`; written as
            // nothing (`key:`), kyaml's merge drops it (its node text is empty)
            None if origin.is_none() => match dest {
                Some(d) if written_empty(&d) => (None, false),
                d => (d, true),
            },
            None | Some(Kind::Map) => self.walk_map(dest, origin, aliased, sch, path)?,
            Some(Kind::Seq) if sch.is_some_and(|s| s.is_associative()) => {
                assoc::walk(self, dest, origin, aliased, sch, path)?
            }
            Some(Kind::Seq) | Some(Kind::Scalar) => take_origin(dest, origin),
        };
        // aliased, the patch side and the destination are one node: whatever it became, it did so
        // in place (directives elided from it included)
        Ok((val, in_place || aliased))
    }

    /// Where no field schema is known, kyaml looks for a resource type in the nodes themselves.
    fn schema_from_meta(&self, dest: Option<&Node>, origin: Option<&Node>) -> Option<Sch<'_>> {
        [dest, origin].into_iter().flatten().find_map(|n| {
            let api_version = n.get("apiVersion")?.as_str()?;
            let kind = n.get("kind")?.as_str()?;
            if api_version.is_empty() || kind.is_empty() {
                return None;
            }
            self.res.root(api_version, kind)
        })
    }

    fn walk_map(
        &self,
        dest: Option<Node>,
        origin: Option<&Node>,
        aliased: bool,
        sch: Option<Sch<'_>>,
        path: FieldPath<'_>,
    ) -> Result<Walked> {
        let (mut d, from_dest, aliased) = match dest.filter(|d| !d.is_null()) {
            None => {
                let Some(o) = origin.filter(|o| !o.is_null()) else {
                    return Ok((None, false));
                };
                // kyaml ignores a bad directive on a map it adds, and then keeps it as a field
                match directive(o) {
                    Ok(Some(Directive::Delete)) => return Ok((None, false)),
                    Ok(_) => (without_directive(o.clone()), false, true),
                    Err(_) => (o.clone(), false, true),
                }
            }
            Some(dest) => {
                if origin.is_some_and(Node::is_null) {
                    return Ok((None, false));
                }
                let dir = match origin {
                    Some(o) => directive(o)?,
                    None => None,
                };
                match dir {
                    Some(Directive::Delete) => return Ok((None, false)),
                    Some(Directive::Replace) => {
                        let o = origin.cloned().map(without_directive);
                        let Some(mut o) = o else {
                            return Ok((None, false));
                        };
                        o.origin = o.origin.clone().overriding(&dest.origin);
                        (o, false, true)
                    }
                    _ if aliased => (without_directive(dest), true, true),
                    _ => (dest, true, false),
                }
            }
        };
        let patch_map = if aliased {
            None
        } else {
            origin.and_then(Node::as_map)
        };
        // the patch's own directive was consumed above
        let mut keys: Vec<String> = d
            .as_map()
            .map(|m| m.entries.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default();
        for e in patch_map.map(|m| m.entries.as_slice()).unwrap_or_default() {
            if e.key != DIRECTIVE {
                keys.push(e.key.clone());
            }
        }
        keys.sort();
        keys.dedup();
        for key in keys {
            let Some(dm) = d.as_map_mut() else { break };
            // take the value out (no deep copy); whatever the walk returns is put back in its place
            let dv = dm
                .get_mut(&key)
                .map(|n| std::mem::replace(n, Node::null(n.origin.clone())));
            let alias_copy;
            let (ov, key_span) = if aliased {
                alias_copy = dv.clone();
                (alias_copy.as_ref(), None)
            } else {
                let e = patch_map.and_then(|m| m.entry(&key));
                (e.map(|e| &e.value), e.map(|e| e.key_span))
            };
            let field_sch = sch.and_then(|s| s.field(&key));
            let sub = FieldPath {
                parent: Some(&path),
                key: &key,
            };
            let (val, kept) = self.walk(dv, ov, aliased, field_sch, sub)?;
            let Some(dm) = d.as_map_mut() else { break };
            match val.filter(|v| kept || !v.is_null()) {
                Some(v) => {
                    let span = dm
                        .entry(&key)
                        .map(|e| e.key_span)
                        .or(key_span)
                        .unwrap_or(v.origin.span);
                    dm.insert(key, span, v);
                }
                None => {
                    dm.remove(&key);
                }
            }
        }
        Ok((Some(d), from_dest))
    }
}

/// Scalars and lists replaced whole: the patch's value when it has one (a null removes the field).
fn take_origin(dest: Option<Node>, origin: Option<&Node>) -> Walked {
    match origin {
        Some(o) => {
            let mut n = o.clone();
            if let Some(d) = &dest {
                n.origin = n.origin.clone().overriding(&d.origin);
            }
            (Some(n), false)
        }
        None => (dest, true),
    }
}

/// Where the walk is (`spec.template`), kept as links to the parents' keys: it is only spelled out
/// for an error, and building the string for every field walked cost more than the merge itself.
#[derive(Clone, Copy)]
struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    key: &'a str,
}

impl FieldPath<'_> {
    const ROOT: FieldPath<'static> = FieldPath {
        parent: None,
        key: "",
    };

    /// The keys from the top, joined with dots (the root itself is empty).
    fn render(&self) -> String {
        let mut keys = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            if p.parent.is_some() {
                keys.push(p.key);
            }
            at = p.parent;
        }
        keys.reverse();
        keys.join(".")
    }
}
