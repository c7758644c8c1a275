use super::*;
use crate::source::FileId;
use crate::yaml::{SetBy, parse_stream};

fn check(text: &str) -> Vec<String> {
    let docs = parse_stream(text, FileId(0), SetBy::Resource).unwrap_or_default();
    let root = &docs[0].root;
    let m = root.as_map().unwrap();
    let api = m.get("apiVersion").and_then(Node::as_str).unwrap();
    let kind = m.get("kind").and_then(Node::as_str).unwrap();
    let (c, _) = bundle().get(api, kind).expect("a built-in schema");
    validate(c, root, &|_| false)
        .into_iter()
        .map(|p| format!("{}: {}", p.pointer, p.message))
        .collect()
}

#[test]
fn the_bundle_has_kubernetes_and_flux_kinds() {
    let (k8s, flux) = bundle().counts();
    assert!(k8s > 60, "{k8s} Kubernetes kinds");
    assert!(flux > 40, "{flux} Flux kinds");
    assert_eq!(bundle().kubernetes, "1.35");
}

#[test]
fn a_correct_deployment_passes() {
    let ok = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  creationTimestamp: null\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports:\n        - containerPort: 80\n        resources:\n          limits: {cpu: 500m, memory: 1Gi}\n          requests: {cpu: 0.5, memory: 512Mi}\n";
    assert_eq!(check(ok), Vec::<String>::new());
}

#[test]
fn typos_types_and_quantities_are_found() {
    let bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    spec:\n      containers:\n      - name: web\n        ports:\n        - containerPort: \"80\"\n        resources:\n          limits: {memory: 1GB}\n";
    assert_eq!(
        check(bad),
        vec![
            "/spec/replica: unknown field spec.replica".to_string(),
            "/spec/template/spec/containers/0/ports/0/containerPort: spec.template.spec.containers[0].ports[0].containerPort is a string \"80\", expected a whole number".to_string(),
            "/spec/template/spec/containers/0/resources/limits/memory: spec.template.spec.containers[0].resources.limits.memory is \"1GB\", which is not a Kubernetes quantity".to_string(),
        ]
    );
}

#[test]
fn flux_kinds_are_strict() {
    let bad = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  interval: 10 minutes\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepo\n    name: flux-system\n  dependsOn:\n  - nme: infra\n";
    assert_eq!(
        check(bad),
        vec![
            "/spec/interval: spec.interval is \"10 minutes\", which is not a duration Flux accepts".to_string(),
            "/spec/sourceRef/kind: spec.sourceRef.kind is \"GitRepo\", expected one of OCIRepository, GitRepository, Bucket, ExternalArtifact".to_string(),
            "/spec/dependsOn/0/nme: unknown field spec.dependsOn[0].nme".to_string(),
            "/spec/dependsOn/0: spec.dependsOn[0] is missing the required field \"name\"".to_string(),
        ]
    );
}

#[test]
fn sops_secrets_pass() {
    let ok = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  key: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n  plain: aGVsbG8=\nstringData:\n  other: ENC[AES256_GCM,data:abc]\nsops:\n  mac: x\n  lastmodified: '2024-01-01T00:00:00Z'\n";
    assert_eq!(check(ok), Vec::<String>::new());
}
