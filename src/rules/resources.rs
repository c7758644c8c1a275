//! `resources`: in the listed environments every container and init container sets the listed
//! limits itself (a LimitRange default does not count), and each limit of a `lower` environment is
//! below the same container's limit in the `higher` one (workloads matched by kind, namespace and
//! name — or by what they were called before per-environment renames, see
//! [`workloads::counterpart`] —, containers by name).

use crate::diagnostic::Diagnostic;
use crate::flux::workloads::{
    self, Container, Quantity, Workload, in_policy_scope, names_environment, note_applied_by,
    string_list, text,
};
use crate::flux::{Environment, resource_id};
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "resources",
    scope: Scope::Env,
    resources: true,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let p = |k: &str| ctx.policy.param(k);
    let limits =
        string_list(p("limits")).unwrap_or_else(|| vec!["cpu".to_string(), "memory".to_string()]);
    let init = p("initContainers").and_then(Node::as_bool).unwrap_or(true);
    let required = string_list(p("environments")).is_none_or(|l| names_environment(&l, env));
    // pairs of (higher environment, may the values be equal?) this environment must stay below
    let mut above: Vec<(&Environment, bool)> = Vec::new();
    for pair in p("compare").and_then(Node::as_seq).into_iter().flatten() {
        let name = |k: &str| {
            pair.get(k)
                .and_then(Node::scalar_string)
                .unwrap_or_default()
        };
        let equal = pair
            .get("allowEqual")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        if env.is_named(&name("lower"))
            && let Some(h) = ctx
                .repo
                .environments
                .iter()
                .find(|e| e.is_named(&name("higher")))
        {
            above.push((h, equal));
        }
    }
    let mut out = Vec::new();
    for w in workloads::workloads(env) {
        if !in_policy_scope(ctx, env, &w) {
            continue;
        }
        let mut found = Vec::new();
        for c in w.containers().iter().filter(|c| init || !c.init) {
            for res in &limits {
                match c.limit(res) {
                    None if required => found.push(missing(ctx, env, &w, c, res)),
                    None => {}
                    Some(v) if Quantity::of(v).is_none() && required => {
                        found.push(not_a_quantity(ctx, env, &w, c, res, v));
                    }
                    Some(v) if Quantity::of(v).is_none() => {}
                    Some(v) => {
                        for &(higher, equal) in &above {
                            found.extend(compare(ctx, env, &w, c, res, v, higher, equal));
                        }
                    }
                }
            }
        }
        out.extend(
            found
                .into_iter()
                .map(|d| note_applied_by(d, env, w.applied).resource(resource_id(w.resource()))),
        );
    }
    out
}

/// Where a missing limit belongs: the container's `resources.limits` block — at the limit a patch
/// wrote into it when one did (the overlay that set this environment's limits), else where the
/// block is (the base) — else its `resources`, else the container's name.
fn limits_block(c: &Container) -> crate::source::Span {
    let block = c
        .node
        .get_path(&["resources", "limits"])
        .or_else(|| c.node.get("resources"))
        .and_then(|n| Some((n, n.as_map().filter(|m| !m.entries.is_empty())?)));
    match block {
        Some((n, m)) => m
            .entries
            .iter()
            .rev()
            .find(|e| e.value.span().file != n.span().file)
            .map_or(n.span(), |e| e.value.span()),
        None => c.name_node().span(),
    }
}

fn missing(ctx: &Ctx, env: &Environment, w: &Workload, c: &Container, res: &str) -> Diagnostic {
    ctx.diag(format!(
        "{} of {} sets no {res} limit in {}, expected one",
        c.describe(),
        w.describe(),
        env.name
    ))
    .at(limits_block(c), format!("no {res} here"))
    .help(format!(
        "set `resources.limits.{res}` on {} in the {} overlay (a LimitRange default does not count)",
        c.describe(),
        env.name
    ))
}

fn not_a_quantity(
    ctx: &Ctx,
    env: &Environment,
    w: &Workload,
    c: &Container,
    res: &str,
    value: &Node,
) -> Diagnostic {
    ctx.diag(format!(
        "{res} limit of {} of {} is \"{}\" in {}, expected a Kubernetes quantity such as {}",
        c.describe(),
        w.describe(),
        text(value),
        env.name,
        if res == "cpu" {
            "500m or 2"
        } else {
            "256Mi or 1Gi"
        }
    ))
    .at_node(value, "not a quantity")
    .help(format!(
        "write `resources.limits.{res}` of {} as a number with an optional suffix (m for \
         millicores; Ki, Mi, Gi or k, M, G for bytes)",
        c.describe()
    ))
}

/// The same container's limit in the higher environment; a finding when `value` is not below it.
#[allow(clippy::too_many_arguments)]
fn compare(
    ctx: &Ctx,
    env: &Environment,
    w: &Workload,
    c: &Container,
    res: &str,
    value: &Node,
    higher: &Environment,
    allow_equal: bool,
) -> Option<Diagnostic> {
    let hw = workloads::counterpart(higher, w)?;
    let hc = hw
        .containers()
        .into_iter()
        .find(|h| h.name == c.name && h.init == c.init)?;
    let hv = hc.limit(res)?;
    let (lo, hi) = (Quantity::of(value)?, Quantity::of(hv)?);
    if lo < hi || (allow_equal && lo == hi) {
        return None;
    }
    let expected = if allow_equal { "at most" } else { "below" };
    Some(
        ctx.diag(format!(
            "{res} limit of {} of {} is {} in {}, expected {expected} {}'s {} (set at {})",
            c.describe(),
            w.describe(),
            text(value),
            env.name,
            higher.name,
            text(hv),
            ctx.repo.sources.describe_line(hv.span())
        ))
        .at_node(value, "set here")
        .note(hv.span(), format!("{} sets {} here", higher.name, text(hv)))
        .help(format!(
            "lower `resources.limits.{res}` of {} in the {} overlay, or raise it in {}",
            c.describe(),
            env.name,
            higher.name
        )),
    )
}
