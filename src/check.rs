//! `fluxlint check`: find the repository and environments, render, run the policies, report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{CheckArgs, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FailOn, Format, Output};
use crate::diagnostic::{Diagnostic, Severity, location};
use crate::error::Error;
use crate::flux::{EnvSpec, SourceMapping, discover};
use crate::report::{self, EnvName, Report, Summary};
use crate::source::SourceMap;

pub fn run(
    args: &CheckArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let start = Instant::now();
    if let Some(n) = args.jobs {
        // an error means the global pool already exists (tests): the count then stays as it is
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    if let Err(e) = check_outputs(&args.outputs) {
        let _ = writeln!(stderr, "error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let loaded = match load(&args.paths, &args.sources, &args.envs, color, stderr) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let Loaded {
        root,
        repo,
        scope,
        selected,
    } = loaded;
    let policy_dir = args.policies.clone().or_else(|| {
        let d = root.join("policies");
        d.is_dir().then_some(d)
    });
    let policies = match crate::policy::load::load(&repo.sources, policy_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => return fatal(&e, &repo.sources, color, stderr),
    };
    let opts = crate::engine::Options {
        report_unused_suppressions: scope.envs.is_none() && args.envs.is_empty(),
    };
    let mut diags = crate::engine::run_with(&repo, &policies, opts);
    // with an environment selected, keep its findings (and repo-wide ones); a whole-repo check keeps
    // everything, including findings about environments that are missing altogether
    if scope.envs.is_some() || !args.envs.is_empty() {
        diags.retain(|d| d.environment.as_ref().is_none_or(|e| selected.contains(e)));
    }
    if !scope.files.is_empty() {
        diags.retain(|d| {
            let (file, _, _) = location(&repo.sources, d.primary.span);
            file.is_empty()
                || scope
                    .files
                    .iter()
                    .any(|f| file == *f || file.starts_with(&format!("{f}/")))
        });
    }
    let reported = || {
        repo.environments
            .iter()
            .filter(|e| selected.contains(&e.name))
    };
    let summary = Summary {
        environments: selected.len(),
        overlays: reported().map(|e| e.units.len()).sum(),
        resources: reported().map(|e| e.objects.len()).sum(),
        files: repo.sources.disk_files(),
        elapsed_ms: start.elapsed().as_millis(),
    };
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let inventory: Vec<crate::flux::inventory::Inventory> = reported()
        .map(|e| crate::flux::inventory::of(e, &repo.sources))
        .collect();
    let report = Report {
        inventory: &inventory,
        diagnostics: &diags,
        sources: &repo.sources,
        summary,
        root: &repo.root,
        policies: &policies,
        environments: repo
            .environments
            .iter()
            .map(|e| EnvName {
                name: e.name.clone(),
                aliases: e.aliases.clone(),
            })
            .collect(),
        fail_on: threshold,
        docs_url: args.docs_url.as_deref(),
    };
    let code = if !write_outputs(&args.outputs, &report, color, stdout, stderr) {
        EXIT_USAGE
    } else if fails(&diags, threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // the process ends with this command: freeing every node of every rendered environment one by
    // one costs about 3% of a check of a large repository, and the memory goes back at exit anyway
    std::mem::forget(repo);
    ExitCode::from(code)
}

/// A repository found, discovered and rendered, with what the command line selects.
pub struct Loaded {
    pub root: PathBuf,
    pub repo: crate::flux::Repo,
    pub scope: Scope,
    /// The environments reported on.
    pub selected: Vec<String>,
}

/// Finds the repository holding the first path, its environments, and renders them (with the
/// `--source` mappings); `--env` and the paths select what is reported. Errors are said on
/// `stderr` and come back as the exit code.
pub fn load(
    paths_arg: &[PathBuf],
    sources_arg: &[String],
    envs_arg: &[String],
    color: bool,
    stderr: &mut dyn Write,
) -> Result<Loaded, ExitCode> {
    let paths: Vec<PathBuf> = if paths_arg.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths_arg.to_vec()
    };
    for p in &paths {
        if !p.exists() {
            let _ = writeln!(stderr, "error: '{}' does not exist", p.display());
            return Err(ExitCode::from(EXIT_USAGE));
        }
    }
    let Some(root) = discover::find_root(&paths[0]) else {
        let _ = writeln!(
            stderr,
            "error: no repository root above '{}' (a directory holding clusters/, fluxlint.yaml or .git)",
            paths[0].display()
        );
        return Err(ExitCode::from(EXIT_USAGE));
    };
    let mut mappings = Vec::new();
    for arg in sources_arg {
        match SourceMapping::parse(arg) {
            Ok(m) => mappings.push(m),
            Err(e) => {
                let _ = writeln!(stderr, "error: {}", e.message);
                return Err(ExitCode::from(EXIT_USAGE));
            }
        }
    }
    let sources = std::sync::Arc::new(SourceMap::new());
    let found = match discover::discover(&root, &sources) {
        Ok(d) => d,
        Err(e) => return Err(fatal(&e, &sources, color, stderr)),
    };
    if found.envs.is_empty() {
        let _ = stderr.write_all(no_environment(&root, &found).as_bytes());
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let all_envs = found.envs.clone();
    let scope = Scope::of(&root, &paths, &all_envs);
    if let Some(unknown) = envs_arg.iter().find(|n| {
        !all_envs
            .iter()
            .any(|e| e.name == **n || e.aliases.iter().any(|a| a == *n))
    }) {
        let names: Vec<&str> = all_envs.iter().map(|e| e.name.as_str()).collect();
        let _ = writeln!(
            stderr,
            "error: --env '{unknown}' names no environment (environments: {})",
            names.join(", ")
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    // the environments reported on; every environment is rendered all the same, since rules
    // compare an environment with the others (isolation: another environment's directories,
    // namespaces and sources)
    let selected: Vec<String> = all_envs
        .iter()
        .filter(|e| scope.envs.as_ref().is_none_or(|s| s.contains(&e.name)))
        .filter(|e| {
            envs_arg.is_empty()
                || envs_arg
                    .iter()
                    .any(|n| *n == e.name || e.aliases.iter().any(|a| a == n))
        })
        .map(|e| e.name.clone())
        .collect();
    let envs: Vec<EnvSpec> = all_envs;
    let options = discover::Options {
        sources: mappings,
        repo_sources: found.config.sources.clone(),
        texts: found.texts,
        not_clusters: found.not_clusters.clone(),
        versions: found.config.versions.clone(),
    };
    let repo = match discover::load_with(&root, &envs, std::sync::Arc::clone(&sources), &options) {
        Ok(r) => r,
        Err(e) => return Err(fatal(&e, &sources, color, stderr)),
    };
    if let Some(msg) = unused_mapping(&repo, &options.sources) {
        let _ = writeln!(stderr, "error: {msg}");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    Ok(Loaded {
        root,
        repo,
        scope,
        selected,
    })
}

/// What to say when no environment is found: what was looked for, what was seen and ruled out,
/// and the `fluxlint.yaml` that declares them.
fn no_environment(root: &Path, found: &discover::Discovery) -> String {
    let mut out = format!(
        "error: no environment found in {}\n\n\
         fluxlint looks for the directories Flux syncs:\n\
         \x20 - a flux-system Kustomization that syncs its own directory (flux bootstrap's gotk-sync.yaml)\n\
         \x20 - flux-system/gotk-sync.yaml placeholders\n\
         \x20 - a FluxInstance `spec.sync`, or the flux-instance HelmRelease's `values.instance.sync`\n\
         \x20 - clusters/<name>/ directories (also one level down, as kubernetes/clusters/<name>/) holding Flux objects\n",
        root.display()
    );
    if !found.not_clusters.is_empty() {
        out.push_str("\nseen and not taken as environments:\n");
        for n in &found.not_clusters {
            out.push_str(&format!("  - {}: {}\n", n.dir, n.why));
        }
    }
    out.push_str(
        "\ndeclare them in fluxlint.yaml at the repository root, for example:\n\n\
         environments:\n\
         \x20 - name: production\n\
         \x20   path: path/to/the/directory/flux/syncs\n\
         \x20   role: production\n",
    );
    out
}

/// At most one format on stdout, and no file named twice.
fn check_outputs(outputs: &[Output]) -> Result<(), String> {
    let on_stdout: Vec<&Output> = outputs.iter().filter(|o| o.path.is_none()).collect();
    if on_stdout.len() > 1 {
        return Err(format!(
            "{} formats would go to stdout ({}); give all but one a file: --format FORMAT=PATH",
            on_stdout.len(),
            on_stdout
                .iter()
                .map(|o| format_name(o.format))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (i, o) in outputs.iter().enumerate() {
        if let Some(p) = &o.path
            && outputs[..i].iter().any(|x| x.path.as_ref() == Some(p))
        {
            return Err(format!("'{}' is the target of two formats", p.display()));
        }
    }
    Ok(())
}

fn format_name(f: Format) -> String {
    use clap::ValueEnum;
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Renders each format to its target; with the github format, also appends the Markdown summary
/// to `$GITHUB_STEP_SUMMARY` when that is set. False when a file could not be written.
fn write_outputs(
    outputs: &[Output],
    report: &Report,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> bool {
    let mut ok = true;
    for o in outputs {
        let text = match o.format {
            // colour only on a terminal, never in a file
            Format::Human => report::human::render(report, color && o.path.is_none()),
            Format::Json => report::json::render(report),
            Format::Sarif => report::sarif::render(report),
            Format::Github => report::github::render(report),
            Format::Junit => report::junit::render(report),
        };
        match &o.path {
            None => {
                let _ = stdout.write_all(text.as_bytes());
            }
            Some(p) => {
                if let Err(e) = std::fs::write(p, text) {
                    let _ = writeln!(stderr, "error: cannot write '{}': {e}", p.display());
                    ok = false;
                }
            }
        }
    }
    if outputs.iter().any(|o| o.format == Format::Github)
        && let Some(p) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .and_then(|mut f| f.write_all(report::github::summary(report).as_bytes()));
        if let Err(e) = appended {
            let _ = writeln!(
                stderr,
                "error: cannot append the summary to '{}': {e}",
                Path::new(&p).display()
            );
            ok = false;
        }
    }
    ok
}

fn fails(diags: &[Diagnostic], threshold: Severity) -> bool {
    diags.iter().any(|d| d.severity >= threshold)
}

fn fatal(e: &Error, sources: &SourceMap, color: bool, stderr: &mut dyn Write) -> ExitCode {
    crate::cli::report(e, sources, color, stderr);
    ExitCode::from(EXIT_USAGE)
}

/// What the PATH arguments select: environments (paths into `clusters/<env>`), and files
/// (diagnostics are kept only under these paths unless a path is the root).
pub struct Scope {
    pub envs: Option<Vec<String>>,
    pub files: Vec<String>,
}

impl Scope {
    fn of(root: &Path, paths: &[PathBuf], envs: &[EnvSpec]) -> Scope {
        let mut sel_envs: Vec<String> = Vec::new();
        let mut files: Vec<String> = Vec::new();
        let mut whole = false;
        for p in paths {
            let Ok(abs) = p.canonicalize() else { continue };
            if abs == root {
                whole = true;
                continue;
            }
            if let Some(e) = envs.iter().find(|e| abs.starts_with(&e.cluster_dir)) {
                sel_envs.push(e.name.clone());
                continue;
            }
            if let Ok(rel) = abs.strip_prefix(root) {
                files.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
        if whole {
            return Scope {
                envs: None,
                files: Vec::new(),
            };
        }
        Scope {
            envs: if sel_envs.is_empty() || !files.is_empty() {
                None
            } else {
                Some(sel_envs)
            },
            files,
        }
    }
}

/// A `--source` mapping that names no Flux source of any environment (a typo would otherwise leave
/// the Kustomizations it meant "not checked" without a word): the message.
fn unused_mapping(repo: &crate::flux::Repo, mappings: &[SourceMapping]) -> Option<String> {
    use crate::flux::{FluxKind, kinds::namespace_of};
    let sources: Vec<&crate::kustomize::resource::Resource> = repo
        .environments
        .iter()
        .flat_map(|e| &e.objects)
        .map(|a| &a.resource)
        .filter(|r| FluxKind::of(r).is_some_and(FluxKind::is_source))
        .collect();
    let used = |m: &SourceMapping| {
        sources.iter().any(|r| m.names(r))
            || repo
                .environments
                .iter()
                .flat_map(|e| &e.units)
                .any(|u| u.mapped.as_deref() == Some(m.key.as_str()))
    };
    let m = mappings.iter().find(|m| !used(m))?;
    let mut names: Vec<String> = sources
        .iter()
        .map(|r| format!("{}/{}", namespace_of(r), r.name()))
        .collect();
    names.sort();
    names.dedup();
    let bare = names
        .iter()
        .filter_map(|n| n.split_once('/').map(|(_, b)| b));
    let hint = crate::policy::did_you_mean(&m.key, names.iter().map(String::as_str).chain(bare))
        .map(|k| format!("; did you mean \"{k}\"?"))
        .unwrap_or_default();
    let listed = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    Some(format!(
        "--source '{}': no Flux source of that name in any environment (sources: {listed}){hint}",
        m.key
    ))
}
