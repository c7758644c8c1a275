//! `env-vars`: the variables a repository injects per environment reach every environment, with a
//! value that belongs to it.
//!
//! By default the rule derives what is injected per environment from the repository itself: it
//! compares the same workload (same kind, namespace and name, or the same before per-environment
//! renames) across the environments that apply it, and calls a variable *set per environment*
//! when an environment sets it outside the workload's own manifest (a patch in its overlay, a
//! ConfigMap of its own, a `postBuild` substitution) or with a value that differs between
//! environments. Then:
//! - an environment that lacks a variable which other environments set per environment for the
//!   same container is an error (also a container, or a workload, that only this environment
//!   has, and that lacks what its siblings get per environment);
//! - a value that names another environment (`APP_ENV=staging` in production) is an error;
//! - one of the repository's own apps that gets no variable per environment anywhere, while other
//!   apps do, is a warning.
//!
//! With `params.variables` set (a name and a value template, `{environment}` standing for the
//! environment's name), every container must get exactly those values instead. Third-party
//! workloads are out of scope unless `params.scope` is `all`; init containers are exempt unless
//! `initContainers: true`.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::flux::workloads::{
    self, Container, EnvValue, Workload, counterpart, in_policy_scope, name_node, note_applied_by,
};
use crate::flux::{Environment, Role, resource_id};
use crate::source::FileId;
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "env-vars",
    scope: Scope::Env,
    resources: true,
    run: check,
};

/// Variables that frameworks read as a build mode (`production`, `development`) rather than as
/// the environment's name: a staging that runs `NODE_ENV=production` is the convention.
const MODE_VARIABLES: &[&str] = &[
    "NODE_ENV",
    "RAILS_ENV",
    "RACK_ENV",
    "MIX_ENV",
    "FLASK_ENV",
    "ASPNETCORE_ENVIRONMENT",
    "DOTNET_ENVIRONMENT",
];

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let init = ctx
        .policy
        .param("initContainers")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    let wanted = wanted(ctx, env);
    if wanted.is_empty() {
        derived(ctx, env, init)
    } else {
        fixed(ctx, env, &wanted, init)
    }
}

// ---------------------------------------------------------------------------------------------
// `params.variables`: the exact values a team asks for.

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

fn fixed(ctx: &Ctx, env: &Environment, wanted: &[Wanted], init: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for w in workloads::workloads(env) {
        if !in_policy_scope(ctx, env, &w) {
            continue;
        }
        for c in w.containers() {
            if c.init && !init {
                continue;
            }
            for v in wanted {
                if let Some(d) = fixed_finding(ctx, env, &w, &c, v) {
                    out.push(finish(d, env, &w));
                }
            }
        }
    }
    out
}

fn finish(d: Diagnostic, env: &Environment, w: &Workload) -> Diagnostic {
    note_applied_by(d, env, w.applied).resource(resource_id(w.resource()))
}

fn fixed_finding(
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

// ---------------------------------------------------------------------------------------------
// Derived: what the repository injects per environment.

/// The same workload in one of the environments that apply it.
struct Member<'a> {
    env: &'a Environment,
    w: Workload<'a>,
}

/// Where a variable of a container comes from in one environment.
struct Origin<'a> {
    /// `None`: a reference fluxlint cannot follow (`why` says which).
    text: Option<String>,
    node: &'a Node,
    why: Option<String>,
}

/// One container of one member: its document and its variables.
struct Cell<'a> {
    container: Container<'a>,
    /// The file of the workload's own manifest.
    doc: FileId,
    vars: Vec<(String, Origin<'a>)>,
    /// An `envFrom` source that is not applied in the environment may define anything.
    opaque: bool,
}

impl<'a> Cell<'a> {
    fn get(&self, var: &str) -> Option<&Origin<'a>> {
        self.vars.iter().find(|(n, _)| n == var).map(|(_, o)| o)
    }
}

