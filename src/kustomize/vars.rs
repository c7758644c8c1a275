//! Legacy `vars:`. Each var is bound, when its kustomization is accumulated, to the one resource its
//! `objref` names (by any id the resource has had); once the whole build is done, its `fieldref` is
//! read from that resource and `$(NAME)` is expanded in the `varReference` fields of every resource.

mod expand;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Origin, SetBy, Value};

use super::fieldspec::TransformerConfig;
use super::kustomization::{Kustomization, type_error};
use super::replacements::path;
use super::resource::{Gvk, ResId, ResMap, Resource, is_cluster_scoped_kind};
use expand::{Expanded, expand};

#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub name: String,
    /// The var's entry in its kustomization.
    pub span: Span,
    pub gvk: Gvk,
    pub obj_name: String,
    pub obj_namespace: String,
    pub field_path: String,
    pub field_span: Span,
    /// The resource the var was bound to when declared.
    pub bound: Option<Binding>,
}

/// Identifies a resource across later renames: the document it came from and its id back then.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub doc_span: Span,
    pub id: ResId,
}

const DEFAULT_FIELD_PATH: &str = "metadata.name";

fn key<'a>(n: &'a Node, k: &str) -> Option<&'a Node> {
    let m = n.as_map()?;
    m.get(k)
        .or_else(|| {
            m.entries
                .iter()
                .find(|e| e.key.eq_ignore_ascii_case(k))
                .map(|e| &e.value)
        })
        .filter(|v| !v.is_null())
}

fn check_fields(n: &Node, what: &str, known: &[&str]) -> Result<()> {
    let Some(m) = n.as_map() else {
        return Err(type_error(what, n, "a mapping"));
    };
    match m
        .entries
        .iter()
        .find(|e| !known.iter().any(|k| k.eq_ignore_ascii_case(&e.key)))
    {
        Some(e) => Err(Error::at(
            "kustomization",
            e.key_span,
            format!("unknown field \"{}\" in {what}", e.key),
        )
        .with_help(format!("the fields are: {}", known.join(", ")))),
        None => Ok(()),
    }
}

fn string(n: &Node, k: &str, what: &str) -> Result<(String, Span)> {
    match key(n, k) {
        None => Ok((String::new(), n.span())),
        Some(v) => match &v.value {
            Value::Str(s) => Ok((s.clone(), v.span())),
            _ => Err(type_error(&format!("{what}.{k}"), v, "a string")),
        },
    }
}

/// Reads this kustomization's `vars:` and binds each to a resource of `resmap` (the resources
/// accumulated so far, transformed at this level).
pub fn parse(k: &Kustomization, resmap: &ResMap) -> Result<Vec<Var>> {
    let mut out = Vec::new();
    for entry in k.map_list("vars")? {
        check_fields(entry, "vars", &["name", "objref", "fieldref"])?;
        let (name, name_span) = string(entry, "name", "vars")?;
        let obj = key(entry, "objref");
        if let Some(o) = obj {
            check_fields(
                o,
                "vars.objref",
                &[
                    "group",
                    "version",
                    "kind",
                    "name",
                    "namespace",
                    "apiVersion",
                ],
            )?;
        }
        let field = |k: &str| match obj {
            Some(o) => string(o, k, "vars.objref").map(|s| s.0),
            None => Ok(String::new()),
        };
        let api_version = field("apiVersion")?;
        let gvk = if api_version.is_empty() {
            Gvk {
                group: field("group")?,
                version: field("version")?,
                kind: field("kind")?,
            }
        } else {
            Gvk::from_api_version(&api_version, &field("kind")?)
        };
        let (field_path, field_span) = match key(entry, "fieldref") {
            Some(f) => {
                check_fields(f, "vars.fieldref", &["fieldpath"])?;
                string(f, "fieldpath", "vars.fieldref")?
            }
            None => (String::new(), entry.span()),
        };
        let mut var = Var {
            name,
            span: if name_span.is_none() {
                entry.span()
            } else {
                name_span
            },
            gvk,
            obj_name: field("name")?,
            obj_namespace: field("namespace")?,
            field_path: if field_path.is_empty() {
                DEFAULT_FIELD_PATH.to_string()
            } else {
                field_path
            },
            field_span,
            bound: None,
        };
        var.bound = bind(&var, resmap)?;
        out.push(var);
    }
    Ok(out)
}

