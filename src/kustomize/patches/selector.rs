//! Patch `target:` selectors. Group, version, kind, name and namespace are regular expressions
//! anchored at both ends (kustomize wraps them in `^(?:…)$`); the name and namespace may match the
//! resource's original or current id; label and annotation selectors use Kubernetes syntax.

use regex::Regex;

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::{Node, Value};

use super::super::resource::Resource;
use super::label_selector::LabelSelector;

const FIELDS: &[&str] = &[
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
];

#[derive(Debug)]
pub struct Selector {
    pub span: Span,
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: LabelSelector,
    annotations: LabelSelector,
    /// The literal fields, for messages.
    pub kind_text: String,
    pub name_text: String,
}

impl Selector {
    /// Reads a `target:` map.
    pub fn parse(node: &Node) -> Result<Selector> {
        let Some(m) = node.as_map() else {
            return Err(Error::at(
                "patch",
                node.span(),
                format!("`target` must be a map, found a {}", node.type_name()),
            ));
        };
        for e in &m.entries {
            if !FIELDS.contains(&e.key.as_str()) {
                return Err(Error::at(
                    "patch",
                    e.key_span,
                    format!("unknown field \"{}\" in patch target", e.key),
                )
                .with_label("not a target field")
                .with_help(format!("a target has {}", FIELDS.join(", "))));
            }
        }
        let text = |key: &str| -> Result<(String, Span)> {
            match m.get(key) {
                None => Ok((String::new(), node.span())),
                Some(v) => match &v.value {
                    Value::Null => Ok((String::new(), v.span())),
                    Value::Str(s) => Ok((s.clone(), v.span())),
                    _ => Err(Error::at(
                        "patch",
                        v.span(),
                        format!("target `{key}` must be a string, found a {}", v.type_name()),
                    )),
                },
            }
        };
        let regex = |key: &str| -> Result<Option<Regex>> {
            let (s, span) = text(key)?;
            if s.is_empty() {
                return Ok(None);
            }
            Regex::new(&format!("^(?:{s})$")).map(Some).map_err(|e| {
                Error::at(
                    "patch",
                    span,
                    format!(
                        "target `{key}` is not a valid regular expression \"{s}\": {}",
                        first_line(&e.to_string())
                    ),
                )
            })
        };
        let selector = |key: &str| -> Result<LabelSelector> {
            let (s, span) = text(key)?;
            LabelSelector::parse(&s).map_err(|e| {
                Error::at("patch", span, format!("invalid `{key}` \"{s}\": {e}"))
                    .with_help("selectors look like `app=web,tier in (frontend,backend),!legacy`")
            })
        };
        Ok(Selector {
            span: node.span(),
            group: regex("group")?,
            version: regex("version")?,
            kind: regex("kind")?,
            name: regex("name")?,
            namespace: regex("namespace")?,
            labels: selector("labelSelector")?,
            annotations: selector("annotationSelector")?,
            kind_text: text("kind")?.0,
            name_text: text("name")?.0,
        })
    }

    pub fn has_name(&self) -> bool {
        self.name.is_some()
    }

    /// kustomize's `resWrangler.Select`.
    pub fn matches(&self, r: &Resource) -> bool {
        let cur = r.id();
        let org = r.original_id();
        let ok = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|re| re.is_match(s));
        let ns_ok = self.namespace.is_none()
            || ok(&self.namespace, ns_key(&org))
            || ok(&self.namespace, ns_key(&cur));
        let name_ok = self.name.is_none() || ok(&self.name, &org.name) || ok(&self.name, &cur.name);
        ns_ok
            && name_ok
            && ok(&self.group, &cur.gvk.group)
            && ok(&self.version, &cur.gvk.version)
            && ok(&self.kind, &cur.gvk.kind)
            && (self.labels.is_empty() || self.labels.matches(&r.labels()))
            && (self.annotations.is_empty() || self.annotations.matches(&r.annotations()))
    }
}

/// The namespace kustomize compares: `default` for a namespaced resource without one.
fn ns_key(id: &super::super::resource::ResId) -> &str {
    if id.gvk.is_cluster_scoped() {
        // kustomize's placeholder for cluster-scoped resources
        "_non_namespaceable_"
    } else {
        id.effective_namespace()
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}
