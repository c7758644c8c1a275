//! The virtual tree through the loader: `..` moves inside the artifact as in its tarball, nothing
//! outside it is readable, and every file is named (and identified) by the disk file behind it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::kustomize::loader::{LoadRestrictor, Loader};

/// A repository whose base and overlay sit apart on disk (`lib/base`, `src/overlay`), and an
/// artifact that puts them side by side (`base/`, `overlay/`), as an ArtifactGenerator would.
struct Fixture {
    dir: PathBuf,
    disk: Loader,
    artifact: Loader,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const DEPLOYMENT: &str =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n";

fn fixture(name: &str, restrictor: LoadRestrictor) -> Fixture {
    let dir = std::env::temp_dir().join(format!("fluxlint-vtree-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = [
        (
            "lib/base/kustomization.yaml",
            "resources:\n  - deployment.yaml\n",
        ),
        ("lib/base/deployment.yaml", DEPLOYMENT),
        ("lib/base/broken.yaml", "a: [\n"),
        (
            "src/overlay/kustomization.yaml",
            "resources:\n  - ../base\npatches:\n  - path: replicas.yaml\n",
        ),
        (
            "src/overlay/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
        ),
        (
            "src/overlay/escape/kustomization.yaml",
            "resources:\n  - ../../../lib/base\n",
        ),
        ("secret.yaml", "kind: Secret\n"),
    ];
    for (p, text) in files {
        let p = dir.join(p);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let sources = Arc::new(SourceMap::new());
    let disk = Loader::new(&dir, LoadRestrictor::None, Arc::clone(&sources)).expect("loader");
    let mut entries = BTreeMap::new();
    for d in ["base", "overlay", "overlay/escape"] {
        entries.insert(d.to_string(), Entry::Dir);
    }
    for (at, real) in [
        ("base/kustomization.yaml", "lib/base/kustomization.yaml"),
        ("base/deployment.yaml", "lib/base/deployment.yaml"),
        ("base/broken.yaml", "lib/base/broken.yaml"),
        (
            "overlay/kustomization.yaml",
            "src/overlay/kustomization.yaml",
        ),
        ("overlay/replicas.yaml", "src/overlay/replicas.yaml"),
        (
            "overlay/escape/kustomization.yaml",
            "src/overlay/escape/kustomization.yaml",
        ),
    ] {
        let p = disk
            .resolve(disk.root(), real, None, Span::NONE)
            .expect("real file");
        let f = disk.file_ref(&p).expect("a file");
        entries.insert(at.to_string(), Entry::File(f));
    }
    let tree = Virtual::new(
        "ExternalArtifact:ns:app",
        "<ExternalArtifact ns/app>".into(),
        entries,
    );
    let artifact = Loader::of_virtual(tree, restrictor, sources);
    Fixture {
        dir,
        disk,
        artifact,
    }
}

fn at(l: &Loader, p: &str) -> PathBuf {
    if p.is_empty() {
        l.root().to_path_buf()
    } else {
        l.root().join(p)
    }
}

#[test]
fn dot_dot_moves_inside_the_artifact_as_in_its_tarball() {
    let f = fixture("dotdot", LoadRestrictor::RootOnly);
    let a = &f.artifact;
    let base = a
        .resolve(&at(a, "overlay"), "../base", None, Span::NONE)
        .expect("../base is a sibling in the artifact");
    assert!(a.is_dir(&base));
    assert_eq!(a.display(&base), "<ExternalArtifact ns/app>/base");
    // on disk, src/overlay/../base does not exist
    let on_disk = f
        .disk
        .resolve(&f.dir.join("src/overlay"), "../base", None, Span::NONE);
    assert!(on_disk.is_err());
    // and a whole build works, every value named by its file in git
    let m = crate::kustomize::build(a, &at(a, "overlay")).expect("builds");
    assert_eq!(m.resources.len(), 1);
    let r = &m.resources[0];
    let name_of = |n: &crate::yaml::Node| {
        a.sources
            .get(n.origin.span.file)
            .map(|f| f.display.clone())
            .unwrap_or_default()
    };
    let replicas = r.node.get_path(&["spec", "replicas"]).expect("replicas");
    assert_eq!(replicas.value, crate::yaml::Value::Int(3));
    assert_eq!(name_of(replicas), "src/overlay/replicas.yaml");
    let kind = r.node.get_path(&["kind"]).expect("kind");
    assert_eq!(name_of(kind), "lib/base/deployment.yaml");
}

#[test]
fn nothing_outside_the_artifact_is_readable() {
    let f = fixture("escape", LoadRestrictor::None);
    let a = &f.artifact;
    // lib/base exists on disk, two levels up from the overlay in git: not from the artifact
    for rel in [
        "../../lib/base",
        "../../secret.yaml",
        "/etc/passwd",
        &f.dir.join("secret.yaml").display().to_string(),
    ] {
        let e = a
            .resolve(&at(a, "overlay"), rel, None, Span::NONE)
            .expect_err(rel);
        assert_eq!(e.code, "path-escape", "{rel}: {}", e.message);
        assert!(
            e.message
                .contains("resolves outside the artifact <ExternalArtifact ns/app>"),
            "{}",
            e.message
        );
    }
    // a kustomization that climbs out fails the build
    let e = crate::kustomize::build(a, &at(a, "overlay/escape")).expect_err("escapes");
    assert_eq!(e.code, "path-escape");
    // the root's parent is outside too
    assert!(a.resolve(&at(a, ""), "..", None, Span::NONE).is_err());
    // what is not in the tree does not exist, whatever is on disk at that path
    assert!(!a.exists(&at(a, "secret.yaml")));
    assert!(a.read(&at(a, "secret.yaml"), Span::NONE).is_err());
}

#[test]
fn errors_name_the_real_file_or_the_artifact_path() {
    let f = fixture("names", LoadRestrictor::RootOnly);
    let a = &f.artifact;
    let e = a
        .load_yaml(
            &at(a, "base/broken.yaml"),
            crate::yaml::SetBy::Resource,
            Span::NONE,
        )
        .expect_err("broken yaml");
    let file = e.span.and_then(|s| a.sources.get(s.file)).expect("located");
    assert_eq!(file.display, "lib/base/broken.yaml");
    assert_eq!(
        file.path,
        f.dir
            .canonicalize()
            .expect("dir")
            .join("lib/base/broken.yaml")
    );
    let e = a
        .resolve(&at(a, "overlay"), "../base/nope.yaml", None, Span::NONE)
        .expect_err("missing");
    assert_eq!(
        e.message,
        "'<ExternalArtifact ns/app>/base/nope.yaml': no such file or directory"
    );
    assert_eq!(
        a.display(&at(a, "base/deployment.yaml")),
        "lib/base/deployment.yaml"
    );
}

#[test]
fn a_file_has_one_id_however_it_is_reached() {
    let f = fixture("ids", LoadRestrictor::RootOnly);
    let (via_artifact, _) = f
        .artifact
        .read(&at(&f.artifact, "base/deployment.yaml"), Span::NONE)
        .expect("read");
    let real = f
        .dir
        .canonicalize()
        .expect("dir")
        .join("lib/base/deployment.yaml");
    let (via_disk, text) = f.disk.read(&real, Span::NONE).expect("read");
    assert_eq!(via_artifact, via_disk);
    assert_eq!(&*text, DEPLOYMENT);
    assert_eq!(f.disk.sources.len(), 1);
    let bytes = f
        .artifact
        .read_bytes(&at(&f.artifact, "base/deployment.yaml"), Span::NONE)
        .expect("bytes");
    assert_eq!(bytes, DEPLOYMENT.as_bytes());
}

#[test]
fn the_tree_answers_what_the_disk_would() {
    let f = fixture("listing", LoadRestrictor::RootOnly);
    let a = &f.artifact;
    let names = |p: &str| -> Vec<(String, bool)> {
        a.read_dir(&at(a, p))
            .expect("dir")
            .into_iter()
            .map(|e| (e.name, e.is_dir))
            .collect()
    };
    assert_eq!(
        names(""),
        [("base".to_string(), true), ("overlay".to_string(), true)]
    );
    assert_eq!(
        names("overlay"),
        [
            ("escape".to_string(), true),
            ("kustomization.yaml".to_string(), false),
            ("replicas.yaml".to_string(), false)
        ]
    );
    assert!(a.read_dir(&at(a, "base/deployment.yaml")).is_err());
    assert!(a.is_file(&at(a, "base/deployment.yaml")) && !a.is_dir(&at(a, "base/deployment.yaml")));
    assert!(a.is_dir(&at(a, "")) && a.exists(&at(a, "overlay/../base")));
    assert!(a.file_ref(&at(a, "base")).is_none());
    // the root-only restrictor holds inside the artifact
    let e = a
        .resolve(
            &at(a, "overlay"),
            "../base/deployment.yaml",
            Some(&at(a, "overlay")),
            Span::NONE,
        )
        .expect_err("restricted");
    assert_eq!(e.code, "load-restrictor");
    assert!(Path::new(&a.display(&at(a, "overlay"))).starts_with("<ExternalArtifact ns"));
}
