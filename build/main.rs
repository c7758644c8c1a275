//! Writes the built-in schema bundle, `$OUT_DIR/schemas.json`, that the binary embeds.
//!
//! Kubernetes kinds come from k8s-openapi's `JsonSchema` impls, Flux kinds from the kcr crates'
//! serde types (recorded by `record.rs`). Both are made strict here: descriptions dropped,
//! objects with properties closed, int-or-string and quantities typed, int32 bounded. The
//! bundle maps `apiVersion/kind` to a definition and the definitions it reaches, so that a
//! validator for one kind is compiled from only what it needs.

mod record;
include!("k8s_kinds.rs");
include!("flux_kinds.rs");

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/// A Kubernetes quantity: a signed decimal number and a binary, decimal or exponent suffix.
const QUANTITY_PATTERN: &str =
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$";
/// Base64 (what a `[]byte` field holds), or a value SOPS encrypted.
/// (Go's decoder skips line breaks, and kustomize's generators wrap at 70 columns.)
const BYTES_PATTERN: &str = r"^([A-Za-z0-9+/\r\n]*={0,2}[\r\n]*|ENC\[.*\])$";

struct Kind {
    api_version: String,
    kind: String,
    source: &'static str,
    def: String,
}

fn main() {
    println!("cargo::rerun-if-changed=build");
    println!("cargo::rerun-if-changed=Cargo.lock");
    let mut generator = SchemaGenerator::new(SchemaSettings::draft07());
    let mut kinds = Vec::new();

    macro_rules! k8s {
        ($t:ty) => {{
            generator.subschema_for::<$t>();
            kinds.push(Kind {
                api_version: <$t as k8s_openapi::Resource>::API_VERSION.to_string(),
                kind: <$t as k8s_openapi::Resource>::KIND.to_string(),
                source: "kubernetes",
                def: <$t as schemars::JsonSchema>::schema_name().into_owned(),
            });
        }};
    }
    k8s_kinds!(k8s);
    // what the Flux kinds refer to
    use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
    generator.subschema_for::<meta::Condition>();
    generator.subschema_for::<meta::Time>();
    generator.subschema_for::<meta::MicroTime>();
    generator.subschema_for::<meta::ObjectMeta>();
    generator.subschema_for::<k8s_openapi::apimachinery::pkg::api::resource::Quantity>();
    generator.subschema_for::<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>();

    let mut defs: Map<String, Value> = generator.definitions().clone();

    macro_rules! flux {
        ($t:ty, $api:expr, $kind:expr) => {{
            let shape = match record::shape_of::<$t>() {
                Ok(s) => s,
                Err(e) => panic!("recording {} {}: {e}", $api, $kind),
            };
            let mut schema = record::to_schema(&shape);
            if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("apiVersion".into(), json!({"type": "string", "enum": [$api]}));
                props.insert("kind".into(), json!({"type": "string", "enum": [$kind]}));
            }
            if $kind == "Alert" {
                // the Flux Operator patches the Alert CRD it installs so that its own kinds
                // can be event sources (home-labs alert on FluxInstance): accept them
                let kinds = schema
                    .pointer_mut("/properties/spec/properties/eventSources/items/properties/kind/enum")
                    .and_then(Value::as_array_mut);
                if let Some(kinds) = kinds {
                    for k in ["FluxInstance", "ResourceSet", "ResourceSetInputProvider"] {
                        kinds.push(json!(k));
                    }
                }
            }
            let def = format!("flux.{}.{}", $api.replace('/', "."), $kind);
            defs.insert(def.clone(), schema);
            kinds.push(Kind {
                api_version: $api.to_string(),
                kind: $kind.to_string(),
                source: "flux",
                def,
            });
        }};
    }
    flux_kinds!(flux);

    for v in defs.values_mut() {
        strict(v);
    }
    // source-watcher's ArtifactGenerator has no crate: written from Flux's documentation, its
    // types and required fields, open to fields the documentation does not name (added after
    // the strict pass, so it stays open)
    let str_ = json!({"type": "string"});
    defs.insert(
        "flux.source.extensions.fluxcd.io.v1beta1.ArtifactGenerator".into(),
        json!({
            "type": "object",
            "required": ["metadata", "spec"],
            "properties": {
                "apiVersion": {"type": "string", "enum": ["source.extensions.fluxcd.io/v1beta1"]},
                "kind": {"type": "string", "enum": ["ArtifactGenerator"]},
                "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
                "spec": {
                    "type": "object",
                    "required": ["sources", "artifacts"],
                    "properties": {
                        "sources": {"type": "array", "items": {
                            "type": "object",
                            "required": ["alias", "kind", "name"],
                            "properties": {
                                "alias": str_, "name": str_, "namespace": str_,
                                "kind": {"type": "string", "enum": [
                                    "GitRepository", "OCIRepository", "Bucket", "HelmChart",
                                    "ExternalArtifact"]},
                            },
                        }},
                        "artifacts": {"type": "array", "items": {
                            "type": "object",
                            "required": ["name", "copy"],
                            "properties": {
                                "name": str_, "revision": str_, "originRevision": str_,
                                "copy": {"type": "array", "items": {
                                    "type": "object",
                                    "required": ["from", "to"],
                                    "properties": {
                                        "from": str_, "to": str_, "strategy": str_,
                                        "exclude": {"type": "array", "items": str_},
                                    },
                                }},
                            },
                        }},
                    },
                },
            },
        }),
    );
    kinds.push(Kind {
        api_version: "source.extensions.fluxcd.io/v1beta1".into(),
        kind: "ArtifactGenerator".into(),
        source: "flux",
        def: "flux.source.extensions.fluxcd.io.v1beta1.ArtifactGenerator".into(),
    });

    defs.insert(
        QUANTITY.into(),
        json!({"type": ["string", "number"], "pattern": QUANTITY_PATTERN}),
    );
    // any JSON value (a CRD's `default`, `enum` and `example` entries)
    defs.insert(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON".into(),
        json!({}),
    );
    defs.insert(INT_OR_STRING.into(), json!({"type": ["integer", "string"]}));
    for time in ["Time", "MicroTime"] {
        defs.insert(
            format!("io.k8s.apimachinery.pkg.apis.meta.v1.{time}"),
            json!({"type": "string"}),
        );
    }

    let mut out_kinds = Map::new();
    for k in &kinds {
        let reach = reachable(&defs, &k.def);
        out_kinds.insert(
            format!("{}/{}", k.api_version, k.kind),
            json!({"source": k.source, "def": k.def, "defs": reach}),
        );
    }
    let bundle = json!({
        "kubernetes": "1.35",
        "crates": crate_versions(),
        "kinds": out_kinds,
        "definitions": defs,
    });
    let out =
        std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("schemas.json");
    std::fs::write(&out, serde_json::to_string(&bundle).expect("bundle")).expect("write bundle");
}

