//! Deployment controller scenarios: single syncs, and whole rollouts against a tiny fake cluster in
//! which ReplicaSets report their pods available one step after they were asked for.

use crate::sim::sort::StableSort;
use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;
use crate::sim::time::rfc3339;

fn deployment(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"namespace": "default", "name": "web", "uid": "uid-web", "generation": 1, "resourceVersion": "1", "creationTimestamp": rfc3339(0)},
        "spec": {
            "replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": template("web", image),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600
        }
    })
}

/// A fake cluster: applies the controller's writes to the informers and plays the ReplicaSet
/// controller (status follows spec, pods become available one step later).
struct Cluster {
    inf: Informers,
    now: Millis,
    uid: u64,
    /// Per ReplicaSet: the replicas asked for at the previous step (become available now).
    asked: std::collections::BTreeMap<String, i64>,
    events: Vec<String>,
}

impl Cluster {
    fn new(d: Value) -> Self {
        let mut inf = Informers::default();
        inf.insert(d);
        Cluster { inf, now: 1000, uid: 0, asked: Default::default(), events: Vec::new() }
    }

    fn d(&self) -> Value {
        self.inf.get(rt("deployments"), "default", "web").cloned().expect("deployment cached")
    }

    fn rss(&self) -> Vec<Value> {
        let mut v: Vec<Value> = self.inf.list(rt("replicasets"), Some("default")).cloned().collect();
        v.stable_sort_by(state::by_creation);
        v
    }

    fn set_d(&mut self, f: impl FnOnce(&mut Value)) {
        let mut d = self.d();
        f(&mut d);
        d["metadata"]["generation"] = json!(objects::generation(&d) + 1);
        self.inf.insert(d);
    }

    /// One controller sync, its writes applied, then one "ReplicaSet controller" step.
    fn step(&mut self) -> Vec<Action> {
        self.now += 1000;
        let d = self.d();
        let out = sync_deployment(&self.inf, &d, self.now);
        for a in &out {
            match a.clone() {
                Action::Create { object: mut rs, .. } => {
                    self.uid += 1;
                    rs["metadata"]["uid"] = json!(format!("rs-{}", self.uid));
                    rs["metadata"]["creationTimestamp"] = json!(rfc3339(self.now));
                    rs["metadata"]["generation"] = json!(1);
                    self.inf.insert(rs);
                }
                Action::Update { object, .. } => {
                    self.inf.insert(object);
                }
                Action::UpdateStatus { object, .. } => {
                    self.inf.insert(object);
                }
                Action::Delete { name, .. } => {
                    let rs = self.inf.get(rt("replicasets"), "default", &name).cloned().expect("deleted RS was cached");
                    self.inf.remove(rs);
                }
                Action::Event { message, .. } => self.events.push(message),
                _ => {}
            }
        }
        for mut rs in self.rss() {
            let name = objects::name(&rs).to_string();
            let want = replicas(&rs);
            let was = self.asked.insert(name, want).unwrap_or(0);
            let available = want.min(was);
            rs["status"] = json!({"replicas": want, "readyReplicas": available, "availableReplicas": available, "observedGeneration": objects::generation(&rs)});
            self.inf.insert(rs);
        }
        out
    }

    fn sizes(&self) -> Vec<i64> {
        self.rss().iter().map(replicas).collect()
    }
}

#[test]
fn fenceposts_round_surge_up_and_unavailable_down() {
    let cases = [
        (10, json!("25%"), json!("25%"), (3, 2)),
        (3, json!("25%"), json!("25%"), (1, 0)),
        (2, json!("0%"), json!("1%"), (0, 1)),
        (2, json!(1), json!(0), (1, 0)),
        (5, json!(0), json!(0), (0, 1)),
    ];
    for (n, surge, unavail, want) in cases {
        let mut d = deployment(n, "nginx");
        d["spec"]["strategy"]["rollingUpdate"] = json!({"maxSurge": surge, "maxUnavailable": unavail});
        assert_eq!(fenceposts(&d), want, "{n} replicas, {surge}/{unavail}");
    }
    let mut d = deployment(10, "nginx");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    assert_eq!((max_surge(&d), max_unavailable(&d)), (0, 0));
}

