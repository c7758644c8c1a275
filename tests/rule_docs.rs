//! The rule documentation: `fluxlint rules` and `explain` match `docs/rules/` (pages and index),
//! the example output in every rule's page is what `fluxlint check` really prints on the
//! `fixtures/err` case it names.
//!
//! `FLUXLINT_BLESS=1 cargo test --test rule_docs` rewrites the example outputs (in
//! `policies/<id>.yaml` and `src/tools/suppression.md`) and `docs/rules/`; the descriptions are
//! compiled in, so run it twice (the second run writes the pages from the rebuilt binary), then
//! read the diff.

mod toolkit;

use std::fs;
use std::path::{Path, PathBuf};

use toolkit::*;

// ---------------------------------------------------------------------- rules, explain, docs

/// Every rule id `fluxlint rules` lists (the defaults alone: `--policies` names an empty dir).
fn rule_ids(empty: &Path) -> Vec<String> {
    let o = run_in(empty, &["rules", "--policies", "."]);
    assert!(o.status.success());
    stdout(&o)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn rules_lists_every_default_policy() {
    let s = Scratch::new("rules");
    let ids = rule_ids(&s.0);
    let mut expected: Vec<String> = fs::read_dir(project().join("policies"))
        .expect("policies")
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    expected.push("suppression".into());
    expected.sort();
    assert_eq!(ids, expected);
    let o = run_in(&s.0, &["explain", "replica", "--policies", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean \"replicas\""),
        "{}",
        stderr(&o)
    );
}

/// `docs/rules/README.md`: the rules as `fluxlint rules` lists them, linked to their pages.
fn rules_index(empty: &Path) -> String {
    let o = run_in(empty, &["rules", "--policies", "."]);
    let mut out = String::from(
        "# Rules\n\nThe default rules, as `fluxlint rules` lists them. Each page is what \
         `fluxlint explain <rule>` prints; a repository changes a rule with its own policy (see \
         [policies.md](../policies.md)).\n\n| rule | severity | summary |\n|---|---|---|\n",
    );
    for line in stdout(&o).lines() {
        let mut parts = line.splitn(2, ' ');
        let id = parts.next().unwrap_or_default();
        let rest = parts.next().unwrap_or_default().trim_start();
        let mut rest = rest.splitn(2, ' ');
        let severity = rest.next().unwrap_or_default();
        let summary = rest.next().unwrap_or_default().trim_start();
        out.push_str(&format!("| [`{id}`]({id}.md) | {severity} | {summary} |\n"));
    }
    out
}

/// Where a rule's documentation comes from (the file holding its description).
fn doc_source(id: &str) -> PathBuf {
    if id == "suppression" {
        project().join("src/tools/suppression.md")
    } else {
        project().join(format!("policies/{id}.yaml"))
    }
}

/// The `fixtures/err/...` case the Example section names, and the output shown for it.
fn example(doc: &str) -> Option<(String, String)> {
    let section = &doc[doc.find("## Example")?..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let start = section.find("`fixtures/err/")? + 1;
    let case = section[start..].split('`').next()?.to_string();
    let block = section.split("```console\n$ fluxlint check\n").nth(1)?;
    let shown = block.split("```").next()?.to_string();
    Some((case, shown))
}

/// The output as documented: no trailing spaces, the elapsed time left out of the comparison.
fn normalize(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.trim_end();
            match (l.rfind(", "), l.ends_with(" ms)")) {
                (Some(i), true) => format!("{}, … ms)", &l[..i]),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the console block of a description source with `output`, indented like the block.
fn rewrite_example(source: &Path, output: &str) {
    let text = fs::read_to_string(source).expect("doc source");
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == "```console"
            && lines.peek().is_some_and(|l| l.trim() == "$ fluxlint check")
        {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(lines.next().unwrap_or_default());
            out.push('\n');
            for l in output.lines() {
                let l = l.trim_end();
                if !l.is_empty() {
                    out.push_str(indent);
                    out.push_str(l);
                }
                out.push('\n');
            }
            for l in lines.by_ref() {
                if l.trim() == "```" {
                    out.push_str(l);
                    out.push('\n');
                    break;
                }
            }
        }
    }
    fs::write(source, out).expect("write doc source");
}

#[test]
fn every_rule_is_documented_with_real_output() {
    let s = Scratch::new("docs");
    let empty = s.0.join("empty");
    fs::create_dir_all(&empty).expect("mkdir");
    let ids = rule_ids(&empty);
    assert!(ids.len() >= 13, "{ids:?}");
    let docs_dir = project().join("docs/rules");
    let mut problems = Vec::new();
    for id in &ids {
        let o = run_in(&empty, &["explain", id, "--policies", "."]);
        assert!(o.status.success(), "explain {id}: {}", stderr(&o));
        let text = stdout(&o);
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(text.contains(section), "{id}: no {section}");
        }
        let file = docs_dir.join(format!("{id}.md"));
        if bless() {
            fs::create_dir_all(&docs_dir).expect("mkdir");
            fs::write(&file, &text).expect("write doc");
        } else if fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            problems.push(format!(
                "docs/rules/{id}.md differs from `fluxlint explain {id}` (FLUXLINT_BLESS=1 regenerates it)"
            ));
        }
        let Some((case, shown)) = example(&text) else {
            problems.push(format!(
                "{id}: the Example names no fixtures/err case with its output"
            ));
            continue;
        };
        let repo = s.0.join(id);
        fs::create_dir_all(&repo).expect("mkdir");
        materialize(&case, &repo);
        let o = run_in(&repo, &["check"]);
        let actual = stdout(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1))
                && !actual.starts_with("0 errors, 0 warnings, 0 infos"),
            "{id}: {case} has no finding: {actual}{}",
            stderr(&o)
        );
        if normalize(&actual) != normalize(&shown) {
            if bless() {
                rewrite_example(&doc_source(id), &actual);
            }
            problems.push(format!(
                "{id}: the Example output differs from `fluxlint check` on {case}:\n--- shown\n{shown}--- actual\n{actual}"
            ));
        }
    }
    let index = rules_index(&empty);
    let index_file = docs_dir.join("README.md");
    if bless() {
        fs::write(&index_file, &index).expect("write index");
    } else if fs::read_to_string(&index_file).ok().as_deref() != Some(index.as_str()) {
        problems.push("docs/rules/README.md is not the index of `fluxlint rules`".into());
    }
    let listed: Vec<String> = fs::read_dir(&docs_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .trim_end_matches(".md")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    for f in listed {
        if !ids.contains(&f) && f != "README" {
            problems.push(format!("docs/rules/{f}.md documents no rule"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
