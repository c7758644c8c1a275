//! Plain Kubernetes resources (base and overlay `resources:`), each registered in the model.

use crate::kust::Gen;
use crate::model::{Container, Workload};
use crate::yaml::Y;
use crate::{ylist, ymap};

const APPS: &[&str] = &["web", "api", "worker", "cache", "frontend", "billing"];
const IMAGES: &[&str] = &[
    "nginx:1.25",
    "nginx",
    "registry.example.com/team/api:v1.2.0",
    "busybox:1.36",
    "redis:7.2",
    "ghcr.io/acme/worker@sha256:4c0f1d3a5e6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
];
const SIDECARS: &[&str] = &["sidecar", "log-shipper", "proxy"];

fn meta(name: &str, labels: Y) -> Y {
    let mut m = ymap! { "name" => name };
    if !labels.is_empty_collection() {
        m.set("labels", labels);
    }
    m
}

pub fn config_map(g: &mut Gen) -> Y {
    let name = g.model.fresh("settings");
    let keys: Vec<String> = ["mode", "region", "feature.flag"][..g.rng.range(1, 3)]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut data = Y::Map(Vec::new());
    for k in &keys {
        let v = match g.rng.below(4) {
            0 => Y::from("true"),
            1 => Y::from("8080"),
            2 => Y::from("line one\nline two\n"),
            _ => Y::from(format!("{k}-value")),
        };
        data.set(k, v);
    }
    g.model.add("ConfigMap", "v1", &name);
    g.model.config_maps.push((name.clone(), keys));
    ymap! {
        "apiVersion" => "v1",
        "kind" => "ConfigMap",
        "metadata" => meta(&name, ymap! { "app" => "shared" }),
        "data" => data,
    }
}

pub fn secret(g: &mut Gen) -> Y {
    let name = g.model.fresh("credentials");
    let mut s = ymap! {
        "apiVersion" => "v1",
        "kind" => "Secret",
        "metadata" => meta(&name, ymap! { "app" => "shared" }),
        "type" => "Opaque",
    };
    if g.rng.chance(50) {
        s.set(
            "stringData",
            ymap! { "username" => "admin", "password" => "s3cr3t" },
        );
    } else {
        s.set(
            "data",
            ymap! { "username" => "YWRtaW4=", "password" => "czNjcjN0" },
        );
    }
    g.model.add("Secret", "v1", &name);
    g.model
        .secrets
        .push((name, vec!["username".into(), "password".into()]));
    s
}

pub fn service_account(g: &mut Gen) -> Y {
    let name = g.model.fresh("runner");
    g.model.add("ServiceAccount", "v1", &name);
    ymap! { "apiVersion" => "v1", "kind" => "ServiceAccount", "metadata" => meta(&name, Y::Map(vec![])) }
}

pub fn role_binding(g: &mut Gen, sa: &str) -> Y {
    let name = g.model.fresh(&format!("{sa}-view"));
    g.model
        .add("RoleBinding", "rbac.authorization.k8s.io/v1", &name);
    let mut subject = ymap! { "kind" => "ServiceAccount", "name" => sa };
    if g.rng.chance(40) {
        subject.set("namespace", "default");
    }
    ymap! {
        "apiVersion" => "rbac.authorization.k8s.io/v1",
        "kind" => "RoleBinding",
        "metadata" => meta(&name, Y::Map(vec![])),
        "roleRef" => ymap! { "apiGroup" => "rbac.authorization.k8s.io", "kind" => "ClusterRole", "name" => "view" },
        "subjects" => ylist![subject],
    }
}

pub fn pvc(g: &mut Gen) -> Y {
    let name = g.model.fresh("data");
    g.model.add("PersistentVolumeClaim", "v1", &name);
    ymap! {
        "apiVersion" => "v1",
        "kind" => "PersistentVolumeClaim",
        "metadata" => meta(&name, ymap! { "app" => "storage" }),
        "spec" => ymap! {
            "accessModes" => vec!["ReadWriteOnce"],
            "resources" => ymap! { "requests" => ymap! { "storage" => "1Gi" } },
        },
    }
}

