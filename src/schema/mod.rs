//! Schemas for Kubernetes objects: the built-in bundle (Kubernetes and Flux kinds, generated at
//! build time by `build/main.rs`), schemas converted from CustomResourceDefinitions, and
//! validation of one object into problems placed on its nodes.

pub mod cel;
pub mod crd;
pub mod locate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value as J, json};

use crate::policy::{did_you_mean, edit_distance};
use crate::source::Span;
use crate::yaml::{Node, Value};
use locate::{a_type, expected_type, locate, place, shown_value};

const BUNDLE: &str = include_str!(concat!(env!("OUT_DIR"), "/schemas.json"));

/// A Kubernetes quantity (what the bundle's Quantity pattern is).
pub const QUANTITY_PATTERN_HINT: &str = "Ki|Mi|Gi";
/// The duration pattern of Flux's CRDs.
pub const FLUX_DURATION: &str = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";

/// Who judged an object.
#[derive(Clone, Debug, PartialEq)]
pub enum Judge {
    /// The bundled Kubernetes schema of this version.
    Kubernetes(String),
    /// The bundled Flux schema (of these kcr crates' Flux CRDs).
    Flux,
    /// A CustomResourceDefinition of the repository: its name, the version, where it is.
    Crd {
        name: String,
        version: String,
        span: Span,
    },
}

impl Judge {
    /// How a message names it.
    pub fn describe(&self) -> String {
        match self {
            Judge::Kubernetes(v) => format!("the Kubernetes {v} schema"),
            Judge::Flux => "the built-in Flux schema".into(),
            Judge::Crd { name, version, .. } => {
                format!("the CustomResourceDefinition {name} ({version})")
            }
        }
    }
}

/// A compiled schema and the JSON Schema it was compiled from.
pub struct Compiled {
    pub validator: Validator,
    pub root: J,
}

impl Compiled {
    pub fn new(root: J) -> Result<Compiled, String> {
        let validator = jsonschema::draft7::options()
            .should_validate_formats(false)
            .with_keyword(cel::KEYWORD, cel::factory)
            .build(&root)
            .map_err(|e| e.to_string())?;
        Ok(Compiled { validator, root })
    }
}

struct BundleKind {
    judge: Judge,
    def: String,
    defs: Vec<String>,
    compiled: OnceLock<Option<Compiled>>,
}

/// The built-in schemas.
pub struct Bundle {
    pub kubernetes: String,
    /// The crates the schemas were generated from, with their versions.
    pub crates: Vec<(String, String)>,
    kinds: HashMap<String, BundleKind>,
    defs: Map<String, J>,
}

/// The built-in bundle, parsed on first use.
pub fn bundle() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        let mut v: J = serde_json::from_str(BUNDLE).unwrap_or(J::Null);
        let kubernetes = v
            .get("kubernetes")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string();
        let crates = v
            .get("crates")
            .and_then(J::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let defs = match v.get_mut("definitions").map(J::take) {
            Some(J::Object(m)) => m,
            _ => Map::new(),
        };
        let mut kinds = HashMap::new();
        if let Some(J::Object(m)) = v.get("kinds") {
            for (key, k) in m {
                let judge = match k.get("source").and_then(J::as_str) {
                    Some("flux") => Judge::Flux,
                    _ => Judge::Kubernetes(kubernetes.clone()),
                };
                let strs = |f: &str| -> Vec<String> {
                    k.get(f)
                        .and_then(J::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                kinds.insert(
                    key.clone(),
                    BundleKind {
                        judge,
                        def: k
                            .get("def")
                            .and_then(J::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        defs: strs("defs"),
                        compiled: OnceLock::new(),
                    },
                );
            }
        }
        Bundle {
            kubernetes,
            crates,
            kinds,
            defs,
        }
    })
}

impl Bundle {
    /// The built-in schema of `apiVersion`/`kind`, compiled on first use.
    pub fn get(&self, api_version: &str, kind: &str) -> Option<(&Compiled, &Judge)> {
        let k = self.kinds.get(&format!("{api_version}/{kind}"))?;
        let c = k
            .compiled
            .get_or_init(|| {
                let mut defs = Map::new();
                for d in &k.defs {
                    defs.insert(d.clone(), self.defs.get(d)?.clone());
                }
                let root = json!({"$ref": format!("#/definitions/{}", k.def), "definitions": defs});
                Compiled::new(root).ok()
            })
            .as_ref()?;
        Some((c, &k.judge))
    }

    /// A definition and every definition it reaches (for CRDs' `metadata`).
    pub fn definitions_from(&self, name: &str) -> Map<String, J> {
        let mut out = Map::new();
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            if out.contains_key(&n) {
                continue;
            }
            let Some(d) = self.defs.get(&n) else { continue };
            collect_refs(d, &mut todo);
            out.insert(n, d.clone());
        }
        out
    }

    /// Whether some built-in Kubernetes kind is in this API group (`""`: the core group).
    pub fn has_kubernetes_group(&self, group: &str) -> bool {
        self.kinds.iter().any(|(key, k)| {
            matches!(k.judge, Judge::Kubernetes(_))
                && match key.split('/').collect::<Vec<_>>().as_slice() {
                    [_, _] => group.is_empty(),
                    [g, _, _] => *g == group,
                    _ => false,
                }
        })
    }

    /// How many kinds it has schemas for: (Kubernetes, Flux).
    pub fn counts(&self) -> (usize, usize) {
        let flux = self
            .kinds
            .values()
            .filter(|k| k.judge == Judge::Flux)
            .count();
        (self.kinds.len() - flux, flux)
    }
}

