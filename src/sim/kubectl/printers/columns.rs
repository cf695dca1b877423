//! Per-kind table columns, as the apiserver's table convertors define them (printers.go, 1.33).
//!
//! The server always builds the *wide* row; the client hides columns with a priority unless `-o wide`
//! is given. So every row function here returns all cells, and [`Column::wide_only`] marks the ones
//! `kubectl get` hides by default.

mod autoscaling;
mod cluster;
mod core;
mod network;
mod pod;
mod storage;
mod workloads;

pub use core::{join_host_port as core_join_host_port, load_balancer_ingress, node_roles};
pub use pod::{PodSummary, summarize as summarize_pod};

use serde_json::Value;

use super::age;
use super::fields::{arr_at, opt_str, str_at};
use crate::sim::time::Millis;

/// One column definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The header, already upper-cased as kubectl prints it.
    pub name: &'static str,
    /// Priority 1 in the Go definition: shown only with `-o wide`.
    pub wide_only: bool,
    /// The column with `Format: "name"`, which `kubectl get a,b` prefixes with `kind/`.
    pub is_name: bool,
}

/// A regular column.
const fn col(name: &'static str) -> Column {
    Column { name, wide_only: false, is_name: false }
}

/// A column shown only with `-o wide`.
const fn wide(name: &'static str) -> Column {
    Column { name, wide_only: true, is_name: false }
}

/// The NAME column.
const NAME: Column = Column { name: "NAME", wide_only: false, is_name: true };

/// What a row function may need besides the object.
#[derive(Debug, Clone, Copy)]
pub struct RowCtx {
    /// Virtual "now" for ages.
    pub now: Millis,
}

impl RowCtx {
    /// The AGE cell of an object.
    pub fn age(&self, obj: &Value) -> String {
        self.since(opt_str(obj, &["metadata", "creationTimestamp"]))
    }

    /// Age of any timestamp (`<unknown>` when missing).
    pub fn since(&self, ts: Option<&str>) -> String {
        age::since(ts, self.now)
    }
}

/// Columns plus the function that fills one row.
#[derive(Clone, Copy)]
pub struct Printer {
    /// Column definitions in order.
    pub columns: &'static [Column],
    /// Builds all cells (wide ones included) of one object.
    pub row: fn(&Value, &RowCtx) -> Vec<String>,
}

/// A `&'static` column list built from const fns (a plain literal would be a temporary).
macro_rules! cols {
    ($($c:expr),* $(,)?) => {{
        const C: &[Column] = &[$($c),*];
        C
    }};
}

