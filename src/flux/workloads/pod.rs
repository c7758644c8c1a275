//! What one pod of a workload counts against a ResourceQuota, with Kubernetes' rules:
//!
//! - a container's request defaults to its limit (API defaulting), then to the namespace
//!   LimitRange's `defaultRequest` (itself defaulting to `default`, `max`, `min`); a limit defaults
//!   to the LimitRange's `default` (or `max`);
//! - a pod's value is the larger of (app containers + sidecar init containers) and each ordinary
//!   init container plus the sidecars started before it (init containers run one at a time);
//! - a quota on `requests.cpu` (or any other compute resource) refuses a pod with a container that
//!   ends up without that value: that container is returned as the error.

use crate::yaml::Node;

use super::quantity::Quantity;
use super::{Container, Workload, effective_namespace};
use crate::flux::Environment;

/// The `type: Container` items of the LimitRanges in a namespace.
#[derive(Default)]
pub struct Defaults<'a> {
    items: Vec<&'a Node>,
}

impl<'a> Defaults<'a> {
    pub fn of_namespace(env: &'a Environment, namespace: &str) -> Defaults<'a> {
        let mut items = Vec::new();
        for lr in env.of_kind("LimitRange") {
            if effective_namespace(&lr.resource) != namespace {
                continue;
            }
            let limits = lr.resource.node.get_path(&["spec", "limits"]);
            for item in limits.and_then(Node::as_seq).into_iter().flatten() {
                if item.get("type").and_then(Node::as_str) == Some("Container") {
                    items.push(item);
                }
            }
        }
        Defaults { items }
    }

    fn first(&self, fields: &[&str], resource: &str) -> Option<Quantity> {
        fields.iter().find_map(|f| {
            self.items
                .iter()
                .find_map(|i| i.get_path(&[f, resource]).and_then(Quantity::of))
        })
    }

    fn request(&self, resource: &str) -> Option<Quantity> {
        self.first(&["defaultRequest", "default", "max", "min"], resource)
    }

    fn limit(&self, resource: &str) -> Option<Quantity> {
        self.first(&["default", "max"], resource)
    }
}

/// A quota key (`requests.cpu`, `limits.memory`, `cpu`) as (is it a limit, resource name).
pub fn split_key(key: &str) -> (bool, &str) {
    if let Some(r) = key.strip_prefix("limits.") {
        (true, r)
    } else if let Some(r) = key.strip_prefix("requests.") {
        (false, r)
    } else {
        (false, key)
    }
}

/// The value of one container for a quota key, after defaulting; `None` when it has none.
pub fn container_value(c: &Container, key: &str, d: &Defaults) -> Option<Quantity> {
    let (limit, res) = split_key(key);
    let explicit = |n: Option<&Node>| n.map(|n| Quantity::of(n).unwrap_or_default());
    if limit {
        explicit(c.limit(res)).or_else(|| d.limit(res))
    } else {
        explicit(c.request(res))
            .or_else(|| explicit(c.limit(res)))
            .or_else(|| d.request(res))
    }
}

/// What one pod of `w` counts for `key`; the first container without a value is the error.
pub fn pod_total<'a>(w: &Workload<'a>, key: &str, d: &Defaults) -> Result<Quantity, Container<'a>> {
    let mut running = Quantity::ZERO;
    let mut sidecars_so_far = Quantity::ZERO;
    let mut peak = Quantity::ZERO;
    for c in w.containers() {
        let Some(v) = container_value(&c, key, d) else {
            return Err(c);
        };
        match (c.init, c.sidecar) {
            (false, _) => running = running + v,
            (true, true) => {
                running = running + v;
                sidecars_so_far = sidecars_so_far + v;
            }
            (true, false) => peak = peak.max(sidecars_so_far + v),
        }
    }
    Ok(running.max(peak))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::Applied;
    use crate::flux::workloads::workload;
    use crate::kustomize::resource::Resource;
    use crate::source::{FileId, Span};
    use crate::yaml::{SetBy, parse_stream};

    fn applied(text: &str) -> Applied {
        let docs = parse_stream(text, FileId::NONE, SetBy::Resource).unwrap_or_default();
        let root = docs.into_iter().next().map(|d| d.root);
        let root = root.unwrap_or_else(|| Node::null(crate::yaml::Origin::none()));
        Applied {
            resource: Resource::new(root, Span::NONE),
            unit: 0,
        }
    }

    const POD: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
        - {name: log, restartPolicy: Always, resources: {requests: {cpu: 50m}}}
        - {name: migrate, resources: {limits: {cpu: 700m}}}
      containers:
        - {name: a, resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}}
        - {name: b, resources: {requests: {cpu: 200m}}}
";

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_default()
    }

    #[test]
    fn init_containers_peak_and_sidecars_add() {
        let a = applied(POD);
        let Some(w) = workload(&a) else {
            panic!("not a workload")
        };
        let d = Defaults::default();
        // app 100m + 200m + sidecar 50m = 350m; migrate (request from its limit) 700m + 50m
        assert_eq!(pod_total(&w, "requests.cpu", &d).ok(), Some(q("750m")));
        // container b has no cpu limit and no LimitRange gives one
        assert_eq!(
            pod_total(&w, "limits.cpu", &d).err().map(|c| c.name),
            Some("b")
        );
    }

    #[test]
    fn quota_keys() {
        assert_eq!(split_key("limits.memory"), (true, "memory"));
        assert_eq!(split_key("requests.cpu"), (false, "cpu"));
        assert_eq!(split_key("cpu"), (false, "cpu"));
    }
}