#[test]
fn first_sync_creates_the_replicaset_with_hash_revision_and_event() {
    let mut c = Cluster::new(deployment(3, "nginx"));
    let out = c.step();
    let rs = creates(&out, "ReplicaSet").remove(0);
    let hash = rs["metadata"]["labels"][HASH_LABEL].as_str().expect("hash label").to_string();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs["spec"]["selector"]["matchLabels"][HASH_LABEL], hash.as_str());
    assert_eq!(rs["spec"]["template"]["metadata"]["labels"][HASH_LABEL], hash.as_str());
    assert_eq!(rs["spec"]["replicas"], 3);
    assert_eq!(rs["metadata"]["annotations"][ANN_REVISION], "1");
    assert_eq!(rs["metadata"]["annotations"][ANN_DESIRED], "3");
    assert_eq!(rs["metadata"]["annotations"][ANN_MAX], "4");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(
        events(&out),
        vec![("ScalingReplicaSet".into(), format!("Scaled up replica set web-{hash} from 0 to 3"))]
    );
    let d = &status_updates(&out, "Deployment")[0];
    assert_eq!(d["metadata"]["annotations"][ANN_REVISION], "1");
    assert_eq!(objects::condition(d, "Progressing").expect("progressing")["reason"], "NewReplicaSetCreated");
    assert_eq!(
        objects::condition(d, "Progressing").expect("progressing")["message"],
        format!("Created new replica set \"web-{hash}\"")
    );
    // The hash is a pure function of the template: the same spec gives the same name.
    let again = sync_deployment(&Informers::default(), &deployment(3, "nginx"), 0);
    let _ = again;
    assert_eq!(objects::compute_hash(&deployment(3, "nginx")["spec"]["template"], None), hash);
}

#[test]
fn rollout_completes_with_available_and_progressing_conditions() {
    let mut c = Cluster::new(deployment(3, "nginx"));
    for _ in 0..4 {
        c.step();
    }
    let d = c.d();
    assert_eq!(d["status"]["updatedReplicas"], 3);
    assert_eq!(d["status"]["availableReplicas"], 3);
    let p = objects::condition(&d, "Progressing").expect("progressing");
    assert_eq!(p["reason"], "NewReplicaSetAvailable");
    let rs = &c.rss()[0];
    assert_eq!(p["message"], format!("ReplicaSet \"{}\" has successfully progressed.", objects::name(rs)));
    let a = objects::condition(&d, "Available").expect("available");
    assert_eq!((a["status"].as_str(), a["reason"].as_str()), (Some("True"), Some("MinimumReplicasAvailable")));
    assert!(d["status"].get("unavailableReplicas").is_none(), "zero counts are omitted");
}

#[test]
fn rolling_update_with_max_surge_1_max_unavailable_0_never_exceeds_replicas_plus_one() {
    // rolling.go: total pods <= replicas + maxSurge, available >= replicas - maxUnavailable.
    let mut d = deployment(3, "nginx:1");
    d["spec"]["strategy"]["rollingUpdate"] = json!({"maxSurge": 1, "maxUnavailable": 0});
    let mut c = Cluster::new(d);
    for _ in 0..4 {
        c.step();
    }
    c.set_d(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2"));
    let mut seen_two = false;
    for _ in 0..20 {
        c.step();
        let total: i64 = c.sizes().iter().sum();
        let available: i64 = c.rss().iter().map(|r| i64_at(r, "/status/availableReplicas", 0)).sum();
        assert!(total <= 4, "at most replicas + maxSurge pods: {:?}", c.sizes());
        assert!(available >= 3, "never below replicas - maxUnavailable available");
        seen_two |= c.sizes().len() == 2;
    }
    assert!(seen_two);
    assert_eq!(c.sizes(), vec![0, 3], "old scaled to 0, new to 3");
    let d = c.d();
    assert_eq!(d["metadata"]["annotations"][ANN_REVISION], "2");
    assert_eq!(objects::condition(&d, "Progressing").expect("progressing")["reason"], "NewReplicaSetAvailable");
    let new_rs = &c.rss()[1];
    assert!(
        c.events.contains(&format!("Scaled up replica set {} from 0 to 1", objects::name(new_rs))),
        "{:?}",
        c.events
    );
}

#[test]
fn recreate_scales_old_to_zero_before_creating_the_new_replicaset() {
    let mut d = deployment(2, "nginx:1");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    let mut c = Cluster::new(d);
    for _ in 0..3 {
        c.step();
    }
    c.set_d(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2"));
    let out = c.step();
    assert!(creates(&out, "ReplicaSet").is_empty(), "no new RS while old pods run");
    assert_eq!(c.sizes(), vec![0]);
    // The old pods are still counted in the old RS's status until they are gone; a pod left running blocks too.
    let old = c.rss()[0].clone();
    let mut pod = pod_of(&old, "old-pod", "n1", "Running", None);
    pod["metadata"]["ownerReferences"][0]["uid"] = old["metadata"]["uid"].clone();
    c.inf.insert(pod.clone());
    let out = c.step();
    assert!(creates(&out, "ReplicaSet").is_empty(), "a running old pod blocks the new RS");
    c.inf.remove(pod);
    let out = c.step();
    let rs = creates(&out, "ReplicaSet");
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0]["spec"]["replicas"], 2, "Recreate creates the new RS at full size");
}

