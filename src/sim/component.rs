//! Names of the simulated components: who sends and receives each message.

use std::fmt;

/// One process of the cluster. Node-local components carry their node's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Component {
    /// The learner's kubectl (the terminal, the editor, the native runner).
    Kubectl,
    ApiServer,
    Etcd,
    Scheduler,
    ControllerManager,
    CloudControllerManager,
    /// kind's local-path-provisioner, while its pod's container runs.
    LocalPathProvisioner,
    /// metrics-server, while its pod's container runs.
    MetricsServer,
    /// ingress-nginx's controller, while its pod's container runs (installed on demand).
    IngressNginx,
    Kubelet(String),
    KubeProxy(String),
    Runtime(String),
    /// kindnet on a node: the CNI's routes between nodes and its NetworkPolicy agent, which the
    /// data plane's packets cross (`dataplane::path`).
    Cni(String),
    /// A pod as a packet's end (`namespace/name`): the data plane's messages start and end at pods.
    Pod(String),
}

impl Component {
    /// The node a component runs on; control-plane components live on the control-plane node.
    pub fn node(&self) -> Option<&str> {
        match self {
            Component::Kubelet(n) | Component::KubeProxy(n) | Component::Runtime(n) | Component::Cni(n) => Some(n),
            _ => None,
        }
    }

    /// Short role name without the node, for styling and help text.
    pub fn role(&self) -> &'static str {
        match self {
            Component::Kubectl => "kubectl",
            Component::ApiServer => "kube-apiserver",
            Component::Etcd => "etcd",
            Component::Scheduler => "kube-scheduler",
            Component::ControllerManager => "kube-controller-manager",
            Component::CloudControllerManager => "cloud-controller-manager",
            Component::LocalPathProvisioner => "local-path-provisioner",
            Component::MetricsServer => "metrics-server",
            Component::IngressNginx => "ingress-nginx-controller",
            Component::Kubelet(_) => "kubelet",
            Component::KubeProxy(_) => "kube-proxy",
            Component::Runtime(_) => "container-runtime",
            Component::Cni(_) => "kindnet",
            Component::Pod(_) => "pod",
        }
    }

    /// Parses what `Display` prints (used by trace files and the UI).
    pub fn parse(s: &str) -> Option<Component> {
        if let Some((role, node)) = s.split_once('/') {
            let node = node.to_string();
            return match role {
                "kubelet" => Some(Component::Kubelet(node)),
                "kube-proxy" => Some(Component::KubeProxy(node)),
                "container-runtime" => Some(Component::Runtime(node)),
                "kindnet" => Some(Component::Cni(node)),
                "pod" if node.contains('/') => Some(Component::Pod(node)),
                _ => None,
            };
        }
        Some(match s {
            "kubectl" => Component::Kubectl,
            "kube-apiserver" => Component::ApiServer,
            "etcd" => Component::Etcd,
            "kube-scheduler" => Component::Scheduler,
            "kube-controller-manager" => Component::ControllerManager,
            "cloud-controller-manager" => Component::CloudControllerManager,
            "local-path-provisioner" => Component::LocalPathProvisioner,
            "metrics-server" => Component::MetricsServer,
            "ingress-nginx-controller" => Component::IngressNginx,
            _ => return None,
        })
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Component::Pod(p) = self {
            return write!(f, "pod/{p}");
        }
        match self.node() {
            Some(node) => write!(f, "{}/{}", self.role(), node),
            None => f.write_str(self.role()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for c in [
            Component::Kubectl,
            Component::ApiServer,
            Component::Etcd,
            Component::Scheduler,
            Component::ControllerManager,
            Component::CloudControllerManager,
            Component::LocalPathProvisioner,
            Component::MetricsServer,
            Component::IngressNginx,
            Component::Kubelet("worker".into()),
            Component::KubeProxy("worker2".into()),
            Component::Runtime("w3".into()),
            Component::Cni("w3".into()),
            Component::Pod("default/web-1".into()),
        ] {
            assert_eq!(Component::parse(&c.to_string()), Some(c));
        }
        assert_eq!(Component::parse("kubelet"), None);
        assert_eq!(Component::parse("nope/x"), None);
        assert_eq!(Component::parse("pod/web"), None, "a pod is named with its namespace");
    }
}