fn cell<'a>(m: &Member<'a>, name: &str, init: bool) -> Option<Cell<'a>> {
    let container =
        m.w.containers()
            .into_iter()
            .find(|c| c.name == name && c.init == init)?;
    let vars = container
        .env_names(m.env, &m.w)
        .into_iter()
        .filter_map(|n| {
            let o = match container.env_value(m.env, &m.w, &n) {
                EnvValue::Missing => return None,
                EnvValue::Value { text, node } => Origin {
                    text: Some(text),
                    node,
                    why: None,
                },
                EnvValue::Unresolved { why, node } => Origin {
                    text: None,
                    node,
                    why: Some(why),
                },
            };
            Some((n, o))
        })
        .collect();
    let opaque = container
        .node
        .get("envFrom")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .any(|src| {
            [("configMapRef", "ConfigMap"), ("secretRef", "Secret")]
                .iter()
                .any(|(field, kind)| {
                    src.get(field)
                        .and_then(|r| r.get("name")?.as_str())
                        .is_some_and(|n| m.env.lookup(kind, m.w.namespace, n).next().is_none())
                })
        });
    Some(Cell {
        doc: m.w.resource().doc_span.file,
        container,
        vars,
        opaque,
    })
}

/// A workload of this environment with its counterparts: `cells[member][container]`, the
/// containers being this environment's.
struct Group<'a> {
    members: Vec<Member<'a>>,
    /// Index of this environment's member.
    me: usize,
    cells: Vec<Vec<Option<Cell<'a>>>>,
}

impl<'a> Group<'a> {
    /// Does member `i` set `var` of container `k` per environment: outside the workload's own
    /// manifest and not from the very node another environment shares, or with a value that
    /// differs from another environment's?
    fn per_env(&self, i: usize, k: usize, var: &str) -> bool {
        let Some(cell) = &self.cells[i][k] else {
            return false;
        };
        let Some(o) = cell.get(var) else {
            return false;
        };
        let others: Vec<(&Cell, Option<&Origin>)> = (0..self.members.len())
            .filter(|&j| j != i)
            .filter_map(|j| self.cells[j][k].as_ref())
            .map(|c| (c, c.get(var)))
            .collect();
        let differs = others.iter().any(|(_, p)| {
            p.is_some_and(|p| p.text.is_some() && o.text.is_some() && p.text != o.text)
        });
        if differs {
            return true;
        }
        let span = o.node.span();
        if span.file == cell.doc {
            return false;
        }
        if others
            .iter()
            .any(|(_, p)| p.is_some_and(|p| p.node.span() == span))
        {
            return false;
        }
        // set in a file of its own: per environment when another environment sets it too (in
        // its own file), or when one that lacks it renders the same manifest
        others.iter().any(|(c, p)| p.is_some() || c.doc == cell.doc)
    }

    /// The variables member `i` sets per environment in container `k`.
    fn per_env_vars(&self, i: usize, k: usize) -> BTreeSet<String> {
        match &self.cells[i][k] {
            Some(c) => c
                .vars
                .iter()
                .filter(|(n, _)| self.per_env(i, k, n))
                .map(|(n, _)| n.clone())
                .collect(),
            None => BTreeSet::new(),
        }
    }

    /// The variables member `i` sets per environment in container `k` to a value that names its
    /// own environment (`APP_ENV=production` in production): what tells an app where it runs.
    fn identity_vars(&self, i: usize, k: usize) -> BTreeSet<String> {
        let env = self.members[i].env;
        match &self.cells[i][k] {
            Some(c) => c
                .vars
                .iter()
                .filter(|(n, o)| {
                    o.text.as_deref().is_some_and(|t| names_self(env, t)) && self.per_env(i, k, n)
                })
                .map(|(n, _)| n.clone())
                .collect(),
            None => BTreeSet::new(),
        }
    }

    /// Does any other environment have container `k`?
    fn shared(&self, k: usize) -> bool {
        (0..self.members.len()).any(|j| j != self.me && self.cells[j][k].is_some())
    }
}

/// What the derived check learnt about one workload of this environment.
struct Seen<'a> {
    group: Group<'a>,
    /// Variables this environment sets per environment to its own name (any container).
    identity: BTreeSet<String>,
    /// Does any environment set any variable of it per environment?
    any: bool,
    reported: bool,
}