#[test]
fn paused_deployment_creates_no_replicaset_and_says_so() {
    let mut c = Cluster::new(deployment(2, "nginx:1"));
    for _ in 0..3 {
        c.step();
    }
    c.set_d(|d| {
        d["spec"]["paused"] = json!(true);
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    });
    let out = c.step();
    assert!(creates(&out, "ReplicaSet").is_empty());
    let p = objects::condition(&c.d(), "Progressing").cloned().expect("progressing");
    assert_eq!(
        (p["status"].as_str(), p["reason"].as_str(), p["message"].as_str()),
        (Some("Unknown"), Some("DeploymentPaused"), Some("Deployment is paused"))
    );
    // Scaling a paused deployment still scales its only active ReplicaSet.
    c.set_d(|d| d["spec"]["replicas"] = json!(4));
    c.step();
    assert_eq!(c.sizes(), vec![4]);
    c.set_d(|d| d["spec"]["paused"] = json!(false));
    c.step();
    assert_eq!(c.rss().len(), 2, "resumed: the rollout starts");
    assert_eq!(objects::condition(&c.d(), "Progressing").expect("progressing")["reason"], "NewReplicaSetCreated");
}

#[test]
fn rollback_reuses_the_old_replicaset_with_the_next_revision() {
    let mut c = Cluster::new(deployment(1, "nginx:1"));
    for _ in 0..3 {
        c.step();
    }
    let first = objects::name(&c.rss()[0]).to_string();
    let old_template = c.d()["spec"]["template"].clone();
    c.set_d(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2"));
    for _ in 0..6 {
        c.step();
    }
    // kubectl rollout undo writes the previous template back.
    c.set_d(|d| d["spec"]["template"] = old_template.clone());
    for _ in 0..6 {
        c.step();
    }
    assert_eq!(c.rss().len(), 2, "no third ReplicaSet");
    let back = c.inf.get(rt("replicasets"), "default", &first).cloned().expect("first RS kept");
    assert_eq!(back["metadata"]["annotations"][ANN_REVISION], "3");
    assert_eq!(back["metadata"]["annotations"][ANN_REVISION_HISTORY], "1");
    assert_eq!(replicas(&back), 1);
    assert_eq!(c.d()["metadata"]["annotations"][ANN_REVISION], "3");
}

#[test]
fn revision_history_limit_deletes_the_oldest_empty_replicasets() {
    let mut d = deployment(1, "v0");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    let mut c = Cluster::new(d);
    for _ in 0..4 {
        c.step();
    }
    for v in 1..=3 {
        c.set_d(|d| d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(format!("v{v}")));
        for _ in 0..8 {
            c.step();
        }
    }
    let revs: Vec<i64> = c.rss().iter().map(replicasets_of::revision).collect();
    assert_eq!(revs, vec![3, 4], "one old ReplicaSet kept besides the current one");
}

#[test]
fn progress_deadline_exceeded_when_nothing_moves() {
    let mut d = deployment(2, "nginx");
    d["spec"]["progressDeadlineSeconds"] = json!(30);
    let mut inf = Informers::default();
    inf.insert(d.clone());
    let out = sync_deployment(&inf, &d, 0);
    let mut rs = creates(&out, "ReplicaSet").remove(0);
    rs["metadata"]["uid"] = json!("rs-1");
    rs["status"] = json!({"replicas": 2, "observedGeneration": 1});
    inf.insert(rs);
    let written = status_updates(&out, "Deployment").remove(0);
    inf.insert(written);
    // Nothing changes: the controller asks to be woken when the deadline passes...
    let d = inf.get(rt("deployments"), "default", "web").cloned().expect("cached");
    let out = sync_deployment(&inf, &d, 1_000);
    let d = match status_updates(&out, "Deployment").pop() {
        Some(w) => {
            inf.insert(w.clone());
            w
        }
        None => d,
    };
    let out = sync_deployment(&inf, &d, 2_000);
    assert!(out.iter().any(|a| matches!(a, Action::Requeue { after, .. } if *after == 30_000)), "{out:?}");
    // ... and then reports the timeout.
    let out = sync_deployment(&inf, &d, 31_001);
    let w = status_updates(&out, "Deployment").remove(0);
    let p = objects::condition(&w, "Progressing").expect("progressing");
    assert_eq!((p["status"].as_str(), p["reason"].as_str()), (Some("False"), Some("ProgressDeadlineExceeded")));
    assert!(p["message"].as_str().is_some_and(|m| m.ends_with("has timed out progressing.")));
}

#[test]
fn scaling_mid_rollout_is_proportional() {
    // 10 replicas, maxSurge 3: an old RS at 8 and a new RS at 5 (13 = 10 + 3); scaling to 20 grows both.
    let mut d = deployment(20, "v2");
    d["spec"]["strategy"]["rollingUpdate"] = json!({"maxSurge": 3, "maxUnavailable": 2});
    let mut inf = Informers::default();
    inf.insert(d.clone());
    let mk = |name: &str, image: &str, n: i64, t: u64, rev: &str| {
        let mut rs = replicaset(name, n, "web");
        rs["spec"]["template"] = template("web", image);
        rs["metadata"]["creationTimestamp"] = json!(rfc3339(t));
        rs["metadata"]["labels"] = json!({"app": "web"});
        rs["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "uid-web", "controller": true}]);
        rs["metadata"]["annotations"] = json!({ANN_DESIRED: "10", ANN_MAX: "13", ANN_REVISION: rev});
        rs
    };
    inf.insert(mk("web-old", "v1", 8, 0, "1"));
    inf.insert(mk("web-new", "v2", 5, 1000, "2"));
    let out = sync_deployment(&inf, &d, 5000);
    let sizes: Vec<(String, i64)> =
        updates(&out, "ReplicaSet").iter().map(|r| (objects::name(r).to_string(), replicas(r))).collect();
    let total: i64 = sizes.iter().map(|s| s.1).sum();
    assert_eq!(total, 20, "{sizes:?}");
    assert!(sizes.iter().all(|(_, n)| *n > 5), "both grew: {sizes:?}");
    assert!(updates(&out, "ReplicaSet").iter().all(|r| r["metadata"]["annotations"][ANN_DESIRED] == "20"));
}

#[test]
fn empty_selector_is_refused() {
    let mut d = deployment(1, "nginx");
    d["spec"]["selector"] = json!({});
    let inf = Informers::default();
    let out = sync_deployment(&inf, &d, 0);
    assert_eq!(events(&out)[0].0, "SelectingAll");
    assert!(creates(&out, "ReplicaSet").is_empty());
}

#[test]
fn replicaset_events_wake_their_deployment() {
    let mut c = Cluster::new(deployment(1, "nginx"));
    c.step();
    let rs = c.rss().remove(0);
    let ch = c.inf.insert(rs).expect("change");
    let mut dc = DeploymentController;
    assert_eq!(dc.keys_for(&ch, &c.inf), vec![("default".to_string(), "web".to_string())]);
}
