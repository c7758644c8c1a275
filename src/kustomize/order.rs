//! Output order: kustomize's legacy kind order (the default), or FIFO (`sortOptions: {order: fifo}`),
//! with `legacySortOptions` to change the kind lists.

use crate::error::{Error, Result};
use crate::yaml::Node;

use super::kustomization::Kustomization;
use super::resource::{ResId, ResMap};

const DEFAULT_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const DEFAULT_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts the final resources as the top-level kustomization asks.
pub fn sort(k: &Kustomization, resmap: &mut ResMap) -> Result<()> {
    let (first, last) = match k.field("sortOptions") {
        None => (
            to_strings(DEFAULT_ORDER_FIRST),
            to_strings(DEFAULT_ORDER_LAST),
        ),
        Some(opts) => {
            let order = opts.str_at(&["order"]).unwrap_or("");
            let legacy = opts.get("legacySortOptions").filter(|n| !n.is_null());
            match order {
                "fifo" => {
                    if let Some(l) = legacy {
                        return Err(Error::at(
                            "sort-options",
                            l.span(),
                            "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                        ));
                    }
                    return Ok(());
                }
                "legacy" => match legacy {
                    None => (
                        to_strings(DEFAULT_ORDER_FIRST),
                        to_strings(DEFAULT_ORDER_LAST),
                    ),
                    Some(l) => (kinds(l, "orderFirst"), kinds(l, "orderLast")),
                },
                _ => {
                    let span = opts.get("order").map(Node::span).unwrap_or(opts.span());
                    return Err(Error::at(
                        "sort-options",
                        span,
                        "the field 'sortOptions.order' must be one of [fifo, legacy]",
                    ));
                }
            }
        }
    };
    let rank = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    let mut keyed: Vec<_> = std::mem::take(&mut resmap.resources)
        .into_iter()
        .map(|r| {
            let id = r.id();
            (rank(&id.gvk.kind), gvk_string(&id), id_string(&id), r)
        })
        .collect();
    keyed.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    resmap.resources = keyed.into_iter().map(|x| x.3).collect();
    Ok(())
}

fn to_strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn kinds(n: &Node, key: &str) -> Vec<String> {
    n.get(key)
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(Node::scalar_string).collect())
        .unwrap_or_default()
}

fn gvk_string(id: &ResId) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&id.gvk.group, "~G"),
        or(&id.gvk.version, "~V"),
        or(&id.gvk.kind, "~K")
    )
}

fn id_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let name = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{}|{}", gvk_string(id), ns, name)
}
