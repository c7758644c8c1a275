//! kustomize's field-spec filter (api/filters/fieldspec): walk a field spec's path through one
//! resource, creating what the spec allows, and hand the field found to a setter.
//!
//! The walk differs from [`crate::kustomize::fieldspec::walk`] in the details kustomize's
//! transformers depend on: what gets created depends on the transformer (labels create maps, replicas
//! a scalar, images nothing), a `name[]` segment is never created and a null there becomes `[]`,
//! and a scalar in the middle of the path is an error.

use crate::error::{Error, Result};
use crate::yaml::{Node, Origin, Value};

use super::super::alias::Seg;
use super::super::fieldspec::FieldSpec;
use super::super::resource::{Gvk, Resource};

/// What the transformer creates at the end of a missing path (`CreateKind` in kustomize).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateKind {
    /// Never create (the image transformer).
    Nothing,
    /// Labels and annotations.
    Map,
    /// Replicas: the setter fills the created null.
    Scalar,
}

/// Applies `set` at the field(s) `spec` names in `res`, if the spec selects the resource's kind.
pub fn apply(
    res: &mut Resource,
    spec: &FieldSpec,
    kind: CreateKind,
    origin: &Origin,
    set: &mut dyn FnMut(&mut Node) -> Result<()>,
) -> Result<()> {
    apply_at(res, spec, kind, origin, &mut |n, _| set(n))
}

/// [`apply`], also handing the setter the path of the field it sets.
pub fn apply_at(
    res: &mut Resource,
    spec: &FieldSpec,
    kind: CreateKind,
    origin: &Origin,
    set: &mut dyn FnMut(&mut Node, &[Seg]) -> Result<()>,
) -> Result<()> {
    if !spec.applies_to(&res.gvk()) {
        return Ok(());
    }
    let id = res.id();
    let w = Walk { spec, kind, origin };
    w.filter(&mut res.node, 0, &mut Vec::new(), set)
        .map_err(|e| {
            e.context(format!(
                "considering field '{}' of object {id}",
                spec.path.join("/")
            ))
        })
}

struct Walk<'a> {
    spec: &'a FieldSpec,
    kind: CreateKind,
    origin: &'a Origin,
}

impl Walk<'_> {
    fn filter(
        &self,
        obj: &mut Node,
        i: usize,
        at: &mut Vec<Seg>,
        set: &mut dyn FnMut(&mut Node, &[Seg]) -> Result<()>,
    ) -> Result<()> {
        if i >= self.spec.path.len() {
            return set(obj, at);
        }
        let span = obj.span();
        match &mut obj.value {
            Value::Null => Ok(()),
            Value::Seq(items) => {
                for (k, item) in items.iter_mut().enumerate() {
                    at.push(Seg::Index(k));
                    let r = self.filter(item, i, at, set);
                    at.pop();
                    r?;
                }
                Ok(())
            }
            Value::Map(m) => {
                let name = &self.spec.path[i];
                let is_seq = self.spec.is_seq(i);
                let last = i + 1 == self.spec.path.len();
                let creating = self.spec.create && self.kind != CreateKind::Nothing && !is_seq;
                // The kind a missing or null field turns into.
                let target = if is_seq {
                    Some(Target::Seq)
                } else if !creating {
                    None
                } else if !last || self.kind == CreateKind::Map {
                    Some(Target::Map)
                } else {
                    Some(Target::Null)
                };
                match m.get_mut(name) {
                    None if creating => {
                        let fresh = target.unwrap_or(Target::Map).node(self.origin);
                        m.insert(name.clone(), self.origin.span, fresh);
                    }
                    None => return Ok(()),
                    Some(field) if field.is_null() => {
                        if let Some(t) = target {
                            let origin = self.origin.clone().overriding(&field.origin);
                            *field = t.node(&origin);
                        }
                    }
                    Some(_) => {}
                }
                match m.get_mut(name) {
                    Some(field) => {
                        at.push(Seg::Key(name.clone()));
                        let r = self.filter(field, i + 1, at, set);
                        at.pop();
                        r
                    }
                    None => Ok(()),
                }
            }
            _ => Err(Error::at(
                "field-spec",
                span,
                format!(
                    "visit traversal on path {:?}: expected sequence or mapping node",
                    &self.spec.path[i..]
                ),
            )),
        }
    }
}

#[derive(Clone, Copy)]
enum Target {
    Map,
    Seq,
    Null,
}

impl Target {
    fn node(self, origin: &Origin) -> Node {
        match self {
            Target::Map => Node::map(origin.clone()),
            Target::Seq => Node::seq(Vec::new(), origin.clone()),
            Target::Null => Node::null(origin.clone()),
        }
    }
}

