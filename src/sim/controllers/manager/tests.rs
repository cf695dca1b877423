//! The manager against a fake apiserver: watches, slow-start creates, events after their write,
//! rate-limited retries, and determinism.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::sim::apiserver::request::{EventType, WatchNotice};
use crate::sim::controllers::replicaset::ReplicaSetController;
use crate::sim::kernel::Scheduled;

/// Just enough apiserver: stores objects, answers writes, pushes watch events.
#[derive(Default)]
struct FakeApi {
    objects: BTreeMap<(String, String, String), Value>,
    watches: Vec<(u64, &'static str)>,
    uid: u64,
    rv: u64,
    /// Fail pod creates with this status.
    reject_pods: Option<Status>,
}

impl FakeApi {
    fn put(&mut self, plural: &'static str, mut obj: Value, k: &mut Kernel) -> Value {
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let key = (plural.to_string(), objects::namespace(&obj).to_string(), objects::name(&obj).to_string());
        let ev = if self.objects.insert(key, obj.clone()).is_some() { EventType::Modified } else { EventType::Added };
        self.notify(plural, ev, obj.clone(), k);
        obj
    }

    fn notify(&self, plural: &str, event: EventType, object: Value, k: &mut Kernel) {
        for (id, p) in &self.watches {
            if *p == plural {
                let n = WatchNotice { watch_id: *id, event, object: object.clone().into() };
                k.send(Component::ApiServer, me(), Payload::Watch(Box::new(n)));
            }
        }
    }

    fn handle(&mut self, req: ApiRequest, k: &mut Kernel) {
        let plural = req.resource.plural;
        let result = match (&req.verb, req.subresource.as_deref()) {
            (Verb::Watch, _) => {
                self.watches.push((req.id, plural));
                for ((p, _, _), o) in &self.objects {
                    if p == plural {
                        k.send(
                            Component::ApiServer,
                            me(),
                            Payload::Watch(Box::new(WatchNotice {
                                watch_id: req.id,
                                event: EventType::Added,
                                object: o.clone().into(),
                            })),
                        );
                    }
                }
                // The bookmark that ends a WatchList's initial events, as the apiserver sends it.
                let end = json!({"metadata": {"resourceVersion": self.rv.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}});
                let bm = WatchNotice { watch_id: req.id, event: EventType::Bookmark, object: end.into() };
                k.send(Component::ApiServer, me(), Payload::Watch(Box::new(bm)));
                return;
            }
            (Verb::Create, _) if plural == "pods" && self.reject_pods.is_some() => {
                Err(self.reject_pods.clone().expect("checked"))
            }
            (Verb::Create, _) => {
                let mut o = req.body.clone().unwrap_or(json!({}));
                if objects::name(&o).is_empty() {
                    let n = format!("{}{}", objects::str_at(&o, "/metadata/generateName"), k.rng.name_suffix(5));
                    o["metadata"]["name"] = json!(n);
                }
                self.uid += 1;
                o["metadata"]["uid"] = json!(format!("uid-{}", self.uid));
                o["metadata"]["namespace"] = json!(req.namespace.clone().unwrap_or_default());
                Ok(self.put(plural, o, k))
            }
            (Verb::Update, _) => Ok(self.put(plural, req.body.clone().unwrap_or(json!({})), k)),
            _ => Err(Status::new(405, Reason::MethodNotAllowed, "no")),
        };
        let resp = ApiResponse { request_id: req.id, result };
        k.send(Component::ApiServer, me(), Payload::Response(Box::new(resp)));
    }
}

fn rs_only() -> Vec<Box<dyn Controller>> {
    vec![Box::new(ReplicaSetController::default())]
}

fn replicaset(n: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"namespace": "default", "name": "web-abc", "uid": "rs-uid", "generation": 1},
        "spec": {"replicas": n, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}}}
    })
}

/// Runs the fake cluster until `until`.
fn run(cm: &mut ControllerManager, api: &mut FakeApi, k: &mut Kernel, until: Millis) {
    while let Some(item) = k.pop_due(until) {
        match item {
            Scheduled::Deliver(msg) => match (&msg.to, msg.payload.clone()) {
                (Component::ApiServer, Payload::Request(req)) => api.handle(*req, k),
                (Component::ControllerManager, _) => cm.on_message(msg, k),
                _ => {}
            },
            Scheduled::Timer { owner: Component::ControllerManager, kind } => cm.on_timer(kind, k),
            Scheduled::Timer { .. } => {}
        }
    }
}

fn setup(seed: u64, reject: Option<Status>) -> (ControllerManager, FakeApi, Kernel) {
    let mut k = Kernel::new(seed);
    let mut api = FakeApi { reject_pods: reject, ..Default::default() };
    api.objects.insert(("replicasets".into(), "default".into(), "web-abc".into()), replicaset(3));
    let mut cm = ControllerManager::with_controllers(rs_only);
    cm.start(&mut k);
    (cm, api, k)
}

fn summaries(k: &Kernel) -> Vec<(u64, String)> {
    k.trace
        .entries()
        .iter()
        .filter(|e| &*e.from == "kube-controller-manager")
        .map(|e| (e.sent_at, e.summary.clone()))
        .collect()
}

