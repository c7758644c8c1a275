//! A local stand-in for the GitHub Actions runner: enough of it to run this repository's composite
//! action (action.yml) and the `action` job of .github/workflows/ci.yml as written.
//!
//! What it does as GitHub does:
//! - `if:` is an expression, implicitly `success() && (…)` unless it calls a status function;
//!   `success()` / `failure()` look at the steps before it in the same job or composite action.
//! - `run:` is interpolated, written to a script file and run in GITHUB_WORKSPACE (or the step's
//!   `working-directory`) with `bash --noprofile --norc -eo pipefail FILE` for `shell: bash` and
//!   `bash -e FILE` when no shell is given (which a composite step must not do). Each step gets fresh
//!   GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY files: outputs are read back (`name=value`
//!   and `name<<DELIM` heredocs), PATH entries are prepended for later steps (the last one added
//!   first), summaries appended to the job summary.
//! - `continue-on-error` makes a failed step's conclusion success; its outcome stays failure.
//! - `uses: ./` runs action.yml (inputs default from it; an unknown input is an error) with
//!   GITHUB_ACTION_PATH = this repository; its outputs are evaluated after its steps, failed or not.
//! - `hashFiles(p)` is non-empty only for an existing file inside the workspace (GitHub cannot
//!   hash files outside it).
//!
//! Stubs (host.rs): actions/cache hits only for the fluxlint binary key when `warm_cache` is set
//! (it then "restores" the test's binary to PATH/bin/fluxlint, as a warm cache would);
//! upload-sarif records its `with:` and fails unless the file is SARIF JSON; checkout,
//! rust-toolchain, rust-cache and setup-kubectl do nothing. Any other action, expression context,
//! step key or job key is an error: the simulator refuses what it does not model rather than pass
//! it silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fluxlint::yaml::Node;

use super::expr;
use super::host::load_yaml;
use super::scope::{Scope, condition, interpolate};

pub type Strings = BTreeMap<String, String>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Skipped,
}

impl Outcome {
    pub fn of(ok: bool) -> Outcome {
        if ok {
            Outcome::Success
        } else {
            Outcome::Failure
        }
    }
}

#[derive(Debug)]
pub struct StepRun {
    pub name: String,
    pub id: Option<String>,
    pub outcome: Outcome,
    pub conclusion: Outcome,
    pub exit_code: Option<i32>,
    pub outputs: Strings,
    /// stdout then stderr of a `run:` step, or what a stub said.
    pub log: String,
    /// The steps of a composite action.
    pub steps: Vec<StepRun>,
}

impl StepRun {
    pub fn new(outcome: Outcome) -> StepRun {
        let (name, id, exit_code, log) = (String::new(), None, None, String::new());
        let (outputs, steps, conclusion) = (Strings::new(), Vec::new(), outcome);
        StepRun {
            name,
            id,
            outcome,
            conclusion,
            exit_code,
            outputs,
            log,
            steps,
        }
    }

    fn named(mut self, name: String, id: Option<String>) -> StepRun {
        (self.name, self.id) = (name, id);
        self
    }

    /// A composite action's step by name.
    pub fn step(&self, name: &str) -> &StepRun {
        let found = self.steps.iter().find(|s| s.name == name);
        found.unwrap_or_else(|| panic!("no step {name:?} in {:?}", self.name))
    }
}

pub struct Runner {
    /// The action's repository (GITHUB_ACTION_PATH for `uses: ./`).
    pub action_path: PathBuf,
    pub workspace: PathBuf,
    pub temp: PathBuf,
    /// The `github` context (`event_name`, `repository`, `event.pull_request.…`).
    pub github: Strings,
    pub warm_cache: bool,
    pub summary: String,
    pub uploads: Vec<Strings>,
    pub cache_keys: Vec<String>,
    /// Every step's output, for a failing test to print.
    pub log: String,
    /// GITHUB_PATH entries so far, in the order added.
    pub path_added: Vec<String>,
    pub scripts: usize,
    base: PathBuf,
}

impl Drop for Runner {
    /// Keeps the directories of a failed test for a look.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }
}

const STEP_KEYS: &[&str] = &[
    "name",
    "id",
    "if",
    "uses",
    "with",
    "run",
    "shell",
    "env",
    "continue-on-error",
    "working-directory",
];

impl Runner {
    /// A runner with an empty workspace and runner temp under `base` (whose paths hold spaces, to
    /// catch unquoted expansions).
    pub fn new(base: &Path) -> Runner {
        let _ = std::fs::remove_dir_all(base);
        let (workspace, temp) = (base.join("work space"), base.join("runner temp"));
        for d in [&workspace, &temp] {
            std::fs::create_dir_all(d).expect("create runner directories");
        }
        let github = [("event_name", "push"), ("repository", "OWNER/fluxlint")];
        Runner {
            action_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            workspace,
            temp,
            github: strings(&github),
            warm_cache: true,
            summary: String::new(),
            uploads: Vec::new(),
            cache_keys: Vec::new(),
            log: String::new(),
            path_added: Vec::new(),
            scripts: 0,
            base: base.to_path_buf(),
        }
    }

    /// Runs `jobs.<job>` of a workflow; the job succeeds when no step concluded in failure.
    pub fn run_job(&mut self, workflow: &Node, job: &str) -> Result<(Vec<StepRun>, bool), String> {
        if let Some(key) = ["env", "defaults"]
            .iter()
            .find(|k| workflow.get(k).is_some())
        {
            return Err(format!("workflow `{key}:` is not simulated"));
        }
        let job = workflow.get_path(&["jobs", job]).ok_or("no such job")?;
        let keys = ["runs-on", "permissions", "steps", "name"];
        if let Some((key, _)) = entries(job, None).find(|(k, _)| !keys.contains(k)) {
            return Err(format!("job key `{key}` is not simulated"));
        }
        let steps = self.run_steps(seq(job, "steps")?, None, false)?;
        let ok = steps.iter().all(|s| s.conclusion != Outcome::Failure);
        Ok((steps, ok))
    }

