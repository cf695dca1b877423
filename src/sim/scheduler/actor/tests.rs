//! Actor tests: a kernel, the scheduler, and the apiserver played by hand.

use super::*;
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, ApiResponse, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::client::reflector::BACKOFF_INITIAL_MS;
use crate::sim::kernel::Scheduled;
use crate::sim::scheduler::testing::{node_value, pod_value};
use serde_json::{Value, json};

struct Harness {
    k: Kernel,
    s: Scheduler,
    pods: u64,
    nodes: u64,
    pcs: u64,
    /// The claim, StorageClass and PersistentVolume watches.
    storage: Vec<u64>,
    requests: Vec<ApiRequest>,
}

impl Harness {
    fn new() -> Self {
        let mut k = Kernel::new(7);
        let mut s = Scheduler::new();
        s.start(&mut k);
        let mut h = Harness { k, s, pods: 0, nodes: 0, pcs: 0, storage: Vec::new(), requests: Vec::new() };
        let watches = h.drain();
        assert_eq!(watches.len(), 6);
        for w in &watches {
            assert_eq!(w.verb, Verb::Watch);
            assert!(w.options.send_initial_events);
            match w.resource.plural {
                "pods" => {
                    h.pods = w.id;
                    assert_eq!(w.options.field_selector.as_deref(), Some(POD_FIELD_SELECTOR));
                }
                "nodes" => h.nodes = w.id,
                "priorityclasses" => h.pcs = w.id,
                _ => h.storage.push(w.id),
            }
        }
        h
    }

    /// Requests the scheduler sent since the last call (the clock moves to their delivery).
    fn drain(&mut self) -> Vec<ApiRequest> {
        let limit = self.k.now() + 100;
        self.run_until(limit);
        std::mem::take(&mut self.requests)
    }

    /// Delivers what is due by `t`: requests are collected, timers fire on the scheduler.
    fn run_until(&mut self, t: Millis) {
        while let Some(item) = self.k.pop_due(t) {
            match item {
                Scheduled::Deliver(m) => {
                    if let Payload::Request(r) = m.payload {
                        self.requests.push(*r);
                    }
                }
                Scheduled::Timer { kind, .. } => self.s.on_timer(kind, &mut self.k),
            }
        }
        self.k.advance_to(t);
    }

    fn notify(&mut self, watch_id: u64, event: EventType, object: Value) {
        let payload = Payload::Watch(Box::new(WatchNotice { watch_id, event, object: object.into() }));
        self.s
            .on_message(Message { id: 0, from: Component::ApiServer, to: Component::Scheduler, payload }, &mut self.k);
    }

    fn respond(&mut self, request_id: u64, result: Result<Value, Status>) {
        let payload = Payload::Response(Box::new(ApiResponse { request_id, result }));
        self.s
            .on_message(Message { id: 0, from: Component::ApiServer, to: Component::Scheduler, payload }, &mut self.k);
    }

    fn sync(&mut self) {
        for id in [self.pods, self.nodes, self.pcs].into_iter().chain(self.storage.clone()) {
            self.notify(
                id,
                EventType::Bookmark,
                json!({"metadata": {"annotations": {"k8s.io/initial-events-end": "true"}}}),
            );
        }
    }

    fn node(&mut self, name: &str, cpu: &str) {
        self.notify(self.nodes, EventType::Added, node_value(name, cpu, "8Gi", json!({})));
    }

    fn pod(&mut self, name: &str, cpu: &str, spec: Value) {
        self.notify(self.pods, EventType::Added, pod_value(name, cpu, "", spec, json!({})));
    }

    /// Moves the clock to `t`, firing the scheduler's timers on the way.
    fn advance(&mut self, t: Millis) {
        self.run_until(t);
    }
}

fn binding(r: &ApiRequest) -> Option<(&str, &str)> {
    (r.subresource.as_deref() == Some("binding")).then(|| {
        (r.name.as_deref().unwrap_or(""), r.body.as_ref().and_then(|b| b.at("/target/name")?.as_str()).unwrap_or(""))
    })
}

/// An Event the scheduler created: it writes events.k8s.io/v1 ones, whose message is `note`.
fn event(r: &ApiRequest) -> Option<(&str, &str)> {
    let b = r.body.as_ref()?;
    (r.resource.plural == "events" && r.resource.group == "events.k8s.io")
        .then(|| (b["reason"].as_str().unwrap_or(""), b["note"].as_str().unwrap_or("")))
}

#[test]
fn waits_for_sync_then_binds_to_the_least_allocated_node() {
    let mut h = Harness::new();
    h.node("worker1", "4");
    h.node("worker2", "4");
    h.notify(h.pods, EventType::Added, pod_value("busy", "3", "", json!({"nodeName": "worker1"}), json!({})));
    h.pod("web", "500m", json!({}));
    assert!(h.drain().is_empty(), "nothing happens before the caches are synced");
    h.sync();
    let reqs = h.drain();
    assert_eq!(reqs.iter().filter_map(binding).collect::<Vec<_>>(), [("web", "worker2")]);
    let bind_id = reqs[0].id;
    h.respond(bind_id, Ok(json!({"kind": "Status", "status": "Success"})));
    let reqs = h.drain();
    assert_eq!(
        reqs.iter().filter_map(event).collect::<Vec<_>>(),
        [("Scheduled", "Successfully assigned default/web to worker2")]
    );
    assert_eq!(h.s.queue_lengths(), (0, 0, 0));
    let d = h.s.last_decision("default", "web").expect("recorded");
    assert_eq!(d.chosen(), Some("worker2"));
    assert_eq!(d.message, "Successfully assigned default/web to worker2");
}

