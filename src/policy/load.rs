//! Reading policies: the defaults compiled into the binary, then a repository's own `policies/`
//! (or `--policies DIR`), which replace defaults with the same id, add new rules, or turn defaults
//! off (`disabled: true`). Every document is validated against the schema first.

use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::source::{FileId, SourceMap};
use crate::yaml::{Node, SetBy, parse_stream};

use super::build::{Loaded, from_node};
use super::{Policy, did_you_mean, schema};

/// The default policies, as shipped in `policies/`.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("alerts.yaml", include_str!("../../policies/alerts.yaml")),
    (
        "dependencies.yaml",
        include_str!("../../policies/dependencies.yaml"),
    ),
    (
        "deprecated-api.yaml",
        include_str!("../../policies/deprecated-api.yaml"),
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
    ("schema.yaml", include_str!("../../policies/schema.yaml")),
    (
        "source-ref.yaml",
        include_str!("../../policies/source-ref.yaml"),
    ),
    (
        "structure.yaml",
        include_str!("../../policies/structure.yaml"),
    ),
];

/// The active policies: defaults, overridden (by id) by the YAML files in `dir` when given, sorted
/// by id.
pub fn load(sources: &SourceMap, dir: Option<&Path>) -> Result<Vec<Policy>> {
    let mut out: Vec<Policy> = Vec::new();
    for (name, text) in DEFAULTS {
        let display = format!("<built-in>/policies/{name}");
        let file = sources.add(display.clone(), Path::new(&display), Arc::from(*text));
        // checked against the schema by the tests, not on every run: building the JSON Schema
        // validator costs more than loading every default policy
        for l in parse_file(text, file, false)? {
            out.extend(l.policy);
        }
    }
    if let Some(dir) = dir {
        let mut seen: Vec<Loaded> = Vec::new();
        for path in policy_files(dir)? {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Error::new("policy", format!("cannot read {}: {e}", path.display()))
            })?;
            let file = sources.add(display(dir, &path), &path, Arc::from(text.as_str()));
            for l in parse_file(&text, file, true)? {
                if let Some(first) = seen.iter().find(|s| s.id == l.id) {
                    return Err(Error::at(
                        "policy",
                        l.span,
                        format!("policy \"{}\" is defined twice", l.id),
                    )
                    .with_label("second definition")
                    .with_note("first defined here", first.span)
                    .with_help("keep one definition per rule id"));
                }
                out.retain(|p| p.id != l.id);
                if let Some(p) = &l.policy {
                    out.push(p.clone());
                }
                seen.push(Loaded { policy: None, ..l });
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// A policy file as shown: relative to the repository root when `dir` is absolute (the repo's own
/// `policies/`), as given otherwise (`--policies ./team-policies`).
fn display(dir: &Path, path: &Path) -> String {
    let rel = dir
        .is_absolute()
        .then(|| crate::flux::discover::find_root(dir))
        .flatten()
        .and_then(|root| {
            let canon = path.canonicalize().ok()?;
            canon.strip_prefix(&root).ok().map(|r| {
                r.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
        });
    rel.unwrap_or_else(|| path.display().to_string())
}

/// The `.yaml`/`.yml` files directly in `dir`, sorted.
fn policy_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| {
            Error::new(
                "policy",
                format!("cannot read policies from {}: {e}", dir.display()),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    Ok(files)
}

/// Every policy document of a file, validated against the schema when `validate` is set.
fn parse_file(text: &str, file: FileId, validate: bool) -> Result<Vec<Loaded>> {
    let docs = parse_stream(text, file, SetBy::Resource)
        .map_err(|e| Error::at("policy", e.span, e.message))?;
    let mut out = Vec::new();
    for d in docs
        .iter()
        .filter(|d| !d.root.is_null() && !foreign(&d.root))
    {
        if validate && let Some(e) = schema::to_error(&schema::validate(&d.root)) {
            return Err(e);
        }
        out.push(from_node(&d.root)?);
    }
    Ok(out)
}

/// A document of another tool (a Kyverno or Gatekeeper policy kept in the same `policies/`
/// directory): its `apiVersion` names an API group that is not fluxlint's, nor a misspelling of it.
fn foreign(doc: &Node) -> bool {
    let Some(av) = doc.str_at(&["apiVersion"]) else {
        return false;
    };
    let group = av.split('/').next().unwrap_or(av);
    group.contains('.')
        && !group.starts_with("fluxlint")
        && did_you_mean(group, ["fluxlint.dev"]).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_load() {
        let sources = SourceMap::new();
        let policies = load(&sources, None).unwrap_or_else(|e| panic!("{}", e.one_line(&sources)));
        assert_eq!(policies.len(), DEFAULTS.len());
        // `load` does not validate the defaults against the schema: this does
        for (name, text) in DEFAULTS {
            let docs = parse_stream(text, FileId(0), SetBy::Resource)
                .unwrap_or_else(|e| panic!("{name}: {}", e.message));
            for d in docs.iter().filter(|d| !d.root.is_null()) {
                let problems = schema::validate(&d.root);
                assert!(problems.is_empty(), "{name}: {problems:?}");
            }
        }
        for p in &policies {
            assert!(
                crate::rules::builtin(&p.id).is_some(),
                "default policy {} names no built-in of its own id",
                p.id
            );
        }
    }

    #[test]
    fn foreign_documents_are_skipped() {
        let n = |t: &str| {
            parse_stream(t, FileId(0), SetBy::Resource)
                .map(|mut d| d.remove(0).root)
                .unwrap_or_else(|e| panic!("{}", e.message))
        };
        assert!(foreign(&n("apiVersion: kyverno.io/v1\nkind: Policy\n")));
        assert!(!foreign(&n("apiVersion: fluxlint.dev/v2\nkind: Policy\n")));
        assert!(!foreign(&n("apiVersion: fluxlnt.dev/v1\nkind: Policy\n")));
        assert!(!foreign(&n("apiVersion: v1\nkind: Policy\n")));
    }
}
