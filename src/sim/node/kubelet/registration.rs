//! The kubelet's Node: what it registers (labels, taints, capacity, addresses, nodeInfo), the status it
//! posts (conditions with heartbeats, images), and its Lease in `kube-node-lease`.

use crate::sim::api::nodefit::{Effect, Taint};
use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::admission::Capacity;
use crate::sim::node::cri::ImageInfo;
use crate::sim::node::hex64;
use crate::sim::time::{Millis, rfc3339};

/// The kubelet version the simulated nodes report.
pub const KUBELET_VERSION: &str = "v1.33.1";
/// The runtime version the simulated nodes report.
pub const RUNTIME_VERSION: &str = "containerd://1.7.27";
/// The control-plane taint kubeadm registers the control-plane node with.
pub const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";

/// One node's hardware and identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    pub name: String,
    pub internal_ip: String,
    pub pod_cidr: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub max_pods: u64,
    pub ephemeral_storage_bytes: u64,
    /// Labels with the control-plane role and `NoSchedule` taint.
    pub control_plane: bool,
    /// Extra labels (`--node-labels`).
    pub labels: Vec<(String, String)>,
    /// Whether to write Events (a benchmark of 150,000 pods may turn them off).
    pub record_events: bool,
    /// The static pod manifests in the kubelet's `staticPodPath` (kubeadm's on a control-plane node).
    pub manifests: Vec<Value>,
}

impl NodeConfig {
    /// A kind-like node: 2 CPUs, 8 GiB, 110 pods. Node `index` gets InternalIP `172.18.0.<index+2>`
    /// and pod CIDR `10.244.<index>.0/24` (beyond 255 nodes, /24s of `100.64.0.0/10`).
    pub fn new(name: &str, index: u32, control_plane: bool) -> NodeConfig {
        let host = index + 2;
        let pod_cidr = if index < 256 {
            format!("10.244.{index}.0/24")
        } else {
            format!("100.{}.{}.0/24", 64 + (index - 256) / 256, (index - 256) % 256)
        };
        NodeConfig {
            name: name.to_string(),
            internal_ip: format!("172.18.{}.{}", host / 256, host % 256),
            pod_cidr,
            cpu_millis: 2000,
            memory_bytes: 8_344_125_440,
            max_pods: 110,
            ephemeral_storage_bytes: 62_671_097_856,
            control_plane,
            labels: Vec::new(),
            record_events: true,
            manifests: Vec::new(),
        }
    }

    /// Every label the node carries (the kubelet's well-known ones first).
    pub fn all_labels(&self) -> Vec<(String, String)> {
        let mut l: Vec<(String, String)> = [
            ("beta.kubernetes.io/arch", "amd64"),
            ("beta.kubernetes.io/os", "linux"),
            ("kubernetes.io/arch", "amd64"),
            ("kubernetes.io/hostname", self.name.as_str()),
            ("kubernetes.io/os", "linux"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if self.control_plane {
            l.push((CONTROL_PLANE_TAINT.to_string(), String::new()));
            l.push(("node.kubernetes.io/exclude-from-external-load-balancers".to_string(), String::new()));
        }
        l.extend(self.labels.iter().cloned());
        l
    }

    /// Allocatable: capacity minus the 100Mi hard eviction threshold for memory.
    pub fn allocatable(&self) -> Capacity {
        Capacity {
            cpu_millis: self.cpu_millis,
            memory_bytes: self.memory_bytes.saturating_sub(100 << 20),
            pods: self.max_pods,
        }
    }
}

/// `2025-01-01T00:00:10.000000Z`: metav1.MicroTime as Leases use it.
pub fn micro_time(ms: Millis) -> String {
    let base = rfc3339(ms);
    format!("{}.{:06}Z", base.trim_end_matches('Z'), (ms % 1000) * 1000)
}

fn condition(ty: &str, status: &str, reason: &str, message: &str, heartbeat: Millis, since: Millis) -> Value {
    json!({"type": ty, "status": status, "lastHeartbeatTime": rfc3339(heartbeat), "lastTransitionTime": rfc3339(since), "reason": reason, "message": message})
}

/// The Node's status: capacity, conditions (heartbeat `heartbeat`, transitions at `since`), images.
pub fn node_status(cfg: &NodeConfig, since: Millis, heartbeat: Millis, boot: u32, images: &[ImageInfo]) -> Value {
    let alloc = cfg.allocatable();
    let ki = |b: u64| format!("{}Ki", b / 1024);
    let id = |what: &str| hex64(&format!("{what}:{}", cfg.name))[..32].to_string();
    let mut images: Vec<&ImageInfo> = images.iter().collect();
    images.stable_sort_by(|a, b| b.size.cmp(&a.size).then(a.repo_digest.cmp(&b.repo_digest)));
    let images: Vec<Value> = images
        .iter()
        .take(50)
        .map(|i| {
            let mut names = vec![i.repo_digest.clone()];
            names.extend(i.tags.iter().cloned());
            json!({"names": names, "sizeBytes": i.size})
        })
        .collect();
    json!({
        "capacity": {
            "cpu": (cfg.cpu_millis / 1000).to_string(),
            "ephemeral-storage": ki(cfg.ephemeral_storage_bytes),
            "hugepages-1Gi": "0", "hugepages-2Mi": "0",
            "memory": ki(cfg.memory_bytes),
            "pods": cfg.max_pods.to_string()
        },
        "allocatable": {
            "cpu": (alloc.cpu_millis / 1000).to_string(),
            "ephemeral-storage": (cfg.ephemeral_storage_bytes / 10 * 9).to_string(),
            "hugepages-1Gi": "0", "hugepages-2Mi": "0",
            "memory": ki(alloc.memory_bytes),
            "pods": alloc.pods.to_string()
        },
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", heartbeat, since),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", heartbeat, since),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", heartbeat, since),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", heartbeat, since)
        ],
        "addresses": [{"type": "InternalIP", "address": cfg.internal_ip}, {"type": "Hostname", "address": cfg.name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": id("machine"), "systemUUID": id("system"), "bootID": hex64(&format!("boot:{}:{boot}", cfg.name))[..32].to_string(),
            "kernelVersion": "6.8.0-1021-gcp", "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": RUNTIME_VERSION, "kubeletVersion": KUBELET_VERSION, "kubeProxyVersion": "",
            "operatingSystem": "linux", "architecture": "amd64"
        },
        "images": images,
        "features": {"supplementalGroupsPolicy": true}
    })
}

