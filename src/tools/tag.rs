//! `fluxlint tag TAG`: which environment a tag promotes under the active `source-ref` policy
//! (its `byEnvironment` tag globs and semver rule), or why it promotes none. Meant for a git
//! pre-push hook (see `docs/promotion.md`): exit 0 when the tag promotes an environment, 1 when
//! it promotes none, 2 on a usage or policy error.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, TagArgs};
use crate::flux::objects::RefKind;
use crate::policy::glob_match;
use crate::rules::source_ref::Expect;

use super::Active;

/// One `byEnvironment` entry of the source-ref policy: the environment (a name or a glob) and
/// what its sources follow.
pub struct Convention {
    pub env: String,
    pub expect: Expect,
}

impl Convention {
    /// The tag glob, when this environment is promoted by tags.
    pub fn tag_glob(&self) -> Option<&str> {
        match &self.expect {
            Expect::Tag { glob, .. } => Some(glob),
            Expect::Branch(_) => None,
        }
    }

    /// `staging-v<semver>` for `staging-v*` with `semver: true`.
    pub fn shown(&self) -> String {
        let d = self.expect.describe();
        let d = d
            .trim_start_matches("ref.tag matching ")
            .trim_start_matches("ref.branch ");
        d.trim_matches('\'').to_string()
    }

    /// A tag for this environment: the glob with its last `*` replaced by `version`.
    pub fn example(&self, version: &str) -> Option<String> {
        let glob = self.tag_glob()?;
        let i = glob.rfind('*')?;
        Some(format!("{}{version}{}", &glob[..i], &glob[i + 1..]).replace('*', ""))
    }

    pub fn prerelease(&self) -> bool {
        matches!(
            self.expect,
            Expect::Tag {
                prerelease: true,
                ..
            }
        )
    }

    pub fn semver(&self) -> bool {
        matches!(self.expect, Expect::Tag { semver: true, .. })
    }

    pub fn branch(&self) -> Option<&str> {
        match &self.expect {
            Expect::Branch(b) => Some(b),
            Expect::Tag { .. } => None,
        }
    }
}

/// The conventions of the active source-ref policy, in its order (empty when it is off).
pub fn conventions(active: &Active) -> Vec<Convention> {
    let Some(map) = active
        .param("source-ref", "byEnvironment")
        .and_then(|n| n.as_map())
    else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            Some(Convention {
                env: k.to_string(),
                expect: Expect::from_node(v)?,
            })
        })
        .collect()
}

/// What a tag does: the environments it promotes, or the near misses (environment, reason).
pub enum Verdict<'a> {
    Promotes(Vec<&'a Convention>),
    Rejected(Vec<(&'a Convention, String)>),
}

pub fn classify<'a>(conventions: &'a [Convention], tag: &str) -> Verdict<'a> {
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    for c in conventions {
        let Some(glob) = c.tag_glob() else { continue };
        if !glob_match(glob, tag) {
            continue;
        }
        match c.expect.refuses(RefKind::Tag, tag) {
            None => hits.push(c),
            Some(why) => {
                let why = why.trim().trim_start_matches('(').trim_end_matches(')');
                misses.push((c, why.to_string()));
            }
        }
    }
    if hits.is_empty() {
        Verdict::Rejected(misses)
    } else {
        Verdict::Promotes(hits)
    }
}

pub fn run(
    args: &TagArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let tag = args.tag.trim();
    let tag = tag.strip_prefix("refs/tags/").unwrap_or(tag);
    if tag.is_empty() {
        let _ = writeln!(stderr, "error: the tag is empty");
        return ExitCode::from(EXIT_USAGE);
    }
    let active = match super::load_for(&args.policies, color, stderr) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let conventions = conventions(&active);
    if !conventions.iter().any(|c| c.tag_glob().is_some()) {
        let _ = writeln!(
            stderr,
            "error: tag '{tag}' promotes no environment: the active source-ref policy promotes no \
             environment by tag"
        );
        return ExitCode::from(EXIT_FINDINGS);
    }
    match classify(&conventions, tag) {
        Verdict::Promotes(envs) => {
            for c in envs {
                let pre = match semver_pre(c, tag) {
                    true => ", a pre-release",
                    false => "",
                };
                let _ = writeln!(
                    stdout,
                    "tag '{tag}' promotes {} (tags matching '{}'{pre})",
                    c.env,
                    c.shown()
                );
            }
            ExitCode::from(EXIT_OK)
        }
        Verdict::Rejected(misses) => {
            let why = if misses.is_empty() {
                "it matches no environment's tag pattern".to_string()
            } else {
                misses
                    .iter()
                    .map(|(c, why)| format!("it matches '{}' of {}, but {why}", c.shown(), c.env))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = writeln!(stderr, "error: tag '{tag}' promotes no environment: {why}");
            let _ = writeln!(stderr, "expected one of:");
            let width = conventions.iter().map(|c| c.env.len()).max().unwrap_or(0);
            for c in &conventions {
                let line = match c.branch() {
                    Some(b) => format!("tracks branch '{b}' (no tag promotes it)"),
                    None => {
                        let rule = match (c.semver(), c.prerelease()) {
                            (true, true) => " (a semantic version; pre-releases allowed)",
                            (true, false) => " (a semantic version; no pre-releases)",
                            (false, _) => "",
                        };
                        let ex = c.example("1.0.0").unwrap_or_default();
                        format!("{}{rule}, e.g. {ex}", c.shown())
                    }
                };
                let _ = writeln!(stderr, "  {:width$}  {line}", c.env);
            }
            ExitCode::from(EXIT_FINDINGS)
        }
    }
}

/// Is the version part of an accepted tag a pre-release?
fn semver_pre(c: &Convention, tag: &str) -> bool {
    let Some(glob) = c.tag_glob() else {
        return false;
    };
    c.semver() && {
        let head = glob.rfind('*').map_or("", |i| &glob[..i]).replace('*', "");
        let v = tag.rsplit(head.as_str()).next().unwrap_or(tag);
        semver::Version::parse(v).is_ok_and(|v| !v.pre.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<Convention> {
        let active = super::super::load(None).unwrap_or_else(|e| panic!("{}", e.message));
        conventions(&active)
    }

    #[test]
    fn default_conventions() {
        let c = defaults();
        let envs: Vec<_> = c.iter().map(|c| c.env.as_str()).collect();
        assert_eq!(envs, ["dev", "staging", "production"]);
        assert_eq!(c[1].shown(), "staging-v<semver>");
        assert_eq!(c[2].example("1.0.0").as_deref(), Some("prod-v1.0.0"));
        assert_eq!(c[0].branch(), Some("main"));
        let promotes = |t: &str| match classify(&c, t) {
            Verdict::Promotes(v) => v.iter().map(|c| c.env.clone()).collect(),
            Verdict::Rejected(_) => Vec::new(),
        };
        assert_eq!(promotes("staging-v1.5.0"), ["staging"]);
        assert_eq!(promotes("staging-v1.5.0-rc.1"), ["staging"]);
        assert_eq!(promotes("prod-v2.0.0"), ["production"]);
        assert!(promotes("prod-v2.0").is_empty());
        assert!(promotes("v1.0.0").is_empty());
        assert!(promotes("main").is_empty());
        assert!(semver_pre(&c[1], "staging-v1.5.0-rc.1"));
        assert!(!semver_pre(&c[1], "staging-v1.5.0"));
    }
}
