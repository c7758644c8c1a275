//! Declarative policies: YAML files (the defaults in `policies/`, compiled in; a repo's own
//! `policies/` or `--policies DIR` override them by id), validated against a JSON Schema
//! (`policies/schema.json`), turned into rules. The format is documented in `docs/policies.md`.
//!
//! A policy selects environments (globs) and resources (kinds, names, namespaces, labels) and says
//! what must hold: field assertions ([`assert`]), or a built-in check with parameters.

pub mod assert;
mod build;
pub mod load;
pub mod path;
pub mod quantity;
pub mod schema;

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use globset::{GlobBuilder, GlobMatcher};

use crate::diagnostic::Severity;
use crate::kustomize::resource::Resource;
use crate::source::Span;
use crate::yaml::Node;

pub use path::Path;
pub use quantity::Quantity;

/// One policy, validated.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The rule id (kebab-case): `metadata.name`.
    pub id: String,
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Markdown: What it checks / Why it matters / Example / How to fix.
    pub description: String,
    /// Environment globs (every environment when empty).
    pub environments: Vec<String>,
    pub select: Select,
    /// What the policy leaves out (`exclude:`), same criteria; a resource any criterion of which
    /// matches is left out. `None` when unset.
    pub exclude: Option<Select>,
    pub check: Check,
    /// The policy document (for "policy clause" labels).
    pub span: Span,
}

/// Which resources a policy looks at. Empty lists match everything.
#[derive(Clone, Debug, Default)]
pub struct Select {
    /// `Deployment`, or `apps/Deployment` to name the API group too.
    pub kinds: Vec<String>,
    /// Globs.
    pub names: Vec<String>,
    /// Globs (a cluster-scoped resource has the namespace `""`).
    pub namespaces: Vec<String>,
    /// Label key → value glob; every one must match.
    pub labels: Vec<(String, String)>,
    /// Globs over the repository-relative file a resource (or, for a built-in, a finding) comes
    /// from.
    pub paths: Vec<String>,
}

/// What must hold.
#[derive(Clone, Debug)]
pub enum Check {
    /// A built-in check (`builtin: replicas`) with its parameters (`params:`, spans into the
    /// policy file; a null node when unset).
    Builtin { name: String, params: Node },
    /// Field assertions, evaluated on every selected resource.
    Assert(Vec<Assertion>),
}

/// `path` and one thing that must hold there. A policy item with several operators (`min` and `max`)
/// becomes one assertion per operator.
#[derive(Clone, Debug)]
pub struct Assertion {
    /// The path as written.
    pub path: String,
    pub parsed: Path,
    pub op: AssertOp,
    /// Custom message (optional), with `{path}`, `{value}`, `{expected}`, `{environment}`,
    /// `{kind}`, `{name}` and `{namespace}` filled in.
    pub message: Option<String>,
    /// The value a missing field stands for (`replicas` defaults to 1).
    pub default: Option<Node>,
    /// The operator in the policy file.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum AssertOp {
    Exists,
    Absent,
    /// The same YAML value (`1` and `"1"` differ); `{environment}` in a string stands for the
    /// environment's name.
    Equals(Node),
    In(Vec<Node>),
    /// A glob (globset) the value must match; `{environment}` is filled in.
    Pattern(String),
    /// Numbers or Kubernetes quantities (`500m`, `1Gi`), compared by value.
    Min(Bound),
    Max(Bound),
}

/// A `min`/`max` bound: as written, and its value.
#[derive(Clone, Debug)]
pub struct Bound {
    pub text: String,
    pub value: Quantity,
}

impl Policy {
    /// A parameter of a built-in check (`params.<key>`).
    pub fn param(&self, key: &str) -> Option<&Node> {
        match &self.check {
            Check::Builtin { params, .. } => params.get(key),
            Check::Assert(_) => None,
        }
    }

    /// Does this policy apply to an environment (by name or alias)?
    pub fn applies_to(&self, names: &[&str]) -> bool {
        if self.environments.is_empty() {
            return true;
        }
        self.environments
            .iter()
            .any(|g| names.iter().any(|n| glob_match(g, n)))
    }
}

