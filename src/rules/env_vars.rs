//! `env-vars`: every container gets the variables the policy lists (by default `APP_ENV`) with the
//! value the policy gives, `{environment}` standing for the environment's name. Init containers are
//! exempt unless `initContainers: true`.

use crate::diagnostic::Diagnostic;
use crate::flux::workloads::{self, Container, EnvValue, Workload, in_scope, note_applied_by};
use crate::flux::{Environment, resource_id};
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "env-vars",
    scope: Scope::Env,
    resources: true,
    run: check,
};

/// One `variables:` entry: a name and the value template.
struct Wanted {
    name: String,
    value: String,
}

fn wanted(ctx: &Ctx, env: &Environment) -> Vec<Wanted> {
    let list = ctx.policy.param("variables").and_then(Node::as_seq);
    list.into_iter()
        .flatten()
        .filter_map(|v| {
            Some(Wanted {
                name: v.get("name")?.scalar_string()?,
                value: v
                    .get("value")
                    .and_then(Node::scalar_string)
                    .unwrap_or_else(|| "{environment}".into())
                    .replace("{environment}", &env.name),
            })
        })
        .collect()
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let wanted = wanted(ctx, env);
    let init = ctx
        .policy
        .param("initContainers")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let mut out = Vec::new();
    for w in workloads::workloads(env) {
        if !in_scope(ctx.policy, &w) {
            continue;
        }
        for c in w.containers() {
            if c.init && !init {
                continue;
            }
            for v in &wanted {
                if let Some(d) = finding(ctx, env, &w, &c, v) {
                    out.push(
                        note_applied_by(d, env, w.applied).resource(resource_id(w.resource())),
                    );
                }
            }
        }
    }
    out
}

fn finding(
    ctx: &Ctx,
    env: &Environment,
    w: &Workload,
    c: &Container,
    v: &Wanted,
) -> Option<Diagnostic> {
    let whose = format!("{} of {}", c.describe(), w.describe());
    let help = format!(
        "set `env: [{{name: {}, value: \"{}\"}}]` on {whose} in the {} overlay",
        v.name, v.value, env.name
    );
    let d = match c.env_value(env, w, &v.name) {
        EnvValue::Value { text, .. } if text == v.value => return None,
        EnvValue::Value { text, node } => ctx
            .diag(format!(
                "{} of {whose} is \"{text}\" in {}, expected \"{}\"",
                v.name, env.name, v.value
            ))
            .at_node(node, "set here"),
        EnvValue::Missing => ctx
            .diag(format!(
                "{whose} does not set {} in {}, expected \"{}\"",
                v.name, env.name, v.value
            ))
            .at_node(c.name_node(), format!("no {}", v.name)),
        EnvValue::Unresolved { why, node } => ctx
            .diag(format!(
                "{} of {whose} in {} comes from {why}; expected \"{}\"",
                v.name, env.name, v.value
            ))
            .at_node(node, "cannot be checked"),
    };
    Some(d.help(help))
}
