//! `structure`: the repository has the layout of the environment-management spec: a cluster
//! directory per environment, a base and an overlay per environment for each layer (apps,
//! infrastructure), and promotion documentation.
//!
//! A missing directory has no span: the finding names the path in its message and points nowhere.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::flux::workloads::string_list;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "structure",
    scope: Scope::Repo,
    resources: false,
    run: check,
};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let p = |k: &str| ctx.policy.param(k);
    let envs = string_list(p("environments"))
        .unwrap_or_else(|| strings(&["dev", "staging", "production"]));
    let layers = string_list(p("layers")).unwrap_or_else(|| strings(&["apps", "infrastructure"]));
    let docs = string_list(p("promotionDocs"))
        .unwrap_or_else(|| strings(&["docs/PROMOTION.md", "PROMOTION.md", "docs/promotion.md"]));
    let root = &ctx.repo.root;
    let mut out = Vec::new();
    for env in &envs {
        // an environment declared under another directory name (an alias) counts
        let known = ctx.repo.environments.iter().find(|e| e.is_named(env));
        let names: Vec<&str> = match known {
            Some(e) => std::iter::once(e.name.as_str())
                .chain(e.aliases.iter().map(String::as_str))
                .collect(),
            None => vec![env.as_str()],
        };
        let cluster_found = known.is_some_and(|e| e.cluster_dir.is_dir())
            || names.iter().any(|n| root.join("clusters").join(n).is_dir());
        if !cluster_found {
            out.push(missing_dir(ctx, &format!("clusters/{env}"), env).help(format!(
                "create clusters/{env}/ with the Flux objects of the {env} cluster (flux bootstrap \
                 writes clusters/{env}/flux-system)"
            )));
        }
        for layer in &layers {
            let overlays = root.join(layer).join("overlays");
            if !names.iter().any(|n| overlays.join(n).is_dir()) {
                let path = format!("{layer}/overlays/{env}");
                out.push(missing_dir(ctx, &path, env).help(format!(
                    "create {path}/kustomization.yaml with `resources: [../../base]` and the \
                     {env} patches, and point clusters/{env} at it"
                )));
            }
        }
    }
    for layer in &layers {
        if !root.join(layer).join("base").is_dir() {
            let path = format!("{layer}/base");
            out.push(
                ctx.diag(format!(
                    "directory {path} is missing, expected the shared base of {layer}"
                ))
                .help(format!(
                    "create {path}/ with what every environment shares, and let each overlay \
                         include it with `resources: [../../base]`"
                )),
            );
        }
    }
    if !docs.iter().any(|d| has_text(&root.join(d))) {
        out.push(
            ctx.diag(format!(
                "no promotion documentation: expected one of {} with content",
                docs.join(", ")
            ))
            .help(format!(
                "write {} describing how a change moves from dev to staging to production: tag \
                 names, validation steps, approvals and rollback",
                docs.first()
                    .map(String::as_str)
                    .unwrap_or("docs/PROMOTION.md")
            )),
        );
    }
    out
}

fn missing_dir(ctx: &Ctx, path: &str, env: &str) -> Diagnostic {
    ctx.diag(format!(
        "directory {path} is missing, expected one for environment \"{env}\""
    ))
    .env(env)
}

/// A file with something other than whitespace in it.
fn has_text(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| !t.trim().is_empty())
}
