//! Which API versions Kubernetes and Flux stopped serving, and when: data for the
//! `deprecated-api` rule.
//!
//! Kubernetes rows follow the Kubernetes deprecated API migration guide
//! (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>): the release that removed
//! each version, the one that deprecated it (the API server answers with a warning from then on),
//! the replacement with the release that first served it, and the notable changes the guide lists.
//! Flux rows follow the Flux release notes and roadmap: the beta APIs were deprecated as their GA
//! (or newer beta) versions shipped, the `v1beta1`/`v2beta1` ones removed in Flux 2.7, source,
//! kustomize and helm `v1beta2`/`v2beta2` in 2.8, image and notification `v1beta2` in 2.9.
//! Versions before Flux 2.0 are not modelled: a replacement "since 2.0" was served earlier too.

use super::version::Version;

/// Whose release decides whether a version is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Kubernetes,
    Flux,
}

/// An API version that a release deprecated or removed, for some kinds.
#[derive(Debug)]
pub struct Deprecation {
    pub platform: Platform,
    /// API group (`""` for the core group).
    pub group: &'static str,
    pub version: &'static str,
    pub kinds: &'static [&'static str],
    /// The release from which it is served with a deprecation warning.
    pub deprecated: Version,
    /// The release that no longer serves it (`None`: deprecated, removal not scheduled).
    pub removed: Option<Version>,
    /// What to use instead, newest first, each with the release that first served it.
    pub replacements: &'static [Replacement],
    /// What else changes in the replacement (empty when it is only the apiVersion).
    pub changes: &'static str,
    /// What to do when no replacement is served (an API that is gone for good).
    pub otherwise: &'static str,
}

#[derive(Debug)]
pub struct Replacement {
    pub api_version: &'static str,
    /// Set when the replacement is another kind (Endpoints → EndpointSlice).
    pub kind: Option<&'static str>,
    pub since: Version,
}

impl Deprecation {
    /// `group/version` as written in `apiVersion`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The row for an object's group, version and kind, if any release deprecated it.
pub fn find(group: &str, version: &str, kind: &str) -> Option<&'static Deprecation> {
    TABLE
        .iter()
        .find(|d| d.group == group && d.version == version && d.kinds.contains(&kind))
}

/// Is `api_version` (of `kind`) served by `target` of `platform`, as far as the table knows
/// (a version missing from the table is served)?
pub fn served(platform: Platform, api_version: &str, kind: &str, target: Version) -> bool {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    find(group, version, kind)
        .filter(|d| d.platform == platform)
        .and_then(|d| d.removed)
        .is_none_or(|r| target < r)
}

const fn r(api_version: &'static str, major: u64, minor: u64) -> Replacement {
    Replacement {
        api_version,
        kind: None,
        since: Version::new(major, minor),
    }
}

const fn k8s(minor: u64) -> Version {
    Version::new(1, minor)
}

const fn flux(minor: u64) -> Version {
    Version::new(2, minor)
}

const WORKLOADS_V1: &str =
    "spec.selector is required (no longer defaulted from the template's labels) and immutable";
const INGRESS_V1: &str = "spec.backend is renamed spec.defaultBackend; a backend's serviceName becomes service.name and servicePort becomes service.port.number (or service.port.name for a named port); every path needs a pathType (Prefix, Exact or ImplementationSpecific)";
const HPA_V2: &str = "metrics move under target: targetAverageUtilization becomes target.averageUtilization (target.type: Utilization), targetAverageValue target.averageValue (AverageValue), targetValue target.value (Value)";
const FLOWCONTROL_V1BETA3: &str = "spec.limited.assuredConcurrencyShares of a PriorityLevelConfiguration is renamed nominalConcurrencyShares";
const FLOWCONTROL: &[Replacement] = &[
    r("flowcontrol.apiserver.k8s.io/v1", 1, 29),
    r("flowcontrol.apiserver.k8s.io/v1beta3", 1, 26),
    r("flowcontrol.apiserver.k8s.io/v1beta2", 1, 23),
];
const KUSTOMIZATION_V1: &str = "spec.patchesStrategicMerge and spec.patchesJson6902 are removed (use spec.patches), and so is spec.validation";
const HELMRELEASE_V2: &str = "spec.chart.spec.valuesFile is removed (use valuesFiles), and so are spec.postRenderers[].kustomize.patchesStrategicMerge and patchesJson6902 (use patches)";
const GITREPOSITORY_V1: &str = "spec.gitImplementation and spec.accessFrom are removed";

