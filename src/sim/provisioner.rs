//! The local-path-provisioner kind installs (`rancher/local-path-provisioner`, built on
//! `sig-storage-lib-external-provisioner`): a process in a pod of `local-path-storage` that watches
//! claims, volumes and StorageClasses and, for a claim the PV controller handed to
//! `rancher.io/local-path` and the scheduler gave a node, creates a `pvc-<uid>` hostPath volume on that
//! node, pre-bound to the claim; a released volume of its own with reclaim policy Delete it deletes.
//!
//! It is a component of its own (as in a cluster it is a client of the apiserver like any other), and
//! it runs only while its pod's container does: the world starts it when the container named
//! `local-path-provisioner` in a `local-path-storage` pod is Running on some node, and stops it when
//! that container stops (scaled to 0, deleted, its node powered off), as the process would.
//!
//! ```text
//!   claim ─(PV controller: storage-provisioner=rancher.io/local-path)─(scheduler: selected-node=w1)─►
//!   Provisioning event ─► create PV pvc-<uid> (claimRef, hostPath, nodeAffinity w1) ─► ProvisioningSucceeded
//!   ─► the PV controller binds the claim to it
//! ```

mod decide;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::EventType;
use crate::sim::client::events::{EventRecorder, EventSource};
use crate::sim::client::{self, Action, Reflector};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};

/// The provisioner name its StorageClass names (`--provisioner-name`'s default).
pub const PROVISIONER_NAME: &str = "rancher.io/local-path";
/// The namespace and container that run it (kind's `local-path-storage` manifest).
pub const NAMESPACE: &str = "local-path-storage";
pub const CONTAINER: &str = "local-path-provisioner";
/// kind's `nodePathMap` default: volumes are directories under this path on their node.
pub const BASE_PATH: &str = "/var/local-path-provisioner";

fn resource(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("claims, volumes and StorageClasses are always served")
}

/// The provisioner actor.
#[derive(Debug)]
pub struct LocalPathProvisioner {
    /// Whether its container runs (the world decides; see the module docs).
    pub running: bool,
    /// Claims, volumes and StorageClasses.
    reflectors: Box<[Reflector; 3]>,
    /// Its recorder; its source names the pod it runs in, as the library's does.
    events: EventRecorder,
    /// Volumes created or deleted and not yet seen back in the cache: not asked for twice.
    in_flight: BTreeSet<String>,
}

impl Default for LocalPathProvisioner {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalPathProvisioner {
    pub fn new() -> Self {
        Self {
            running: false,
            reflectors: Box::new([
                Reflector::new(resource("persistentvolumeclaims"), None),
                Reflector::new(resource("persistentvolumes"), None),
                Reflector::new(resource("storageclasses"), None),
            ]),
            events: EventRecorder::new(EventSource::of(&Component::LocalPathProvisioner)),
            in_flight: BTreeSet::new(),
        }
    }

    /// The process starts in pod `pod`: empty caches, new watches, and the library's event source
    /// `<provisioner>_<pod>_<uuid>`.
    pub fn start(&mut self, pod: &str, k: &mut Kernel) {
        *self = Self::new();
        self.running = true;
        let component = format!("{PROVISIONER_NAME}_{pod}_{}", k.rng.uuid());
        self.events = EventRecorder::new(EventSource { component, host: None });
        for r in self.reflectors.iter_mut() {
            r.start(&Component::LocalPathProvisioner, k);
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

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        let me = Component::LocalPathProvisioner;
        match msg.payload {
            Payload::Watch(w) => {
                let Some(i) = self.reflectors.iter().position(|r| r.owns(w.watch_id)) else { return };
                let was_synced = self.synced();
                let changes = self.reflectors[i].on_notice(*w);
                if !self.synced() {
                    return;
                }
                if !was_synced {
                    // Caches filled: look at everything once (the library's informers' initial adds).
                    self.sync_all(k);
                    return;
                }
                for change in changes {
                    if change.event == EventType::Deleted || change.event == EventType::Bookmark {
                        if change.event == EventType::Deleted {
                            self.in_flight.remove(api::meta::name(&change.new));
                        }
                        continue;
                    }
                    let obj = change.new.clone();
                    match change.resource.plural {
                        "persistentvolumeclaims" => self.sync_claim(&obj, k),
                        "persistentvolumes" => {
                            self.in_flight.remove(api::meta::name(&obj));
                            self.sync_volume(&obj, k);
                        }
                        _ => {}
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
        let me = Component::LocalPathProvisioner;
        let _ = self.reflectors.iter_mut().any(|r| r.on_timer(&kind, &me, k));
    }

    fn sync_all(&mut self, k: &mut Kernel) {
        let claims: Vec<Value> =
            self.reflectors[0].cache().list(resource("persistentvolumeclaims"), None).cloned().collect();
        let volumes: Vec<Value> =
            self.reflectors[1].cache().list(resource("persistentvolumes"), None).cloned().collect();
        for c in &claims {
            self.sync_claim(c, k);
        }
        for v in &volumes {
            self.sync_volume(v, k);
        }
    }

    fn sync_claim(&mut self, claim: &Value, k: &mut Kernel) {
        let caches = [self.reflectors[1].cache(), self.reflectors[2].cache()];
        let Some(actions) = decide::provision(claim, caches[0], caches[1]) else { return };
        let name = decide::volume_name(claim);
        if !self.in_flight.insert(name) {
            return;
        }
        self.send(actions, k);
    }

    fn sync_volume(&mut self, volume: &Value, k: &mut Kernel) {
        let claims = self.reflectors[0].cache();
        let Some(action) = decide::delete(volume, claims) else { return };
        if !self.in_flight.insert(api::meta::name(volume).to_string()) {
            return;
        }
        self.send(vec![action], k);
    }

    fn send(&mut self, actions: Vec<Action>, k: &mut Kernel) {
        let me = Component::LocalPathProvisioner;
        for a in actions {
            let action = match a {
                Action::Event { regarding, event_type, reason, message } => {
                    let now = k.now();
                    self.events.record(&regarding, event_type, &reason, &message, now, &mut k.rng)
                }
                other => Some(other),
            };
            if let Some(a) = action {
                client::send_action(&me, a, k);
            }
        }
    }
}
