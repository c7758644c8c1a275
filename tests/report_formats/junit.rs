//! JUnit XML: a suite per environment, a case per rule, parsed back.

use super::{Repo, fluxlint, stdout};

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
