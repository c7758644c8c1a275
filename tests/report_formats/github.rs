//! GitHub workflow commands: one per finding, escaped as the runner unescapes them, and the step summary.

use std::fs;

use super::{Repo, fluxlint, stdout};

/// `::name key=value,…::data` → (name, properties, data), unescaped as the runner does.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, data) = rest.split_once("::").expect("::data");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (name.to_string(), props, unescape(data))
}

fn prop<'a>(props: &'a [(String, String)], key: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[test]
fn github_commands_annotate_each_finding_and_the_summary_is_appended() {
    let repo = Repo::broken("github");
    let summary = repo.dir().with_extension("summary.md");
    fs::write(&summary, "earlier step\n").expect("write summary");
    let o = fluxlint(
        &["check", &repo.path(), "--format", "github"],
        Some(&summary),
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let diags = repo.json()["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), diags.len(), "{text}");
    for (line, d) in lines.iter().zip(&diags) {
        let (name, props, data) = parse_command(line);
        let expected = match d["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "notice",
        };
        assert_eq!(name, expected);
        assert!(
            data.starts_with(d["message"].as_str().unwrap_or_default()),
            "{data}"
        );
        if d["file"] != "" {
            assert_eq!(prop(&props, "file"), d["file"].as_str());
            assert_eq!(prop(&props, "line"), Some(d["line"].to_string().as_str()));
        } else {
            assert_eq!(prop(&props, "file"), None);
        }
    }
    let replicas = lines
        .iter()
        .map(|l| parse_command(l))
        .find(|(_, props, _)| prop(props, "title") == Some("fluxlint replicas (dev)"))
        .expect("replicas annotation");
    assert_eq!(
        prop(&replicas.1, "file"),
        Some("apps/overlays/dev/kustomization.yaml")
    );
    assert_eq!(prop(&replicas.1, "line"), Some("24"));
    assert_eq!(prop(&replicas.1, "endLine"), Some("24"));
    assert_eq!(prop(&replicas.1, "col"), Some("16"));
    assert_eq!(prop(&replicas.1, "endColumn"), Some("16"));
    assert!(
        replicas
            .2
            .contains("\nresource: apps/v1/Deployment/shop/web")
    );
    assert!(replicas.2.contains("\nhelp: "));
    assert!(text.lines().any(|l| l.starts_with("::warning ")));

    let md = fs::read_to_string(&summary).expect("summary");
    assert!(md.starts_with("earlier step\n## fluxlint"), "{md}");
    assert!(
        md.contains("| Rule | repository | dev | production | staging |"),
        "{md}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| `replicas` |"))
        .expect("replicas row");
    assert_eq!(row, "| `replicas` | — | ❌ 1 | ✅ | ✅ |");
    let row = md
        .lines()
        .find(|l| l.starts_with("| `structure` |"))
        .expect("structure row");
    assert_eq!(row, "| `structure` | ❌ 1 | — | — | — |");
    assert!(md.contains("`apps/overlays/dev/kustomization.yaml:24:16`"));
    let _ = fs::remove_file(&summary);

    // without GITHUB_STEP_SUMMARY nothing else is written
    let o = fluxlint(&["check", &repo.path(), "--format", "github"], None);
    assert_eq!(stdout(&o), text);
}

#[test]
fn github_commands_survive_a_value_with_newlines_percent_colons_and_commas() {
    let repo = Repo::new("github-nasty", &["resources/dev-json6902-above"]);
    let k = repo.dir().join("apps/overlays/dev/kustomization.yaml");
    let text = fs::read_to_string(&k).expect("kustomization");
    let nasty = text.replace(
        "value: 2Gi",
        "value: \"100%, a:b\\r\\n::error file=x::injected %0A\"",
    );
    assert_ne!(nasty, text);
    fs::write(&k, nasty).expect("write");
    let o = fluxlint(&["check", &repo.path(), "--format", "github"], None);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let diags = repo.json()["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let d = diags
        .iter()
        .find(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("injected"))
        })
        .expect("the nasty value is quoted in a message");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), diags.len(), "one line per finding:\n{out}");
    let (name, props, data) = lines
        .iter()
        .map(|l| parse_command(l))
        .find(|(_, _, data)| data.contains("injected"))
        .expect("annotation");
    assert_eq!(name, "error");
    assert_eq!(
        prop(&props, "file"),
        Some("apps/overlays/dev/kustomization.yaml")
    );
    assert!(data.starts_with(d["message"].as_str().unwrap_or_default()));
}
