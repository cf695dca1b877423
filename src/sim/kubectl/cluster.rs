//! What kubectl reaches of the cluster: the kube-apiserver's REST API (exec and logs included, as
//! its pods' subresources), the kubelets' metrics endpoints, and the virtual clock it waits on. The
//! world answers in-process; the browser's separately loaded kubectl module reaches the same world
//! over a JSON wire (`wire`).

use serde_json::Value;

use crate::sim::apiserver::request::{ApiRequest, EventType};
use crate::sim::apiserver::status::Status;
use crate::sim::node::kubelet::inspect::{NodeUsage, PodUsage};
use crate::sim::time::Millis;
use crate::sim::workstation::{Binds, ListenRequest};
use crate::sim::world::World;

/// Virtual time a watch kubectl opens is given to reach the apiserver and have its stream set up
/// (the request's round trip), before kubectl acts on it or hangs up. `sandbox serve` gives a real
/// client's watch the same time, so that both clients leave the world at the same instant.
pub const WATCH_OPEN_MS: Millis = 10;

/// What a watch has received since kubectl last looked: each event with its object, and whether
/// the apiserver has ended the stream.
pub type WatchBatch = (Vec<(EventType, Value)>, bool);

/// The cluster as a kubectl client sees it.
pub trait Cluster {
    /// Virtual time now.
    fn now(&self) -> Millis;
    /// Lets the cluster run until `t` (kubectl waiting: `--wait`, `rollout status`, `drain`).
    fn run_until(&mut self, t: Millis);
    /// One REST call to the kube-apiserver, answered when the simulation has carried it there and back.
    fn call(&mut self, req: ApiRequest) -> Result<Value, Status>;
    /// Several REST calls sent at the same instant, as kubectl's goroutines send them (`drain` evicts
    /// every pod in its own): every request is on the wire before any answer, and the answers come
    /// back in the requests' order.
    fn call_all(&mut self, reqs: Vec<ApiRequest>) -> Vec<Result<Value, Status>>;
    /// An object as the apiserver's watch cache holds it now, by storage key (what a watch kubectl
    /// keeps open would last have received; reading it adds no messages to the trace).
    fn cached(&self, key: &str) -> Option<Value>;
    /// Opens a `kubectl get -w` stream; its events collect in the world until the terminal drains them.
    fn open_watch(&mut self, req: ApiRequest) -> u64;
    /// kubectl blocked reading a watch stream (`delete --wait`): the cluster runs, message by message,
    /// until the watch `id` has received events or ended, or virtual time reaches `until`.
    fn watch_events(&mut self, id: u64, until: Millis) -> WatchBatch;
    /// kubectl hangs up a watch it opened: the apiserver sends it nothing more.
    fn close_watch(&mut self, id: u64);
    /// The node's resource use as metrics-server reports it; None when it cannot be scraped (down).
    fn node_usage(&self, node: &str) -> Option<NodeUsage>;
    /// Every pod's resource use, over the nodes metrics-server can scrape.
    fn pod_usage(&self) -> Vec<PodUsage>;
    /// `kubectl port-forward`'s listeners on the learner's machine (not the cluster: kubectl binds
    /// them where it runs); those that bind become a forward the machine's connections go through.
    fn listen(&mut self, req: ListenRequest) -> Binds;
}

impl World {
    /// A running node's kubelet (metrics-server cannot scrape a node that is down).
    fn reachable_kubelet(&self, node: &str) -> Option<&crate::sim::node::kubelet::Kubelet> {
        self.nodes.get(node).filter(|n| n.running).map(|n| &n.kubelet)
    }
}

impl Cluster for World {
    fn now(&self) -> Millis {
        World::now(self)
    }

    fn run_until(&mut self, t: Millis) {
        World::run_until(self, t)
    }

    fn call(&mut self, req: ApiRequest) -> Result<Value, Status> {
        World::call(self, req)
    }

    fn call_all(&mut self, reqs: Vec<ApiRequest>) -> Vec<Result<Value, Status>> {
        World::call_all(self, reqs)
    }

    fn cached(&self, key: &str) -> Option<Value> {
        self.apiserver.cache.get(key).cloned()
    }

    fn open_watch(&mut self, req: ApiRequest) -> u64 {
        self.open_kubectl_watch(req)
    }

    fn watch_events(&mut self, id: u64, until: Millis) -> WatchBatch {
        loop {
            let (events, ended) = self.take_kubectl_watch(id);
            if !events.is_empty() || ended {
                return (events.into_iter().map(|n| (n.event, (*n.object).clone())).collect(), ended);
            }
            if !self.step_until(until) {
                World::run_until(self, until);
                return (Vec::new(), false);
            }
        }
    }

    fn close_watch(&mut self, id: u64) {
        self.close_kubectl_watch(id)
    }

    fn node_usage(&self, node: &str) -> Option<NodeUsage> {
        self.reachable_kubelet(node).map(|k| k.usage(World::now(self)))
    }

    fn pod_usage(&self) -> Vec<PodUsage> {
        let now = World::now(self);
        self.nodes.values().filter(|n| n.running).flat_map(|n| n.kubelet.usage(now).pods).collect()
    }

    fn listen(&mut self, req: ListenRequest) -> Binds {
        self.workstation.listen(&req, &mut self.k.rng)
    }
}
