//! `--format json`: one object on stdout.
//!
//! `{"version":1,"diagnostics":[{"rule","severity","message","file","line","column","environment",
//! "resource"}],"summary":{"errors","warnings","infos","environments","overlays","resources","files",
//! "elapsed_ms"},"environments":[{"name","role","entry","entry_kind","entry_file","entry_status",
//! "units":[{"kind","name","namespace","file","line","source","path","status","reason","resources",
//! "parent"}]}]}` — `file` relative to the repository root with `/`, `line`/`column` 1-based;
//! a finding about a path that does not exist (a missing document) has that path as `file` and
//! line 0; `status` is `rendered`, `not-checked` or `failed`; `parent` is the index of the unit that
//! applied this one (`null`: the cluster directory).

use serde_json::{Value, json};

use crate::diagnostic::location;
use crate::engine::count;
use crate::flux::inventory::Inventory;

use super::Report;

pub fn render(r: &Report) -> String {
    let diagnostics: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| {
            // a finding about a missing path names that path; its line is unknown
            let (file, line, column) = match &d.missing {
                Some(m) => (m.clone(), 0, 0),
                None => location(r.sources, d.primary.span),
            };
            json!({
                "rule": d.rule,
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": file,
                "line": line,
                "column": column,
                "environment": d.environment,
                "resource": d.resource,
            })
        })
        .collect();
    let c = count(r.diagnostics);
    let environments: Vec<Value> = r.inventory.iter().map(environment).collect();
    let out = json!({
        "version": 1,
        "diagnostics": diagnostics,
        "environments": environments,
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
            "environments": r.summary.environments,
            "overlays": r.summary.overlays,
            "resources": r.summary.resources,
            "files": r.summary.files,
            "elapsed_ms": r.summary.elapsed_ms,
        }
    });
    let mut s = serde_json::to_string(&out).unwrap_or_default();
    s.push('\n');
    s
}

/// One environment of the `environments` array (also `fluxlint tree --format json`).
pub fn environment(inv: &Inventory) -> Value {
    let units: Vec<Value> = inv
        .items
        .iter()
        .map(|i| {
            json!({
                "kind": i.kind,
                "name": i.name,
                "namespace": i.namespace,
                "file": i.file,
                "line": i.line,
                "source": i.source,
                "path": i.path,
                "status": i.status.as_str(),
                "reason": i.reason,
                "resources": i.resources,
                "parent": i.parent,
            })
        })
        .collect();
    json!({
        "name": inv.name,
        "role": inv.role,
        "entry": inv.entry,
        "entry_kind": inv.entry_kind,
        "entry_file": inv.entry_file,
        "entry_status": inv.entry_status.as_str(),
        "units": units,
    })
}
