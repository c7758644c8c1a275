//! `alerts`: each environment the policy names (staging and production by default) has a Flux
//! Alert that announces deployments: not suspended, sending to a Provider that exists (and is not
//! suspended), with the required `eventSeverity` (Flux's default is `info`) and an event source of
//! each required kind (`name: '*'` or an object that exists). When none qualifies, every Alert's
//! shortcomings are reported; with no Alert at all, the finding points at the Flux Kustomization
//! that applies the cluster directory. See `policies/alerts.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, Alert, KUSTOMIZE_GROUP};
use crate::flux::{Environment, path_span};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "alerts",
    scope: Scope::Env,
    resources: false,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let severity = ctx
        .policy
        .param("eventSeverity")
        .and_then(|n| n.scalar_string())
        .unwrap_or_else(|| "info".to_string());
    let kinds = objects::str_list(ctx.policy.param("sourceKinds"))
        .unwrap_or_else(|| vec!["Kustomization".to_string()]);
    let alerts = objects::alerts(env);
    let problems: Vec<Vec<Diagnostic>> = alerts
        .iter()
        .map(|a| problems(ctx, env, a, &severity, &kinds))
        .collect();
    if problems.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    if alerts.is_empty() {
        let want = format!(
            "an Alert with eventSeverity '{severity}' and {} events",
            kinds.join(", ")
        );
        let unread = env.unread_units();
        if !unread.is_empty() {
            // the Alert may be in what did not render: say once that this was not checked
            let mut d = ctx
                .diag(format!(
                    "whether {} announces deployments is not checked: no Flux Alert in what rendered, and {}",
                    env.name,
                    env.describe_unread(&unread)
                ))
                .help("the `render` findings say why; fix them, or map the sources with --source");
            d.severity = crate::diagnostic::Severity::Info;
            if let Some(u) = unread.first().and_then(|&i| env.units[i].object) {
                let k = &env.objects[u];
                d = d.at(path_span(&k.resource), "did not render");
            } else if let Some(span) = unread
                .first()
                .and_then(|&i| env.failures.iter().find(|f| f.unit == i))
                .and_then(|f| f.error.span)
            {
                // the cluster directory itself: where its render failed
                d = d.at(span, "did not render");
            }
            return vec![d];
        }
        let mut d = ctx
            .diag(format!("{} has no Flux Alert, expected {want}", env.name))
            .help(format!(
                "add a Provider and {want} to {} (e.g. eventSources: [{{kind: Kustomization, name: '*'}}])",
                env.cluster_display
            ));
        if let Some(k) =
            objects::cluster_sync(env).or_else(|| objects::kustomizations(env).into_iter().next())
        {
            d =
                k.0.annotate(d.at(path_span(k.0.resource()), "no Alert in what this applies"));
        } else if let Some(a) = env.objects.first() {
            // no Flux Kustomization (a cluster directory applied from elsewhere): its first object
            d = d.at(
                a.resource.doc_span,
                "no Alert in what this environment applies",
            );
        }
        return vec![d];
    }
    problems.into_iter().flatten().collect()
}

/// Why an Alert does not announce deployments (empty when it does).
fn problems(
    ctx: &Ctx,
    env: &Environment,
    a: &Alert,
    severity: &str,
    kinds: &[String],
) -> Vec<Diagnostic> {
    let name = a.0.name();
    let mut out = Vec::new();
    let mut push = |d: Diagnostic| out.push(a.0.annotate(d));
    if let Some(s) = a.suspend_node() {
        push(
            ctx.diag(format!(
                "Alert '{name}' is suspended, expected an active Alert"
            ))
            .at_node(s, "suspended")
            .help("remove `suspend: true`"),
        );
    }
    match a.provider_name() {
        None => push(
            ctx.diag(format!(
                "Alert '{name}' has no providerRef, expected one naming a Provider"
            ))
            .at_node(a.0.name_node(), "no providerRef")
            .help("set spec.providerRef.name to a Provider in the Alert's namespace"),
        ),
        Some(n) => {
            let p = n.scalar_string().unwrap_or_default();
            match objects::find_provider(env, &p, a.0.namespace()) {
                None => push(ctx
                    .diag(format!(
                        "Alert '{name}' uses Provider '{p}', which is not defined in namespace '{}' of {}",
                        a.0.namespace(), env.name
                    ))
                    .at_node(n, "no such Provider")
                    .help("name an existing Provider, or define it next to the Alert")),
                Some(prov) => {
                    if let Some(s) = objects::suspend_node(prov.resource()) {
                        push(ctx
                            .diag(format!("Provider '{p}' of Alert '{name}' is suspended, expected an active Provider"))
                            .at_node(s, "suspended")
                            .help("remove `suspend: true` from the Provider"));
                    }
                }
            }
        }
    }
    if let Some(n) = a.event_severity() {
        let got = n.scalar_string().unwrap_or_default();
        if got != severity {
            push(
                ctx.diag(format!(
                    "eventSeverity of Alert '{name}' is '{got}', expected '{severity}'"
                ))
                .at_node(n, "set here")
                .help(format!(
                    "set `eventSeverity: {severity}` so that every deployment is announced"
                )),
            );
        }
    }
    let sources = a.event_sources();
    for kind in kinds {
        let of_kind: Vec<_> = sources.iter().filter(|s| s.kind == *kind).collect();
        let real = |s: &&objects::ObjectRef| {
            s.name == "*"
                || (kind == "Kustomization"
                    && objects::find_kustomization(env, &s.name, &s.namespace).is_some())
                || (kind != "Kustomization"
                    && env.objects.iter().any(|o| {
                        o.resource.kind() == kind
                            && o.resource.name() == s.name
                            && (o.resource.namespace().is_empty()
                                || o.resource.namespace() == s.namespace)
                            && o.resource.gvk().group != KUSTOMIZE_GROUP
                    }))
        };
        if of_kind.iter().any(real) {
            continue;
        }
        match of_kind.first() {
            Some(s) => push(ctx
                .diag(format!(
                    "Alert '{name}' watches {kind} '{}', which is not defined in namespace '{}' of {}",
                    s.name, s.namespace, env.name
                ))
                .at_node(s.name_node, "no such object")
                .help(format!("watch every {kind} with `name: '*'`, or name one that exists"))),
            None => push(ctx
                .diag(format!("Alert '{name}' has no {kind} event source, expected one with name '*' or an existing {kind}"))
                .at_node(a.event_sources_node().unwrap_or(a.0.name_node()), "no such event source")
                .help(format!("add `{{kind: {kind}, name: '*'}}` to spec.eventSources"))),
        }
    }
    out
}
