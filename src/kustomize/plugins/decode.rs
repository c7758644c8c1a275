//! Reading a plugin config the way kustomize's builtin plugins do (`sigs.k8s.io/yaml.Unmarshal` into
//! the plugin struct): keys match case-insensitively, unknown keys are ignored, a `string` field
//! takes any scalar as its text, but `bool` and `int` fields take only their own type.

use crate::error::{Error, Result};
use crate::yaml::{Node, Value};

use super::super::fieldspec::FieldSpec;
use super::super::labels::values::{self, Pair};

/// A config document and the name kustomize gives it in messages (`Kind/name`).
pub struct Cfg<'a> {
    pub node: &'a Node,
    pub label: String,
}

impl<'a> Cfg<'a> {
    pub fn new(node: &'a Node) -> Cfg<'a> {
        let kind = node.str_at(&["kind"]).unwrap_or("");
        let name = node.str_at(&["metadata", "name"]).unwrap_or("");
        Cfg {
            node,
            label: format!("{kind}/{name}"),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        values::get(self.node, key)
    }

    pub fn error(&self, n: &Node, field: &str, msg: &str) -> Error {
        Error::at(
            "plugin-config",
            n.span(),
            format!(
                "plugin {} fails configuration: `{field}`: {msg}",
                self.label
            ),
        )
    }

    fn type_error(&self, n: &Node, field: &str, want: &str) -> Error {
        self.error(
            n,
            field,
            &format!("expected {want}, found a {}", n.type_name()),
        )
        .with_label("wrong type")
    }

    /// A Go `string` field.
    pub fn string_of(&self, n: Option<&Node>, field: &str) -> Result<String> {
        match n {
            None => Ok(String::new()),
            Some(v) => match &v.value {
                Value::Seq(_) | Value::Map(_) => Err(self.type_error(v, field, "a string")),
                _ => Ok(v.scalar_string().unwrap_or_default()),
            },
        }
    }

    pub fn string(&self, key: &str) -> Result<String> {
        self.string_of(self.get(key), key)
    }

    /// A Go `bool` field: only `true` / `false`.
    pub fn boolean(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => match v.value {
                Value::Bool(b) => Ok(b),
                _ => Err(self.type_error(v, key, "true or false")),
            },
        }
    }

    /// A Go `int64` field under `parent`.
    pub fn int_of(&self, n: Option<&Node>, field: &str) -> Result<i64> {
        match n {
            None => Ok(0),
            Some(v) => match v.value {
                Value::Int(i) => Ok(i),
                _ => Err(self.type_error(v, field, "an integer")),
            },
        }
    }

    /// A Go `map[string]string` field.
    pub fn string_map(&self, key: &str) -> Result<Vec<Pair>> {
        let Some(n) = self.get(key) else {
            return Ok(Vec::new());
        };
        let Some(m) = n.as_map() else {
            return Err(self.type_error(n, key, "a map of strings"));
        };
        m.entries
            .iter()
            .map(|e| {
                Ok(Pair {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: self.string_of(Some(&e.value), &format!("{key}.{}", e.key))?,
                    value_span: e.value.span(),
                })
            })
            .collect()
    }

    /// A mapping field (a Go struct); `None` when absent or null.
    pub fn object(&self, key: &str) -> Result<Option<&'a Node>> {
        match self.get(key) {
            None => Ok(None),
            Some(n) if n.as_map().is_some() => Ok(Some(n)),
            Some(n) => Err(self.type_error(n, key, "a mapping")),
        }
    }

    /// `fieldSpecs`: `None` when absent or null (Go's nil slice), which some plugins refuse.
    pub fn field_specs(&self) -> Result<Option<Vec<FieldSpec>>> {
        let key = "fieldSpecs";
        let Some(n) = self.get(key) else {
            return Ok(None);
        };
        let Some(items) = n.as_seq() else {
            return Err(self.type_error(n, key, "a list of field specs"));
        };
        let mut out = Vec::new();
        for item in items {
            if item.is_null() {
                out.push(FieldSpec::new("", "", "", "", false));
                continue;
            }
            if item.as_map().is_none() {
                return Err(self.type_error(item, key, "a field spec mapping"));
            }
            let s = |k: &str| self.string_of(values::get(item, k), &format!("{key}.{k}"));
            let create = match values::get(item, "create") {
                None => false,
                Some(v) => match v.value {
                    Value::Bool(b) => b,
                    _ => return Err(self.type_error(v, "fieldSpecs.create", "true or false")),
                },
            };
            out.push(FieldSpec::new(
                &s("group")?,
                &s("version")?,
                &s("kind")?,
                &s("path")?,
                create,
            ));
        }
        Ok(Some(out))
    }
}
