//! `schema`: every rendered object of every environment is valid against its schema — a
//! CustomResourceDefinition the repository renders, else the built-in Flux schemas, else the
//! built-in Kubernetes schemas — strictly: unknown fields (with the nearest valid name), types,
//! enums, required fields, int-or-string, quantities, Flux durations, int32 bounds. A finding
//! points at the node where the value was written (a base, a patch, a postBuild value); the
//! same finding in several environments is one finding. Kinds without any schema are said
//! once each, at info. See `policies/schema.yaml`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};

use crate::flux::deprecations;
use crate::flux::{Applied, Environment, path_span, resource_id};
use crate::schema::crd::{self, CrdVersion};
use crate::schema::{self, Judge, Problem};

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "schema",
    scope: Scope::Repo,
    resources: true,
    run: check,
};

const CRD_API: &str = "apiextensions.k8s.io/v1";

/// The CRDs an environment renders, by `group/version/Kind`.
fn crds_of(env: &Environment) -> HashMap<String, Arc<CrdVersion>> {
    let mut out = HashMap::new();
    for a in &env.objects {
        let r = &a.resource;
        if r.kind() == "CustomResourceDefinition" && r.api_version() == CRD_API {
            for v in crd::versions(&r.node) {
                out.entry(v.key.clone()).or_insert_with(|| Arc::new(v));
            }
        }
    }
    out
}

/// What became of one object.
enum Outcome {
    Checked(Vec<Problem>, Judge),
    NoSchema,
    Skipped,
}

fn judge_one(
    a: &Applied,
    env: &Environment,
    own: &HashMap<String, Arc<CrdVersion>>,
    all: &HashMap<String, Arc<CrdVersion>>,
) -> Outcome {
    let r = &a.resource;
    let (api, kind) = (r.api_version(), r.kind());
    if api.is_empty() || kind.is_empty() {
        return Outcome::Skipped;
    }
    let key = if api.contains('/') {
        format!("{api}/{kind}")
    } else {
        format!("/{api}/{kind}")
    };
    let skip = |n: &crate::yaml::Node| env.is_unresolved(n);
    if let Some(v) = own.get(&key).or_else(|| all.get(&key)) {
        return match &v.compiled {
            Some(c) => Outcome::Checked(schema::validate(c, &r.node, &skip), v.judge.clone()),
            None => Outcome::NoSchema,
        };
    }
    match schema::bundle().get(api, kind) {
        Some((c, judge)) => Outcome::Checked(schema::validate(c, &r.node, &skip), judge.clone()),
        // an API version that is deprecated or removed is the deprecated-api rule's finding
        None if {
            let (group, version) = r.group_version();
            deprecations::find(group, version, kind).is_some()
        } =>
        {
            Outcome::Skipped
        }
        None => Outcome::NoSchema,
    }
}

/// Whether an apiVersion is in a group the bundled Kubernetes serves (Gateway API and other
/// `*.k8s.io` groups come from CRDs).
fn is_kubernetes_group(api: &str) -> bool {
    let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    schema::bundle().has_kubernetes_group(group)
}

struct Found<'a> {
    problem: Problem,
    judge: Judge,
    envs: Vec<&'a str>,
    applied: &'a Applied,
    env: &'a Environment,
}

