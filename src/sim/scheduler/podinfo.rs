//! A pod as the scheduler needs it, parsed once from its JSON (like upstream's `framework.PodInfo`), so
//! that filters and scores never walk `serde_json::Value`s in the hot path.

use serde_json::Value;

use super::labels::{Labels, string_map};
use super::resources::{DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, Resources};
use super::terms::{PodAffinity, SpreadConstraint};
use crate::sim::api::nodefit::{HostPort, PreferredTerm, RequiredNodeAffinity, Toleration, host_ports};
use crate::sim::api::quantity::parse_quantity;
use crate::sim::time::{Millis, parse_rfc3339};

/// `(namespace, name)`.
pub type PodKey = (String, String);

/// The `PodScheduled` condition as the pod carries it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledCondition {
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// Everything the scheduler reads from a pod.
#[derive(Debug, Clone, PartialEq)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: String,
    pub labels: Labels,
    pub scheduler_name: String,
    /// `spec.nodeName`; empty while unscheduled.
    pub node_name: String,
    pub nominated_node_name: String,
    /// The effective priority: `spec.priority`, else resolved from the PriorityClass by the actor.
    pub priority: i32,
    /// Whether `spec.priority` was set (the Priority admission plugin normally sets it).
    pub priority_from_spec: bool,
    pub priority_class_name: String,
    /// `preemptionPolicy: Never`.
    pub never_preempts: bool,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// `status.phase` is `Succeeded` or `Failed`: the pod no longer uses its node.
    pub terminal: bool,
    /// `spec.schedulingGates` is not empty: the pod must wait.
    pub gated: bool,
    /// What filters compare with free capacity (init containers' max rule, sidecars, overhead).
    pub requests: Resources,
    /// CPU and memory as scoring sees them: containers without a request count 100m / 200Mi.
    pub non_zero_cpu: i64,
    pub non_zero_memory: i64,
    pub host_ports: Vec<HostPort>,
    /// Normalized image names (`nginx` -> `nginx:latest`) of all containers, init containers included.
    pub images: Vec<String>,
    pub tolerations: Vec<Toleration>,
    /// `nodeSelector` and required node affinity.
    pub node_affinity: RequiredNodeAffinity,
    pub preferred_node_affinity: Vec<PreferredTerm>,
    pub spread: Vec<SpreadConstraint>,
    pub affinity: PodAffinity,
    /// The uid of the controlling owner (ReplicaSet, StatefulSet, ...), used by default spreading.
    pub controller_uid: Option<String>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub scheduled_condition: Option<ScheduledCondition>,
    /// The PersistentVolumeClaims its volumes use (a generic ephemeral volume's claim is `<pod>-<volume>`).
    pub claims: Vec<String>,
}

/// `GetPodVolumeClaims`' names: each `persistentVolumeClaim.claimName`, and `<pod>-<volume>` for an
/// `ephemeral` volume (the claim the ephemeral-volume controller makes).
fn claim_names(spec: Option<&Value>, pod: &str) -> Vec<String> {
    list(spec, "volumes")
        .iter()
        .filter_map(|v| {
            if let Some(c) = v.get("persistentVolumeClaim") {
                return c.get("claimName").and_then(Value::as_str).map(str::to_string);
            }
            v.get("ephemeral")?;
            Some(format!("{pod}-{}", v.get("name")?.as_str()?))
        })
        .collect()
}