fn collect_refs(v: &J, out: &mut Vec<String>) {
    match v {
        J::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        J::Object(o) => {
            if let Some(n) = o
                .get("$ref")
                .and_then(J::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
            {
                out.push(n.to_string());
            }
            o.values().for_each(|x| collect_refs(x, out));
        }
        _ => {}
    }
}

/// Compiled schemas shared by every environment, by their JSON text (a CRD applied by three
/// environments is compiled once).
pub fn compile_cached(root: J) -> Option<Arc<Compiled>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Compiled>>>>> = OnceLock::new();
    let key = root.to_string();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().ok()?.get(&key) {
        return c.clone();
    }
    let c = Compiled::new(root).ok().map(Arc::new);
    cache.lock().ok()?.insert(key, c.clone());
    c
}

/// An object as the API server reads it: null-valued keys dropped, a SOPS stanza removed.
pub fn object_json(node: &Node) -> J {
    fn conv(n: &Node) -> J {
        match &n.value {
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .filter(|e| !e.value.is_null())
                    .map(|e| (e.key.clone(), conv(&e.value)))
                    .collect(),
            ),
            Value::Seq(items) => J::Array(items.iter().map(conv).collect()),
            _ => n.to_json(),
        }
    }
    let mut j = conv(node);
    if let Some(o) = j.as_object_mut()
        && o.get("sops").is_some_and(J::is_object)
    {
        o.remove("sops");
    }
    j
}

/// One schema violation, placed in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Span,
    /// The JSON pointer of the value.
    pub pointer: String,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

/// The field name nearest to a misspelt one: the closest by edit distance (a third of the
/// length at most), else one it starts like (`did_you_mean`).
fn nearest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    allowed
        .iter()
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(w.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
        .or_else(|| did_you_mean(word, allowed.iter().copied()))
}

/// Is this value one that is filled in or decrypted later (`${VAR}`, SOPS `ENC[…]`)?
fn deferred(n: &Node) -> bool {
    n.as_str()
        .is_some_and(|s| s.contains("${") || s.starts_with("ENC["))
}

