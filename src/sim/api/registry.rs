//! Every resource type the simulated apiserver serves: its group, versions, names and etcd prefix.
//!
//! This is the table behind discovery (`kubectl api-resources`, `kubectl api-versions`), the
//! RESTMapper kubectl uses to turn `deploy` or `deployments.v1.apps` into a resource, and the
//! apiserver's choice of etcd key. Only the kinds listed here exist in the sandbox; anything else
//! is refused the way a cluster without the matching CRD refuses it.

use crate::sim::sort::StableSort;
use thiserror::Error;

/// The verbs of an ordinary read-write resource, as discovery lists them.
const RW: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
/// Namespaces cannot be deleted as a collection.
const RW_NO_COLLECTION: &[&str] = &["create", "delete", "get", "list", "patch", "update", "watch"];
/// kubectl's `all` category: what `kubectl get all` lists.
const ALL: &[&str] = &["all"];

/// One served resource, described the way discovery describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; empty for the core ("legacy") group.
    pub group: &'static str,
    /// The preferred (and storage) version, e.g. `v1` or `v2`.
    pub version: &'static str,
    /// Further served versions, older first; an object may arrive in any of them.
    pub other_versions: &'static [&'static str],
    /// The Kind, e.g. `Deployment`.
    pub kind: &'static str,
    /// The resource name used in URLs, e.g. `deployments`.
    pub plural: &'static str,
    /// Lower-case singular, accepted by kubectl, e.g. `deployment`.
    pub singular: &'static str,
    /// kubectl shortcuts, e.g. `deploy`.
    pub short_names: &'static [&'static str],
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Discovery categories (`all` is what `kubectl get all` expands to).
    pub categories: &'static [&'static str],
    /// Verbs the resource supports.
    pub verbs: &'static [&'static str],
    /// The etcd key prefix after `/registry/`; not always the plural (nodes are `minions`).
    pub etcd_prefix: &'static str,
}

impl ResourceType {
    /// `apps/v1`, or plain `v1` for the core group: the `apiVersion` field of the preferred version.
    pub fn api_version(&self) -> String {
        group_version(self.group, self.version)
    }

    /// Whether `apiVersion` (e.g. `autoscaling/v1`) is one this resource is served at.
    pub fn serves_api_version(&self, api_version: &str) -> bool {
        let (group, version) = split_api_version(api_version);
        group == self.group && (version == self.version || self.other_versions.contains(&version))
    }

    /// `deployments.apps` (or `pods`): how kubectl names the resource in messages like
    /// `deployments.apps "web" not found`.
    pub fn group_resource(&self) -> String {
        qualify(self.plural, self.group)
    }

    /// `Deployment.apps` (or `Pod`): the qualified kind the apiserver puts in `is invalid` errors.
    pub fn qualified_kind(&self) -> String {
        qualify(self.kind, self.group)
    }

    /// Whether kubectl's `all` category includes this resource.
    pub fn in_category(&self, category: &str) -> bool {
        self.categories.contains(&category)
    }
}

fn qualify(name: &str, group: &str) -> String {
    if group.is_empty() { name.to_string() } else { format!("{name}.{group}") }
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() { version.to_string() } else { format!("{group}/{version}") }
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// Errors of the resource table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// The apiVersion/kind pair is not served: a CRD kind, a removed version or a typo.
    /// Displays as the tail kubectl prints; [`ApiError::mapping_message`] gives the whole line.
    #[error("no matches for kind \"{kind}\" in version \"{api_version}\"")]
    NoKindMatch {
        /// The kind the manifest asked for.
        kind: String,
        /// The apiVersion the manifest asked for.
        api_version: String,
    },
}

impl ApiError {
    /// kubectl's whole message for a manifest whose kind is not served, e.g.
    /// `resource mapping not found for name: "web" namespace: "" from "web.yaml": no matches for kind
    /// "Foo" in version "v1"` + newline + `ensure CRDs are installed first`.
    pub fn mapping_message(&self, name: &str, namespace: &str, file: &str) -> String {
        format!(
            "resource mapping not found for name: {name:?} namespace: {namespace:?} from {file:?}: {self}\nensure CRDs are installed first"
        )
    }
}

