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
//! Stubs: actions/cache hits only for the fluxlint binary key when `warm_cache` is set (it then
//! "restores" the test's binary to PATH/bin/fluxlint, as a warm cache would); upload-sarif records
//! its `with:` and fails unless the file is SARIF JSON; checkout, rust-toolchain, rust-cache and
//! setup-kubectl do nothing. Any other action, step key or job key is an error: the simulator
//! refuses what it does not model rather than pass it silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use fluxlint::yaml::Node;
use sha2::{Digest, Sha256};

use super::expr::{self, Context, Val};

pub type Strings = BTreeMap<String, String>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Skipped,
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
    fn new(name: String, id: Option<String>, outcome: Outcome) -> StepRun {
        let (exit_code, outputs, log, steps) = (None, Strings::new(), String::new(), Vec::new());
        StepRun {
            name,
            id,
            outcome,
            conclusion: outcome,
            exit_code,
            outputs,
            log,
            steps,
        }
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
    path_added: Vec<String>,
    scripts: usize,
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

const FLUXLINT: &str = env!("CARGO_BIN_EXE_fluxlint");
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
        let github = [
            ("event_name", "push"),
            ("repository", "OWNER/fluxlint"),
            ("ref", "refs/heads/main"),
        ];
        Runner {
            action_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            workspace,
            temp,
            github: github
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
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
        for key in ["env", "defaults"] {
            if workflow.get(key).is_some() {
                return Err(format!("workflow `{key}:` is not simulated"));
            }
        }
        let job = workflow
            .get_path(&["jobs", job])
            .ok_or(format!("no job {job}"))?;
        for (key, _) in job.as_map().ok_or("job is not a map")?.iter() {
            if !["runs-on", "permissions", "steps", "name"].contains(&key) {
                return Err(format!("job key `{key}` is not simulated"));
            }
        }
        let steps = self.run_steps(seq(job, "steps")?, None, false)?;
        let ok = steps.iter().all(|s| s.conclusion != Outcome::Failure);
        Ok((steps, ok))
    }

    /// `uses: ./` with these `with:` values, as a step of a job.
    pub fn run_action(&mut self, with: &[(&str, &str)]) -> Result<StepRun, String> {
        let with = with
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.run_local_action("uses: ./".into(), None, &with)
    }

    fn run_steps(
        &mut self,
        steps: &[Node],
        inputs: Option<&Strings>,
        composite: bool,
    ) -> Result<Vec<StepRun>, String> {
        let mut done: Vec<StepRun> = Vec::new();
        for step in steps {
            for (key, _) in step.as_map().ok_or("a step is not a map")?.iter() {
                if !STEP_KEYS.contains(&key) {
                    return Err(format!("step key `{key}` is not simulated"));
                }
            }
            let text = |key: &str| step.get(key).and_then(Node::scalar_string);
            let id = text("id");
            let name = text("name")
                .or(text("uses"))
                .or(text("run"))
                .unwrap_or_default();
            let scope = Scope {
                run: self,
                inputs,
                steps: &done,
                env: Strings::new(),
            };
            if !condition(text("if").as_deref(), &scope)? {
                self.log.push_str(&format!("--- {name} (Skipped)\n"));
                done.push(StepRun::new(name, id, Outcome::Skipped));
                continue;
            }
            let mut env = Strings::new();
            for (k, v) in step
                .get("env")
                .and_then(Node::as_map)
                .iter()
                .flat_map(|m| m.iter())
            {
                env.insert(k.to_string(), interpolate(v, &scope)?);
            }
            let scope = Scope { env, ..scope };
            let mut with = Strings::new();
            for (k, v) in step
                .get("with")
                .and_then(Node::as_map)
                .iter()
                .flat_map(|m| m.iter())
            {
                with.insert(k.to_string(), interpolate(v, &scope)?);
            }
            let continue_on_error = match step.get("continue-on-error") {
                Some(v) => expr::eval(&interpolate(v, &scope)?, &scope)?.truthy(),
                None => false,
            };
            let (script, env) = match step.get("run") {
                Some(run) => (Some(interpolate(run, &scope)?), scope.env),
                None => (None, scope.env),
            };
            let mut run = match (script, text("uses")) {
                (Some(script), None) => {
                    if composite && text("shell").is_none() {
                        return Err(format!("composite step {name:?} has no shell"));
                    }
                    let dir = self
                        .workspace
                        .join(text("working-directory").unwrap_or_default());
                    let action = composite.then(|| self.action_path.clone());
                    self.run_script(
                        &script,
                        text("shell").as_deref(),
                        &env,
                        &dir,
                        action.as_deref(),
                    )?
                    .named(name, id)
                }
                (None, Some(uses)) if uses == "./" => self.run_local_action(name, id, &with)?,
                (None, Some(uses)) => self.run_stub(&uses, &with)?.named(name, id),
                _ => return Err(format!("step {name:?} needs exactly one of run and uses")),
            };
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
            .ok_or("action has no inputs")?;
        if let Some(unknown) = with.keys().find(|k| !declared.contains_key(k)) {
            return Err(format!("`with: {unknown}` is not an input of action.yml"));
        }
        let mut inputs = Strings::new();
        for (k, spec) in declared.iter() {
            let default = spec
                .get("default")
                .and_then(Node::scalar_string)
                .unwrap_or_default();
            inputs.insert(k.to_string(), with.get(k).cloned().unwrap_or(default));
        }
        let steps = self.run_steps(
            seq(action.get("runs").ok_or("no runs")?, "steps")?,
            Some(&inputs),
            true,
        )?;
        let failed = steps.iter().any(|s| s.conclusion == Outcome::Failure);
        let mut run = StepRun::new(
            name,
            id,
            if failed {
                Outcome::Failure
            } else {
                Outcome::Success
            },
        );
        let scope = Scope {
            run: self,
            inputs: Some(&inputs),
            steps: &steps,
            env: Strings::new(),
        };
        for (k, spec) in action
            .get("outputs")
            .and_then(Node::as_map)
            .iter()
            .flat_map(|m| m.iter())
        {
            let value = spec
                .get("value")
                .ok_or(format!("output {k} has no value"))?;
            run.outputs
                .insert(k.to_string(), interpolate(value, &scope)?);
        }
        run.steps = steps;
        Ok(run)
    }

    fn run_script(
        &mut self,
        script: &str,
        shell: Option<&str>,
        env: &Strings,
        dir: &Path,
        action: Option<&Path>,
    ) -> Result<StepRun, String> {
        let flags: &[&str] = match shell {
            Some("bash") => &["--noprofile", "--norc", "-eo", "pipefail"],
            None => &["-e"],
            Some(other) => return Err(format!("shell {other} is not simulated")),
        };
        self.scripts += 1;
        let files = self
            .temp
            .join(format!("_runner_file_commands/{}", self.scripts));
        std::fs::create_dir_all(&files).map_err(|e| e.to_string())?;
        let file = |name: &str| {
            let p = files.join(name);
            std::fs::write(&p, "")
                .map(|()| p)
                .map_err(|e| e.to_string())
        };
        let (script_file, output, path, summary) = (
            file("step.sh")?,
            file("output")?,
            file("path")?,
            file("summary")?,
        );
        std::fs::write(&script_file, script).map_err(|e| e.to_string())?;
        let mut cmd = Command::new("bash");
        cmd.args(flags).arg(&script_file).current_dir(dir);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if ["GITHUB_", "RUNNER_", "INPUT_"]
                .iter()
                .any(|p| k.starts_with(p))
            {
                cmd.env_remove(&*k);
            }
        }
        cmd.env("PATH", self.step_path())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true");
        cmd.env("GITHUB_WORKSPACE", &self.workspace)
            .env("RUNNER_TEMP", &self.temp);
        cmd.env("RUNNER_OS", "Linux").env("RUNNER_ARCH", "X64");
        cmd.env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary);
        if let Some(action) = action {
            cmd.env("GITHUB_ACTION_PATH", action);
        }
        cmd.envs(env);
        let out = cmd.output().map_err(|e| format!("bash: {e}"))?;
        let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| e.to_string());
        let outcome = if out.status.success() {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        let mut run = StepRun::new(String::new(), None, outcome);
        run.exit_code = out.status.code();
        run.outputs = parse_outputs(&read(&output)?)?;
        run.log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for line in read(&path)?.lines().filter(|l| !l.trim().is_empty()) {
            self.path_added.retain(|p| p != line);
            self.path_added.push(line.to_string());
        }
        self.summary.push_str(&read(&summary)?);
        Ok(run)
    }

    fn run_stub(&mut self, uses: &str, with: &Strings) -> Result<StepRun, String> {
        let action = uses.split('@').next().unwrap_or(uses);
        let mut run = StepRun::new(String::new(), None, Outcome::Success);
        match action {
            "actions/checkout"
            | "dtolnay/rust-toolchain"
            | "Swatinem/rust-cache"
            | "azure/setup-kubectl" => {}
            "actions/cache" => {
                let key = with.get("key").ok_or("actions/cache without key")?;
                self.cache_keys.push(key.clone());
                if self.warm_cache && is_binary_key(key) {
                    let root = PathBuf::from(with.get("path").ok_or("actions/cache without path")?);
                    if !root.is_absolute() {
                        return Err(format!("binary cache path {root:?} is not absolute"));
                    }
                    std::fs::create_dir_all(root.join("bin")).map_err(|e| e.to_string())?;
                    std::fs::copy(FLUXLINT, root.join("bin/fluxlint"))
                        .map_err(|e| e.to_string())?;
                    run.outputs.insert("cache-hit".into(), "true".into());
                }
            }
            "github/codeql-action/upload-sarif" => {
                self.uploads.push(with.clone());
                let file = self
                    .workspace
                    .join(with.get("sarif_file").ok_or("no sarif_file")?);
                let sarif = std::fs::read_to_string(&file)
                    .map_err(|e| e.to_string())
                    .and_then(|t| {
                        serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string())
                    });
                match sarif {
                    Ok(v) if v["runs"].is_array() => {
                        run.log = format!("uploaded {}", file.display())
                    }
                    other => {
                        (run.outcome, run.log) = (Outcome::Failure, format!("not SARIF: {other:?}"))
                    }
                }
                run.conclusion = run.outcome;
            }
            _ => return Err(format!("`uses: {uses}` is not simulated")),
        }
        Ok(run)
    }

    /// A directory on PATH for later steps, as `echo DIR >> "$GITHUB_PATH"` would add it.
    pub fn add_path(&mut self, dir: &Path) {
        self.path_added.push(dir.display().to_string());
    }

    /// PATH for a step: GITHUB_PATH additions, then the test's PATH without any other fluxlint
    /// (an installed one would hide a step that failed to put ours on PATH).
    pub fn step_path(&self) -> String {
        let base = std::env::var("PATH").unwrap_or_default();
        let base = base
            .split(':')
            .filter(|d| !Path::new(d).join("fluxlint").exists());
        let added = self.path_added.iter().rev().map(String::as_str);
        added.chain(base).collect::<Vec<_>>().join(":")
    }
}

