//! `render`: everything an environment applies renders. Reports each render failure at the span of
//! its error (a `resources:` entry that does not exist, a YAML error, a patch that does not apply
//! …), each patch whose `target:` selects no resource (kustomize applies it to nothing, silently),
//! and, as information, each Flux Kustomization that was not checked (a source outside the
//! repository).

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::flux::{Environment, Unit};
use crate::kustomize::resource::{FluxPatch, Placeholder, Unknown, UnmatchedPatch};
use crate::source::{SourceMap, Span};
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "render",
    scope: Scope::Env,
    resources: false,
    run: check,
};

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in &env.failures {
        let Some(unit) = env.units.get(f.unit) else {
            continue;
        };
        let e = &f.error;
        let message = e.message.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut d = ctx.diag(format!(
            "{} does not render in {}: {message}",
            what(unit),
            env.name
        ));
        d = match e.span {
            Some(s) => d.at(s, e.label.clone().unwrap_or_else(|| "here".into())),
            None => d.at(unit.span, "this path"),
        };
        for (text, span) in &e.notes {
            d = d.note(*span, text.clone());
        }
        let help = e.help.clone().unwrap_or_else(|| {
            "fix the error above; `fluxlint build <dir>` shows the same error for one directory"
                .into()
        });
        out.push(applied_by(d, env, unit).help(help));
    }
    for (u, p) in &env.unmatched_patches {
        let Some(unit) = env.units.get(*u) else {
            continue;
        };
        let severity = match (&p.unknown, p.flux) {
            // the remote entry is said once, below
            (Some(Unknown::Remote(_)), _) => continue,
            (Some(Unknown::Placeholder(ph)), _) => {
                out.push(placeholder_note(ctx, env, unit, p, ph));
                continue;
            }
            // defaults a parent gives every child: Flux ignores a target that matches nothing
            (None, Some(FluxPatch::Inherited)) if !p.named => continue,
            // a Component's patch for whichever of its users have such objects
            (None, _) if p.component && !p.named => continue,
            (None, Some(FluxPatch::Own)) if !p.named => Severity::Warning.min(ctx.policy.severity),
            _ => ctx.policy.severity,
        };
        let (at, label) = match p.culprit {
            Some((field, span)) => (span, format!("no resource matches this {field}")),
            None => (p.target, "selects nothing".to_string()),
        };
        let mut d = ctx
            .diag(format!(
                "patch target {{{}}} selects no resource in {} ({}), so the patch changes nothing",
                selector_text(&ctx.repo.sources, p.target),
                env.name,
                what(unit)
            ))
            .at(at, label);
        if at != p.target {
            d = d.note(p.target, "this target matches nothing");
        }
        // the resource it meant may be gone: a delete patch of the same build removed it
        let sel = selector_text(&ctx.repo.sources, p.target);
        let parts: Vec<&str> = sel.split(", ").collect();
        if let Some((_, g)) = env.deleted.iter().find(|(gu, g)| {
            gu == u
                && parts.contains(&format!("kind: {}", g.kind).as_str())
                && parts.contains(&format!("name: {}", g.name).as_str())
        }) {
            d = d.note(
                g.at,
                format!("{} \"{}\" is deleted here first", g.kind, g.name),
            );
        }
        let fields = p.culprit.map_or("kind, name or namespace", |(f, _)| f);
        d = d.help(format!(
            "fix the target's {fields} (names are matched before namePrefix and namespace of \
             this kustomization apply), or remove the patch"
        ));
        d.severity = severity;
        out.push(applied_by(d, env, unit));
    }
    let forbid = ctx
        .policy
        .param("remoteResources")
        .and_then(Node::as_str)
        .is_some_and(|v| v == "forbid");
    for (u, r) in &env.remote {
        let Some(unit) = env.units.get(*u) else {
            continue;
        };
        let d = if forbid {
            ctx.diag(format!(
                "remote resource {} in {} ({}): this policy forbids remote resources",
                r.url,
                env.name,
                what(unit)
            ))
            .at(r.span, "remote")
            .help("vendor the resource into the repository and refer to the local copy")
        } else {
            let mut d = ctx
                .diag(format!(
                    "not checked (remote): {} in {} ({}); Flux fetches it when it applies, \
                     fluxlint works offline and rendered the rest",
                    r.url,
                    env.name,
                    what(unit)
                ))
                .at(r.span, "not checked")
                .help(
                    "vendor the resource into the repository to check it, or set \
                     `remoteResources: forbid` in the render policy to refuse remote resources",
                );
            d.severity = Severity::Info;
            d
        };
        out.push(applied_by(d, env, unit));
    }
    for (i, v) in env.undefined_vars.iter().enumerate() {
        let Some(unit) = env.units.get(v.unit) else {
            continue;
        };
        // one finding per value: `${1}://${2}${3}` is one mistake
        let same = |w: &&crate::flux::UndefinedVar| w.unit == v.unit && w.span == v.span;
        if env.undefined_vars[..i].iter().any(|w| same(&w)) {
            continue;
        }
        let mut names: Vec<&str> = env.undefined_vars[i..]
            .iter()
            .filter(same)
            .map(|w| w.name.as_str())
            .collect();
        names.dedup();
        if names.len() > 1 {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let d = ctx
                .diag(format!(
                    "variables {} are not defined for postBuild substitution in {} ({}); Flux substitutes an empty string",
                    quoted.join(", "),
                    env.name,
                    what(unit)
                ))
                .at(v.span, "used here")
                .resource(v.resource.clone())
                .help(
                    "define them under the Flux Kustomization's `postBuild.substitute` (or in a \
                     `substituteFrom` ConfigMap); to keep a literal `${…}` (a regex group), write \
                     it as `$${…}`",
                );
            out.push(applied_by(d, env, unit));
            continue;
        }
        let d = ctx
            .diag(format!(
                "variable \"{}\" is not defined for postBuild substitution in {} ({}); Flux substitutes an empty string",
                v.name,
                env.name,
                what(unit)
            ))
            .at(v.span, "used here")
            .resource(v.resource.clone())
            .help(format!(
                "define `{}` under the Flux Kustomization's `postBuild.substitute` (or in a `substituteFrom` ConfigMap), or give it a default: `${{{}:=value}}`",
                v.name, v.name
            ));
        out.push(applied_by(d, env, unit));
    }
    for unit in &env.units {
        let Some(why) = &unit.skipped else { continue };
        // said once for the repository, by the first unit (in environment order) left out for
        // the same reason
        let same: Vec<(&str, &Unit)> = ctx
            .repo
            .environments
            .iter()
            .flat_map(|e| {
                e.units
                    .iter()
                    .filter(|u| u.skipped.as_deref() == Some(why.as_str()))
                    .map(move |u| (e.name.as_str(), u))
            })
            .collect();
        match same.first() {
            Some((e, u)) if *e == env.name && std::ptr::eq(*u, unit) => {}
            _ => continue,
        }
        let message = if same.len() == 1 {
            format!("{} is not checked in {}: {why}", what(unit), env.name)
        } else {
            let mut envs: Vec<&str> = same.iter().map(|(e, _)| *e).collect();
            envs.dedup();
            format!(
                "{} and {} more Flux Kustomization{} (in {}) are not checked: {why}",
                what(unit),
                same.len() - 1,
                if same.len() == 2 { "" } else { "s" },
                envs.join(", ")
            )
        };
        let mut d = ctx
            .diag(message)
            .at(unit.span, "not checked")
            .help("map the source to a local checkout with `--source NAME=DIR` to check it");
        d.severity = Severity::Info;
        out.push(d);
    }
    for n in &env.notes {
        let mut d = ctx.diag(n.message.clone()).at(n.span, "here");
        if let Some(h) = &n.help {
            d = d.help(h.clone());
        }
        d.severity = Severity::Info;
        out.push(d);
    }
    out
}

