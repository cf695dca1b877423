//! The correlator's three rules (`events_cache.go`): dedupe by count, aggregate similar messages, drop spam.

use serde_json::json;

use super::*;

fn pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default", "uid": "u1"}})
}

fn recorder() -> EventRecorder {
    EventRecorder::new(EventSource { component: "kubelet".into(), host: Some("worker".into()) })
}

#[test]
fn a_repeated_event_patches_count_and_last_timestamp_of_the_first() {
    let mut r = recorder();
    let mut rng = Rng::new(1);
    let Some(Action::Create { object, namespace, .. }) =
        r.record(&pod(), "Warning", "BackOff", "back-off", 0, &mut rng)
    else {
        panic!("the first event is created")
    };
    assert_eq!(namespace.as_deref(), Some("default"));
    assert_eq!(
        (object["count"].clone(), object["source"].clone()),
        (json!(1), json!({"component": "kubelet", "host": "worker"}))
    );
    assert_eq!(object["reportingInstance"], "worker");
    let first_name = object["metadata"]["name"].as_str().expect("named").to_string();
    for (i, t) in [(2, 10_000), (3, 70_000)] {
        let Some(Action::Patch { name, patch, patch_type, .. }) =
            r.record(&pod(), "Warning", "BackOff", "back-off", t, &mut rng)
        else {
            panic!("a repeat is a patch")
        };
        assert_eq!((name.as_str(), patch_type), (first_name.as_str(), PatchType::Strategic));
        assert_eq!(patch, json!({"count": i, "lastTimestamp": rfc3339(t), "message": "back-off"}));
    }
    assert_eq!(r.count_of(&pod(), "Warning", "BackOff", "back-off"), 3);
    assert_eq!(r.first_timestamp(&pod(), "Warning", "BackOff", "back-off"), Some(rfc3339(0)));
    // Another message, type or object is another event.
    assert!(matches!(r.record(&pod(), "Warning", "BackOff", "other", 80_000, &mut rng), Some(Action::Create { .. })));
    assert!(matches!(r.record(&pod(), "Normal", "BackOff", "back-off", 80_000, &mut rng), Some(Action::Create { .. })));
    // An hour without a write: the apiserver has dropped the Event, so a new one is created.
    let later = 70_000 + EVENT_TTL_MS;
    assert!(matches!(r.record(&pod(), "Warning", "BackOff", "back-off", later, &mut rng), Some(Action::Create { .. })));
}

#[test]
fn ten_different_messages_of_one_reason_are_combined() {
    let mut r = recorder();
    let mut rng = Rng::new(1);
    for i in 0..9 {
        let a = r.record(&pod(), "Normal", "Pulling", &format!("m{i}"), i * 1000, &mut rng);
        assert!(matches!(a, Some(Action::Create { .. })), "message {i} is its own event");
    }
    let Some(Action::Create { object, .. }) = r.record(&pod(), "Normal", "Pulling", "m9", 9_000, &mut rng) else {
        panic!("the tenth similar message starts the combined event")
    };
    assert_eq!(object["message"], "(combined from similar events): m9");
    let Some(Action::Patch { patch, .. }) = r.record(&pod(), "Normal", "Pulling", "m10", 10_000, &mut rng) else {
        panic!("further similar messages count on the combined event")
    };
    assert_eq!(patch["message"], "(combined from similar events): m10");
    assert_eq!(patch["count"], 2);
    // Ten minutes later the window starts again.
    let later = 10_000 + AGGREGATE_INTERVAL_MS + 1;
    let Some(Action::Patch { patch, .. }) = r.record(&pod(), "Normal", "Pulling", "m0", later, &mut rng) else {
        panic!("m0 was created before: its own event counts up")
    };
    assert_eq!(patch["message"], "m0");
}

#[test]
fn spam_beyond_the_burst_is_dropped_until_tokens_refill() {
    let mut r = recorder();
    let mut rng = Rng::new(1);
    let sent = (0..30).filter(|_| r.record(&pod(), "Warning", "Failed", "x", 0, &mut rng).is_some()).count();
    assert_eq!(sent, SPAM_BURST as usize);
    assert!(r.record(&pod(), "Warning", "Failed", "x", 299_000, &mut rng).is_none(), "less than 5 minutes: no token");
    assert!(r.record(&pod(), "Warning", "Failed", "x", 300_000, &mut rng).is_some(), "one token per 5 minutes");
    // The bucket is per object, type and reason.
    assert!(r.record(&pod(), "Warning", "Other", "x", 300_000, &mut rng).is_some());
}

#[test]
fn the_lru_forgets_the_least_recently_used_key() {
    let mut lru: Lru<u32> = Lru::default();
    for i in 0..MAX_LRU_ENTRIES as u32 {
        lru.insert(format!("k{i}"), i);
    }
    assert!(lru.get_mut("k0").is_some(), "k0 is now the most recently used");
    lru.insert("new".into(), 0);
    assert!(lru.get_mut("k1").is_none(), "k1 was the least recently used");
    assert!(lru.get_mut("k0").is_some() && lru.get_mut("new").is_some());
    assert_eq!(lru.entries.len(), MAX_LRU_ENTRIES);
}

#[test]
fn sources_name_the_component_and_node() {
    assert_eq!(EventSource::of(&Component::Scheduler).component, "default-scheduler");
    let kubelet = EventSource::of(&Component::Kubelet("w1".into()));
    assert_eq!((kubelet.component.as_str(), kubelet.host.as_deref()), ("kubelet", Some("w1")));
    let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "w1"}});
    let e = event_object(&kubelet, &node, "Normal", "R", "m", "t", &mut Rng::new(1));
    assert_eq!(e["metadata"]["namespace"], "default", "cluster-scoped objects' events go to default");
    assert!(e["involvedObject"].get("namespace").is_none());
}
