//! The parts of a Pod the kubelet acts on, read once from the watched JSON into a compact struct:
//! 150,000 pods must not each keep a full JSON tree on their kubelet.

use crate::sim::api::nodefit::{HostPort, RequiredNodeAffinity, Toleration, host_ports};
use crate::sim::api::pointer::Pointer;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::sim::api::quantity::{parse_bytes, parse_cpu_millis};
use crate::sim::node::behaviour::probe::Handler;
use crate::sim::node::registry::reference::default_pull_policy;
use crate::sim::time::{Millis, parse_rfc3339};

/// `spec.restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

/// `imagePullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

/// A probe with its timing (defaults as the API server applies them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub handler: Handler,
    pub initial_delay: Millis,
    pub period: Millis,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    /// `terminationGracePeriodSeconds` of the probe itself, if set.
    pub grace_seconds: Option<i64>,
}

/// Where an environment variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    ConfigMapKey {
        name: String,
        key: String,
        optional: bool,
    },
    SecretKey {
        name: String,
        key: String,
        optional: bool,
    },
    /// `fieldRef.fieldPath`: `metadata.name`, `status.podIP`, ...
    Field(String),
    /// `resourceFieldRef.resource`: `limits.memory`, ...
    Resource(String),
}

/// `envFrom` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFrom {
    pub secret: bool,
    pub name: String,
    pub prefix: String,
    pub optional: bool,
}

/// One container of the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub pull_policy: PullPolicy,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: Vec<(String, EnvValue)>,
    pub env_from: Vec<EnvFrom>,
    /// Declared ports: name (may be empty) and number.
    pub ports: Vec<(String, u16)>,
    pub liveness: Option<Box<Probe>>,
    pub readiness: Option<Box<Probe>>,
    pub startup: Option<Box<Probe>>,
    pub cpu_request: u64,
    pub memory_request: u64,
    pub cpu_limit: Option<u64>,
    pub memory_limit: Option<u64>,
    /// `name`, `mountPath`, `readOnly`, `subPath` (empty when none).
    pub mounts: Vec<(String, String, bool, String)>,
    /// An init container with `restartPolicy: Always` (a sidecar).
    pub sidecar: bool,
    /// `resources` as written (JSON text, smaller than a tree), echoed in containerStatuses.
    pub resources: Option<Box<str>>,
    /// `stdin`: the runtime keeps the container's stdin open for `kubectl attach -i`.
    pub stdin: bool,
    /// `stdinOnce`: the runtime closes that stdin when the first attach ends.
    pub stdin_once: bool,
    /// `tty`: the container's process runs on a terminal.
    pub tty: bool,
}

/// A volume the kubelet mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Volume {
    ConfigMap {
        name: String,
        source: String,
        items: Vec<(String, String)>,
        optional: bool,
    },
    Secret {
        name: String,
        source: String,
        items: Vec<(String, String)>,
        optional: bool,
    },
    /// The service account token volume (`kube-api-access-*`).
    ServiceAccount {
        name: String,
    },
    /// A directory that lives and dies with the pod, shared by its containers.
    EmptyDir {
        name: String,
    },
    /// A path of the node; `kind` is the `type` check (empty: none).
    HostPath {
        name: String,
        path: String,
        kind: String,
    },
    /// A PersistentVolumeClaim: mounted once bound, from where its volume keeps its data.
    Claim {
        name: String,
        claim: String,
        read_only: bool,
    },
    /// Fields of the pod as files: (path in the volume, `fieldRef.fieldPath`).
    DownwardApi {
        name: String,
        items: Vec<(String, String)>,
    },
    /// Any other source (image, csi, ephemeral...): an empty directory of the pod.
    Other {
        name: String,
    },
}

impl Volume {
    /// The volume's name, as volumeMounts refer to it.
    pub fn name(&self) -> &str {
        match self {
            Volume::ConfigMap { name, .. }
            | Volume::Secret { name, .. }
            | Volume::ServiceAccount { name }
            | Volume::EmptyDir { name }
            | Volume::HostPath { name, .. }
            | Volume::Claim { name, .. }
            | Volume::DownwardApi { name, .. }
            | Volume::Other { name } => name,
        }
    }
}

/// Host ports of app containers and sidecars (restartable init containers), as the scheduler counts them.
fn pod_host_ports(spec: &Value) -> Vec<HostPort> {
    let list = |k: &str| spec.get(k).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let sidecar = |c: &&Value| c.get("restartPolicy").and_then(Value::as_str) == Some("Always");
    list("containers").iter().chain(list("initContainers").iter().filter(sidecar)).flat_map(host_ports).collect()
}

