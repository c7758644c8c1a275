//! Merge keys and patch strategies of list fields, for strategic merge: kustomize's built-in
//! Kubernetes schema (v1.21.2), or a kustomization's `openapi:` file.
//!
//! Kustomize keeps the schema in process-wide state, and this module keeps its quirks: the first
//! `openapi:` met while building (the top kustomization first, then sub-kustomizations in the order
//! they are read) wins for the rest of the build, including parents and later siblings. A custom
//! schema *replaces* the built-in one, unless a strategic merge already ran before it was set: then
//! the built-in definitions stay loaded and the custom ones are added to them. So one `Schema` is
//! shared (`Arc`) by every accumulator of a build.

use std::collections::HashMap;

use super::fast_map::FastMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value as J;

use crate::error::{Error, Result};
use crate::yaml::SetBy;

use super::kustomization::{Kustomization, type_error};
use super::loader::Loader;

/// The only OpenAPI version kustomize v5.5 has built in.
const BUILTIN_VERSION: &str = "v1.21.2";

#[derive(Debug, Default)]
pub struct Schema {
    state: Mutex<State>,
}

#[derive(Debug, Clone, Default)]
struct State {
    /// `openapi:` fields met so far: the state depends on the order they were read in.
    openapi_fields: usize,
    sequential: bool,
    custom: Option<Arc<Custom>>,
    /// A lookup happened while no custom schema was set (kustomize parsed its built-in schema).
    builtin_loaded: bool,
    /// `openapi: {version: ...}` was set: later `openapi:` fields are ignored.
    version_set: bool,
}

impl Schema {
    /// A fresh schema state for one build.
    pub fn builtin() -> Arc<Schema> {
        Arc::new(Schema::default())
    }

    /// A fresh state for a build that reads everything in order, one entry at a time.
    pub fn sequential() -> Arc<Schema> {
        let s = Schema::default();
        s.lock().sequential = true;
        Arc::new(s)
    }

    /// Must this build read sibling entries one at a time? Builds load them in parallel; but once
    /// an `openapi:` field is met the order matters, and the build starts over in order.
    pub fn is_sequential(&self) -> bool {
        self.lock().sequential
    }

    /// How many `openapi:` fields were met so far.
    pub fn openapi_fields(&self) -> usize {
        self.lock().openapi_fields
    }

    /// Applies `k`'s `openapi:` field (when it has one and no schema was chosen yet) and returns the
    /// build's shared schema. Call it before `k`'s resources are read, as kustomize does.
    pub fn for_kustomization(
        loader: &Loader,
        k: &Kustomization,
        inherited: &Arc<Schema>,
    ) -> Result<Arc<Schema>> {
        let Some(field) = k.field("openapi") else {
            return Ok(Arc::clone(inherited));
        };
        if field.is_null() {
            return Ok(Arc::clone(inherited));
        }
        let Some(map) = field.as_map() else {
            return Err(type_error(
                "openapi",
                field,
                "a map with `path` or `version`",
            ));
        };
        let path = map.get("path");
        let version = map.get("version");
        if let (Some(_), Some(v)) = (path, version) {
            return Err(Error::at(
                "openapi",
                v.span(),
                "builtin version and custom schema provided, cannot use both",
            ));
        }
        let mut state = inherited.lock();
        state.openapi_fields += 1;
        if state.custom.is_some() || state.version_set {
            return Ok(Arc::clone(inherited));
        }
        if let Some(v) = version {
            let text = v.scalar_string().unwrap_or_default();
            if text != BUILTIN_VERSION {
                return Err(Error::at(
                    "openapi",
                    v.span(),
                    format!("the specified OpenAPI version '{text}' is not built in"),
                )
                .with_help(format!("kustomize v5.5 only has {BUILTIN_VERSION}")));
            }
            state.version_set = true;
            return Ok(Arc::clone(inherited));
        }
        let Some(p) = path else {
            return Ok(Arc::clone(inherited));
        };
        let Some(rel) = p.as_str() else {
            return Err(type_error("openapi.path", p, "a string"));
        };
        let file = k.resolve_file(loader, rel, p.span())?;
        let loaded = loader.load_yaml(&file, SetBy::Resource, p.span())?;
        let root = loaded.docs.first().map(|d| d.root.to_json());
        state.custom = Some(Arc::new(Custom::parse(root.as_ref())));
        Ok(Arc::clone(inherited))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The definitions a strategic merge sees now (this counts as a use of the schema).
    pub fn resolver(&self) -> Resolver {
        let mut s = self.lock();
        if s.custom.is_none() {
            s.builtin_loaded = true;
        }
        Resolver {
            builtin: s.builtin_loaded.then(builtin),
            custom: s.custom.clone(),
        }
    }
}

/// A snapshot of the definitions in force.
pub struct Resolver {
    builtin: Option<&'static Builtin>,
    custom: Option<Arc<Custom>>,
}

impl Resolver {
    /// The schema of a resource type, when known.
    pub fn root(&self, api_version: &str, kind: &str) -> Option<Sch<'_>> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(c) = &self.custom
            && let Some(name) = c.roots.get(&key)
            && let Some(def) = c.defs.get(name)
        {
            return Some(Sch::Json(def, c));
        }
        let b = self.builtin?;
        b.roots.get(&key).map(|&i| Sch::Def(&b.defs[i], b))
    }
}

