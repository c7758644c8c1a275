//! Declarative policies: YAML files (the defaults in `policies/`, compiled in; a repo's own
//! `policies/` or `--policies DIR` override them by id), validated against a JSON Schema, turned
//! into rules.
//!
//! A policy selects environments (globs) and resources (kinds, names, namespaces, labels) and says
//! what must hold: field assertions, or a built-in check with parameters.

pub mod load;
pub mod quantity;

use crate::diagnostic::Severity;
use crate::source::Span;
use crate::yaml::Node;

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
    /// Environment globs (`*` when unset).
    pub environments: Vec<String>,
    pub select: Select,
    pub check: Check,
    /// The policy document (for "policy clause" labels).
    pub span: Span,
}

/// Which resources a policy looks at. Empty lists match everything.
#[derive(Clone, Debug, Default)]
pub struct Select {
    pub kinds: Vec<String>,
    /// Globs.
    pub names: Vec<String>,
    /// Globs.
    pub namespaces: Vec<String>,
    /// Label globs: key → value glob.
    pub labels: Vec<(String, String)>,
}

/// What must hold.
#[derive(Clone, Debug)]
pub enum Check {
    /// A built-in check (`builtin: replicas`) with its parameters (`params:`, spans into the
    /// policy file; a null node when unset).
    Builtin { name: String, params: Node },
    /// Field assertions.
    Assert(Vec<Assertion>),
}

/// `path` (dotted, `[*]` for every list item, `[name=x]` to pick items) and what must hold there.
#[derive(Clone, Debug)]
pub struct Assertion {
    pub path: String,
    pub op: AssertOp,
    /// Custom message (optional).
    pub message: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum AssertOp {
    Exists,
    Absent,
    Equals(Node),
    In(Vec<Node>),
    /// A glob (globset) the value must match.
    Pattern(String),
    /// Numbers or Kubernetes quantities (`500m`, `1Gi`), compared by value.
    Min(String),
    Max(String),
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

/// Shell-style glob match (`*`, `?`, `[…]`), the one matcher fluxlint uses.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    match globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
    {
        Ok(g) => g.compile_matcher().is_match(text),
        Err(_) => pattern == text,
    }
}
