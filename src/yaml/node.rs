//! Span-carrying YAML nodes with origins.
//!
//! Values are held the way Kubernetes tooling reads them: kustomize turns every resource into JSON on
//! load, so a scalar is one of null, bool, integer, float or string, and mapping keys are strings.

use std::sync::Arc;

use crate::source::Span;

/// What kind of input set a value. `--origins` annotates every value not set by a plain resource file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetBy {
    /// A resource file (a base).
    Resource,
    /// A strategic-merge or JSON 6902 patch.
    Patch,
    /// A configMapGenerator / secretGenerator entry.
    Generator,
    /// A transformer field in a kustomization (namespace, namePrefix, images, replicas, labels, …).
    Transformer,
}

/// Where a value was last set, and what it overrode.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub span: Span,
    pub by: SetBy,
    pub prev: Option<Arc<Origin>>,
}

impl Origin {
    pub fn new(span: Span, by: SetBy) -> Origin {
        Origin {
            span,
            by,
            prev: None,
        }
    }

    pub fn none() -> Origin {
        Origin::new(Span::NONE, SetBy::Resource)
    }

    /// This origin, remembering `old` as the value it overrode.
    pub fn overriding(mut self, old: &Origin) -> Origin {
        if old.span != self.span {
            self.prev = Some(Arc::new(old.clone()));
        }
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Map),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A mapping that keeps insertion order (kustomize sorts keys on output; we sort in the emitter).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    pub entries: Vec<Entry>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }
    /// Sets `key`, replacing an existing value in place (keeping its position).
    pub fn insert(&mut self, key: impl Into<String>, key_span: Span, value: Node) {
        let key = key.into();
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            e.value = value;
        } else {
            self.entries.push(Entry {
                key,
                key_span,
                value,
            });
        }
    }
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i).value)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Node)> {
        self.entries
            .iter_mut()
            .map(|e| (e.key.as_str(), &mut e.value))
    }
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Node {
        Node { value, origin }
    }
    pub fn null(origin: Origin) -> Node {
        Node::new(Value::Null, origin)
    }
    pub fn str(s: impl Into<String>, origin: Origin) -> Node {
        Node::new(Value::Str(s.into()), origin)
    }
    pub fn map(origin: Origin) -> Node {
        Node::new(Value::Map(Map::new()), origin)
    }
    pub fn seq(items: Vec<Node>, origin: Origin) -> Node {
        Node::new(Value::Seq(items), origin)
    }

    pub fn span(&self) -> Span {
        self.origin.span
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Map lookup; `None` when this is not a map or the key is missing.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.get_mut(key)
    }
    /// Lookup along a path of map keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in path {
            n = n.get(k)?;
        }
        Some(n)
    }
    pub fn get_path_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        let mut n = self;
        for k in path {
            n = n.get_mut(k)?;
        }
        Some(n)
    }
    /// String at a path of map keys.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.get_path(path)?.as_str()
    }

    /// Returns the map at `key`, creating an empty one (with this node's origin) when missing or null.
    pub fn ensure_map(&mut self, key: &str, origin: &Origin) -> Option<&mut Node> {
        let m = self.as_map_mut()?;
        let missing = match m.get(key) {
            None => true,
            Some(n) => n.is_null(),
        };
        if missing {
            m.insert(key, origin.span, Node::map(origin.clone()));
        }
        m.get_mut(key)
    }

    /// Overwrites every origin in this subtree.
    pub fn set_origin_deep(&mut self, origin: &Origin) {
        self.origin = origin.clone();
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_origin_deep(origin)),
            Value::Map(m) => m
                .entries
                .iter_mut()
                .for_each(|e| e.value.set_origin_deep(origin)),
            _ => {}
        }
    }

    /// Plain scalar text as kustomize would stringify it (for name matching, replacements…).
    pub fn scalar_string(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(crate::yaml::emit::format_float(*f)),
            Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// A short description of the type for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// Semantic equality, ignoring origins.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.same_value(w)))
            }
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            (a, b) => a == b,
        }
    }

    /// Converts to JSON (for hashing and for JSON patch documents).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a node tree from JSON, every node carrying `origin`.
    pub fn from_json(v: &serde_json::Value, origin: &Origin) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(a) => Value::Seq(a.iter().map(|x| Node::from_json(x, origin)).collect()),
            J::Object(o) => Value::Map(Map {
                entries: o
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: origin.span,
                        value: Node::from_json(v, origin),
                    })
                    .collect(),
            }),
        };
        Node::new(value, origin.clone())
    }
}