impl StepRun {
    fn named(mut self, name: String, id: Option<String>) -> StepRun {
        (self.name, self.id) = (name, id);
        self
    }
}

/// The key action.yml gives the binary cache: fluxlint-OS-ARCH-<20 hex digits of the sources>.
fn is_binary_key(key: &str) -> bool {
    let hash = key.strip_prefix("fluxlint-Linux-X64-").unwrap_or("");
    hash.len() == 20 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Scope<'a> {
    run: &'a Runner,
    inputs: Option<&'a Strings>,
    steps: &'a [StepRun],
    env: Strings,
}

impl Context for Scope<'_> {
    fn lookup(&self, path: &[&str]) -> Result<Val, String> {
        let s = |v: Option<&String>| v.map_or(Val::Null, |v| Val::Str(v.clone()));
        let step = |id: &str| self.steps.iter().find(|s| s.id.as_deref() == Some(id));
        let outcome = |o: Outcome| Val::Str(format!("{o:?}").to_lowercase());
        Ok(match path {
            ["inputs", name] => s(self.inputs.and_then(|i| i.get(*name))),
            ["steps", id, "outputs", name] => s(step(id).and_then(|s| s.outputs.get(*name))),
            ["steps", id, "outcome"] => step(id).map_or(Val::Null, |s| outcome(s.outcome)),
            ["steps", id, "conclusion"] => step(id).map_or(Val::Null, |s| outcome(s.conclusion)),
            ["runner", "temp"] => Val::Str(self.run.temp.display().to_string()),
            ["runner", "os"] => Val::Str("Linux".into()),
            ["runner", "arch"] => Val::Str("X64".into()),
            ["runner", _] => Val::Null,
            ["github", "workspace"] => Val::Str(self.run.workspace.display().to_string()),
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
            "hashFiles" => {
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
                Val::Str(if any { hex } else { String::new() })
            }
            _ => return Err(format!("function {name}() is not simulated")),
        })
    }
}

