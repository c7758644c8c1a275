//! `--format json`: one object on stdout.
//!
//! `{"version":1,"diagnostics":[{"rule","severity","message","file","line","column","environment",
//! "resource"}],"summary":{"errors","warnings","infos","environments","overlays","resources","files",
//! "elapsed_ms"}}` — `file` relative to the repository root with `/`, `line`/`column` 1-based.

use serde_json::{Value, json};

use crate::diagnostic::location;
use crate::engine::count;

use super::Report;

pub fn render(r: &Report) -> String {
    let diagnostics: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| {
            let (file, line, column) = location(r.sources, d.primary.span);
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
    let out = json!({
        "version": 1,
        "diagnostics": diagnostics,
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
