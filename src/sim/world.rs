//! The world: every actor of the cluster, the kernel that connects them, and the learner's kubectl.
//!
//! `step()` delivers one message or fires one timer; `run_until(t)` advances virtual time. The world
//! routes each delivery to its actor, and drops what arrives at a stopped component (marked in the
//! trace), as a crashed process would.

pub mod boot;
mod clients;
mod faults;
mod load;
mod metrics;
mod streams;

use std::collections::BTreeMap;

use serde_json::Value;

use super::apiserver::request::{ApiRequest, ApiResponse, WatchNotice};
use super::apiserver::status::{Reason, Status};
use super::apiserver::{self, ApiServer};
use super::cloud::CloudControllerManager;
use super::component::Component;
use super::controllers::manager::ControllerManager;
use super::etcd::Etcd;
use super::ingress::IngressNginx;
use super::kernel::{Kernel, Scheduled, TimerKind};
use super::message::{Message, Payload};
use super::metrics_server::MetricsServer;
use super::node::kubelet::Kubelet;
use super::node::kubelet::registration::NodeConfig;
use super::node::proxy::KubeProxy;
use super::node::registry::Registry;
use super::node::runtime::Runtime;
use super::provisioner::LocalPathProvisioner;
use super::scheduler::Scheduler;
use super::time::Millis;

/// How long kubectl waits for an answer before giving up (virtual time).
pub const KUBECTL_TIMEOUT_MS: Millis = 30_000;
/// How long kubectl waits for an exec's stream to end: an hour of virtual time, past any
/// command's own timeouts (busybox wget's 15 min).
pub const EXEC_STREAM_MS: Millis = 60 * 60 * 1000;
/// How long a new cluster runs before the learner's first command: the static pods' startup probes
/// start 10 s after their containers, and the readiness probe follows within a second.
pub const BOOT_MS: Millis = 12_000;
/// The cluster's name: nodes are named as kind names them (`sandbox-control-plane`, `sandbox-worker`).
pub const CLUSTER_NAME: &str = "sandbox";

/// The processes of one node. A stopped node (powered off) runs none of them.
#[derive(Debug)]
pub struct NodeActors {
    pub config: NodeConfig,
    pub kubelet: Kubelet,
    pub runtime: Runtime,
    pub proxy: KubeProxy,
    pub running: bool,
}

/// The whole simulated cluster.
#[derive(Debug)]
pub struct World {
    pub k: Kernel,
    pub etcd: Etcd,
    pub apiserver: ApiServer,
    pub scheduler: Scheduler,
    pub controllers: ControllerManager,
    pub cloud: CloudControllerManager,
    /// kind's local-path-provisioner, up while its pod's container runs (`world/boot.rs`).
    pub provisioner: LocalPathProvisioner,
    /// metrics-server, up while its pod's container runs (`world/metrics.rs`).
    pub metrics_server: MetricsServer,
    /// ingress-nginx's controller, up while its pod's container runs (installed on demand).
    pub ingress: IngressNginx,
    pub nodes: BTreeMap<String, Box<NodeActors>>,
    /// The image registry every node pulls from.
    pub registry: Registry,
    next_node_index: u32,
    kubectl_responses: BTreeMap<u64, Box<ApiResponse>>,
    /// Watch events for the learner's `kubectl get -w`, by watch id.
    pub kubectl_watch_events: BTreeMap<u64, Vec<WatchNotice>>,
    /// The learner's machine: the port-forwards running there (`sim::workstation`).
    pub workstation: crate::sim::workstation::Workstation,
}

impl World {
    /// A kind-like cluster: one control-plane node and three workers, control plane running.
    pub fn new(seed: u64) -> Self {
        Self::with_workers(seed, 3)
    }

