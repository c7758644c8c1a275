//! Reading policies: the defaults compiled into the binary, then a repository's own `policies/`
//! (or `--policies DIR`), which replace defaults with the same id. TODO(#3): JSON Schema validation.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::source::SourceMap;
use crate::yaml::{Node, SetBy, parse_stream};

use super::{Check, Policy, Select};

/// The default policies, as shipped in `policies/`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("alerts.yaml", include_str!("../../policies/alerts.yaml")),
    (
        "dependencies.yaml",
        include_str!("../../policies/dependencies.yaml"),
    ),
    (
        "env-vars.yaml",
        include_str!("../../policies/env-vars.yaml"),
    ),
    (
        "interval.yaml",
        include_str!("../../policies/interval.yaml"),
    ),
    (
        "isolation.yaml",
        include_str!("../../policies/isolation.yaml"),
    ),
    ("prune.yaml", include_str!("../../policies/prune.yaml")),
    ("render.yaml", include_str!("../../policies/render.yaml")),
    (
        "replicas.yaml",
        include_str!("../../policies/replicas.yaml"),
    ),
    (
        "resource-quota.yaml",
        include_str!("../../policies/resource-quota.yaml"),
    ),
    (
        "resources.yaml",
        include_str!("../../policies/resources.yaml"),
    ),
    (
        "source-ref.yaml",
        include_str!("../../policies/source-ref.yaml"),
    ),
    (
        "structure.yaml",
        include_str!("../../policies/structure.yaml"),
    ),
];

/// The active policies: defaults, overridden (by id) by the YAML files in `dir` when given.
pub fn load(sources: &SourceMap, dir: Option<&Path>) -> Result<Vec<Policy>> {
    let mut out = Vec::new();
    for (name, text) in DEFAULTS {
        let display = format!("<built-in>/policies/{name}");
        let file = sources.add(display.clone(), Path::new(&display), Arc::from(*text));
        out.extend(parse_file(text, file)?);
    }
    if let Some(dir) = dir {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| {
                Error::new(
                    "policy",
                    format!("cannot read policies from {}: {e}", dir.display()),
                )
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::new("policy", format!("cannot read {}: {e}", path.display()))
            })?;
            let display = path.display().to_string();
            let file = sources.add(display, &path, Arc::from(text.as_str()));
            for p in parse_file(&text, file)? {
                match out.iter_mut().find(|x: &&mut Policy| x.id == p.id) {
                    Some(x) => *x = p,
                    None => out.push(p),
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn parse_file(text: &str, file: crate::source::FileId) -> Result<Vec<Policy>> {
    let docs = parse_stream(text, file, SetBy::Resource)
        .map_err(|e| Error::at("policy", e.span, e.message))?;
    docs.iter().map(|d| from_node(&d.root)).collect()
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(Node::scalar_string).collect())
        .unwrap_or_default()
}

fn from_node(n: &Node) -> Result<Policy> {
    let id = n
        .str_at(&["metadata", "name"])
        .ok_or_else(|| {
            Error::at(
                "policy",
                n.span(),
                "a policy needs metadata.name (its rule id)",
            )
        })?
        .to_string();
    let spec = n
        .get("spec")
        .ok_or_else(|| Error::at("policy", n.span(), "a policy needs a spec"))?;
    let severity = spec
        .str_at(&["severity"])
        .map(|s| {
            Severity::parse(s).ok_or_else(|| {
                Error::at(
                    "policy",
                    spec.get("severity").map(Node::span).unwrap_or(n.span()),
                    format!("unknown severity \"{s}\": expected error, warning or info"),
                )
            })
        })
        .transpose()?
        .unwrap_or(Severity::Error);
    let select = match spec.get("match") {
        Some(m) => Select {
            kinds: strings(m.get("kinds")),
            names: strings(m.get("names")),
            namespaces: strings(m.get("namespaces")),
            labels: m
                .get("labels")
                .and_then(Node::as_map)
                .map(|l| {
                    l.iter()
                        .map(|(k, v)| (k.to_string(), v.scalar_string().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
        },
        None => Select::default(),
    };
    let check = match spec.str_at(&["builtin"]) {
        Some(b) => Check::Builtin {
            name: b.to_string(),
            params: spec
                .get("params")
                .cloned()
                .unwrap_or_else(|| Node::null(spec.origin.clone())),
        },
        None => Check::Assert(Vec::new()),
    };
    Ok(Policy {
        id,
        severity,
        summary: spec.str_at(&["summary"]).unwrap_or("").to_string(),
        description: spec.str_at(&["description"]).unwrap_or("").to_string(),
        environments: strings(spec.get("environments")),
        select,
        check,
        span: n.span(),
    })
}