struct Unjudged<'a> {
    count: usize,
    envs: Vec<&'a str>,
    first: &'a Applied,
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let repo = ctx.repo;
    let own: Vec<HashMap<String, Arc<CrdVersion>>> =
        repo.environments.par_iter().map(crds_of).collect();
    let mut all: HashMap<String, Arc<CrdVersion>> = HashMap::new();
    for m in &own {
        for (k, v) in m {
            all.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let outcomes: Vec<(usize, usize, Outcome)> = repo
        .environments
        .par_iter()
        .enumerate()
        .flat_map(|(ei, env)| {
            let own = &own[ei];
            let all = &all;
            env.objects
                .par_iter()
                .enumerate()
                .map(move |(oi, a)| (ei, oi, judge_one(a, env, own, all)))
        })
        .collect();

    // the same problem at the same place in several environments is one finding
    let mut found: BTreeMap<(u32, u32, u32, String), Found> = BTreeMap::new();
    let mut unjudged: BTreeMap<String, Unjudged> = BTreeMap::new();
    // the CRD versions that judged some object (only their unevaluated rules are worth saying)
    let mut used: HashSet<(String, String)> = HashSet::new();
    for (ei, oi, outcome) in outcomes {
        let env = &repo.environments[ei];
        let a = &env.objects[oi];
        match outcome {
            Outcome::Skipped => {}
            Outcome::NoSchema => {
                let key = format!("{} {}", a.resource.api_version(), a.resource.kind());
                let u = unjudged.entry(key).or_insert(Unjudged {
                    count: 0,
                    envs: Vec::new(),
                    first: a,
                });
                u.count += 1;
                if !u.envs.contains(&env.name.as_str()) {
                    u.envs.push(&env.name);
                }
            }
            Outcome::Checked(problems, judge) => {
                if let Judge::Crd { name, version, .. } = &judge {
                    used.insert((name.clone(), version.clone()));
                }
                for p in problems {
                    let who = format!("{} '{}'", a.resource.kind(), a.resource.name());
                    let key = (
                        p.span.file.0,
                        p.span.start,
                        p.span.end,
                        format!("{who}: {}", p.message),
                    );
                    let f = found.entry(key).or_insert(Found {
                        problem: p,
                        judge: judge.clone(),
                        envs: Vec::new(),
                        applied: a,
                        env,
                    });
                    if !f.envs.contains(&env.name.as_str()) {
                        f.envs.push(&env.name);
                    }
                }
            }
        }
    }

    let mut with_rules: Vec<&Arc<CrdVersion>> = all.values().filter(|v| v.rules > 0).collect();
    with_rules.sort_by(|a, b| a.key.cmp(&b.key));
    let n_envs = repo.environments.len();
    let mut out = Vec::new();
    for ((_, _, _, message), f) in found {
        let p = &f.problem;
        let envs = match f.envs.len() {
            1 => String::new(),
            k if k < n_envs => format!(" in {}", f.envs.join(", ")),
            _ => String::new(),
        };
        let mut d = ctx
            .diag(format!(
                "{message}{envs} ({}, by {})",
                p.pointer,
                f.judge.describe()
            ))
            .at(p.span, p.label.clone())
            .resource(resource_id(&f.applied.resource));
        if let Some(h) = &p.help {
            d = d.help(h.clone());
        }
        if let Judge::Crd { span, .. } = &f.judge {
            d = d.note(*span, "the CustomResourceDefinition that judged it");
        }
        if let [one] = f.envs.as_slice() {
            d = d.env(one);
        }
        if let Some(k) = f.env.applied_by(f.applied) {
            d = d.note(
                path_span(&k.resource),
                format!("applied by Flux Kustomization '{}'", k.resource.name()),
            );
        }
        out.push(d);
    }
    for v in with_rules {
        if let Judge::Crd {
            name,
            version,
            span,
        } = &v.judge
            && used.contains(&(name.clone(), version.clone()))
        {
            let mut d = ctx
                .diag(format!(
                    "not checked (CEL): {} transition rule{} (oldSelf) of the \
                     CustomResourceDefinition {name} ({version}); they compare an update with \
                     the object in the cluster",
                    v.rules,
                    if v.rules == 1 { "" } else { "s" }
                ))
                .at(*span, "rules not evaluated")
                .help("the API server evaluates these rules when Flux updates the objects");
            d.severity = Severity::Info;
            out.push(d);
        }
    }
    for (what, u) in unjudged {
        let r = &u.first.resource;
        let at = r
            .node
            .as_map()
            .and_then(|m| m.get("apiVersion"))
            .map(|n| n.span())
            .unwrap_or(r.doc_span);
        let objects = if u.count == 1 {
            "1 object".to_string()
        } else {
            format!("{} objects", u.count)
        };
        let (message, help) = if is_kubernetes_group(r.api_version()) {
            (
                format!(
                    "not checked (no schema): Kubernetes {} does not serve {what} ({objects} in {})",
                    schema::bundle().kubernetes,
                    u.envs.join(", ")
                ),
                "see the deprecated-api rule for the version that replaces it".to_string(),
            )
        } else {
            (
                format!(
                    "not checked (no schema): {what} ({objects} in {}); the repository renders no \
                     CustomResourceDefinition for it",
                    u.envs.join(", ")
                ),
                "render the kind's CustomResourceDefinition (e.g. vendor the chart's CRDs) to \
                 validate its objects"
                    .to_string(),
            )
        };
        let mut d = ctx
            .diag(message)
            .at(at, "no schema")
            .help(help)
            .resource(resource_id(r));
        d.severity = Severity::Info;
        out.push(d);
    }
    out
}
