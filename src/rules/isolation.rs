//! `isolation`: nothing in one environment reaches another. Five ways it can:
//!
//! 1. a Flux Kustomization whose `spec.path` lies in another environment's directories (its cluster
//!    directory, or a directory matching `environmentDirs`, e.g. `*/overlays/{env}`);
//! 2. a kustomization (followed from every rendered path) whose `resources`, `components`,
//!    patches or generator files lie in another environment's directories;
//! 3. a namespace named for another environment (its name or an alias as a whole word, and none
//!    of this environment's: `prod-shop` in staging);
//! 4. a `spec.kubeConfig` Secret or ConfigMap named for another environment;
//! 5. a source shared with an environment of another promotion policy (`promotion`): the same
//!    definition, or the same kind, URL and ref, that follows the other environment's policy.
//!
//! See `policies/isolation.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, EnvNames, named_for, normalize_rel};
use crate::flux::{Environment, Repo};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "isolation",
    scope: Scope::Env,
    resources: true,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let all = EnvNames::all(ctx.repo, ctx.policy.param("aliases"));
    let Some(own) = all.iter().find(|e| e.env == env.name) else {
        return Vec::new();
    };
    if let Some(d) = hub(ctx, env) {
        return vec![d];
    }
    let dirs = objects::str_list(ctx.policy.param("environmentDirs"))
        .unwrap_or_else(|| vec!["*/overlays/{env}".to_string()]);
    // the first other environment whose directories hold `path`, unless this one's do too
    let owner = |path: &str| {
        (!own.owns_path(path, &dirs))
            .then(|| {
                all.iter()
                    .find(|o| o.env != own.env && o.owns_path(path, &dirs))
            })
            .flatten()
    };
    let mut out = Vec::new();
    for k in objects::kustomizations(env) {
        let skipped = env.units.iter().any(|u| {
            u.object
                .is_some_and(|i| std::ptr::eq(&env.objects[i], k.0.applied))
                && u.skipped.is_some()
        });
        let Some(p) = k.path_node().filter(|_| !skipped) else {
            continue;
        };
        let text = p.scalar_string().unwrap_or_default();
        if let Some(o) = normalize_rel("", &text).as_deref().and_then(owner) {
            out.push(k.0.annotate(
                ctx.diag(format!(
                    "spec.path '{text}' of Flux Kustomization '{}' lies in {}'s directories, expected a directory of {}",
                    k.0.name(), o.env, env.name
                ))
                .at_node(p, "another environment's directory")
                .help(format!("point spec.path at {}'s own overlay or cluster directory", env.name)),
            ));
        }
    }
    out.extend(kube_configs(ctx, env, own, &all));
    out.extend(includes(ctx, env, &owner));
    out.extend(namespaces(ctx, env, own, &all));
    out.extend(shared_sources(ctx, ctx.repo, env));
    out
}

/// A management cluster (Flux's hub-and-spoke layout): an environment without a role whose Flux
/// Kustomizations or HelmReleases deploy to other clusters through `spec.kubeConfig`. Reaching into
/// the spokes is its job, so isolation is not judged there; said once, at info. An environment
/// with a role is judged as ever (a staging Kustomization applying to production's cluster).
fn hub(ctx: &Ctx, env: &Environment) -> Option<Diagnostic> {
    if env.role.is_some() {
        return None;
    }
    let mut targets = objects::objects(env, objects::KUSTOMIZE_GROUP, &["Kustomization"]);
    targets.extend(objects::objects(env, objects::HELM_GROUP, &["HelmRelease"]));
    let remote: Vec<_> = targets
        .iter()
        .filter(|t| t.get(&["spec", "kubeConfig"]).is_some())
        .collect();
    let first = remote.first()?;
    let at = first.get(&["spec", "kubeConfig"])?;
    let mut d = ctx
        .diag(format!(
            "not checked: {} deploys to other clusters through spec.kubeConfig ({} object{}, \
             e.g. {} '{}'): a management cluster, so isolation is not judged in it",
            env.name,
            remote.len(),
            if remote.len() == 1 { "" } else { "s" },
            first.kind(),
            first.name()
        ))
        .at_node(at, "deploys to another cluster")
        .help(
            "give the environment a role in fluxlint.yaml to judge it like the others, \
             or exclude it from this policy",
        );
    d.severity = crate::diagnostic::Severity::Info;
    Some(first.annotate(d))
}

