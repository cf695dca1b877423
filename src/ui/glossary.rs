//! What each component of the architecture does, in a sentence or two: shown by the help panel,
//! the diagram's hover titles and the inspector.

/// One component's description.
pub struct Entry {
    /// The role as the trace names it (without the node): `kube-apiserver`, `kubelet`, ...
    pub role: &'static str,
    pub title: &'static str,
    pub does: &'static str,
    pub sends: &'static str,
}

/// Every component, in the order the diagram draws them.
pub const ENTRIES: [Entry; 14] = [
    Entry {
        role: "kubectl",
        title: "kubectl (you)",
        does: "The command-line client. Every command becomes HTTP requests to the kube-apiserver; it never talks to any other component.",
        sends: "Requests (GET, POST, PUT, PATCH, DELETE, WATCH) to the kube-apiserver, which answers each one.",
    },
    Entry {
        role: "kube-apiserver",
        title: "kube-apiserver",
        does: "The front door and the only component that talks to etcd. It authenticates, validates and admits each request, stores objects, and keeps a watch cache from which it streams changes.",
        sends: "Reads and transactions to etcd; responses to clients; watch events (ADDED, MODIFIED, DELETED) to every component watching.",
    },
    Entry {
        role: "etcd",
        title: "etcd",
        does: "The cluster's consistent key-value store. Every object lives under a key like /registry/pods/default/web; each change gets a new revision.",
        sends: "Replies to the kube-apiserver's reads and transactions, and a watch stream of changes from which the apiserver's cache is kept up to date.",
    },
    Entry {
        role: "kube-scheduler",
        title: "kube-scheduler",
        does: "Watches for pods with no node. For each, it filters out nodes that cannot run it and scores the rest, then binds the pod to the best node.",
        sends: "A watch on pods and nodes, and a Binding (POST pods/NAME/binding) per scheduled pod; Events when a pod cannot be scheduled.",
    },
    Entry {
        role: "kube-controller-manager",
        title: "kube-controller-manager",
        does: "Runs the built-in control loops: Deployment, ReplicaSet, Job, StatefulSet, DaemonSet, EndpointSlice, node lifecycle, garbage collector... Each one makes the actual state match the desired state.",
        sends: "Watches on the objects it manages; creates, updates and deletes (a ReplicaSet creating pods, the node controller marking a silent node NotReady).",
    },
    Entry {
        role: "cloud-controller-manager",
        title: "cloud-controller-manager",
        does: "Links the cluster to its cloud provider: node addresses and existence, and load balancers for Services of type LoadBalancer.",
        sends: "Watches on nodes and services; status updates such as a LoadBalancer's external IP.",
    },
    Entry {
        role: "local-path-provisioner",
        title: "local-path-provisioner",
        does: "kind's storage provisioner, a pod in local-path-storage. When a claim of the standard StorageClass has been given a node by the scheduler, it creates a PersistentVolume for it: a directory on that node.",
        sends: "Watches on claims, volumes and StorageClasses; creates of pvc-<uid> PersistentVolumes (and deletes of released ones); Provisioning events on the claims.",
    },
    Entry {
        role: "metrics-server",
        title: "metrics-server",
        does: "A pod in kube-system that collects every node's CPU and memory use every 15 s. The kube-apiserver serves what it collected as the Metrics API (metrics.k8s.io), which kubectl top and the HorizontalPodAutoscaler read.",
        sends: "A watch on nodes; every 15 s a GET /metrics/resource to each node's kubelet (port 10250), which answers with the node's and its containers' use.",
    },
    Entry {
        role: "ingress-nginx-controller",
        title: "ingress-nginx controller",
        does: "The Ingress controller of kind's Ingress guide, a pod in ingress-nginx (installed with kubectl apply -f of the guide's URL). It turns the Ingresses of its class into nginx routes by host and path, and proxies each request straight to a ready pod of the backend Service.",
        sends: "Watches on Ingresses, IngressClasses, Services and EndpointSlices; status updates that publish the address `localhost` on its Ingresses; Sync events.",
    },
    Entry {
        role: "kubelet",
        title: "kubelet",
        does: "The agent on every node. It registers the node, renews its lease as a heartbeat, and runs the pods bound to it through the container runtime, reporting their status.",
        sends: "A watch on its own pods; node status and lease updates; pod status patches to the kube-apiserver; CRI calls (RunPodSandbox, CreateContainer, StartContainer) to the runtime.",
    },
    Entry {
        role: "kube-proxy",
        title: "kube-proxy",
        does: "Programs each node's packet rules so that a Service's virtual IP reaches the pods behind it.",
        sends: "Watches on Services and EndpointSlices; it writes nothing to the API. A pod's packets pass its rules (KUBE-SERVICES → KUBE-SVC-* → KUBE-SEP-* DNAT): click it to read them.",
    },
    Entry {
        role: "kindnet",
        title: "kindnet",
        does: "kind's CNI: it gives each node's pods their addresses, routes each node's pod range to that node, and enforces NetworkPolicies on the first packet of each connection.",
        sends: "Its packets' next hop: to another node's kindnet, or to a pod on its own node; a packet a NetworkPolicy denies is dropped here.",
    },
    Entry {
        role: "pod",
        title: "pod",
        does: "A pod's network namespace: a program in it (kubectl exec wget, nslookup, ...) sends packets through its node's rules and CNI.",
        sends: "Packets: DNS queries to CoreDNS, connections, and the answers to those it receives.",
    },
    Entry {
        role: "container-runtime",
        title: "container runtime",
        does: "containerd or CRI-O: pulls images and starts and stops containers, on the kubelet's request.",
        sends: "Replies to the kubelet's CRI calls; it never talks to the kube-apiserver.",
    },
];

/// The entry for a component named as the trace names it (`kubelet/kind-worker` finds `kubelet`).
pub fn lookup(id: &str) -> Option<&'static Entry> {
    let role = id.split('/').next().unwrap_or(id);
    ENTRIES.iter().find(|e| e.role == role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::component::Component;

    #[test]
    fn every_component_role_is_described() {
        let all = [
            Component::Kubectl,
            Component::ApiServer,
            Component::Etcd,
            Component::Scheduler,
            Component::ControllerManager,
            Component::CloudControllerManager,
            Component::LocalPathProvisioner,
            Component::MetricsServer,
            Component::IngressNginx,
            Component::Kubelet("n".into()),
            Component::KubeProxy("n".into()),
            Component::Runtime("n".into()),
            Component::Cni("n".into()),
            Component::Pod("default/web".into()),
        ];
        for c in all {
            let e = lookup(&c.to_string()).unwrap_or_else(|| panic!("{c} has no glossary entry"));
            assert_eq!(e.role, c.role());
        }
        assert!(lookup("coredns").is_none());
    }
}
