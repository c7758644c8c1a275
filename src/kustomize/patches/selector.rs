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
    /// The fields that are set, with the span of their value (to point at the one that fails).
    set: Vec<(&'static str, Span)>,
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
            set: FIELDS
                .iter()
                .filter_map(|&k| {
                    let v = m.get(k).filter(|v| !v.is_null())?;
                    (v.as_str() != Some("")).then_some((k, v.span()))
                })
                .collect(),
        })
    }

    /// When the selector matches none of `resources`: the one field whose value is to blame —
    /// the only field that, left out, lets the rest match something (a typo in a name, a wrong
    /// kind). `None` when no single field is to blame.
    pub fn culprit(&self, resources: &[Resource]) -> Option<(&'static str, Span)> {
        let mut blamed = self
            .set
            .iter()
            .filter(|(f, _)| resources.iter().any(|r| self.matches_except(r, Some(*f))));
        match (blamed.next(), blamed.next()) {
            (Some(&one), None) => Some(one),
            _ => None,
        }
    }

    pub fn has_name(&self) -> bool {
        self.name.is_some()
    }

    /// kustomize's `resWrangler.Select`.
    pub fn matches(&self, r: &Resource) -> bool {
        self.matches_except(r, None)
    }

    /// [`Selector::matches`], leaving out one field.
    fn matches_except(&self, r: &Resource, skip: Option<&str>) -> bool {
        let cur = r.id();
        let org = r.original_id();
        let on = |f: &str| skip != Some(f);
        let ok = |f: &str, re: &Option<Regex>, s: &str| {
            !on(f) || re.as_ref().is_none_or(|re| re.is_match(s))
        };
        let ns_ok = self.namespace.is_none()
            || ok("namespace", &self.namespace, ns_key(&org))
            || ok("namespace", &self.namespace, ns_key(&cur));
        let name_ok = self.name.is_none()
            || ok("name", &self.name, &org.name)
            || ok("name", &self.name, &cur.name);
        ns_ok
            && name_ok
            && ok("group", &self.group, &cur.gvk.group)
            && ok("version", &self.version, &cur.gvk.version)
            && ok("kind", &self.kind, &cur.gvk.kind)
            && (!on("labelSelector") || self.labels.is_empty() || self.labels.matches(&r.labels()))
            && (!on("annotationSelector")
                || self.annotations.is_empty()
                || self.annotations.matches(&r.annotations()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{SetBy, parse_stream};

    fn doc(text: &str) -> Node {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        docs.into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(crate::yaml::Origin::none()))
    }

    fn culprit(target: &str) -> Option<&'static str> {
        let res = [
            Resource::new(
                doc(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n",
                ),
                Span::NONE,
            ),
            Resource::new(
                doc("apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\n"),
                Span::NONE,
            ),
        ];
        let Ok(s) = Selector::parse(&doc(target)) else {
            return Some("parse error");
        };
        assert!(!res.iter().any(|r| s.matches(r)), "{target} matches");
        s.culprit(&res).map(|(f, _)| f)
    }

    #[test]
    fn blames_the_one_field_that_selects_nothing() {
        assert_eq!(culprit("{kind: Deployment, name: wbe}"), Some("name"));
        assert_eq!(culprit("{kind: Deploymnet, name: web}"), Some("kind"));
        assert_eq!(
            culprit("{kind: Deployment, namespace: kube-system}"),
            Some("namespace")
        );
        assert_eq!(
            culprit("{labelSelector: app=worker}"),
            Some("labelSelector")
        );
        // two fields wrong, or each right on its own: nothing to single out
        assert_eq!(culprit("{kind: Deploymnet, name: wbe}"), None);
        assert_eq!(culprit("{kind: Service, name: web}"), None);
    }
}
