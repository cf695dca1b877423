//! The kube-scheduler process: watches pods, nodes, PriorityClasses, claims, StorageClasses and volumes
//! through the kube-apiserver,
//! runs scheduling cycles for pending pods, and binds them. A thin shell around the pure parts.
//!
//! It starts scheduling only after every watch delivered its initial objects (as the real scheduler
//! waits for its informer caches to sync), and forgets everything when restarted.

use crate::sim::api::pointer::Pointer;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::cluster::Cluster;
use super::cycle::Algorithm;
use super::decision::Decision;
use super::framework::ClusterEvent;
use super::history::DecisionLog;
use super::nodeinfo::NodeSpec;
use super::podinfo::{PodInfo, PodKey};
use super::queue::{SchedulingQueue, UNSCHEDULABLE_FLUSH_PERIOD_MS};
use super::registry::DEFAULT_SCHEDULER_NAME;
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{EventType, WatchNotice};
use crate::sim::client::Reflector;
use crate::sim::client::event_series::{self, SeriesRecorder};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::time::Millis;

/// Decisions kept for the UI by default (the most recently decided pods).
pub const DEFAULT_DECISION_CAPACITY: usize = 128;
/// The scheduler's pod informer skips finished pods, as upstream's does.
pub const POD_FIELD_SELECTOR: &str = "status.phase!=Succeeded,status.phase!=Failed";

/// What the scheduler's reflectors watch, in the order of `Scheduler::reflectors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Watched {
    Pods,
    Nodes,
    PriorityClasses,
    Claims,
    StorageClasses,
    Volumes,
}

const WATCHED: [Watched; 6] = [
    Watched::Pods,
    Watched::Nodes,
    Watched::PriorityClasses,
    Watched::Claims,
    Watched::StorageClasses,
    Watched::Volumes,
];

/// The kube-scheduler actor.
#[derive(Debug)]
pub struct Scheduler {
    /// Whether the process is up; the world drops what reaches a stopped scheduler.
    pub running: bool,
    /// Pods (not finished), nodes, PriorityClasses, PersistentVolumeClaims, StorageClasses and
    /// PersistentVolumes, each through the client library's reflector.
    reflectors: Box<[Reflector; 6]>,
    cluster: Cluster,
    queue: SchedulingQueue,
    algorithm: Algorithm,
    /// PriorityClass name -> (value, globalDefault).
    classes: BTreeMap<String, (i32, bool)>,
    /// Bindings in flight: request id -> pod and node.
    binds: BTreeMap<u64, (PodKey, Arc<str>)>,
    /// Pods assumed on a node whose claims PreBind handed to the PV controller or a provisioner, with
    /// when PreBind gives up: they are bound once every claim is (`BindPodVolumes` waiting in
    /// `checkBindings`).
    waiting_volumes: BTreeMap<PodKey, (Arc<str>, Millis)>,
    decisions: DecisionLog,
    /// Virtual times at which backoff-flush timers are armed.
    backoff_timers: BTreeSet<Millis>,
    leftover_timer: Option<Millis>,
    /// Its events.k8s.io recorder: a pod that stays unschedulable has one FailedScheduling Event
    /// whose `series` counts the repeats.
    events: SeriesRecorder,
    /// When the recorder's next `finishSeries` and refresh are due (timers armed before a restart
    /// are not these).
    series_checks: (Millis, Millis),
}

impl Default for Scheduler {
    fn default() -> Self {
        Self::new()
    }
}

/// Timer names of the event recorder's two loops.
const FINISH_SERIES: &str = "finish-event-series";
const REFRESH_SERIES: &str = "refresh-event-series";

fn resource(plural: &str) -> &'static ResourceType {
    api::resolve(plural).expect("the scheduler's resources are always served")
}

impl Scheduler {
    /// A scheduler that has not opened its watches yet (call `start`).
    pub fn new() -> Self {
        Self {
            running: true,
            reflectors: Box::new([
                Reflector::new(resource("pods"), Some(POD_FIELD_SELECTOR.to_string())),
                Reflector::new(resource("nodes"), None),
                Reflector::new(resource("priorityclasses"), None),
                Reflector::new(resource("persistentvolumeclaims"), None),
                Reflector::new(resource("storageclasses"), None),
                Reflector::new(resource("persistentvolumes"), None),
            ]),
            cluster: Cluster::default(),
            queue: SchedulingQueue::default(),
            algorithm: Algorithm::default(),
            classes: BTreeMap::new(),
            binds: BTreeMap::new(),
            waiting_volumes: BTreeMap::new(),
            decisions: DecisionLog::new(DEFAULT_DECISION_CAPACITY),
            backoff_timers: BTreeSet::new(),
            leftover_timer: None,
            events: SeriesRecorder::new(
                DEFAULT_SCHEDULER_NAME,
                &format!("{}-control-plane", crate::sim::world::CLUSTER_NAME),
            ),
            series_checks: (event_series::FINISH_MS, event_series::REFRESH_MS),
        }
    }