impl PodInfo {
    /// Parses a pod object. Never fails: fields that are missing or malformed read as absent.
    pub fn parse(pod: &Value) -> PodInfo {
        let meta = pod.get("metadata");
        let spec = pod.get("spec");
        let status = pod.get("status");
        let text = |v: Option<&Value>, k: &str| {
            v.and_then(|v| v.get(k)).and_then(Value::as_str).unwrap_or_default().to_string()
        };
        let namespace = text(meta, "namespace");
        let labels = string_map(meta.and_then(|m| m.get("labels")));
        let affinity = spec.and_then(|s| s.get("affinity"));
        let node_affinity = affinity.and_then(|a| a.get("nodeAffinity"));
        let containers = list(spec, "containers");
        let inits = list(spec, "initContainers");
        let sidecar = |c: &Value| c.get("restartPolicy").and_then(Value::as_str) == Some("Always");
        let (requests, non_zero) = pod_requests(containers, inits, spec.and_then(|s| s.get("overhead")));
        let phase = text(status, "phase");
        PodInfo {
            uid: text(meta, "uid"),
            resource_version: text(meta, "resourceVersion"),
            name: text(meta, "name"),
            scheduler_name: spec
                .and_then(|s| s.get("schedulerName"))
                .and_then(Value::as_str)
                .unwrap_or("default-scheduler")
                .to_string(),
            node_name: text(spec, "nodeName"),
            nominated_node_name: text(status, "nominatedNodeName"),
            priority: spec
                .and_then(|s| s.get("priority"))
                .and_then(Value::as_i64)
                .map_or(0, |p| p.clamp(i32::MIN.into(), i32::MAX.into()) as i32),
            priority_from_spec: spec.and_then(|s| s.get("priority")).is_some_and(Value::is_i64),
            priority_class_name: text(spec, "priorityClassName"),
            never_preempts: text(spec, "preemptionPolicy") == "Never",
            deleting: meta.and_then(|m| m.get("deletionTimestamp")).is_some_and(|d| !d.is_null()),
            terminal: phase == "Succeeded" || phase == "Failed",
            gated: !list(spec, "schedulingGates").is_empty(),
            non_zero_cpu: non_zero.milli_cpu,
            non_zero_memory: non_zero.memory,
            requests,
            host_ports: containers.iter().chain(inits.iter().filter(|c| sidecar(c))).flat_map(host_ports).collect(),
            images: containers
                .iter()
                .chain(inits)
                .filter_map(|c| c.get("image")?.as_str())
                .map(normalized_image_name)
                .collect(),
            tolerations: Toleration::parse_list(spec.and_then(|s| s.get("tolerations"))),
            node_affinity: RequiredNodeAffinity::of_spec(spec),
            preferred_node_affinity: PreferredTerm::parse_list(node_affinity),
            spread: SpreadConstraint::parse_list(spec.and_then(|s| s.get("topologySpreadConstraints")), &labels),
            affinity: PodAffinity::parse(affinity, &namespace),
            controller_uid: controller_uid(meta),
            created_at: meta
                .and_then(|m| m.get("creationTimestamp"))
                .and_then(Value::as_str)
                .and_then(parse_rfc3339)
                .unwrap_or(0),
            started_at: status.and_then(|s| s.get("startTime")).and_then(Value::as_str).and_then(parse_rfc3339),
            scheduled_condition: scheduled_condition(status),
            claims: claim_names(spec, &text(meta, "name")),
            labels,
            namespace,
        }
    }

    /// `(namespace, name)`, the key of queues and caches.
    pub fn key(&self) -> PodKey {
        (self.namespace.clone(), self.name.clone())
    }

    /// Whether the node's labels and name satisfy `nodeSelector` and required node affinity
    /// (`nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`).
    pub fn matches_node_selector(&self, node_name: &str, node_labels: &Labels) -> bool {
        self.node_affinity.matches(node_name, node_labels)
    }

    /// Whether an update changes anything scheduling reads (upstream `isPodUpdated` ignores status).
    pub fn scheduling_inputs_changed(&self, new: &PodInfo) -> bool {
        self.labels != new.labels
            || self.requests != new.requests
            || self.tolerations != new.tolerations
            || self.node_affinity != new.node_affinity
            || self.preferred_node_affinity != new.preferred_node_affinity
            || self.spread != new.spread
            || self.affinity != new.affinity
            || self.host_ports != new.host_ports
            || self.images != new.images
            || self.gated != new.gated
            || self.priority != new.priority
    }
}