macro_rules! rt {
    ($group:expr, $version:expr, [$($other:expr),*], $kind:expr, $plural:expr, $singular:expr,
     [$($short:expr),*], $ns:expr, $cats:expr, $verbs:expr, $prefix:expr) => {
        ResourceType {
            group: $group, version: $version, other_versions: &[$($other),*], kind: $kind,
            plural: $plural, singular: $singular, short_names: &[$($short),*], namespaced: $ns,
            categories: $cats, verbs: $verbs, etcd_prefix: $prefix,
        }
    };
}

/// The served resources in `kubectl api-resources` order: core first, then by group name,
/// resources by name within a group (kubectl sorts them this way).
static RESOURCES: &[ResourceType] = &[
    rt!("", "v1", [], "ConfigMap", "configmaps", "configmap", ["cm"], true, &[], RW, "configmaps"),
    rt!("", "v1", [], "Endpoints", "endpoints", "endpoints", ["ep"], true, &[], RW, "services/endpoints"),
    rt!("", "v1", [], "Event", "events", "event", ["ev"], true, &[], RW, "events"),
    rt!("", "v1", [], "LimitRange", "limitranges", "limitrange", ["limits"], true, &[], RW, "limitranges"),
    rt!("", "v1", [], "Namespace", "namespaces", "namespace", ["ns"], false, &[], RW_NO_COLLECTION, "namespaces"),
    rt!("", "v1", [], "Node", "nodes", "node", ["no"], false, &[], RW, "minions"),
    rt!(
        "",
        "v1",
        [],
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        ["pvc"],
        true,
        &[],
        RW,
        "persistentvolumeclaims"
    ),
    rt!(
        "",
        "v1",
        [],
        "PersistentVolume",
        "persistentvolumes",
        "persistentvolume",
        ["pv"],
        false,
        &[],
        RW,
        "persistentvolumes"
    ),
    rt!("", "v1", [], "Pod", "pods", "pod", ["po"], true, ALL, RW, "pods"),
    rt!(
        "",
        "v1",
        [],
        "ReplicationController",
        "replicationcontrollers",
        "replicationcontroller",
        ["rc"],
        true,
        ALL,
        RW,
        "controllers"
    ),
    rt!("", "v1", [], "ResourceQuota", "resourcequotas", "resourcequota", ["quota"], true, &[], RW, "resourcequotas"),
    rt!("", "v1", [], "Secret", "secrets", "secret", [], true, &[], RW, "secrets"),
    rt!("", "v1", [], "ServiceAccount", "serviceaccounts", "serviceaccount", ["sa"], true, &[], RW, "serviceaccounts"),
    rt!("", "v1", [], "Service", "services", "service", ["svc"], true, ALL, RW, "services/specs"),
    rt!(
        "apps",
        "v1",
        [],
        "ControllerRevision",
        "controllerrevisions",
        "controllerrevision",
        [],
        true,
        &[],
        RW,
        "controllerrevisions"
    ),
    rt!("apps", "v1", [], "DaemonSet", "daemonsets", "daemonset", ["ds"], true, ALL, RW, "daemonsets"),
    rt!("apps", "v1", [], "Deployment", "deployments", "deployment", ["deploy"], true, ALL, RW, "deployments"),
    rt!("apps", "v1", [], "ReplicaSet", "replicasets", "replicaset", ["rs"], true, ALL, RW, "replicasets"),
    rt!("apps", "v1", [], "StatefulSet", "statefulsets", "statefulset", ["sts"], true, ALL, RW, "statefulsets"),
    rt!(
        "autoscaling",
        "v2",
        [],
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        ["hpa"],
        true,
        ALL,
        RW,
        "horizontalpodautoscalers"
    ),
    // autoscaling/v1 is the same objects (stored as v2) in another shape: a resource of its own so
    // that a request names its version and `api::convert` can answer in it. Listed after v2, which
    // is preferred (kubectl's names find v2 first); no category, so `get all` lists HPAs once.
    rt!(
        "autoscaling",
        "v1",
        [],
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        ["hpa"],
        true,
        &[],
        RW,
        "horizontalpodautoscalers"
    ),
    rt!("batch", "v1", [], "CronJob", "cronjobs", "cronjob", ["cj"], true, ALL, RW, "cronjobs"),
    rt!("batch", "v1", [], "Job", "jobs", "job", [], true, ALL, RW, "jobs"),
    rt!("coordination.k8s.io", "v1", [], "Lease", "leases", "lease", [], true, &[], RW, "leases"),
    rt!(
        "discovery.k8s.io",
        "v1",
        [],
        "EndpointSlice",
        "endpointslices",
        "endpointslice",
        [],
        true,
        &[],
        RW,
        "endpointslices"
    ),
    rt!("events.k8s.io", "v1", [], "Event", "events", "event", ["ev"], true, &[], RW, "events"),
    rt!(
        "networking.k8s.io",
        "v1",
        [],
        "IngressClass",
        "ingressclasses",
        "ingressclass",
        [],
        false,
        &[],
        RW,
        "ingressclasses"
    ),
    rt!("networking.k8s.io", "v1", [], "Ingress", "ingresses", "ingress", ["ing"], true, &[], RW, "ingress"),
    rt!(
        "networking.k8s.io",
        "v1",
        [],
        "NetworkPolicy",
        "networkpolicies",
        "networkpolicy",
        ["netpol"],
        true,
        &[],
        RW,
        "networkpolicies"
    ),
    rt!(
        "policy",
        "v1",
        [],
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        ["pdb"],
        true,
        &[],
        RW,
        "poddisruptionbudgets"
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        [],
        "ClusterRoleBinding",
        "clusterrolebindings",
        "clusterrolebinding",
        [],
        false,
        &[],
        RW,
        "clusterrolebindings"
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        [],
        "ClusterRole",
        "clusterroles",
        "clusterrole",
        [],
        false,
        &[],
        RW,
        "clusterroles"
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        [],
        "RoleBinding",
        "rolebindings",
        "rolebinding",
        [],
        true,
        &[],
        RW,
        "rolebindings"
    ),
    rt!("rbac.authorization.k8s.io", "v1", [], "Role", "roles", "role", [], true, &[], RW, "roles"),
    rt!(
        "scheduling.k8s.io",
        "v1",
        [],
        "PriorityClass",
        "priorityclasses",
        "priorityclass",
        ["pc"],
        false,
        &[],
        RW,
        "priorityclasses"
    ),
    rt!(
        "storage.k8s.io",
        "v1",
        [],
        "StorageClass",
        "storageclasses",
        "storageclass",
        ["sc"],
        false,
        &[],
        RW,
        "storageclasses"
    ),
];