impl Var {
    /// kustomize compares gvk and name, and the namespace only when one is given (or the kind is
    /// cluster-scoped).
    fn selects(&self, id: &ResId) -> bool {
        let want = ResId {
            gvk: self.gvk.clone(),
            name: self.obj_name.clone(),
            namespace: self.obj_namespace.clone(),
        };
        let ns_matters = !self.obj_namespace.is_empty() || is_cluster_scoped_kind(&self.gvk.kind);
        id.gvk == want.gvk
            && id.name == want.name
            && (!ns_matters || id.effective_namespace() == want.effective_namespace())
    }

    fn describe(&self) -> String {
        format!(
            "{} {}/{}",
            if self.gvk.kind.is_empty() {
                "[noKind]"
            } else {
                &self.gvk.kind
            },
            self.gvk.api_version(),
            self.obj_name
        )
    }
}

fn bind(var: &Var, resmap: &ResMap) -> Result<Option<Binding>> {
    let matched: Vec<&Resource> = resmap
        .resources
        .iter()
        .filter(|r| r.all_ids().iter().any(|id| var.selects(id)))
        .collect();
    match matched.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(Binding {
            doc_span: one.doc_span,
            id: one.id(),
        })),
        many => {
            let e = Error::at(
                "var",
                var.span,
                format!(
                    "found {} resId matches for var '{}' (unable to disambiguate)",
                    many.len(),
                    var.name
                ),
            )
            .with_help("add `namespace` to the objref to pick one");
            let names: Vec<String> = many.iter().map(|r| r.id().to_string()).collect();
            Err(e.with_label(format!("matches {}", names.join(", "))))
        }
    }
}

fn bound_resource<'a>(var: &Var, resmap: &'a ResMap) -> Option<&'a Resource> {
    let b = var.bound.as_ref()?;
    let has_id = |r: &&Resource| r.all_ids().contains(&b.id);
    let same_doc: Vec<&Resource> = resmap
        .resources
        .iter()
        .filter(|r| r.doc_span == b.doc_span)
        .collect();
    match same_doc.as_slice() {
        [one] => Some(one),
        [] => resmap.resources.iter().find(has_id),
        many => many.iter().copied().find(has_id).or(many.first().copied()),
    }
}

/// `fieldref.fieldpath`: dots, with `name[0]` meaning element 0 of `name`.
fn field_parts(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in path.split('.') {
        if let Some(open) = s.rfind('[')
            && let Some(idx) = s[open + 1..].strip_suffix(']')
            && !idx.is_empty()
            && idx.bytes().all(|b| b.is_ascii_digit())
        {
            if open > 0 {
                out.push(s[..open].to_string());
            }
            out.push(idx.to_string());
            continue;
        }
        out.push(s.to_string());
    }
    out
}

/// Resolves every var and expands `$(NAME)` in the varReference fields.
pub fn resolve(resmap: &mut ResMap, vars: &[Var], config: &TransformerConfig) -> Result<()> {
    for (i, v) in vars.iter().enumerate() {
        if let Some(first) = vars[..i].iter().find(|w| w.name == v.name) {
            let e = Error::at(
                "var",
                v.span,
                format!("var '{}' already encountered", v.name),
            )
            .with_label("declared again here")
            .with_help("var names must be unique across the whole build");
            return Err(if first.span.file == v.span.file {
                e.with_note("first declared here", first.span)
            } else {
                e
            });
        }
    }
    let mut values: Vec<(String, Option<Node>)> = Vec::new();
    for v in vars {
        let Some(res) = bound_resource(v, resmap) else {
            return Err(Error::at(
                "var",
                v.span,
                format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    v.name
                ),
            )
            .with_label(format!("no resource {}", v.describe()))
            .with_help(
                "the objref must name a resource (kind, apiVersion, name) known where the var is declared",
            ));
        };
        let not_found = || {
            Error::at(
                "var",
                v.field_span,
                format!(
                    "field specified in var '{}' not found in corresponding resource",
                    v.name
                ),
            )
            .with_label(format!("not in {} '{}'", res.kind(), res.name()))
        };
        let node = path::lookup(&res.node, &field_parts(&v.field_path))
            .map_err(|_| not_found())?
            .ok_or_else(not_found)?;
        let value = match &node.value {
            Value::Map(_) | Value::Seq(_) => None,
            Value::Null => Some(Node::str("", node.origin.clone())),
            _ => Some(node.clone()),
        };
        values.push((v.name.clone(), value));
    }
    if values.is_empty() {
        return Ok(());
    }
    let lookup = |name: &str| -> Option<&Node> {
        values
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_ref())
    };
    for r in &mut resmap.resources {
        let gvk = r.gvk();
        for spec in config.var_reference.iter().filter(|s| s.applies_to(&gvk)) {
            walk(&mut r.node, &spec.path, &mut |n| substitute(n, &lookup)).map_err(|e| {
                Error::at(
                    "var",
                    r.doc_span,
                    format!("{e} (at '{}')", spec.path.join("/")),
                )
            })?;
        }
    }
    Ok(())
}

