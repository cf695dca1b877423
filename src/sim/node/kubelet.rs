//! The kubelet of one node: registers the Node, renews its Lease, watches the pods bound to it, runs
//! them through the container runtime (CRI messages), probes them and reports their status.
//!
//! ```text
//!   start ──► POST node ──► POST lease ──► every 10 s: PUT lease, PATCH node status if changed/5 min
//!         ──► WATCH pods?fieldSelector=spec.nodeName=<me> ──► admit ──► pod lifecycle (lifecycle.rs)
//!         ──► CRI: GetContainerEvents (exits), ListContainers (adopt after a restart), ListImages
//! ```

pub mod admission;
pub mod api_calls;
pub mod attach;
pub mod claims;
pub mod dns;
pub mod inspect;
pub mod launch;
pub mod lifecycle;
pub mod logcut;
pub mod mounts;
pub mod pods;
pub mod podspec;
pub mod probes;
pub mod pulls;
pub mod registration;
pub mod replies;
pub mod static_pods;
pub mod status;
pub mod streaming;
pub mod sync;
pub mod volumes;
pub mod worker;

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use super::backoff::Backoff;
use super::cri::{ContainerInfo, CriCall, CriRequest, CriResponse, CriResult, ImageInfo, SandboxInfo};
use super::host::{Host, HostHandle};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, EventType, PatchType, Verb, WatchNotice};
use crate::sim::client::events::{EventRecorder, EventSource};
use crate::sim::client::{Action, Reflector, send_action};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::time::Millis;
pub use inspect::{ContainerUsage, NodeUsage, PodUsage};
pub use registration::NodeConfig;
use worker::{PodWorker, Stage};

/// Node status and lease period (`nodeStatusUpdateFrequency`, lease renew interval).
pub const TICK_MS: Millis = 10_000;
/// A node status is posted at least this often even when unchanged (`nodeStatusReportFrequency`).
pub const REPORT_MS: Millis = 300_000;

/// A CRI call in flight and what it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CriOp {
    Events,
    List,
    Images,
    Sandbox(String),
    /// uid, container index, queued at, sent at.
    Pull(String, usize, Millis, Millis),
    Create(String, usize),
    Start(String, usize),
    Stop(String, usize),
    StopSandbox(String),
    RemoveSandbox,
}

/// An API request in flight and what it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiOp {
    NodeCreate,
    NodeGet,
    NodeStatus,
    LeaseCreate,
    LeaseGet,
    LeaseUpdate,
    PodStatus(String),
    PodDelete(String),
    /// A ConfigMap or Secret a pod needs: pod uid, namespace, is_secret, name.
    Fetch(String, String, bool, String),
    /// A PersistentVolumeClaim a pod mounts: pod uid, namespace, claim.
    Claim(String, String, String),
    /// The PersistentVolume a claim is bound to: pod uid, namespace, claim, volume.
    ClaimVolume(String, String, String, String),
    Event,
    /// Creating the mirror of a static pod (by the static pod's uid).
    MirrorCreate(String),
    /// Deleting a stale mirror pod (the static pod's uid, empty for an orphan).
    MirrorDelete(String),
}

/// Node registration and heartbeat state.
#[derive(Debug, Clone, Default)]
pub(crate) struct Heartbeat {
    pub node_uid: Option<String>,
    pub registered_at: Millis,
    pub lease: Option<Value>,
    pub lease_pending: bool,
    pub status_fingerprint: u64,
    pub status_sent_at: Millis,
    pub next_tick: Millis,
}

