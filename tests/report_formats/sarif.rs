//! SARIF 2.1.0: valid against the published schema, with rules, locations and related locations.

use std::fs;

use serde_json::Value;

use super::{Repo, SHIPPED, fluxlint, project, stdout};

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

pub fn assert_valid_sarif(log: &Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

pub fn region(loc: &Value) -> (String, u64, u64, u64, u64) {
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
