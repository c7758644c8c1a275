//! The value a container gets for an environment variable, as the kubelet computes it: `env`
//! entries (the last with the name wins) over `envFrom` sources (the last that defines it wins),
//! `valueFrom` references resolved against the ConfigMaps and Secrets applied in the environment.

use base64::Engine;

use crate::flux::Environment;
use crate::yaml::Node;

use super::{Container, Workload};

/// Where a variable's value comes from.
pub enum EnvValue<'a> {
    /// The container does not get the variable.
    Missing,
    /// A value (`value:`, or a ConfigMap/Secret entry), with the node that holds it.
    Value { text: String, node: &'a Node },
    /// A reference that cannot be followed (an object not applied in this environment, a field
    /// fluxlint does not know), with a description and the node that makes it.
    Unresolved { why: String, node: &'a Node },
}

impl<'a> Container<'a> {
    /// The value of variable `name` in this container of `w`.
    pub fn env_value(&self, env: &'a Environment, w: &Workload<'a>, name: &str) -> EnvValue<'a> {
        let entries = self.node.get("env").and_then(Node::as_seq);
        let entry = entries
            .into_iter()
            .flatten()
            .rev()
            .find(|e| e.get("name").and_then(Node::as_str) == Some(name));
        if let Some(e) = entry {
            return from_entry(env, w, e);
        }
        let sources = self.node.get("envFrom").and_then(Node::as_seq);
        for src in sources.into_iter().flatten().rev() {
            let prefix = src.get("prefix").and_then(Node::as_str).unwrap_or("");
            let Some(key) = name.strip_prefix(prefix) else {
                continue;
            };
            for (field, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                let Some(obj) = src.get(field).and_then(|r| r.get("name")?.as_str()) else {
                    continue;
                };
                match object_value(env, w.namespace, kind, obj, key) {
                    Lookup::Found(text, node) => return EnvValue::Value { text, node },
                    Lookup::NoKey => {}
                    // an envFrom source outside the repository may define it: fluxlint cannot tell
                    Lookup::NoObject => {}
                }
            }
        }
        EnvValue::Missing
    }
}

fn from_entry<'a>(env: &'a Environment, w: &Workload<'a>, e: &'a Node) -> EnvValue<'a> {
    if let Some(v) = e.get("value").filter(|v| !v.is_null()) {
        return EnvValue::Value {
            text: v.scalar_string().unwrap_or_default(),
            node: v,
        };
    }
    let Some(from) = e.get("valueFrom").filter(|v| !v.is_null()) else {
        // `- name: X` alone: the variable is set, to the empty string
        let node = e.get("name").unwrap_or(e);
        return EnvValue::Value {
            text: String::new(),
            node,
        };
    };
    for (field, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
        let Some(r) = from.get(field) else { continue };
        let obj = r.get("name").and_then(Node::as_str).unwrap_or("");
        let key = r.get("key").and_then(Node::as_str).unwrap_or("");
        return match object_value(env, w.namespace, kind, obj, key) {
            Lookup::Found(text, node) => EnvValue::Value { text, node },
            Lookup::NoKey => EnvValue::Unresolved {
                why: format!("key \"{key}\" of {kind} \"{obj}\", which has no such key"),
                node: r.get("key").unwrap_or(from),
            },
            Lookup::NoObject => EnvValue::Unresolved {
                why: format!("{kind} \"{obj}\", which is not applied in this environment"),
                node: r.get("name").unwrap_or(from),
            },
        };
    }
    if let Some(path) = from.str_at(&["fieldRef", "fieldPath"]) {
        if path == "metadata.namespace" {
            return EnvValue::Value {
                text: w.namespace.to_string(),
                node: from,
            };
        }
        let template = w
            .resource()
            .node
            .get_path(&["spec", "template", "metadata"]);
        for (prefix, field) in [
            ("metadata.labels['", "labels"),
            ("metadata.annotations['", "annotations"),
        ] {
            if let Some(k) = path.strip_prefix(prefix).and_then(|k| k.strip_suffix("']"))
                && let Some(v) = template.and_then(|t| t.get(field)?.get(k))
            {
                return EnvValue::Value {
                    text: v.scalar_string().unwrap_or_default(),
                    node: v,
                };
            }
        }
        return EnvValue::Unresolved {
            why: format!("the pod field \"{path}\""),
            node: from,
        };
    }
    EnvValue::Unresolved {
        why: "a reference fluxlint cannot follow".into(),
        node: from,
    }
}

enum Lookup<'a> {
    Found(String, &'a Node),
    NoKey,
    NoObject,
}

/// `data`/`stringData` entry `key` of a ConfigMap or Secret applied in the namespace.
fn object_value<'a>(
    env: &'a Environment,
    ns: &str,
    kind: &str,
    name: &str,
    key: &str,
) -> Lookup<'a> {
    let Some(obj) = env.lookup(kind, ns, name).next() else {
        return Lookup::NoObject;
    };
    let node = &obj.resource.node;
    if let Some(v) = node.get_path(&["stringData", key]) {
        return Lookup::Found(v.scalar_string().unwrap_or_default(), v);
    }
    if let Some(v) = node.get_path(&["data", key]) {
        let text = v.scalar_string().unwrap_or_default();
        let text = if kind == "Secret" {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or(text)
        } else {
            text
        };
        return Lookup::Found(text, v);
    }
    Lookup::NoKey
}

impl<'a> Container<'a> {
    /// The names of every variable the container gets: its `env` entries, and the keys of the
    /// ConfigMaps and Secrets its `envFrom` sources name (with their prefix), in order, each once.
    pub fn env_names(&self, env: &'a Environment, w: &Workload<'a>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |n: String| {
            if !n.is_empty() && !out.contains(&n) {
                out.push(n);
            }
        };
        for e in self
            .node
            .get("env")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
        {
            if let Some(n) = e.get("name").and_then(Node::as_str) {
                push(n.to_string());
            }
        }
        for src in self
            .node
            .get("envFrom")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
        {
            let prefix = src.get("prefix").and_then(Node::as_str).unwrap_or("");
            for (field, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                let Some(name) = src.get(field).and_then(|r| r.get("name")?.as_str()) else {
                    continue;
                };
                let Some(obj) = env.lookup(kind, w.namespace, name).next() else {
                    continue;
                };
                for data in ["data", "stringData"] {
                    for (k, _) in obj
                        .resource
                        .node
                        .get(data)
                        .and_then(Node::as_map)
                        .into_iter()
                        .flat_map(|m| m.iter())
                    {
                        push(format!("{prefix}{k}"));
                    }
                }
            }
        }
        out
    }
}