/// Every served resource, in `kubectl api-resources` order.
pub fn resources() -> &'static [ResourceType] {
    RESOURCES
}

/// The resource for a manifest's `apiVersion` and `kind`, as the apiserver's RESTMapper finds it.
/// Kinds are case-sensitive here, as in Kubernetes.
pub fn for_kind(api_version: &str, kind: &str) -> Result<&'static ResourceType, ApiError> {
    RESOURCES
        .iter()
        .find(|rt| rt.kind == kind && rt.serves_api_version(api_version))
        .ok_or_else(|| ApiError::NoKindMatch { kind: kind.to_string(), api_version: api_version.to_string() })
}

/// The resource a kubectl argument names: plural, singular, short name or Kind (any case), each
/// optionally qualified as `NAME.GROUP` or `NAME.VERSION.GROUP`. When two groups serve the same name
/// (events) the core group wins, as kubectl's priority RESTMapper does.
pub fn resolve(arg: &str) -> Option<&'static ResourceType> {
    let arg = arg.trim().to_ascii_lowercase();
    if arg.is_empty() {
        return None;
    }
    if let Some(rt) = find_by_name(&arg, None, None) {
        return Some(rt);
    }
    // `deployments.v1.apps`: the second segment is a version when the rest names a group.
    if let Some((name, rest)) = arg.split_once('.') {
        if let Some((version, group)) = rest.split_once('.')
            && let Some(rt) = find_by_name(name, Some(group), Some(version))
        {
            return Some(rt);
        }
        return find_by_name(name, Some(rest), None);
    }
    None
}

