//! `structure`: the repository's layout agrees with itself, as its clusters apply it.
//!
//! The layout is read from the repository, not assumed: the environments and their roles come
//! from discovery, and the layers are the directories the cluster-level Flux Kustomizations (the
//! ones an environment's entry applies directly) point into, `<layer>/overlays/<env>` and
//! `<layer>/<env>` alike. What is an error is an inconsistency:
//!
//! - a per-environment directory of a layer (`apps/overlays/preprod`, `apps/uat`) with a
//!   kustomization that no cluster applies;
//! - a cluster that lacks a layer every other cluster applies;
//! - a repository that promotes by tags (a staging or production sync source on `ref.tag` or
//!   `ref.semver`) without promotion documentation.
//!
//! A missing role of the spec's three (dev, staging, production) is one warning; environments
//! without a role are said once, at info.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::flux::workloads::string_list;
use crate::flux::{Applied, Environment, Role, path_span};
use crate::source::{FileId, Span};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "structure",
    scope: Scope::Repo,
    resources: false,
    run: check,
};

/// The files that make a directory a kustomization.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A cluster-level Flux Kustomization, read as the layer it applies.
struct Applies {
    env: usize,
    /// `apps`, `infrastructure`, `kubernetes/<env>/apps`: the path with the environment's part
    /// taken out (the top-level directory when the path names no environment).
    layer: String,
    /// The path it applies, relative to the root.
    rel: String,
    /// Where the layer keeps one directory per environment, when the path names the environment:
    /// the directory holding them (`apps/overlays`, `apps`) and what follows the environment's
    /// part (usually nothing).
    slot: Option<(PathBuf, PathBuf)>,
    /// The Flux Kustomization's `spec.path`, and its document.
    path_span: Span,
    doc_span: Span,
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let envs = &ctx.repo.environments;
    let mut out = Vec::new();
    let (applies, uncertain) = layers(ctx);
    let lacking = missing_layers(ctx, &applies, &uncertain, &mut out);
    unapplied_dirs(ctx, &applies, &uncertain, &lacking, &mut out);
    roles(ctx, &applies, &mut out);
    promotion(ctx, &mut out);
    if envs.is_empty() {
        out.clear();
    }
    templates(ctx, &mut out);
    out
}

/// Cluster directories left out as templates (their sync names a directory that does not exist):
/// said once each, at info.
fn templates(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for n in &ctx.repo.not_clusters {
        let Some(file) = &n.template else { continue };
        let mut d = ctx
            .diag(format!(
                "{} is not checked as an environment: {}",
                n.dir, n.why
            ))
            .at(file_span(ctx, &ctx.repo.root.join(file)), "template")
            .help("declare it in fluxlint.yaml `environments:` if it is a cluster");
        d.severity = Severity::Info;
        out.push(d);
    }
}

/// The path of `p` relative to the repository root, with `/`.
fn rel(ctx: &Ctx, p: &Path) -> String {
    let r = p.strip_prefix(&ctx.repo.root).unwrap_or(p);
    components(r).join("/")
}

fn components(p: &Path) -> Vec<String> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Does a directory name say it is this environment's (its name, an alias, a word of its role)?
fn names_env(e: &Environment, word: &str) -> bool {
    e.is_named(word) || (e.role.is_some() && Role::from_names([word]) == e.role)
}

/// Does a directory name look like an environment's: a role word or a known environment?
fn env_like(ctx: &Ctx, word: &str) -> bool {
    Role::from_names([word]).is_some() || ctx.repo.environments.iter().any(|e| e.is_named(word))
}

/// The units an environment's entry applies directly: the Flux Kustomizations in its cluster
/// directory (and those its sync declaration adds).
fn cluster_units(e: &Environment) -> Vec<usize> {
    (1..e.units.len())
        .filter(|&i| {
            let Some(a) = e.units[i].object.and_then(|o| e.objects.get(o)) else {
                return false;
            };
            a.unit == 0
                || e.units.get(a.unit).and_then(|u| u.dir.as_deref())
                    == Some(e.cluster_dir.as_path())
                || e.is_added(a)
        })
        .collect()
}

