//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use fluxlint::kustomize::{self, loader::LoadRestrictor, loader::Loader};
use fluxlint::source::{FileId, SourceMap};
use fluxlint::yaml::{Node, SetBy, emit, parse_stream};

/// Renders `dir` (root-restricted to `root`) with fluxlint: the YAML stream, or the error text.
pub fn fluxlint_build(
    root: &Path,
    dir: &Path,
    restrictor: LoadRestrictor,
) -> Result<String, String> {
    let sources = Arc::new(SourceMap::new());
    let loader =
        Loader::new(root, restrictor, Arc::clone(&sources)).map_err(|e| e.message.clone())?;
    match kustomize::build(&loader, dir) {
        Ok(r) => Ok(emit::emit_stream(r.resources.iter().map(|r| &r.node), None)),
        Err(e) => Err(e.one_line(&sources)),
    }
}

/// `kubectl kustomize dir`, when kubectl is on PATH: `None` without kubectl.
pub fn kubectl_build(dir: &Path, restrictor: LoadRestrictor) -> Option<Result<String, String>> {
    let mut cmd = Command::new("kubectl");
    cmd.arg("kustomize").arg(dir);
    if restrictor == LoadRestrictor::None {
        cmd.arg("--load-restrictor").arg("LoadRestrictionsNone");
    }
    let out = cmd.output().ok()?;
    if out.status.success() {
        Some(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Some(Err(String::from_utf8_lossy(&out.stderr).into_owned()))
    }
}

pub fn has_kubectl() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Parses a YAML stream into documents (for semantic comparison).
pub fn docs(text: &str) -> Result<Vec<Node>, String> {
    parse_stream(text, FileId(0), SetBy::Resource)
        .map(|d| d.into_iter().map(|d| d.root).collect())
        .map_err(|e| format!("{} at byte {}", e.message, e.span.start))
}

/// Compares two YAML streams by meaning; on difference, a description of the first one.
pub fn compare_streams(expected: &str, actual: &str) -> Result<(), String> {
    let e = docs(expected).map_err(|m| format!("expected output does not parse: {m}"))?;
    let a = docs(actual).map_err(|m| format!("fluxlint output does not parse: {m}"))?;
    let ids = |d: &[Node]| -> Vec<String> {
        d.iter()
            .map(|n| {
                format!(
                    "{}/{}/{}",
                    n.str_at(&["kind"]).unwrap_or(""),
                    n.str_at(&["metadata", "namespace"]).unwrap_or(""),
                    n.str_at(&["metadata", "name"]).unwrap_or("")
                )
            })
            .collect()
    };
    if e.len() != a.len() || ids(&e) != ids(&a) {
        return Err(format!(
            "different resources or order\n expected: {:?}\n   actual: {:?}",
            ids(&e),
            ids(&a)
        ));
    }
    for (x, y) in e.iter().zip(&a) {
        if !x.same_value(y) {
            let ex = emit::emit_document(x, None);
            let ac = emit::emit_document(y, None);
            return Err(format!(
                "resource differs\n--- expected\n{ex}--- actual\n{ac}"
            ));
        }
    }
    Ok(())
}

/// The project root.
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
