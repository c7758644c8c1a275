//! The plan of a new repository (`fluxlint init`): what each environment follows and runs, read
//! from the active policies, and the files that realise it (modelled on `fixtures/example`).

use crate::policy::glob_match;
use crate::yaml::Node;

use super::Active;
use super::tag::{Convention, conventions};
use crate::rules::source_ref::Expect;

/// What one environment's sources follow.
#[derive(Clone, Debug, PartialEq)]
pub enum Follow {
    Branch(String),
    /// The tag the scaffold pins first.
    Tag(String),
}

/// Requests and limits of every container in an environment: millicores and MiB.
#[derive(Clone, Copy, Debug)]
pub struct Tier {
    pub req_cpu: u64,
    pub req_mem: u64,
    pub lim_cpu: u64,
    pub lim_mem: u64,
}

/// Sizes by position in the promotion order (the last environment gets the largest it reaches).
const TIERS: [Tier; 4] = [
    Tier {
        req_cpu: 100,
        req_mem: 128,
        lim_cpu: 200,
        lim_mem: 256,
    },
    Tier {
        req_cpu: 250,
        req_mem: 256,
        lim_cpu: 500,
        lim_mem: 512,
    },
    Tier {
        req_cpu: 500,
        req_mem: 512,
        lim_cpu: 1000,
        lim_mem: 1024,
    },
    Tier {
        req_cpu: 1000,
        req_mem: 1024,
        lim_cpu: 2000,
        lim_mem: 2048,
    },
];

#[derive(Clone, Debug)]
pub struct EnvPlan {
    pub name: String,
    pub follow: Follow,
    pub interval: String,
    pub replicas: u64,
    pub tier: Tier,
}

pub struct Plan {
    pub envs: Vec<EnvPlan>,
    /// The tag conventions: the source-ref policy's, plus `<env>-v<semver>` for each environment
    /// after the first that it does not cover.
    pub conventions: Vec<Convention>,
    /// The repository's own source-ref policy, when environments were added to it.
    pub source_ref_policy: Option<String>,
    pub apps: Vec<String>,
    pub namespace: String,
    pub git_url: String,
    pub registry: String,
    /// Layers besides apps and infrastructure that the structure policy asks for.
    pub extra_layers: Vec<String>,
    /// Where the promotion document goes.
    pub promotion_doc: String,
    /// (name, value with `{environment}`) of the variables every container gets.
    pub variables: Vec<(String, String)>,
    /// The Alert's eventSeverity and the kinds among its sources.
    pub alert_severity: String,
    pub alert_kinds: Vec<String>,
}

impl Plan {
    pub fn new(
        active: &Active,
        envs: &[String],
        apps: &[String],
        namespace: &str,
        git_url: &str,
        registry: &str,
    ) -> Plan {
        let mut convs = conventions(active);
        let uncovered: Vec<&String> = envs
            .iter()
            .skip(1)
            .filter(|e| convention_for(&convs, e).is_none())
            .collect();
        let source_ref_policy = (!uncovered.is_empty())
            .then(|| with_conventions(active, &uncovered))
            .flatten();
        if source_ref_policy.is_some() {
            for e in uncovered {
                convs.push(Convention {
                    env: e.clone(),
                    expect: Expect::Tag {
                        glob: format!("{e}-v*"),
                        semver: true,
                        prerelease: true,
                    },
                });
            }
        }
        let n = envs.len();
        let envs = envs
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let follow = follow(&convs, name, i);
                let interval = interval(active, name, &follow, i + 1 == n);
                let default = match i {
                    0 => 1,
                    _ if i + 1 == n => 3,
                    _ => 2,
                };
                let tier = if i + 1 == n {
                    TIERS[(n - 1).clamp(1, TIERS.len() - 1)]
                } else {
                    TIERS[i.min(TIERS.len() - 1)]
                };
                EnvPlan {
                    name: name.clone(),
                    replicas: replicas(active, name, default),
                    follow,
                    interval,
                    tier,
                }
            })
            .collect();
        let strs = |id: &str, key: &str| {
            crate::flux::objects::str_list(active.param(id, key)).unwrap_or_default()
        };
        let extra_layers = strs("structure", "layers")
            .into_iter()
            .filter(|l| l != "apps" && l != "infrastructure")
            .collect();
        let promotion_doc = strs("structure", "promotionDocs")
            .into_iter()
            .next()
            .unwrap_or_else(|| "docs/PROMOTION.md".to_string());
        // an empty list (the default: env-vars derives what is injected per environment) still
        // scaffolds the spec's APP_ENV in every overlay, which the derived check then follows
        let variables = match active
            .param("env-vars", "variables")
            .and_then(Node::as_seq)
            .filter(|items| !items.is_empty())
        {
            Some(items) => items
                .iter()
                .filter_map(|v| {
                    Some((
                        v.str_at(&["name"])?.to_string(),
                        v.get("value")?.scalar_string()?,
                    ))
                })
                .collect(),
            None => vec![("APP_ENV".to_string(), "{environment}".to_string())],
        };
        let alert_severity = active
            .param("alerts", "eventSeverity")
            .and_then(Node::as_str)
            .unwrap_or("info")
            .to_string();
        let mut alert_kinds = vec!["GitRepository".to_string()];
        for k in strs("alerts", "sourceKinds") {
            if !alert_kinds.contains(&k) {
                alert_kinds.push(k);
            }
        }
        if !alert_kinds.iter().any(|k| k == "Kustomization") {
            alert_kinds.push("Kustomization".to_string());
        }
        Plan {
            envs,
            conventions: convs,
            source_ref_policy,
            apps: apps.to_vec(),
            namespace: namespace.to_string(),
            git_url: git_url.to_string(),
            registry: registry.trim_end_matches('/').to_string(),
            extra_layers,
            promotion_doc,
            variables,
            alert_severity,
            alert_kinds,
        }
    }
}