/// The kubelet of one node.
#[derive(Debug, Clone)]
pub struct Kubelet {
    pub running: bool,
    pub config: NodeConfig,
    pub(crate) hb: Heartbeat,
    pub(crate) boots: u32,
    /// The pods bound to this node (`spec.nodeName=<node>`) and its own Node object
    /// (`metadata.name=<node>`), each through the client library's reflector (`SOURCE_PODS`, `SOURCE_NODE`).
    pub(crate) sources: Box<[Reflector; 2]>,
    pub(crate) pods: BTreeMap<String, Box<PodWorker>>,
    pub(crate) keys: BTreeMap<(String, String), String>,
    pub(crate) cri: BTreeMap<u64, CriOp>,
    /// API requests in flight and when they were sent (unanswered ones are retried by the tick).
    pub(crate) api: BTreeMap<u64, (ApiOp, Millis)>,
    pub(crate) events_stream: Option<u64>,
    /// The runtime's sandboxes and containers, once relisted after a start.
    pub(crate) listing: Option<(Vec<SandboxInfo>, Vec<ContainerInfo>)>,
    /// Pulls wait for each other (`serializeImagePulls`): uid, container index, queued at.
    pub(crate) pull_queue: VecDeque<(String, usize, Millis)>,
    pub(crate) pulling: Option<u64>,
    pub(crate) crash_backoff: Backoff,
    pub(crate) pull_backoff: Backoff,
    pub(crate) pull_errors: BTreeMap<String, String>,
    /// Images present on the node: full reference -> repo digest.
    pub(crate) images: BTreeMap<String, String>,
    pub(crate) image_list: Vec<ImageInfo>,
    /// ConfigMaps and Secrets fetched for pods: (namespace, is_secret, name) -> data or missing.
    pub(crate) objects: BTreeMap<(String, bool, String), Option<BTreeMap<String, String>>>,
    /// Its event recorder: repeats of an event raise its count instead of adding Events.
    pub(crate) events: EventRecorder,
    /// Static pods from the manifest directory, by the static pod's uid, with their mirrors.
    pub(crate) statics: BTreeMap<String, static_pods::StaticPod>,
    /// Ports of processes on the node's host network and whether they answer (kept across restarts:
    /// they are the node's, not the kubelet's).
    pub(crate) host_listeners: Vec<(u16, bool)>,
    /// The node's disk and process table, shared with the runtime (kept across restarts).
    pub host: HostHandle,
    /// What the volume manager learned of the claims its pods mount: (namespace, claim).
    pub(crate) claims: BTreeMap<(String, String), claims::ClaimState>,
    /// Exec streams the apiserver opened, by the id of the CRI `Exec` serving each: who asked and
    /// the id of its request (`streaming.rs`).
    pub(crate) streams: BTreeMap<u64, (Component, u64)>,
}

/// Which of `Kubelet::sources` watches what.
const SOURCE_PODS: usize = 0;
const SOURCE_NODE: usize = 1;

fn rt(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("core resources are always served")
}

impl Kubelet {
    /// A kubelet that has not started yet (`start` registers the node).
    pub fn new(config: NodeConfig) -> Self {
        let selector = format!("spec.nodeName={}", config.name);
        let own_node = format!("metadata.name={}", config.name);
        let events = EventRecorder::new(EventSource::of(&Component::Kubelet(config.name.clone())));
        let config_name = config.name.clone();
        Kubelet {
            running: true,
            config,
            hb: Heartbeat::default(),
            boots: 0,
            sources: Box::new([
                Reflector::new(rt("pods"), Some(selector)),
                Reflector::new(rt("nodes"), Some(own_node)),
            ]),
            pods: BTreeMap::new(),
            keys: BTreeMap::new(),
            cri: BTreeMap::new(),
            api: BTreeMap::new(),
            events_stream: None,
            listing: None,
            pull_queue: VecDeque::new(),
            pulling: None,
            crash_backoff: Backoff::default(),
            pull_backoff: Backoff::default(),
            pull_errors: BTreeMap::new(),
            images: BTreeMap::new(),
            image_list: Vec::new(),
            objects: BTreeMap::new(),
            events,
            statics: BTreeMap::new(),
            host_listeners: Vec::new(),
            host: Host::handle(&config_name),
            claims: BTreeMap::new(),
            streams: BTreeMap::new(),
        }
    }

    /// This kubelet as a component of the trace.
    pub fn me(&self) -> Component {
        Component::Kubelet(self.config.name.clone())
    }

    /// The container runtime of the same node (the other end of the CRI socket).
    pub(crate) fn runtime(&self) -> Component {
        Component::Runtime(self.config.name.clone())
    }

    /// Starts (or restarts) the kubelet process: everything it knew in memory is gone; it registers,
    /// relists the runtime, opens its watch and starts its 10 s loop.
    pub fn start(&mut self, k: &mut Kernel) {
        let config = self.config.clone();
        let boots = self.boots + 1;
        let listeners = std::mem::take(&mut self.host_listeners);
        let host = self.host.clone();
        *self = Kubelet::new(config);
        self.boots = boots;
        self.host_listeners = listeners;
        self.host = host;
        self.running = true;
        self.hb.registered_at = k.now();
        let node = registration::node_object(&self.config, k.now(), self.boots, &[]);
        self.api_action(Action::Create { resource: rt("nodes"), namespace: None, object: node }, ApiOp::NodeCreate, k);
        self.cri_call(CriCall::GetContainerEvents, CriOp::Events, k);
        self.cri_call(CriCall::ListContainers, CriOp::List, k);
        self.cri_call(CriCall::ListImages, CriOp::Images, k);
        self.start_static_pods(k);
        let me = self.me();
        for source in self.sources.iter_mut() {
            source.start(&me, k);
        }
        self.hb.next_tick = k.now() + TICK_MS;
        k.set_timer(self.me(), TICK_MS, TimerKind::Tick);
    }

    /// Its list-and-watch loops: the pods bound to its node, and its Node.
    pub fn reflectors(&self) -> &[Reflector] {
        &self.sources[..]
    }

