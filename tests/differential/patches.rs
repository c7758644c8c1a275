//! Strategic-merge patches: by id, with targets, inline or from files, and the legacy field.

use crate::kust::{Gen, Kust};
use crate::model::Workload;
use crate::yaml::Y;
use crate::{ylist, ymap};

/// How a patch reaches the kustomization: inline, a file, or the legacy `patchesStrategicMerge` field.
pub fn deliver_smp(g: &mut Gen, k: &mut Kust, doc: Y, target: Option<Y>) {
    let file = format!("patch-{}.yaml", g.next_id());
    let il = g.indent_style();
    match (g.rng.below(10), target) {
        (0..=3, target) => {
            let mut entry = ymap! { "patch" => doc.to_yaml(il) };
            if let Some(t) = target {
                entry.set("target", t);
            }
            k.push("patches", entry);
        }
        // the legacy field runs before `patches`: only while there are none, so the model's order holds
        (4, None) if !k.has("patches") => {
            g.tree.add_yaml(format!("{}/{file}", k.dir), &[doc], il);
            k.push("patchesStrategicMerge", file);
        }
        (_, target) => {
            g.tree.add_yaml(format!("{}/{file}", k.dir), &[doc], il);
            let mut entry = ymap! { "path" => file };
            if let Some(t) = target {
                entry.set("target", t);
            }
            k.push("patches", entry);
        }
    }
}

/// `apiVersion`, `kind` and `metadata` naming a resource: by its original name, or by what it is called
/// now (which only matches together with its current namespace).
fn header(g: &mut Gen, api_version: &str, kind: &str, orig: &str) -> Y {
    let mut meta = ymap! { "name" => orig };
    if g.rng.chance(30) {
        let (name, namespace) = g.model.current(kind, orig);
        meta.set("name", name);
        if let Some(ns) = namespace {
            meta.set("namespace", ns);
        }
    }
    ymap! { "apiVersion" => api_version, "kind" => kind, "metadata" => meta }
}

/// The list item for container `name` in a patch's `containers`, added when missing.
fn entry<'a>(containers: &'a mut Vec<Y>, name: &str) -> &'a mut Y {
    let named = Y::from(name);
    let i = match containers
        .iter()
        .position(|c| c.get("name") == Some(&named))
    {
        Some(i) => i,
        None => {
            containers.push(ymap! { "name" => name });
            containers.len() - 1
        }
    };
    &mut containers[i]
}

/// A patch on a Deployment or StatefulSet touching a few random things.
pub fn workload_patch(g: &mut Gen, k: &mut Kust) {
    let Some(w) = pick_workload(g) else { return };
    let mut doc = header(g, "apps/v1", w.kind, &w.name);
    let mut spec = Y::Map(Vec::new());
    let mut pod = Y::Map(Vec::new());
    let mut containers = Vec::new();
    if g.rng.chance(40) {
        spec.set("replicas", g.rng.range(2, 6));
    }
    if g.rng.chance(60) {
        container_update(g, &w, &mut containers);
    }
    if g.rng.chance(25) {
        let name = g.model.fresh("metrics");
        let c = entry(&mut containers, &name);
        c.set("image", "prom/exporter:v0.1");
        c.set("ports", ylist![ymap! { "containerPort" => 9100i64 }]);
    }
    if w.containers.len() > 1 && g.rng.chance(30) {
        let victim = w.containers[1 + g.rng.below(w.containers.len() - 1)]
            .name
            .clone();
        if w.main_container().is_none_or(|m| m.name != victim) {
            // one list item per name: the delete replaces any update of the same container
            containers.retain(|c| c.get("name") != Some(&Y::from(victim.as_str())));
            containers.push(ymap! { "name" => victim, "$patch" => "delete" });
        }
    }
    if g.rng.chance(30) {
        env_reference(g, &w, &mut containers, &mut pod);
    }
    if g.rng.chance(20) {
        pod.set("terminationGracePeriodSeconds", 45i64);
    }
    if let Some(m) = g.model.workload_mut(&w.name) {
        m.apply_containers_patch(&containers);
    }
    if !containers.is_empty() {
        pod.set("containers", Y::List(containers));
    }
    let mut template = Y::Map(Vec::new());
    if g.rng.chance(25) {
        template.set(
            "metadata",
            ymap! { "annotations" => ymap! { "checksum/config" => "abc123" } },
        );
    }
    if !pod.is_empty_collection() {
        template.set("spec", pod);
    }
    if !template.is_empty_collection() {
        spec.set("template", template);
    }
    if w.has_tier && g.rng.chance(20) {
        // a null deletes the key
        if let Some(meta) = doc.get_mut("metadata") {
            meta.set("labels", ymap! { "tier" => Y::Null });
        }
        if let Some(m) = g.model.workload_mut(&w.name) {
            m.has_tier = false;
        }
    }
    if spec.is_empty_collection() {
        spec.set("replicas", 4i64);
    }
    doc.set("spec", spec);
    deliver_smp(g, k, doc, None);
}

fn pick_workload(g: &mut Gen) -> Option<Workload> {
    if g.model.workloads.is_empty() {
        return None;
    }
    let i = g.rng.below(g.model.workloads.len());
    Some(g.model.workloads[i].clone())
}

