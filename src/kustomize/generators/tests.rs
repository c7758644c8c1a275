use std::path::PathBuf;
use std::sync::Arc;

use crate::kustomize::build;
use crate::kustomize::loader::{LoadRestrictor, Loader};
use crate::kustomize::resource::ResMap;
use crate::source::SourceMap;
use crate::yaml::SetBy;

/// Writes `files` under a fresh temporary directory and builds `dir` in it.
fn build_tree(test: &str, files: &[(&str, &[u8])], dir: &str) -> (Result<ResMap, String>, PathBuf) {
    let root = std::env::temp_dir().join(format!("fluxlint-gen-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, content) in files {
        let p = root.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
    }
    let sources = Arc::new(SourceMap::new());
    let out = Loader::new(&root, LoadRestrictor::RootOnly, Arc::clone(&sources))
        .and_then(|loader| build(&loader, &root.join(dir)))
        .map_err(|e| e.one_line(&sources));
    (out, root)
}

fn names(r: &ResMap) -> Vec<String> {
    r.resources.iter().map(|r| r.name().to_string()).collect()
}

#[test]
fn literals_files_and_env() {
    let (out, root) = build_tree(
        "basic",
        &[
            (
                "kustomization.yaml",
                b"configMapGenerator:\n- name: files\n  files:\n  - sub/app.properties\n  - custom=sub/app.properties\n  - bin.dat\n  env: a.env\n  envs:\n  - b.env\n  literals:\n  - z=1\n",
            ),
            ("sub/app.properties", b"hello\nworld\n"),
            ("bin.dat", b"\x00\x01\xff\xfe"),
            ("a.env", b"X=1\n"),
            ("b.env", b"Y=2\n"),
        ],
        ".",
    );
    let r = out.expect("build");
    assert_eq!(names(&r), ["files-fh8m5gf9dm"]);
    let n = &r.resources[0].node;
    assert_eq!(n.str_at(&["binaryData", "bin.dat"]), Some("AAH//g=="));
    assert_eq!(n.str_at(&["data", "custom"]), Some("hello\nworld\n"));
    assert_eq!(
        n.get_path(&["data", "z"]).map(|v| v.origin.by),
        Some(SetBy::Generator)
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn env_file_rules() {
    let (out, root) = build_tree(
        "env",
        &[
            ("kustomization.yaml", b"configMapGenerator:\n- name: env\n  envs: [app.env]\n"),
            (
                "app.env",
                b"\xef\xbb\xbf# comment\nA=1\n\n   B=two words  \nexport C=3\nD\nE=\"quoted\"\nF=x=y\n  # indented\nG=\r\n=skipped\n",
            ),
        ],
        ".",
    );
    let r = out.expect("build");
    assert_eq!(names(&r), ["env-27tf6db72b"]);
    let n = &r.resources[0].node;
    assert_eq!(n.str_at(&["data", "B"]), Some("two words  "));
    assert_eq!(n.str_at(&["data", "export C"]), Some("3"));
    assert_eq!(n.str_at(&["data", "D"]), Some(""));
    assert_eq!(n.str_at(&["data", "E"]), Some("\"quoted\""));
    assert_eq!(n.str_at(&["data", "G"]), Some(""));
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn merge_and_replace_across_levels() {
    let (out, root) = build_tree(
        "merge",
        &[
            (
                "base/kustomization.yaml",
                b"configMapGenerator:\n- name: basedis\n  literals: [a=1]\n  options:\n    disableNameSuffixHash: true\n    labels: {bl: \"1\"}\n- name: basehash\n  literals: [a=1]\n- name: rbasedis\n  literals: [a=1]\n  options:\n    disableNameSuffixHash: true\n    labels: {bl: \"1\"}\n    annotations: {ba: \"1\"}\n- name: rbasehash\n  literals: [a=1]\n  options:\n    immutable: true\n",
            ),
            (
                "ov/kustomization.yaml",
                b"resources: [../base]\nconfigMapGenerator:\n- name: basedis\n  behavior: merge\n  literals: [b=2]\n- name: basehash\n  behavior: merge\n  literals: [b=2]\n  options:\n    disableNameSuffixHash: true\n- name: rbasedis\n  behavior: replace\n  literals: [b=2]\n  options:\n    labels: {ol: \"2\"}\n- name: rbasehash\n  behavior: replace\n  literals: [b=2]\n  options:\n    disableNameSuffixHash: true\n",
            ),
        ],
        "ov",
    );
    let r = out.expect("build");
    assert_eq!(names(&r), ["basedis", "basehash", "rbasedis", "rbasehash"]);
    let n = &r.resources[0].node;
    assert_eq!(n.str_at(&["data", "a"]), Some("1"));
    assert_eq!(n.str_at(&["data", "b"]), Some("2"));
    let n = &r.resources[2].node;
    assert_eq!(n.str_at(&["data", "a"]), None);
    assert_eq!(n.str_at(&["metadata", "labels", "bl"]), Some("1"));
    assert_eq!(n.str_at(&["metadata", "labels", "ol"]), Some("2"));
    assert!(r.resources[3].node.get("immutable").is_none());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn errors() {
    let cases: &[(&str, &[u8])] = &[
        (
            "dupkey",
            b"configMapGenerator:\n- name: a\n  literals: [a=1, a=2]\n",
        ),
        ("noname", b"secretGenerator:\n- literals: [a=1]\n"),
        (
            "badlit",
            b"configMapGenerator:\n- name: a\n  literals: [noeq]\n",
        ),
        (
            "missing",
            b"configMapGenerator:\n- name: a\n  files: [nope.txt]\n",
        ),
        (
            "nomerge",
            b"configMapGenerator:\n- name: a\n  behavior: merge\n  literals: [a=1]\n",
        ),
        (
            "twice",
            b"configMapGenerator:\n- name: a\n  literals: [a=1]\n- name: a\n  literals: [b=1]\n",
        ),
        (
            "unknown",
            b"configMapGenerator:\n- name: a\n  literal: [a=1]\n",
        ),
        ("cmtype", b"configMapGenerator:\n- name: a\n  type: x\n"),
        (
            "nonstr",
            b"configMapGenerator:\n- name: a\n  literals: [a=1, 2]\n",
        ),
        ("labelnum", b"generatorOptions:\n  labels: {a: 1}\n"),
    ];
    for (name, k) in cases {
        let (out, root) = build_tree(name, &[("kustomization.yaml", k)], ".");
        assert!(out.is_err(), "{name} should fail");
        let _ = std::fs::remove_dir_all(root);
    }
}

#[test]
fn duplicate_key_points_at_second_literal() {
    let (out, root) = build_tree(
        "dupspan",
        &[(
            "kustomization.yaml",
            b"configMapGenerator:\n- name: a\n  literals:\n  - a=1\n  - a=2\n",
        )],
        ".",
    );
    let e = out.expect_err("duplicate");
    assert!(e.contains(":5:"), "{e}");
    assert!(e.contains("illegally repeats the key 'a'"), "{e}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn long_base64_is_wrapped() {
    let (out, root) = build_tree(
        "b64",
        &[
            (
                "kustomization.yaml",
                b"secretGenerator:\n- name: s\n  files: [exact.txt]\n",
            ),
            ("exact.txt", &[b'a'; 52]),
        ],
        ".",
    );
    let r = out.expect("build");
    assert_eq!(names(&r), ["s-97gb8d7fbc"]);
    let v = r.resources[0]
        .node
        .str_at(&["data", "exact.txt"])
        .unwrap_or("");
    assert!(v.ends_with("YQ\n==\n"), "{v:?}");
    let _ = std::fs::remove_dir_all(root);
}
