//! Changing the cluster while it runs: adding and stopping nodes, stopping and starting control-plane
//! processes, making etcd unavailable, cutting links. The UI's fault buttons call these.

use super::{CLUSTER_NAME, NodeActors, World};
use crate::sim::component::Component;
use crate::sim::network::LinkState;
use crate::sim::node::kubelet::Kubelet;
use crate::sim::node::kubelet::registration::NodeConfig;
use crate::sim::node::proxy::KubeProxy;
use crate::sim::node::runtime::Runtime;

/// CPU of every simulated node, in millicores (issue: 4 CPU, 8 GiB, 110 pods per node).
pub const NODE_CPU_MILLIS: u64 = 4000;

/// Why a fault could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// There is no node by that name.
    #[error("node {0:?} not found")]
    NoSuchNode(String),
    /// A node by that name exists already.
    #[error("node {0:?} already exists")]
    NodeExists(String),
    /// The component cannot be stopped this way (kubectl is the learner; node parts go with their node).
    #[error("{0} cannot be stopped on its own")]
    NotStoppable(String),
}

impl World {
    /// Adds a worker node named like kind's next worker (`sandbox-worker5`) and starts it.
    pub fn add_node(&mut self) -> String {
        let mut i = self.nodes.len();
        let name = loop {
            let candidate = if i <= 1 { format!("{CLUSTER_NAME}-worker") } else { format!("{CLUSTER_NAME}-worker{i}") };
            if !self.nodes.contains_key(&candidate) {
                break candidate;
            }
            i += 1;
        };
        self.add_node_named(&name, false);
        name
    }

    /// Boots a node: its runtime, kubelet (which registers the Node and its Lease) and kube-proxy.
    pub fn add_node_named(&mut self, name: &str, control_plane: bool) {
        let mut config = NodeConfig::new(name, self.next_node_index, control_plane);
        config.cpu_millis = NODE_CPU_MILLIS;
        config.manifests = super::boot::manifests_for(&config);
        self.next_node_index += 1;
        let mut node = NodeActors {
            kubelet: Kubelet::new(config.clone()),
            runtime: Runtime::new(name, &config.pod_cidr, &self.registry),
            proxy: KubeProxy::new(name),
            config,
            running: true,
        };
        // One disk per node: what the runtime's containers write is what the kubelet mounts.
        node.runtime.host = node.kubelet.host.clone();
        node.kubelet.start(&mut self.k);
        node.proxy.start(&mut self.k);
        self.nodes.insert(name.to_string(), Box::new(node));
        self.sync_host_listeners();
    }

    /// Powers a node off (its kubelet stops renewing its Lease, its containers are gone) or on.
    pub fn set_node_running(&mut self, name: &str, running: bool) -> Result<(), FaultError> {
        let now = self.now();
        let node = self.nodes.get_mut(name).ok_or_else(|| FaultError::NoSuchNode(name.to_string()))?;
        if node.running == running {
            return Ok(());
        }
        node.running = running;
        let kubelet = Component::Kubelet(name.to_string());
        let proxy = Component::KubeProxy(name.to_string());
        if running {
            node.kubelet.start(&mut self.k);
            node.proxy.start(&mut self.k);
        } else {
            node.kubelet.stop();
            node.runtime.power_off(now);
            // The node's TCP connections die with it: the apiserver forgets its watches.
            self.apiserver.drop_watches_of(&kubelet);
            self.apiserver.drop_watches_of(&proxy);
            self.sync_pod_processes();
        }
        Ok(())
    }

    /// Stops or starts a control-plane process. A restarted process starts with empty caches and
    /// re-lists everything through new watches, as a real restart does.
    pub fn set_component_running(&mut self, c: &Component, running: bool) -> Result<(), FaultError> {
        match c {
            Component::Etcd => self.etcd.running = running,
            Component::ApiServer if !running && self.apiserver.running => self.apiserver.stop(&mut self.k),
            Component::ApiServer if running && !self.apiserver.running => self.apiserver.restart(&mut self.k),
            Component::ApiServer => self.apiserver.running = running,
            Component::Scheduler if running && !self.scheduler.running => {
                self.scheduler.running = true;
                self.scheduler.start(&mut self.k);
            }
            Component::Scheduler => self.scheduler.running = running,
            Component::ControllerManager if running && !self.controllers.running => {
                self.controllers.running = true;
                self.controllers.start(&mut self.k);
            }
            Component::ControllerManager => self.controllers.running = running,
            Component::CloudControllerManager if running && !self.cloud.running => {
                self.cloud.running = true;
                self.cloud.start(&mut self.k);
            }
            Component::CloudControllerManager => self.cloud.running = running,
            Component::Kubelet(n) | Component::Runtime(n) | Component::KubeProxy(n) => {
                return self.set_node_running(n, running);
            }
            // The learner; and a process that lives in a pod (scale its Deployment instead).
            Component::Kubectl
            | Component::LocalPathProvisioner
            | Component::MetricsServer
            | Component::IngressNginx
            | Component::Cni(_)
            | Component::Pod(_) => {
                return Err(FaultError::NotStoppable(c.to_string()));
            }
        }
        if !running {
            self.apiserver.drop_watches_of(c);
        }
        self.sync_host_listeners();
        Ok(())
    }

    /// Partitions, holds or heals the link between two components.
    pub fn set_link(&mut self, a: &Component, b: &Component, state: LinkState) {
        self.k.network.set_state(a, b, state);
        if state == LinkState::Healthy {
            self.k.release_held(a, b);
        }
    }

    /// Makes an image fail to pull everywhere (or pull again), e.g. to watch ImagePullBackOff.
    pub fn set_image_unpullable(&mut self, image: &str, unpullable: bool) -> bool {
        use crate::sim::node::registry::PullFault;
        self.registry.set_fault(image, unpullable.then_some(PullFault::NotFound))
    }
}