fn derived(ctx: &Ctx, env: &Environment, init: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<Seen> = Vec::new();
    for w in workloads::workloads(env) {
        if !in_policy_scope(ctx, env, &w) {
            continue;
        }
        let names: Vec<(String, bool)> = w
            .containers()
            .iter()
            .filter(|c| init || !c.init)
            .map(|c| (c.name.to_string(), c.init))
            .collect();
        let mut members = Vec::new();
        let mut me = 0;
        for e in &ctx.repo.environments {
            if std::ptr::eq(e, env) {
                me = members.len();
                members.push(Member { env, w: copy(&w) });
            } else if let Some(x) = counterpart(e, &w).filter(|x| in_policy_scope(ctx, e, x)) {
                members.push(Member { env: e, w: x });
            }
        }
        let cells = members
            .iter()
            .map(|m| names.iter().map(|(n, i)| cell(m, n, *i)).collect())
            .collect();
        let group = Group { members, me, cells };
        let mut found = Vec::new();
        for k in 0..names.len() {
            found.extend(missing(ctx, &group, k));
            found.extend(names_other(ctx, &group, k));
        }
        found.extend(unshared_containers(ctx, &group));
        let identity: BTreeSet<String> = (0..names.len())
            .flat_map(|k| group.identity_vars(me, k))
            .collect();
        let any = (0..group.members.len())
            .any(|i| (0..names.len()).any(|k| !group.per_env_vars(i, k).is_empty()));
        let reported = !found.is_empty();
        out.extend(found.into_iter().map(|d| finish(d, env, &w)));
        seen.push(Seen {
            group,
            identity,
            any,
            reported,
        });
    }
    out.extend(alone_in_unit(ctx, env, &mut seen));
    out.extend(without_any(ctx, env, &seen));
    out
}

fn copy<'a>(w: &Workload<'a>) -> Workload<'a> {
    Workload {
        applied: w.applied,
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        pod_spec: w.pod_spec,
    }
}

fn whose(c: &Container, w: &Workload) -> String {
    format!("{} of {}", c.describe(), w.describe())
}

/// `dev`, `dev and staging`, `dev, staging and production`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Where a finding about a variable missing from a container points: the container's `env` list
/// where this environment's own patch wrote it, else the container's name.
fn missing_at<'n>(c: &Container<'n>, doc: FileId) -> (&'n Node, &'static str) {
    if let Some(list) = c.node.get("env").filter(|n| !n.is_null()) {
        if list.span().file != doc && !list.span().is_none() {
            return (list, "not in this list");
        }
        if let Some(e) = list
            .as_seq()
            .into_iter()
            .flatten()
            .find(|e| e.span().file != doc && !e.span().is_none())
        {
            return (e, "not in this list");
        }
    }
    (c.name_node(), "not set")
}

/// Variables other environments set per environment for container `k` that this one lacks (or
/// takes from an object it does not apply).
fn missing(ctx: &Ctx, g: &Group, k: usize) -> Vec<Diagnostic> {
    let Some(mine) = &g.cells[g.me][k] else {
        return Vec::new();
    };
    let me = &g.members[g.me];
    let mut vars: Vec<&str> = Vec::new();
    for j in (0..g.members.len()).filter(|&j| j != g.me) {
        for (n, _) in g.cells[j][k].iter().flat_map(|c| c.vars.iter()) {
            if !vars.contains(&n.as_str()) {
                vars.push(n);
            }
        }
    }
    let mut out = Vec::new();
    for var in vars {
        let own = mine.get(var);
        if own.is_some_and(|o| o.text.is_some()) || (own.is_none() && mine.opaque) {
            continue;
        }
        let setters: Vec<&str> = (0..g.members.len())
            .filter(|&j| j != g.me && g.per_env(j, k, var))
            .filter(|&j| {
                g.cells[j][k]
                    .as_ref()
                    .and_then(|c| c.get(var))
                    .is_some_and(|o| o.text.is_some())
            })
            .map(|j| g.members[j].env.name.as_str())
            .collect();
        // one environment alone setting a variable may be a feature of its own (a dev flag);
        // two that do, or one that names itself with it, make it what environments inject
        let identity = (0..g.members.len()).any(|j| {
            let m = &g.members[j];
            setters.contains(&m.env.name.as_str())
                && g.cells[j][k]
                    .as_ref()
                    .and_then(|c| c.get(var)?.text.as_deref())
                    .is_some_and(|t| names_self(m.env, t))
        });
        if setters.is_empty() || (setters.len() < 2 && !identity) {
            continue;
        }
        let c = &mine.container;
        let who = whose(c, &me.w);
        let d = match own {
            Some(o) => ctx
                .diag(format!(
                    "{var} of {who} in {} comes from {}; {} set it per environment",
                    me.env.name,
                    o.why
                        .as_deref()
                        .unwrap_or("a reference fluxlint cannot follow"),
                    and_list(&setters)
                ))
                .at_node(o.node, "cannot be checked"),
            None => {
                let (node, label) = missing_at(c, mine.doc);
                ctx.diag(format!(
                    "{who} does not set {var} in {}; {} set it per environment",
                    me.env.name,
                    and_list(&setters)
                ))
                .at_node(node, format!("{var} {label}"))
            }
        };
        out.push(d.help(format!(
            "set {var} on {who} in the {} overlay, as {} do",
            me.env.name,
            and_list(&setters)
        )));
    }
    out
}