/// Sets `key: value` in the map found at a label or annotation field (kustomize's `SetEntry`); a
/// null field is left alone, anything else but a map is an error. Returns whether the entry was
/// created (rather than overwritten, or left alone).
pub fn set_entry(
    target: &mut Node,
    key: &str,
    key_span: crate::source::Span,
    value: Node,
) -> Result<bool> {
    let span = target.span();
    let kind = target.type_name();
    match &mut target.value {
        Value::Null => Ok(false),
        Value::Map(m) => {
            let (value, created) = match m.get(key) {
                Some(old) => {
                    let origin = value.origin.clone().overriding(&old.origin);
                    (Node::new(value.value, origin), false)
                }
                None => (value, true),
            };
            m.insert(key, key_span, value);
            Ok(created)
        }
        _ => Err(Error::at(
            "field-spec",
            span,
            format!("wrong node kind: expected a mapping to set '{key}' in, found a {kind}"),
        )),
    }
}

/// Adds `x` to `list` as kustomize's `FsSlice.MergeOne` does: a spec already present (same path,
/// and the present spec's kind selected by `x`'s) is skipped, unless `create` differs: an error.
pub fn merge_one(list: &mut Vec<FieldSpec>, x: &FieldSpec) -> std::result::Result<(), String> {
    for s in list.iter() {
        let gvk = Gvk {
            group: s.group.clone(),
            version: s.version.clone(),
            kind: s.kind.clone(),
        };
        if gvk.matches(&x.group, &x.version, &x.kind) && s.path == x.path && s.seq == x.seq {
            if s.create != x.create {
                return Err(format!(
                    "conflicting fieldspecs: '{}' is listed with create: {} and create: {}",
                    x.path.join("/"),
                    s.create,
                    x.create
                ));
            }
            return Ok(());
        }
    }
    list.push(x.clone());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::yaml::{SetBy, parse_stream};

    fn resource(text: &str) -> Resource {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        let root = docs.into_iter().next().map(|d| d.root);
        Resource::new(
            root.unwrap_or_else(|| Node::null(Origin::none())),
            Span::NONE,
        )
    }

    fn label(res: &mut Resource, spec: &FieldSpec) -> Result<()> {
        let origin = Origin::none();
        let mut set =
            |n: &mut Node| set_entry(n, "k", Span::NONE, Node::str("v", Origin::none())).map(drop);
        apply(res, spec, CreateKind::Map, &origin, &mut set)
    }

    #[test]
    fn seq_segments_are_never_created_and_null_becomes_empty_list() {
        let spec = FieldSpec::new("", "", "Widget", "spec/items[]/labels", true);
        let mut r = resource("kind: Widget\nmetadata: {name: w}\n");
        assert!(label(&mut r, &spec).is_ok());
        assert!(r.node.get_path(&["spec", "items"]).is_none());
        let mut r = resource("kind: Widget\nmetadata: {name: w}\nspec: {items: null}\n");
        assert!(label(&mut r, &spec).is_ok());
        let items = r.node.get_path(&["spec", "items"]).and_then(Node::as_seq);
        assert_eq!(items.map(Vec::len), Some(0));
    }

    #[test]
    fn creates_maps_only_when_allowed() {
        let mut r = resource("kind: Job\nmetadata: {name: j}\nspec: {}\n");
        let no = FieldSpec::new("", "", "Job", "spec/selector/matchLabels", false);
        assert!(label(&mut r, &no).is_ok());
        assert!(r.node.get_path(&["spec", "selector"]).is_none());
        let yes = FieldSpec::new("", "", "Job", "spec/template/metadata/labels", true);
        assert!(label(&mut r, &yes).is_ok());
        assert_eq!(
            r.node
                .str_at(&["spec", "template", "metadata", "labels", "k"]),
            Some("v")
        );
    }

    #[test]
    fn a_scalar_on_the_path_is_an_error() {
        let mut r = resource("kind: Job\nmetadata: {name: j}\nspec: {name: x}\n");
        let spec = FieldSpec::new("", "", "", "spec/name/labels", true);
        assert!(label(&mut r, &spec).is_err());
    }

    #[test]
    fn merge_conflicts_on_create_only() {
        let mut list = vec![FieldSpec::new("", "", "Job", "metadata/labels", false)];
        assert!(
            merge_one(
                &mut list,
                &FieldSpec::new("", "", "", "metadata/labels", true)
            )
            .is_err()
        );
        assert!(
            merge_one(
                &mut list,
                &FieldSpec::new("", "", "Job", "metadata/labels", false)
            )
            .is_ok()
        );
        assert_eq!(list.len(), 1);
        assert!(
            merge_one(
                &mut list,
                &FieldSpec::new("", "", "Pod", "metadata/labels", true)
            )
            .is_ok()
        );
        assert_eq!(list.len(), 2);
    }
}
