//! `fluxlint tree [PATH]`: what fluxlint sees, offline, like `flux tree kustomization`: each
//! environment with its role and entry, and every Flux Kustomization and HelmRelease it applies,
//! nested under the one that applied it, with source, path, status and resource count.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{EXIT_OK, TreeArgs, TreeFormat};
use crate::flux::inventory::{self, Inventory, Item, Status};

pub fn run(
    args: &TreeArgs,
    color: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let loaded = match crate::check::load(&args.paths, &args.sources, &args.envs, color, stderr) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let inventories: Vec<Inventory> = loaded
        .repo
        .environments
        .iter()
        .filter(|e| loaded.selected.contains(&e.name))
        .map(|e| inventory::of(e, &loaded.repo.sources))
        .collect();
    let text = match args.format {
        TreeFormat::Human => render(&inventories),
        TreeFormat::Json => {
            let envs: Vec<serde_json::Value> = inventories
                .iter()
                .map(crate::report::json::environment)
                .collect();
            let mut s = serde_json::to_string(&serde_json::json!({
                "version": 1,
                "environments": envs,
            }))
            .unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = stdout.write_all(text.as_bytes());
    std::mem::forget(loaded);
    ExitCode::from(EXIT_OK)
}

/// The human tree of every environment.
pub fn render(inventories: &[Inventory]) -> String {
    let mut out = String::new();
    for (i, inv) in inventories.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let role = inv
            .role
            .map(|r| format!("role {r}"))
            .unwrap_or_else(|| "no role".into());
        let declared = inv
            .entry_file
            .as_deref()
            .map(|f| format!(", {f}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} ({role}): {} [{}{declared}]{}\n",
            inv.name,
            inv.entry,
            inv.entry_kind,
            match inv.entry_status {
                Status::Failed => " failed",
                _ => "",
            }
        ));
        let roots: Vec<usize> = (0..inv.items.len())
            .filter(|&j| inv.items[j].parent.is_none())
            .collect();
        for (n, &j) in roots.iter().enumerate() {
            node(inv, j, "", n + 1 == roots.len(), &mut out);
        }
        let (rendered, total) = inv.kustomizations();
        out.push_str(&format!(
            "rendered {rendered} of {total} Flux Kustomizations\n"
        ));
    }
    out
}

fn node(inv: &Inventory, j: usize, prefix: &str, last: bool, out: &mut String) {
    let it = &inv.items[j];
    out.push_str(prefix);
    out.push_str(if last { "└── " } else { "├── " });
    out.push_str(&line(it));
    out.push('\n');
    let children: Vec<usize> = (0..inv.items.len())
        .filter(|&c| inv.items[c].parent == Some(j))
        .collect();
    let next = format!("{prefix}{}", if last { "    " } else { "│   " });
    for (n, &c) in children.iter().enumerate() {
        node(inv, c, &next, n + 1 == children.len(), out);
    }
}

fn line(it: &Item) -> String {
    let what = match it.kind {
        "HelmRelease" => it
            .path
            .as_deref()
            .map(|c| format!("chart {c}"))
            .unwrap_or_default(),
        _ => it.path.clone().unwrap_or_default(),
    };
    let what = if what.is_empty() {
        what
    } else {
        format!(" {what}")
    };
    let source = it
        .source
        .as_deref()
        .map(|s| format!(" <- {s}"))
        .unwrap_or_default();
    let status = match it.status {
        Status::Rendered => match &it.reason {
            Some(why) => format!("rendered, {} resources; {why}", it.resources),
            None => format!("rendered, {} resources", it.resources),
        },
        Status::NotChecked | Status::Failed => format!(
            "{}: {}",
            it.status.as_str(),
            it.reason.as_deref().unwrap_or("")
        ),
    };
    format!(
        "{} {}/{}{what}{source} ({status}) {}:{}",
        it.kind, it.namespace, it.name, it.file, it.line
    )
}
