//! `deprecated-api`: every object an environment applies uses an API version its clusters still
//! serve. A version the target Kubernetes or Flux release removed is a finding at the policy's
//! severity (the apply fails); one it serves with a deprecation warning is at most a warning. The
//! table is [`crate::flux::deprecations`]; the target releases come from
//! [`crate::flux::targets`]. See `policies/deprecated-api.yaml`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::flux::deprecations::{self, Deprecation, Platform};
use crate::flux::objects::Obj;
use crate::flux::targets::{self, Target};
use crate::flux::version::Version;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "deprecated-api",
    scope: Scope::Env,
    resources: true,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let kubernetes = targets::kubernetes(&ctx.repo.versions);
    let flux = targets::flux(env, ctx.repo);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for applied in &env.objects {
        let r = &applied.resource;
        // what fluxlint adds from a sync declaration is made by the operator or bootstrap, at
        // the version they serve
        if env.is_added(applied) {
            continue;
        }
        let (group, version) = r.group_version();
        let Some(row) = deprecations::find(group, version, r.kind()) else {
            continue;
        };
        let Some(node) = r.node.get("apiVersion").filter(|n| !n.span().is_none()) else {
            continue;
        };
        // the same file applied twice into one environment is one finding
        if !seen.insert((node.span(), r.kind().to_string(), r.name().to_string())) {
            continue;
        }
        let target = match row.platform {
            Platform::Kubernetes => &kubernetes,
            Platform::Flux => &flux,
        };
        if let Some(d) = judge(ctx, row, target, Obj { env, applied }) {
            out.push(d.at_node(node, label(row, target.version)));
        }
    }
    out
}

fn label(row: &Deprecation, target: Version) -> String {
    let platform = platform_name(row.platform);
    match row.removed {
        Some(r) if target >= r => format!("not served since {platform} {r}"),
        _ => format!("deprecated since {platform} {}", row.deprecated),
    }
}

fn platform_name(p: Platform) -> &'static str {
    match p {
        Platform::Kubernetes => "Kubernetes",
        Platform::Flux => "Flux",
    }
}

/// The finding for one object (without its primary label), if the target does not serve its
/// version or serves it deprecated.
fn judge(ctx: &Ctx, row: &Deprecation, target: &Target, o: Obj) -> Option<Diagnostic> {
    let t = target.version;
    let removed = row.removed.filter(|r| t >= *r);
    if removed.is_none() && t < row.deprecated {
        return None;
    }
    let platform = platform_name(row.platform);
    let (kind, name) = (o.kind(), o.name());
    let api = row.api_version();
    let runs = match (row.platform, target.span()) {
        (Platform::Kubernetes, Some(_)) => format!(
            "the clusters run Kubernetes {t}, per {}",
            target.describe(&ctx.repo.sources, "kubernetesVersion")
        ),
        (Platform::Kubernetes, None) => format!(
            "the clusters are taken to run Kubernetes {t}, {}",
            target.describe(&ctx.repo.sources, "kubernetesVersion")
        ),
        (Platform::Flux, Some(_)) => format!(
            "{} runs Flux {t}, per {}",
            o.env.name,
            target.describe(&ctx.repo.sources, "fluxVersion")
        ),
        (Platform::Flux, None) => format!(
            "{} is taken to run Flux {t}, {}",
            o.env.name,
            target.describe(&ctx.repo.sources, "fluxVersion")
        ),
    };
    let what = match (removed, row.removed) {
        (Some(r), _) => format!("which {platform} {r} no longer serves"),
        (None, Some(r)) => format!(
            "deprecated since {platform} {} and removed in {r}",
            row.deprecated
        ),
        (None, None) => format!("deprecated since {platform} {}", row.deprecated),
    };
    let instead = row.replacements.iter().find(|rep| {
        rep.since <= t
            && deprecations::served(row.platform, rep.api_version, rep.kind.unwrap_or(kind), t)
    });
    let (use_, help) = match instead {
        Some(rep) => {
            let to = match rep.kind {
                Some(k) => format!("{k} {}", rep.api_version),
                None => rep.api_version.to_string(),
            };
            let mut help = match rep.kind {
                Some(k) => format!("replace the {kind} with a {k} of {}", rep.api_version),
                None => format!("set `apiVersion: {}`", rep.api_version),
            };
            if !row.changes.is_empty() {
                help.push_str(&format!("; also: {}", row.changes));
            }
            if row.platform == Platform::Flux {
                let version = if t < targets::NEWEST_FLUX {
                    format!(" --version={}.{}", t.major, t.minor)
                } else {
                    String::new()
                };
                help.push_str(&format!(
                    "; `flux migrate -f .{version}` (Flux CLI 2.7.1 or later) rewrites the apiVersion of every Flux object under the current directory"
                ));
            }
            (format!("use {to}"), help)
        }
        None if !row.otherwise.is_empty() => (
            "it has no replacement".to_string(),
            row.otherwise.to_string(),
        ),
        None => {
            let next = row.replacements.first().map(|r| (r.api_version, r.since));
            let (to, since) = next.unwrap_or((api.as_str(), t));
            (
                format!("{to} needs {platform} {since}"),
                format!("upgrade to {platform} {since} or later and set `apiVersion: {to}`"),
            )
        }
    };
    let mut d = ctx
        .diag(format!(
            "{kind} '{name}' uses {api}, {what} ({runs}): {use_}"
        ))
        .help(help);
    if removed.is_none() {
        d.severity = d.severity.min(Severity::Warning);
    }
    if let Some(span) = target.span() {
        d = d.note(span, format!("{platform} {t}"));
    }
    Some(o.annotate(d))
}
