//! cloud-controller-manager: the cloud provider's controllers. Here, as `cloud-provider-kind` does for
//! kind clusters, its service controller gives each `type: LoadBalancer` Service an external IP, and
//! its node controller initializes nodes that registered with the `uninitialized` taint.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::api::{self, ResourceType};
use super::apiserver::request::{EventType, PatchType};
use super::client::{self, Action, Reflector};
use super::component::Component;
use super::kernel::{Kernel, TimerKind};
use super::message::{Message, Payload};

/// The taint a kubelet started with `--cloud-provider=external` registers with.
pub const UNINITIALIZED_TAINT: &str = "node.cloudprovider.kubernetes.io/uninitialized";

/// The cloud-controller-manager actor.
#[derive(Debug)]
pub struct CloudControllerManager {
    pub running: bool,
    /// Services and nodes, each through its own reflector.
    reflectors: [Reflector; 2],
    /// Next address handed out from the load-balancer pool (172.18.255.200-250, kind's docker network).
    next_lb: u8,
}

impl Default for CloudControllerManager {
    fn default() -> Self {
        Self::new()
    }
}

fn services() -> &'static ResourceType {
    api::resolve("services").expect("services are served")
}

fn nodes() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are served")
}

impl CloudControllerManager {
    pub fn new() -> Self {
        Self {
            running: true,
            reflectors: [Reflector::new(services(), None), Reflector::new(nodes(), None)],
            next_lb: 200,
        }
    }

    pub fn start(&mut self, k: &mut Kernel) {
        for r in &mut self.reflectors {
            r.stop();
            r.start(&Component::CloudControllerManager, k);
        }
    }

    /// Its list-and-watch loops (Services, nodes).
    pub fn reflectors(&self) -> &[Reflector] {
        &self.reflectors
    }

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        let me = Component::CloudControllerManager;
        match msg.payload {
            Payload::Watch(w) => {
                let Some(r) = self.reflectors.iter_mut().find(|r| r.owns(w.watch_id)) else { return };
                let rt = r.resource();
                for change in r.on_notice(*w) {
                    if change.event == EventType::Deleted {
                        continue;
                    }
                    let actions = if rt.kind == "Service" {
                        self.reconcile_service(&change.new)
                    } else {
                        reconcile_node(&change.new)
                    };
                    for a in actions {
                        client::send_action(&me, a, k);
                    }
                }
            }
            Payload::Response(r) => {
                let _ = self.reflectors.iter_mut().any(|refl| refl.on_response(&r, &me, k));
            }
            _ => {}
        }
    }

    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        let me = Component::CloudControllerManager;
        let _ = self.reflectors.iter_mut().any(|r| r.on_timer(&kind, &me, k));
    }

    /// A LoadBalancer Service without an ingress IP gets one (EnsuringLoadBalancer, EnsuredLoadBalancer).
    fn reconcile_service(&mut self, svc: &Value) -> Vec<Action> {
        let is_lb = svc.at("/spec/type").and_then(Value::as_str) == Some("LoadBalancer");
        let has_ip = svc.at("/status/loadBalancer/ingress").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        if !is_lb || has_ip || svc.at("/metadata/deletionTimestamp").is_some() {
            return Vec::new();
        }
        let ip = format!("172.18.255.{}", self.next_lb);
        self.next_lb = if self.next_lb >= 250 { 200 } else { self.next_lb + 1 };
        let (ns, name) = client::object_key(svc);
        vec![
            Action::Event {
                regarding: svc.clone(),
                event_type: "Normal",
                reason: "EnsuringLoadBalancer".into(),
                message: "Ensuring load balancer".into(),
            },
            Action::Patch {
                resource: services(),
                namespace: Some(ns),
                name,
                patch_type: PatchType::Merge,
                patch: json!({"status": {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}}}),
                status: true,
            },
            Action::Event {
                regarding: svc.clone(),
                event_type: "Normal",
                reason: "EnsuredLoadBalancer".into(),
                message: "Ensured load balancer".into(),
            },
        ]
    }
}

/// A node registered with the uninitialized taint gets it removed (and its provider ID set).
fn reconcile_node(node: &Value) -> Vec<Action> {
    let taints = node.at("/spec/taints").and_then(Value::as_array).cloned().unwrap_or_default();
    if !taints.iter().any(|t| t.get("key").and_then(Value::as_str) == Some(UNINITIALIZED_TAINT)) {
        return Vec::new();
    }
    let kept: Vec<Value> =
        taints.into_iter().filter(|t| t.get("key").and_then(Value::as_str) != Some(UNINITIALIZED_TAINT)).collect();
    let (_, name) = client::object_key(node);
    vec![Action::Patch {
        resource: nodes(),
        namespace: None,
        name: name.clone(),
        patch_type: PatchType::Merge,
        patch: json!({"spec": {"taints": kept, "providerID": format!("kind://docker/sandbox/{name}")}}),
        status: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_balancer_gets_an_ip_once() {
        let mut ccm = CloudControllerManager::new();
        let svc = json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"type": "LoadBalancer"}});
        let actions = ccm.reconcile_service(&svc);
        assert_eq!(actions.len(), 3);
        assert!(
            matches!(&actions[1], Action::Patch { patch, .. } if patch.at("/status/loadBalancer/ingress/0/ip") == Some(&json!("172.18.255.200")))
        );
        let mut done = svc.clone();
        done["status"] = json!({"loadBalancer": {"ingress": [{"ip": "172.18.255.200"}]}});
        assert!(ccm.reconcile_service(&done).is_empty());
        let cluster_ip = json!({"metadata": {"name": "x", "namespace": "default"}, "spec": {"type": "ClusterIP"}});
        assert!(ccm.reconcile_service(&cluster_ip).is_empty());
    }

    #[test]
    fn uninitialized_taint_is_removed() {
        let node = json!({"metadata": {"name": "w"}, "spec": {"taints": [{"key": UNINITIALIZED_TAINT, "value": "true", "effect": "NoSchedule"}, {"key": "x", "effect": "NoSchedule"}]}});
        let actions = reconcile_node(&node);
        assert!(
            matches!(&actions[0], Action::Patch { patch, .. } if patch["spec"]["taints"] == json!([{"key": "x", "effect": "NoSchedule"}]))
        );
        assert!(reconcile_node(&json!({"metadata": {"name": "w"}, "spec": {}})).is_empty());
    }
}