/// The printer for a kind (`Pod`, `Deployment`, ...); anything unknown gets NAME and AGE.
pub fn printer_for(kind: &str) -> Printer {
    let p = |columns, row| Printer { columns, row };
    match canonical_kind(kind).unwrap_or("") {
        "Pod" => p(POD, pod::row),
        "Node" => p(NODE, core::node),
        "Namespace" => p(cols![NAME, col("STATUS"), col("AGE")], core::namespace),
        "Service" => p(SERVICE, core::service),
        "Endpoints" => p(cols![NAME, col("ENDPOINTS"), col("AGE")], core::endpoints),
        "ConfigMap" => p(cols![NAME, col("DATA"), col("AGE")], core::config_map),
        "Secret" => p(cols![NAME, col("TYPE"), col("DATA"), col("AGE")], core::secret),
        "ServiceAccount" => p(cols![NAME, col("SECRETS"), col("AGE")], core::service_account),
        "Event" => p(EVENT, core::event),
        "PersistentVolume" => p(PV, storage::persistent_volume),
        "PersistentVolumeClaim" => p(PVC, storage::persistent_volume_claim),
        "ResourceQuota" => p(cols![NAME, col("REQUEST"), col("LIMIT"), col("AGE")], storage::resource_quota),
        "PodTemplate" => p(cols![NAME, col("CONTAINERS"), col("IMAGES"), col("POD LABELS")], workloads::pod_template),
        "Deployment" => p(DEPLOYMENT, workloads::deployment),
        "ReplicaSet" => p(REPLICA_SET, workloads::replica_set),
        "ReplicationController" => p(REPLICA_SET, workloads::replication_controller),
        "StatefulSet" => p(STATEFUL_SET, workloads::stateful_set),
        "DaemonSet" => p(DAEMON_SET, workloads::daemon_set),
        "Job" => p(JOB, workloads::job),
        "CronJob" => p(CRON_JOB, workloads::cron_job),
        "HorizontalPodAutoscaler" => p(HPA, autoscaling::hpa),
        "PodDisruptionBudget" => p(PDB, workloads::pdb),
        "ControllerRevision" => {
            p(cols![NAME, col("CONTROLLER"), col("REVISION"), col("AGE")], workloads::controller_revision)
        }
        "Ingress" => p(INGRESS, network::ingress),
        "IngressClass" => p(cols![NAME, col("CONTROLLER"), col("PARAMETERS"), col("AGE")], network::ingress_class),
        "NetworkPolicy" => p(cols![NAME, col("POD-SELECTOR"), col("AGE")], network::network_policy),
        "EndpointSlice" => p(ENDPOINT_SLICE, network::endpoint_slice),
        "RoleBinding" | "ClusterRoleBinding" => p(BINDING, cluster::binding),
        "Lease" => p(cols![NAME, col("HOLDER"), col("AGE")], cluster::lease),
        "StorageClass" => p(STORAGE_CLASS, cluster::storage_class),
        "PriorityClass" => p(PRIORITY_CLASS, cluster::priority_class),
        "RuntimeClass" => p(cols![NAME, col("HANDLER"), col("AGE")], cluster::runtime_class),
        // Served by the apiserver's default table convertor: creation time, not age.
        "Role" | "ClusterRole" | "LimitRange" | "CustomResourceDefinition" | "APIService" => {
            p(cols![NAME, col("CREATED AT")], cluster::created_at)
        }
        _ => p(cols![NAME, col("AGE")], cluster::name_age),
    }
}

const POD: &[Column] = &[
    NAME,
    col("READY"),
    col("STATUS"),
    col("RESTARTS"),
    col("AGE"),
    wide("IP"),
    wide("NODE"),
    wide("NOMINATED NODE"),
    wide("READINESS GATES"),
];
const NODE: &[Column] = &[
    NAME,
    col("STATUS"),
    col("ROLES"),
    col("AGE"),
    col("VERSION"),
    wide("INTERNAL-IP"),
    wide("EXTERNAL-IP"),
    wide("OS-IMAGE"),
    wide("KERNEL-VERSION"),
    wide("CONTAINER-RUNTIME"),
];
const SERVICE: &[Column] =
    &[NAME, col("TYPE"), col("CLUSTER-IP"), col("EXTERNAL-IP"), col("PORT(S)"), col("AGE"), wide("SELECTOR")];