    /// The node's taints as its Node object has them now (`kubectl taint` included), or as registered.
    pub(crate) fn node_taints(&self) -> Vec<crate::sim::api::nodefit::Taint> {
        let node = self.sources[SOURCE_NODE].cache().get(rt("nodes"), "", &self.config.name);
        match node {
            Some(n) => crate::sim::api::meta::array_at(n, &["spec", "taints"])
                .iter()
                .filter_map(crate::sim::api::nodefit::Taint::parse)
                .collect(),
            None => registration::taints(&self.config),
        }
    }

    /// The node's labels as its Node object has them now (`kubectl label node` included), or as the
    /// kubelet registered them until its node informer has the object (`getNodeAnyWay`).
    pub(crate) fn node_labels(&self) -> Vec<(String, String)> {
        let node = self.sources[SOURCE_NODE].cache().get(rt("nodes"), "", &self.config.name);
        match node {
            Some(n) => crate::sim::api::meta::labels(n).into_iter().collect(),
            None => self.config.all_labels(),
        }
    }

    /// Stops the kubelet process (the world also stops delivering to it).
    pub fn stop(&mut self) {
        self.running = false;
    }

    /// Sends one CRI call and remembers what it was for.
    pub(crate) fn cri_call(&mut self, call: CriCall, op: CriOp, k: &mut Kernel) -> u64 {
        let id = k.fresh_id();
        self.cri.insert(id, op);
        k.send(self.me(), self.runtime(), Payload::Cri(Box::new(CriRequest { id, call })));
        id
    }

    /// Sends one API write and remembers what it was for and when.
    pub(crate) fn api_action(&mut self, action: Action, op: ApiOp, k: &mut Kernel) {
        if let Some(id) = send_action(&self.me(), action, k) {
            self.api.insert(id, (op, k.now()));
        }
    }

    /// Sends one GET (client.rs has no read action: the kubelet builds the request itself).
    pub(crate) fn api_get(
        &mut self,
        resource: &'static ResourceType,
        namespace: Option<&str>,
        name: &str,
        op: ApiOp,
        k: &mut Kernel,
    ) {
        let id = k.fresh_id();
        let req = ApiRequest::new(id, Verb::Get, resource).in_namespace(namespace).named(name);
        self.api.insert(id, (op, k.now()));
        k.send(self.me(), Component::ApiServer, Payload::Request(Box::new(req)));
    }

    /// Records an Event about a pod (type `Normal` or `Warning`).
    pub(crate) fn event(&mut self, uid: &str, event_type: &'static str, reason: &str, message: String, k: &mut Kernel) {
        if !self.config.record_events {
            return;
        }
        let Some(w) = self.pods.get(uid) else { return };
        let regarding = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": w.spec.name, "namespace": w.spec.namespace, "uid": w.spec.uid}});
        let now = k.now();
        if let Some(action) = self.events.record(&regarding, event_type, reason, &message, now, &mut k.rng) {
            self.api_action(action, ApiOp::Event, k);
        }
    }

