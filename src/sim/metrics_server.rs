//! metrics-server (`kubernetes-sigs/metrics-server` v0.7): a process in a kube-system pod that, every
//! `--metric-resolution` (15 s), asks every node's kubelet for its resource metrics
//! (`GET https://<InternalIP>:10250/metrics/resource`) and keeps the last two answers of each node, pod
//! and container (`storage.go`). The kube-apiserver's aggregation layer serves its store as the
//! Metrics API (`apiserver/metrics.rs`) while its Service has a ready endpoint (`world/metrics.rs`).
//!
//! ```text
//!  tick (at start, then every 15 s) ──► GET /metrics/resource ──► kubelet/<node> (one per node in its
//!  node informer) ──► ScrapeReply ──► the cycle ends when every node answered or after 10 s
//!  (--kubelet-request-timeout) ──► Store: last → prev, answer → last; a node that did not answer drops
//! ```
//! CPU is a rate between two samples, so a node, pod or container has metrics only once it answered
//! two scrapes in a row: a fresh metrics-server has none for one resolution (`metrics not available
//! yet`), and a node that is down loses its own and its pods' metrics at the next scrape.
//!
//! It runs only while its container does: the world starts it when a `metrics-server` container of a
//! `kube-system` pod is Running on a powered node, and stops it when that container stops, as the
//! process would; a new process starts with an empty store.

mod store;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::metrics::{RESOLUTION_MS, Scrape};
use crate::sim::client::Reflector;
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::protocol::kubelet::{ScrapeReply, ScrapeRequest};
use crate::sim::time::Millis;
pub use store::Store;

/// `--kubelet-request-timeout`'s default: how long one scrape waits for a kubelet.
pub const REQUEST_TIMEOUT_MS: Millis = 10_000;

fn nodes_rt() -> &'static ResourceType {
    api::resolve("nodes").expect("nodes are always served")
}

/// One scrape of every node, in flight.
#[derive(Debug)]
struct Cycle {
    seq: u64,
    at: Millis,
    /// Request id → the node asked.
    asked: BTreeMap<u64, String>,
    answers: Vec<ScrapeReply>,
}

/// The metrics-server actor.
#[derive(Debug)]
pub struct MetricsServer {
    /// Whether its container runs (the world decides; see the module docs).
    pub running: bool,
    /// The pod it runs in: another pod is another process.
    pub pod: Option<String>,
    /// Its node informer: the kubelets to scrape and their addresses.
    nodes: Box<Reflector>,
    cycle: Option<Cycle>,
    /// Counts scrape cycles across restarts, so an earlier process's cycle timeout never ends a new one.
    seq: u64,
    /// Counts the process's starts: its ticker carries it, so a tick an earlier process armed (still
    /// queued when the pod was replaced or restarted within 15 s) finds no loop to continue.
    generation: u64,
    /// Whether the tick loop runs (it starts once the informer has synced, as `WaitForCacheSync`).
    ticking: bool,
    store: Store,
}

impl Default for MetricsServer {
    fn default() -> Self {
        Self::new()
    }
}

impl MetricsServer {
    pub fn new() -> Self {
        Self {
            running: false,
            pod: None,
            nodes: Box::new(Reflector::new(nodes_rt(), None)),
            cycle: None,
            seq: 0,
            generation: 0,
            ticking: false,
            store: Store::default(),
        }
    }

    /// The process starts in pod `pod`: empty store, a new node informer.
    pub fn start(&mut self, pod: &str, k: &mut Kernel) {
        self.reset();
        self.generation += 1;
        self.running = true;
        self.pod = Some(pod.to_string());
        self.nodes.start(&Component::MetricsServer, k);
    }

    /// The process ends, its store and watch with it.
    pub fn stop(&mut self) {
        self.reset();
    }

    /// Back to a process that has not started, keeping only the counters that must outlive it.
    fn reset(&mut self) {
        let (seq, generation) = (self.seq, self.generation);
        *self = Self { seq, generation, ..Self::new() };
    }

    /// This process's ticker.
    fn tick_timer(&self) -> TimerKind {
        TimerKind::Object(format!("metrics-server-tick/{}", self.generation))
    }

    /// Its list-and-watch loop.
    pub fn reflectors(&self) -> &[Reflector] {
        std::slice::from_ref(&self.nodes)
    }

    /// What the Metrics API serves: every node, pod and container with two samples.
    pub fn metrics(&self) -> Scrape {
        self.store.metrics()
    }

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        let me = Component::MetricsServer;
        match msg.payload {
            Payload::Watch(w) if self.nodes.owns(w.watch_id) => {
                self.nodes.on_notice(*w);
                self.start_ticking(k);
            }
            Payload::Response(r) => {
                self.nodes.on_response(&r, &me, k);
                self.start_ticking(k);
            }
            Payload::ScrapeReply(r) => self.on_reply(*r),
            _ => {}
        }
    }

    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        if kind == self.tick_timer() {
            self.tick(k);
            k.set_loop_timer(Component::MetricsServer, RESOLUTION_MS, self.tick_timer());
            return;
        }
        match kind {
            // An earlier process's ticker: its loop ended with it.
            TimerKind::Object(id) if id.starts_with("metrics-server-tick/") => {}
            TimerKind::RequestTimeout(seq) if self.cycle.as_ref().is_some_and(|c| c.seq == seq) => self.commit(),
            other => {
                self.nodes.on_timer(&other, &Component::MetricsServer, k);
            }
        }
    }

    /// The first tick runs as soon as the node informer has synced; the ticker follows every 15 s.
    fn start_ticking(&mut self, k: &mut Kernel) {
        if !self.ticking && self.nodes.has_synced() {
            self.ticking = true;
            k.set_loop_timer(Component::MetricsServer, 0, self.tick_timer());
        }
    }

    /// One scrape: a request to every node's kubelet. A cycle still waiting is ended first.
    fn tick(&mut self, k: &mut Kernel) {
        if self.cycle.is_some() {
            self.commit();
        }
        self.seq += 1;
        let mut cycle = Cycle { seq: self.seq, at: k.now(), asked: BTreeMap::new(), answers: Vec::new() };
        for node in self.nodes.cache().list(nodes_rt(), None) {
            let name = api::meta::name(node).to_string();
            let address = node
                .at("/status/addresses")
                .and_then(|a| a.as_array())
                .and_then(|a| a.iter().find(|a| a["type"] == "InternalIP"))
                .and_then(|a| a["address"].as_str())
                .unwrap_or(&name)
                .to_string();
            let id = k.fresh_id();
            let req = ScrapeRequest { id, address };
            k.send(Component::MetricsServer, Component::Kubelet(name.clone()), Payload::Scrape(Box::new(req)));
            cycle.asked.insert(id, name);
        }
        if cycle.asked.is_empty() {
            return;
        }
        k.set_timer(Component::MetricsServer, REQUEST_TIMEOUT_MS, TimerKind::RequestTimeout(cycle.seq));
        self.cycle = Some(cycle);
    }

    fn on_reply(&mut self, reply: ScrapeReply) {
        let Some(cycle) = self.cycle.as_mut() else { return };
        if cycle.asked.remove(&reply.id).is_none() {
            return;
        }
        cycle.answers.push(reply);
        if cycle.asked.is_empty() {
            self.commit();
        }
    }

    /// Ends the cycle: what answered becomes the store's last batch.
    fn commit(&mut self) {
        if let Some(cycle) = self.cycle.take() {
            self.store.store(cycle.at, cycle.answers);
        }
    }
}