    /// `uses: ./` with these `with:` values, as a step of a job.
    pub fn run_action(&mut self, with: &[(&str, &str)]) -> Result<StepRun, String> {
        self.run_local_action("uses: ./".into(), None, &strings(with))
    }

    fn run_steps(
        &mut self,
        steps: &[Node],
        inputs: Option<&Strings>,
        composite: bool,
    ) -> Result<Vec<StepRun>, String> {
        let mut done: Vec<StepRun> = Vec::new();
        for step in steps {
            if let Some((key, _)) = entries(step, None).find(|(k, _)| !STEP_KEYS.contains(k)) {
                return Err(format!("step key `{key}` is not simulated"));
            }
            let text = |key: &str| step.get(key).and_then(Node::scalar_string);
            let id = text("id");
            let name = text("name").or(text("uses")).or(text("run"));
            let name = name.unwrap_or_default();
            let mut scope = Scope {
                run: self,
                inputs,
                steps: &done,
                env: Strings::new(),
            };
            if !condition(text("if").as_deref(), &scope)? {
                self.log.push_str(&format!("--- {name} (Skipped)\n"));
                done.push(StepRun::new(Outcome::Skipped).named(name, id));
                continue;
            }
            scope.env = interpolate_all(step, "env", &scope)?;
            let with = interpolate_all(step, "with", &scope)?;
            let continue_on_error = match step.get("continue-on-error") {
                Some(v) => expr::eval(&interpolate(v, &scope)?, &scope)?.truthy(),
                None => false,
            };
            let script = step
                .get("run")
                .map(|r| interpolate(r, &scope))
                .transpose()?;
            let env = scope.env;
            let mut run = match (script, text("uses")) {
                (Some(script), None) => {
                    if composite && text("shell").is_none() {
                        return Err(format!("composite step {name:?} has no shell"));
                    }
                    let dir = self
                        .workspace
                        .join(text("working-directory").unwrap_or_default());
                    let action = composite.then(|| self.action_path.clone());
                    let shell = text("shell");
                    self.run_script(&script, shell.as_deref(), &env, &dir, action.as_deref())?
                }
                (None, Some(uses)) if uses == "./" => {
                    self.run_local_action(name.clone(), None, &with)?
                }
                (None, Some(uses)) => self.run_stub(&uses, &with)?,
                _ => return Err(format!("step {name:?} needs exactly one of run and uses")),
            };
            run = run.named(name, id);
            if continue_on_error && run.outcome == Outcome::Failure {
                run.conclusion = Outcome::Success;
            }
            self.log.push_str(&format!(
                "--- {} ({:?})\n{}\n",
                run.name, run.outcome, run.log
            ));
            done.push(run);
        }
        Ok(done)
    }

    fn run_local_action(
        &mut self,
        name: String,
        id: Option<String>,
        with: &Strings,
    ) -> Result<StepRun, String> {
        let action = load_yaml(&self.action_path.join("action.yml"))?;
        if action.str_at(&["runs", "using"]) != Some("composite") {
            return Err("action.yml is not a composite action".into());
        }
        let declared = action
            .get("inputs")
            .and_then(Node::as_map)
            .ok_or("no inputs")?;
        if let Some(unknown) = with.keys().find(|k| !declared.contains_key(k)) {
            return Err(format!("`with: {unknown}` is not an input of action.yml"));
        }
        let mut inputs = Strings::new();
        for (k, spec) in declared.iter() {
            let default = spec.get("default").and_then(Node::scalar_string);
            let value = with.get(k).cloned().or(default).unwrap_or_default();
            inputs.insert(k.to_string(), value);
        }
        let runs = action.get("runs").ok_or("no runs")?;
        let steps = self.run_steps(seq(runs, "steps")?, Some(&inputs), true)?;
        let failed = steps.iter().any(|s| s.conclusion == Outcome::Failure);
        let mut run = StepRun::new(Outcome::of(!failed)).named(name, id);
        let scope = Scope {
            run: self,
            inputs: Some(&inputs),
            steps: &steps,
            env: Strings::new(),
        };
        for (k, spec) in entries(&action, Some("outputs")) {
            let value = spec
                .get("value")
                .ok_or(format!("output {k} has no value"))?;
            run.outputs
                .insert(k.to_string(), interpolate(value, &scope)?);
        }
        run.steps = steps;
        Ok(run)
    }
}

/// The entries of `node` (or of its map at `key`); none when absent.
fn entries<'a>(node: &'a Node, key: Option<&str>) -> impl Iterator<Item = (&'a str, &'a Node)> {
    let map = key
        .map_or(Some(node), |k| node.get(k))
        .and_then(Node::as_map);
    map.into_iter().flat_map(|m| m.iter())
}

/// A step's `env:` or `with:`, every value interpolated.
fn interpolate_all(step: &Node, key: &str, scope: &Scope) -> Result<Strings, String> {
    let interpolated =
        entries(step, Some(key)).map(|(k, v)| Ok((k.to_string(), interpolate(v, scope)?)));
    interpolated.collect()
}

fn seq<'a>(node: &'a Node, key: &str) -> Result<&'a [Node], String> {
    let items = node.get(key).and_then(Node::as_seq).map(Vec::as_slice);
    items.ok_or(format!("no `{key}:` list"))
}

pub fn strings(pairs: &[(&str, &str)]) -> Strings {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