fn list<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    v.and_then(|v| v.get(key)).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Requests and the non-zero scoring variant of a whole pod (`resourcehelper.PodRequests`): app
/// containers and sidecars (restartable init containers) add up, each ordinary init container needs
/// its own request plus the sidecars started before it, the pod needs the larger of the two, and
/// `spec.overhead` comes on top.
fn pod_requests(containers: &[Value], inits: &[Value], overhead: Option<&Value>) -> (Resources, Resources) {
    let mut reqs = Resources::default();
    let mut non_zero = Resources::default();
    for c in containers {
        let (r, nz) = container_requests(c);
        reqs.add(&r);
        non_zero.add(&nz);
    }
    let (mut sidecars, mut sidecars_nz) = (Resources::default(), Resources::default());
    let (mut init_max, mut init_max_nz) = (Resources::default(), Resources::default());
    for c in inits {
        let (r, nz) = container_requests(c);
        if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            // A sidecar keeps running next to the app containers and the later init containers.
            sidecars.add(&r);
            sidecars_nz.add(&nz);
            reqs.add(&r);
            non_zero.add(&nz);
        } else {
            let (mut r, mut nz) = (r, nz);
            r.add(&sidecars);
            nz.add(&sidecars_nz);
            init_max.max_with(&r);
            init_max_nz.max_with(&nz);
        }
    }
    reqs.max_with(&init_max);
    non_zero.max_with(&init_max_nz);
    let overhead = Resources::from_list(overhead);
    reqs.add(&overhead);
    non_zero.add(&overhead);
    (reqs, non_zero)
}

/// One container's requests (limits stand in for missing requests, as API defaulting does), and the
/// same with the scheduler's defaults for a missing CPU or memory request.
fn container_requests(c: &Value) -> (Resources, Resources) {
    let res = c.get("resources");
    let requests = res.and_then(|r| r.get("requests")).and_then(Value::as_object);
    let limits = res.and_then(|r| r.get("limits")).and_then(Value::as_object);
    let mut r = Resources::from_list(res.and_then(|r| r.get("requests")));
    let has = |name: &str| requests.is_some_and(|m| m.contains_key(name));
    for (name, q) in limits.into_iter().flatten() {
        if has(name) {
            continue;
        }
        if let Some(q) = q.as_str().and_then(|s| parse_quantity(s).ok()) {
            r.set(name, q);
        }
    }
    let limit_has = |name: &str| limits.is_some_and(|m| m.contains_key(name));
    let mut nz = Resources { milli_cpu: r.milli_cpu, memory: r.memory, ..Resources::default() };
    if !has("cpu") && !limit_has("cpu") {
        nz.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
    }
    if !has("memory") && !limit_has("memory") {
        nz.memory = DEFAULT_MEMORY_REQUEST;
    }
    (r, nz)
}