#[test]
fn opens_one_watch_per_resource_then_creates_pods_in_slow_start_batches() {
    let (mut cm, mut api, mut k) = setup(7, None);
    run(&mut cm, &mut api, &mut k, 10_000);
    let sent = summaries(&k);
    let watches: Vec<&String> = sent.iter().map(|s| &s.1).filter(|s| s.contains("watch=true")).collect();
    assert_eq!(watches.len(), 2, "pods and replicasets, one watch each: {watches:?}");
    let pod_posts: Vec<u64> =
        sent.iter().filter(|s| s.1 == "POST /api/v1/namespaces/default/pods").map(|s| s.0).collect();
    assert_eq!(pod_posts.len(), 3);
    // Slow start: the first create alone, the next two after its answer.
    assert!(pod_posts[0] < pod_posts[1] && pod_posts[1] == pod_posts[2], "{pod_posts:?}");
    let events: Vec<&Value> = api.objects.iter().filter(|(k, _)| k.0 == "events").map(|(_, v)| v).collect();
    assert_eq!(events.len(), 3);
    for e in events {
        assert_eq!(e["reason"], "SuccessfulCreate");
        assert_eq!(e["source"]["component"], "replicaset-controller");
        assert!(e["message"].as_str().is_some_and(|m| m.starts_with("Created pod: web-abc-")));
    }
    let rs = &api.objects[&("replicasets".to_string(), "default".to_string(), "web-abc".to_string())];
    assert_eq!(rs["status"]["replicas"], 3, "status written once the pods were seen");
    assert_eq!(cm.queue_lengths(), vec![("replicaset", 0)]);
}

#[test]
fn a_failing_create_skips_the_rest_of_the_batch_and_backs_off_exponentially() {
    let quota = Status::forbidden(crate::sim::api::resolve("pods").expect("served"), "web-abc-x", "exceeded quota: q");
    let (mut cm, mut api, mut k) = setup(7, Some(quota));
    run(&mut cm, &mut api, &mut k, 2_000);
    let posts: Vec<u64> =
        summaries(&k).iter().filter(|s| s.1 == "POST /api/v1/namespaces/default/pods").map(|s| s.0).collect();
    // One create per attempt (the other two are skipped); attempts spaced by a doubling backoff.
    assert!(posts.len() >= 5, "{posts:?}");
    let gaps: Vec<u64> = posts.windows(2).map(|w| w[1] - w[0]).collect();
    // (The first retries come at once: the sync's own status write, reporting ReplicaFailure, wakes it.)
    let tail = &gaps[gaps.len() - 4..];
    assert!(tail.windows(2).all(|g| g[1] > g[0] * 3 / 2), "backoff doubles: {gaps:?}");
    let rs = &api.objects[&("replicasets".to_string(), "default".to_string(), "web-abc".to_string())];
    assert_eq!(rs["status"]["conditions"][0]["reason"], "FailedCreate", "the failure is reported and stays");
    // One FailedCreate Event, created once; each later failure is counted on it by a patch.
    let failed = api.objects.iter().filter(|(k, v)| k.0 == "events" && v["reason"] == "FailedCreate").count();
    assert_eq!(failed, 1);
    let patches = summaries(&k).iter().filter(|s| s.1.starts_with("PATCH /api/v1/namespaces/default/events/")).count();
    assert_eq!(patches + 1, posts.len());
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let go = |seed| {
        let (mut cm, mut api, mut k) = setup(seed, None);
        run(&mut cm, &mut api, &mut k, 10_000);
        k.trace.entries().iter().map(|e| (e.sent_at, e.summary.clone())).collect::<Vec<_>>()
    };
    assert_eq!(go(3), go(3));
}

#[test]
fn a_failed_watch_is_reopened_and_relisted() {
    let (mut cm, mut api, mut k) = setup(7, None);
    run(&mut cm, &mut api, &mut k, 5_000);
    let (id, _) = *api.watches.iter().find(|w| w.1 == "replicasets").expect("watched");
    api.watches.retain(|w| w.0 != id);
    // The RS disappears while the watch is broken; the re-list must notice.
    api.objects.remove(&("replicasets".into(), "default".into(), "web-abc".into()));
    let gone =
        ApiResponse { request_id: id, result: Err(Status::new(410, Reason::Expired, "too old resource version")) };
    k.send(Component::ApiServer, me(), Payload::Response(Box::new(gone)));
    run(&mut cm, &mut api, &mut k, 10_000);
    assert_eq!(api.watches.iter().filter(|w| w.1 == "replicasets").count(), 1, "re-opened");
    assert_eq!(cm.informers().count_of("replicasets"), 0, "the re-list dropped the deleted RS");
}

#[test]
fn unanswered_requests_time_out_and_are_retried() {
    let (mut cm, mut api, mut k) = setup(7, None);
    // Deliver the watches, then lose every later request.
    run(&mut cm, &mut api, &mut k, 0);
    let mut lost = 0;
    while let Some(item) = k.pop_due(REQUEST_TIMEOUT_MS - 1) {
        match item {
            Scheduled::Deliver(msg) if msg.to == Component::ApiServer => {
                if let Payload::Request(r) = &msg.payload {
                    match r.verb {
                        Verb::Watch => api.handle((**r).clone(), &mut k),
                        Verb::Create => lost += 1,
                        _ => {}
                    }
                }
            }
            Scheduled::Deliver(msg) => cm.on_message(msg, &mut k),
            Scheduled::Timer { owner: Component::ControllerManager, kind } => cm.on_timer(kind, &mut k),
            _ => {}
        }
    }
    assert_eq!(lost, 1, "slow start: only the first create went out");
    run(&mut cm, &mut api, &mut k, REQUEST_TIMEOUT_MS + 5_000);
    let rs = &api.objects[&("replicasets".to_string(), "default".to_string(), "web-abc".to_string())];
    assert_eq!(rs["status"]["replicas"], 3, "after the timeout the sync was retried");
}