/// Part 4: Flux Kustomizations and HelmReleases whose kubeConfig is named for another environment.
fn kube_configs(ctx: &Ctx, env: &Environment, own: &EnvNames, all: &[EnvNames]) -> Vec<Diagnostic> {
    let mut targets = objects::objects(env, objects::KUSTOMIZE_GROUP, &["Kustomization"]);
    targets.extend(objects::objects(env, objects::HELM_GROUP, &["HelmRelease"]));
    let mut out = Vec::new();
    for t in targets {
        for (n, secret) in objects::kube_config_refs(t.resource()) {
            let Some(o) = named_for(&secret, own, all) else {
                continue;
            };
            let what = match t.kind() {
                "Kustomization" => "Flux Kustomization",
                k => k,
            };
            out.push(t.annotate(
                ctx.diag(format!(
                    "kubeConfig '{secret}' of {what} '{}' is named for {}, expected {}'s cluster",
                    t.name(), o.env, env.name
                ))
                .at_node(n, "another environment's cluster")
                .help(format!(
                    "apply to {}'s own cluster, or move this {what} to {}",
                    env.name, o.cluster_display
                )),
            ));
        }
    }
    out
}

/// Part 2: kustomization entries that lead into another environment's directories (from outside
/// them: what lies inside another environment's overlay is reported where that overlay is used).
fn includes<'e>(
    ctx: &Ctx,
    env: &Environment,
    owner: &dyn Fn(&str) -> Option<&'e EnvNames>,
) -> Vec<Diagnostic> {
    let starts = env
        .units
        .iter()
        .filter_map(|u| u.dir.as_ref()?.strip_prefix(&ctx.repo.root).ok())
        .map(|d| d.to_string_lossy().replace('\\', "/"))
        .collect();
    let mut out = Vec::new();
    for r in objects::reachable_entries(&ctx.repo.sources, starts) {
        let Some(o) = owner(&r.target) else { continue };
        if owner(&r.dir).is_some_and(|d| d.env == o.env) {
            continue;
        }
        out.push(
            ctx.diag(format!(
                "{} entry '{}' brings '{}' from {}'s directories into {}",
                r.entry.field, r.entry.value, r.target, o.env, env.name
            ))
            .at_node(&r.entry.node, "another environment's file")
            .help(format!(
                "include shared files from a base or component, not from {}'s directories",
                o.env
            )),
        );
    }
    out
}

/// Part 3: namespaces (and target namespaces) named for another environment.
fn namespaces(ctx: &Ctx, env: &Environment, own: &EnvNames, all: &[EnvNames]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in &env.objects {
        let r = &a.resource;
        for n in objects::namespace_nodes(r) {
            let ns = n.scalar_string().unwrap_or_default();
            if let Some(o) = named_for(&ns, own, all) {
                let obj = objects::Obj { env, applied: a };
                out.push(
                    obj.annotate(
                        ctx.diag(format!(
                            "namespace '{ns}' is named for {}, expected a namespace of {}",
                            o.env, env.name
                        ))
                        .at_node(n, "another environment's namespace")
                        .help(format!("use {}'s own namespace here", env.name)),
                    ),
                );
            }
        }
    }
    out
}

/// Part 5: a source this environment shares with one of another promotion policy, when it follows
/// that other policy rather than this one's.
fn shared_sources(ctx: &Ctx, repo: &Repo, env: &Environment) -> Vec<Diagnostic> {
    let table = ctx.policy.param("promotion");
    let policy_of = |e: &Environment| objects::env_entry(table, e).and_then(|n| n.scalar_string());
    let Some(mine) = policy_of(env) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in objects::feeding_sources(env).sources {
        let Some(eff) = s.effective() else { continue };
        if eff.kind.as_str() == mine {
            continue;
        }
        for other in repo.environments.iter().filter(|o| o.name != env.name) {
            let Some(theirs) = policy_of(other).filter(|p| *p != mine) else {
                continue;
            };
            let shared = objects::feeding_sources(other)
                .sources
                .iter()
                .any(|t| s.same_as(t));
            if !shared {
                continue;
            }
            let at = eff
                .field
                .as_ref()
                .map(|f| f.node)
                .unwrap_or(s.0.name_node());
            out.push(
                s.0.annotate(
                    ctx.diag(format!(
                        "{} '{}' is {}'s source ({} '{}'): {} promotes by {mine}, {} by {theirs}",
                        s.0.kind(),
                        s.0.name(),
                        other.name,
                        eff.kind.as_str(),
                        eff.value,
                        env.name,
                        other.name
                    ))
                    .at_node(at, "shared with another environment")
                    .help(format!(
                        "give {} its own source that follows its {mine} policy",
                        env.name
                    )),
                ),
            );
            break;
        }
    }
    out
}
