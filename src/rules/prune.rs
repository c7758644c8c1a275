//! `prune`: in the environments the policy names (dev by default), every Flux Kustomization sets
//! `prune: true`, so what is removed from Git is removed from the cluster. Flux's default is
//! `false`: an omitted field is a finding. See `policies/prune.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, Kustomization};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "prune",
    scope: Scope::Env,
    resources: true,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let skip_suspended = ctx
        .policy
        .param("skipSuspended")
        .and_then(|n| n.as_bool())
        .unwrap_or(false);
    objects::kustomizations(env)
        .iter()
        .filter(|k| !(skip_suspended && k.suspend()))
        .filter_map(|k| check_one(ctx, k))
        .collect()
}

fn check_one(ctx: &Ctx, k: &Kustomization) -> Option<Diagnostic> {
    let name = k.0.name();
    let help = "set `prune: true` in the Flux Kustomization's spec";
    let d = match k.prune_node().filter(|n| !n.is_null()) {
        None => ctx
            .diag(format!(
                "Flux Kustomization '{name}' does not set prune (flux defaults to false), expected true"
            ))
            .at_node(k.0.name_node(), "no prune"),
        Some(n) if n.as_bool() == Some(true) => return None,
        Some(n) => {
            let shown = match n.as_str() {
                Some(t) => format!("the string '{t}'"),
                None => format!("'{}'", n.scalar_string().unwrap_or_else(|| n.type_name().to_string())),
            };
            ctx.diag(format!(
                "prune of Flux Kustomization '{name}' is {shown}, expected true"
            ))
            .at_node(n, "set here")
        }
    };
    Some(k.0.annotate(d.help(help)))
}