/// A custom OpenAPI document (`openapi: {path: ...}`).
#[derive(Debug, Default)]
pub struct Custom {
    defs: serde_json::Map<String, J>,
    roots: HashMap<(String, String), String>,
}

impl Custom {
    fn parse(root: Option<&J>) -> Custom {
        let mut c = Custom::default();
        let Some(defs) = root
            .and_then(|r| r.get("definitions"))
            .and_then(J::as_object)
        else {
            return c;
        };
        for (name, def) in defs {
            let gvks = def
                .get("x-kubernetes-group-version-kind")
                .and_then(J::as_array);
            for g in gvks.into_iter().flatten() {
                let field = |k: &str| g.get(k).and_then(J::as_str).unwrap_or("");
                let (group, version, kind) = (field("group"), field("version"), field("kind"));
                let api_version = if group.is_empty() {
                    version.to_string()
                } else {
                    format!("{group}/{version}")
                };
                c.roots
                    .insert((api_version, kind.to_string()), name.clone());
            }
        }
        c.defs = defs.clone();
        c
    }

    /// Follows `$ref`s to the definition they name (kustomize gives up on a dangling one).
    fn resolve<'a>(&'a self, mut s: &'a J) -> Option<&'a J> {
        for _ in 0..64 {
            let Some(r) = s.get("$ref") else {
                return Some(s);
            };
            let name = r.as_str()?.strip_prefix("#/definitions/")?;
            s = self.defs.get(&name.replace("~1", "/").replace("~0", "~"))?;
        }
        None
    }
}

/// The schema of one node during a merge.
#[derive(Clone, Copy)]
pub enum Sch<'a> {
    Def(&'a BDef, &'a Builtin),
    List(&'a BList, &'a Builtin),
    Json(&'a J, &'a Custom),
}

impl<'a> Sch<'a> {
    /// The schema of a map field.
    pub fn field(self, key: &str) -> Option<Sch<'a>> {
        match self {
            Sch::Def(d, b) => match d.fields.get(key)? {
                BField::Object(i) => Some(Sch::Def(&b.defs[*i], b)),
                BField::List(l) => Some(Sch::List(l, b)),
            },
            Sch::List(..) => None,
            Sch::Json(s, c) => {
                let f = match s.get("properties").and_then(|p| p.get(key)) {
                    Some(f) => f,
                    None => s.get("additionalProperties").filter(|a| a.is_object())?,
                };
                c.resolve(f).map(|f| Sch::Json(f, c))
            }
        }
    }

    /// The schema of a list's elements.
    pub fn elements(self) -> Option<Sch<'a>> {
        match self {
            Sch::List(l, b) => l.elem.map(|i| Sch::Def(&b.defs[i], b)),
            Sch::Def(..) => None,
            Sch::Json(s, c) => {
                let is_array = match s.get("type") {
                    Some(J::String(t)) => t == "array",
                    Some(J::Array(ts)) => ts.len() == 1 && ts[0].as_str() == Some("array"),
                    _ => false,
                };
                let items = s.get("items").filter(|_| is_array)?;
                c.resolve(items).map(|i| Sch::Json(i, c))
            }
        }
    }

    /// `x-kubernetes-patch-strategy` and the merge keys (list-map-keys first, as kustomize).
    pub fn strategy_and_keys(self) -> (String, Vec<String>) {
        match self {
            Sch::List(l, _) => (l.strategy.clone(), l.keys.clone()),
            Sch::Def(..) => (String::new(), Vec::new()),
            Sch::Json(s, _) => {
                let Some(strategy) = s.get("x-kubernetes-patch-strategy") else {
                    return (String::new(), Vec::new());
                };
                let strategy = strategy.as_str().unwrap_or("").to_string();
                if let Some(keys) = s.get("x-kubernetes-list-map-keys").and_then(J::as_array) {
                    let keys = keys.iter().filter_map(J::as_str).map(String::from);
                    return (strategy, keys.collect());
                }
                match s.get("x-kubernetes-patch-merge-key").and_then(J::as_str) {
                    Some(k) => (strategy, vec![k.to_string()]),
                    None => (strategy, Vec::new()),
                }
            }
        }
    }

    /// Whether a list with this schema merges element-wise.
    pub fn is_associative(self) -> bool {
        self.strategy_and_keys().0.split(',').any(|s| s == "merge")
    }
}