/// The pod as the kubelet needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSpec {
    pub uid: String,
    pub namespace: String,
    pub name: String,
    pub hostname: String,
    pub init: Vec<ContainerSpec>,
    pub containers: Vec<ContainerSpec>,
    pub restart_policy: RestartPolicy,
    pub grace_seconds: i64,
    /// `metadata.deletionGracePeriodSeconds` once the pod is being deleted.
    pub deletion_grace: Option<i64>,
    /// `nodeSelector` and required node affinity, checked again at admission.
    pub node_affinity: RequiredNodeAffinity,
    pub tolerations: Vec<Toleration>,
    /// Host ports of the containers and sidecars (the `NodePorts` admission check).
    pub host_ports: Vec<HostPort>,
    /// `hostNetwork`: the pod shares the node's network namespace (no CNI, the node's IP).
    pub host_network: bool,
    pub volumes: Vec<Volume>,
    pub active_deadline: Option<i64>,
    pub service_account: String,
    /// `status.phase` as the API has it (a finished pod stays finished after a kubelet restart).
    pub phase: Option<String>,
    /// `status.startTime`, kept across kubelet restarts.
    pub start_time: Option<Millis>,
    /// `PodScheduled`'s transition time, echoed back in status.
    pub scheduled_at: Option<String>,
    pub labels_hash: u64,
    /// `metadata.labels` and `metadata.annotations`, for the downward API's `fieldRef`s.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// What decides the pod's `/etc/resolv.conf`.
    pub dns: super::dns::PodDns,
}

