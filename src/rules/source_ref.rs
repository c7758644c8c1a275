//! `source-ref`: every source that feeds an environment follows what its promotion policy says —
//! dev tracks `branch: main`; staging and production pin a release tag (`staging-v<semver>`,
//! `prod-v<semver>`). Branches, semver ranges, commits and digests are refused where a tag is
//! required; tags, ranges and commits where a branch is. See `policies/source-ref.yaml`.

use crate::diagnostic::Diagnostic;
use crate::flux::objects::{self, RefKind, SOURCE_KINDS, Source};
use crate::policy::glob_match;
use crate::yaml::Node;

use super::{Builtin, Ctx, Scope};

pub const BUILTIN: Builtin = Builtin {
    name: "source-ref",
    scope: Scope::Env,
    resources: true,
    run: check,
};

/// What an environment's sources must follow (one `byEnvironment` entry). Public for
/// `fluxlint tag`, which reads the same entries.
pub enum Expect {
    Branch(String),
    Tag {
        glob: String,
        semver: bool,
        prerelease: bool,
    },
}

impl Expect {
    pub fn from_node(n: &Node) -> Option<Expect> {
        if let Some(b) = n.str_at(&["branch"]) {
            return Some(Expect::Branch(b.to_string()));
        }
        Some(Expect::Tag {
            glob: n.str_at(&["tag"])?.to_string(),
            semver: n.get("semver").and_then(Node::as_bool).unwrap_or(false),
            prerelease: n.get("prerelease").and_then(Node::as_bool).unwrap_or(true),
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Expect::Branch(b) => format!("ref.branch '{b}'"),
            Expect::Tag { glob, semver, .. } => {
                let shown = match (semver, glob.rfind('*')) {
                    (true, Some(i)) => format!("{}<semver>{}", &glob[..i], &glob[i + 1..]),
                    _ => glob.clone(),
                };
                format!("ref.tag matching '{shown}'")
            }
        }
    }

    /// `None` when `value` (of a ref of `kind`) satisfies this; else why not (possibly empty).
    pub fn refuses(&self, kind: RefKind, value: &str) -> Option<String> {
        match (self, kind) {
            (Expect::Branch(b), RefKind::Branch) => (!glob_match(b, value)).then(String::new),
            (
                Expect::Tag {
                    glob,
                    semver,
                    prerelease,
                },
                RefKind::Tag,
            ) => {
                if !glob_match(glob, value) {
                    return Some(String::new());
                }
                let version = semver.then(|| version_part(glob, value)).flatten()?;
                match semver::Version::parse(version) {
                    Err(_) => Some(format!(" ('{version}' is not a semantic version)")),
                    Ok(v) if !prerelease && !v.pre.is_empty() => {
                        Some(format!(" ('{version}' is a pre-release)"))
                    }
                    Ok(_) => None,
                }
            }
            _ => Some(String::new()),
        }
    }
}

/// The text the glob's last `*` matches: after the shortest head that matches what precedes it,
/// before the literal tail that follows it.
fn version_part<'t>(glob: &str, tag: &'t str) -> Option<&'t str> {
    let star = glob.rfind('*')?;
    let (head, tail) = (&glob[..star], &glob[star + 1..]);
    let end = tag.strip_suffix(tail).map_or(tag.len(), str::len);
    (0..=end)
        .filter(|&i| tag.is_char_boundary(i))
        .find(|&i| glob_match(head, &tag[..i]))
        .map(|i| &tag[i..end])
}