    /// How many pods' last decisions `last_decision` keeps (default 128; 0 keeps none). Survives
    /// restarts; changing it forgets the decisions kept so far.
    pub fn set_decision_capacity(&mut self, capacity: usize) {
        self.decisions = DecisionLog::new(capacity);
    }

    /// The last attempt for a pod, while it is among the most recently decided pods.
    pub fn last_decision(&self, ns: &str, name: &str) -> Option<&Decision> {
        self.decisions.get(&(ns.to_string(), name.to_string()))
    }

    /// `(activeQ, backoffQ, unschedulable)` lengths.
    pub fn queue_lengths(&self) -> (usize, usize, usize) {
        self.queue.lengths()
    }

    /// `percentageOfNodesToScore` (0 = adaptive, as upstream's default); survives restarts.
    pub fn set_percentage_of_nodes_to_score(&mut self, percentage: u32) {
        self.algorithm.percentage_of_nodes_to_score = percentage;
    }

    /// Its list-and-watch loops (pods, nodes, PriorityClasses, claims, StorageClasses, volumes).
    pub fn reflectors(&self) -> &[Reflector] {
        &self.reflectors[..]
    }

    /// The scheduler's view of the cluster (node totals as it counts them, assumed pods included).
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// (Re)starts: forgets the cache and queue and opens the watches again.
    pub fn start(&mut self, k: &mut Kernel) {
        let percentage = self.algorithm.percentage_of_nodes_to_score;
        let decisions = DecisionLog::new(self.decisions.capacity());
        *self = Scheduler { decisions, running: self.running, ..Scheduler::new() };
        self.algorithm.percentage_of_nodes_to_score = percentage;
        for r in self.reflectors.iter_mut() {
            r.start(&Component::Scheduler, k);
        }
        // `wait.Until(finishSeries, 6m)` and `wait.Until(refreshExistingEventSeries, 30m)`.
        let now = k.now();
        self.series_checks = (now + event_series::FINISH_MS, now + event_series::REFRESH_MS);
        k.set_timer(Component::Scheduler, event_series::FINISH_MS, TimerKind::Object(FINISH_SERIES.into()));
        k.set_timer(Component::Scheduler, event_series::REFRESH_MS, TimerKind::Object(REFRESH_SERIES.into()));
    }