/// Makes a schema strict and small, in place.
fn strict(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(strict),
        Value::Object(o) => {
            for key in ["description", "title", "default", "examples", "$schema"] {
                o.remove(key);
            }
            // a lone `allOf: [X]` (how schemars wraps a described reference) is X
            if o.len() == 1
                && let Some(Value::Array(all)) = o.get("allOf")
                && all.len() == 1
            {
                let inner = all[0].clone();
                *v = inner;
                strict(v);
                return;
            }
            if o.remove("x-kubernetes-int-or-string").is_some() {
                o.insert("type".into(), json!(["integer", "string"]));
            }
            match o.remove("format").as_ref().and_then(Value::as_str) {
                Some("int32") => {
                    o.insert("minimum".into(), json!(i32::MIN));
                    o.insert("maximum".into(), json!(i32::MAX));
                }
                Some("byte") => {
                    o.insert("pattern".into(), json!(BYTES_PATTERN));
                }
                _ => {}
            }
            let open = o.remove("x-kubernetes-preserve-unknown-fields").is_some();
            if o.contains_key("properties") && !open && !o.contains_key("additionalProperties") {
                o.insert("additionalProperties".into(), json!(false));
            }
            for (k, child) in o.iter_mut() {
                // `properties`' keys are field names, not keywords
                if k == "properties" || k == "definitions" {
                    if let Value::Object(m) = child {
                        m.values_mut().for_each(strict);
                    }
                } else {
                    strict(child);
                }
            }
        }
        _ => {}
    }
}

/// The definitions reachable from `root`, itself included, sorted.
fn reachable(defs: &Map<String, Value>, root: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(v) = defs.get(&name) {
            refs(v, &mut todo);
        } else {
            panic!("definition {name} is referenced but missing");
        }
    }
    seen.into_iter().collect()
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                out.push(name.to_string());
            }
            o.values().for_each(|x| refs(x, out));
        }
        _ => {}
    }
}

/// The versions of the crates the schemas come from, read from Cargo.lock.
fn crate_versions() -> BTreeMap<String, String> {
    let lock = std::fs::read_to_string(
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("dir")).join("Cargo.lock"),
    )
    .unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ")
            && let Some(n) = name.take()
            && (n.starts_with("kcr_") || n == "k8s-openapi")
        {
            out.insert(n, v.trim_matches('"').to_string());
        }
    }
    out
}