/// An object of a custom resource kind (no schema: strategic merge replaces its lists).
pub fn widget(g: &mut Gen) -> Y {
    let name = g.model.fresh("gadget");
    g.model.add("Widget", "example.com/v1alpha1", &name);
    ymap! {
        "apiVersion" => "example.com/v1alpha1",
        "kind" => "Widget",
        "metadata" => meta(&name, ymap! { "app" => "gadget" }),
        "spec" => ymap! {
            "size" => 3i64,
            "items" => ylist![ymap! { "name" => "a", "value" => 1i64 }, ymap! { "name" => "b", "value" => 2i64 }],
            "selector" => ymap! { "app" => "gadget" },
        },
    }
}

/// Env entries, `envFrom`, volumes and mounts that refer to ConfigMaps, Secrets and claims in the model.
fn references(
    g: &mut Gen,
    env: &mut Vec<Y>,
    env_names: &mut Vec<String>,
    env_from: &mut Vec<Y>,
    volumes: &mut Vec<Y>,
    mounts: &mut Vec<Y>,
    claims: bool,
) {
    let cms = g.model.config_maps.clone();
    let secrets = g.model.secrets.clone();
    for (i, (name, keys)) in cms.iter().enumerate() {
        match g.rng.below(4) {
            0 => env_from.push(ymap! { "configMapRef" => ymap! { "name" => name } }),
            1 => {
                let key = g.rng.pick(keys).clone();
                let var = format!("CFG_{i}");
                env.push(ymap! { "name" => var.clone(), "valueFrom" => ymap! { "configMapKeyRef" => ymap! { "name" => name, "key" => key } } });
                env_names.push(var);
            }
            2 => {
                let vol = format!("cfg-{i}");
                let mut src = ymap! { "name" => name };
                if g.rng.chance(30) {
                    let key = g.rng.pick(keys).clone();
                    src.set("items", ylist![ymap! { "key" => key, "path" => "conf" }]);
                }
                volumes.push(ymap! { "name" => vol.clone(), "configMap" => src });
                mounts.push(ymap! { "name" => vol, "mountPath" => format!("/etc/cfg-{i}") });
            }
            _ => {}
        }
    }
    for (i, (name, keys)) in secrets.iter().enumerate() {
        match g.rng.below(4) {
            0 => env_from.push(ymap! { "secretRef" => ymap! { "name" => name } }),
            1 => {
                let key = g.rng.pick(keys).clone();
                let var = format!("SECRET_{i}");
                env.push(ymap! { "name" => var.clone(), "valueFrom" => ymap! { "secretKeyRef" => ymap! { "name" => name, "key" => key } } });
                env_names.push(var);
            }
            2 => {
                let vol = format!("secret-{i}");
                volumes.push(
                    ymap! { "name" => vol.clone(), "secret" => ymap! { "secretName" => name } },
                );
                mounts.push(ymap! { "name" => vol, "mountPath" => format!("/etc/secret-{i}") });
            }
            _ => {}
        }
    }
    if claims {
        for (i, claim) in g.model.of_kind("PersistentVolumeClaim").iter().enumerate() {
            if g.rng.chance(60) {
                let vol = format!("claim-{i}");
                volumes.push(ymap! { "name" => vol.clone(), "persistentVolumeClaim" => ymap! { "claimName" => claim.orig.clone() } });
                mounts.push(ymap! { "name" => vol, "mountPath" => format!("/data/{i}") });
            }
        }
    }
}

