//! `replicas`: each environment runs the number of replicas its policy asks for (by default dev
//! exactly 1, production at least 3), counting a missing `replicas` as 1, and so does the
//! `minReplicas` of a HorizontalPodAutoscaler that scales the workload.

use crate::diagnostic::Diagnostic;
use crate::flux::workloads::{
    self, Workload, for_environment, in_policy_scope, name_node, note_applied_by, string_list,
    text, whole_number,
};
use crate::flux::{Applied, Environment, resource_id};
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "replicas",
    scope: Scope::Env,
    resources: true,
    run: check,
};

/// `{exactly: n}`, `{min: n}`, `{max: n}` (min and max may go together).
struct Bounds {
    exactly: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
}

impl Bounds {
    fn read(n: &Node) -> Bounds {
        let get = |k: &str| n.get(k).and_then(whole_number);
        Bounds {
            exactly: get("exactly"),
            min: get("min"),
            max: get("max"),
        }
    }

    /// What is expected, whatever the value: `exactly 1`, `at least 3`.
    fn describe(&self) -> String {
        match (self.exactly, self.min, self.max) {
            (Some(e), _, _) => format!("exactly {e}"),
            (None, Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (None, Some(lo), None) => format!("at least {lo}"),
            (None, None, Some(hi)) => format!("at most {hi}"),
            (None, None, None) => "a whole number".to_string(),
        }
    }

    /// What was expected, when `v` breaks a bound.
    fn broken_by(&self, v: i64) -> Option<String> {
        match (self.exactly, self.min, self.max) {
            (Some(e), _, _) if v != e => Some(format!("exactly {e}")),
            (None, Some(lo), Some(hi)) if v < lo || v > hi => {
                Some(format!("between {lo} and {hi}"))
            }
            (None, Some(lo), None) if v < lo => Some(format!("at least {lo}")),
            (None, None, Some(hi)) if v > hi => Some(format!("at most {hi}")),
            _ => None,
        }
    }
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let Some(bounds) = for_environment(ctx.policy.param("byEnvironment"), env).map(Bounds::read)
    else {
        return Vec::new();
    };
    let kinds = string_list(ctx.policy.param("kinds"))
        .unwrap_or_else(|| vec!["Deployment".into(), "StatefulSet".into()]);
    let with_hpa = ctx
        .policy
        .param("hpa")
        .and_then(Node::as_bool)
        .unwrap_or(true);
    let mut out = Vec::new();
    for w in workloads::workloads(env) {
        if !kinds.iter().any(|k| k == w.kind) || !in_policy_scope(ctx, env, &w) {
            continue;
        }
        let hpa = if with_hpa { w.hpa(env) } else { None };
        let replicas = w.replicas();
        // a workload scaled by an HPA and without `replicas` leaves the count to the HPA
        // a `${VAR}` that Flux fills in at run time is not judged
        let unresolved =
            replicas.count.is_none() && replicas.node.is_some_and(|n| env.is_unresolved(n));
        let left_to_hpa = hpa.is_some() && replicas.node.is_none();
        if !left_to_hpa && !unresolved {
            // a value that is no number (`${REPLICAS}` left by a missing postBuild) breaks the bound
            let expected = match replicas.count {
                Some(count) => bounds.broken_by(count),
                None => Some(bounds.describe()),
            };
            if let Some(expected) = expected {
                out.push(workload_finding(ctx, env, &w, replicas.node, &expected));
            }
        }
        if let Some(h) = hpa {
            out.extend(hpa_finding(ctx, env, &w, h, &bounds));
        }
    }
    out
}

fn workload_finding(
    ctx: &Ctx,
    env: &Environment,
    w: &Workload,
    node: Option<&Node>,
    expected: &str,
) -> Diagnostic {
    let r = w.resource();
    let d = match node {
        Some(n) => ctx
            .diag(format!(
                "replicas of {} is {} in {}, expected {expected}",
                w.describe(),
                shown(n),
                env.name
            ))
            .at_node(n, "set here"),
        None => {
            let d = ctx.diag(format!(
                "replicas of {} is not set (counts as 1) in {}, expected {expected}",
                w.describe(),
                env.name
            ));
            match name_node(r) {
                Some(n) => d.at_node(n, "no `spec.replicas`"),
                None => d.at(r.doc_span, "no `spec.replicas`"),
            }
        }
    };
    let mut help = format!(
        "set `spec.replicas` of {} to {expected} in the {} overlay",
        w.describe(),
        env.name
    );
    if node.is_some_and(|n| text(n).contains("${")) {
        help.push_str(
            "; Flux substitutes `${VAR}` only when the Flux Kustomization has `spec.postBuild`",
        );
    }
    note_applied_by(d, env, w.applied)
        .help(help)
        .resource(resource_id(r))
}

fn hpa_finding(
    ctx: &Ctx,
    env: &Environment,
    w: &Workload,
    h: &Applied,
    bounds: &Bounds,
) -> Option<Diagnostic> {
    let r = &h.resource;
    let node = r
        .node
        .get_path(&["spec", "minReplicas"])
        .filter(|n| !n.is_null());
    let expected = match node.map(whole_number) {
        Some(Some(min)) => bounds.broken_by(min)?,
        Some(None) => bounds.describe(),
        None => bounds.broken_by(1)?,
    };
    let what = format!(
        "HorizontalPodAutoscaler \"{}\" of {}",
        r.name(),
        w.describe()
    );
    let d = match node {
        Some(n) => ctx
            .diag(format!(
                "minReplicas of {what} is {} in {}, expected {expected}",
                shown(n),
                env.name
            ))
            .at_node(n, "set here"),
        None => {
            let d = ctx.diag(format!(
                "minReplicas of {what} is not set (counts as 1) in {}, expected {expected}",
                env.name
            ));
            match name_node(r) {
                Some(n) => d.at_node(n, "no `spec.minReplicas`"),
                None => d.at(r.doc_span, "no `spec.minReplicas`"),
            }
        }
    };
    Some(
        note_applied_by(d, env, h)
            .help(format!(
                "set `spec.minReplicas` of HorizontalPodAutoscaler \"{}\" to {expected} in the {} overlay",
                r.name(),
                env.name
            ))
            .resource(resource_id(r)),
    )
}

/// A count for messages: `2`, or `"${REPLICAS}" (not a number)`.
fn shown(n: &Node) -> String {
    match whole_number(n) {
        Some(_) => text(n),
        None => format!("\"{}\" (not a number)", text(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(exactly: Option<i64>, min: Option<i64>, max: Option<i64>) -> Bounds {
        Bounds { exactly, min, max }
    }

    #[test]
    fn bounds() {
        assert_eq!(b(Some(1), None, None).broken_by(1), None);
        assert_eq!(
            b(Some(1), None, None).broken_by(2).as_deref(),
            Some("exactly 1")
        );
        assert_eq!(
            b(None, Some(3), None).broken_by(2).as_deref(),
            Some("at least 3")
        );
        assert_eq!(b(None, Some(3), None).broken_by(5), None);
        assert_eq!(
            b(None, None, Some(2)).broken_by(3).as_deref(),
            Some("at most 2")
        );
        assert_eq!(
            b(None, Some(2), Some(4)).broken_by(5).as_deref(),
            Some("between 2 and 4")
        );
    }
}