fn find_by_name(name: &str, group: Option<&str>, version: Option<&str>) -> Option<&'static ResourceType> {
    RESOURCES.iter().find(|rt| {
        let named = rt.plural == name
            || rt.singular == name
            || rt.short_names.contains(&name)
            || rt.kind.eq_ignore_ascii_case(name);
        let in_group = group.is_none_or(|g| rt.group == g);
        let in_version = version.is_none_or(|v| rt.version == v || rt.other_versions.contains(&v));
        named && in_group && in_version
    })
}

/// The etcd key the apiserver stores an object under, e.g. `/registry/deployments/default/web`,
/// `/registry/services/specs/default/web`, `/registry/minions/node-1`.
pub fn storage_key(rt: &ResourceType, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if rt.namespaced => format!("/registry/{}/{ns}/{name}", rt.etcd_prefix),
        _ => format!("/registry/{}/{name}", rt.etcd_prefix),
    }
}

/// The etcd prefix a list or watch of the resource reads, e.g. `/registry/pods/default/`
/// (one namespace) or `/registry/pods/` (all namespaces).
pub fn storage_prefix(rt: &ResourceType, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if rt.namespaced => format!("/registry/{}/{ns}/", rt.etcd_prefix),
        _ => format!("/registry/{}/", rt.etcd_prefix),
    }
}

