//! `interval`: the sources that feed an environment poll at least as often as its policy says (dev:
//! every minute), so a commit reaches the cluster within that time. `spec.interval` is a Go
//! duration (`30s`, `1m`, `1m30s`); one that does not parse is a finding too. See
//! `policies/interval.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, Source, parse_duration};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "interval",
    scope: Scope::Env,
    resources: true,
    run: check,
};

const HELP_FORMAT: &str = "a Go duration such as '30s', '1m' or '1m30s'";

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let Some(entry) = objects::env_entry(ctx.policy.param("byEnvironment"), env) else {
        return Vec::new();
    };
    let Some(max_node) = entry.get("max") else {
        return Vec::new();
    };
    let max_text = max_node.scalar_string().unwrap_or_default();
    let Some(max) = parse_duration(&max_text) else {
        return vec![
            ctx.diag(format!(
                "the policy's maximum interval '{max_text}' for {} is not a duration",
                env.name
            ))
            .at_node(max_node, "not a duration")
            .help(format!("write {HELP_FORMAT}")),
        ];
    };
    let kinds = objects::str_list(entry.get("kinds"))
        .or_else(|| objects::str_list(ctx.policy.param("kinds")))
        .unwrap_or_else(|| vec!["GitRepository".to_string()]);
    objects::feeding_sources(env)
        .sources
        .iter()
        .filter(|s| kinds.iter().any(|k| k == s.0.kind()))
        .filter_map(|s| check_source(ctx, s, max, &max_text))
        .collect()
}

fn check_source(ctx: &Ctx, s: &Source, max: f64, max_text: &str) -> Option<Diagnostic> {
    let (kind, name) = (s.0.kind(), s.0.name());
    let help = format!("set spec.interval to at most '{max_text}' ({HELP_FORMAT})");
    let d = match s.interval().filter(|n| !n.is_null()) {
        None => ctx
            .diag(format!(
                "{kind} '{name}' sets no spec.interval, expected at most '{max_text}'"
            ))
            .at_node(s.0.name_node(), "no interval"),
        Some(n) => {
            let text = n
                .scalar_string()
                .unwrap_or_else(|| n.type_name().to_string());
            match n.as_str().and_then(parse_duration) {
                None => ctx
                    .diag(format!(
                        "spec.interval of {kind} '{name}' is '{text}', which is not a duration (expected at most '{max_text}')"
                    ))
                    .at_node(n, "not a duration"),
                Some(v) if v > max => ctx
                    .diag(format!(
                        "spec.interval of {kind} '{name}' is '{text}', expected at most '{max_text}'"
                    ))
                    .at_node(n, "polls too rarely"),
                Some(_) => return None,
            }
        }
    };
    Some(s.0.annotate(d.help(help)))
}
