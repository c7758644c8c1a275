//! `postBuild` variable substitution, as the kustomize-controller runs it on every built resource.
//!
//! Flux substitutes in the YAML *text* of a resource and reads the result back, so a value written
//! plain (`replicas: ${REPLICAS}`) changes type with its value (`3` becomes a number, `true` a
//! boolean, YAML 1.1 style), while a value kustomize prints quoted stays a string. We substitute node
//! by node and re-read exactly the values that would have been printed plain. A substituted value's
//! origin is where its variable was defined (the `substitute:` entry or the ConfigMap/Secret key).

use std::collections::HashMap;

use base64::Engine;

use crate::error::{Error, Result};
use crate::kustomize::resource::Resource;
use crate::source::{FileId, Span};
use crate::yaml::{Node, Origin, SetBy, Value};

use super::envsubst::{self, Lookup};

pub const DISABLE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// One variable: its value (newlines removed, as Flux does) and where it was defined.
#[derive(Clone, Debug)]
pub struct Var {
    pub value: String,
    pub span: Span,
}

/// The variables of one Flux Kustomization, and those whose values are known only at run time.
#[derive(Debug, Default)]
pub struct Vars(pub HashMap<String, Var>, pub Unresolved);

/// Variables fluxlint cannot know: from a `substituteFrom` object that is made at run time (every
/// variable may come from it) or encrypted with SOPS (its keys).
#[derive(Debug, Default)]
pub struct Unresolved {
    /// A `substituteFrom` object is not in git: any variable may be defined by it.
    pub any: bool,
    /// Keys of SOPS-encrypted objects.
    pub keys: std::collections::HashSet<String>,
    /// What fluxlint could not check, said once per environment (at info): (where, the key it
    /// is said once by, message).
    pub notes: Vec<(Span, String, String)>,
}

impl Vars {
    /// Does `postBuild` substitute at all (some variable, known or not)?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty() && !self.1.any && self.1.keys.is_empty()
    }
}

impl Lookup for Vars {
    fn get(&self, name: &str) -> Option<(&str, Span)> {
        self.0.get(name).map(|v| (v.value.as_str(), v.span))
    }

    fn unresolved(&self, name: &str) -> bool {
        self.1.any || self.1.keys.contains(name)
    }
}

/// Is this object encrypted with SOPS (a top-level `sops:` map): its values are not readable.
pub fn is_sops(obj: &Resource) -> bool {
    obj.node.get("sops").is_some_and(|n| n.as_map().is_some())
}

/// The keys of a SOPS-encrypted ConfigMap or Secret (SOPS encrypts values, not keys).
pub fn add_sops_keys(vars: &mut Vars, obj: &Resource) {
    for field in ["data", "stringData"] {
        if let Some(m) = obj.node.get(field).and_then(Node::as_map) {
            for e in &m.entries {
                if valid_name(&e.key) {
                    vars.0.remove(&e.key);
                    vars.1.keys.insert(e.key.clone());
                }
            }
        }
    }
}

/// A `${VAR}` with no value and no default, met while substituting.
#[derive(Clone, Debug)]
pub struct UndefinedUse {
    pub name: String,
    /// The value that uses it, in the file where that value was written.
    pub span: Span,
    /// Its value is known only at run time: the value was left as written, not emptied.
    pub kept: bool,
}

/// A `substituteFrom` entry.
#[derive(Clone, Debug)]
pub struct SubstituteFrom {
    pub kind: String,
    pub name: String,
    pub optional: bool,
    pub span: Span,
}

/// The `substituteFrom` references of a Flux Kustomization's `spec.postBuild`.
pub fn substitute_from(post_build: &Node) -> Vec<SubstituteFrom> {
    let Some(items) = post_build.get("substituteFrom").and_then(Node::as_seq) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            Some(SubstituteFrom {
                kind: i
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                name: i.get("name")?.scalar_string()?,
                optional: i.get("optional").and_then(Node::as_bool).unwrap_or(false),
                span: i.span(),
            })
        })
        .collect()
}

/// Adds the data of a ConfigMap or Secret (later sources override earlier ones).
pub fn add_from_object(vars: &mut Vars, obj: &Resource) -> Result<()> {
    let secret = obj.kind() == "Secret";
    if let Some(data) = obj.node.get("data").and_then(Node::as_map) {
        for e in &data.entries {
            let Some(raw) = e.value.scalar_string() else {
                continue;
            };
            let value = if secret {
                decode_secret(&raw).unwrap_or(raw)
            } else {
                raw
            };
            insert(vars, &e.key, e.key_span, value, e.value.span())?;
        }
    }
    if secret && let Some(data) = obj.node.get("stringData").and_then(Node::as_map) {
        for e in &data.entries {
            if let Some(v) = e.value.scalar_string() {
                insert(vars, &e.key, e.key_span, v, e.value.span())?;
            }
        }
    }
    Ok(())
}