/// The active source-ref policy's text with a `<env>-v<semver>` tag convention for each of `envs`
/// (first in `byEnvironment`, where the first match wins); `None` when its layout is unexpected.
fn with_conventions(active: &Active, envs: &[&String]) -> Option<String> {
    let p = active.get("source-ref")?;
    let file = active.sources.get(p.span.file)?;
    let text = file.text.get(p.span.start as usize..p.span.end as usize)?;
    let mut out = format!(
        "# The source-ref policy with tag conventions for {} (added by fluxlint init).\n",
        envs.iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut found = false;
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if !found && line.trim_end().ends_with("byEnvironment:") && line.trim() == "byEnvironment:"
        {
            found = true;
            let indent = line.len() - line.trim_start().len() + 2;
            for e in envs {
                out.push_str(&format!(
                    "{:indent$}{e}: {{tag: \"{e}-v*\", semver: true, prerelease: true}}\n",
                    ""
                ));
            }
        }
    }
    found.then_some(out)
}

/// The first convention whose environment glob matches (the source-ref policy's own rule).
pub fn convention_for<'a>(convs: &'a [Convention], env: &str) -> Option<&'a Convention> {
    convs.iter().find(|c| glob_match(&c.env, env))
}

fn follow(convs: &[Convention], env: &str, index: usize) -> Follow {
    match convention_for(convs, env) {
        Some(c) => match c.branch() {
            Some(b) if glob_match(b, "main") => Follow::Branch("main".to_string()),
            Some(b) => Follow::Branch(b.replace(['*', '?', '[', ']', '{', '}'], "")),
            None => Follow::Tag(
                c.example("0.1.0")
                    .unwrap_or_else(|| format!("{env}-v0.1.0")),
            ),
        },
        None if index == 0 => Follow::Branch("main".to_string()),
        None => Follow::Tag(format!("{env}-v0.1.0")),
    }
}

fn entry<'a>(active: &'a Active, id: &str, env: &str) -> Option<&'a Node> {
    active
        .param(id, "byEnvironment")?
        .as_map()?
        .iter()
        .find(|(k, _)| glob_match(k, env))
        .map(|(_, v)| v)
}

/// The interval policy's bound for the environment, else 1m for a branch, 10m for the last
/// environment, 5m between.
fn interval(active: &Active, env: &str, follow: &Follow, last: bool) -> String {
    if let Some(max) = entry(active, "interval", env).and_then(|e| e.get("max")?.scalar_string()) {
        return max;
    }
    match (follow, last) {
        (Follow::Branch(_), _) => "1m",
        (Follow::Tag(_), true) => "10m",
        (Follow::Tag(_), false) => "5m",
    }
    .to_string()
}

fn replicas(active: &Active, env: &str, default: u64) -> u64 {
    let Some(e) = entry(active, "replicas", env) else {
        return default;
    };
    let num = |k: &str| e.get(k).and_then(Node::as_i64).map(|n| n.max(0) as u64);
    if let Some(n) = num("exactly") {
        return n;
    }
    let mut r = default;
    if let Some(min) = num("min") {
        r = r.max(min);
    }
    if let Some(max) = num("max") {
        r = r.min(max);
    }
    r
}

/// `500m`, or `"2"` for whole cores (quoted: a quota or limit value is a string).
pub fn cpu(m: u64) -> String {
    if m.is_multiple_of(1000) {
        format!("\"{}\"", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// `512Mi`, or `2Gi` for whole GiB.
pub fn mem(mi: u64) -> String {
    if mi.is_multiple_of(1024) {
        format!("{}Gi", mi / 1024)
    } else {
        format!("{mi}Mi")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_follows_the_policies() {
        let active = super::super::load(None).unwrap_or_else(|e| panic!("{}", e.message));
        let envs: Vec<String> = ["dev", "staging", "production"].map(String::from).into();
        let p = Plan::new(&active, &envs, &["web".into()], "apps", "u", "r/");
        assert_eq!(p.envs[0].follow, Follow::Branch("main".into()));
        assert_eq!(p.envs[1].follow, Follow::Tag("staging-v0.1.0".into()));
        assert_eq!(p.envs[2].follow, Follow::Tag("prod-v0.1.0".into()));
        assert_eq!(p.envs[0].interval, "1m");
        let reps: Vec<u64> = p.envs.iter().map(|e| e.replicas).collect();
        assert_eq!(reps, [1, 2, 3]);
        assert_eq!(p.promotion_doc, "docs/PROMOTION.md");
        assert_eq!(p.variables, [("APP_ENV".into(), "{environment}".into())]);
        assert_eq!(p.registry, "r");
        assert_eq!(
            (cpu(1500), cpu(2000), mem(1536), mem(2048)),
            (
                "1500m".into(),
                "\"2\"".into(),
                "1536Mi".into(),
                "2Gi".into()
            )
        );
    }
}
