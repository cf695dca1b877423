//! EndpointSlice scenarios: creation, in-place updates, 100-endpoint slices, placeholders.

use serde_json::{Value, json};

use super::*;
use crate::sim::controllers::testutil::*;

fn service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default", "name": "web", "uid": "svc-uid"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
}

fn pod(name: &str, ip: &str, ready: bool) -> Value {
    let mut p = pod_of(&replicaset("rs", 1, "web"), name, "w1", "Running", ready.then_some(0));
    p["status"]["podIP"] = json!(ip);
    p
}

fn key() -> ObjectKey {
    ("default".to_string(), "web".to_string())
}

/// Plays the apiserver for a create: names the slice and caches it, then reports the answer.
fn land(c: &mut EndpointSliceController, inf: &mut Informers, out: &[Action], n: &mut u32) {
    for a in out {
        if let Action::Create { object, .. } = a {
            *n += 1;
            let mut made = object.clone();
            made["metadata"]["name"] = json!(format!("web-{n:05}"));
            made["metadata"]["uid"] = json!(format!("slice-{n}"));
            made["metadata"]["resourceVersion"] = json!("1");
            let ch = inf.insert(made.clone()).expect("change");
            c.on_result(&key(), a, Outcome::Done(&made), inf, 0);
            c.keys_for(&ch, inf);
        }
        if let Action::Update { object, .. } = a {
            let ch = inf.insert(object.clone()).expect("change");
            c.keys_for(&ch, inf);
        }
    }
}

#[test]
fn one_slice_owned_labelled_and_updated_in_place() {
    let mut inf = Informers::default();
    inf.insert(service());
    inf.insert(pod("a", "10.244.1.2", true));
    inf.insert(pod("b", "10.244.1.3", false));
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let s = creates(&out, "EndpointSlice").remove(0);
    assert_eq!(s["metadata"]["generateName"], "web-");
    assert_eq!(s["metadata"]["labels"][SERVICE_NAME_LABEL], "web");
    assert_eq!(s["metadata"]["labels"][MANAGED_BY_LABEL], MANAGED_BY);
    assert_eq!(s["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert_eq!(s["endpoints"][0]["conditions"], json!({"ready": true, "serving": true, "terminating": false}));
    assert_eq!(s["endpoints"][1]["conditions"]["ready"], false);
    assert_eq!(s["ports"], json!([{"port": 8080, "protocol": "TCP"}]));
    assert!(c.sync(&inf, &key()).is_empty(), "no second create while the first is on its way");
    let mut n = 0;
    land(&mut c, &mut inf, &out, &mut n);
    assert!(c.sync(&inf, &key()).is_empty(), "up to date");
    let ch = inf.insert(pod("b", "10.244.1.3", true)).expect("change");
    assert_eq!(c.keys_for(&ch, &inf), vec![key()]);
    let out = c.sync(&inf, &key());
    let u = updates(&out, "EndpointSlice");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["metadata"]["name"], "web-00001");
    assert_eq!(u[0]["endpoints"][1]["conditions"]["ready"], true);
}

#[test]
fn slices_hold_100_endpoints_and_a_change_rewrites_only_its_slice() {
    let mut inf = Informers::default();
    inf.insert(service());
    for i in 0..250 {
        inf.insert(pod(&format!("p{i:03}"), &format!("10.0.{}.{}", i / 200, i % 200), true));
    }
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let made = creates(&out, "EndpointSlice");
    let sizes: Vec<usize> = made.iter().map(|s| s["endpoints"].as_array().map_or(0, Vec::len)).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    let mut n = 0;
    land(&mut c, &mut inf, &out, &mut n);
    let ch = inf.insert(pod("p150", "10.0.0.150", false)).expect("change");
    c.keys_for(&ch, &inf);
    let out = c.sync(&inf, &key());
    let u = updates(&out, "EndpointSlice");
    assert_eq!(u.len(), 1, "only the slice holding p150");
    assert_eq!(u[0]["metadata"]["name"], "web-00002");
    // A new pod fills the slice with room.
    let ch = inf.insert(pod("zzz", "10.9.9.9", true)).expect("change");
    c.keys_for(&ch, &inf);
    let u = updates(&c.sync(&inf, &key()), "EndpointSlice");
    assert_eq!(u[0]["metadata"]["name"], "web-00003");
    assert_eq!(u[0]["endpoints"].as_array().map(Vec::len), Some(51));
}

#[test]
fn a_service_without_pods_keeps_one_empty_slice() {
    let mut inf = Informers::default();
    inf.insert(service());
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let s = creates(&out, "EndpointSlice");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["endpoints"], json!([]));
}

