//! The built-in checks behind the default policies, one file per rule id, and the registry.
//!
//! A built-in is a pure function from (policy, environment) to diagnostics: no I/O, no printing, no
//! shared state; the engine runs them in parallel. Its thresholds come from the policy's `params`
//! (see `policies/<id>.yaml`), so a team changes them there.

pub mod alerts;
pub mod dependencies;
pub mod deprecated_api;
pub mod env_vars;
pub mod interval;
pub mod isolation;
pub mod prune;
pub mod render;
pub mod replicas;
pub mod resource_quota;
pub mod resources;
pub mod schema;
pub mod source_ref;
pub mod structure;

use crate::diagnostic::Diagnostic;
use crate::flux::{Environment, Repo};
use crate::policy::Policy;

/// Whether a built-in looks at one environment at a time or at the repository once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Env,
    Repo,
}

/// What a check sees.
pub struct Ctx<'a> {
    pub repo: &'a Repo,
    /// The environment (for [`Scope::Env`] checks).
    pub env: Option<&'a Environment>,
    pub policy: &'a Policy,
}

pub type CheckFn = fn(&Ctx) -> Vec<Diagnostic>;

/// A built-in check: its name (the `builtin:` value of a policy) and implementation.
pub struct Builtin {
    pub name: &'static str,
    pub scope: Scope,
    /// Whether its findings are about resources, so that a policy's `match`/`exclude` kinds,
    /// names, namespaces and labels select them (`paths` works for every built-in; a policy of a
    /// built-in that does not look at resources is refused when it sets the others).
    pub resources: bool,
    pub run: CheckFn,
}

/// Every built-in, alphabetical.
pub const BUILTINS: &[Builtin] = &[
    alerts::BUILTIN,
    dependencies::BUILTIN,
    deprecated_api::BUILTIN,
    env_vars::BUILTIN,
    interval::BUILTIN,
    isolation::BUILTIN,
    prune::BUILTIN,
    render::BUILTIN,
    replicas::BUILTIN,
    resource_quota::BUILTIN,
    resources::BUILTIN,
    schema::BUILTIN,
    source_ref::BUILTIN,
    structure::BUILTIN,
];

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl Ctx<'_> {
    /// A diagnostic of this policy's rule and severity, in this environment.
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(&self.policy.id, self.policy.severity, message);
        match self.env {
            Some(e) => d.env(&e.name),
            None => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_unique_alphabetical_and_kebab_case() {
        let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        for n in names {
            assert!(
                n.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{n} is not kebab-case"
            );
        }
    }
}
