//! The commands around `check`: `init` (scaffold a conforming repository and its promotion
//! document), `tag` (which environment a tag promotes), `rules` / `explain` (the rule
//! documentation, also in `docs/rules/`), `completions` and `man`.
//!
//! They read the *active* policies the way `check` does: the defaults, overridden by the
//! repository's `policies/` (the repository holding the current directory) or `--policies DIR`.

pub mod explain;
mod files;
pub mod init;
pub mod manual;
pub mod promotion;
mod scaffold;
pub mod tag;
pub mod tree;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{EXIT_USAGE, PoliciesArg};
use crate::error::Result;
use crate::policy::Policy;
use crate::source::SourceMap;

/// The active policies, and the sources their spans point into.
pub struct Active {
    pub policies: Vec<Policy>,
    pub sources: Arc<SourceMap>,
}

impl Active {
    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// A built-in parameter of a policy (`None` when the policy is off, not a built-in, or unset).
    pub fn param(&self, id: &str, key: &str) -> Option<&crate::yaml::Node> {
        self.get(id)?.param(key)
    }
}

/// Where the active policies come from: `--policies DIR`, else `policies/` at the root of the
/// repository holding `cwd`, else the defaults alone.
pub fn policy_dir(arg: &PoliciesArg, cwd: &Path) -> Option<PathBuf> {
    if let Some(d) = &arg.policies {
        return Some(d.clone());
    }
    let root = crate::flux::discover::find_root(cwd)?;
    let d = root.join("policies");
    d.is_dir().then_some(d)
}

/// Loads the policies from `dir` (over the defaults).
pub fn load(dir: Option<&Path>) -> Result<Active> {
    let sources = Arc::new(SourceMap::new());
    let policies = crate::policy::load::load(&sources, dir)?;
    Ok(Active { policies, sources })
}

/// Loads the active policies for a command; on error, reports it and returns the exit code.
pub fn load_for(
    arg: &PoliciesArg,
    color: bool,
    stderr: &mut dyn Write,
) -> std::result::Result<Active, ExitCode> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let dir = policy_dir(arg, &cwd);
    if let Some(d) = &dir
        && !d.is_dir()
    {
        let _ = writeln!(stderr, "error: '{}' is not a directory", d.display());
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let sources = Arc::new(SourceMap::new());
    match crate::policy::load::load(&sources, dir.as_deref()) {
        Ok(policies) => Ok(Active { policies, sources }),
        Err(e) => {
            crate::cli::report(&e, &sources, color, stderr);
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}