#[test]
fn emptied_extra_slices_are_deleted() {
    let mut inf = Informers::default();
    inf.insert(service());
    for i in 0..150 {
        inf.insert(pod(&format!("p{i:03}"), &format!("10.0.0.{i}"), true));
    }
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let mut n = 0;
    land(&mut c, &mut inf, &out, &mut n);
    for i in 100..150 {
        let ch = inf.remove(pod(&format!("p{i:03}"), &format!("10.0.0.{i}"), true)).expect("change");
        c.keys_for(&ch, &inf);
    }
    assert_eq!(deletes(&c.sync(&inf, &key()), "EndpointSlice"), vec!["web-00002"]);
}

#[test]
fn terminating_pods_are_listed_as_terminating() {
    let mut p = pod("a", "10.0.0.1", true);
    p["metadata"]["deletionTimestamp"] = json!("2025-01-01T00:01:00Z");
    let m = crate::sim::controllers::members::member_for(&service(), &p).expect("member");
    assert_eq!(endpoint(&m)["conditions"], json!({"ready": false, "serving": true, "terminating": true}));
}

#[test]
fn the_placeholder_slice_takes_the_first_endpoints() {
    // A Service created before its pods: upstream's finalize turns "create a slice, delete the
    // placeholder" into an update of the placeholder, which keeps its name.
    let mut inf = Informers::default();
    inf.insert(service());
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let mut n = 0;
    land(&mut c, &mut inf, &out, &mut n);
    let ch = inf.insert(pod("a", "10.244.1.2", true)).expect("change");
    c.keys_for(&ch, &inf);
    let out = c.sync(&inf, &key());
    assert!(creates(&out, "EndpointSlice").is_empty() && deletes(&out, "EndpointSlice").is_empty(), "{out:?}");
    let u = updates(&out, "EndpointSlice");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["metadata"]["name"], "web-00001");
    assert_eq!(u[0]["ports"], json!([{"port": 8080, "protocol": "TCP"}]));
}

#[test]
fn after_a_slice_is_deleted_a_new_endpoint_joins_a_slice_with_room() {
    // 150 pods in two slices; the first empties and is deleted; a new pod then goes into the second
    // slice's room instead of a new slice (the 2-to-3 replica scale-up of a lesson showed two slices).
    let mut inf = Informers::default();
    inf.insert(service());
    for i in 0..150 {
        inf.insert(pod(&format!("p{i:03}"), &format!("10.0.0.{i}"), true));
    }
    let mut c = EndpointSliceController::default();
    let out = c.sync(&inf, &key());
    let mut n = 0;
    land(&mut c, &mut inf, &out, &mut n);
    for i in 0..100 {
        let ch = inf.remove(pod(&format!("p{i:03}"), &format!("10.0.0.{i}"), true)).expect("change");
        c.keys_for(&ch, &inf);
    }
    let out = c.sync(&inf, &key());
    assert_eq!(deletes(&out, "EndpointSlice"), vec!["web-00001"]);
    let ch = inf.insert(pod("new", "10.0.1.1", true)).expect("change");
    c.keys_for(&ch, &inf);
    let out = c.sync(&inf, &key());
    assert!(creates(&out, "EndpointSlice").is_empty(), "{out:?}");
    let u = updates(&out, "EndpointSlice");
    assert_eq!(u[0]["metadata"]["name"], "web-00002");
    assert_eq!(u[0]["endpoints"].as_array().map(Vec::len), Some(51));
}