    /// Watch events update the cache and queue; responses finish bindings. Then every pod in
    /// activeQ is scheduled, so pods arriving together see each other as assumed.
    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        match msg.payload {
            Payload::Watch(w) => self.on_watch(*w, k),
            Payload::Response(r) => self.on_response(*r, k),
            _ => {}
        }
        self.schedule_pending(k);
        self.arm_timers(k);
    }

    /// `Queue`: a backoff ended; `Tick`: the 30 s unschedulable-pool flush; the reflectors' timers.
    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        let now = k.now();
        if self.reflectors.iter_mut().any(|r| r.on_timer(&kind, &Component::Scheduler, k)) {
            return;
        }
        match kind {
            TimerKind::Queue if self.backoff_timers.remove(&now) => {
                self.queue.flush_backoff(now);
            }
            TimerKind::Tick if self.leftover_timer == Some(now) => {
                self.leftover_timer = None;
                self.queue.flush_unschedulable_leftover(now);
            }
            TimerKind::Object(ref name) if name == attempt::PREBIND_TIMER => self.expire_volume_waits(k),
            TimerKind::Object(ref name) if name == FINISH_SERIES && self.series_checks.0 == now => {
                self.series_checks.0 = now + event_series::FINISH_MS;
                k.set_timer(Component::Scheduler, event_series::FINISH_MS, kind.clone());
                let writes = self.events.finish(now);
                return self.send_all(writes, k);
            }
            TimerKind::Object(ref name) if name == REFRESH_SERIES && self.series_checks.1 == now => {
                self.series_checks.1 = now + event_series::REFRESH_MS;
                k.set_timer(Component::Scheduler, event_series::REFRESH_MS, kind.clone());
                let writes = self.events.refresh();
                return self.send_all(writes, k);
            }
            // A timer armed before a restart: ignore it.
            _ => return,
        }
        self.schedule_pending(k);
        self.arm_timers(k);
    }

    fn synced(&self) -> bool {
        self.reflectors.iter().all(Reflector::has_synced)
    }

    fn on_watch(&mut self, w: WatchNotice, k: &mut Kernel) {
        let Some(i) = self.reflectors.iter().position(|r| r.owns(w.watch_id)) else { return };
        let now = k.now();
        for change in self.reflectors[i].on_notice(w) {
            let object = &change.new;
            let event = match (WATCHED[i], change.event) {
                (_, EventType::Bookmark) => None,
                (Watched::Pods, EventType::Deleted) => {
                    let key = PodInfo::parse(object).key();
                    self.queue.delete(&key);
                    self.waiting_volumes.remove(&key);
                    self.cluster.remove_pod(&key)
                }
                (Watched::Pods, _) => self.on_pod(PodInfo::parse(object), now),
                (Watched::Nodes, EventType::Deleted) => {
                    let name = object.at("/metadata/name").and_then(serde_json::Value::as_str).unwrap_or_default();
                    self.cluster.remove_node(name)
                }
                (Watched::Nodes, _) => self.cluster.set_node(NodeSpec::parse(object)),
                (Watched::PriorityClasses, ev) => {
                    self.on_priority_class(object, ev == EventType::Deleted);
                    None
                }
                (Watched::Claims, EventType::Deleted) => {
                    self.cluster.volumes_mut().remove_claim(object);
                    None
                }
                (Watched::Claims, _) => {
                    let event = self.cluster.volumes_mut().set_claim(object);
                    self.bind_pods_with_volumes(k);
                    event
                }
                (Watched::StorageClasses, ev) => self.cluster.volumes_mut().set_class(object, ev == EventType::Deleted),
                (Watched::Volumes, ev) => self.cluster.volumes_mut().set_volume(object, ev == EventType::Deleted),
            };
            if let Some(ev) = event {
                self.on_cluster_event(ev, now);
            }
        }
    }

    fn on_priority_class(&mut self, pc: &serde_json::Value, deleted: bool) {
        let name = pc.at("/metadata/name").and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        if deleted {
            self.classes.remove(&name);
            return;
        }
        let value =
            pc.get("value").and_then(serde_json::Value::as_i64).unwrap_or(0).clamp(i32::MIN.into(), i32::MAX.into())
                as i32;
        let global = pc.get("globalDefault").and_then(serde_json::Value::as_bool).unwrap_or(false);
        self.classes.insert(name, (value, global));
    }

    /// The priority admission would have written into `spec.priority`, when the pod lacks it.
    fn resolve_priority(&self, pod: &mut PodInfo) {
        if pod.priority_from_spec {
            return;
        }
        let by_name = self.classes.get(&pod.priority_class_name).map(|(v, _)| *v);
        let default = || self.classes.values().filter(|(_, g)| *g).map(|(v, _)| *v).next();
        pod.priority = by_name.or_else(default).unwrap_or(0);
    }

    fn on_pod(&mut self, mut pod: PodInfo, now: Millis) -> Option<ClusterEvent> {
        self.resolve_priority(&mut pod);
        let key = pod.key();
        if pod.terminal || !pod.node_name.is_empty() {
            self.queue.delete(&key);
            return self.cluster.set_pod(pod);
        }
        let ours = pod.scheduler_name == DEFAULT_SCHEDULER_NAME && !pod.deleting;
        let changed = self.cluster.pod(&key).is_none_or(|e| e.info.scheduling_inputs_changed(&pod));
        let placed = self.cluster.pod(&key).is_some_and(|e| e.node.is_some());
        let (priority, gated) = (pod.priority, pod.gated);
        let event = self.cluster.set_pod(pod);
        if !ours {
            self.queue.delete(&key);
        } else if self.queue.get(&key).is_some() {
            self.queue.update(key, priority, gated, changed, now);
        } else if !placed {
            self.queue.add(key, priority, gated, now);
        }
        event
    }

    fn on_cluster_event(&mut self, event: ClusterEvent, now: Millis) {
        let profile = &self.algorithm.profile;
        self.queue.move_all(now, |p| profile.requeue_on(&p.unschedulable_plugins, &event));
    }

    /// Keeps one timer armed for the earliest backoff end, and the 30 s pool flush while pods wait.
    fn arm_timers(&mut self, k: &mut Kernel) {
        let now = k.now();
        if let Some(t) = self.queue.next_backoff_expiry() {
            let t = t.max(now + 1);
            if !self.backoff_timers.iter().any(|&armed| armed <= t) {
                self.backoff_timers.insert(t);
                k.set_timer(Component::Scheduler, t - now, TimerKind::Queue);
            }
        }
        if self.queue.lengths().2 > 0 && self.leftover_timer.is_none() {
            self.leftover_timer = Some(now + UNSCHEDULABLE_FLUSH_PERIOD_MS);
            k.set_timer(Component::Scheduler, UNSCHEDULABLE_FLUSH_PERIOD_MS, TimerKind::Tick);
        }
    }
}

mod attempt;

#[cfg(test)]
mod tests;