/// Every environment's cluster-level Kustomizations that rendered from this repository outside
/// the cluster directories, read as layers; and per environment, whether some cluster-level
/// Kustomization did not render (what it applies is unknown).
fn layers(ctx: &Ctx) -> (Vec<Applies>, Vec<bool>) {
    let root = &ctx.repo.root;
    let envs = &ctx.repo.environments;
    let mut out = Vec::new();
    let mut uncertain = vec![false; envs.len()];
    for (ei, e) in envs.iter().enumerate() {
        // the cluster directory itself did not render: what it applies is unknown
        if e.failures.iter().any(|f| f.unit == 0) {
            uncertain[ei] = true;
        }
        for ui in cluster_units(e) {
            let u = &e.units[ui];
            let failed = e.failures.iter().any(|f| f.unit == ui);
            let dir = match (&u.dir, &u.skipped, failed) {
                (Some(d), None, false) => d,
                _ => {
                    uncertain[ei] = true;
                    continue;
                }
            };
            let Ok(r) = dir.strip_prefix(root) else {
                // a virtual tree (an artifact) or another checkout
                uncertain[ei] = true;
                continue;
            };
            let in_cluster = envs
                .iter()
                .any(|x| x.cluster_dir != *root && dir.starts_with(&x.cluster_dir));
            let comps = components(r);
            if in_cluster || comps.is_empty() {
                continue;
            }
            // the environment's part: `overlays/<env>`, or a directory named for the environment
            let part = (0..comps.len()).find_map(|j| {
                if comps[j] == "overlays" && j > 0 && j + 1 < comps.len() {
                    Some((j, j + 1))
                } else if names_env(e, &comps[j]) {
                    Some((j, j))
                } else {
                    None
                }
            });
            let (layer, slot) = match part {
                Some((start, at)) => {
                    let prefix = comps[..start].join("/");
                    let rest = comps[at + 1..].join("/");
                    let layer = match (prefix.is_empty(), rest.is_empty()) {
                        (false, true) => prefix,
                        (false, false) => format!("{prefix}/<env>/{rest}"),
                        (true, false) => format!("<env>/{rest}"),
                        (true, true) => continue,
                    };
                    let holder = root.join(comps[..at].join("/"));
                    (layer, Some((holder, PathBuf::from(rest))))
                }
                None => (comps[0].clone(), None),
            };
            let (path_span, doc_span) = u
                .object
                .and_then(|o| e.objects.get(o))
                .map(|a| (path_span(&a.resource), a.resource.doc_span))
                .unwrap_or((u.span, u.span));
            out.push(Applies {
                env: ei,
                layer,
                rel: comps.join("/"),
                slot,
                path_span,
                doc_span,
            });
        }
    }
    (out, uncertain)
}

/// A span at the start of a file on disk (read into the source map if no one read it yet).
fn file_span(ctx: &Ctx, path: &Path) -> Span {
    let sources = &ctx.repo.sources;
    let id: FileId = match sources.find(path) {
        Some(id) => id,
        None => {
            let Ok(text) = std::fs::read_to_string(path) else {
                return Span::NONE;
            };
            sources.add(rel(ctx, path), path, Arc::from(text))
        }
    };
    Span::new(id, 0, 0)
}

/// Where a finding about an environment's cluster points: its `kustomization.yaml`, else the file
/// of its first cluster-level Kustomization, else its entry.
fn anchor(ctx: &Ctx, env: usize, applies: &[Applies]) -> Span {
    let e = &ctx.repo.environments[env];
    for f in KUSTOMIZATION_FILES {
        let p = e.cluster_dir.join(f);
        if p.is_file() {
            let s = file_span(ctx, &p);
            if !s.is_none() {
                return s;
            }
        }
    }
    if let Some(a) = applies.iter().find(|a| a.env == env) {
        return a.doc_span;
    }
    if let Some(a) = cluster_units(e)
        .first()
        .and_then(|&u| e.units[u].object)
        .and_then(|o| e.objects.get(o))
    {
        return a.resource.doc_span;
    }
    if let Some(a) = e.root_kustomization() {
        return a.resource.doc_span;
    }
    e.entry
        .declared_in
        .as_ref()
        .map(|f| file_span(ctx, &ctx.repo.root.join(f)))
        .filter(|s| !s.is_none())
        // a cluster directory with no kustomization and no Flux Kustomization: its first object
        .or_else(|| e.objects.first().map(|a| a.resource.doc_span))
        .unwrap_or(Span::NONE)
}