impl Select {
    /// Has it criteria about resources (not only `paths`)?
    pub fn about_resources(&self) -> bool {
        !(self.kinds.is_empty()
            && self.names.is_empty()
            && self.namespaces.is_empty()
            && self.labels.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        !self.about_resources() && self.paths.is_empty()
    }

    /// Does the file match `paths` (every file when unset)?
    pub fn matches_path(&self, file: &str) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|g| glob_match(g, file))
    }

    /// Does a resource from `file` match every criterion?
    pub fn matches_in(&self, r: &Resource, file: &str) -> bool {
        self.matches_path(file) && self.matches(r)
    }

    /// Is a resource from `file` left out by this `exclude:`? Each criterion that is set
    /// excludes on its own: `exclude: {namespaces: [kube-system], paths: [vendor/**]}` leaves out
    /// both.
    pub fn excludes(&self, r: &Resource, file: &str) -> bool {
        (!self.kinds.is_empty() && self.kind_ok(r))
            || (!self.names.is_empty() && self.name_ok(r))
            || (!self.namespaces.is_empty() && self.namespace_ok(r))
            || (!self.labels.is_empty() && self.labels_ok(r))
            || (!self.paths.is_empty() && self.matches_path(file))
    }

    /// Does a resource match every criterion (`paths` aside)?
    pub fn matches(&self, r: &Resource) -> bool {
        self.kind_ok(r) && self.name_ok(r) && self.namespace_ok(r) && self.labels_ok(r)
    }

    fn kind_ok(&self, r: &Resource) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|k| match k.rsplit_once('/') {
                Some((group, kind)) => kind == r.kind() && group == r.group(),
                None => k == r.kind(),
            })
    }

    fn name_ok(&self, r: &Resource) -> bool {
        self.names.is_empty() || self.names.iter().any(|g| glob_match(g, r.name()))
    }

    fn namespace_ok(&self, r: &Resource) -> bool {
        self.namespaces.is_empty() || self.namespaces.iter().any(|g| glob_match(g, r.namespace()))
    }

    fn labels_ok(&self, r: &Resource) -> bool {
        self.labels.iter().all(|(k, g)| {
            // `r.labels()` without copying every value of every object
            r.node
                .get_path(&["metadata", "labels"])
                .and_then(Node::as_map)
                .is_some_and(|m| {
                    m.iter().any(|(lk, lv)| {
                        lk == k.as_str() && glob_match(g, &lv.scalar_string().unwrap_or_default())
                    })
                })
        })
    }
}

/// A glob (`*`, `?`, `[…]`, `{a,b}`) the way fluxlint reads every glob: `*` also matches `/`.
pub fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
}

/// Shell-style glob match, the one matcher fluxlint uses. An invalid glob matches only itself
/// (policy files are validated on load, so this is for globs from elsewhere).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    match shape(pattern) {
        Shape::Literal => return pattern == text,
        Shape::Stars => return star_match(pattern, text),
        Shape::Other => {}
    }
    // compiled once per pattern: policies match the same few globs against every object
    static CACHE: OnceLock<RwLock<HashMap<String, Option<GlobMatcher>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(m) = cache.read().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return m.as_ref().map_or(pattern == text, |g| g.is_match(text));
    }
    let m = glob(pattern).ok();
    let hit = m.as_ref().map_or(pattern == text, |g| g.is_match(text));
    cache
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pattern.to_string(), m);
    hit
}

/// Globs compiled once for matching many texts against all of them: "does any match?", with the
/// answer of [`glob_match`] for each, and the shape of each pattern looked at once, not per text.
#[derive(Clone, Debug, Default)]
pub struct Globs {
    /// Literal and `*`-only patterns, matched here.
    simple: Vec<(String, Shape)>,
    /// The rest, through [`glob_match`] (globset, compiled once per pattern).
    other: Vec<String>,
}

impl Globs {
    pub fn new(patterns: impl IntoIterator<Item = String>) -> Globs {
        let mut g = Globs::default();
        for p in patterns {
            match shape(&p) {
                Shape::Other => g.other.push(p),
                s => g.simple.push((p, s)),
            }
        }
        g
    }

    /// Does any of the globs match `text`?
    pub fn any_match(&self, text: &str) -> bool {
        self.simple.iter().any(|(p, s)| match s {
            Shape::Literal => p == text,
            _ => star_match(p, text),
        }) || self.other.iter().any(|p| glob_match(p, text))
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// No `*`, `?`, `[`, `{` or `\\`: compared as text.
    Literal,
    /// Single `*`s and literal text only (`*/overlays/prod`, `prod*`): [`star_match`].
    Stars,
    /// Anything else: globset.
    Other,
}

/// One pass over the pattern's bytes (every meta character is ASCII): this runs for every glob
/// against every object and path prefix, where a cache look-up or a substring search costs more
/// than the match itself.
fn shape(pattern: &str) -> Shape {
    let b = pattern.as_bytes();
    let (mut stars, mut other) = (false, false);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'*' => {
                stars = true;
                // `**` is globset's recursive wildcard
                other |= b.get(i + 1) == Some(&b'*');
            }
            b'?' | b'[' | b'{' | b'\\' => return Shape::Other,
            // literal for globset outside classes and alternates, but left to it all the same
            b']' | b'}' | b',' => other = true,
            _ => {}
        }
    }
    match (stars, other) {
        (false, _) => Shape::Literal,
        (true, false) => Shape::Stars,
        (true, true) => Shape::Other,
    }
}

