//! `check --format sarif|github|junit` and several formats in one run, through the binary, on
//! the example repo with broken cases laid over it: structure and content of each format, SARIF
//! against the SARIF 2.1.0 schema, GitHub commands escaped, JUnit parsed back.

#[path = "../toolkit/mod.rs"]
mod toolkit;

mod github;
mod junit;
mod sarif;

use std::fs;
use std::path::Path;

use serde_json::Value;

use toolkit::{Example, copy, files_below, fluxlint_with_summary as fluxlint, project, stdout};

use sarif::{assert_valid_sarif, region};

/// The example repo with cases from `fixtures/err` laid over it, in a temporary directory.
struct Repo(Example);

impl Repo {
    fn new(name: &str, cases: &[&str]) -> Repo {
        Repo(Example::with(&format!("report-formats-{name}"), cases))
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
        self.0.path()
    }

    fn dir(&self) -> &Path {
        self.0.dir()
    }

    fn json(&self) -> Value {
        let o = fluxlint(&["check", &self.path(), "--format", "json"], None);
        serde_json::from_slice(&o.stdout).expect("json output")
    }
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
fn several_formats_go_to_their_targets() {
    let repo = Repo::broken("multi");
    let out = std::env::temp_dir().join(format!("fluxlint-report-out-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("mkdir");
    let sarif = out.join("out.sarif");
    let junit = out.join("junit.xml");
    let json = out.join("out.json");
    let arg = |name: &str, p: &Path| format!("{name}={}", p.display());
    let before = files_below(repo.dir());
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
    assert_eq!(files_below(repo.dir()), before);

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
