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
    /// ingress-nginx's controller, while its pod's container runs (installed on demand).
    IngressNginx,
    Kubelet(String),
    KubeProxy(String),
    Runtime(String),
}

impl Component {
    /// The node a component runs on; control-plane components live on the control-plane node.
    pub fn node(&self) -> Option<&str> {
        match self {
            Component::Kubelet(n) | Component::KubeProxy(n) | Component::Runtime(n) => Some(n),
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
            Component::IngressNginx => "ingress-nginx-controller",
            Component::Kubelet(_) => "kubelet",
            Component::KubeProxy(_) => "kube-proxy",
            Component::Runtime(_) => "container-runtime",
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
            "ingress-nginx-controller" => Component::IngressNginx,
            _ => return None,
        })
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            Component::IngressNginx,
            Component::Kubelet("worker".into()),
            Component::KubeProxy("worker2".into()),
            Component::Runtime("w3".into()),
        ] {
            assert_eq!(Component::parse(&c.to_string()), Some(c));
        }
        assert_eq!(Component::parse("kubelet"), None);
        assert_eq!(Component::parse("nope/x"), None);
    }
}