/// `kubectl api-versions`: every served group/version, sorted as kubectl prints them.
pub fn api_versions() -> Vec<String> {
    let mut out: Vec<String> = RESOURCES
        .iter()
        .flat_map(|rt| {
            std::iter::once(rt.version).chain(rt.other_versions.iter().copied()).map(|v| group_version(rt.group, v))
        })
        .collect();
    // metrics-server's aggregated Metrics API (`apiserver/metrics.rs`), served beside the registry's.
    out.push("metrics.k8s.io/v1beta1".to_string());
    out.stable_sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_kubectl_arguments() {
        let cases = [
            ("po", "Pod"),
            ("pod", "Pod"),
            ("pods", "Pod"),
            ("Pod", "Pod"),
            ("PODS", "Pod"),
            ("deploy", "Deployment"),
            ("deployment.apps", "Deployment"),
            ("deployments.v1.apps", "Deployment"),
            ("hpa", "HorizontalPodAutoscaler"),
            ("horizontalpodautoscalers.v1.autoscaling", "HorizontalPodAutoscaler"),
            ("ep", "Endpoints"),
            ("cm", "ConfigMap"),
            ("ns", "Namespace"),
            ("no", "Node"),
            ("svc", "Service"),
            ("sa", "ServiceAccount"),
            ("pvc", "PersistentVolumeClaim"),
            ("pv", "PersistentVolume"),
            ("sc", "StorageClass"),
            ("ds", "DaemonSet"),
            ("rs", "ReplicaSet"),
            ("sts", "StatefulSet"),
            ("cj", "CronJob"),
            ("ing", "Ingress"),
            ("netpol", "NetworkPolicy"),
            ("pdb", "PodDisruptionBudget"),
            ("pc", "PriorityClass"),
            ("quota", "ResourceQuota"),
            ("rc", "ReplicationController"),
            ("limits", "LimitRange"),
            ("ev", "Event"),
            ("lease", "Lease"),
            ("jobs.batch", "Job"),
            ("ingresses.networking.k8s.io", "Ingress"),
            ("clusterrolebindings", "ClusterRoleBinding"),
            ("endpointslices", "EndpointSlice"),
            ("controllerrevisions.apps", "ControllerRevision"),
        ];
        for (arg, kind) in cases {
            assert_eq!(resolve(arg).map(|rt| rt.kind), Some(kind), "{arg}");
        }
    }

    #[test]
    fn events_prefer_core_unless_qualified() {
        assert_eq!(resolve("events").map(|r| r.group), Some(""));
        assert_eq!(resolve("events.events.k8s.io").map(|r| r.group), Some("events.k8s.io"));
    }

    #[test]
    fn refuses_unknown_arguments() {
        for arg in ["", "pood", "deployments.extensions", "deployments.v1beta1.apps", "crd", "foo.bar.baz"] {
            assert!(resolve(arg).is_none(), "{arg}");
        }
    }

    #[test]
    fn maps_kinds_and_versions() {
        assert_eq!(for_kind("apps/v1", "Deployment").map(|r| r.plural), Ok("deployments"));
        assert_eq!(for_kind("autoscaling/v1", "HorizontalPodAutoscaler").map(|r| r.version), Ok("v1"));
        assert_eq!(resolve("hpa").map(|r| r.version), Some("v2"), "the preferred version");
        assert_eq!(resolve("horizontalpodautoscalers.v1.autoscaling").map(|r| r.version), Some("v1"));
        assert_eq!(for_kind("events.k8s.io/v1", "Event").map(|r| r.group), Ok("events.k8s.io"));
        assert_eq!(for_kind("v1", "Event").map(|r| r.group), Ok(""));
        assert_eq!(for_kind("v1", "ReplicationController").map(|r| r.plural), Ok("replicationcontrollers"));
        for (v, k) in [
            ("apps/v1beta1", "Deployment"),
            ("v1", "deployment"),
            ("policy/v1beta1", "PodSecurityPolicy"),
            ("sparkoperator.k8s.io/v1beta2", "SparkApplication"),
        ] {
            assert!(for_kind(v, k).is_err(), "{v} {k}");
        }
    }

    #[test]
    fn mapping_error_reads_like_kubectl() {
        let err = for_kind("kafka.strimzi.io/v1beta2", "Kafka").expect_err("Kafka needs a CRD");
        assert_eq!(
            err.mapping_message("my-cluster", "kafka", "kafka.yaml"),
            "resource mapping not found for name: \"my-cluster\" namespace: \"kafka\" from \"kafka.yaml\": \
             no matches for kind \"Kafka\" in version \"kafka.strimzi.io/v1beta2\"\nensure CRDs are installed first"
        );
    }

    #[test]
    fn storage_keys_use_etcd_prefixes() {
        let key = |arg: &str, ns: Option<&str>, name: &str| storage_key(resolve(arg).expect("served"), ns, name);
        assert_eq!(key("deploy", Some("default"), "web"), "/registry/deployments/default/web");
        assert_eq!(key("svc", Some("default"), "web"), "/registry/services/specs/default/web");
        assert_eq!(key("ep", Some("default"), "web"), "/registry/services/endpoints/default/web");
        assert_eq!(key("ns", None, "kube-system"), "/registry/namespaces/kube-system");
        assert_eq!(key("no", Some("ignored"), "node-1"), "/registry/minions/node-1");
        assert_eq!(key("ing", Some("a"), "b"), "/registry/ingress/a/b");
        assert_eq!(storage_prefix(resolve("po").expect("served"), None), "/registry/pods/");
    }

    #[test]
    fn lists_api_versions_sorted() {
        let v = api_versions();
        assert_eq!(v.first().map(String::as_str), Some("apps/v1"));
        assert_eq!(v.last().map(String::as_str), Some("v1"));
        assert!(v.contains(&"autoscaling/v1".to_string()) && v.contains(&"autoscaling/v2".to_string()));
        assert!(v.contains(&"metrics.k8s.io/v1beta1".to_string()), "the aggregated Metrics API");
        assert_eq!(v.len(), 14);
    }

    #[test]
    fn all_category_matches_kubectl() {
        let all: Vec<&str> = resources().iter().filter(|r| r.in_category("all")).map(|r| r.plural).collect();
        assert_eq!(
            all,
            [
                "pods",
                "replicationcontrollers",
                "services",
                "daemonsets",
                "deployments",
                "replicasets",
                "statefulsets",
                "horizontalpodautoscalers",
                "cronjobs",
                "jobs"
            ]
        );
    }
}