/// Every row, Kubernetes first, by removal release.
pub static TABLE: &[Deprecation] = &[
    // ---- Kubernetes 1.16
    Deprecation {
        platform: Platform::Kubernetes,
        group: "extensions",
        version: "v1beta1",
        kinds: &["Deployment", "DaemonSet", "ReplicaSet"],
        deprecated: k8s(9),
        removed: Some(k8s(16)),
        replacements: &[r("apps/v1", 1, 9)],
        changes: WORKLOADS_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "apps",
        version: "v1beta1",
        kinds: &["Deployment", "StatefulSet"],
        deprecated: k8s(9),
        removed: Some(k8s(16)),
        replacements: &[r("apps/v1", 1, 9)],
        changes: WORKLOADS_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "apps",
        version: "v1beta2",
        kinds: &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
        deprecated: k8s(9),
        removed: Some(k8s(16)),
        replacements: &[r("apps/v1", 1, 9)],
        changes: WORKLOADS_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "extensions",
        version: "v1beta1",
        kinds: &["NetworkPolicy"],
        deprecated: k8s(9),
        removed: Some(k8s(16)),
        replacements: &[r("networking.k8s.io/v1", 1, 8)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "extensions",
        version: "v1beta1",
        kinds: &["PodSecurityPolicy"],
        deprecated: k8s(11),
        removed: Some(k8s(16)),
        replacements: &[r("policy/v1beta1", 1, 10)],
        changes: "",
        otherwise: PSP_GONE,
    },
    // ---- Kubernetes 1.22
    Deprecation {
        platform: Platform::Kubernetes,
        group: "extensions",
        version: "v1beta1",
        kinds: &["Ingress"],
        deprecated: k8s(14),
        removed: Some(k8s(22)),
        replacements: &[
            r("networking.k8s.io/v1", 1, 19),
            r("networking.k8s.io/v1beta1", 1, 14),
        ],
        changes: INGRESS_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "networking.k8s.io",
        version: "v1beta1",
        kinds: &["Ingress"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("networking.k8s.io/v1", 1, 19)],
        changes: INGRESS_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "networking.k8s.io",
        version: "v1beta1",
        kinds: &["IngressClass"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("networking.k8s.io/v1", 1, 19)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "apiextensions.k8s.io",
        version: "v1beta1",
        kinds: &["CustomResourceDefinition"],
        deprecated: k8s(16),
        removed: Some(k8s(22)),
        replacements: &[r("apiextensions.k8s.io/v1", 1, 16)],
        changes: "spec.scope is required; spec.version, spec.validation, spec.subresources and spec.additionalPrinterColumns move into each spec.versions[] entry (validation as schema.openAPIV3Schema, which must be structural); spec.preserveUnknownFields: true is refused (use x-kubernetes-preserve-unknown-fields); spec.conversion.webhookClientConfig moves to spec.conversion.webhook.clientConfig, with conversionReviewVersions required",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "admissionregistration.k8s.io",
        version: "v1beta1",
        kinds: &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        deprecated: k8s(16),
        removed: Some(k8s(22)),
        replacements: &[r("admissionregistration.k8s.io/v1", 1, 16)],
        changes: "webhooks[].sideEffects (None or NoneOnDryRun) and webhooks[].admissionReviewVersions are required; failurePolicy defaults to Fail (was Ignore), matchPolicy to Equivalent (was Exact), timeoutSeconds to 10 (was 30)",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "apiregistration.k8s.io",
        version: "v1beta1",
        kinds: &["APIService"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("apiregistration.k8s.io/v1", 1, 10)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "authentication.k8s.io",
        version: "v1beta1",
        kinds: &["TokenReview"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("authentication.k8s.io/v1", 1, 6)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "authorization.k8s.io",
        version: "v1beta1",
        kinds: &[
            "SubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
        ],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("authorization.k8s.io/v1", 1, 6)],
        changes: "spec.group is renamed spec.groups",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "certificates.k8s.io",
        version: "v1beta1",
        kinds: &["CertificateSigningRequest"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("certificates.k8s.io/v1", 1, 19)],
        changes: "spec.signerName is required (kubernetes.io/legacy-unknown cannot be requested) and spec.usages is required, without duplicates",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "coordination.k8s.io",
        version: "v1beta1",
        kinds: &["Lease"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("coordination.k8s.io/v1", 1, 14)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "rbac.authorization.k8s.io",
        version: "v1beta1",
        kinds: &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        deprecated: k8s(17),
        removed: Some(k8s(22)),
        replacements: &[r("rbac.authorization.k8s.io/v1", 1, 8)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "scheduling.k8s.io",
        version: "v1beta1",
        kinds: &["PriorityClass"],
        deprecated: k8s(14),
        removed: Some(k8s(22)),
        replacements: &[r("scheduling.k8s.io/v1", 1, 14)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "storage.k8s.io",
        version: "v1beta1",
        kinds: &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        deprecated: k8s(19),
        removed: Some(k8s(22)),
        replacements: &[r("storage.k8s.io/v1", 1, 19)],
        changes: "",
        otherwise: "",
    },
    // ---- Kubernetes 1.25
    Deprecation {
        platform: Platform::Kubernetes,
        group: "batch",
        version: "v1beta1",
        kinds: &["CronJob"],
        deprecated: k8s(21),
        removed: Some(k8s(25)),
        replacements: &[r("batch/v1", 1, 21)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "discovery.k8s.io",
        version: "v1beta1",
        kinds: &["EndpointSlice"],
        deprecated: k8s(21),
        removed: Some(k8s(25)),
        replacements: &[r("discovery.k8s.io/v1", 1, 21)],
        changes: "endpoints[].topology is replaced by nodeName and zone (topology.kubernetes.io/hostname and zone), the rest by deprecatedTopology",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "events.k8s.io",
        version: "v1beta1",
        kinds: &["Event"],
        deprecated: k8s(19),
        removed: Some(k8s(25)),
        replacements: &[r("events.k8s.io/v1", 1, 19)],
        changes: "type is Normal or Warning only; involvedObject is renamed regarding; action, reason, reportingController and reportingInstance are required; use eventTime, series.lastObservedTime and series.count instead of firstTimestamp, lastTimestamp and count",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "autoscaling",
        version: "v2beta1",
        kinds: &["HorizontalPodAutoscaler"],
        deprecated: k8s(22),
        removed: Some(k8s(25)),
        replacements: &[r("autoscaling/v2", 1, 23), r("autoscaling/v2beta2", 1, 12)],
        changes: HPA_V2,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "policy",
        version: "v1beta1",
        kinds: &["PodDisruptionBudget"],
        deprecated: k8s(21),
        removed: Some(k8s(25)),
        replacements: &[r("policy/v1", 1, 21)],
        changes: "an empty spec.selector ({}) selects every pod of the namespace (in v1beta1 it selected none)",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "policy",
        version: "v1beta1",
        kinds: &["PodSecurityPolicy"],
        deprecated: k8s(21),
        removed: Some(k8s(25)),
        replacements: &[],
        changes: "",
        otherwise: PSP_GONE,
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "node.k8s.io",
        version: "v1beta1",
        kinds: &["RuntimeClass"],
        deprecated: k8s(20),
        removed: Some(k8s(25)),
        replacements: &[r("node.k8s.io/v1", 1, 20)],
        changes: "",
        otherwise: "",
    },
    // ---- Kubernetes 1.26
    Deprecation {
        platform: Platform::Kubernetes,
        group: "autoscaling",
        version: "v2beta2",
        kinds: &["HorizontalPodAutoscaler"],
        deprecated: k8s(23),
        removed: Some(k8s(26)),
        replacements: &[r("autoscaling/v2", 1, 23)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Kubernetes,
        group: "flowcontrol.apiserver.k8s.io",
        version: "v1beta1",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        deprecated: k8s(23),
        removed: Some(k8s(26)),
        replacements: FLOWCONTROL,
        changes: FLOWCONTROL_V1BETA3,
        otherwise: "",
    },
    // ---- Kubernetes 1.27
    Deprecation {
        platform: Platform::Kubernetes,
        group: "storage.k8s.io",
        version: "v1beta1",
        kinds: &["CSIStorageCapacity"],
        deprecated: k8s(24),
        removed: Some(k8s(27)),
        replacements: &[r("storage.k8s.io/v1", 1, 24)],
        changes: "",
        otherwise: "",
    },
    // ---- Kubernetes 1.29
    Deprecation {
        platform: Platform::Kubernetes,
        group: "flowcontrol.apiserver.k8s.io",
        version: "v1beta2",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        deprecated: k8s(26),
        removed: Some(k8s(29)),
        replacements: FLOWCONTROL,
        changes: FLOWCONTROL_V1BETA3,
        otherwise: "",
    },
    // ---- Kubernetes 1.32
    Deprecation {
        platform: Platform::Kubernetes,
        group: "flowcontrol.apiserver.k8s.io",
        version: "v1beta3",
        kinds: &["FlowSchema", "PriorityLevelConfiguration"],
        deprecated: k8s(29),
        removed: Some(k8s(32)),
        replacements: &[r("flowcontrol.apiserver.k8s.io/v1", 1, 29)],
        changes: "",
        otherwise: "",
    },
    // ---- Kubernetes: deprecated, removal not scheduled
    Deprecation {
        platform: Platform::Kubernetes,
        group: "",
        version: "v1",
        kinds: &["Endpoints"],
        deprecated: k8s(33),
        removed: None,
        replacements: &[Replacement {
            api_version: "discovery.k8s.io/v1",
            kind: Some("EndpointSlice"),
            since: k8s(21),
        }],
        changes: "an EndpointSlice names its Service in the kubernetes.io/service-name label and lists endpoints[].addresses, with ports beside them",
        otherwise: "",
    },
    // ---- Flux 2.7: the v1beta1 and v2beta1 APIs
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["GitRepository"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[r("source.toolkit.fluxcd.io/v1", 2, 0)],
        changes: GITREPOSITORY_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["HelmRepository", "HelmChart"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[
            r("source.toolkit.fluxcd.io/v1", 2, 3),
            r("source.toolkit.fluxcd.io/v1beta2", 2, 0),
        ],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["Bucket"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[
            r("source.toolkit.fluxcd.io/v1", 2, 4),
            r("source.toolkit.fluxcd.io/v1beta2", 2, 0),
        ],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["Kustomization"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[r("kustomize.toolkit.fluxcd.io/v1", 2, 0)],
        changes: KUSTOMIZATION_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "helm.toolkit.fluxcd.io",
        version: "v2beta1",
        kinds: &["HelmRelease"],
        deprecated: flux(2),
        removed: Some(flux(7)),
        replacements: &[
            r("helm.toolkit.fluxcd.io/v2", 2, 3),
            r("helm.toolkit.fluxcd.io/v2beta2", 2, 2),
        ],
        changes: HELMRELEASE_V2,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "image.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["ImageRepository", "ImagePolicy"],
        // the CRDs of Flux 2.6 still served these without a deprecation warning
        deprecated: flux(7),
        removed: Some(flux(7)),
        replacements: &[
            r("image.toolkit.fluxcd.io/v1", 2, 7),
            r("image.toolkit.fluxcd.io/v1beta2", 2, 0),
        ],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "image.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["ImageUpdateAutomation"],
        deprecated: flux(3),
        removed: Some(flux(7)),
        replacements: &[
            r("image.toolkit.fluxcd.io/v1", 2, 7),
            r("image.toolkit.fluxcd.io/v1beta2", 2, 3),
        ],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["Alert", "Provider"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[
            r("notification.toolkit.fluxcd.io/v1beta3", 2, 2),
            r("notification.toolkit.fluxcd.io/v1beta2", 2, 0),
        ],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta1",
        kinds: &["Receiver"],
        deprecated: flux(0),
        removed: Some(flux(7)),
        replacements: &[r("notification.toolkit.fluxcd.io/v1", 2, 0)],
        changes: "",
        otherwise: "",
    },
    // ---- Flux 2.8: source, kustomize and helm v1beta2/v2beta2
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["GitRepository"],
        deprecated: flux(0),
        removed: Some(flux(8)),
        replacements: &[r("source.toolkit.fluxcd.io/v1", 2, 0)],
        changes: GITREPOSITORY_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["HelmRepository", "HelmChart"],
        deprecated: flux(3),
        removed: Some(flux(8)),
        replacements: &[r("source.toolkit.fluxcd.io/v1", 2, 3)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["Bucket"],
        deprecated: flux(4),
        removed: Some(flux(8)),
        replacements: &[r("source.toolkit.fluxcd.io/v1", 2, 4)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "source.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["OCIRepository"],
        deprecated: flux(6),
        removed: Some(flux(8)),
        replacements: &[r("source.toolkit.fluxcd.io/v1", 2, 6)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["Kustomization"],
        deprecated: flux(0),
        removed: Some(flux(8)),
        replacements: &[r("kustomize.toolkit.fluxcd.io/v1", 2, 0)],
        changes: KUSTOMIZATION_V1,
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "helm.toolkit.fluxcd.io",
        version: "v2beta2",
        kinds: &["HelmRelease"],
        deprecated: flux(3),
        removed: Some(flux(8)),
        replacements: &[r("helm.toolkit.fluxcd.io/v2", 2, 3)],
        changes: HELMRELEASE_V2,
        otherwise: "",
    },
    // ---- Flux 2.9: image and notification v1beta2
    Deprecation {
        platform: Platform::Flux,
        group: "image.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["ImageRepository", "ImagePolicy", "ImageUpdateAutomation"],
        deprecated: flux(7),
        removed: Some(flux(9)),
        replacements: &[r("image.toolkit.fluxcd.io/v1", 2, 7)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["Alert", "Provider"],
        deprecated: flux(2),
        removed: Some(flux(9)),
        replacements: &[r("notification.toolkit.fluxcd.io/v1beta3", 2, 2)],
        changes: "",
        otherwise: "",
    },
    Deprecation {
        platform: Platform::Flux,
        group: "notification.toolkit.fluxcd.io",
        version: "v1beta2",
        kinds: &["Receiver"],
        deprecated: flux(0),
        removed: Some(flux(9)),
        replacements: &[r("notification.toolkit.fluxcd.io/v1", 2, 0)],
        changes: "",
        otherwise: "",
    },
];

const PSP_GONE: &str = "PodSecurityPolicy has no replacement API: enforce pod security with Pod Security Admission (pod-security.kubernetes.io/* labels on each namespace) or a policy engine, then remove the object";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_consistent() {
        for d in TABLE {
            let id = format!("{} {:?}", d.api_version(), d.kinds);
            assert!(!d.kinds.is_empty(), "{id}");
            if let Some(r) = d.removed {
                assert!(d.deprecated <= r, "{id}: deprecated after its removal");
            }
            assert!(
                !d.replacements.is_empty() || !d.otherwise.is_empty(),
                "{id}: no way out"
            );
            for w in d.replacements.windows(2) {
                assert!(
                    w[0].since >= w[1].since,
                    "{id}: replacements not newest first"
                );
            }
            for k in d.kinds {
                let first = TABLE.iter().position(|o| {
                    o.group == d.group && o.version == d.version && o.kinds.contains(k)
                });
                assert!(
                    first.is_some_and(|i| std::ptr::eq(&TABLE[i], d)),
                    "{id}: {k} listed twice"
                );
            }
        }
    }

    #[test]
    fn looks_up_by_group_version_and_kind() {
        let d = find("networking.k8s.io", "v1beta1", "Ingress").expect("row");
        assert_eq!(d.removed, Some(Version::new(1, 22)));
        assert!(find("networking.k8s.io", "v1", "Ingress").is_none());
        assert!(find("", "v1", "Service").is_none());
        assert!(served(
            Platform::Kubernetes,
            "policy/v1beta1",
            "PodSecurityPolicy",
            k8s(24)
        ));
        assert!(!served(
            Platform::Kubernetes,
            "policy/v1beta1",
            "PodSecurityPolicy",
            k8s(25)
        ));
        assert!(served(
            Platform::Flux,
            "helm.toolkit.fluxcd.io/v2",
            "HelmRelease",
            flux(9)
        ));
    }
}