fn list(names: &[&str]) -> String {
    joined(names, "and")
}

/// `a, b or c`.
fn joined(names: &[&str], word: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// A cluster that lacks a layer every other cluster applies. Returns (environment, layer) pairs
/// reported, so that the directory left behind is not reported again.
fn missing_layers(
    ctx: &Ctx,
    applies: &[Applies],
    uncertain: &[bool],
    out: &mut Vec<Diagnostic>,
) -> HashSet<(usize, String)> {
    let envs = &ctx.repo.environments;
    let mut reported = HashSet::new();
    // environments that apply some layer, or something fluxlint could not read
    let taking_part: Vec<usize> = (0..envs.len())
        .filter(|&i| applies.iter().any(|a| a.env == i) || uncertain[i])
        .collect();
    if taking_part.len() < 2 {
        return reported;
    }
    let mut by_layer: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for a in applies {
        by_layer.entry(a.layer.as_str()).or_default().insert(a.env);
    }
    // a cluster lacking more of the others' layers than it applies runs a subset by design (a
    // local dev cluster with a few components): one warning, not an error per layer
    let mut lacks: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (layer, have) in &by_layer {
        let lacking: Vec<usize> = taking_part
            .iter()
            .copied()
            .filter(|i| !have.contains(i))
            .collect();
        if let [env] = lacking[..] {
            lacks.entry(env).or_default().push(layer);
        }
    }
    let mut subset: HashSet<usize> = HashSet::new();
    for (&env, layers) in &lacks {
        let own = by_layer.values().filter(|h| h.contains(&env)).count();
        if layers.len() < 3 || layers.len() <= own || uncertain[env] {
            continue;
        }
        subset.insert(env);
        let e = &envs[env];
        let shown: Vec<&str> = layers.iter().take(5).copied().collect();
        let more = if layers.len() > 5 { ", …" } else { "" };
        let mut d = ctx
            .diag(format!(
                "cluster {} applies {own} of the layers the other clusters apply and lacks {} ({}{more}): a smaller cluster by design?",
                e.cluster_display,
                layers.len(),
                shown.join(", ")
            ))
            .env(&e.name)
            .at(anchor(ctx, env, applies), "the cluster's Flux Kustomizations")
            .help(format!(
                "if {} should run them, add Flux Kustomizations like the other clusters'; if it \
                 runs a subset on purpose, exclude it from this policy",
                e.name
            ));
        d.severity = d.severity.min(Severity::Warning);
        out.push(d);
        for l in layers {
            reported.insert((env, l.to_string()));
        }
    }
    for (layer, have) in by_layer {
        let lacking: Vec<usize> = taking_part
            .iter()
            .copied()
            .filter(|i| !have.contains(i))
            .collect();
        // only the one environment that lacks it, and only when everything it applies is known
        let [env] = lacking[..] else {
            continue;
        };
        if uncertain[env] || envs[env].failures.iter().any(|f| f.unit == 0) || subset.contains(&env)
        {
            continue;
        }
        let e = &envs[env];
        let others: Vec<&str> = have.iter().map(|&i| envs[i].name.as_str()).collect();
        let example = applies
            .iter()
            .find(|a| a.layer == layer && have.contains(&a.env));
        // the directory this environment's layer would be: one the others' layout names for it
        let own = example
            .and_then(|x| x.slot.as_ref())
            .and_then(|(holder, rest)| {
                let rd = std::fs::read_dir(holder).ok()?;
                let mut names: Vec<String> = rd
                    .flatten()
                    .filter(|d| d.path().is_dir())
                    .map(|d| d.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                names
                    .into_iter()
                    .find(|n| names_env(e, n) && holder.join(n).join(rest).is_dir())
                    .map(|n| rel(ctx, &holder.join(n).join(rest)))
            });
        let mut d = ctx
            .diag(format!(
                "cluster {} applies no {layer}, which every other cluster applies ({})",
                e.cluster_display,
                list(&others),
            ))
            .env(&e.name)
            .at(
                anchor(ctx, env, applies),
                format!("no Flux Kustomization here applies {layer}"),
            );
        if let Some(x) = example {
            d = d.note(
                x.path_span,
                format!("{} applies ./{} here", envs[x.env].name, x.rel),
            );
        }
        let help = match &own {
            Some(p) => format!(
                "{p} is there but no Flux Kustomization of {} applies it: add one with `path: \
                 ./{p}` (like the other clusters'), or remove {p} if {} should not run {layer}",
                e.cluster_display, e.name
            ),
            None => format!(
                "add a Flux Kustomization for {} to {} like the other clusters', or declare why \
                 {} runs without {layer} (a policy `exclude`)",
                layer.replace("<env>", &e.name),
                e.cluster_display,
                e.name
            ),
        };
        out.push(d.help(help));
        reported.insert((env, layer.to_string()));
    }
    reported
}

/// Per-environment directories of a layer that no cluster applies.
fn unapplied_dirs(
    ctx: &Ctx,
    applies: &[Applies],
    uncertain: &[bool],
    lacking: &HashSet<(usize, String)>,
    out: &mut Vec<Diagnostic>,
) {
    let envs = &ctx.repo.environments;
    let mut slots: BTreeMap<(PathBuf, PathBuf), &str> = BTreeMap::new();
    for a in applies {
        if let Some(s) = &a.slot {
            slots.entry(s.clone()).or_insert(a.layer.as_str());
        }
    }
    if slots.is_empty() {
        return;
    }
    // what any environment reached: the directories its units render (a kustomization read
    // while rendering is in the source map), and the directories it could not render
    let mut reached: Vec<PathBuf> = Vec::new();
    let mut unknown: Vec<PathBuf> = Vec::new();
    for e in envs {
        for (i, u) in e.units.iter().enumerate() {
            let failed = u.skipped.is_some() || e.failures.iter().any(|f| f.unit == i);
            match &u.dir {
                Some(d) => {
                    reached.push(d.clone());
                    if failed {
                        unknown.push(d.clone());
                    }
                }
                None => unknown.push(ctx.repo.root.join(u.path.trim_start_matches("./"))),
            }
        }
    }
    for ((holder, rest), layer) in slots {
        let Ok(rd) = std::fs::read_dir(&holder) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .flatten()
            .filter(|d| d.path().is_dir())
            .map(|d| d.file_name().to_string_lossy().into_owned())
            .filter(|n| env_like(ctx, n))
            .collect();
        names.sort();
        for n in names {
            let dir = holder.join(&n).join(&rest);
            let Some(kfile) = KUSTOMIZATION_FILES
                .iter()
                .map(|f| dir.join(f))
                .find(|p| p.is_file())
            else {
                continue;
            };
            let is_reached = ctx.repo.sources.find(&kfile).is_some()
                || reached.iter().any(|r| r.starts_with(&dir))
                || unknown
                    .iter()
                    .any(|u| dir.starts_with(u) || u.starts_with(&dir));
            if is_reached {
                continue;
            }
            // the environment it is named for lacks the layer (reported as such), applies it from
            // another directory (the isolation rule's business, or a choice), or applies
            // something fluxlint could not read; a directory that only shares a role word with an
            // environment (`preprod` beside `staging`) is still reported
            if envs.iter().enumerate().any(|(i, e)| {
                (names_env(e, &n) && (uncertain[i] || lacking.contains(&(i, layer.to_string()))))
                    || (e.is_named(&n) && applies.iter().any(|a| a.env == i && a.layer == layer))
            }) {
                continue;
            }
            let shown = rel(ctx, &dir);
            let appliers: Vec<&str> = {
                let mut v: Vec<&str> = applies
                    .iter()
                    .filter(|a| a.layer == layer)
                    .map(|a| envs[a.env].name.as_str())
                    .collect();
                v.dedup();
                v
            };
            let span = file_span(ctx, &kfile);
            out.push(
                ctx.diag(format!(
                    "{shown} is applied by no cluster: no environment's Flux Kustomization reaches \
                     it ({layer} is applied by {})",
                    list(&appliers)
                ))
                .at(span, "no cluster applies this kustomization")
                .help(format!(
                    "point the cluster of the environment it is for at ./{shown} (a Flux \
                     Kustomization with `path: ./{shown}`), or delete {shown} if nothing deploys it"
                )),
            );
        }
    }
}

/// One warning when a role of the spec's three has no environment, and one info naming the
/// environments without a role.
fn roles(ctx: &Ctx, applies: &[Applies], out: &mut Vec<Diagnostic>) {
    let envs = &ctx.repo.environments;
    let p = |k: &str| ctx.policy.param(k);
    let wanted: Vec<Role> = string_list(p("roles").or_else(|| p("environments")))
        .map(|v| v.iter().filter_map(|s| Role::parse(s)).collect())
        .unwrap_or_else(|| Role::ALL.to_vec());
    let have: BTreeSet<Role> = envs.iter().filter_map(|e| e.role).collect();
    if let Some(first) = envs.iter().position(|e| e.role.is_some()) {
        let missing: Vec<Role> = wanted
            .iter()
            .copied()
            .filter(|r| !have.contains(r))
            .collect();
        if !missing.is_empty() {
            let e = &envs[first];
            let parent = e.cluster_dir.parent().unwrap_or(&ctx.repo.root);
            let dirs: Vec<String> = missing
                .iter()
                .map(|r| rel(ctx, &parent.join(r.as_str())))
                .collect();
            let names: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
            let found: Vec<&str> = Role::ALL
                .iter()
                .filter(|r| have.contains(r))
                .map(|r| r.as_str())
                .collect();
            let dir_list: Vec<&str> = dirs.iter().map(String::as_str).collect();
            let mut d = ctx
                .diag(format!(
                    "no {} environment: no cluster directory such as {} and no environment with \
                     that role (roles found: {})",
                    names.join(" or "),
                    joined(&dir_list, "or"),
                    found.join(", ")
                ))
                .at(
                    anchor(ctx, first, applies),
                    "the environments are found from here",
                )
                .help(format!(
                    "add the {} cluster{} ({}), or give an existing environment the role in \
                     fluxlint.yaml (`roles: {{{}: [<name>]}}`)",
                    names.join(" and "),
                    if names.len() == 1 { "" } else { "s" },
                    list(&dir_list),
                    names[0]
                ));
            if let Some(m) = dirs.first() {
                d = d.missing(m.clone());
            }
            d.severity = d.severity.min(Severity::Warning);
            out.push(d);
        }
    }
    let roleless: Vec<usize> = (0..envs.len())
        .filter(|&i| envs[i].role.is_none())
        .collect();
    if let Some(&first) = roleless.first() {
        let names: Vec<&str> = roleless.iter().map(|&i| envs[i].name.as_str()).collect();
        let mut d = ctx
            .diag(if names.len() == 1 {
                format!(
                    "environment {} has no role (dev, staging or production): the rules for a \
                     role do not apply to it",
                    names[0]
                )
            } else {
                format!(
                    "environments {} have no role (dev, staging or production): the rules for a \
                     role do not apply to them",
                    list(&names)
                )
            })
            .at(anchor(ctx, first, applies), "")
            .help(format!(
                "set a role in fluxlint.yaml: `roles: {{production: [{}]}}` (a name glob per \
                 role), or `role:` on a declared environment",
                names.join(", ")
            ));
        d.severity = Severity::Info;
        out.push(d);
    }
}

/// The tag or semver refs of the sources that deploy this repository to staging and production.
fn tag_refs(e: &Environment) -> Vec<(Span, String)> {
    let mut sources: Vec<&Applied> = e.feeding_source().into_iter().collect();
    for u in cluster_units(e) {
        let u = &e.units[u];
        if u.dir.is_some()
            && u.mapped.is_none()
            && u.skipped.is_none()
            && let Some(s) = u.source.and_then(|s| e.objects.get(s))
            && !sources.iter().any(|x| std::ptr::eq(*x, s))
        {
            sources.push(s);
        }
    }
    let mut out = Vec::new();
    for s in sources {
        let r = &s.resource;
        if !matches!(r.kind(), "GitRepository" | "OCIRepository") {
            continue;
        }
        for key in ["tag", "semver"] {
            if let Some(n) = r.node.get_path(&["spec", "ref", key]) {
                let value = n.as_str().unwrap_or_default();
                out.push((
                    n.span(),
                    format!("{} {} ref.{key}: {value}", r.kind(), r.name()),
                ));
            }
        }
    }
    out
}

/// Promotion documentation, where the repository promotes by tags.
fn promotion(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let docs: Vec<String> = string_list(ctx.policy.param("promotionDocs")).unwrap_or_else(|| {
        ["docs/PROMOTION.md", "PROMOTION.md", "docs/promotion.md"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    let mut tags: Vec<(&Environment, Span, String)> = Vec::new();
    for e in &ctx.repo.environments {
        if matches!(e.role, Some(Role::Staging | Role::Production)) {
            for (span, what) in tag_refs(e) {
                tags.push((e, span, what));
            }
        }
    }
    let Some((first_env, first_span, first_what)) = tags.first() else {
        return;
    };
    let root = &ctx.repo.root;
    if docs.iter().any(|d| has_text(&root.join(d))) {
        return;
    }
    // documented elsewhere: a README or a docs/ page that tells how to roll back, and speaks of
    // promotion or tags (or names the tag an environment follows)
    let refs: Vec<String> = tags
        .iter()
        .filter_map(|(_, span, _)| {
            let f = ctx.repo.sources.get(span.file)?;
            let t = f.text.get(span.start as usize..span.end as usize)?;
            Some(t.trim().trim_matches(['"', '\'']).to_lowercase())
        })
        .filter(|t| t.len() > 2)
        .collect();
    if documented_elsewhere(root, &refs) {
        return;
    }
    let mut promoted: Vec<&str> = tags.iter().map(|(e, _, _)| e.name.as_str()).collect();
    promoted.dedup();
    let why = format!(
        "{} deploy{} by tag ({first_what})",
        list(&promoted),
        if promoted.len() == 1 { "s" } else { "" }
    );
    let help = format!(
        "write {} describing how a change is promoted: the tag names for each environment, \
         validation steps, approvals and rollback",
        docs.first()
            .map(String::as_str)
            .unwrap_or("docs/PROMOTION.md")
    );
    let empty = docs.iter().find(|d| root.join(d).is_file());
    let mut d = match empty {
        Some(doc) => ctx
            .diag(format!("promotion documentation {doc} is empty, and {why}"))
            .at(file_span(ctx, &root.join(doc)), "empty")
            .note(
                *first_span,
                format!("{} is synced by tag here", first_env.name),
            ),
        None => ctx
            .diag(format!(
                "no promotion documentation: {why}, expected one of {} with content",
                docs.join(", ")
            ))
            .at(*first_span, format!("{} is synced by tag", first_env.name))
            .missing(
                docs.first()
                    .cloned()
                    .unwrap_or_else(|| "docs/PROMOTION.md".into()),
            ),
    };
    for (e, span, _) in tags.iter().skip(1) {
        d = d.note(*span, format!("{} is synced by tag here", e.name));
    }
    out.push(d.help(help));
}

/// Does `README.md` or a Markdown page directly in `docs/` describe promotion and rollback?
fn documented_elsewhere(root: &Path, tag_values: &[String]) -> bool {
    let mut pages = vec![root.join("README.md"), root.join("readme.md")];
    if let Ok(rd) = std::fs::read_dir(root.join("docs")) {
        let mut more: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        more.sort();
        pages.extend(more);
    }
    pages.iter().any(|p| {
        let Ok(meta) = std::fs::metadata(p) else {
            return false;
        };
        if !meta.is_file() || meta.len() > 1 << 20 {
            return false;
        }
        let Ok(text) = std::fs::read_to_string(p) else {
            return false;
        };
        let t = text.to_lowercase();
        let rollback = ["rollback", "roll back", "rolling back", "rolled back"]
            .iter()
            .any(|w| t.contains(w));
        rollback
            && (t.contains("promot")
                || t.contains("tag")
                || tag_values.iter().any(|v| t.contains(v.as_str())))
    })
}

/// A file with something other than whitespace in it.
fn has_text(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| !t.trim().is_empty())
}
