//! Name references (kustomize's NameReferenceTransformer), run once at the end of the build.
//!
//! For every field a `nameReference` entry lists (a ConfigMap name in a pod's `envFrom`, a roleRef,
//! a Service in an Ingress backend, …) the value is compared with the *previous* names of resources
//! of the referenced kind; when exactly one target fits — after kustomize's namespace and
//! prefix/suffix tie-breaking, see [`select`] — the field takes the target's current name (and, for
//! `{name, namespace}` maps such as RBAC subjects, its namespace). Resources never renamed have no
//! previous names and are never a target. The updated value carries the origin of whatever renamed
//! the target (namePrefix, a generator's hash, …), overriding the reference's own.

mod select;

use super::fast_map::FastMap;

use crate::error::{Error, Result};
use crate::yaml::{Node, Origin, Value};

use super::fieldspec::{FieldSpec, TransformerConfig, walk};
use super::resource::{Gvk, ResId, ResMap, Resource};

use select::{Target, select};

/// One reference field of a referrer, and the kind it refers to.
struct Filter<'a> {
    spec: &'a FieldSpec,
    target: Gvk,
}

pub fn fix(resmap: &mut ResMap, config: &TransformerConfig) -> Result<()> {
    let targets: Vec<Target> = resmap.resources.iter().map(Target::of).collect();
    let index = Index::new(&targets);
    let mut refs: Vec<(usize, ResId)> = Vec::new();
    for i in 0..resmap.resources.len() {
        let referrer = &resmap.resources[i];
        let gvk = referrer.org_id().gvk;
        let mut filters = Vec::new();
        for backref in &config.name_reference {
            for spec in &backref.fields {
                if spec.applies_to(&gvk) {
                    filters.push(Filter {
                        spec,
                        target: Gvk {
                            group: backref.group.clone(),
                            version: backref.version.clone(),
                            kind: backref.kind.clone(),
                        },
                    });
                }
            }
        }
        if filters.is_empty() {
            continue;
        }
        let ctx = Referrer::of(referrer);
        let node = &mut resmap.resources[i].node;
        for f in &filters {
            let mut visit = |n: &mut Node| ctx.set(n, f, &targets, &index, &mut refs);
            walk(node, &f.spec.path, false, &Origin::none(), &mut visit)
                .map_err(|e| ctx.wrap(e, f.spec))?;
        }
    }
    for (t, by) in refs {
        let r = &mut resmap.resources[t];
        if !r.refs_by.contains(&by) {
            r.refs_by.push(by);
        }
    }
    Ok(())
}

/// What the selection needs to know about the resource holding the reference.
pub(crate) struct Referrer {
    pub id: ResId,
    pub role_ref: Option<Gvk>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    cluster: bool,
    /// Namespaces of ServiceAccount subjects (a RoleBinding may name accounts elsewhere).
    sa_namespaces: Vec<String>,
}

