//! ingress-nginx's controller (`registry.k8s.io/ingress-nginx/controller`, as kind's Ingress guide
//! installs it): a process in a pod of `ingress-nginx` that watches Ingresses, IngressClasses,
//! Services and EndpointSlices, keeps the nginx configuration they make (`routes.rs`,
//! `upstreams.rs`), writes each of its Ingresses' `status.loadBalancer` and records `Sync` events.
//!
//! Like the local-path-provisioner it is a component of its own, a client of the apiserver like any
//! other, and it runs only while the container named `controller` of an `ingress-nginx` pod runs
//! (`world/boot.rs`). The data plane asks it where a request arriving at that pod goes
//! (`dataplane/view/ingress.rs`): it answers from its informers' caches, so a change reaches the
//! routing when its watch event has arrived, as nginx's reload (or Lua balancer update) follows the
//! controller's informers.
//!
//! ```text
//!   Ingress added/changed ─(class ours?)─► Sync event "Scheduled for sync"
//!   every 60 s (status.go UpdateInterval) ─► PUT status {loadBalancer: {ingress: [{hostname: localhost}]}}
//!                                             (--publish-status-address=localhost), where it differs
//!   request ─► routes (host, path) ─► a ready endpoint, round robin ─► the backend pod
//! ```

pub mod manifest;
pub mod routes;
#[cfg(test)]
mod tests;
pub mod upstreams;

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::sim::api::pointer::Pointer;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::events::{EventRecorder, EventSource};
use crate::sim::client::{self, Action, Reflector};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::time::Millis;

pub use routes::{PortRef, Routes, Target};

/// The namespace and container that run it (kind's manifest).
pub const NAMESPACE: &str = "ingress-nginx";
pub const CONTAINER: &str = "controller";
/// `--controller-class`: the IngressClasses whose `spec.controller` this is are its own.
pub const CONTROLLER_CLASS: &str = "k8s.io/ingress-nginx";
/// `--ingress-class`: the value of the legacy `kubernetes.io/ingress.class` annotation it accepts.
pub const ANNOTATION_CLASS: &str = "nginx";
/// The legacy annotation.
const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// `--publish-status-address`: what it writes into its Ingresses' status.
pub const STATUS_ADDRESS: &str = "localhost";
/// `status.UpdateInterval`: how often the status loop looks.
pub const STATUS_INTERVAL_MS: Millis = 60_000;
/// The recorder's `EventSource.Component`.
const EVENT_COMPONENT: &str = "nginx-ingress-controller";

fn resource(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("ingresses, ingressclasses, services and endpointslices are always served")
}

/// The controller actor.
#[derive(Debug)]
pub struct IngressNginx {
    /// Whether its container runs (the world decides; see the module docs).
    pub running: bool,
    /// Ingresses, IngressClasses, Services, EndpointSlices.
    reflectors: Box<[Reflector; 4]>,
    events: EventRecorder,
    /// Which start this is: timers of an earlier process are not this one's.
    generation: u64,
    /// Whether the status loop runs (it starts once, when the caches first fill).
    status_loop: bool,
    /// The Lua balancer's round robin position per upstream (`namespace-service-port`).
    round_robin: RefCell<BTreeMap<String, usize>>,
}

impl Default for IngressNginx {
    fn default() -> Self {
        Self::new()
    }
}

impl IngressNginx {
    pub fn new() -> Self {
        Self {
            running: false,
            reflectors: Box::new([
                Reflector::new(resource("ingresses"), None),
                Reflector::new(resource("ingressclasses"), None),
                Reflector::new(resource("services"), None),
                Reflector::new(resource("endpointslices"), None),
            ]),
            events: EventRecorder::new(EventSource { component: EVENT_COMPONENT.into(), host: None }),
            generation: 0,
            status_loop: false,
            round_robin: RefCell::default(),
        }
    }

    /// The process starts: empty caches, new watches.
    pub fn start(&mut self, k: &mut Kernel) {
        let generation = self.generation + 1;
        *self = Self::new();
        self.generation = generation;
        self.running = true;
        for r in self.reflectors.iter_mut() {
            r.start(&Component::IngressNginx, k);
        }
    }

    /// The process ends: its watches and caches with it.
    pub fn stop(&mut self) {
        self.running = false;
        for r in self.reflectors.iter_mut() {
            r.stop();
        }
    }

    /// Its list-and-watch loops.
    pub fn reflectors(&self) -> &[Reflector] {
        &self.reflectors[..]
    }

    fn synced(&self) -> bool {
        self.reflectors.iter().all(Reflector::has_synced)
    }

    fn status_timer(&self) -> TimerKind {
        TimerKind::Object(format!("ingress-status/{}", self.generation))
    }