    /// A cluster with `workers` worker nodes besides the control-plane node.
    pub fn with_workers(seed: u64, workers: usize) -> Self {
        let mut w = Self::bare(seed);
        for c in [Component::Scheduler, Component::ControllerManager, Component::CloudControllerManager] {
            w.set_component_running(&c, true).expect("control-plane processes can be started");
        }
        // kubeadm init: the control plane's static pods, then its addons and kind's CNI; then the
        // workers join.
        w.add_node_named(&format!("{CLUSTER_NAME}-control-plane"), true);
        w.boot_addons();
        for i in 0..workers {
            let name =
                if i == 0 { format!("{CLUSTER_NAME}-worker") } else { format!("{CLUSTER_NAME}-worker{}", i + 1) };
            w.add_node_named(&name, false);
        }
        // Let nodes register, controllers sync and the control plane's startup probes pass (10 s after
        // their start, kubeadm's `initialDelaySeconds`), as kind waits for before it hands over.
        w.run_for(BOOT_MS);
        w
    }

    /// Only the storage and the API: no scheduler, controllers or nodes running (tests of the API path).
    /// The system namespaces have the `default` ServiceAccount the controller-manager would have made
    /// before it stopped, so that pods can be admitted.
    pub fn bare(seed: u64) -> Self {
        let mut scheduler = Scheduler::new();
        scheduler.running = false;
        let mut controllers = ControllerManager::new();
        controllers.running = false;
        let mut cloud = CloudControllerManager::new();
        cloud.running = false;
        let mut w = World {
            k: Kernel::new(seed),
            etcd: Etcd::new(),
            apiserver: ApiServer::new(),
            scheduler,
            controllers,
            cloud,
            provisioner: LocalPathProvisioner::new(),
            metrics_server: MetricsServer::new(),
            ingress: IngressNginx::new(),
            nodes: BTreeMap::new(),
            registry: Registry::default(),
            next_node_index: 0,
            kubectl_responses: BTreeMap::new(),
            kubectl_watch_events: BTreeMap::new(),
            workstation: Default::default(),
        };
        w.apiserver.start(&mut w.k);
        w.boot_apiserver_objects();
        for ns in crate::sim::bootstrap::apiserver::SYSTEM_NAMESPACES {
            let sa = serde_json::json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}});
            w.boot_create(Component::ControllerManager, sa);
        }
        w
    }

    pub fn now(&self) -> Millis {
        self.k.now()
    }

    /// Delivers the next message or fires the next timer. Returns false when nothing is queued.
    pub fn step(&mut self) -> bool {
        match self.k.next_due() {
            Some(t) => self.step_until(t),
            None => false,
        }
    }

    /// Delivers the next message or fires the next timer due by `limit`; false when none is.
    pub fn step_until(&mut self, limit: Millis) -> bool {
        let Some(item) = self.k.pop_due(limit) else { return false };
        match item {
            Scheduled::Deliver(msg) => self.deliver(msg),
            Scheduled::Timer { owner, kind } => self.fire(owner, kind),
        }
        self.k.end_handling();
        true
    }

    /// Runs every event due up to `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while self.step_until(t) {}
        self.k.advance_to(t);
    }

    pub fn run_for(&mut self, d: Millis) {
        self.run_until(self.now() + d);
    }

    fn deliver(&mut self, msg: Message) {
        if !self.is_running(&msg.to) {
            self.k.mark_ignored(msg.id);
            self.refuse_if_request(&msg);
            return;
        }
        // A packet's path was decided when its program ran: each hop, once there, sends the next.
        if matches!(msg.payload, Payload::Packet(_)) {
            if let Payload::Packet(p) = msg.payload {
                crate::sim::dataplane::path::forward(&mut self.k, *p);
            }
            return;
        }
        let k = &mut self.k;
        match msg.to.clone() {
            // The apiserver's own bootstrap requests (system namespaces) come back to it.
            Component::ApiServer if matches!(msg.payload, Payload::Response(_)) => {
                if let Payload::Response(r) = msg.payload {
                    self.kubectl_responses.insert(r.request_id, r);
                }
            }
            Component::ApiServer => {
                if let Payload::Request(r) = &msg.payload
                    && apiserver::metrics::is_metrics(r.resource)
                {
                    self.scrape_metrics();
                }
                self.apiserver.on_message(msg, &mut self.k)
            }
            Component::Etcd => {
                if let Payload::Etcd(req) = msg.payload {
                    self.etcd.handle(*req, k);
                    self.schedule_etcd_expiry();
                }
            }
            Component::Scheduler => self.scheduler.on_message(msg, k),
            Component::ControllerManager => self.controllers.on_message(msg, k),
            Component::CloudControllerManager => self.cloud.on_message(msg, k),
            Component::LocalPathProvisioner => self.provisioner.on_message(msg, k),
            Component::MetricsServer => self.metrics_server.on_message(msg, k),
            Component::IngressNginx => self.ingress.on_message(msg, k),
            Component::Kubelet(n) if matches!(msg.payload, Payload::Scrape(_)) => self.answer_scrape(&n, msg),
            Component::Kubelet(n) => {
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.kubelet.on_message(msg, k);
                }
            }
            Component::Runtime(n) => {
                let msg = match self.runtime_exec(&n, msg) {
                    Some(msg) => msg,
                    None => return,
                };
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.runtime.on_message(msg, &mut self.k, &self.registry);
                }
                self.sync_pod_processes();
            }
            Component::KubeProxy(n) => {
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.proxy.on_message(msg, k);
                }
            }
            Component::Kubectl => match msg.payload {
                Payload::Response(r) => {
                    self.kubectl_responses.insert(r.request_id, r);
                }
                Payload::Watch(w) => {
                    if let Some(events) = self.kubectl_watch_events.get_mut(&w.watch_id) {
                        events.push(*w);
                    }
                }
                _ => {}
            },
            Component::Cni(_) | Component::Pod(_) => {}
        }
    }

    fn fire(&mut self, owner: Component, kind: TimerKind) {
        if !self.is_running(&owner) {
            return;
        }
        let k = &mut self.k;
        match owner {
            Component::ApiServer => self.apiserver.on_timer(kind, k),
            Component::Etcd => {
                self.etcd.tick(k);
                self.schedule_etcd_expiry();
            }
            Component::Scheduler => self.scheduler.on_timer(kind, k),
            Component::ControllerManager => self.controllers.on_timer(kind, k),
            Component::CloudControllerManager => self.cloud.on_timer(kind, k),
            Component::LocalPathProvisioner => self.provisioner.on_timer(kind, k),
            Component::MetricsServer => self.metrics_server.on_timer(kind, k),
            Component::IngressNginx => self.ingress.on_timer(kind, k),
            Component::Kubelet(n) => {
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.kubelet.on_timer(kind, k);
                }
            }
            Component::Runtime(n) => {
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.runtime.on_timer(kind, k);
                }
                self.sync_pod_processes();
            }
            Component::KubeProxy(n) => {
                if let Some(node) = self.nodes.get_mut(&n) {
                    node.proxy.on_timer(kind, k);
                }
            }
            Component::Kubectl | Component::Cni(_) | Component::Pod(_) => {}
        }
    }

    fn schedule_etcd_expiry(&mut self) {
        if let Some(t) = self.etcd.next_timer() {
            let after = t.saturating_sub(self.now());
            self.k.set_timer(Component::Etcd, after.max(1), TimerKind::Tick);
        }
    }

    /// A component's request to a stopped apiserver is refused at once (nothing listens on the port),
    /// so its client backs off and retries, as client-go does. kubectl keeps waiting for its own
    /// timeout (a simplification the README lists).
    fn refuse_if_request(&mut self, msg: &Message) {
        if let Payload::Stream(r) = &msg.payload {
            return self.apiserver.kubelet_unreachable(r.id, &mut self.k);
        }
        if msg.to == Component::ApiServer
            && msg.from != Component::Kubectl
            && let Payload::Request(req) = &msg.payload
        {
            let refused = Status::new(0, Reason::Unreachable, apiserver::CONNECTION_REFUSED);
            let answer = ApiResponse { request_id: req.id, result: Err(refused) };
            self.k.send(Component::ApiServer, msg.from.clone(), Payload::Response(Box::new(answer)));
        }
    }

    /// Whether a component is up (stopped components ignore what reaches them).
    pub fn is_running(&self, c: &Component) -> bool {
        match c {
            Component::Kubectl => true,
            Component::Etcd => self.etcd.running,
            Component::ApiServer => self.apiserver.running,
            Component::Scheduler => self.scheduler.running,
            Component::ControllerManager => self.controllers.running,
            Component::CloudControllerManager => self.cloud.running,
            Component::LocalPathProvisioner => self.provisioner.running,
            Component::MetricsServer => self.metrics_server.running,
            Component::IngressNginx => self.ingress.running,
            Component::Kubelet(n) | Component::Runtime(n) | Component::KubeProxy(n) | Component::Cni(n) => {
                self.nodes.get(n).is_some_and(|node| node.running)
            }
            // A packet's ends: its path was decided with the pods' nodes as they were.
            Component::Pod(_) => true,
        }
    }

    /// Sends a request as the learner's kubectl and runs the world until the answer arrives.
    pub fn call(&mut self, req: ApiRequest) -> Result<Value, Status> {
        self.call_as(Component::Kubectl, req)
    }

    fn call_as(&mut self, from: Component, mut req: ApiRequest) -> Result<Value, Status> {
        let id = self.k.fresh_id();
        req.id = id;
        // An exec's stream stays open while the command runs: the client's timeout is only for
        // other requests' answers (kubectl sets none on a stream).
        let wait = if req.subresource.as_deref() == Some("exec") { EXEC_STREAM_MS } else { KUBECTL_TIMEOUT_MS };
        self.k.send(from, Component::ApiServer, Payload::Request(Box::new(req)));
        let deadline = self.now() + wait;
        while !self.kubectl_responses.contains_key(&id) {
            if !self.step_until(deadline) {
                self.k.advance_to(deadline);
                return Err(Status::new(
                    0,
                    Reason::Unreachable,
                    "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)",
                ));
            }
        }
        self.kubectl_responses.remove(&id).expect("checked by the loop condition").result
    }

    /// Sends several requests at the same instant (several kubectl processes started together, as
    /// `kubectl create ... &` in a shell) and runs the world until every answer arrived, in order.
    pub fn call_all(&mut self, reqs: Vec<ApiRequest>) -> Vec<Result<Value, Status>> {
        let mut ids = Vec::new();
        for mut req in reqs {
            let id = self.k.fresh_id();
            req.id = id;
            self.k.send(Component::Kubectl, Component::ApiServer, Payload::Request(Box::new(req)));
            ids.push(id);
        }
        let deadline = self.now() + KUBECTL_TIMEOUT_MS;
        while !ids.iter().all(|id| self.kubectl_responses.contains_key(id)) && self.step_until(deadline) {}
        ids.iter()
            .map(|id| match self.kubectl_responses.remove(id) {
                Some(r) => r.result,
                None => Err(Status::new(0, Reason::Unreachable, "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)")),
            })
            .collect()
    }

    /// Opens a watch for `kubectl get -w`; events collect in `kubectl_watch_events[id]`.
    pub fn open_kubectl_watch(&mut self, mut req: ApiRequest) -> u64 {
        let id = self.k.fresh_id();
        req.id = id;
        self.kubectl_watch_events.insert(id, Vec::new());
        self.k.send(Component::Kubectl, Component::ApiServer, Payload::Request(Box::new(req)));
        id
    }

    /// The events a `kubectl get -w` (or an HTTP client's watch) has received since the last look, and
    /// whether the apiserver has ended the stream (its timeout passed, or the connection was lost).
    pub fn take_kubectl_watch(&mut self, id: u64) -> (Vec<WatchNotice>, bool) {
        let events = self.kubectl_watch_events.get_mut(&id).map(std::mem::take).unwrap_or_default();
        let ended = self.kubectl_responses.remove(&id).is_some() || !self.kubectl_watch_events.contains_key(&id);
        (events, ended)
    }

    /// Ends a `kubectl get -w` (Ctrl+C): later events for it are dropped.
    pub fn close_kubectl_watch(&mut self, id: u64) {
        self.kubectl_watch_events.remove(&id);
        self.apiserver.cache.watchers.remove(id);
    }
}
