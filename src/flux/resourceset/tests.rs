use super::*;
use crate::yaml::parse_stream;

fn load(text: &str) -> (SourceMap, Resource) {
    let sources = SourceMap::new();
    let file = sources.add(
        "rs.yaml".into(),
        std::path::Path::new("rs.yaml"),
        std::sync::Arc::from(text),
    );
    let docs = parse_stream(text, file, SetBy::Resource).expect("yaml");
    let d = docs.into_iter().next().expect("doc");
    (sources, Resource::new(d.root, d.span))
}

fn line_of(sources: &SourceMap, span: Span) -> usize {
    let f = sources.get(span.file).expect("file");
    f.line_col(span.start).0
}

#[test]
fn block_template_keeps_its_lines() {
    let text = "apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSet\nmetadata:\n  name: rs\n  namespace: ns\nspec:\n  inputs:\n    - app: a\n      n: 2\n  resourcesTemplate: |\n    ---\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: << inputs.app >>\n    data:\n      n: << inputs.n | quote >>\n      q: \"<< inputs.n >>\"\n      p: << inputs.n >>\n    ---\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: << inputs.app >>\n    spec:\n      replicas: << inputs.n | int >>\n";
    let (sources, rs) = load(text);
    let out = expand(&rs, &sources).expect("expanded");
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].name(), "a");
    assert_eq!(out[0].node.str_at(&["data", "n"]), Some("2"));
    let replicas = out[1].node.get_path(&["spec", "replicas"]).unwrap();
    assert_eq!(replicas.value, Value::Int(2));
    let name = out[1].node.get_path(&["metadata", "name"]).unwrap();
    assert_eq!(line_of(&sources, name.span()), 24);
    assert_eq!(out[0].node.str_at(&["data", "q"]), Some("2"));
    let p = out[0].node.get_path(&["data", "p"]).unwrap();
    assert_eq!(p.value, Value::Int(2));
}

fn rs(spec: &str) -> String {
    format!(
        "apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSet\nmetadata:\n  name: rs\n  namespace: ns\nspec:\n{spec}"
    )
}

#[test]
fn inline_resources_are_produced_per_input_and_deduplicated() {
    let text = rs(
        "  commonMetadata:\n    labels:\n      team: x\n  inputs:\n    - tenant: a\n    - tenant: b\n  resources:\n    - apiVersion: v1\n      kind: Namespace\n      metadata:\n        name: << inputs.tenant >>\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata:\n        name: shared\n        namespace: << inputs.provider.namespace >>\n",
    );
    let (sources, r) = load(&text);
    let out = expand(&r, &sources).expect("expanded");
    let names: Vec<&str> = out.iter().map(|o| o.name()).collect();
    assert_eq!(names, ["a", "b", "shared"]);
    assert_eq!(out[2].namespace(), "ns");
    assert_eq!(
        out[0].node.str_at(&["metadata", "labels", "team"]),
        Some("x")
    );
    // the produced name points at the template line
    let name = out[1].node.get_path(&["metadata", "name"]).unwrap();
    assert_eq!(line_of(&sources, name.span()), 17);
}

#[test]
fn what_is_not_rendered_says_why() {
    let cases = [
        (
            "  inputsFrom:\n    - kind: ResourceSetInputProvider\n      name: prs\n  resources:\n    - apiVersion: v1\n      kind: Namespace\n      metadata:\n        name: pr-<< inputs.id >>\n",
            "ResourceSetInputProvider prs",
        ),
        (
            "  inputs:\n    - t: a\n  resources:\n    - apiVersion: v1\n      kind: Namespace\n      metadata:\n        name: x\n        annotations:\n          a: << if eq inputs.t \"a\" >>on<< end >>\n",
            "control structures (if)",
        ),
        (
            "  inputs:\n    - t: a\n  resources:\n    - apiVersion: v1\n      kind: Namespace\n      metadata:\n        name: << inputs.nope >>\n",
            "map has no entry for key",
        ),
        (
            "  inputs:\n    - t: a\n  resourcesTemplate: |\n    apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: x\n    <<- if inputs.t >>\n    data: {}\n    <<- end >>\n",
            "control structures (if)",
        ),
    ];
    for (spec, why) in cases {
        let (sources, r) = load(&rs(spec));
        let e = expand(&r, &sources).expect_err("not checked");
        assert!(e.contains(why), "{e}");
        let mut seen = Vec::new();
        let mut notes = Vec::new();
        let out = expand_all(vec![r.clone(), r], 0, &sources, &mut seen, &mut notes);
        assert_eq!(out.len(), 2);
        assert_eq!(seen.len(), 2);
        assert_eq!(notes.len(), 1, "said once");
        assert!(
            notes[0]
                .message
                .starts_with("ResourceSet ns/rs: resources produced at run time from ")
        );
    }
}