/// Adds `postBuild.substitute` (it overrides every `substituteFrom`). Values must be strings: the
/// API refuses `REPLICAS: 3` in a `map[string]string`.
pub fn add_inline(vars: &mut Vars, post_build: &Node) -> Result<()> {
    let Some(m) = post_build.get("substitute").and_then(Node::as_map) else {
        return Ok(());
    };
    for e in &m.entries {
        let Some(v) = e.value.as_str() else {
            return Err(Error::at(
                "postbuild",
                e.value.span(),
                format!(
                    "postBuild.substitute.{} must be a string, found a {}",
                    e.key,
                    e.value.type_name()
                ),
            )
            .with_label("not a string")
            .with_help(format!(
                "quote the value: {}: \"{}\"",
                e.key,
                e.value.scalar_string().unwrap_or_default()
            )));
        };
        insert(vars, &e.key, e.key_span, v.to_string(), e.value.span())?;
    }
    Ok(())
}

fn insert(vars: &mut Vars, name: &str, key_span: Span, value: String, span: Span) -> Result<()> {
    if !valid_name(name) {
        return Err(Error::at(
            "postbuild",
            key_span,
            format!(
                "'{name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
            ),
        )
        .with_label("invalid variable name")
        .with_help("use letters, digits and '_' only, not starting with a digit"));
    }
    vars.1.keys.remove(name);
    vars.0.insert(
        name.to_string(),
        Var {
            value: value.replace('\n', ""),
            span,
        },
    );
    Ok(())
}