/// The taints the kubelet registers its node with (`--register-with-taints`; kubeadm's control-plane
/// taint). Admission checks against these: the kubelet does not watch its Node, so taints added
/// later through the API (`kubectl taint`, the node lifecycle controller) are not seen there.
pub fn taints(cfg: &NodeConfig) -> Vec<Taint> {
    let registered = if cfg.control_plane { vec![(CONTROL_PLANE_TAINT, Effect::NoSchedule)] } else { Vec::new() };
    registered.into_iter().map(|(key, effect)| Taint { key: key.to_string(), value: String::new(), effect }).collect()
}

/// The Node object the kubelet registers (status included: nodes may set it on create).
pub fn node_object(cfg: &NodeConfig, now: Millis, boot: u32, images: &[ImageInfo]) -> Value {
    let labels: serde_json::Map<String, Value> =
        cfg.all_labels().into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    let mut spec = json!({"podCIDR": cfg.pod_cidr, "podCIDRs": [cfg.pod_cidr], "providerID": format!("kind://docker/kind/{}", cfg.name)});
    let registered = taints(cfg);
    if !registered.is_empty() {
        spec["taints"] = registered.iter().map(|t| json!({"key": t.key, "effect": t.effect.as_str()})).collect();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": cfg.name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"
            }
        },
        "spec": spec,
        "status": node_status(cfg, now, now, boot, images)
    })
}

/// The node's Lease in `kube-node-lease`, renewed every 10 s (duration 40 s).
pub fn lease_object(cfg: &NodeConfig, node_uid: &str, now: Millis) -> Value {
    json!({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": cfg.name,
            "namespace": "kube-node-lease",
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": cfg.name, "uid": node_uid}]
        },
        "spec": {"holderIdentity": cfg.name, "leaseDurationSeconds": 40, "renewTime": micro_time(now)}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_cidrs_by_index() {
        let n = NodeConfig::new("kind-worker", 1, false);
        assert_eq!((n.internal_ip.as_str(), n.pod_cidr.as_str()), ("172.18.0.3", "10.244.1.0/24"));
        let big = NodeConfig::new("w4999", 4999, false);
        assert_eq!(big.internal_ip, "172.18.19.137");
        assert_eq!(big.pod_cidr, "100.82.135.0/24");
    }

    #[test]
    fn control_plane_registers_with_role_and_taint() {
        let cfg = NodeConfig::new("kind-control-plane", 0, true);
        let node = node_object(&cfg, 0, 0, &[]);
        assert_eq!(node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"], "");
        assert_eq!(node["metadata"]["labels"]["kubernetes.io/hostname"], "kind-control-plane");
        assert_eq!(
            node["spec"]["taints"][0],
            json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})
        );
        let worker = node_object(&NodeConfig::new("w", 1, false), 0, 0, &[]);
        assert!(worker["spec"].get("taints").is_none());
    }

    #[test]
    fn status_reads_like_a_kind_node() {
        let st = node_status(&NodeConfig::new("w", 1, false), 0, 10_000, 0, &[]);
        assert_eq!(st["capacity"]["cpu"], "2");
        assert_eq!(st["capacity"]["memory"], "8148560Ki");
        assert_eq!(st["allocatable"]["memory"], "8046160Ki");
        assert_eq!(st["conditions"][3]["message"], "kubelet is posting ready status");
        assert_eq!(st["conditions"][3]["lastHeartbeatTime"], "2025-01-01T00:00:10Z");
        assert_eq!(st["nodeInfo"]["kubeletVersion"], "v1.33.1");
        assert_eq!(st["addresses"][0], json!({"type": "InternalIP", "address": "172.18.0.3"}));
    }

    #[test]
    fn images_are_listed_biggest_first() {
        let cfg = NodeConfig::new("w", 1, false);
        let img = |name: &str, size| ImageInfo {
            tags: vec![format!("docker.io/library/{name}:latest")],
            repo_digest: format!("docker.io/library/{name}@sha256:aa"),
            size,
        };
        let st = node_status(&cfg, 0, 20_000, 0, &[img("busybox", 2_000_000), img("nginx", 72_000_000)]);
        assert_eq!(
            st["images"][0]["names"],
            json!(["docker.io/library/nginx@sha256:aa", "docker.io/library/nginx:latest"])
        );
        assert_eq!(st["images"][1]["sizeBytes"], 2_000_000);
        assert_eq!(st["conditions"][0]["lastTransitionTime"], "2025-01-01T00:00:00Z");
    }

    #[test]
    fn lease_shape() {
        let l = lease_object(&NodeConfig::new("w", 1, false), "uid-1", 10_250);
        assert_eq!(l["spec"]["renewTime"], "2025-01-01T00:00:10.250000Z");
        assert_eq!(l["metadata"]["ownerReferences"][0]["uid"], "uid-1");
        assert_eq!(micro_time(0), "2025-01-01T00:00:00.000000Z");
    }
}
