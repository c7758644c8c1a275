//! What a step touches outside the expression language: bash for `run:` steps, the stubbed
//! actions, and the files in between.

use std::path::{Path, PathBuf};
use std::process::Command;

use fluxlint::yaml::Node;

use super::runner::{Outcome, Runner, StepRun, Strings};

const FLUXLINT: &str = env!("CARGO_BIN_EXE_fluxlint");

impl Runner {
    pub fn run_script(
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
        // fresh file-command files per step, as the runner makes them
        self.scripts += 1;
        let files = self
            .temp
            .join(format!("_runner_file_commands/{}", self.scripts));
        io(std::fs::create_dir_all(&files))?;
        let [script_file, output, path, summary] =
            ["step.sh", "output", "path", "summary"].map(|f| files.join(f));
        io(std::fs::write(&script_file, script))?;
        for f in [&output, &path, &summary] {
            io(std::fs::write(f, ""))?;
        }
        let mut cmd = Command::new("bash");
        cmd.args(flags).arg(&script_file).current_dir(dir);
        for (k, _) in std::env::vars() {
            if ["GITHUB_", "RUNNER_", "INPUT_"]
                .iter()
                .any(|p| k.starts_with(p))
            {
                cmd.env_remove(k);
            }
        }
        let fixed = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
        ];
        cmd.envs(fixed).env("PATH", self.step_path());
        cmd.env("GITHUB_WORKSPACE", &self.workspace)
            .env("RUNNER_TEMP", &self.temp);
        cmd.env("GITHUB_OUTPUT", &output).env("GITHUB_PATH", &path);
        cmd.env("GITHUB_STEP_SUMMARY", &summary);
        if let Some(action) = action {
            cmd.env("GITHUB_ACTION_PATH", action);
        }
        let out = io(cmd.envs(env).output())?;
        let read = |p: &Path| io(std::fs::read_to_string(p));
        let mut run = StepRun::new(Outcome::of(out.status.success()));
        run.exit_code = out.status.code();
        run.outputs = parse_outputs(&read(&output)?)?;
        run.log = String::from_utf8_lossy(&out.stdout).into_owned();
        run.log.push_str(&String::from_utf8_lossy(&out.stderr));
        for line in read(&path)?.lines().filter(|l| !l.trim().is_empty()) {
            self.path_added.retain(|p| p != line);
            self.path_added.push(line.to_string());
        }
        self.summary.push_str(&read(&summary)?);
        Ok(run)
    }

    pub fn run_stub(&mut self, uses: &str, with: &Strings) -> Result<StepRun, String> {
        let action = uses.split('@').next().unwrap_or(uses);
        let mut run = StepRun::new(Outcome::Success);
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
                    io(std::fs::create_dir_all(root.join("bin")))?;
                    // a link, not a copy: a file open for writing while another test thread
                    // forks is inherited by the child, and running it then fails with
                    // "Text file busy" (ETXTBSY)
                    let dest = root.join("bin/fluxlint");
                    let _ = std::fs::remove_file(&dest);
                    io(std::os::unix::fs::symlink(FLUXLINT, &dest))?;
                    run.outputs.insert("cache-hit".into(), "true".into());
                }
            }
            "github/codeql-action/upload-sarif" => {
                self.uploads.push(with.clone());
                let file = self
                    .workspace
                    .join(with.get("sarif_file").ok_or("no sarif_file")?);
                let text = io(std::fs::read_to_string(&file));
                let sarif = text.and_then(|t| io(serde_json::from_str::<serde_json::Value>(&t)));
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

fn io<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

/// The key action.yml gives the binary cache: fluxlint-OS-ARCH-<20 hex digits of the sources>.
fn is_binary_key(key: &str) -> bool {
    let hash = key.strip_prefix("fluxlint-Linux-X64-").unwrap_or("");
    hash.len() == 20 && hash.bytes().all(|b| b.is_ascii_hexdigit())
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
