//! `resource-quota`: every namespace that runs workloads has a ResourceQuota, and the workloads fit
//! its `hard` values: the sum over workloads of replicas × what one pod counts (see
//! [`workloads::pod_total`] for requests defaulting to limits and LimitRange defaults, and for init
//! containers), and `pods` = the sum of replicas.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::flux::workloads::{
    self, Defaults, Quantity, Workload, effective_namespace, format_quantity, in_scope, name_node,
    note_applied_by, pod_total, split_key, string_list, text, whole_number,
};
use crate::flux::{Applied, Environment, resource_id};
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "resource-quota",
    scope: Scope::Env,
    resources: true,
    run: check,
};

const DEFAULT_KEYS: &[&str] = &[
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
    "pods",
];

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let keys = string_list(ctx.policy.param("resources"))
        .unwrap_or_else(|| DEFAULT_KEYS.iter().map(|k| k.to_string()).collect());
    let hpa_max = ctx.policy.param("hpaReplicas").and_then(Node::as_str) == Some("maxReplicas");
    let mut by_ns: BTreeMap<&str, Vec<Workload>> = BTreeMap::new();
    for w in workloads::workloads(env) {
        if in_scope(ctx.policy, &w) {
            by_ns.entry(w.namespace).or_default().push(w);
        }
    }
    // a missing quota may be in what did not render (the `render` finding says so) or in a remote
    // resource: decided once for the environment
    let complete = env.unread_units().is_empty() && env.remote.is_empty();
    let mut out = Vec::new();
    for (ns, ws) in &by_ns {
        let quotas: Vec<&Applied> = env
            .of_kind("ResourceQuota")
            .filter(|q| effective_namespace(&q.resource) == *ns)
            .collect();
        if quotas.is_empty() {
            // the quota may be in what did not render, or in a remote resource: the `render`
            // finding says so
            if complete {
                out.push(no_quota(ctx, env, ns, ws));
            }
            continue;
        }
        let counted: Vec<(&Workload, i64)> =
            ws.iter().map(|w| (w, replicas(env, w, hpa_max))).collect();
        let defaults = Defaults::of_namespace(env, ns);
        for q in quotas {
            // a scoped quota counts only some pods (by priority class, QoS, deadline): not summed
            let spec = q.resource.node.get("spec");
            if spec.is_some_and(|s| s.get("scopes").is_some() || s.get("scopeSelector").is_some()) {
                continue;
            }
            for key in &keys {
                out.extend(check_key(ctx, env, ns, q, key, &counted, &defaults));
            }
        }
    }
    out
}

/// Pods a workload runs: its replicas, or its HorizontalPodAutoscaler's bound when one scales it.
fn replicas(env: &Environment, w: &Workload, hpa_max: bool) -> i64 {
    let own = w.replicas().count.unwrap_or(1).max(0);
    let Some(h) = w.hpa(env) else {
        return own;
    };
    let field = |f: &str| {
        h.resource
            .node
            .get_path(&["spec", f])
            .and_then(whole_number)
    };
    if hpa_max {
        field("maxReplicas").unwrap_or(own)
    } else {
        own.max(field("minReplicas").unwrap_or(1))
    }
}

fn no_quota(ctx: &Ctx, env: &Environment, ns: &str, ws: &[Workload]) -> Diagnostic {
    let first = &ws[0];
    let r = first.resource();
    let node = r.node.get_path(&["metadata", "namespace"]).or(name_node(r));
    let d = ctx.diag(format!(
        "namespace \"{ns}\" runs {} workload(s) in {} but has no ResourceQuota",
        ws.len(),
        env.name
    ));
    let runs = format!("{} runs in \"{ns}\"", first.describe());
    let span = node.map(Node::span).unwrap_or(r.doc_span);
    // a quota the environment's own patch deleted: the directive is what to change
    let gone = env.deleted.iter().find(|(_, g)| {
        g.kind == "ResourceQuota"
            && (g.namespace == ns || g.namespace.is_empty() && ns == "default")
    });
    let d = match gone {
        Some((_, g)) => d
            .at(
                g.at,
                format!(
                    "this patch deletes ResourceQuota \"{}\" of \"{ns}\"",
                    g.name
                ),
            )
            .note(span, runs),
        None => d.at(span, runs),
    };
    let help = match gone {
        Some(_) => format!(
            "keep the quota in {}: drop this delete patch, or replace it with a patch that sets the {} limits",
            env.name, env.name
        ),
        None => format!(
            "add a ResourceQuota to namespace \"{ns}\" in the {} infrastructure overlay",
            env.name
        ),
    };
    note_applied_by(d, env, first.applied)
        .help(help)
        .resource(resource_id(r))
}

