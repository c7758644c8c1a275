//! Which resources are cluster-scoped, as kustomize decides it.
//!
//! kustomize asks kyaml's built-in OpenAPI data (Kubernetes 1.21), keyed by apiVersion *and* kind:
//! only the types listed there as cluster-scoped are; anything unknown (CRDs such as ClusterIssuer,
//! newer APIs such as `flowcontrol.apiserver.k8s.io/v1` FlowSchema or ValidatingAdmissionPolicy, an
//! unexpected version such as `rbac.authorization.k8s.io/v1alpha1` ClusterRole) counts as namespaced
//! and receives `namespace:`. Checked against `kubectl kustomize` v5.5.0.

/// The cluster-scoped entries of kyaml's `precomputedIsNamespaceScoped` table.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// Is a resource of this apiVersion and kind certainly cluster-scoped?
pub fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(a, k)| *k == kind && *a == api_version)
}

/// The same question for a split group/version, without building the apiVersion string.
pub fn is_cluster_scoped_gvk(group: &str, version: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.iter().any(|(a, k)| {
        *k == kind
            && match a.rsplit_once('/') {
                Some((g, v)) => g == group && v == version,
                None => group.is_empty() && *a == version,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_is_keyed_by_api_version_and_kind() {
        assert!(is_cluster_scoped("v1", "Namespace"));
        assert!(is_cluster_scoped("networking.k8s.io/v1", "IngressClass"));
        assert!(!is_cluster_scoped("example.com/v1", "Namespace"));
        assert!(!is_cluster_scoped("cert-manager.io/v1", "ClusterIssuer"));
        assert!(!is_cluster_scoped(
            "flowcontrol.apiserver.k8s.io/v1",
            "FlowSchema"
        ));
        assert!(!is_cluster_scoped(
            "rbac.authorization.k8s.io/v1alpha1",
            "ClusterRole"
        ));
    }
}