/// VolumeBinding's PreFilter: a missing claim makes the pod unschedulable with upstream's words; the
/// claim's creation, bound by the PV controller, moves the pod back and it binds.
#[test]
fn a_pod_waits_for_its_claim_and_binds_once_the_claim_is_bound() {
    let mut h = Harness::new();
    h.sync();
    h.node("worker1", "4");
    h.pod("db", "100m", json!({"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}));
    let reqs = h.drain();
    assert!(reqs.iter().filter_map(binding).next().is_none());
    let waiting = reqs.iter().filter_map(event).map(|(_, m)| m.to_string()).collect::<Vec<_>>();
    assert_eq!(
        waiting,
        [
            "0/1 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
        ]
    );
    let claims = h.storage[0];
    let claim = |volume: &str| {
        let done = if volume.is_empty() { json!({}) } else { json!({"pv.kubernetes.io/bind-completed": "yes"}) };
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"namespace": "default", "name": "data", "annotations": done}, "spec": {"volumeName": volume}})
    };
    let pv = json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv1"}, "spec": {}});
    h.notify(h.storage[2], EventType::Added, pv);
    h.notify(claims, EventType::Added, claim(""));
    h.advance(h.k.now() + 2_000);
    assert!(h.drain().iter().filter_map(binding).next().is_none(), "unbound, immediate binding: still waits");
    h.notify(claims, EventType::Modified, claim("pv1"));
    h.advance(h.k.now() + 2_000);
    let reqs = h.drain();
    assert_eq!(reqs.iter().filter_map(binding).collect::<Vec<_>>(), [("db", "worker1")]);
}

