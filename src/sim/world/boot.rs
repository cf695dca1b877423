//! How the world boots a kind cluster: the kube-apiserver's own objects at its start, kubeadm's static
//! pod manifests on the control-plane node, kubeadm's addons and kind's CNI applied once the control
//! plane is up, and the control-plane processes' ports on the control-plane node's host network, which
//! the static pods' probes reach.

use serde_json::Value;

use crate::sim::api::pointer::Pointer;

use super::{CLUSTER_NAME, World};
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::bootstrap::{APISERVER_PORT, addons, apiserver, metrics_server, static_pods};
use crate::sim::component::Component;
use crate::sim::node::kubelet::registration::NodeConfig;

/// The apiserver's advertise address: the control-plane node's (the first node kind creates).
pub fn control_plane_ip() -> String {
    NodeConfig::new(&format!("{CLUSTER_NAME}-control-plane"), 0, true).internal_ip
}

impl World {
    /// Creates `obj` as `from`, waiting for the answer (boot-time writes that cannot fail on a fresh cluster).
    pub(super) fn boot_create(&mut self, from: Component, obj: Value) {
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        let version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let Ok(rt) = crate::sim::api::registry::for_kind(version, kind) else { return };
        let ns = obj.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string);
        let req = ApiRequest::new(0, Verb::Create, rt).in_namespace(ns.as_deref()).with_body(obj);
        let _ = self.call_as(from, req);
    }

    /// What the apiserver writes for itself when it starts: the system namespaces, the system
    /// PriorityClasses and the `kubernetes` Service with its endpoints.
    pub(super) fn boot_apiserver_objects(&mut self) {
        let ip = control_plane_ip();
        let namespaces = apiserver::SYSTEM_NAMESPACES
            .map(|ns| serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        let objects = namespaces.into_iter().chain(apiserver::priority_classes()).chain([
            apiserver::kubernetes_service(),
            apiserver::kubernetes_endpoints(&ip),
            apiserver::kubernetes_endpoint_slice(&ip),
        ]);
        for obj in objects.collect::<Vec<_>>() {
            self.boot_create(Component::ApiServer, obj);
        }
    }

    /// `kubeadm init`'s addon phase, kind's CNI and storage manifests, then metrics-server's
    /// `components.yaml`. kubeadm, kind and `kubectl apply` are clients on the learner's side of the
    /// apiserver, so their writes are sent as kubectl's.
    pub(super) fn boot_addons(&mut self) {
        let addons = addons::manifests(&format!("{}:{APISERVER_PORT}", control_plane_ip()));
        for obj in addons.into_iter().chain(metrics_server::manifests()) {
            self.boot_create(Component::Kubectl, obj);
        }
    }

    /// Starts or stops the processes that live in pods with their containers: the
    /// local-path-provisioner, metrics-server and ingress-nginx's controller each run while their
    /// container runs in their namespace on a powered node. A stopped process's watches end with it.
    pub(super) fn sync_pod_processes(&mut self) {
        use crate::sim::provisioner::{CONTAINER, NAMESPACE};
        let pod = self.running_pod_of(NAMESPACE, CONTAINER);
        match pod {
            Some(pod) if !self.provisioner.running => self.provisioner.start(&pod, &mut self.k),
            None if self.provisioner.running => {
                self.provisioner.stop();
                self.apiserver.drop_watches_of(&Component::LocalPathProvisioner);
            }
            _ => {}
        }
        let pod = self.running_pod_of(metrics_server::NAMESPACE, metrics_server::NAME);
        if self.metrics_server.running && pod != self.metrics_server.pod {
            self.metrics_server.stop();
            self.apiserver.drop_watches_of(&Component::MetricsServer);
        }
        if let Some(pod) = pod.filter(|_| !self.metrics_server.running) {
            self.metrics_server.start(&pod, &mut self.k);
        }
        let runs = self.running_pod_of(crate::sim::ingress::NAMESPACE, crate::sim::ingress::CONTAINER).is_some();
        match runs {
            true if !self.ingress.running => self.ingress.start(&mut self.k),
            false if self.ingress.running => {
                self.ingress.stop();
                self.apiserver.drop_watches_of(&Component::IngressNginx);
            }
            _ => {}
        }
    }

    /// The pod whose container `container` runs in `namespace` on a powered node, if one does.
    fn running_pod_of(&self, namespace: &str, container: &str) -> Option<String> {
        let mut nodes = self.nodes.values().filter(|n| n.running);
        nodes.find_map(|n| n.runtime.running_pod_of(namespace, container)).map(str::to_string)
    }

    /// Tells the control-plane node which control-plane processes answer on its host network, so
    /// that their static pods' probes see them stop and start.
    pub(super) fn sync_host_listeners(&mut self) {
        let up: Vec<(u16, bool)> = static_pods::HOST_PORTS
            .iter()
            .filter_map(|&p| static_pods::component_on(p).map(|c| (p, self.is_running(&c))))
            .collect();
        let k = &mut self.k;
        for node in self.nodes.values_mut().filter(|n| n.config.control_plane) {
            for &(port, running) in &up {
                node.kubelet.set_host_listener(port, running, k);
            }
        }
    }
}

/// The static pod manifests of a node: kubeadm's control plane on the control-plane node, none elsewhere.
pub fn manifests_for(config: &NodeConfig) -> Vec<Value> {
    if config.control_plane { static_pods::manifests(&config.name, &config.internal_ip) } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_control_plane_is_the_first_node() {
        assert_eq!(control_plane_ip(), "172.18.0.2");
        assert!(crate::sim::bootstrap::KUBERNETES_SERVICE_IP.starts_with("10.96."));
    }
}