fn valid_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn decode_secret(s: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim().as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// Is substitution disabled on this resource (label or annotation)?
pub fn disabled(r: &Resource) -> bool {
    ["labels", "annotations"].iter().any(|f| {
        r.node
            .get_path(&["metadata", f, DISABLE_KEY])
            .and_then(Node::as_str)
            == Some("disabled")
    })
}

/// Substitutes `vars` into a resource; reports variables used without a value.
pub fn substitute(r: &mut Resource, vars: &Vars, undefined: &mut Vec<UndefinedUse>) -> Result<()> {
    let what = format!("{}/{}", r.kind(), r.name());
    walk(&mut r.node, vars, undefined)
        .map_err(|e| e.context(format!("post build failed for '{what}'")))
}

fn walk(n: &mut Node, vars: &Vars, undefined: &mut Vec<UndefinedUse>) -> Result<()> {
    match &mut n.value {
        Value::Seq(items) => {
            for i in items {
                walk(i, vars, undefined)?;
            }
        }
        Value::Map(m) => {
            for e in &mut m.entries {
                if envsubst::has_expansion(&e.key) {
                    let x = expand(&e.key, e.key_span, vars, undefined)?;
                    e.key = x.text;
                }
                walk(&mut e.value, vars, undefined)?;
            }
        }
        Value::Str(s) if envsubst::has_expansion(s) => {
            let x = expand(s, n.origin.span, vars, undefined)?;
            let plain = !s.contains('\n') && crate::yaml::emit::quote_str(s) == *s;
            let origin = match x.defined_at.first() {
                Some(def) => Origin::new(*def, SetBy::Transformer).overriding(&n.origin),
                None => n.origin.clone(),
            };
            let mut new = if plain {
                reread(&x.text, &origin).map_err(|m| Error::at("postbuild", n.origin.span, m))?
            } else {
                Node::str(x.text, origin.clone())
            };
            new.origin = origin;
            *n = new;
        }
        _ => {}
    }
    Ok(())
}

fn expand(
    s: &str,
    span: Span,
    vars: &Vars,
    undefined: &mut Vec<UndefinedUse>,
) -> Result<envsubst::Expanded> {
    let x = envsubst::expand(s, vars).map_err(|e| {
        Error::at(
            "postbuild",
            span,
            format!("variable substitution failed: {} in '{s}'", e.0),
        )
        .with_label("here")
        .with_help("close every `${` with `}`, or write `$${` for a literal `${`")
    })?;
    undefined.extend(x.undefined.iter().map(|name| UndefinedUse {
        name: name.clone(),
        span,
        kept: false,
    }));
    undefined.extend(x.kept.iter().map(|name| UndefinedUse {
        name: name.clone(),
        span,
        kept: true,
    }));
    Ok(x)
}

/// Reads substituted text back as the plain scalar it now is (go-yaml v2, YAML 1.1 booleans).
pub(crate) fn reread(text: &str, origin: &Origin) -> std::result::Result<Node, String> {
    let t = match text.find(" #") {
        Some(i) => text[..i].trim_end(),
        None => text,
    };
    if t.contains(": ") || t.ends_with(':') {
        return Err(format!(
            "substituted value '{text}' is not valid YAML here (mapping values are not allowed in this context)"
        ));
    }
    let structured = t.starts_with(['[', '{', '\'', '"', '!', '&', '*', '|', '>', '%', '@', '`'])
        || t.starts_with("- ")
        || t == "-"
        || t.starts_with("# ");
    if structured {
        let docs = crate::yaml::parse_stream(t, FileId::NONE, SetBy::Transformer).map_err(|e| {
            format!(
                "substituted value '{text}' is not valid YAML: {}",
                e.message
            )
        })?;
        let mut root = docs
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| Node::null(origin.clone()));
        root.set_origin_deep(origin);
        return Ok(root);
    }
    let value = match t {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Value::Bool(false),
        _ => crate::yaml::scalar::resolve_plain(t),
    };
    Ok(Node::new(value, origin.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn resource(text: &str) -> Resource {
        let docs = parse_stream(text, FileId(0), SetBy::Resource).expect("yaml");
        let d = docs.into_iter().next().expect("doc");
        Resource::new(d.root, d.span)
    }

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let mut v = Vars::default();
        for (k, val) in pairs {
            v.0.insert(
                k.to_string(),
                Var {
                    value: val.to_string(),
                    span: Span::new(FileId(7), 1, 2),
                },
            );
        }
        v
    }

    #[test]
    fn plain_values_change_type_quoted_ones_do_not() {
        let mut r = resource(
            "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${REPLICAS}\n  paused: ${FLAG}\n  label: \"n: ${REPLICAS}\"\n  quoted: \"${REPLICAS}\"\n  image: nginx:${TAG:=1.25}\n",
        );
        let mut undefined = Vec::new();
        substitute(
            &mut r,
            &vars(&[("REPLICAS", "3"), ("FLAG", "yes")]),
            &mut undefined,
        )
        .expect("ok");
        assert_eq!(
            r.node.get_path(&["spec", "replicas"]).unwrap().value,
            Value::Int(3)
        );
        assert_eq!(
            r.node.get_path(&["spec", "paused"]).unwrap().value,
            Value::Bool(true)
        );
        // kustomize prints `n: …` quoted, so it stays a string; the quotes of "${REPLICAS}" are
        // gone by the time Flux substitutes, so that one becomes a number
        assert_eq!(
            r.node.get_path(&["spec", "label"]).unwrap().value,
            Value::Str("n: 3".into())
        );
        assert_eq!(
            r.node.get_path(&["spec", "quoted"]).unwrap().value,
            Value::Int(3)
        );
        assert_eq!(r.node.str_at(&["spec", "image"]), Some("nginx:1.25"));
        let rep = r.node.get_path(&["spec", "replicas"]).unwrap();
        assert_eq!(rep.origin.span.file, FileId(7));
        assert!(rep.origin.prev.is_some());
        assert!(undefined.is_empty());
    }

    #[test]
    fn reports_undefined_and_syntax_errors() {
        let mut r = resource("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${NOPE}\n");
        let mut undefined = Vec::new();
        substitute(&mut r, &vars(&[("X", "1")]), &mut undefined).expect("ok");
        assert_eq!(undefined.len(), 1);
        assert_eq!(undefined[0].name, "NOPE");
        let mut r = resource("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${NOPE\n");
        let e = substitute(&mut r, &vars(&[("X", "1")]), &mut undefined).expect_err("bad");
        assert!(
            e.message.contains("post build failed for 'ConfigMap/c'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn reads_vars_and_refuses_bad_names() {
        let cm = resource(
            "kind: Secret\nmetadata:\n  name: s\ndata:\n  PASS: aGVsbG8=\nstringData:\n  USER: admin\n",
        );
        let mut v = Vars::default();
        add_from_object(&mut v, &cm).expect("ok");
        assert_eq!(v.0["PASS"].value, "hello");
        assert_eq!(v.0["USER"].value, "admin");
        let bad = resource("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  app.name: x\n");
        assert!(add_from_object(&mut v, &bad).is_err());
        let pb = resource("substitute:\n  N: 3\n");
        assert!(add_inline(&mut v, &pb.node).is_err());
    }
}