/// Targets by the names they had before renames, and by original namespace: references look
/// candidates up instead of scanning every resource.
struct Index<'a> {
    by_previous_name: FastMap<&'a str, Vec<usize>>,
    by_original_namespace: FastMap<&'a str, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(targets: &'a [Target]) -> Index<'a> {
        let mut by_previous_name: FastMap<&str, Vec<usize>> = FastMap::default();
        let mut by_original_namespace: FastMap<&str, Vec<usize>> = FastMap::default();
        for (j, t) in targets.iter().enumerate() {
            let mut names: Vec<&str> = t.previous.iter().map(|p| p.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            for n in names {
                by_previous_name.entry(n).or_default().push(j);
            }
            if !t.org_id.gvk.is_cluster_scoped() {
                by_original_namespace
                    .entry(t.org_id.effective_namespace())
                    .or_default()
                    .push(j);
            }
        }
        Index {
            by_previous_name,
            by_original_namespace,
        }
    }

    fn named(&self, name: &str) -> &[usize] {
        self.by_previous_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

impl Referrer {
    /// May this referrer point at `t` (kustomize's `SubsetThatCouldBeReferencedByResource`)?
    fn reaches(&self, t: &Target) -> bool {
        self.cluster
            || t.id.gvk.is_cluster_scoped()
            || t.id.effective_namespace() == self.id.effective_namespace()
            || self.sa_namespaces.contains(&t.id.namespace)
    }

    fn of(r: &Resource) -> Referrer {
        let id = r.id();
        let role_ref = r.node.get("roleRef").and_then(|rr| {
            let group = rr.get("apiGroup")?.scalar_string()?;
            let kind = rr.get("kind")?.scalar_string()?;
            Some(Gvk {
                group,
                version: String::new(),
                kind,
            })
        });
        let cluster = id.gvk.is_cluster_scoped();
        let sa_namespaces = if cluster {
            Vec::new()
        } else {
            subject_namespaces(r)
        };
        Referrer {
            id,
            role_ref,
            prefixes: r.name_prefixes.clone(),
            suffixes: r.name_suffixes.clone(),
            cluster,
            sa_namespaces,
        }
    }

    fn wrap(&self, e: Error, spec: &FieldSpec) -> Error {
        let path = spec.path.join("/");
        e.context(format!(
            "updating name reference in '{path}' field of '{}'",
            self.id
        ))
    }

    /// Candidates in a namespace are compared by their original namespace when any reachable
    /// resource started in it, else by their current one.
    fn any_started_in(&self, ns: &str, targets: &[Target], index: &Index) -> bool {
        index
            .by_original_namespace
            .get(ns)
            .is_some_and(|js| js.iter().any(|&j| self.reaches(&targets[j])))
    }

    /// Fixes one reference node: a name, or a `{name, namespace}` map.
    fn set(
        &self,
        n: &mut Node,
        f: &Filter,
        targets: &[Target],
        index: &Index,
        refs: &mut Vec<(usize, ResId)>,
    ) -> Result<()> {
        let role_ref = f
            .spec
            .path
            .join("/")
            .ends_with("roleRef/name")
            .then_some(self.role_ref.as_ref())
            .flatten();
        match &n.value {
            Value::Null => Ok(()),
            Value::Map(m) => {
                let Some(name_node) = m.get("name") else {
                    return Err(Error::at(
                        "name-reference",
                        n.span(),
                        "path config error; no 'name' field in node",
                    ));
                };
                let old = name_node.scalar_string().unwrap_or_default();
                let named = index.named(&old).iter().copied();
                let candidates: Vec<usize> = match m.get("namespace") {
                    None => named.filter(|&j| self.reaches(&targets[j])).collect(),
                    Some(ns) => {
                        let ns = ns.scalar_string().unwrap_or_default();
                        let by_original = self.any_started_in(&ns, targets, index);
                        named
                            .filter(|&j| {
                                let t = &targets[j];
                                let id = if by_original { &t.org_id } else { &t.id };
                                self.reaches(t)
                                    && !id.gvk.is_cluster_scoped()
                                    && id.effective_namespace() == ns
                            })
                            .collect()
                    }
                };
                let Some(t) = select(
                    self,
                    &old,
                    &candidates,
                    targets,
                    &f.target,
                    role_ref,
                    true,
                    n.span(),
                )?
                else {
                    return Ok(());
                };
                let target = &targets[t];
                refs.push((t, self.id.clone()));
                if target.id.name == old && target.id.namespace.is_empty() {
                    return Ok(());
                }
                let Some(m) = n.as_map_mut() else {
                    return Ok(());
                };
                if let Some(name) = m.get_mut("name") {
                    follow(name, &target.id.name, &target.name_origin);
                }
                if !target.id.namespace.is_empty() {
                    match m.get_mut("namespace") {
                        Some(ns) => follow(ns, &target.id.namespace, &target.namespace_origin),
                        None => m.insert(
                            "namespace",
                            target.namespace_origin.span,
                            Node::str(target.id.namespace.clone(), target.namespace_origin.clone()),
                        ),
                    }
                }
                Ok(())
            }
            Value::Seq(_) => Ok(()),
            _ => {
                let old = n.scalar_string().unwrap_or_default();
                let candidates: Vec<usize> = index
                    .named(&old)
                    .iter()
                    .copied()
                    .filter(|&j| self.reaches(&targets[j]))
                    .collect();
                let Some(t) = select(
                    self,
                    &old,
                    &candidates,
                    targets,
                    &f.target,
                    role_ref,
                    false,
                    n.span(),
                )?
                else {
                    return Ok(());
                };
                refs.push((t, self.id.clone()));
                follow(n, &targets[t].id.name, &targets[t].name_origin);
                Ok(())
            }
        }
    }
}

/// Sets a reference to the target's value, taking the origin of the target's value when it changes.
fn follow(n: &mut Node, value: &str, origin: &Origin) {
    if n.as_str() == Some(value) {
        return;
    }
    let o = Origin {
        prev: None,
        ..origin.clone()
    };
    let o = if n.is_null() {
        o
    } else {
        o.overriding(&n.origin)
    };
    *n = Node::str(value, o);
}

/// Namespaces of a RoleBinding's ServiceAccount subjects: a RoleBinding may name accounts elsewhere.
fn subject_namespaces(r: &Resource) -> Vec<String> {
    if r.kind() != "RoleBinding" {
        return Vec::new();
    }
    let Some(subjects) = r.node.get("subjects").and_then(Node::as_seq) else {
        return Vec::new();
    };
    subjects
        .iter()
        .filter(|s| s.get("kind").and_then(Node::as_str) == Some("ServiceAccount"))
        .filter_map(|s| s.get("namespace").and_then(Node::as_str))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests;