/// `nginx` and `nginx:latest` are the same image (`normalizedImageName`).
pub fn normalized_image_name(name: &str) -> String {
    if name.rfind(':').unwrap_or(0) <= name.rfind('/').unwrap_or(0) && !name.contains('@') {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

fn controller_uid(meta: Option<&Value>) -> Option<String> {
    list(meta, "ownerReferences")
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|o| o.get("uid")?.as_str())
        .map(str::to_string)
}

fn scheduled_condition(status: Option<&Value>) -> Option<ScheduledCondition> {
    let c =
        list(status, "conditions").iter().find(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled"))?;
    let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    Some(ScheduledCondition { status: s("status"), reason: s("reason"), message: s("message") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(spec: Value, meta: Value, status: Value) -> PodInfo {
        let mut p = json!({"metadata": {"namespace": "ns", "name": "p", "uid": "u1"}, "spec": spec, "status": status});
        crate::sim::scheduler::testing::merge(&mut p["metadata"], meta);
        PodInfo::parse(&p)
    }

    fn c(cpu: &str) -> Value {
        json!({"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}})
    }

    #[test]
    fn requests_follow_the_init_sidecar_and_overhead_rules() {
        let sidecar = json!({"name": "s", "image": "envoy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "200m"}}});
        let cases = [
            (json!({"containers": [c("100m"), c("300m")]}), 400),
            (json!({"containers": [c("100m")], "initContainers": [c("2")]}), 2000),
            (json!({"containers": [c("1")], "initContainers": [c("500m")]}), 1000),
            // The sidecar runs next to the app (1 + 0.2) and next to the later init container (1 + 0.2).
            (json!({"containers": [c("1")], "initContainers": [sidecar, c("1")]}), 1200),
            (json!({"containers": [c("1")], "overhead": {"cpu": "250m"}}), 1250),
            (json!({"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "700m"}}}]}), 700),
            (json!({"containers": [{"name": "c", "image": "x"}]}), 0),
        ];
        for (spec, want) in cases {
            assert_eq!(parse(spec.clone(), json!({}), json!({})).requests.milli_cpu, want, "{spec}");
        }
    }

    #[test]
    fn non_zero_requests_fill_in_defaults_per_container() {
        let p = parse(json!({"containers": [{"name": "a", "image": "x"}, c("300m")]}), json!({}), json!({}));
        assert_eq!((p.requests.milli_cpu, p.non_zero_cpu), (300, 400));
        assert_eq!((p.requests.memory, p.non_zero_memory), (0, 2 * DEFAULT_MEMORY_REQUEST));
        let explicit_zero = parse(
            json!({"containers": [{"name": "a", "image": "x", "resources": {"requests": {"cpu": "0"}}}]}),
            json!({}),
            json!({}),
        );
        assert_eq!(explicit_zero.non_zero_cpu, 0, "an explicit 0 is not missing");
    }

    #[test]
    fn scheduling_fields_are_parsed() {
        let p = parse(
            json!({"priority": 1000, "priorityClassName": "high", "preemptionPolicy": "Never", "schedulingGates": [{"name": "wait"}],
                   "nodeSelector": {"disk": "ssd"}, "tolerations": [{"operator": "Exists"}],
                   "containers": [{"name": "c", "image": "registry:5000/app", "ports": [{"containerPort": 80, "hostPort": 8080}]}],
                   "initContainers": [{"name": "i", "image": "busybox@sha256:abc"}]}),
            json!({"labels": {"app": "web"}, "ownerReferences": [{"uid": "rs-1", "controller": true}, {"uid": "x"}], "deletionTimestamp": "2025-01-01T00:00:10Z"}),
            json!({"phase": "Pending", "nominatedNodeName": "w1", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "m"}]}),
        );
        assert_eq!(
            (p.priority, p.priority_from_spec, p.never_preempts, p.gated, p.deleting, p.terminal),
            (1000, true, true, true, true, false)
        );
        assert_eq!(p.scheduler_name, "default-scheduler");
        assert_eq!(p.images, ["registry:5000/app:latest", "busybox@sha256:abc"]);
        assert_eq!(p.host_ports, [HostPort { protocol: "TCP".into(), ip: "0.0.0.0".into(), port: 8080 }]);
        assert_eq!(p.controller_uid.as_deref(), Some("rs-1"));
        assert_eq!(p.nominated_node_name, "w1");
        assert_eq!(p.scheduled_condition.as_ref().map(|c| c.reason.as_str()), Some("Unschedulable"));
        let labels: Labels = [("disk".to_string(), "ssd".to_string())].into();
        assert!(p.matches_node_selector("n", &labels));
        assert!(!p.matches_node_selector("n", &Labels::new()));
        let done = parse(json!({}), json!({}), json!({"phase": "Succeeded"}));
        assert!(done.terminal && !done.priority_from_spec && done.priority == 0);
    }

    #[test]
    fn updates_that_matter_to_scheduling() {
        let a = parse(json!({"containers": [c("1")]}), json!({}), json!({}));
        let status_only = parse(
            json!({"containers": [c("1")]}),
            json!({}),
            json!({"conditions": [{"type": "PodScheduled", "status": "False"}]}),
        );
        assert!(!a.scheduling_inputs_changed(&status_only));
        let relabeled = parse(json!({"containers": [c("1")]}), json!({"labels": {"x": "y"}}), json!({}));
        assert!(a.scheduling_inputs_changed(&relabeled));
        let ungated = parse(json!({"containers": [c("1")], "schedulingGates": [{"name": "g"}]}), json!({}), json!({}));
        assert!(a.scheduling_inputs_changed(&ungated));
        assert!(HostPort { protocol: "TCP".into(), ip: "0.0.0.0".into(), port: 1 }.conflicts(&HostPort {
            protocol: "TCP".into(),
            ip: "1.2.3.4".into(),
            port: 1
        }));
        assert_eq!(normalized_image_name("nginx"), "nginx:latest");
        assert_eq!(normalized_image_name("nginx:1.25"), "nginx:1.25");
    }
}
