//! Copy semantics, case by case as the source-watcher's builder tests them: each case writes a
//! source tree, runs one artifact's `copy` list, and compares the artifact's files (path → the
//! source file it reads).

use crate::kustomize::loader::Loader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::flux::kinds::ArtifactGenerator;
use crate::kustomize::loader::LoadRestrictor;
use crate::kustomize::resource::Resource;
use crate::source::SourceMap;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str, files: &[&str]) -> Dir {
        let d = std::env::temp_dir().join(format!("fluxlint-copy-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        for f in files {
            let p = d.join(f);
            if f.ends_with('/') {
                std::fs::create_dir_all(&p).expect("mkdir");
                continue;
            }
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, format!("# {f}\n")).expect("write");
        }
        std::fs::create_dir_all(&d).expect("mkdir");
        Dir(d)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `copy` (the YAML of one artifact's copy list) over the named sources: the artifact's
/// files as `path → source file` (repo-relative) and directories as `path/`.
fn run(sources: &[(&str, &Path)], copy: &str) -> Result<Staged> {
    let map = Arc::new(SourceMap::new());
    let text = format!(
        "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: g\nspec:\n  artifacts:\n    - name: a\n      copy:\n{}",
        copy.lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    );
    let file = map.add(
        "generator.yaml".into(),
        Path::new("generator.yaml"),
        Arc::from(text.as_str()),
    );
    let doc = crate::yaml::parse_stream(&text, file, crate::yaml::SetBy::Resource)
        .expect("yaml")
        .remove(0);
    let r = Resource::new(doc.root, doc.span);
    let g = ArtifactGenerator::new(&r).expect("generator");
    let art = g.artifacts().remove(0);
    let loaders: Vec<(String, Loader)> = sources
        .iter()
        .map(|(alias, dir)| {
            let l = Loader::new(dir, LoadRestrictor::None, Arc::clone(&map)).expect("loader");
            (alias.to_string(), l)
        })
        .collect();
    let inputs: BTreeMap<String, Input> = loaders
        .iter()
        .map(|(a, l)| (a.clone(), Input::Tree(super::super::select::Src::of(l))))
        .collect();
    stage(&art, &inputs)
}

fn files(s: Result<Staged>) -> Vec<String> {
    match s {
        Ok(Staged::Tree(entries)) => entries
            .iter()
            .map(|(k, e)| match e {
                Entry::Dir => format!("{k}/"),
                Entry::File(f) => format!("{k} <- {}", f.disk.display(&f.path)),
            })
            .collect(),
        Ok(Staged::NotChecked(why)) => vec![format!("not checked: {why}")],
        Err(e) => vec![format!("error: {}", e.message)],
    }
}

fn one(files_in: &[&str], copy: &str) -> Vec<String> {
    // one directory per case: cases run in parallel
    let d = Dir::new(
        &format!("{:x}", fxhash(&format!("{files_in:?}{copy}"))),
        files_in,
    );
    files(run(&[("src", &d.0)], copy))
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

#[test]
fn a_file_goes_to_a_file_or_into_a_directory() {
    assert_eq!(
        one(
            &["config.yaml"],
            "- from: \"@src/config.yaml\"\n  to: \"@artifact/\""
        ),
        ["config.yaml <- config.yaml"]
    );
    assert_eq!(
        one(
            &["config.yaml"],
            "- from: \"@src/config.yaml\"\n  to: \"@artifact/apps/app.yaml\""
        ),
        ["apps/", "apps/app.yaml <- config.yaml"]
    );
    assert_eq!(
        one(
            &["config.yaml"],
            "- from: \"@src/config.yaml\"\n  to: \"@artifact/dest/\""
        ),
        ["dest/", "dest/config.yaml <- config.yaml"]
    );
    // no trailing slash, but the destination is a directory already: into it
    assert_eq!(
        one(
            &["subdir/a.yaml", "file1.txt"],
            "- from: \"@src/subdir/\"\n  to: \"@artifact/\"\n- from: \"@src/file1.txt\"\n  to: \"@artifact/subdir\""
        ),
        [
            "subdir/",
            "subdir/a.yaml <- subdir/a.yaml",
            "subdir/file1.txt <- file1.txt"
        ]
    );
}

#[test]
fn a_directory_goes_below_the_destination_under_its_own_name() {
    let want = [
        "dest/",
        "dest/config/",
        "dest/config/app.yaml <- config/app.yaml",
        "dest/config/db.yaml <- config/db.yaml",
    ];
    let src = ["config/app.yaml", "config/db.yaml"];
    assert_eq!(
        one(&src, "- from: \"@src/config\"\n  to: \"@artifact/dest\""),
        want
    );
    assert_eq!(
        one(&src, "- from: \"@src/config/\"\n  to: \"@artifact/dest/\""),
        want
    );
    // the source root: its content
    assert_eq!(
        one(
            &["root.yaml", "subdir/nested.yaml"],
            "- from: \"@src/\"\n  to: \"@artifact/\""
        ),
        [
            "root.yaml <- root.yaml",
            "subdir/",
            "subdir/nested.yaml <- subdir/nested.yaml"
        ]
    );
}

#[test]
fn globs_match_one_element_and_keep_the_matched_path() {
    assert_eq!(
        one(
            &["a.yaml", "b.yaml", "c.txt"],
            "- from: \"@src/*.yaml\"\n  to: \"@artifact/manifests/\""
        ),
        [
            "manifests/",
            "manifests/a.yaml <- a.yaml",
            "manifests/b.yaml <- b.yaml"
        ]
    );
    // the matched path is kept below the destination
    assert_eq!(
        one(
            &["configs/x.yaml"],
            "- from: \"@src/configs/*.yaml\"\n  to: \"@artifact/apps/\""
        ),
        [
            "apps/",
            "apps/configs/",
            "apps/configs/x.yaml <- configs/x.yaml"
        ]
    );
    // Go's fs.Glob has no recursive `**`: it is one element, like `*`
    assert_eq!(
        one(
            &["deploy/a/x.yaml", "deploy/a/b/y.yaml"],
            "- from: \"@src/deploy/**/*.yaml\"\n  to: \"@artifact/\""
        ),
        ["deploy/", "deploy/a/", "deploy/a/x.yaml <- deploy/a/x.yaml"]
    );
}

#[test]
fn a_trailing_double_star_copies_the_content_recursively() {
    let src = ["config/app.yaml", "config/subdir/db.yaml"];
    assert_eq!(
        one(
            &src,
            "- from: \"@src/config/**\"\n  to: \"@artifact/dest/\""
        ),
        [
            "dest/",
            "dest/app.yaml <- config/app.yaml",
            "dest/subdir/",
            "dest/subdir/db.yaml <- config/subdir/db.yaml"
        ]
    );
    assert_eq!(
        one(
            &["root.yaml", "subdir/nested.yaml"],
            "- from: \"@src/**\"\n  to: \"@artifact/\""
        ),
        [
            "root.yaml <- root.yaml",
            "subdir/",
            "subdir/nested.yaml <- subdir/nested.yaml"
        ]
    );
}

#[test]
fn later_copies_overwrite_and_directories_merge() {
    let a = Dir::new("overlap-a", &["config/app.yaml", "config/database.yaml"]);
    let b = Dir::new("overlap-b", &["config/app.yaml", "config/network.yaml"]);
    let got = files(run(
        &[("one", &a.0), ("two", &b.0)],
        "- from: \"@one/**\"\n  to: \"@artifact/\"\n- from: \"@two/**\"\n  to: \"@artifact/\"",
    ));
    assert_eq!(
        got,
        [
            "config/",
            "config/app.yaml <- config/app.yaml",
            "config/database.yaml <- config/database.yaml",
            "config/network.yaml <- config/network.yaml"
        ]
    );
    // which source each file comes from
    let Ok(Staged::Tree(entries)) = run(
        &[("one", &a.0), ("two", &b.0)],
        "- from: \"@one/**\"\n  to: \"@artifact/\"\n- from: \"@two/**\"\n  to: \"@artifact/\"",
    ) else {
        panic!("staged");
    };
    let from = |k: &str| match entries.get(k) {
        Some(Entry::File(f)) => f.path.clone(),
        _ => PathBuf::new(),
    };
    assert!(from("config/app.yaml").starts_with(b.0.canonicalize().expect("b")));
    assert!(from("config/database.yaml").starts_with(a.0.canonicalize().expect("a")));
}

#[test]
fn excludes_match_from_the_source_root_the_selection_root_and_by_name() {
    let src = [
        "infrastructure/descheduler/release.yaml",
        "infrastructure/controllers/descheduler/release.yaml",
        "infrastructure/controllers/sealed-secrets/release.yaml",
        "infrastructure/configs/issuer.yaml",
        "infrastructure/configs/README.md",
        "infrastructure/testdata/t.yaml",
    ];
    let run_ex = |from: &str, ex: &str| {
        one(
            &src,
            &format!("- from: \"{from}\"\n  to: \"@artifact/\"\n  exclude: [{ex}]"),
        )
        .into_iter()
        .filter(|f| !f.ends_with('/'))
        .map(|f| f.split(" <- ").next().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
    };
    // from the source root, and by file name at any depth
    assert_eq!(
        run_ex(
            "@src/infrastructure/**",
            "\"infrastructure/controllers/descheduler/**\", \"*.md\", \"**/testdata/**\""
        ),
        [
            "configs/issuer.yaml",
            "controllers/sealed-secrets/release.yaml",
            "descheduler/release.yaml"
        ]
    );
    // from the literal prefix of `from`: `descheduler/**` is the top-level one only
    assert_eq!(
        run_ex(
            "@src/infrastructure/**",
            "\"descheduler/**\", \"*.md\", \"testdata\""
        ),
        [
            "configs/issuer.yaml",
            "controllers/descheduler/release.yaml",
            "controllers/sealed-secrets/release.yaml"
        ]
    );
    // a directory copied by path: relative to it as well
    assert_eq!(
        run_ex(
            "@src/infrastructure",
            "\"controllers/descheduler/**\", \"*.md\", \"testdata\""
        ),
        [
            "infrastructure/configs/issuer.yaml",
            "infrastructure/controllers/sealed-secrets/release.yaml",
            "infrastructure/descheduler/release.yaml"
        ]
    );
    // a file copied by path and excluded: nothing, and no error
    assert_eq!(
        one(
            &["secret.yaml"],
            "- from: \"@src/secret.yaml\"\n  to: \"@artifact/config.yaml\"\n  exclude: [secret.yaml]"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn what_the_source_controller_leaves_out_is_never_copied() {
    assert_eq!(
        one(
            &[".git/config", ".github/ci.yaml", "app.yaml"],
            "- from: \"@src/**\"\n  to: \"@artifact/\""
        ),
        ["app.yaml <- app.yaml"]
    );
}

#[test]
fn broken_operations_are_errors() {
    let err = |files_in: &[&str], copy: &str| {
        let got = one(files_in, copy);
        assert_eq!(got.len(), 1, "{got:?}");
        got[0].clone()
    };
    assert_eq!(
        err(
            &["a.yaml"],
            "- from: \"@other/a.yaml\"\n  to: \"@artifact/\""
        ),
        "error: copy source '@other/a.yaml' names alias 'other', which spec.sources does not declare"
    );
    assert_eq!(
        err(&["a.yaml"], "- from: \"src/a.yaml\"\n  to: \"@artifact/\""),
        "error: copy source 'src/a.yaml' is not of the form '@alias/pattern'"
    );
    assert_eq!(
        err(&["a.yaml"], "- from: \"@src/a.yaml\"\n  to: \"artifact/\""),
        "error: copy destination 'artifact/' does not start with '@artifact/'"
    );
    assert_eq!(
        err(
            &["a.yaml"],
            "- from: \"@src/a.yaml\"\n  to: \"@artifact/../x/\""
        ),
        "error: copy destination '@artifact/../x/' leaves the artifact"
    );
    assert_eq!(
        err(
            &["a.yaml"],
            "- from: \"@src/../a.yaml\"\n  to: \"@artifact/\""
        ),
        "error: copy source '@src/../a.yaml' leaves the source"
    );
    assert_eq!(
        err(&["a.yaml"], "- from: \"@src/b.yaml\"\n  to: \"@artifact/\""),
        "error: 'b.yaml' does not exist in source 'src'"
    );
    assert_eq!(
        err(&["a.yaml"], "- from: \"@src/*.json\"\n  to: \"@artifact/\""),
        "error: no files match pattern '*.json' in source 'src'"
    );
    assert_eq!(
        err(
            &["a.md"],
            "- from: \"@src/*.md\"\n  to: \"@artifact/\"\n  exclude: [\"*.md\"]"
        ),
        "error: all files matching pattern '*.md' in source 'src' were excluded"
    );
    assert_eq!(
        err(&["a.yaml"], "- from: \"@src/[\"\n  to: \"@artifact/\""),
        "error: invalid glob pattern '['"
    );
    assert_eq!(
        err(
            &["a.yaml"],
            "- from: \"@src/*.yaml\"\n  to: \"@artifact/\"\n  exclude: [\"[\"]"
        ),
        "error: invalid exclude pattern '['"
    );
    assert_eq!(
        err(
            &["a.yaml"],
            "- from: \"@src/a.yaml\"\n  to: \"@artifact/\"\n  strategy: Replace"
        ),
        "error: copy strategy 'Replace' is not one of Overwrite, Merge, Extract"
    );
    // a file where a directory must go
    assert_eq!(
        err(
            &["a.yaml", "d/b.yaml"],
            "- from: \"@src/a.yaml\"\n  to: \"@artifact/x\"\n- from: \"@src/d/b.yaml\"\n  to: \"@artifact/x/y/\""
        ),
        "error: cannot create directory 'x/y' in the artifact: 'x' is a file"
    );
}

#[test]
fn merge_and_extract_are_not_checked() {
    // Merge onto nothing is a copy
    assert_eq!(
        one(
            &["values.yaml"],
            "- from: \"@src/values.yaml\"\n  to: \"@artifact/\"\n  strategy: Merge"
        ),
        ["values.yaml <- values.yaml"]
    );
    let got = one(
        &["chart/values.yaml", "prod.yaml"],
        "- from: \"@src/chart/**\"\n  to: \"@artifact/\"\n- from: \"@src/prod.yaml\"\n  to: \"@artifact/values.yaml\"\n  strategy: Merge",
    );
    assert_eq!(
        got,
        [
            "not checked: copy from '@src/prod.yaml' merges into 'values.yaml' (strategy Merge), which fluxlint does not follow"
        ]
    );
    let got = one(
        &["c.tgz"],
        "- from: \"@src/c.tgz\"\n  to: \"@artifact/\"\n  strategy: Extract",
    );
    assert!(
        got[0].starts_with("not checked: copy from '@src/c.tgz' extracts tarballs"),
        "{got:?}"
    );
}

#[test]
fn an_alias_fluxlint_does_not_read_makes_the_artifact_not_checked_only_when_used() {
    let d = Dir::new("unread", &["a.yaml"]);
    let map = Arc::new(SourceMap::new());
    let l = Loader::new(&d.0, LoadRestrictor::None, Arc::clone(&map)).expect("loader");
    let text = "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: g\nspec:\n  artifacts:\n    - name: a\n      copy:\n        - from: \"@src/a.yaml\"\n          to: \"@artifact/\"\n        - from: \"@far/x.yaml\"\n          to: \"@artifact/\"\n";
    let file = map.add("g.yaml".into(), Path::new("g.yaml"), Arc::from(text));
    let doc = crate::yaml::parse_stream(text, file, crate::yaml::SetBy::Resource)
        .expect("yaml")
        .remove(0);
    let r = Resource::new(doc.root, doc.span);
    let art = ArtifactGenerator::new(&r).expect("g").artifacts().remove(0);
    let mut inputs = BTreeMap::new();
    inputs.insert(
        "src".to_string(),
        Input::Tree(super::super::select::Src::of(&l)),
    );
    inputs.insert("far".to_string(), Input::NotChecked("far away".into()));
    assert_eq!(files(stage(&art, &inputs)), ["not checked: far away"]);
}
