//! kustomize's built-in field specs (api/konfig/builtinpluginconsts), as configuration documents.
//! Each `---` document is one of kustomize's files; they are merged at start-up.

pub const DEFAULT_CONFIG: &str = r#"
namePrefix:
- path: metadata/name
nameSuffix:
- path: metadata/name
---
namespace:
- path: metadata/namespace
  create: true
---
commonAnnotations:
- path: metadata/annotations
  create: true
---
commonLabels:
- path: metadata/labels
  create: true
- path: spec/selector
  create: true
  version: v1
  kind: Service
- path: spec/selector/matchLabels
  create: true
  kind: Deployment
- path: spec/template/metadata/labels
  create: true
  kind: Deployment
---
images:
- path: spec/containers[]/image
  create: true
- path: spec/initContainers[]/image
  create: true
- path: spec/template/spec/containers[]/image
  create: true
- path: spec/template/spec/initContainers[]/image
  create: true
---
replicas:
- path: spec/replicas
  create: true
  kind: Deployment
- path: spec/replicas
  create: true
  kind: ReplicationController
- path: spec/replicas
  create: true
  kind: ReplicaSet
- path: spec/replicas
  create: true
  kind: StatefulSet
"#;
