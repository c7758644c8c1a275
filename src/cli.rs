//! Command-line interface: clap definitions and dispatch.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::kustomize::{self, loader::LoadRestrictor, loader::Loader};
use crate::source::SourceMap;
use crate::yaml::emit;

/// Exit codes.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "fluxlint",
    version,
    about = "Prove that a FluxCD multi-environment repo keeps its promises"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Never colour the output.
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a repository (or a part of it) against the policies.
    Check(CheckArgs),
    /// Render the kustomization in DIR and print it as a YAML stream (like `kubectl kustomize DIR`).
    Build(BuildArgs),
    /// Show what fluxlint sees: each environment, its role and entry, and every Flux Kustomization
    /// and HelmRelease it applies, as a tree (like `flux tree kustomization`, offline).
    Tree(TreeArgs),
    /// Write a new multi-environment Flux repository into DIR that passes every policy.
    Init(InitArgs),
    /// Say which environment a Git tag promotes (exit 0), or why it promotes none (exit 1).
    Tag(TagArgs),
    /// List the rules of the active policies: id, severity, summary.
    Rules(PoliciesArg),
    /// Print a rule's documentation: what it checks, why, an example, how to fix it.
    Explain(ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(ManArgs),
}

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// Directory holding a kustomization.yaml.
    pub dir: PathBuf,
    /// Append `# path:line` to every value that a patch, generator or transformer set.
    #[arg(long)]
    pub origins: bool,
    /// Where files may be read from: below each kustomization (root-only) or anywhere in the repo (none).
    #[arg(long, value_enum, default_value = "root-only")]
    pub load_restrictor: Restrictor,
    /// Repository root: nothing outside it is read. Default: the nearest parent holding `.git`,
    /// `clusters/` or `fluxlint.yaml`, else the current directory when DIR is below it, else DIR.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The repository root (default `.`) or a part of it: `clusters/production` checks that
    /// environment and everything it applies.
    pub paths: Vec<PathBuf>,
    /// Output format: human, json, sarif, github or junit; `FORMAT=PATH` writes it to a file
    /// (repeatable: `--format sarif=out.sarif --format human`; at most one format on stdout).
    #[arg(
        long = "format",
        value_name = "FORMAT[=PATH]",
        value_parser = parse_output,
        default_value = "human"
    )]
    pub outputs: Vec<Output>,
    /// Base URL of the rule documentation linked from SARIF (`<URL><rule>.md`); without it only
    /// the built-in rules link to fluxlint's own docs.
    #[arg(long, value_name = "URL")]
    pub docs_url: Option<String>,
    /// Policies to use instead of the repository's `policies/` (defaults still apply for other ids).
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// Only this environment (repeatable; a name or an alias).
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Read the Flux source NAME (or NAMESPACE/NAME) from a local checkout DIR instead of skipping
    /// the Kustomizations that use it (repeatable).
    #[arg(long = "source", value_name = "NAME=DIR")]
    pub sources: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct TreeArgs {
    /// The repository root (default `.`) or a cluster directory in it.
    pub paths: Vec<std::path::PathBuf>,
    /// Only this environment (repeatable; a name or an alias).
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    /// Read the Flux source NAME (or NAMESPACE/NAME) from a local checkout DIR (repeatable).
    #[arg(long = "source", value_name = "NAME=DIR")]
    pub sources: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: TreeFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TreeFormat {
    /// An indented tree per environment.
    Human,
    /// `{"version": 1, "environments": [...]}`, as in `check --format json`.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Annotated source snippets and a summary line.
    Human,
    /// One JSON object (`version: 1`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations) and a step summary.
    Github,
    /// JUnit XML: a test suite per environment, a test case per rule.
    Junit,
}

/// One `--format` value: a format and where it goes (`None`: stdout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// `FORMAT` or `FORMAT=PATH`.
fn parse_output(s: &str) -> Result<Output, String> {
    let (name, path) = match s.split_once('=') {
        Some((n, "")) => return Err(format!("no path after '{n}='")),
        Some((n, p)) => (n, Some(PathBuf::from(p))),
        None => (s, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        format!(
            "unknown format '{name}', expected one of {}",
            names.join(", ")
        )
    })?;
    Ok(Output { format, path })
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Restrictor {
    RootOnly,
    None,
}

/// `--policies DIR`, for the commands that read the active policies without checking.
#[derive(clap::Args, Debug, Default)]
pub struct PoliciesArg {
    /// Policies to use instead of the repository's `policies/` (the repository is the one holding
    /// the current directory; defaults still apply for other ids).
    #[arg(long, value_name = "DIR")]
    pub policies: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write the repository (created when missing; existing files are never overwritten).
    pub dir: PathBuf,
    /// The environments, in promotion order.
    #[arg(long, value_delimiter = ',', default_value = "dev,staging,production")]
    pub envs: Vec<String>,
    /// An application to scaffold (repeatable; default `web`).
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,
    /// The namespace the applications run in.
    #[arg(long, default_value = "apps")]
    pub namespace: String,
    /// The Git URL Flux pulls the repository from.
    #[arg(long, default_value = "ssh://git@github.com/example/fleet")]
    pub git_url: String,
    /// The container registry prefix of the application images.
    #[arg(long, default_value = "ghcr.io/example")]
    pub registry: String,
    #[command(flatten)]
    pub policies: PoliciesArg,
}

#[derive(clap::Args, Debug)]
pub struct TagArgs {
    /// The tag (`staging-v1.5.0`, or `refs/tags/staging-v1.5.0`).
    pub tag: String,
    #[command(flatten)]
    pub policies: PoliciesArg,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule id (`fluxlint rules` lists them).
    pub rule: String,
    #[command(flatten)]
    pub policies: PoliciesArg,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write `fluxlint.1` and one `fluxlint-<command>.1` per command into this directory instead of
    /// printing `fluxlint.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs the CLI; returns the process exit code.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let text = if std::io::stderr().is_terminal() {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            if e.use_stderr() {
                let _ = write!(stderr, "{text}");
            } else {
                let _ = write!(stdout, "{text}");
            }
            return ExitCode::from(code);
        }
    };
    let color =
        !cli.no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Build(args) => build(&args, color, stdout, stderr),
        // `check` writes its human report to stdout: `fluxlint check > report.txt` or `| less`
        // must not fill it with escape codes, so colour needs both streams to be terminals.
        Command::Check(args) => {
            let color = color && std::io::stdout().is_terminal();
            crate::check::run(&args, color, stdout, stderr)
        }
        Command::Tree(args) => crate::tools::tree::run(&args, color, stdout, stderr),
        Command::Init(args) => crate::tools::init::run(&args, color, stdout, stderr),
        Command::Tag(args) => crate::tools::tag::run(&args, color, stdout, stderr),
        Command::Rules(args) => crate::tools::explain::rules(&args, color, stdout, stderr),
        Command::Explain(args) => crate::tools::explain::run(&args, color, stdout, stderr),
        Command::Completions(args) => crate::tools::manual::completions(&args, stdout),
        Command::Man(args) => crate::tools::manual::man(&args, stdout, stderr),
    }
}