/// A [`Shape::Stars`] glob, matched as globset does: each `*` is any byte sequence (`/` and
/// newlines too), the rest is literal.
fn star_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let Some(first) = p.iter().position(|&c| c == b'*') else {
        return p == t;
    };
    let last = p.iter().rposition(|&c| c == b'*').unwrap_or(first);
    let (head, tail) = (&p[..first], &p[last + 1..]);
    if t.len() < head.len() + tail.len() || !t.starts_with(head) || !t.ends_with(tail) {
        return false;
    }
    // leftmost matches of the literal parts between the first and last `*`, in order
    let mut hay = &t[head.len()..t.len() - tail.len()];
    for part in p[first + 1..last.max(first + 1)]
        .split(|&c| c == b'*')
        .filter(|s| !s.is_empty())
    {
        match hay.windows(part.len()).position(|w| w == part) {
            Some(i) => hay = &hay[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The closest candidate to `word` (for "did you mean"), when it is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let l = c.to_ascii_lowercase();
            // `minimum` for `min`, `env` for `environments`
            let prefix = l.len().min(w.len()) >= 3 && (l.starts_with(&w) || w.starts_with(&l));
            (if prefix { 1 } else { edit_distance(&w, &l) }, c)
        })
        .filter(|(d, c)| *d <= (c.chars().count().max(w.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `*`-only fast path answers as globset does.
    #[test]
    fn star_globs_match_as_globset_does() {
        let patterns = [
            "*",
            "prod*",
            "*prod",
            "*/overlays/production",
            "a*b*c",
            "a*b*b",
            "*a*",
            "**",
            "a**b",
            "x*",
            "*-*-*",
            "ab*ba",
            "a*a",
            "*é*",
            "a*/*b",
        ];
        let texts = [
            "",
            "a",
            "prod",
            "production",
            "preprod",
            "apps/overlays/production",
            "apps/overlays/production/x",
            "abc",
            "aXbYc",
            "abbb",
            "ab",
            "aba",
            "abba",
            "a-b-c",
            "--",
            "é",
            "xé",
            "a\nb",
            "a/b",
            "a//b",
            "aa",
        ];
        let mut fast = 0;
        for p in patterns {
            let g = glob(p).expect("valid glob");
            for t in texts {
                if shape(p) == Shape::Stars {
                    fast += 1;
                    assert_eq!(star_match(p, t), g.is_match(t), "{p:?} against {t:?}");
                }
                assert_eq!(glob_match(p, t), g.is_match(t), "{p:?} against {t:?}");
            }
        }
        for p in ["**", "a**", "{a,b}*", "a*?", "[ab]*", "a*,b", "a*}", "\\**"] {
            assert_eq!(shape(p), Shape::Other, "{p:?}");
        }
        assert_eq!(shape("a,b}"), Shape::Literal);
        let list = Globs::new(patterns.iter().map(|p| p.to_string()));
        for t in texts {
            let want = patterns.iter().any(|p| glob_match(p, t));
            assert_eq!(list.any_match(t), want, "{t:?}");
        }
        let list = Globs::new(["{dev,prod}".to_string(), "x".to_string()]);
        assert!(list.any_match("prod") && list.any_match("x") && !list.any_match("y"));
        assert!(fast > 200, "the fast path was taken {fast} times");
    }

    #[test]
    fn globs_and_suggestions() {
        assert!(glob_match("prod*", "production"));
        assert!(glob_match("*", ""));
        assert!(glob_match("{dev,staging}", "staging"));
        assert!(!glob_match("dev", "development"));
        assert_eq!(
            did_you_mean("sevrity", ["severity", "summary"]),
            Some("severity")
        );
        assert_eq!(
            did_you_mean("replica", ["replicas", "render"]),
            Some("replicas")
        );
        assert_eq!(did_you_mean("zzz", ["severity"]), None);
        assert_eq!(
            did_you_mean("minimum", ["max", "min", "message"]),
            Some("min")
        );
    }
}