/// The environment a value names, when it names another one than this (its name, an alias or
/// its role's word), and both have roles that differ.
fn named_env<'e>(ctx: &Ctx<'e>, env: &Environment, text: &str) -> Option<&'e Environment> {
    let t = text.trim();
    let role = env.role?;
    if t.is_empty() || names(env, t) || Role::parse(t) == Some(role) {
        return None;
    }
    ctx.repo.environments.iter().find(|x| {
        !std::ptr::eq(*x, env)
            && x.role.is_some_and(|r| r != role)
            && (names(x, t) || Role::parse(t) == x.role)
    })
}

/// Does a value name this environment (its name, an alias, its role's word)?
fn names_self(env: &Environment, t: &str) -> bool {
    let t = t.trim();
    !t.is_empty() && (names(env, t) || (env.role.is_some() && Role::parse(t) == env.role))
}

fn names(env: &Environment, t: &str) -> bool {
    env.name.eq_ignore_ascii_case(t) || env.aliases.iter().any(|a| a.eq_ignore_ascii_case(t))
}

/// Values of container `k` that name another environment: one of a lower role (a dev value in
/// production) wherever it was set, one of a higher role when this environment set it itself
/// (and not for a framework's build mode such as `NODE_ENV=production`).
fn names_other(ctx: &Ctx, g: &Group, k: usize) -> Vec<Diagnostic> {
    let Some(mine) = &g.cells[g.me][k] else {
        return Vec::new();
    };
    let me = &g.members[g.me];
    let mut out = Vec::new();
    for (var, o) in &mine.vars {
        let Some(text) = &o.text else { continue };
        let Some(x) = named_env(ctx, me.env, text) else {
            continue;
        };
        let lower = x.role < me.env.role;
        if !lower {
            // a value of a higher environment counts where this environment set it: not in the
            // manifest itself, not in a node every environment shares (a common base)
            let span = o.node.span();
            let common = (0..g.members.len())
                .filter(|&j| j != g.me)
                .filter_map(|j| g.cells[j][k].as_ref()?.get(var))
                .all(|t| t.node.span() == span);
            if MODE_VARIABLES.contains(&var.as_str()) || span.file == mine.doc || common {
                continue;
            }
        }
        let c = &mine.container;
        let who = whose(c, &me.w);
        out.push(
            ctx.diag(format!(
                "{var} of {who} is \"{}\" in {}, which names environment {}",
                text.trim(),
                me.env.name,
                x.name
            ))
            .at_node(o.node, "set here")
            .help(format!(
                "set {var} of {who} to {}'s own value in the {} overlay",
                me.env.name, me.env.name
            )),
        );
    }
    out
}