/// Changes to an existing container, found by name: image, env (merged by name), resources.
fn container_update(g: &mut Gen, w: &Workload, containers: &mut Vec<Y>) {
    let c = g.rng.pick(&w.containers).clone();
    let image = (g.rng.chance(30))
        .then(|| format!("{}-patched", c.image.split('@').next().unwrap_or("img")));
    let env = g.rng.chance(60).then(|| {
        if let Some(existing) = c.env.iter().find(|e| *e != "LOG_LEVEL")
            && g.rng.chance(30)
        {
            ymap! { "name" => existing.clone(), "$patch" => "delete" }
        } else if g.rng.chance(50) && c.env.iter().any(|e| e == "LOG_LEVEL") {
            ymap! { "name" => "LOG_LEVEL", "value" => "warn" }
        } else {
            ymap! { "name" => format!("PATCHED_{}", g.next_id()), "value" => "yes" }
        }
    });
    let resources = match g.rng.below(3) {
        0 => Some(ymap! { "limits" => ymap! { "cpu" => "500m", "memory" => "256Mi" } }),
        1 if g.rng.chance(40) => Some(Y::Null),
        _ => None,
    };
    let out = entry(containers, &c.name);
    if let Some(image) = image {
        out.set("image", image);
    }
    if let Some(env) = env {
        out.set("env", ylist![env]);
    }
    if let Some(r) = resources {
        out.set("resources", r);
    }
}

/// An env var, envFrom or volume pointing at a ConfigMap/Secret (often one generated in this overlay).
fn env_reference(g: &mut Gen, w: &Workload, containers: &mut Vec<Y>, pod: &mut Y) {
    let Some(main) = w.main_container().map(|c| c.name.clone()) else {
        return;
    };
    let cms = g.model.config_maps.clone();
    let secrets = g.model.secrets.clone();
    let use_secret = !secrets.is_empty() && (cms.is_empty() || g.rng.chance(40));
    let (name, keys) = if use_secret {
        g.rng.pick(&secrets).clone()
    } else if cms.is_empty() {
        return;
    } else {
        g.rng.pick(&cms).clone()
    };
    let Some(key) = keys.first().cloned() else {
        return;
    };
    match g.rng.below(3) {
        0 => {
            let var = format!("REF_{}", key.replace(['.', '-'], "_").to_uppercase());
            let src = if use_secret {
                "secretKeyRef"
            } else {
                "configMapKeyRef"
            };
            let item = ymap! { "name" => var, "valueFrom" => ymap! { src => ymap! { "name" => name, "key" => key } } };
            let e = entry(containers, &main);
            match e.get_mut("env") {
                Some(env) => env.push(item),
                None => e.set("env", ylist![item]),
            }
        }
        1 => {
            let src = if use_secret {
                "secretRef"
            } else {
                "configMapRef"
            };
            entry(containers, &main)
                .set("envFrom", ylist![ymap! { src => ymap! { "name" => name } }]);
        }
        _ => {
            let vol = if use_secret {
                ymap! { "name" => "patched-vol", "secret" => ymap! { "secretName" => name } }
            } else {
                ymap! { "name" => "patched-vol", "configMap" => ymap! { "name" => name } }
            };
            pod.set("volumes", ylist![vol]);
        }
    }
}

/// A patch on some other resource: ConfigMap data, a Service port, the custom resource's list, or a delete.
pub fn other_patch(g: &mut Gen, k: &mut Kust) {
    let pool: Vec<_> = g
        .model
        .resources
        .iter()
        .filter(|r| !matches!(r.kind, "Deployment" | "StatefulSet" | "Secret"))
        .cloned()
        .collect();
    if pool.is_empty() {
        return;
    }
    let r = g.rng.pick(&pool).clone();
    let mut doc = header(g, r.api_version, r.kind, &r.orig);
    if g.rng.chance(10) && !matches!(r.kind, "ConfigMap") {
        doc.set("$patch", "delete");
        g.model.remove(r.kind, &r.orig);
        return deliver_smp(g, k, doc, None);
    }
    match r.kind {
        "ConfigMap" => doc.set("data", ymap! { "patched" => "true", "LOG_LEVEL" => "trace" }),
        "Service" => doc.set("spec", ymap! { "ports" => ylist![ymap! { "port" => 80i64, "targetPort" => 8081i64 }, ymap! { "name" => "metrics", "port" => 9100i64 }] }),
        "Widget" => doc.set("spec", ymap! { "size" => Y::Null, "items" => ylist![ymap! { "name" => "c", "value" => 3i64 }], "color" => "blue" }),
        "HorizontalPodAutoscaler" => doc.set("spec", ymap! { "maxReplicas" => 20i64 }),
        "Ingress" => {
            if let Some(meta) = doc.get_mut("metadata") {
                meta.set("annotations", ymap! { "nginx.ingress.kubernetes.io/rewrite-target" => "/" });
            }
        }
        _ => {
            if let Some(meta) = doc.get_mut("metadata") {
                meta.set("labels", ymap! { "patched" => "yes" });
            }
        }
    }
    deliver_smp(g, k, doc, None);
}

/// A patch by `target` (kind, name regex, label selector) that any kind can take: labels and annotations.
pub fn targeted_patch(g: &mut Gen, k: &mut Kust) {
    let target = crate::json6902::random_target(g, false);
    let mut doc = ymap! {
        "apiVersion" => "v1",
        "kind" => "Ignored",
        "metadata" => ymap! { "name" => "ignored", "annotations" => ymap! { "patched-by" => "target" } },
    };
    if g.rng.chance(30)
        && let Some(meta) = doc.get_mut("metadata")
    {
        meta.set("labels", ymap! { "selected" => "yes" });
    }
    deliver_smp(g, k, doc, Some(target));
}

/// A patch by id naming nothing: kubectl fails.
pub fn broken_patch(g: &mut Gen, k: &mut Kust) {
    let doc = ymap! {
        "apiVersion" => "apps/v1",
        "kind" => "Deployment",
        "metadata" => ymap! { "name" => "does-not-exist" },
        "spec" => ymap! { "replicas" => 1i64 },
    };
    deliver_smp(g, k, doc, None);
}