const EVENT: &[Column] = &[
    col("LAST SEEN"),
    col("TYPE"),
    col("REASON"),
    col("OBJECT"),
    wide("SUBOBJECT"),
    wide("SOURCE"),
    col("MESSAGE"),
    wide("FIRST SEEN"),
    wide("COUNT"),
    Column { name: "NAME", wide_only: true, is_name: true },
];
const PV: &[Column] = &[
    NAME,
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("RECLAIM POLICY"),
    col("STATUS"),
    col("CLAIM"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("REASON"),
    col("AGE"),
    wide("VOLUMEMODE"),
];
const PVC: &[Column] = &[
    NAME,
    col("STATUS"),
    col("VOLUME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("AGE"),
    wide("VOLUMEMODE"),
];
const DEPLOYMENT: &[Column] = &[
    NAME,
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];
const REPLICA_SET: &[Column] = &[
    NAME,
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];
const STATEFUL_SET: &[Column] = &[NAME, col("READY"), col("AGE"), wide("CONTAINERS"), wide("IMAGES")];
const DAEMON_SET: &[Column] = &[
    NAME,
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("NODE SELECTOR"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];
const JOB: &[Column] = &[
    NAME,
    col("STATUS"),
    col("COMPLETIONS"),
    col("DURATION"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];
const CRON_JOB: &[Column] = &[
    NAME,
    col("SCHEDULE"),
    col("TIMEZONE"),
    col("SUSPEND"),
    col("ACTIVE"),
    col("LAST SCHEDULE"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];
const HPA: &[Column] =
    &[NAME, col("REFERENCE"), col("TARGETS"), col("MINPODS"), col("MAXPODS"), col("REPLICAS"), col("AGE")];
const PDB: &[Column] = &[NAME, col("MIN AVAILABLE"), col("MAX UNAVAILABLE"), col("ALLOWED DISRUPTIONS"), col("AGE")];
const INGRESS: &[Column] = &[NAME, col("CLASS"), col("HOSTS"), col("ADDRESS"), col("PORTS"), col("AGE")];
const ENDPOINT_SLICE: &[Column] = &[NAME, col("ADDRESSTYPE"), col("PORTS"), col("ENDPOINTS"), col("AGE")];
const BINDING: &[Column] = &[NAME, col("ROLE"), col("AGE"), wide("USERS"), wide("GROUPS"), wide("SERVICEACCOUNTS")];
const STORAGE_CLASS: &[Column] = &[
    NAME,
    col("PROVISIONER"),
    col("RECLAIMPOLICY"),
    col("VOLUMEBINDINGMODE"),
    col("ALLOWVOLUMEEXPANSION"),
    col("AGE"),
];
const PRIORITY_CLASS: &[Column] = &[NAME, col("VALUE"), col("GLOBAL-DEFAULT"), col("AGE"), col("PREEMPTIONPOLICY")];

/// Built-in kinds with their API group and the names kubectl accepts for them.
const KINDS: &[(&str, &str, &[&str])] = &[
    ("Pod", "", &["pods", "pod", "po"]),
    ("Node", "", &["nodes", "node", "no"]),
    ("Namespace", "", &["namespaces", "namespace", "ns"]),
    ("Service", "", &["services", "service", "svc"]),
    ("Endpoints", "", &["endpoints", "ep"]),
    ("ConfigMap", "", &["configmaps", "configmap", "cm"]),
    ("Secret", "", &["secrets", "secret"]),
    ("ServiceAccount", "", &["serviceaccounts", "serviceaccount", "sa"]),
    ("Event", "", &["events", "event", "ev"]),
    ("PersistentVolume", "", &["persistentvolumes", "persistentvolume", "pv"]),
    ("PersistentVolumeClaim", "", &["persistentvolumeclaims", "persistentvolumeclaim", "pvc"]),
    ("ResourceQuota", "", &["resourcequotas", "resourcequota", "quota"]),
    ("LimitRange", "", &["limitranges", "limitrange", "limits"]),
    ("PodTemplate", "", &["podtemplates", "podtemplate"]),
    ("ReplicationController", "", &["replicationcontrollers", "replicationcontroller", "rc"]),
    ("Deployment", "apps", &["deployments", "deployment", "deploy"]),
    ("ReplicaSet", "apps", &["replicasets", "replicaset", "rs"]),
    ("StatefulSet", "apps", &["statefulsets", "statefulset", "sts"]),
    ("DaemonSet", "apps", &["daemonsets", "daemonset", "ds"]),
    ("ControllerRevision", "apps", &["controllerrevisions", "controllerrevision"]),
    ("Job", "batch", &["jobs", "job"]),
    ("CronJob", "batch", &["cronjobs", "cronjob", "cj"]),
    ("HorizontalPodAutoscaler", "autoscaling", &["horizontalpodautoscalers", "horizontalpodautoscaler", "hpa"]),
    ("PodDisruptionBudget", "policy", &["poddisruptionbudgets", "poddisruptionbudget", "pdb"]),
    ("Ingress", "networking.k8s.io", &["ingresses", "ingress", "ing"]),
    ("IngressClass", "networking.k8s.io", &["ingressclasses", "ingressclass"]),
    ("NetworkPolicy", "networking.k8s.io", &["networkpolicies", "networkpolicy", "netpol"]),
    ("EndpointSlice", "discovery.k8s.io", &["endpointslices", "endpointslice"]),
    ("Role", "rbac.authorization.k8s.io", &["roles", "role"]),
    ("ClusterRole", "rbac.authorization.k8s.io", &["clusterroles", "clusterrole"]),
    ("RoleBinding", "rbac.authorization.k8s.io", &["rolebindings", "rolebinding"]),
    ("ClusterRoleBinding", "rbac.authorization.k8s.io", &["clusterrolebindings", "clusterrolebinding"]),
    ("Lease", "coordination.k8s.io", &["leases", "lease"]),
    ("StorageClass", "storage.k8s.io", &["storageclasses", "storageclass", "sc"]),
    ("PriorityClass", "scheduling.k8s.io", &["priorityclasses", "priorityclass", "pc"]),
    ("RuntimeClass", "node.k8s.io", &["runtimeclasses", "runtimeclass"]),
    ("CustomResourceDefinition", "apiextensions.k8s.io", &["customresourcedefinitions", "crd", "crds"]),
    ("APIService", "apiregistration.k8s.io", &["apiservices", "apiservice"]),
];

/// The Kind for a kind or resource name as a user or the lead may spell it (`Pod`, `pods`, `po`).
pub fn canonical_kind(kind: &str) -> Option<&'static str> {
    let lower = kind.to_ascii_lowercase();
    let bare = lower.split('.').next().unwrap_or("");
    KINDS.iter().find(|(k, _, names)| k.eq_ignore_ascii_case(bare) || names.contains(&bare)).map(|(k, _, _)| *k)
}

/// The API group of a built-in kind (`apps` for Deployment, `""` for core kinds).
pub fn group_of(kind: &str) -> Option<&'static str> {
    let k = canonical_kind(kind)?;
    KINDS.iter().find(|(name, _, _)| *name == k).map(|(_, g, _)| *g)
}

/// `layoutContainerCells`: container names and images, comma-joined.
fn containers(obj: &Value, path: &[&str]) -> (String, String) {
    let list = arr_at(obj, path);
    let names = list.iter().map(|c| str_at(c, &["name"])).collect::<Vec<_>>().join(",");
    let images = list.iter().map(|c| str_at(c, &["image"])).collect::<Vec<_>>().join(",");
    (names, images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_from_any_spelling() {
        for (input, want) in [
            ("Pod", "Pod"),
            ("pods", "Pod"),
            ("po", "Pod"),
            ("deployments.apps", "Deployment"),
            ("HPA", "HorizontalPodAutoscaler"),
        ] {
            assert_eq!(canonical_kind(input), Some(want), "{input}");
        }
        assert_eq!(canonical_kind("widgets"), None);
        assert_eq!(group_of("deploy"), Some("apps"));
        assert_eq!(group_of("svc"), Some(""));
    }

    #[test]
    fn every_printer_fills_one_cell_per_column_even_for_garbage() {
        let names: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).chain(["Widget"]).collect();
        let ctx = RowCtx { now: 0 };
        for kind in names {
            let p = printer_for(kind);
            for junk in [serde_json::json!(null), serde_json::json!({}), serde_json::json!({"spec": 1, "status": []})] {
                let cells = (p.row)(&junk, &ctx);
                assert_eq!(cells.len(), p.columns.len(), "{kind} with {junk}");
            }
        }
    }
}