/// kustomize's field-spec walk: sequences on the way are walked element by element, and the
/// callback gets the node at the end of the path, whatever it is.
fn walk(
    node: &mut Node,
    path: &[String],
    f: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return f(node);
    };
    match &mut node.value {
        Value::Null => Ok(()),
        Value::Seq(items) => items.iter_mut().try_for_each(|i| walk(i, path, f)),
        Value::Map(m) => match m.get_mut(first) {
            Some(child) => walk(child, rest, f),
            None => Ok(()),
        },
        _ => Err("expected sequence or mapping node".into()),
    }
}

fn substitute<'a>(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<&'a Node>,
) -> Result<(), String> {
    match &mut node.value {
        Value::Str(_) => expand_one(node, lookup),
        Value::Map(m) => {
            for e in &mut m.entries {
                if matches!(e.value.value, Value::Str(_)) {
                    expand_one(&mut e.value, lookup)?;
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items {
                if !matches!(item.value, Value::Str(_)) {
                    return Err("invalid value type expect a string".into());
                }
                expand_one(item, lookup)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn expand_one<'a>(
    node: &mut Node,
    lookup: &dyn Fn(&str) -> Option<&'a Node>,
) -> Result<(), String> {
    let Value::Str(s) = &node.value else {
        return Ok(());
    };
    match expand(s, lookup) {
        Expanded::Whole(v) => {
            node.origin = set_by_var(v, &node.origin);
            node.value = v.value.clone();
        }
        Expanded::Text { text, last } => {
            if let Some(v) = last {
                node.origin = set_by_var(v, &node.origin);
            }
            node.value = Value::Str(text);
        }
    }
    Ok(())
}

/// The value was written in the var's field: point there, as set by the var transformer.
fn set_by_var(v: &Node, old: &Origin) -> Origin {
    Origin::new(v.origin.span, SetBy::Transformer).overriding(old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_types_and_origins() {
        use crate::source::FileId;
        let src = Node::new(
            Value::Int(5432),
            Origin::new(Span::new(FileId::NONE, 7, 11), SetBy::Resource),
        );
        let look = |n: &str| (n == "PORT").then_some(&src);
        let mut whole = Node::str("$(PORT)", Origin::none());
        substitute(&mut whole, &look).unwrap();
        assert_eq!(whole.value, Value::Int(5432));
        assert_eq!(whole.origin.span.start, 7);
        assert_eq!(whole.origin.by, SetBy::Transformer);
        let mut list = Node::seq(
            vec![
                Node::str("--port=$(PORT)", Origin::none()),
                Node::str("$(OTHER)", Origin::none()),
            ],
            Origin::none(),
        );
        substitute(&mut list, &look).unwrap();
        let items = list.as_seq().unwrap();
        assert_eq!(items[0].as_str(), Some("--port=5432"));
        assert_eq!(items[1].as_str(), Some("$(OTHER)"));
        let mut mixed = Node::seq(
            vec![Node::new(Value::Int(1), Origin::none())],
            Origin::none(),
        );
        assert!(substitute(&mut mixed, &look).is_err());
    }

    #[test]
    fn field_paths_take_bracket_indexes() {
        assert_eq!(
            field_parts("spec.ports[0].port"),
            ["spec", "ports", "0", "port"]
        );
        assert_eq!(field_parts("a.[1]"), ["a", "1"]);
        assert_eq!(field_parts("metadata.name"), ["metadata", "name"]);
    }
}
