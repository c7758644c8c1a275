//! `check --format sarif|github|junit` and several formats in one run, through the binary, on
//! the example repo with broken cases laid over it: structure and content of each format, SARIF
//! against the SARIF 2.1.0 schema, GitHub commands escaped, JUnit parsed back.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fluxlint(args: &[&str], summary: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fluxlint"));
    cmd.args(args).env("NO_COLOR", "1");
    match summary {
        Some(p) => cmd.env("GITHUB_STEP_SUMMARY", p),
        None => cmd.env_remove("GITHUB_STEP_SUMMARY"),
    };
    cmd.output().expect("run fluxlint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn copy(from: &Path, to: &Path) {
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
            copy(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// The example repo with cases from `fixtures/err` laid over it, in a temporary directory.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str, cases: &[&str]) -> Repo {
        let dir = std::env::temp_dir().join(format!(
            "fluxlint-report-formats-{}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("mkdir");
        copy(&project().join("fixtures/example"), &dir);
        for c in cases {
            copy(&project().join("fixtures/err").join(c), &dir);
        }
        Repo(dir)
    }

    /// A value set by a JSON 6902 patch over a strategic-merge patch over the base (related
    /// locations), a repository-wide finding with no location, and a warning.
    fn broken(name: &str) -> Repo {
        Repo::new(
            name,
            &[
                "replicas/dev-json6902",
                "structure/empty-promotion-docs",
                "assert-fields/inherited-from-base",
            ],
        )
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }

    fn json(&self) -> Value {
        let o = fluxlint(&["check", &self.path(), "--format", "json"], None);
        serde_json::from_slice(&o.stdout).expect("json output")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every file below a directory, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("read_dir").flatten() {
        if e.path().is_dir() {
            out.extend(files(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn sarif_validator() -> jsonschema::Validator {
    let text = fs::read_to_string(project().join("../shared/schemas/sarif-schema-2.1.0.json"))
        .or_else(|_| fs::read_to_string("/work/shared/schemas/sarif-schema-2.1.0.json"))
        .expect("the SARIF 2.1.0 schema in ../shared/schemas");
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    // The published schema's `language` patterns have a stray `]`, which the meta-schema's `regex`
    // format check rejects: mend those (we emit no `language`) and keep format checks (`uri`,
    // `uri-reference`) on for everything else.
    mend_language_patterns(&mut schema);
    // This copy keeps the top-level rules under `definitions/Root` and has none at its root: a
    // validator of the file as it is accepts anything. Validate against `Root`.
    if schema.pointer("/definitions/Root").is_some()
        && let Some(o) = schema.as_object_mut()
        && !o.contains_key("type")
    {
        o.insert("$ref".into(), Value::String("#/definitions/Root".into()));
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn mend_language_patterns(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "pattern" && x.as_str().is_some_and(|p| p.ends_with("{2}]?$")) {
                    *x = Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into());
                } else {
                    mend_language_patterns(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mend_language_patterns),
        _ => {}
    }
}

fn assert_valid_sarif(log: &Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

fn region(loc: &Value) -> (String, u64, u64, u64, u64) {
    let p = &loc["physicalLocation"];
    let r = &p["region"];
    (
        p["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        r["startLine"].as_u64().unwrap_or(0),
        r["startColumn"].as_u64().unwrap_or(0),
        r["endLine"].as_u64().unwrap_or(0),
        r["endColumn"].as_u64().unwrap_or(0),
    )
}

const SHIPPED: &[&str] = &[
    "alerts",
    "dependencies",
    "env-vars",
    "interval",
    "isolation",
    "prune",
    "render",
    "replicas",
    "resource-quota",
    "resources",
    "source-ref",
    "structure",
];

#[test]
fn sarif_is_valid_and_carries_rules_locations_and_related_locations() {
    let repo = Repo::broken("sarif");
    let o = fluxlint(&["check", &repo.path(), "--format", "sarif"], None);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let log: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "fluxlint");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for id in SHIPPED.iter().chain(&["assert-fields", "suppression"]) {
        assert!(ids.contains(id), "rule {id} missing from {ids:?}");
    }
    for r in rules {
        let id = r["id"].as_str().unwrap_or_default();
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{id}"
        );
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{id}"
        );
        assert!(r["defaultConfiguration"]["level"].is_string(), "{id}");
        if SHIPPED.contains(&id) {
            assert_eq!(
                r["helpUri"],
                format!("https://github.com/fluxlint/fluxlint/blob/main/docs/rules/{id}.md")
            );
        }
    }
    let replicas = rules
        .iter()
        .find(|r| r["id"] == "replicas")
        .expect("replicas rule");
    assert_eq!(replicas["defaultConfiguration"]["level"], "error");
    assert!(
        replicas["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("## What it checks"))
    );
    // the custom policy is a warning and has no shipped documentation
    let custom = rules
        .iter()
        .find(|r| r["id"] == "assert-fields")
        .expect("custom rule");
    assert_eq!(custom["defaultConfiguration"]["level"], "warning");
    assert!(custom.get("helpUri").is_none());

    let results = run["results"].as_array().expect("results");
    let diags = repo.json()["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), diags.len());
    // the same findings, in the same order, at the same places as --format json
    for (res, d) in results.iter().zip(&diags) {
        assert_eq!(res["ruleId"], d["rule"]);
        assert_eq!(res["message"]["text"], d["message"]);
        let index = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], d["rule"]);
        let (uri, line, col, end_line, end_col) = region(&res["locations"][0]);
        if d["file"] == "" {
            assert_eq!(uri, ".");
        } else {
            assert_eq!(uri, d["file"].as_str().unwrap_or_default());
            assert_eq!(
                (line, col),
                (
                    d["line"].as_u64().unwrap_or(0),
                    d["column"].as_u64().unwrap_or(0)
                )
            );
            assert!(end_line > line || (end_line == line && end_col > col));
        }
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
    }

    let r = results
        .iter()
        .find(|r| r["ruleId"] == "replicas")
        .expect("replicas result");
    assert_eq!(r["level"], "error");
    assert_eq!(
        region(&r["locations"][0]),
        (
            "apps/overlays/dev/kustomization.yaml".to_string(),
            24,
            16,
            24,
            17
        )
    );
    assert_eq!(r["properties"]["environment"], "dev");
    assert_eq!(r["properties"]["resource"], "apps/v1/Deployment/shop/web");
    let related: Vec<(String, u64, String)> = r["relatedLocations"]
        .as_array()
        .expect("relatedLocations")
        .iter()
        .map(|l| {
            let (uri, line, ..) = region(l);
            (
                uri,
                line,
                l["message"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        related.contains(&(
            "apps/base/web/deployment.yaml".to_string(),
            8,
            "overrides the value set here".to_string()
        )),
        "{related:?}"
    );
    assert!(
        related.contains(&(
            "apps/overlays/dev/web-patch.yaml".to_string(),
            7,
            "overrides the value set here".to_string()
        )),
        "{related:?}"
    );
    assert!(
        related
            .iter()
            .any(|(uri, line, text)| uri == "clusters/dev/apps.yaml"
                && *line == 10
                && text.contains("Flux Kustomization")),
        "{related:?}"
    );
    // the warning's policy clause is in the repository's own policy file
    let w = results
        .iter()
        .find(|r| r["ruleId"] == "assert-fields")
        .expect("warning");
    assert_eq!(w["level"], "warning");
    assert!(
        w["relatedLocations"]
            .as_array()
            .is_some_and(|a| a.iter().any(|l| region(l).0 == "policies/ports.yaml"))
    );
    let s = results
        .iter()
        .find(|r| r["ruleId"] == "structure")
        .expect("structure");
    assert_eq!(
        s["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    // the validator does catch what GitHub would reject
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::String("not a uri".into());
    assert_eq!(sarif_validator().iter_errors(&bad).count(), 2);
    // every fingerprint is distinct
    let mut prints: Vec<String> = results
        .iter()
        .map(|r| r["partialFingerprints"].to_string())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), results.len());
}

#[test]
fn sarif_of_a_clean_repo_is_valid_and_docs_url_is_configurable() {
    let example = project().join("fixtures/example");
    let o = fluxlint(
        &[
            "check",
            &example.to_string_lossy(),
            "--format",
            "sarif",
            "--docs-url",
            "https://docs.example.com/fluxlint/rules",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let log: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let quota = rules
        .iter()
        .find(|r| r["id"] == "resource-quota")
        .expect("rule");
    assert_eq!(
        quota["helpUri"],
        "https://docs.example.com/fluxlint/rules/resource-quota.md"
    );
}

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
    let summary = repo.0.with_extension("summary.md");
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
    let repo = Repo::new("github-nasty", &["env-vars/dev-json6902"]);
    let k = repo.0.join("apps/overlays/dev/kustomization.yaml");
    let text = fs::read_to_string(&k).expect("kustomization");
    let nasty = text.replace(
        "value: prod",
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

#[test]
fn junit_parses_back_with_a_suite_per_environment_and_a_case_per_rule() {
    let repo = Repo::broken("junit");
    let o = fluxlint(&["check", &repo.path(), "--format", "junit"], None);
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<roxmltree::Node> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(names, ["repository", "dev", "production", "staging"]);
    let mut total = 0;
    let mut failed_total = 0;
    for s in &suites {
        let cases: Vec<roxmltree::Node> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(s.attribute("tests"), Some(cases.len().to_string().as_str()));
        assert_eq!(s.attribute("failures"), Some(failed.to_string().as_str()));
        let rules: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
        let mut sorted = rules.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(rules, sorted, "one case per rule, sorted");
        total += cases.len();
        failed_total += failed;
    }
    assert_eq!(root.attribute("tests"), Some(total.to_string().as_str()));
    assert_eq!(
        root.attribute("failures"),
        Some(failed_total.to_string().as_str())
    );
    assert_eq!(failed_total, 2);

    let case = |suite: &str, rule: &str| {
        suites
            .iter()
            .find(|s| s.attribute("name") == Some(suite))
            .and_then(|s| {
                s.children()
                    .find(|c| c.has_tag_name("testcase") && c.attribute("name") == Some(rule))
            })
            .unwrap_or_else(|| panic!("no case {suite}/{rule}"))
    };
    let dev = case("dev", "replicas");
    assert_eq!(dev.attribute("classname"), Some("fluxlint.dev"));
    let failure = dev
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(failure.attribute("type"), Some("error"));
    assert_eq!(
        failure.attribute("message"),
        Some("replicas of Deployment \"web\" is 2 in dev, expected exactly 1")
    );
    let body = failure.text().unwrap_or_default();
    assert!(
        body.starts_with("apps/overlays/dev/kustomization.yaml:24:16: error[replicas] "),
        "{body}"
    );
    assert!(body.contains("apps/base/web/deployment.yaml:8:13: overrides the value set here"));
    assert!(body.contains("resource: apps/v1/Deployment/shop/web"));
    // every rule that applies to production is a passing case there
    let prod = case("production", "replicas");
    assert_eq!(prod.children().filter(|n| n.is_element()).count(), 0);
    assert!(
        case("repository", "structure")
            .children()
            .any(|n| n.has_tag_name("failure"))
    );
    // a warning below --fail-on is reported but does not fail the case
    let warn = case("staging", "assert-fields");
    assert!(!warn.children().any(|n| n.has_tag_name("failure")));
    let out = warn
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .expect("system-out");
    assert!(
        out.text()
            .unwrap_or_default()
            .contains("warning[assert-fields]")
    );

    // with --fail-on warning it does
    let o = fluxlint(
        &[
            "check",
            &repo.path(),
            "--format",
            "junit",
            "--fail-on",
            "warning",
        ],
        None,
    );
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_eq!(doc.root_element().attribute("failures"), Some("3"));
}

#[test]
fn several_formats_go_to_their_targets() {
    let repo = Repo::broken("multi");
    let out = std::env::temp_dir().join(format!("fluxlint-report-out-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("mkdir");
    let sarif = out.join("out.sarif");
    let junit = out.join("junit.xml");
    let json = out.join("out.json");
    let arg = |name: &str, p: &Path| format!("{name}={}", p.display());
    let before = files(&repo.0);
    let o = fluxlint(
        &[
            "check",
            &repo.path(),
            "--format",
            &arg("sarif", &sarif),
            "--format",
            "human",
            "--format",
            &arg("junit", &junit),
            "--format",
            &arg("json", &json),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("2 errors, 1 warning"), "{}", stdout(&o));
    let log: Value =
        serde_json::from_str(&fs::read_to_string(&sarif).expect("sarif")).expect("json");
    assert_valid_sarif(&log);
    let xml = fs::read_to_string(&junit).expect("junit");
    roxmltree::Document::parse(&xml).expect("junit parses");
    let j: Value = serde_json::from_str(&fs::read_to_string(&json).expect("json")).expect("json");
    assert_eq!(j["summary"]["errors"], 2);
    // nothing was written into the repository
    assert_eq!(files(&repo.0), before);

    // only stdout, with no format given: human
    let o = fluxlint(&["check", &repo.path()], None);
    assert!(stdout(&o).contains("2 errors, 1 warning"));
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn bad_format_arguments_are_usage_errors() {
    let repo = Repo::new("usage", &[]);
    let cases: &[&[&str]] = &[
        &["--format", "json", "--format", "sarif"],
        &[
            "--format",
            "sarif=/tmp/x.sarif",
            "--format",
            "junit=/tmp/x.sarif",
        ],
        &["--format", "yaml"],
        &["--format", "sarif="],
    ];
    let path = repo.path();
    for extra in cases {
        let mut args = vec!["check", path.as_str()];
        args.extend_from_slice(extra);
        let o = fluxlint(&args, None);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{extra:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.stdout.is_empty(), "{extra:?}");
    }
    // a file that cannot be written
    let o = fluxlint(
        &[
            "check",
            &repo.path(),
            "--format",
            "sarif=/nonexistent-dir/x/out.sarif",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
}

#[test]
fn paths_are_relative_to_the_checkout_when_the_flux_repo_is_a_subdirectory() {
    let outer = std::env::temp_dir().join(format!("fluxlint-report-mono-{}", std::process::id()));
    let _ = fs::remove_dir_all(&outer);
    let repo = outer.join("deploy");
    fs::create_dir_all(outer.join(".git")).expect("mkdir .git");
    fs::create_dir_all(&repo).expect("mkdir");
    copy(&project().join("fixtures/example"), &repo);
    copy(&project().join("fixtures/err/replicas/dev-json6902"), &repo);
    let o = fluxlint(
        &["check", &repo.to_string_lossy(), "--format", "github"],
        None,
    );
    let text = stdout(&o);
    assert!(
        text.contains("file=deploy/apps/overlays/dev/kustomization.yaml,line=24,"),
        "{text}"
    );
    let o = fluxlint(
        &["check", &repo.to_string_lossy(), "--format", "sarif"],
        None,
    );
    let log: Value = serde_json::from_slice(&o.stdout).expect("SARIF");
    assert_valid_sarif(&log);
    assert_eq!(
        region(&log["runs"][0]["results"][0]["locations"][0]).0,
        "deploy/apps/overlays/dev/kustomization.yaml"
    );
    let _ = fs::remove_dir_all(&outer);
}
