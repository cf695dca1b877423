//! StatefulSet scenarios: ordered creation, claims, reverse scale-down, Parallel, rolling updates.

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;
use crate::sim::time::rfc3339;

fn set(replicas: i64, policy: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"namespace": "default", "name": "web", "uid": "uid-web", "generation": 1, "resourceVersion": "4"},
        "spec": {
            "replicas": replicas, "serviceName": "web", "podManagementPolicy": policy,
            "selector": {"matchLabels": {"app": "web"}}, "template": template("web", "nginx"),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
        }
    })
}

/// A pod of the set at `ordinal`, running and ready (or not), at the set's current revision.
fn member(s: &Value, ordinal: i64, ready: bool) -> Value {
    let rev = set_revision(s);
    let mut p = new_pod(s, &s["spec"]["template"], &rev, ordinal);
    p["metadata"]["uid"] = json!(format!("uid-{ordinal}"));
    p["metadata"]["creationTimestamp"] = json!(rfc3339(0));
    p["status"] = json!({"phase": "Running"});
    if ready {
        p["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(0)}]);
    }
    p
}

fn created_pods(out: &[Action]) -> Vec<String> {
    creates(out, "Pod").iter().map(|p| objects::name(p).to_string()).collect()
}

#[test]
fn ordered_ready_creates_one_pod_at_a_time_with_its_claim_first() {
    let s = set(3, "OrderedReady");
    let mut inf = Informers::default();
    inf.insert(s.clone());
    let out = sync_set(&inf, &s, 1000);
    assert_eq!(created_pods(&out), vec!["web-0"]);
    let claims = creates(&out, "PersistentVolumeClaim");
    assert_eq!(objects::name(&claims[0]), "www-web-0");
    let pvc_pos = out
        .iter()
        .position(|a| matches!(a, Action::Create { resource, .. } if resource.kind == "PersistentVolumeClaim"));
    let pod_pos = out.iter().position(|a| matches!(a, Action::Create { resource, .. } if resource.kind == "Pod"));
    assert!(pvc_pos < pod_pos, "the claim is created before the pod");
    let pod = &creates(&out, "Pod")[0];
    assert_eq!(pod["spec"]["hostname"], "web-0");
    assert_eq!(pod["spec"]["subdomain"], "web");
    assert_eq!(pod["metadata"]["labels"][POD_NAME_LABEL], "web-0");
    assert_eq!(pod["metadata"]["labels"][POD_INDEX_LABEL], "0");
    assert_eq!(pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "www-web-0");
    assert!(
        events(&out).contains(&("SuccessfulCreate".into(), "create Pod web-0 in StatefulSet web successful".into()))
    );
    assert!(
        events(&out).contains(&(
            "SuccessfulCreate".into(),
            "create Claim www-web-0 Pod web-0 in StatefulSet web success".into()
        ))
    );
    assert_eq!(creates(&out, "ControllerRevision").len(), 1);

    // web-0 exists but is not ready: OrderedReady waits.
    inf.insert(member(&s, 0, false));
    assert!(created_pods(&sync_set(&inf, &s, 2000)).is_empty());
    // Ready: web-1 comes next.
    inf.insert(member(&s, 0, true));
    assert_eq!(created_pods(&sync_set(&inf, &s, 3000)), vec!["web-1"]);
}

#[test]
fn parallel_creates_every_missing_pod_at_once() {
    let s = set(3, "Parallel");
    let mut inf = Informers::default();
    inf.insert(s.clone());
    assert_eq!(created_pods(&sync_set(&inf, &s, 0)), vec!["web-0", "web-1", "web-2"]);
}

#[test]
fn scale_down_removes_the_highest_ordinal_first_one_at_a_time() {
    let s = set(3, "OrderedReady");
    let mut inf = Informers::default();
    for i in 0..3 {
        inf.insert(member(&s, i, true));
    }
    let s1 = set(1, "OrderedReady");
    inf.insert(s1.clone());
    let out = sync_set(&inf, &s1, 1000);
    assert_eq!(deletes(&out, "Pod"), vec!["web-2"]);
    assert!(
        events(&out).contains(&("SuccessfulDelete".into(), "delete Pod web-2 in StatefulSet web successful".into()))
    );
    assert!(creates(&out, "PersistentVolumeClaim").is_empty(), "claims are kept");
}

#[test]
fn rolling_update_replaces_from_the_highest_ordinal_down_to_the_partition() {
    let old = set(3, "OrderedReady");
    let mut inf = Informers::default();
    for i in 0..3 {
        inf.insert(member(&old, i, true));
    }
    let mut new = old.clone();
    new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    new["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(1);
    new["status"] = json!({"currentRevision": set_revision(&old)});
    inf.insert(new.clone());
    let out = sync_set(&inf, &new, 1000);
    assert_eq!(deletes(&out, "Pod"), vec!["web-2"]);
    // web-2 was replaced at the new revision: next is web-1; web-0 stays below the partition.
    let mut p2 = member(&new, 2, true);
    p2["metadata"]["labels"][REVISION_LABEL] = json!(set_revision(&new));
    inf.insert(p2);
    assert_eq!(deletes(&sync_set(&inf, &new, 2000), "Pod"), vec!["web-1"]);
    let mut p1 = member(&new, 1, true);
    p1["metadata"]["labels"][REVISION_LABEL] = json!(set_revision(&new));
    inf.insert(p1);
    let out = sync_set(&inf, &new, 3000);
    assert!(deletes(&out, "Pod").is_empty(), "web-0 is protected by partition 1");
    let st = &status_updates(&out, "StatefulSet")[0]["status"];
    assert_eq!(st["updatedReplicas"], 2);
    assert_eq!(st["currentReplicas"], 1);
    assert_eq!(st["updateRevision"], set_revision(&new).as_str());
}

#[test]
fn failed_pods_are_deleted_to_be_recreated() {
    let s = set(1, "OrderedReady");
    let mut inf = Informers::default();
    inf.insert(s.clone());
    let mut p = member(&s, 0, false);
    p["status"]["phase"] = json!("Failed");
    inf.insert(p);
    assert_eq!(deletes(&sync_set(&inf, &s, 0), "Pod"), vec!["web-0"]);
}

#[test]
fn ordinals_parse_only_for_the_set() {
    assert_eq!(ordinal_of("web", "web-12"), Some(12));
    assert_eq!(ordinal_of("web", "webx-1"), None);
    assert_eq!(ordinal_of("web", "web-"), None);
    assert_eq!(ordinal_of("web", "web-a"), None);
}

#[test]
fn the_revision_name_survives_the_first_status_write() {
    // Upstream always hashes a collision count (0 when unset): writing `collisionCount: 0` must not
    // make every pod look outdated.
    let s = set(1, "OrderedReady");
    let mut written = s.clone();
    written["status"] = json!({"collisionCount": 0});
    assert_eq!(set_revision(&s), set_revision(&written));
    let mut inf = Informers::default();
    inf.insert(written.clone());
    inf.insert(member(&s, 0, true));
    assert!(deletes(&sync_set(&inf, &written, 1000), "Pod").is_empty());
}