/// Whether a step runs. GitHub adds `success() &&` unless the condition calls a status function.
fn condition(cond: Option<&str>, scope: &Scope) -> Result<bool, String> {
    let cond = cond.unwrap_or("success()").trim();
    let cond = cond
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(cond);
    let status = ["always(", "success(", "failure(", "cancelled("]
        .iter()
        .any(|f| cond.contains(f));
    let cond = if status {
        cond.to_string()
    } else {
        format!("success() && ({cond})")
    };
    Ok(expr::eval(&cond, scope)?.truthy())
}

fn interpolate(node: &Node, scope: &Scope) -> Result<String, String> {
    let text = node.scalar_string().ok_or("expected a scalar")?;
    expr::interpolate(&text, scope)
}

/// GITHUB_OUTPUT: `name=value` lines and `name<<DELIM` … `DELIM` blocks.
pub fn parse_outputs(text: &str) -> Result<Strings, String> {
    let mut out = Strings::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(name.to_string(), body.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        } else if !line.trim().is_empty() {
            return Err(format!("bad GITHUB_OUTPUT line {line:?}"));
        }
    }
    Ok(out)
}

pub fn load_yaml(path: &Path) -> Result<Node, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let docs = fluxlint::yaml::parse_stream(
        &text,
        fluxlint::source::FileId(0),
        fluxlint::yaml::SetBy::Resource,
    )
    .map_err(|e| format!("{}: {}", path.display(), e.message))?;
    docs.into_iter()
        .next()
        .map(|d| d.root)
        .ok_or(format!("{}: empty", path.display()))
}

fn seq<'a>(node: &'a Node, key: &str) -> Result<&'a [Node], String> {
    node.get(key)
        .and_then(Node::as_seq)
        .map(Vec::as_slice)
        .ok_or(format!("no `{key}:` list"))
}

/// `cp -r src/. dst/`.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create directory");
    for entry in std::fs::read_dir(src).expect("read directory").flatten() {
        let to = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy file");
        }
    }
}