/// A Deployment or StatefulSet with a main container and maybe a sidecar.
pub fn workload(g: &mut Gen, kind: &'static str) -> Y {
    let stem = *g.rng.pick(APPS);
    let name = g.model.fresh(stem);
    let main_name = if g.rng.chance(50) {
        "app".to_string()
    } else {
        name.clone()
    };
    let image = g.rng.pick(IMAGES).to_string();
    let mut env = vec![ymap! { "name" => "LOG_LEVEL", "value" => "info" }];
    let mut env_names = vec!["LOG_LEVEL".to_string()];
    let (mut env_from, mut volumes, mut mounts) = (vec![], vec![], vec![]);
    references(
        g,
        &mut env,
        &mut env_names,
        &mut env_from,
        &mut volumes,
        &mut mounts,
        kind == "Deployment",
    );
    let mut main = ymap! {
        "name" => main_name.clone(),
        "image" => image.clone(),
        "ports" => ylist![ymap! { "name" => "http", "containerPort" => 8080i64 }],
        "env" => Y::List(env),
        "resources" => ymap! { "requests" => ymap! { "cpu" => "100m", "memory" => "128Mi" } },
    };
    if !env_from.is_empty() {
        main.set("envFrom", Y::List(env_from));
    }
    if !mounts.is_empty() {
        main.set("volumeMounts", Y::List(mounts));
    }
    let mut containers = vec![Container {
        name: main_name,
        image,
        env: env_names,
    }];
    let mut pod_containers = vec![main];
    if g.rng.chance(40) {
        let side = g.rng.pick(SIDECARS).to_string();
        pod_containers.push(ymap! { "name" => side.clone(), "image" => "busybox:1.36", "args" => vec!["sleep", "infinity"] });
        containers.push(Container {
            name: side,
            image: "busybox:1.36".into(),
            env: vec![],
        });
    }
    let mut pod = ymap! { "containers" => Y::List(pod_containers) };
    if let Some(sa) = g.model.of_kind("ServiceAccount").first()
        && g.rng.chance(70)
    {
        pod.set("serviceAccountName", sa.orig.clone());
    }
    if !volumes.is_empty() {
        pod.set("volumes", Y::List(volumes));
    }
    let mut spec = ymap! {
        "replicas" => g.rng.range(1, 3),
        "selector" => ymap! { "matchLabels" => ymap! { "app" => name.clone() } },
        "template" => ymap! {
            "metadata" => ymap! { "labels" => ymap! { "app" => name.clone() } },
            "spec" => pod,
        },
    };
    if kind == "StatefulSet" {
        spec.set("serviceName", name.clone());
        spec.set(
            "volumeClaimTemplates",
            ylist![ymap! {
                "metadata" => ymap! { "name" => "state" },
                "spec" => ymap! {
                    "accessModes" => vec!["ReadWriteOnce"],
                    "resources" => ymap! { "requests" => ymap! { "storage" => "2Gi" } },
                },
            }],
        );
    }
    g.model.add(kind, "apps/v1", &name);
    g.model.workloads.push(Workload {
        kind,
        name: name.clone(),
        containers,
        has_tier: true,
    });
    ymap! {
        "apiVersion" => "apps/v1",
        "kind" => kind,
        "metadata" => meta(&name, ymap! { "app" => name.clone(), "tier" => "backend" }),
        "spec" => spec,
    }
}

pub fn service(g: &mut Gen, app: &str) -> Y {
    let name = app.to_string();
    g.model.add("Service", "v1", &name);
    ymap! {
        "apiVersion" => "v1",
        "kind" => "Service",
        "metadata" => meta(&name, ymap! { "app" => app }),
        "spec" => ymap! {
            "selector" => ymap! { "app" => app },
            "ports" => ylist![ymap! { "name" => "http", "port" => 80i64, "targetPort" => "http" }],
        },
    }
}

pub fn ingress(g: &mut Gen, service: &str) -> Y {
    let name = g.model.fresh(&format!("{service}-ingress"));
    g.model.add("Ingress", "networking.k8s.io/v1", &name);
    let mut spec = ymap! {
        "rules" => ylist![ymap! {
            "host" => format!("{service}.example.com"),
            "http" => ymap! { "paths" => ylist![ymap! {
                "path" => "/",
                "pathType" => "Prefix",
                "backend" => ymap! { "service" => ymap! { "name" => service, "port" => ymap! { "number" => 80i64 } } },
            }] },
        }],
    };
    if let Some((secret, _)) = g.model.secrets.first().cloned()
        && g.rng.chance(40)
    {
        spec.set(
            "tls",
            ylist![
                ymap! { "hosts" => vec![format!("{service}.example.com")], "secretName" => secret }
            ],
        );
    }
    ymap! {
        "apiVersion" => "networking.k8s.io/v1",
        "kind" => "Ingress",
        "metadata" => meta(&name, ymap! { "app" => service }),
        "spec" => spec,
    }
}

pub fn hpa(g: &mut Gen, deployment: &str) -> Y {
    let name = g.model.fresh(&format!("{deployment}-hpa"));
    g.model
        .add("HorizontalPodAutoscaler", "autoscaling/v2", &name);
    ymap! {
        "apiVersion" => "autoscaling/v2",
        "kind" => "HorizontalPodAutoscaler",
        "metadata" => meta(&name, ymap! { "app" => deployment }),
        "spec" => ymap! {
            "scaleTargetRef" => ymap! { "apiVersion" => "apps/v1", "kind" => "Deployment", "name" => deployment },
            "minReplicas" => 2i64,
            "maxReplicas" => 10i64,
        },
    }
}