/// A patch whose target would be in a bootstrap placeholder: said at info, not checked.
fn placeholder_note(
    ctx: &Ctx,
    env: &Environment,
    unit: &Unit,
    p: &UnmatchedPatch,
    ph: &Placeholder,
) -> Diagnostic {
    let mut d = ctx
        .diag(format!(
            "patch target {{{}}} targets objects of the bootstrap placeholder {}, which flux \
             bootstrap fills in; not checked in {} ({})",
            selector_text(&ctx.repo.sources, p.target),
            ph.file,
            env.name,
            what(unit)
        ))
        .at(p.target, "not checked")
        .note(ph.span, "the placeholder, listed here")
        .help(
            "run `flux bootstrap` (or commit its manifests) to check patches on Flux's own objects",
        );
    d.severity = Severity::Info;
    applied_by(d, env, unit)
}

/// `path "./apps/overlays/dev"` or `the cluster directory clusters/dev`.
fn what(unit: &Unit) -> String {
    match unit.object {
        Some(_) => format!(
            "path \"{}\" of Flux Kustomization \"{}\"",
            unit.path, unit.name
        ),
        None => format!("cluster directory {}", unit.path),
    }
}

/// Notes the Flux Kustomization that applies the unit (when the finding is not already there).
fn applied_by(d: Diagnostic, env: &Environment, unit: &Unit) -> Diagnostic {
    if unit.object.is_none() || unit.span.is_none() || d.primary.span == unit.span {
        return d;
    }
    let mut d = d;
    d.secondary.push(Label::new(
        unit.span,
        format!(
            "applied to {} by Flux Kustomization \"{}\"",
            env.name, unit.name
        ),
    ));
    d
}

/// The text of a `target:` map on one line: `kind: Deployment, name: web`.
fn selector_text(sources: &SourceMap, span: Span) -> String {
    let Some(f) = sources.get(span.file) else {
        return String::new();
    };
    let text = f
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let text = text.trim().trim_start_matches('{').trim_end_matches('}');
    text.lines()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}
