use crate::source::FileId;
use crate::yaml::SetBy;
use crate::yaml::parse::parse_stream;

use super::*;

fn doc(text: &str, file: u32, by: SetBy) -> Node {
    let docs = parse_stream(text, FileId(file), by).expect("yaml");
    docs.into_iter().next().expect("one document").root
}

fn run(base: &str, patch: &str) -> Result<(Node, Outcome)> {
    let mut target = doc(base, 1, SetBy::Resource);
    let patch = doc(patch, 2, SetBy::Patch);
    let schema = Schema::builtin();
    let out = apply(&mut target, &patch, &schema, Options::default())?;
    Ok((target, out))
}

fn json(n: &Node) -> serde_json::Value {
    n.to_json()
}

const DEP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        env: [{name: A, value: '1'}, {name: B, value: '2'}]\n      - name: side\n        image: side:1\n";

#[test]
fn containers_and_env_merge_by_name_patch_first() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env: [{name: B, value: '3'}, {name: C, value: '4'}]\n      - name: new\n        image: new:1\n";
    let (out, outcome) = run(DEP, patch).expect("merge");
    assert_eq!(outcome, Outcome::Merged);
    let c = json(&out)["spec"]["template"]["spec"]["containers"].clone();
    let names: Vec<_> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, ["app", "new", "side"]);
    let env: Vec<_> = c[0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(env, ["B", "C", "A"]);
    assert_eq!(c[0]["image"], "app:1");
}

#[test]
fn patch_values_keep_patch_origins_and_identity_keeps_resource_origin() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n";
    let (out, _) = run(DEP, patch).expect("merge");
    let image = out
        .get_path(&["spec", "template", "spec", "containers"])
        .and_then(|c| c.as_seq())
        .and_then(|c| c[0].get("image"))
        .expect("image");
    assert_eq!(image.origin.by, SetBy::Patch);
    assert!(
        image.origin.prev.is_some(),
        "remembers the value it replaced"
    );
    let name = out.get_path(&["metadata", "name"]).expect("name");
    assert_eq!(name.origin.by, SetBy::Resource);
    assert_eq!(out.get("kind").expect("kind").origin.by, SetBy::Resource);
}

#[test]
fn delete_directive_at_top_deletes_resource() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n";
    let (out, outcome) = run(DEP, patch).expect("merge");
    assert_eq!(outcome, Outcome::Deleted);
    assert!(out.is_null());
}

#[test]
fn unknown_directive_is_an_error_at_its_value() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    $patch: bogus\n";
    let err = run(DEP, patch).expect_err("bogus directive");
    assert_eq!(err.code, "patch-directive");
    assert!(err.message.contains("'bogus'"));
    assert_eq!(err.span.map(|s| s.file), Some(FileId(2)));
}

#[test]
fn other_directives_stay_as_fields_and_lists_of_unknown_kinds_are_replaced() {
    let base = "apiVersion: ex.com/v1\nkind: W\nmetadata: {name: w}\nspec:\n  items: [{name: a}, {name: b}]\n";
    let patch = "apiVersion: ex.com/v1\nkind: W\nmetadata: {name: w}\nspec:\n  $retainKeys: [items]\n  items: [{name: c}]\n";
    let (out, _) = run(base, patch).expect("merge");
    let spec = json(&out)["spec"].clone();
    assert_eq!(spec["items"], serde_json::json!([{"name": "c"}]));
    assert_eq!(spec["$retainKeys"], serde_json::json!(["items"]));
}

#[test]
fn type_mismatch_is_an_error() {
    let patch =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template: hello\n";
    let err = run(DEP, patch).expect_err("mismatch");
    assert_eq!(err.code, "patch-type");
}