fn check(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(env) = ctx.env else {
        return Vec::new();
    };
    let Some(entry) = objects::env_entry(ctx.policy.param("byEnvironment"), env) else {
        return Vec::new();
    };
    let Some(expect) = Expect::from_node(entry) else {
        return Vec::new();
    };
    let kinds = objects::str_list(entry.get("kinds"))
        .or_else(|| objects::str_list(ctx.policy.param("kinds")))
        .unwrap_or_else(|| SOURCE_KINDS.iter().map(|k| k.to_string()).collect());
    let feeds = objects::feeding_sources(env);
    let mut out = Vec::new();
    for (k, r) in &feeds.unresolved {
        if kinds.contains(&r.kind) {
            let d = ctx
                .diag(format!(
                    "Flux Kustomization '{}' applies from {} '{}', which is not defined in namespace '{}' of {}",
                    k.0.name(), r.kind, r.name, r.namespace, env.name
                ))
                .at_node(r.name_node, "no such source")
                .help("define the source in the environment's cluster directory, or fix sourceRef");
            out.push(k.0.annotate(d));
        }
    }
    if let Some(imp) = feeds.implicit
        && kinds.contains(&imp.kind)
    {
        // what the cluster follows is set where the source is made (bootstrap flags, Terraform):
        // say so once rather than guess
        let mut d = ctx
            .diag(format!(
                "the ref {} follows is not checked: its source {} is not in git",
                env.name,
                imp.display()
            ))
            .at(imp.span, "applies from it")
            .help(format!(
                "{} expects {}; to check it, commit the source (flux bootstrap writes it to flux-system/gotk-sync.yaml)",
                env.name,
                expect.describe()
            ));
        d.severity = crate::diagnostic::Severity::Info;
        out.push(d);
    }
    for s in feeds
        .sources
        .iter()
        .filter(|s| kinds.iter().any(|k| k == s.0.kind()))
    {
        out.extend(check_source(ctx, &expect, s));
    }
    out
}

fn check_source(ctx: &Ctx, expect: &Expect, s: &Source) -> Vec<Diagnostic> {
    let help = match expect {
        Expect::Branch(b) => {
            format!("track the branch: set `ref: {{branch: {b}}}` and nothing else")
        }
        Expect::Tag { .. } => format!(
            "pin a release tag: set only `ref.tag` to a tag matching {}",
            expect.describe().trim_start_matches("ref.tag matching ")
        ),
    };
    let (kind, name) = (s.0.kind(), s.0.name());
    let mut out = Vec::new();
    let fields = s.ref_fields();
    for f in &fields {
        let (k, v) = f.follows();
        if let Some(why) = expect.refuses(k, &v) {
            let d = ctx
                .diag(format!(
                    "{kind} '{name}' follows ref.{} '{}', expected {}{why}",
                    f.field,
                    f.value,
                    expect.describe()
                ))
                .at_node(f.node, "set here")
                .help(help.clone());
            out.push(s.0.annotate(d));
        }
    }
    if fields.is_empty() {
        let default = match s.effective() {
            Some(e) => format!(" (flux follows {} '{}')", e.kind.as_str(), e.value),
            None => String::new(),
        };
        let d = ctx
            .diag(format!(
                "{kind} '{name}' sets no ref{default}, expected {}",
                expect.describe()
            ))
            .at_node(s.ref_node().unwrap_or(s.0.name_node()), "no ref")
            .help(help);
        out.push(s.0.annotate(d));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(glob: &str, prerelease: bool) -> Expect {
        Expect::Tag {
            glob: glob.into(),
            semver: true,
            prerelease,
        }
    }

    #[test]
    fn tags_are_glob_then_semver() {
        let e = tag("staging-v*", true);
        assert_eq!(e.refuses(RefKind::Tag, "staging-v1.4.0"), None);
        assert_eq!(e.refuses(RefKind::Tag, "staging-v1.5.0-rc.1"), None);
        assert_eq!(e.refuses(RefKind::Tag, "staging-v1.5.0+build.7"), None);
        assert!(e.refuses(RefKind::Tag, "staging-v1.2").is_some());
        assert!(e.refuses(RefKind::Tag, "staging-v01.2.3").is_some());
        assert_eq!(e.refuses(RefKind::Tag, "prod-v1.0.0"), Some(String::new()));
        assert!(e.refuses(RefKind::Branch, "staging-v1.0.0").is_some());
        assert!(
            tag("prod-v*", false)
                .refuses(RefKind::Tag, "prod-v1.0.0-rc.1")
                .is_some()
        );
        assert_eq!(e.describe(), "ref.tag matching 'staging-v<semver>'");
        assert_eq!(version_part("*-v*", "team-v1.0.0-v2"), Some("1.0.0-v2"));
        assert_eq!(version_part("v*-final", "v1.2.3-final"), Some("1.2.3"));
    }

    #[test]
    fn branches_are_globs() {
        let e = Expect::Branch("main".into());
        assert_eq!(e.refuses(RefKind::Branch, "main"), None);
        assert!(e.refuses(RefKind::Branch, "develop").is_some());
        assert!(e.refuses(RefKind::Tag, "main").is_some());
    }
}