/// Containers that only this environment has (a sidecar its patch adds) and that lack what the
/// workload's other containers get per environment here.
fn unshared_containers(ctx: &Ctx, g: &Group) -> Vec<Diagnostic> {
    let n = g.cells[g.me].len();
    let siblings: BTreeSet<String> = (0..n)
        .filter(|&k| g.shared(k))
        .flat_map(|k| g.identity_vars(g.me, k))
        .collect();
    let me = &g.members[g.me];
    let mut out = Vec::new();
    for k in (0..n).filter(|&k| !g.shared(k)) {
        let Some(cell) = &g.cells[g.me][k] else {
            continue;
        };
        if cell.opaque || g.members.len() < 2 {
            continue;
        }
        for var in siblings.iter().filter(|v| cell.get(v).is_none()) {
            let who = whose(&cell.container, &me.w);
            let (node, label) = missing_at(&cell.container, cell.doc);
            out.push(
                ctx.diag(format!(
                    "{who} does not set {var} in {}; the other containers of {} get it per environment",
                    me.env.name,
                    me.w.describe()
                ))
                .at_node(node, format!("{var} {label}"))
                .help(format!(
                    "set {var} on {who} in the {} overlay",
                    me.env.name
                )),
            );
        }
    }
    out
}

/// A workload that only this environment applies, and that lacks a variable every other own
/// workload of the same Flux Kustomization (at least two) gets per environment.
fn alone_in_unit(ctx: &Ctx, env: &Environment, seen: &mut [Seen]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for i in 0..seen.len() {
        if seen[i].group.members.len() != 1 {
            continue;
        }
        let unit = seen[i].group.members[0].w.applied.unit;
        let others: Vec<&Seen> = seen
            .iter()
            .enumerate()
            .filter(|(j, s)| {
                *j != i
                    && s.group.members.len() > 1
                    && s.group.members[s.group.me].w.applied.unit == unit
            })
            .map(|(_, s)| s)
            .collect();
        if others.len() < 2 {
            continue;
        }
        let common: BTreeSet<String> = others
            .iter()
            .map(|s| s.identity.clone())
            .reduce(|a, b| a.intersection(&b).cloned().collect())
            .unwrap_or_default();
        let mut found = Vec::new();
        let g = &seen[i].group;
        let w = &g.members[0].w;
        for cell in g.cells[0].iter().flatten() {
            if cell.opaque {
                continue;
            }
            for var in common.iter().filter(|v| cell.get(v).is_none()) {
                let who = whose(&cell.container, w);
                let (node, label) = missing_at(&cell.container, cell.doc);
                found.push(finish(
                    ctx.diag(format!(
                        "{who} does not set {var} in {}; every other app that Flux Kustomization \"{}\" applies gets it per environment",
                        env.name,
                        env.unit_of(w.applied).name
                    ))
                    .at_node(node, format!("{var} {label}"))
                    .help(format!("set {var} on {who} in the {} overlay", env.name)),
                    env,
                    w,
                ));
            }
        }
        if !found.is_empty() {
            seen[i].reported = true;
        }
        out.extend(found);
    }
    out
}

/// One of the repository's own apps that no environment gives any variable per environment,
/// while other apps of this environment get some: a warning, said in the first environment
/// that applies it.
fn without_any(ctx: &Ctx, env: &Environment, seen: &[Seen]) -> Vec<Diagnostic> {
    let with: Vec<&str> = seen
        .iter()
        .filter(|s| s.any)
        .map(|s| s.group.members[s.group.me].w.name)
        .collect();
    if with.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // a workload only one environment applies has nothing to vary: not said
    for s in seen
        .iter()
        .filter(|s| !s.any && !s.reported && s.group.me == 0 && s.group.members.len() > 1)
    {
        let w = &s.group.members[s.group.me].w;
        if w.containers().is_empty() {
            continue;
        }
        let mut d = ctx.diag(format!(
            "{} gets no variable per environment, unlike {} other app{} of the repository",
            w.describe(),
            with.len(),
            if with.len() == 1 { "" } else { "s" }
        ));
        if d.severity == Severity::Error {
            d.severity = Severity::Warning;
        }
        if let Some(n) = name_node(w.resource()) {
            d = d.at_node(n, "same settings in every environment");
        }
        out.push(finish(
            d.help(format!(
                "if {} needs to know its environment, set it in each overlay as the other apps do",
                w.describe()
            )),
            env,
            w,
        ));
    }
    out
}
