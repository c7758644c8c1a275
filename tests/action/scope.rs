//! The expression contexts a step sees: inputs, steps, runner, github, env, and the functions.

use fluxlint::yaml::Node;
use sha2::{Digest, Sha256};

use super::expr::{self, Context, Val};
use super::runner::{Outcome, Runner, StepRun, Strings};

pub struct Scope<'a> {
    pub run: &'a Runner,
    /// A composite action's inputs (None in a workflow, where `inputs.*` is null).
    pub inputs: Option<&'a Strings>,
    /// The steps before this one in the same job or composite action.
    pub steps: &'a [StepRun],
    pub env: Strings,
}

impl Context for Scope<'_> {
    fn lookup(&self, path: &[&str]) -> Result<Val, String> {
        let s = |v: Option<&String>| v.map_or(Val::Null, |v| Val::Str(v.clone()));
        let step = |id: &str| self.steps.iter().find(|s| s.id.as_deref() == Some(id));
        let outcome = |o: Outcome| Val::Str(format!("{o:?}").to_lowercase());
        let text = |p: &std::path::Path| Val::Str(p.display().to_string());
        Ok(match path {
            ["inputs", name] => s(self.inputs.and_then(|i| i.get(*name))),
            ["steps", id, "outputs", name] => s(step(id).and_then(|s| s.outputs.get(*name))),
            ["steps", id, "outcome"] => step(id).map_or(Val::Null, |s| outcome(s.outcome)),
            ["steps", id, "conclusion"] => step(id).map_or(Val::Null, |s| outcome(s.conclusion)),
            ["runner", "temp"] => text(&self.run.temp),
            ["runner", "os"] => Val::Str("Linux".into()),
            ["runner", "arch"] => Val::Str("X64".into()),
            ["runner", _] => Val::Null,
            ["github", "workspace"] => text(&self.run.workspace),
            ["github", rest @ ..] => s(self.run.github.get(&rest.join("."))),
            ["env", name] => s(self.env.get(*name)),
            _ => return Err(format!("context `{}` is not simulated", path.join("."))),
        })
    }

    fn call(&self, name: &str, args: &[Val]) -> Result<Val, String> {
        let failed = self.steps.iter().any(|s| s.conclusion == Outcome::Failure);
        Ok(match name {
            "always" => Val::Bool(true),
            "success" => Val::Bool(!failed),
            "failure" => Val::Bool(failed),
            "cancelled" => Val::Bool(false),
            "hashFiles" => Val::Str(self.hash_files(args)?),
            _ => return Err(format!("function {name}() is not simulated")),
        })
    }
}

impl Scope<'_> {
    /// Literal paths only (no globs); files outside the workspace do not count, as on GitHub.
    fn hash_files(&self, args: &[Val]) -> Result<String, String> {
        let mut hash = Sha256::new();
        let mut any = false;
        for arg in args {
            let file = self.run.workspace.join(arg.to_text());
            let inside = file
                .canonicalize()
                .is_ok_and(|f| f.starts_with(&self.run.workspace));
            if inside && file.is_file() {
                hash.update(std::fs::read(&file).map_err(|e| e.to_string())?);
                any = true;
            }
        }
        let hex = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(if any { hex } else { String::new() })
    }
}

/// Whether a step runs. GitHub adds `success() &&` unless the condition calls a status function.
pub fn condition(cond: Option<&str>, scope: &Scope) -> Result<bool, String> {
    let cond = cond.unwrap_or("success()").trim();
    let cond = cond
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(cond);
    let status = ["always(", "success(", "failure(", "cancelled("];
    let cond = match status.iter().any(|f| cond.contains(f)) {
        true => cond.to_string(),
        false => format!("success() && ({cond})"),
    };
    Ok(expr::eval(&cond, scope)?.truthy())
}

pub fn interpolate(node: &Node, scope: &Scope) -> Result<String, String> {
    let text = node.scalar_string().ok_or("expected a scalar")?;
    expr::interpolate(&text, scope)
}