fn check_key(
    ctx: &Ctx,
    env: &Environment,
    ns: &str,
    q: &Applied,
    key: &str,
    counted: &[(&Workload, i64)],
    defaults: &Defaults,
) -> Vec<Diagnostic> {
    let hard = q.resource.node.get_path(&["spec", "hard"]);
    // `cpu` and `memory` in a quota mean requests
    let Some(limit_node) = hard.and_then(|h| {
        h.get(key)
            .or_else(|| key.strip_prefix("requests.").and_then(|k| h.get(k)))
    }) else {
        return Vec::new();
    };
    let qname = q.resource.name();
    let Some(limit) = Quantity::of(limit_node) else {
        let d = ctx
            .diag(format!(
                "{key} of ResourceQuota \"{qname}\" is \"{}\" in {}, expected a Kubernetes quantity such as {}",
                text(limit_node),
                env.name,
                match key {
                    "pods" => "10",
                    k if k.ends_with("cpu") => "500m or 4",
                    _ => "512Mi or 4Gi",
                }
            ))
            .at_node(limit_node, "not a quantity")
            .help(format!(
                "write `spec.hard.{key}` of ResourceQuota \"{qname}\" as a number with an optional suffix (m; Ki, Mi, Gi; k, M, G)"
            ));
        return vec![note_applied_by(d, env, q).resource(resource_id(&q.resource))];
    };
    let mut out = Vec::new();
    let mut total = Quantity::ZERO;
    let mut parts = Vec::new();
    for &(w, n) in counted {
        let one = if key == "pods" {
            Quantity::from_count(1)
        } else {
            match pod_total(w, key, defaults) {
                Ok(v) => v,
                Err(c) => {
                    let (is_limit, res) = split_key(key);
                    let what = if is_limit { "limit" } else { "request" };
                    let d = ctx
                        .diag(format!(
                            "{} of {} sets no {res} {what} in {} and no LimitRange gives one, so ResourceQuota \"{qname}\" (hard {key}) refuses its pods",
                            c.describe(), w.describe(), env.name
                        ))
                        .at_node(c.name_node(), format!("no resources.{what}s.{res}"))
                        .note(limit_node.span(), format!("{key} is limited here"))
                        .help(format!("set `resources.{what}s.{res}` on {}: Kubernetes refuses its pods while the quota limits {key}", c.describe()));
                    out.push(
                        note_applied_by(d, env, w.applied).resource(resource_id(w.resource())),
                    );
                    continue;
                }
            }
        };
        total = total + one * n;
        let at = w
            .replicas()
            .node
            .map(Node::span)
            .or(name_node(w.resource()).map(Node::span));
        parts.push((
            at,
            format!("{}: {n} × {}", w.describe(), format_quantity(key, one)),
        ));
    }
    if total <= limit {
        return out;
    }
    let mut d = ctx
        .diag(format!(
            "{key} of the workloads in namespace \"{ns}\" totals {} in {}, over the {} of ResourceQuota \"{qname}\"",
            format_quantity(key, total),
            env.name,
            format_quantity(key, limit)
        ))
        .at_node(limit_node, format!("{key} limited to {}", format_quantity(key, limit)));
    for (span, text) in parts {
        d = d.note(span.unwrap_or(crate::source::Span::NONE), text);
    }
    out.push(
        note_applied_by(d, env, q)
            .help(format!(
                "raise `spec.hard.{key}` of ResourceQuota \"{qname}\" in the {} overlay, or lower the replicas or {} of the workloads in \"{ns}\"",
                env.name,
                if key == "pods" { "count" } else { "resources" }
            ))
            .resource(resource_id(&q.resource)),
    );
    out
}