/// Validates one object; `skip` says whether a value is to be left alone (unresolved
/// substitutions). The problems come sorted by position.
pub fn validate(c: &Compiled, obj: &Node, skip: &dyn Fn(&Node) -> bool) -> Vec<Problem> {
    let json = object_json(obj);
    let mut out: Vec<Problem> = Vec::new();
    for e in c.validator.iter_errors(&json) {
        problems(c, obj, &e, skip, &mut out);
        if out.len() > 50 {
            break;
        }
    }
    out.sort_by_key(|p| (p.span.file, p.span.start, p.span.end));
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

fn problems(
    c: &Compiled,
    obj: &Node,
    e: &jsonschema::ValidationError,
    skip: &dyn Fn(&Node) -> bool,
    out: &mut Vec<Problem>,
) {
    let segs = locate::segments(e);
    let (node, key_span) = locate(obj, &segs);
    let pointer = locate::pointer(&segs);
    let at = place(node, key_span);
    let what = if segs.is_empty() {
        "the object".to_string()
    } else {
        locate::dotted(&segs)
    };
    let sub = || locate::schema_at(&c.root, &segs);
    let mut one = |message: String, label: &str, help: Option<String>| {
        out.push(Problem {
            span: at,
            pointer: pointer.clone(),
            message,
            label: label.to_string(),
            help,
        })
    };
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<&str> = sub()
                .and_then(|s| s.get("properties"))
                .and_then(J::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            for k in unexpected {
                let span = node
                    .as_map()
                    .and_then(|m| m.entry(k))
                    .map(|e| e.key_span)
                    .unwrap_or(at);
                let help = match nearest(k, &allowed) {
                    Some(s) => Some(format!("did you mean \"{s}\"?")),
                    None if allowed.len() <= 12 => {
                        Some(format!("the fields here are: {}", allowed.join(", ")))
                    }
                    None => None,
                };
                let field = if segs.is_empty() {
                    k.clone()
                } else {
                    format!("{what}.{k}")
                };
                let mut p = pointer.clone();
                p.push('/');
                p.push_str(&k.replace('~', "~0").replace('/', "~1"));
                out.push(Problem {
                    span,
                    pointer: p,
                    message: format!("unknown field {field}"),
                    label: "unknown field".into(),
                    help,
                });
            }
        }
        ValidationErrorKind::Required { property } => {
            let p = property.as_str().unwrap_or_default();
            let target = if segs.is_empty() {
                "the object".to_string()
            } else {
                what.clone()
            };
            one(
                format!("{target} is missing the required field \"{p}\""),
                &format!("add \"{p}\" here"),
                None,
            );
        }
        _ if deferred(node) || skip(node) => {}
        ValidationErrorKind::Type { .. } => {
            let expected = expected_type(sub());
            let shown = match &node.value {
                Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                    format!("{} {}", a_type(node), shown_value(node))
                }
                _ => a_type(node).to_string(),
            };
            one(
                format!("{what} is {shown}, expected {expected}"),
                &format!("expected {expected}"),
                None,
            );
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| {
                            o.as_str()
                                .map(String::from)
                                .unwrap_or_else(|| o.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let help = node
                .as_str()
                .and_then(|s| did_you_mean(s, opts.iter().map(String::as_str)))
                .map(|s| format!("did you mean \"{s}\"?"));
            one(
                format!(
                    "{what} is {}, expected one of {}",
                    shown_value(node),
                    opts.join(", ")
                ),
                "not one of the allowed values",
                help,
            );
        }
        ValidationErrorKind::Pattern { pattern } => {
            let (msg, label) = if pattern.contains(QUANTITY_PATTERN_HINT) {
                (
                    format!(
                        "{what} is {}, which is not a Kubernetes quantity",
                        shown_value(node)
                    ),
                    "not a quantity",
                )
            } else if pattern == FLUX_DURATION {
                (
                    format!(
                        "{what} is {}, which is not a duration Flux accepts",
                        shown_value(node)
                    ),
                    "not a duration",
                )
            } else if pattern.contains("ENC\\[") {
                (
                    format!("{what} is {}, which is not base64", shown_value(node)),
                    "not base64",
                )
            } else {
                (
                    format!(
                        "{what} is {}, which does not match {pattern}",
                        shown_value(node)
                    ),
                    "does not match",
                )
            };
            let help = if label == "not a quantity" {
                Some("write a quantity such as 512Mi, 1Gi, 250m or 0.5".to_string())
            } else if label == "not a duration" {
                Some("write a duration such as 30s, 5m or 1h30m (units ms, s, m, h)".to_string())
            } else if label == "not base64" {
                Some("`data` holds base64; put plain text under `stringData`".to_string())
            } else {
                None
            };
            one(msg, label, help);
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => one(
            format!("{what} is {}, below the minimum {limit}", shown_value(node)),
            "too small",
            None,
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => one(
            format!("{what} is {}, above the maximum {limit}", shown_value(node)),
            "too large",
            None,
        ),
        ValidationErrorKind::MinLength { limit } => one(
            format!(
                "{what} is {}, shorter than {limit} characters",
                shown_value(node)
            ),
            "too short",
            None,
        ),
        ValidationErrorKind::MaxLength { limit } => one(
            format!("{what} is longer than {limit} characters"),
            "too long",
            None,
        ),
        ValidationErrorKind::MinItems { limit } => one(
            format!("{what} has fewer than {limit} items"),
            "too few items",
            None,
        ),
        ValidationErrorKind::MaxItems { limit } => one(
            format!("{what} has more than {limit} items"),
            "too many items",
            None,
        ),
        ValidationErrorKind::Custom { message, .. } => {
            one(format!("{what}: {message}"), "here", None)
        }
        _ => one(format!("{what}: {e}"), "here", None),
    }
}

#[cfg(test)]
mod tests;
