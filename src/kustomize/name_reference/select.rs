//! Choosing the resource a reference points at (kustomize's `nameref.selectReferral`).

use crate::error::{Error, Result};
use crate::source::Span;
use crate::yaml::Origin;

use super::Referrer;
use crate::kustomize::resource::{Gvk, ResId, Resource};

/// A snapshot of a resource as a possible target of references.
pub(crate) struct Target {
    pub id: ResId,
    pub org_id: ResId,
    pub previous: Vec<ResId>,
    pub name_origin: Origin,
    pub namespace_origin: Origin,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
}

impl Target {
    pub fn of(r: &Resource) -> Target {
        let origin_at = |field: &str| {
            r.node
                .get_path(&["metadata", field])
                .map(|n| n.origin.clone())
        };
        let name_origin = origin_at("name").unwrap_or_else(|| r.node.origin.clone());
        Target {
            id: r.id(),
            org_id: r.org_id(),
            previous: r.previous_ids(),
            namespace_origin: origin_at("namespace").unwrap_or_else(|| name_origin.clone()),
            name_origin,
            prefixes: r.name_prefixes.clone(),
            suffixes: r.name_suffixes.clone(),
        }
    }
}

fn selected(id: &ResId, sel: &Gvk) -> bool {
    id.gvk.matches(&sel.group, &sel.version, &sel.kind)
}

/// Do two affix lists end the same way (an empty list only matches an empty list)?
pub(crate) fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// The target `old` refers to, among `candidates` (indexes into `targets`); `None` when there is none.
/// `with_namespace`: the reference is a `{name, namespace}` map, so candidates that differ only by
/// namespace are not interchangeable.
#[allow(clippy::too_many_arguments)]
pub(crate) fn select(
    referrer: &Referrer,
    old: &str,
    candidates: &[usize],
    targets: &[Target],
    target_gvk: &Gvk,
    role_ref: Option<&Gvk>,
    with_namespace: bool,
    span: Span,
) -> Result<Option<usize>> {
    let referrer_cluster = referrer.id.gvk.is_cluster_scoped();
    let mut c: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&j| {
            let t = &targets[j];
            t.previous.iter().any(|p| p.name == old)
                && t.previous.iter().any(|p| selected(p, target_gvk))
                && role_ref.is_none_or(|g| t.previous.iter().any(|p| selected(p, g)))
                && (referrer_cluster
                    || t.id.gvk.is_cluster_scoped()
                    || t.id.gvk.kind == "ServiceAccount"
                    || t.id.effective_namespace() == referrer.id.effective_namespace())
        })
        .collect();
    if c.len() == 1 {
        return Ok(Some(c[0]));
    }
    c.retain(|&j| {
        same_ending(&targets[j].prefixes, &referrer.prefixes)
            && same_ending(&targets[j].suffixes, &referrer.suffixes)
    });
    match c.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        [first, rest @ ..] => {
            let f = &targets[*first].id;
            let identical = rest.iter().all(|&j| {
                let t = &targets[j].id;
                t.name == f.name && (!with_namespace || t.namespace == f.namespace)
            });
            if identical {
                return Ok(Some(*first));
            }
            let ids: Vec<String> = c.iter().map(|&j| targets[j].id.to_string()).collect();
            Err(Error::at(
                "name-reference",
                span,
                format!("found multiple possible referrals: {}", ids.join(", ")),
            )
            .with_label("ambiguous reference")
            .with_help("give the candidates distinct names, or put them in different namespaces"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn same_ending_matches_kustomize() {
        assert!(same_ending(&v(&["a", "b", "c"]), &v(&["b", "c"])));
        assert!(!same_ending(&v(&["a", "b", "c"]), &v(&["a", "b"])));
        assert!(!same_ending(&v(&[]), &v(&["a"])));
        assert!(same_ending(&v(&[]), &v(&[])));
    }
}
