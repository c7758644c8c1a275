//! `fluxlint init DIR`: writes a multi-environment Flux repository that passes every active
//! policy, with its promotion document. Never overwrites: when any file it would write exists,
//! nothing is written (exit 2).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{EXIT_OK, EXIT_USAGE, InitArgs};
use crate::flux::objects::str_list;

use super::files::files;
use super::promotion::document;
use super::scaffold::Plan;

/// A DNS-1123 label: what a Kubernetes name, an environment directory and an app directory share.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Checks the names; the first problem as a message.
fn validate(what: &str, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err(format!("at least one {what} is needed"));
    }
    for (i, n) in names.iter().enumerate() {
        if !is_label(n) {
            return Err(format!(
                "{what} \"{n}\" is not a valid name: use lowercase letters, digits and '-' (at most 63)"
            ));
        }
        if names[..i].contains(n) {
            return Err(format!("{what} \"{n}\" is given twice"));
        }
    }
    Ok(())
}

pub fn run(
    args: &InitArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let usage = |stderr: &mut dyn Write, m: &str| {
        let _ = writeln!(stderr, "error: {m}");
        ExitCode::from(EXIT_USAGE)
    };
    let envs: Vec<String> = args.envs.iter().map(|e| e.trim().to_string()).collect();
    let apps: Vec<String> = if args.apps.is_empty() {
        vec!["web".to_string()]
    } else {
        args.apps.iter().map(|a| a.trim().to_string()).collect()
    };
    for (what, names) in [("environment", &envs), ("app", &apps)] {
        if let Err(m) = validate(what, names) {
            return usage(stderr, &m);
        }
    }
    if !is_label(&args.namespace) {
        return usage(
            stderr,
            &format!("namespace \"{}\" is not a valid name", args.namespace),
        );
    }
    if envs.contains(&args.namespace) {
        return usage(
            stderr,
            &format!(
                "namespace \"{}\" is named for an environment, which the isolation rule refuses",
                args.namespace
            ),
        );
    }
    let active = match super::load_for(&args.policies, color, stderr) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let required = str_list(active.param("structure", "roles"))
        .or_else(|| str_list(active.param("structure", "environments")));
    if let Some(required) = required {
        let missing: Vec<&String> = required.iter().filter(|r| !envs.contains(r)).collect();
        if !missing.is_empty() {
            return usage(
                stderr,
                &format!(
                    "the structure policy expects the environments {}; add {} to --envs",
                    required.join(", "),
                    missing
                        .iter()
                        .map(|m| format!("\"{m}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let plan = Plan::new(
        &active,
        &envs,
        &apps,
        &args.namespace,
        &args.git_url,
        &args.registry,
    );
    let mut all = files(&plan);
    all.push((plan.promotion_doc.clone(), document(&plan, &active)));
    match write_all(&args.dir, &all) {
        Ok(()) => {
            let _ = writeln!(
                stdout,
                "wrote {} files to {} ({} environments: {}; apps: {})\nnext: fluxlint check {}",
                all.len(),
                args.dir.display(),
                envs.len(),
                envs.join(", "),
                apps.join(", "),
                args.dir.display()
            );
            ExitCode::from(EXIT_OK)
        }
        Err(m) => usage(stderr, &m),
    }
}

/// Writes every file, or none when one exists already.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("'{}' exists and is not a directory", dir.display()));
    }
    for (rel, _) in files {
        let p = dir.join(rel);
        if p.exists() || p.symlink_metadata().is_ok() {
            return Err(format!(
                "'{}' exists; fluxlint init never overwrites a file (choose an empty directory)",
                p.display()
            ));
        }
    }
    for (rel, text) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create '{}': {e}", parent.display()))?;
        }
        // create_new: a file that appeared meanwhile is still never overwritten
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| format!("cannot write '{}': {e}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_label("web-2"));
        assert!(!is_label("Web"));
        assert!(!is_label("-a"));
        assert!(validate("app", &["a".into(), "a".into()]).is_err());
        assert!(validate("app", &[]).is_err());
    }
}