    /// `GetIngressClass`: `spec.ingressClassName` naming a class of this controller, else the legacy
    /// annotation equal to `--ingress-class`, else (`--watch-ingress-without-class=true`) any.
    pub fn is_ours(&self, ing: &Value) -> bool {
        if let Some(class) = ing.at("/spec/ingressClassName").and_then(Value::as_str) {
            let classes = self.reflectors[1].cache();
            return classes
                .get(resource("ingressclasses"), "", class)
                .is_some_and(|c| c.at("/spec/controller").and_then(Value::as_str) == Some(CONTROLLER_CLASS));
        }
        match ing.at("/metadata/annotations").and_then(|a| a.get(CLASS_ANNOTATION)).and_then(Value::as_str) {
            Some(a) => a == ANNOTATION_CLASS,
            None => true,
        }
    }

    /// Its Ingresses, as its lister holds them.
    fn ingresses(&self) -> Vec<&Value> {
        self.reflectors[0].cache().list(resource("ingresses"), None).filter(|i| self.is_ours(i)).collect()
    }

    /// The nginx configuration it has now; `None` before its caches have synced (nginx serves only
    /// its default backend until the first configuration).
    pub fn routes(&self) -> Option<Routes> {
        (self.running && self.synced()).then(|| Routes::build(&self.ingresses()))
    }

    /// The ready endpoints behind a backend, from its Service and EndpointSlice caches.
    pub fn endpoints(&self, namespace: &str, name: &str, port: &PortRef) -> Vec<(String, u16)> {
        let services: Vec<&Value> = self.reflectors[2].cache().list(resource("services"), Some(namespace)).collect();
        let slices: Vec<&Value> =
            self.reflectors[3].cache().list(resource("endpointslices"), Some(namespace)).collect();
        upstreams::endpoints(&services, &slices, namespace, name, port)
    }

    /// The next endpoint of an upstream: the Lua balancer's default `round_robin`.
    pub fn pick(&self, upstream: &str, endpoints: &[(String, u16)]) -> Option<(String, u16)> {
        if endpoints.is_empty() {
            return None;
        }
        let mut rr = self.round_robin.borrow_mut();
        let next = rr.entry(upstream.to_string()).or_insert(0);
        let chosen = endpoints[*next % endpoints.len()].clone();
        *next = (*next + 1) % endpoints.len();
        Some(chosen)
    }

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        let me = Component::IngressNginx;
        match msg.payload {
            Payload::Watch(w) => {
                let Some(i) = self.reflectors.iter().position(|r| r.owns(w.watch_id)) else { return };
                let was_synced = self.synced();
                let changes = self.reflectors[i].on_notice(*w);
                if !self.synced() {
                    return;
                }
                if !was_synced {
                    // Caches filled: the informers' initial adds, then the first status sync.
                    let all: Vec<Value> = self.ingresses().into_iter().cloned().collect();
                    for ing in &all {
                        self.scheduled_for_sync(ing, k);
                    }
                    if !self.status_loop {
                        self.status_loop = true;
                        self.sync_status(k);
                    }
                    return;
                }
                for change in changes {
                    let ingress = change.resource.plural == "ingresses";
                    let changed = match (&change.event, &change.old) {
                        (EventType::Added, _) => true,
                        (EventType::Modified, Some(old)) => **old != *change.new,
                        _ => false,
                    };
                    if ingress && changed && self.is_ours(&change.new) {
                        self.scheduled_for_sync(&change.new.clone(), k);
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
        let me = Component::IngressNginx;
        if kind == self.status_timer() {
            self.sync_status(k);
            return;
        }
        let _ = self.reflectors.iter_mut().any(|r| r.on_timer(&kind, &me, k));
    }

    /// The store's event handlers: `Sync`, "Scheduled for sync".
    fn scheduled_for_sync(&mut self, ing: &Value, k: &mut Kernel) {
        let now = k.now();
        if let Some(a) = self.events.record(ing, "Normal", "Sync", "Scheduled for sync", now, &mut k.rng) {
            client::send_action(&Component::IngressNginx, a, k);
        }
    }

    /// `statusSync.sync`: every Ingress of its class whose status differs gets the published address.
    fn sync_status(&mut self, k: &mut Kernel) {
        let want = json!([{"hostname": STATUS_ADDRESS}]);
        let stale: Vec<Value> = self
            .ingresses()
            .into_iter()
            .filter(|i| i.at("/status/loadBalancer/ingress").unwrap_or(&Value::Null) != &want)
            .cloned()
            .collect();
        for mut ing in stale {
            if let Some(obj) = ing.as_object_mut() {
                obj.insert("status".into(), json!({"loadBalancer": {"ingress": want.clone()}}));
            }
            let action = Action::UpdateStatus { resource: resource("ingresses"), object: ing };
            client::send_action(&Component::IngressNginx, action, k);
        }
        k.set_timer(Component::IngressNginx, STATUS_INTERVAL_MS, self.status_timer());
    }
}