/// VolumeBinding's PreBind (`BindPodVolumes`): a WaitForFirstConsumer claim gets the chosen node in
/// `volume.kubernetes.io/selected-node` (a PATCH of the claim), and the pod is bound only once the claim
/// is bound, as `checkBindings` waits.
#[test]
fn prebind_hands_the_claim_to_the_node_and_binds_once_it_is_bound() {
    let mut h = Harness::new();
    h.sync();
    h.node("worker1", "4");
    let (claims, classes) = (h.storage[0], h.storage[1]);
    let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "standard"},
        "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
    h.notify(classes, EventType::Added, class);
    let claim = |volume: &str, annotations: Value| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"namespace": "default", "name": "data", "uid": "u1", "annotations": annotations},
            "spec": {"volumeName": volume, "storageClassName": "standard", "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}}})
    };
    h.notify(claims, EventType::Added, claim("", json!({})));
    h.pod("db", "100m", json!({"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}));
    let reqs = h.drain();
    assert!(reqs.iter().filter_map(binding).next().is_none(), "not bound before its claim");
    let patch = reqs
        .iter()
        .find(|r| r.resource.plural == "persistentvolumeclaims" && matches!(r.verb, Verb::Patch(_)))
        .expect("the claim is patched");
    assert_eq!(
        patch.body.as_ref().and_then(|b| b.at("/metadata/annotations/volume.kubernetes.io~1selected-node")),
        Some(&json!("worker1"))
    );
    let selected = json!({"volume.kubernetes.io/selected-node": "worker1"});
    h.notify(claims, EventType::Modified, claim("", selected.clone()));
    assert!(h.drain().iter().filter_map(binding).next().is_none(), "still waiting for the volume");
    let mut done = selected;
    done["pv.kubernetes.io/bind-completed"] = json!("yes");
    h.notify(claims, EventType::Modified, claim("pvc-u1", done));
    assert_eq!(h.drain().iter().filter_map(binding).collect::<Vec<_>>(), [("db", "worker1")]);
}

#[test]
fn pods_in_one_tick_see_each_others_assumed_resources() {
    let mut h = Harness::new();
    h.sync();
    h.node("only", "1");
    h.pod("a", "600m", json!({}));
    h.pod("b", "600m", json!({}));
    let reqs = h.drain();
    assert_eq!(reqs.iter().filter_map(binding).count(), 1);
    assert_eq!(
        reqs.iter().filter_map(event).collect::<Vec<_>>(),
        [(
            "FailedScheduling",
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        )]
    );
    let patch = reqs.iter().find(|r| matches!(r.verb, Verb::Patch(_))).expect("a status patch");
    assert_eq!(patch.subresource.as_deref(), Some("status"));
    assert_eq!(
        patch.body.as_ref().map(|b| b["status"]["conditions"][0]["reason"].clone()),
        Some(json!("Unschedulable"))
    );
    assert_eq!(h.s.queue_lengths(), (0, 0, 1));
}

#[test]
fn a_new_node_moves_the_unschedulable_pod_and_it_binds() {
    let mut h = Harness::new();
    h.sync();
    h.pod("web", "1", json!({}));
    let reqs = h.drain();
    assert_eq!(reqs.iter().filter_map(event).map(|e| e.1).collect::<Vec<_>>(), ["no nodes available to schedule pods"]);
    assert_eq!(h.s.queue_lengths(), (0, 0, 1));
    // The node arrives 2 s later: the 1 s backoff is over, so the pod goes straight to activeQ.
    h.advance(2_000);
    h.node("worker", "2");
    assert_eq!(h.drain().iter().filter_map(binding).collect::<Vec<_>>(), [("web", "worker")]);
}

#[test]
fn failed_binding_is_forgotten_and_retried_after_backoff() {
    let mut h = Harness::new();
    h.sync();
    h.node("worker", "1");
    h.pod("web", "600m", json!({}));
    let bind = h.drain().into_iter().find(|r| binding(r).is_some()).expect("bind");
    h.respond(bind.id, Err(Status::internal("etcdserver: leader changed")));
    let reqs = h.drain();
    assert_eq!(reqs.iter().filter_map(event).map(|e| e.1).collect::<Vec<_>>(), ["etcdserver: leader changed"]);
    assert_eq!(h.s.queue_lengths(), (0, 1, 0));
    assert_eq!(h.s.cluster().node("worker").map(|n| n.requested.milli_cpu), Some(0), "assumed pod forgotten");
    let start = h.k.now();
    h.advance(start + 1_000);
    assert_eq!(h.drain().iter().filter_map(binding).collect::<Vec<_>>(), [("web", "worker")]);
}

#[test]
fn preemption_deletes_victims_and_nominates_the_node() {
    let mut h = Harness::new();
    h.notify(h.pcs, EventType::Added, json!({"metadata": {"name": "high"}, "value": 1000}));
    h.sync();
    h.node("worker", "1");
    h.notify(h.pods, EventType::Added, pod_value("batch", "800m", "", json!({"nodeName": "worker"}), json!({})));
    h.pod("urgent", "500m", json!({"priorityClassName": "high"}));
    let reqs = h.drain();
    let deleted: Vec<&str> = reqs.iter().filter(|r| r.verb == Verb::Delete).filter_map(|r| r.name.as_deref()).collect();
    assert_eq!(deleted, ["batch"]);
    let events: Vec<(&str, &str)> = reqs.iter().filter_map(event).collect();
    assert!(events.contains(&("Preempted", "Preempted by pod uid-urgent on node worker")), "{events:?}");
    assert!(events.contains(&("FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.")), "{events:?}");
    let nominated =
        reqs.iter().filter_map(|r| r.body.as_ref()).find_map(|b| b.at("/status/nominatedNodeName")?.as_str());
    assert_eq!(nominated, Some("worker"));
    let d = h.s.last_decision("default", "urgent").expect("recorded");
    assert_eq!((d.nominated_node.as_deref(), d.victims.clone()), (Some("worker"), vec!["default/batch".to_string()]));
    // The victim is gone: the preemptor is retried after its backoff and lands on the node.
    h.notify(h.pods, EventType::Deleted, pod_value("batch", "800m", "", json!({"nodeName": "worker"}), json!({})));
    let now = h.k.now();
    h.advance(now + 1_000);
    assert_eq!(h.drain().iter().filter_map(binding).collect::<Vec<_>>(), [("urgent", "worker")]);
}

#[test]
fn restart_forgets_and_rewatches() {
    let mut h = Harness::new();
    h.sync();
    h.node("worker", "1");
    h.pod("web", "2", json!({}));
    h.drain();
    assert_eq!(h.s.queue_lengths(), (0, 0, 1));
    h.s.start(&mut h.k);
    assert_eq!(h.s.queue_lengths(), (0, 0, 0));
    assert!(h.s.cluster().nodes().is_empty());
    assert_eq!(h.drain().iter().filter(|r| r.verb == Verb::Watch).count(), 6);
    // A refused watch is listed again after its reflector's backoff (800 ms plus jitter), not at
    // once, and only that watch.
    let mut h = Harness::new();
    h.respond(h.nodes, Err(Status::internal("boom")));
    assert!(h.drain().is_empty());
    h.advance(2 * BACKOFF_INITIAL_MS + 100);
    let again: Vec<&'static str> = h
        .drain()
        .iter()
        .filter(|r| r.verb == Verb::Watch && r.options.send_initial_events)
        .map(|r| r.resource.plural)
        .collect();
    assert_eq!(again, ["nodes"]);
}

#[test]
fn ignores_pods_of_other_schedulers_and_unassigned_deleting_pods() {
    let mut h = Harness::new();
    h.sync();
    h.node("worker", "4");
    h.pod("custom", "100m", json!({"schedulerName": "my-scheduler"}));
    h.notify(
        h.pods,
        EventType::Added,
        pod_value("dying", "100m", "", json!({}), json!({"deletionTimestamp": "2024-01-01T00:00:00Z"})),
    );
    assert!(h.drain().is_empty());
    assert_eq!(h.s.queue_lengths(), (0, 0, 0));
}
