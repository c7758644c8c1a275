//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.
//!
//! One run; the driver lists every rule of the run (id, summary, description, help URI, default
//! level). A result has the rule, level, message, the primary location (a path relative to the
//! checkout under `%SRCROOT%`, a region with start and end) and the secondary labels — the values
//! it overrode, the Flux Kustomization that applied the object, the policy clause — as related
//! locations. Columns count Unicode code points. Partial fingerprints ignore line numbers, so an
//! alert survives edits above it.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Severity};

use super::Report;
use super::locate::{FilePath, Loc, Locator};
use super::rules::{RuleInfo, rules};

/// Where the shipped rules are documented (`<url><id>.md`).
pub const DEFAULT_DOCS_URL: &str = "https://github.com/fluxlint/fluxlint/blob/main/docs/rules/";
const INFORMATION_URI: &str = "https://github.com/fluxlint/fluxlint";
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn render(r: &Report) -> String {
    let locator = Locator::new(r.root);
    let rules = rules(r);
    let descriptors: Vec<Value> = rules.iter().map(|x| descriptor(x, r.docs_url)).collect();
    let mut seen: Vec<String> = Vec::new();
    let results: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| result(d, &rules, &locator, r, &mut seen))
        .collect();
    let base = FilePath::Absolute(locator.base().to_path_buf()).uri();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "fluxlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": descriptors,
                }
            },
            "originalUriBaseIds": {
                SRCROOT: { "uri": format!("{}/", base.trim_end_matches('/')) }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The help URI of a rule: under the user's docs URL, else fluxlint's own docs for shipped rules.
pub fn help_uri(rule: &RuleInfo, docs_url: Option<&str>) -> Option<String> {
    let base = match docs_url {
        Some(u) => u,
        None if rule.shipped => DEFAULT_DOCS_URL,
        None => return None,
    };
    let sep = if base.ends_with('/') { "" } else { "/" };
    Some(format!("{base}{sep}{}.md", rule.id))
}

fn descriptor(x: &RuleInfo, docs_url: Option<&str>) -> Value {
    let summary = if x.summary.trim().is_empty() {
        x.id.clone()
    } else {
        x.summary.trim().to_string()
    };
    let description = if x.description.trim().is_empty() {
        summary.clone()
    } else {
        x.description.trim().to_string()
    };
    let mut v = json!({
        "id": x.id,
        "name": pascal(&x.id),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": description, "markdown": description },
        "help": { "text": description, "markdown": description },
        "defaultConfiguration": { "level": level(x.severity) },
        "properties": { "tags": ["fluxcd", "kubernetes"] },
    });
    if let (Some(uri), Some(o)) = (help_uri(x, docs_url), v.as_object_mut()) {
        o.insert("helpUri".into(), Value::String(uri));
    }
    v
}

fn result(
    d: &Diagnostic,
    rules: &[RuleInfo],
    locator: &Locator,
    r: &Report,
    seen: &mut Vec<String>,
) -> Value {
    let primary = locator.locate(r.sources, d.primary.span);
    let mut location = match &primary {
        Some(loc) => json!({ "physicalLocation": physical(loc) }),
        // GitHub shows only results with a file: a finding about the repository (a missing
        // directory) points at the repository itself
        None => json!({ "physicalLocation": {
            "artifactLocation": { "uri": root_uri(locator, r), "uriBaseId": SRCROOT },
            "region": { "startLine": 1 },
        }}),
    };
    if !d.primary.text.is_empty()
        && let Some(o) = location.as_object_mut()
    {
        o.insert("message".into(), json!({ "text": d.primary.text }));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .filter_map(|l| Some((locator.locate(r.sources, l.span)?, l)))
        .enumerate()
        .map(|(i, (loc, l))| {
            json!({
                "id": i + 1,
                "physicalLocation": physical(&loc),
                "message": { "text": if l.text.is_empty() { "related" } else { &l.text } },
            })
        })
        .collect();
    let file = primary
        .as_ref()
        .map(|l| l.file.display())
        .unwrap_or_default();
    let key = fingerprint(&[
        &d.rule,
        d.environment.as_deref().unwrap_or(""),
        d.resource.as_deref().unwrap_or(""),
        &file,
        &d.message,
    ]);
    // identical findings on different lines stay distinct alerts
    let n = seen.iter().filter(|k| **k == key).count() + 1;
    seen.push(key.clone());
    let mut o = Map::new();
    o.insert("ruleId".into(), json!(d.rule));
    if let Some(i) = rules.iter().position(|x| x.id == d.rule) {
        o.insert("ruleIndex".into(), json!(i));
    }
    o.insert("level".into(), json!(level(d.severity)));
    o.insert("message".into(), json!({ "text": d.message }));
    o.insert("locations".into(), json!([location]));
    if !related.is_empty() {
        o.insert("relatedLocations".into(), Value::Array(related));
    }
    o.insert(
        "partialFingerprints".into(),
        json!({ "fluxlintFinding/v1": format!("{key}:{n}") }),
    );
    let mut props = Map::new();
    if let Some(e) = &d.environment {
        props.insert("environment".into(), json!(e));
    }
    if let Some(res) = &d.resource {
        props.insert("resource".into(), json!(res));
    }
    if let Some(h) = &d.help {
        props.insert("help".into(), json!(h));
    }
    if !props.is_empty() {
        o.insert("properties".into(), Value::Object(props));
    }
    Value::Object(o)
}

fn physical(loc: &Loc) -> Value {
    let mut artifact = json!({ "uri": loc.file.uri() });
    if matches!(loc.file, FilePath::Relative(_))
        && let Some(o) = artifact.as_object_mut()
    {
        o.insert("uriBaseId".into(), json!(SRCROOT));
    }
    json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": loc.start_line,
            "startColumn": loc.start_col,
            "endLine": loc.end_line,
            "endColumn": loc.end_col,
        }
    })
}

/// The repository root relative to the checkout (`.` when they are the same).
fn root_uri(locator: &Locator, r: &Report) -> String {
    match r.root.strip_prefix(locator.base()) {
        Ok(rel) if !rel.as_os_str().is_empty() => FilePath::Relative(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
        .uri(),
        _ => ".".to_string(),
    }
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `resource-quota` → `ResourceQuota`.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_and_help_uris() {
        assert_eq!(pascal("resource-quota"), "ResourceQuota");
        let rule = RuleInfo {
            id: "replicas".into(),
            severity: Severity::Error,
            summary: String::new(),
            description: String::new(),
            shipped: true,
            scope: crate::rules::Scope::Env,
        };
        assert_eq!(
            help_uri(&rule, None).as_deref(),
            Some("https://github.com/fluxlint/fluxlint/blob/main/docs/rules/replicas.md")
        );
        assert_eq!(
            help_uri(&rule, Some("https://docs.example.com/rules")).as_deref(),
            Some("https://docs.example.com/rules/replicas.md")
        );
        let custom = RuleInfo {
            shipped: false,
            ..rule
        };
        assert_eq!(help_uri(&custom, None), None);
    }
}