    /// Delivers one message.
    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        match msg.payload {
            Payload::Watch(w) => self.on_watch(*w, k),
            Payload::Response(r) => self.on_response(*r, k),
            Payload::CriReply(r) => self.on_cri(*r, k),
            Payload::Stream(r) => self.on_stream(msg.from, *r, k),
            _ => {}
        }
    }

    /// Fires a timer: the 10 s loop (`Tick`) or a pod's wake-up (`Object(uid)`).
    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        let me = self.me();
        if self.sources.iter_mut().any(|source| source.on_timer(&kind, &me, k)) {
            return;
        }
        match kind {
            TimerKind::Tick if k.now() == self.hb.next_tick => {
                self.tick(k);
                self.hb.next_tick = k.now() + TICK_MS;
                k.set_timer(self.me(), TICK_MS, TimerKind::Tick);
            }
            TimerKind::Object(uid) => {
                let now = k.now();
                let due = self.pods.get(&uid).and_then(|w| w.wake_at).is_some_and(|t| t <= now);
                if due {
                    if let Some(w) = self.pods.get_mut(&uid) {
                        w.wake_at = None;
                    }
                    self.run_probes(&uid, k);
                    self.sync(&uid, k);
                }
            }
            _ => {}
        }
    }

    fn on_watch(&mut self, n: WatchNotice, k: &mut Kernel) {
        if self.sources[SOURCE_NODE].owns(n.watch_id) {
            // The node informer only keeps its cache: admission reads the labels from it.
            self.sources[SOURCE_NODE].on_notice(n);
            return;
        }
        for change in self.sources[SOURCE_PODS].on_notice(n) {
            match change.event {
                EventType::Added | EventType::Modified => self.pod_changed(&change.new, k),
                EventType::Deleted => self.pod_deleted(&change.new, k),
                EventType::Bookmark => {}
            }
        }
    }

    fn on_cri(&mut self, r: CriResponse, k: &mut Kernel) {
        let r = match self.end_stream(r, k) {
            Some(r) => r,
            None => return,
        };
        if Some(r.id) == self.events_stream {
            if let Ok(CriResult::Exited(e)) = r.result {
                self.container_exited(&e.pod_uid, &e.container_id, e.exit_code, &e.reason, e.finished_at, k);
            }
            return;
        }
        let Some(op) = self.cri.remove(&r.id) else { return };
        match (op, r.result) {
            (CriOp::Events, Ok(_)) => self.events_stream = Some(r.id),
            (CriOp::List, Ok(CriResult::Listing { sandboxes, containers })) => {
                self.listing = Some((sandboxes, containers));
                self.adopt_all(k);
            }
            (CriOp::List, Err(_)) => {
                self.listing = Some((Vec::new(), Vec::new()));
                self.adopt_all(k);
            }
            (CriOp::Images, Ok(CriResult::Images(images))) => self.set_images(images),
            (op, result) => self.lifecycle_reply(op, r.id, result, k),
        }
    }

    /// Takes the runtime's image list (after a relist).
    pub(crate) fn set_images(&mut self, images: Vec<ImageInfo>) {
        for i in &images {
            for t in &i.tags {
                self.images.insert(t.clone(), i.repo_digest.clone());
            }
        }
        self.image_list = images;
    }

    /// Records a freshly pulled image for the node's `status.images`.
    pub(crate) fn add_image(&mut self, full: &str, repo_digest: &str, size: u64) {
        self.images.insert(full.to_string(), repo_digest.to_string());
        match self.image_list.iter_mut().find(|i| i.repo_digest == repo_digest) {
            Some(i) if !i.tags.iter().any(|t| t == full) => i.tags.push(full.to_string()),
            Some(_) => {}
            None => self.image_list.push(ImageInfo {
                tags: vec![full.to_string()],
                repo_digest: repo_digest.to_string(),
                size,
            }),
        }
    }

    /// Every pod's worker syncs (after the runtime relist arrives).
    fn sync_all(&mut self, k: &mut Kernel) {
        let uids: Vec<String> = self.pods.keys().cloned().collect();
        for uid in uids {
            self.sync(&uid, k);
        }
    }

    fn adopt_all(&mut self, k: &mut Kernel) {
        if let Some((sandboxes, containers)) = self.listing.clone() {
            for w in self.pods.values_mut() {
                w.adopt(&sandboxes, &containers);
            }
        }
        self.sync_all(k);
    }

    /// The pods this kubelet runs: `(namespace, name)`, in order.
    pub fn pod_keys(&self) -> Vec<(String, String)> {
        self.keys.keys().cloned().collect()
    }

    /// Sends a pod's status if it changed since the last one sent.
    pub(crate) fn post_status(&mut self, uid: &str, k: &mut Kernel) {
        let now = k.now();
        let host_ip = self.config.internal_ip.clone();
        // A static pod's status goes to its mirror, under the mirror's uid; none yet: it waits.
        let target_uid = match self.mirror_of(uid) {
            Some(None) => return,
            Some(Some(mirror)) => mirror.to_string(),
            None => uid.to_string(),
        };
        let Some(w) = self.pods.get_mut(uid) else { return };
        if w.deleted || w.stage == Stage::Finished {
            return;
        }
        status::refresh_conditions(w, now);
        let fp = w.status_fingerprint();
        if fp == w.last_status {
            return;
        }
        w.last_status = fp;
        let st = status::pod_status(w, &host_ip);
        let patch = json!({"metadata": {"uid": target_uid}, "status": st});
        let (ns, name) = (w.spec.namespace.clone(), w.spec.name.clone());
        self.api_action(
            Action::Patch {
                resource: rt("pods"),
                namespace: Some(ns),
                name,
                patch_type: PatchType::Strategic,
                patch,
                status: true,
            },
            ApiOp::PodStatus(uid.to_string()),
            k,
        );
    }

    /// Asks to be woken for `uid` at `at` (earlier requests win; stale timers are ignored).
    pub(crate) fn wake(&mut self, uid: &str, at: Millis, k: &mut Kernel) {
        let now = k.now();
        let me = self.me();
        let Some(w) = self.pods.get_mut(uid) else { return };
        if w.wake_at.is_none_or(|t| at < t || t < now) {
            w.wake_at = Some(at.max(now + 1));
            k.set_timer(me, at.max(now + 1) - now, TimerKind::Object(uid.to_string()));
        }
    }
}

#[cfg(test)]
mod tests;