/// Finds the repository root for a path.
pub fn find_root(dir: &Path) -> PathBuf {
    let abs = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut cur = Some(abs.as_path());
    while let Some(d) = cur {
        if d.join(".git").exists()
            || d.join("clusters").is_dir()
            || d.join("fluxlint.yaml").is_file()
        {
            return d.to_path_buf();
        }
        cur = d.parent();
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize())
        && abs.starts_with(&cwd)
    {
        return cwd;
    }
    abs
}

fn build(
    args: &BuildArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    if !args.dir.is_dir() {
        let _ = writeln!(
            stderr,
            "error: '{}' is not a directory holding a kustomization",
            args.dir.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let root = match &args.root {
        Some(r) => r.clone(),
        None => find_root(&args.dir),
    };
    let restrictor = match args.load_restrictor {
        Restrictor::RootOnly => LoadRestrictor::RootOnly,
        Restrictor::None => LoadRestrictor::None,
    };
    let sources = Arc::new(SourceMap::new());
    let loader = match Loader::new(&root, restrictor, Arc::clone(&sources)) {
        Ok(l) => l,
        Err(e) => {
            report(&e, &sources, color, stderr);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let dir = args.dir.canonicalize().unwrap_or_else(|_| args.dir.clone());
    if !dir.starts_with(loader.root()) {
        let _ = writeln!(
            stderr,
            "error: '{}' is outside the repository root '{}'",
            args.dir.display(),
            loader.root().display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let built = kustomize::build(&loader, &dir).and_then(|m| match m.remote.first() {
        // `build` prints what kustomize would: without the remote entry that would be wrong
        Some(r) => Err(crate::error::Error::at(
            "remote-resource",
            r.span,
            format!(
                "remote resource '{}' is not supported: fluxlint works offline",
                r.url
            ),
        )
        .with_label("remote")
        .with_help("vendor the resource into the repository and refer to the local copy")),
        None => Ok(m),
    });
    match built {
        Ok(resmap) => {
            let label = |s| sources.describe_line(s);
            let origins: Option<emit::OriginLabel> = if args.origins { Some(&label) } else { None };
            let text = if origins.is_some() {
                emit::emit_stream(resmap.resources.iter().map(|r| &r.node), origins)
            } else {
                emit_parallel(&resmap)
            };
            let _ = stdout.write_all(text.as_bytes());
            // the process ends next: freeing thousands of small trees would only cost time
            std::mem::forget(resmap);
            std::mem::forget(loader);
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            report(&e, &sources, color, stderr);
            ExitCode::from(EXIT_FINDINGS)
        }
    }
}

/// The YAML stream of a build, documents emitted in parallel (the same bytes as `emit_stream`).
fn emit_parallel(resmap: &crate::kustomize::resource::ResMap) -> String {
    use rayon::prelude::*;
    let docs: Vec<String> = resmap
        .resources
        .par_iter()
        .map(|r| emit::emit_document(&r.node, None))
        .collect();
    docs.join("---\n")
}

/// Writes a miette report of an error to stderr.
pub fn report(e: &Error, sources: &SourceMap, color: bool, stderr: &mut dyn Write) {
    let report = e.to_report(sources);
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = e.one_line(sources);
    }
    let _ = writeln!(stderr, "{out}");
}