/// The built-in definitions, from `schema/builtin.txt`.
#[derive(Debug, Default)]
pub struct Builtin {
    defs: Vec<BDef>,
    roots: FastMap<(String, String), usize>,
}

#[derive(Debug, Default)]
pub struct BDef {
    fields: FastMap<String, BField>,
}

#[derive(Debug)]
enum BField {
    Object(usize),
    List(BList),
}

#[derive(Debug)]
pub struct BList {
    strategy: String,
    keys: Vec<String>,
    elem: Option<usize>,
}

fn builtin() -> &'static Builtin {
    static DATA: OnceLock<Builtin> = OnceLock::new();
    DATA.get_or_init(|| parse_builtin(include_str!("schema/builtin.txt")))
}

fn parse_builtin(text: &str) -> Builtin {
    let lines: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .filter(|w: &Vec<&str>| w.len() >= 2)
        .collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for w in lines.iter().filter(|w| w[0] == "D") {
        index.insert(w[1], index.len());
    }
    let mut b = Builtin {
        defs: (0..index.len()).map(|_| BDef::default()).collect(),
        roots: FastMap::default(),
    };
    for w in &lines {
        match w[0] {
            "D" => {
                let Some(&i) = index.get(w[1]) else { continue };
                for entry in &w[2..] {
                    let (head, target) = match entry.split_once("=>") {
                        Some((h, t)) => (h, index.get(t).copied()),
                        None => (*entry, None),
                    };
                    let field = match head.split_once('[') {
                        Some((name, spec)) => {
                            let spec = spec.trim_end_matches(']');
                            let (strategy, keys) = spec.split_once('|').unwrap_or((spec, ""));
                            let keys = keys.split(',').filter(|k| !k.is_empty());
                            let list = BList {
                                strategy: strategy.to_string(),
                                keys: keys.map(String::from).collect(),
                                elem: target,
                            };
                            (name, BField::List(list))
                        }
                        None => match target {
                            Some(t) => (head, BField::Object(t)),
                            None => continue,
                        },
                    };
                    b.defs[i].fields.insert(field.0.to_string(), field.1);
                }
            }
            "R" if w.len() >= 4 => {
                let Some(&i) = index.get(w[2]) else { continue };
                for kind in &w[3..] {
                    b.roots.insert((w[1].to_string(), kind.to_string()), i);
                }
            }
            _ => {}
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knows_pod_templates() {
        let r = Schema::builtin().resolver();
        let dep = r.root("apps/v1", "Deployment").expect("deployment");
        let containers = ["spec", "template", "spec", "containers"]
            .iter()
            .try_fold(dep, |s, k| s.field(k))
            .expect("containers");
        assert!(containers.is_associative());
        assert_eq!(containers.strategy_and_keys().1, vec!["name"]);
        let ports = containers.elements().and_then(|c| c.field("ports"));
        let keys = ports.map(|p| p.strategy_and_keys().1);
        assert_eq!(keys, Some(vec!["containerPort".into(), "protocol".into()]));
        let volumes = dep.field("spec").and_then(|s| s.field("template"));
        let volumes = volumes
            .and_then(|t| t.field("spec"))
            .and_then(|s| s.field("volumes"));
        assert!(volumes.is_some_and(|v| v.is_associative()));
        assert!(r.root("example.com/v1", "Widget").is_none());
        assert!(
            r.root("autoscaling/v2", "HorizontalPodAutoscaler")
                .is_none()
        );
    }

    #[test]
    fn custom_schema_resolves_refs() {
        let doc: J = serde_json::json!({"definitions": {
            "w": {"x-kubernetes-group-version-kind": [{"group": "ex.com", "version": "v1", "kind": "W"}],
                  "properties": {"spec": {"$ref": "#/definitions/spec"}}},
            "spec": {"properties": {"items": {"type": "array", "items": {"type": "object"},
                "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "id"}}}
        }});
        let c = Custom::parse(Some(&doc));
        let r = Resolver {
            builtin: None,
            custom: Some(Arc::new(c)),
        };
        let items = r
            .root("ex.com/v1", "W")
            .and_then(|s| s.field("spec"))
            .and_then(|s| s.field("items"))
            .expect("items");
        assert!(items.is_associative());
        assert_eq!(items.strategy_and_keys().1, vec!["id"]);
        assert!(items.elements().is_some());
    }
}