fn s(v: &Value, p: &str) -> String {
    v.at(p).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn strings(v: &Value, p: &str) -> Vec<String> {
    v.at(p)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn int(v: &Value, p: &str) -> Option<i64> {
    v.at(p).and_then(Value::as_i64)
}

fn port_of(v: Option<&Value>, ports: &[(String, u16)]) -> u16 {
    match v {
        Some(Value::Number(n)) => n.as_u64().and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
        Some(Value::String(name)) => {
            ports.iter().find(|(n, _)| n == name).map(|(_, p)| *p).or_else(|| name.parse().ok()).unwrap_or(0)
        }
        _ => 0,
    }
}

fn probe(v: Option<&Value>, ports: &[(String, u16)]) -> Option<Box<Probe>> {
    let v = v?;
    let handler = if let Some(h) = v.get("httpGet") {
        Handler::Http {
            path: h.get("path").and_then(Value::as_str).unwrap_or("/").to_string(),
            port: port_of(h.get("port"), ports),
            https: s(h, "/scheme") == "HTTPS",
        }
    } else if let Some(t) = v.get("tcpSocket") {
        Handler::Tcp { port: port_of(t.get("port"), ports) }
    } else if let Some(g) = v.get("grpc") {
        Handler::Grpc { port: port_of(g.get("port"), ports) }
    } else if let Some(e) = v.get("exec") {
        Handler::Exec { command: strings(e, "/command") }
    } else {
        return None;
    };
    let secs = |p: &str, d: i64| int(v, p).unwrap_or(d).max(0) as Millis * 1000;
    Some(Box::new(Probe {
        handler,
        initial_delay: secs("/initialDelaySeconds", 0),
        period: secs("/periodSeconds", 10).max(1000),
        success_threshold: int(v, "/successThreshold").unwrap_or(1).max(1) as u32,
        failure_threshold: int(v, "/failureThreshold").unwrap_or(3).max(1) as u32,
        grace_seconds: int(v, "/terminationGracePeriodSeconds"),
    }))
}

fn env(c: &Value) -> Vec<(String, EnvValue)> {
    let Some(list) = c.get("env").and_then(Value::as_array) else { return Vec::new() };
    list.iter()
        .filter_map(|e| {
            let name = e.get("name")?.as_str()?.to_string();
            let value = if let Some(v) = e.get("value") {
                EnvValue::Literal(v.as_str().unwrap_or_default().to_string())
            } else if let Some(r) = e.at("/valueFrom/configMapKeyRef") {
                EnvValue::ConfigMapKey {
                    name: s(r, "/name"),
                    key: s(r, "/key"),
                    optional: r.get("optional").and_then(Value::as_bool).unwrap_or(false),
                }
            } else if let Some(r) = e.at("/valueFrom/secretKeyRef") {
                EnvValue::SecretKey {
                    name: s(r, "/name"),
                    key: s(r, "/key"),
                    optional: r.get("optional").and_then(Value::as_bool).unwrap_or(false),
                }
            } else if let Some(f) = e.at("/valueFrom/fieldRef/fieldPath").and_then(Value::as_str) {
                EnvValue::Field(f.to_string())
            } else if let Some(r) = e.at("/valueFrom/resourceFieldRef/resource").and_then(Value::as_str) {
                EnvValue::Resource(r.to_string())
            } else {
                EnvValue::Literal(String::new())
            };
            Some((name, value))
        })
        .collect()
}

fn env_from(c: &Value) -> Vec<EnvFrom> {
    let Some(list) = c.get("envFrom").and_then(Value::as_array) else { return Vec::new() };
    list.iter()
        .filter_map(|e| {
            let prefix = s(e, "/prefix");
            let (secret, r) = match (e.get("configMapRef"), e.get("secretRef")) {
                (Some(r), _) => (false, r),
                (None, Some(r)) => (true, r),
                _ => return None,
            };
            Some(EnvFrom {
                secret,
                name: s(r, "/name"),
                prefix,
                optional: r.get("optional").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

fn quantity(
    v: &Value,
    p: &str,
    parse: fn(&str) -> Result<i64, crate::sim::api::quantity::QuantityError>,
) -> Option<u64> {
    let raw = v.at(p)?;
    let text = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    parse(&text).ok().map(|x| x.max(0) as u64)
}

fn container(c: &Value, sidecar_allowed: bool) -> ContainerSpec {
    let image = s(c, "/image");
    let ports: Vec<(String, u16)> = c
        .get("ports")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter_map(|p| Some((s(p, "/name"), u16::try_from(p.get("containerPort")?.as_u64()?).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    let pull_policy =
        match c.get("imagePullPolicy").and_then(Value::as_str).unwrap_or_else(|| default_pull_policy(&image)) {
            "Always" => PullPolicy::Always,
            "Never" => PullPolicy::Never,
            _ => PullPolicy::IfNotPresent,
        };
    let cpu_limit = quantity(c, "/resources/limits/cpu", parse_cpu_millis);
    let memory_limit = quantity(c, "/resources/limits/memory", parse_bytes);
    ContainerSpec {
        name: s(c, "/name"),
        pull_policy,
        command: strings(c, "/command"),
        args: strings(c, "/args"),
        env: env(c),
        env_from: env_from(c),
        liveness: probe(c.get("livenessProbe"), &ports),
        readiness: probe(c.get("readinessProbe"), &ports),
        startup: probe(c.get("startupProbe"), &ports),
        // Requests default to limits when only limits are written.
        cpu_request: quantity(c, "/resources/requests/cpu", parse_cpu_millis).or(cpu_limit).unwrap_or(0),
        memory_request: quantity(c, "/resources/requests/memory", parse_bytes).or(memory_limit).unwrap_or(0),
        cpu_limit,
        memory_limit,
        mounts: c
            .get("volumeMounts")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        (
                            s(m, "/name"),
                            s(m, "/mountPath"),
                            m.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
                            s(m, "/subPath"),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        sidecar: sidecar_allowed && s(c, "/restartPolicy") == "Always",
        stdin: c.get("stdin").and_then(Value::as_bool).unwrap_or(false),
        stdin_once: c.get("stdinOnce").and_then(Value::as_bool).unwrap_or(false),
        tty: c.get("tty").and_then(Value::as_bool).unwrap_or(false),
        resources: c
            .get("resources")
            .filter(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            .map(|r| r.to_string().into_boxed_str()),
        ports,
        image,
    }
}

fn items(v: &Value) -> Vec<(String, String)> {
    v.get("items")
        .and_then(Value::as_array)
        .map(|is| is.iter().map(|i| (s(i, "/key"), s(i, "/path"))).collect())
        .unwrap_or_default()
}

fn volume(v: &Value) -> Volume {
    let name = s(v, "/name");
    let optional = |src: &Value| src.get("optional").and_then(Value::as_bool).unwrap_or(false);
    if let Some(cm) = v.get("configMap") {
        Volume::ConfigMap { source: s(cm, "/name"), items: items(cm), optional: optional(cm), name }
    } else if let Some(sec) = v.get("secret") {
        Volume::Secret { source: s(sec, "/secretName"), items: items(sec), optional: optional(sec), name }
    } else if v
        .at("/projected/sources")
        .and_then(Value::as_array)
        .is_some_and(|srcs| srcs.iter().any(|x| x.get("serviceAccountToken").is_some()))
    {
        Volume::ServiceAccount { name }
    } else if let Some(d) = v.get("downwardAPI") {
        let items = d
            .get("items")
            .and_then(Value::as_array)
            .map(|is| is.iter().map(|i| (s(i, "/path"), s(i, "/fieldRef/fieldPath"))).collect())
            .unwrap_or_default();
        Volume::DownwardApi { name, items }
    } else if v.get("emptyDir").is_some() {
        Volume::EmptyDir { name }
    } else if let Some(h) = v.get("hostPath") {
        Volume::HostPath { path: s(h, "/path"), kind: s(h, "/type"), name }
    } else if let Some(c) = v.get("persistentVolumeClaim") {
        Volume::Claim {
            claim: s(c, "/claimName"),
            read_only: c.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
            name,
        }
    } else {
        Volume::Other { name }
    }
}

/// Reads a watched Pod.
pub fn parse(pod: &Value) -> PodSpec {
    let spec = pod.get("spec").cloned().unwrap_or(Value::Null);
    let list = |key: &str, sidecars: bool| {
        spec.get(key)
            .and_then(Value::as_array)
            .map(|cs| cs.iter().map(|c| container(c, sidecars)).collect())
            .unwrap_or_default()
    };
    let name = s(pod, "/metadata/name");
    let hostname = spec.get("hostname").and_then(Value::as_str).map_or_else(|| name.clone(), str::to_string);
    let scheduled_at = pod
        .at("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c.get("type").and_then(Value::as_str) == Some("PodScheduled")))
        .and_then(|c| c.get("lastTransitionTime")?.as_str().map(str::to_string));
    PodSpec {
        uid: s(pod, "/metadata/uid"),
        namespace: s(pod, "/metadata/namespace"),
        hostname,
        init: list("initContainers", true),
        containers: list("containers", false),
        restart_policy: match spec.get("restartPolicy").and_then(Value::as_str) {
            Some("Never") => RestartPolicy::Never,
            Some("OnFailure") => RestartPolicy::OnFailure,
            _ => RestartPolicy::Always,
        },
        grace_seconds: int(&spec, "/terminationGracePeriodSeconds").unwrap_or(30).max(0),
        deletion_grace: pod
            .at("/metadata/deletionTimestamp")
            .filter(|d| !d.is_null())
            .map(|_| int(pod, "/metadata/deletionGracePeriodSeconds").unwrap_or(30).max(0)),
        node_affinity: RequiredNodeAffinity::of_spec(Some(&spec)),
        tolerations: Toleration::parse_list(spec.get("tolerations")),
        host_ports: pod_host_ports(&spec),
        host_network: spec.get("hostNetwork").and_then(Value::as_bool).unwrap_or(false),
        volumes: spec
            .get("volumes")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().map(volume).collect())
            .unwrap_or_default(),
        active_deadline: int(&spec, "/activeDeadlineSeconds"),
        service_account: spec.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default").to_string(),
        phase: pod.at("/status/phase").and_then(Value::as_str).map(str::to_string),
        start_time: pod.at("/status/startTime").and_then(Value::as_str).and_then(parse_rfc3339),
        scheduled_at,
        labels_hash: crate::sim::node::stable_hash(
            &pod.at("/metadata/labels").map(Value::to_string).unwrap_or_default(),
        ),
        labels: crate::sim::api::meta::labels(pod),
        annotations: crate::sim::api::meta::annotations(pod),
        dns: super::dns::PodDns::parse(&spec),
        name,
    }
}

impl PodSpec {
    /// Every container, init containers first: the index space of the kubelet's per-container state.
    pub fn all(&self) -> impl Iterator<Item = &ContainerSpec> {
        self.init.iter().chain(self.containers.iter())
    }

    /// Container `i` in the order of `all` (init containers first).
    pub fn container(&self, i: usize) -> &ContainerSpec {
        if i < self.init.len() { &self.init[i] } else { &self.containers[i - self.init.len()] }
    }

    /// Whether index `i` is an init container.
    pub fn is_init(&self, i: usize) -> bool {
        i < self.init.len()
    }

    /// The pod's effective requests: the larger of the biggest init container and the sum of the
    /// app containers plus sidecars (as the scheduler and the kubelet's admission compute it).
    pub fn requests(&self) -> (u64, u64) {
        let sidecars = |f: fn(&ContainerSpec) -> u64| self.init.iter().filter(|c| c.sidecar).map(f).sum::<u64>();
        let apps = |f: fn(&ContainerSpec) -> u64| self.containers.iter().map(f).sum::<u64>() + sidecars(f);
        let init_max = |f: fn(&ContainerSpec) -> u64| self.init.iter().filter(|c| !c.sidecar).map(f).max().unwrap_or(0);
        let cpu = apps(|c| c.cpu_request).max(init_max(|c| c.cpu_request));
        let mem = apps(|c| c.memory_request).max(init_max(|c| c.memory_request));
        (cpu, mem)
    }

    /// `status.qosClass`.
    pub fn qos_class(&self) -> &'static str {
        let all: Vec<&ContainerSpec> = self.all().collect();
        let none = all
            .iter()
            .all(|c| c.cpu_request == 0 && c.memory_request == 0 && c.cpu_limit.is_none() && c.memory_limit.is_none());
        if none {
            return "BestEffort";
        }
        let guaranteed = all.iter().all(|c| {
            c.cpu_limit.is_some_and(|l| l == c.cpu_request) && c.memory_limit.is_some_and(|l| l == c.memory_request)
        });
        if guaranteed { "Guaranteed" } else { "Burstable" }
    }

    /// `name_namespace(uid)`: how kubelet messages name a pod (`format.Pod`).
    pub fn format(&self) -> String {
        format!("{}_{}({})", self.name, self.namespace, self.uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1"},
            "spec": {
                "restartPolicy": "OnFailure",
                "initContainers": [{"name": "init", "image": "busybox:1.28", "command": ["sh", "-c", "true"]},
                                   {"name": "side", "image": "alpine", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}],
                "containers": [{
                    "name": "nginx", "image": "nginx",
                    "ports": [{"name": "http", "containerPort": 80}],
                    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                    "readinessProbe": {"tcpSocket": {"port": 80}},
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k"}}},
                            {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                    "envFrom": [{"secretRef": {"name": "s"}, "prefix": "S_"}],
                    "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg", "readOnly": true}]
                }],
                "volumes": [{"name": "cfg", "configMap": {"name": "cm"}},
                            {"name": "kube-api-access-x", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
                            {"name": "data", "emptyDir": {}}],
                "nodeSelector": {"disk": "ssd"}
            },
            "status": {"conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2025-01-01T00:00:01Z"}]}
        })
    }

    #[test]
    fn parses_containers_probes_and_resources() {
        let p = parse(&pod());
        assert_eq!(p.restart_policy, RestartPolicy::OnFailure);
        assert_eq!((p.init.len(), p.containers.len()), (2, 1));
        assert!(!p.init[0].sidecar && p.init[1].sidecar);
        let c = &p.containers[0];
        assert_eq!(c.pull_policy, PullPolicy::Always, "untagged images default to Always");
        assert_eq!(
            c.liveness.as_ref().map(|l| (&l.handler, l.period)),
            Some((&Handler::Http { path: "/".into(), port: 80, https: false }, 5000))
        );
        assert_eq!(c.readiness.as_ref().map(|r| (r.failure_threshold, r.period)), Some((3, 10_000)));
        assert_eq!((c.cpu_request, c.memory_request), (500, 128 << 20), "requests default to limits");
        assert_eq!(c.env[1].1, EnvValue::ConfigMapKey { name: "cm".into(), key: "k".into(), optional: false });
        assert_eq!(c.env[2].1, EnvValue::Field("status.podIP".into()));
        assert!(c.env_from[0].secret);
        assert_eq!(p.volumes[1], Volume::ServiceAccount { name: "kube-api-access-x".into() });
        assert_eq!(p.volumes[2], Volume::EmptyDir { name: "data".into() });
        assert_eq!(p.scheduled_at.as_deref(), Some("2025-01-01T00:00:01Z"));
        assert_eq!(p.grace_seconds, 30);
        assert_eq!(p.deletion_grace, None);
        assert_eq!(p.format(), "web_default(u1)");
    }

    #[test]
    fn effective_requests_and_qos() {
        let p = parse(&pod());
        assert_eq!(p.requests(), (550, 128 << 20), "app containers plus sidecars");
        assert_eq!(p.qos_class(), "Burstable");
        let be = parse(&json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}));
        assert_eq!(be.qos_class(), "BestEffort");
        let g = parse(
            &json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}),
        );
        assert_eq!(g.qos_class(), "Guaranteed");
    }

    #[test]
    fn garbage_never_panics() {
        for v in [json!(null), json!({"spec": 3}), json!({"spec": {"containers": [1, {"ports": "x"}]}})] {
            let p = parse(&v);
            assert!(p.name.is_empty());
        }
    }
}
