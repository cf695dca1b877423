//! The world: every actor of the cluster, the kernel that connects them, and the learner's kubectl.
//!
//! `step()` delivers one message or fires one timer; `run_until(t)` advances virtual time. The world
//! routes each delivery to its actor, and drops what arrives at a stopped component (marked in the
//! trace), as a crashed process would.

use std::collections::BTreeMap;

use serde_json::Value;

use super::apiserver::ApiServer;
use super::apiserver::request::{ApiRequest, ApiResponse, WatchNotice};
use super::apiserver::status::{Reason, Status};
use super::component::Component;
use super::etcd::Etcd;
use super::kernel::{Kernel, Scheduled, TimerKind};
use super::message::{Message, Payload};
use super::network::LinkState;
use super::time::Millis;

/// How long kubectl waits for an answer before giving up (virtual time).
pub const KUBECTL_TIMEOUT_MS: Millis = 30_000;

/// The whole simulated cluster.
#[derive(Debug)]
pub struct World {
    pub k: Kernel,
    pub etcd: Etcd,
    pub apiserver: ApiServer,
    kubectl_responses: BTreeMap<u64, ApiResponse>,
    /// Watch events for the learner's `kubectl get -w`, by watch id.
    pub kubectl_watch_events: BTreeMap<u64, Vec<WatchNotice>>,
}

impl World {
    /// A cluster with only its control plane's storage and API: namespaces are created the way the
    /// apiserver's bootstrap controller creates them.
    pub fn bare(seed: u64) -> Self {
        let mut w = World {
            k: Kernel::new(seed),
            etcd: Etcd::new(),
            apiserver: ApiServer::new(),
            kubectl_responses: BTreeMap::new(),
            kubectl_watch_events: BTreeMap::new(),
        };
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            let rt = super::api::resolve("namespaces").expect("namespaces are served");
            let _ = w.call_as(Component::ApiServer, ApiRequest::new(0, super::apiserver::request::Verb::Create, rt).with_body(body));
        }
        w
    }

    pub fn now(&self) -> Millis {
        self.k.now()
    }

    /// Delivers the next message or fires the next timer. Returns false when nothing is queued.
    pub fn step(&mut self) -> bool {
        match self.k.next_due() {
            Some(t) => {
                self.step_until(t);
                true
            }
            None => false,
        }
    }

    fn step_until(&mut self, limit: Millis) -> bool {
        let Some(item) = self.k.pop_due(limit) else { return false };
        match item {
            Scheduled::Deliver(msg) => self.deliver(msg),
            Scheduled::Timer { owner, kind } => self.fire(owner, kind),
        }
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
            return;
        }
        match msg.to {
            Component::ApiServer => self.apiserver.on_message(msg, &mut self.k),
            Component::Etcd => {
                if let Payload::Etcd(req) = msg.payload {
                    self.etcd.handle(*req, &mut self.k);
                    self.schedule_etcd_expiry();
                }
            }
            Component::Kubectl => match msg.payload {
                Payload::Response(r) => {
                    self.kubectl_responses.insert(r.request_id, *r);
                }
                Payload::Watch(w) => self.kubectl_watch_events.entry(w.watch_id).or_default().push(*w),
                _ => {}
            },
            _ => {}
        }
    }

    fn fire(&mut self, owner: Component, kind: TimerKind) {
        if !self.is_running(&owner) {
            return;
        }
        match owner {
            Component::ApiServer => self.apiserver.on_timer(kind, &mut self.k),
            Component::Etcd => {
                self.etcd.tick(&mut self.k);
                self.schedule_etcd_expiry();
            }
            _ => {}
        }
    }

    fn schedule_etcd_expiry(&mut self) {
        if let Some(t) = self.etcd.next_timer() {
            let after = t.saturating_sub(self.now());
            self.k.set_timer(Component::Etcd, after.max(1), TimerKind::Tick);
        }
    }

    /// Whether a component is up (stopped components ignore what reaches them).
    pub fn is_running(&self, c: &Component) -> bool {
        match c {
            Component::Etcd => self.etcd.running,
            Component::ApiServer => self.apiserver.running,
            _ => true,
        }
    }

    /// Sends a request as the learner's kubectl and runs the world until the answer arrives.
    pub fn call(&mut self, req: ApiRequest) -> Result<Value, Status> {
        self.call_as(Component::Kubectl, req)
    }

    fn call_as(&mut self, from: Component, mut req: ApiRequest) -> Result<Value, Status> {
        let id = self.k.fresh_id();
        req.id = id;
        self.k.send(from, Component::ApiServer, Payload::Request(Box::new(req)));
        let deadline = self.now() + KUBECTL_TIMEOUT_MS;
        while !self.kubectl_responses.contains_key(&id) {
            if !self.step_until(deadline) {
                self.k.advance_to(deadline);
                return Err(Status::new(0, Reason::Unreachable, "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)"));
            }
        }
        self.kubectl_responses.remove(&id).expect("checked by the loop condition").result
    }

    /// Opens a watch for `kubectl get -w`; events collect in `kubectl_watch_events[id]`.
    pub fn open_kubectl_watch(&mut self, mut req: ApiRequest) -> u64 {
        let id = self.k.fresh_id();
        req.id = id;
        self.kubectl_watch_events.insert(id, Vec::new());
        self.k.send(Component::Kubectl, Component::ApiServer, Payload::Request(Box::new(req)));
        id
    }

    /// Stops or starts etcd (the store becomes unavailable: the apiserver answers 504 after a timeout).
    pub fn set_etcd_running(&mut self, running: bool) {
        self.etcd.running = running;
    }

    /// Partitions, holds or heals the link between two components.
    pub fn set_link(&mut self, a: &Component, b: &Component, state: LinkState) {
        self.k.network.set_state(a, b, state);
        if state == LinkState::Healthy {
            self.k.release_held(a, b);
        }
    }
}
