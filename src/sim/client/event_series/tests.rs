//! The series recorder against `event_broadcaster_test.go`'s cases: create, series of two, silent
//! counting, finish and refresh.

use super::*;
use crate::sim::rng::Rng;

fn pod(rv: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u", "resourceVersion": rv}})
}

fn record(r: &mut SeriesRecorder, regarding: &Value, note: &str, now: Millis) -> Option<Action> {
    r.record(regarding, None, "Warning", "FailedScheduling", "Scheduling", note, now, &mut Rng::new(7))
}

fn patch_of(a: &Action) -> Value {
    match a {
        Action::Patch { patch, patch_type: PatchType::Strategic, .. } => patch.clone(),
        other => panic!("expected a strategic patch, got {other:?}"),
    }
}

#[test]
fn the_first_event_is_created_as_events_v1() {
    let mut r = SeriesRecorder::new("default-scheduler", "sandbox-control-plane");
    let Some(Action::Create { resource, namespace, object }) = record(&mut r, &pod("5"), "0/3 nodes", 1_500) else {
        panic!("a create")
    };
    assert_eq!((resource.group, namespace.as_deref()), ("events.k8s.io", Some("ns")));
    assert_eq!(object["eventTime"], "2025-01-01T00:00:01.500000Z");
    assert_eq!(object["reportingInstance"], "default-scheduler-sandbox-control-plane");
    assert_eq!(
        object["regarding"],
        json!({"apiVersion": "v1", "kind": "Pod", "namespace": "ns", "name": "p", "uid": "u", "resourceVersion": "5"})
    );
    assert_eq!((object["note"].as_str(), object.get("series")), (Some("0/3 nodes"), None));
}

#[test]
fn the_second_starts_a_series_and_later_ones_only_count() {
    let mut r = SeriesRecorder::new("default-scheduler", "cp");
    record(&mut r, &pod("5"), "a", 0);
    let second = record(&mut r, &pod("5"), "a different note: not part of the key", 60_000).expect("a patch");
    assert_eq!(patch_of(&second), json!({"series": {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}}));
    assert!(record(&mut r, &pod("5"), "a", 120_000).is_none(), "the third is only counted");
    assert!(record(&mut r, &pod("5"), "a", 180_000).is_none());
    // Another resourceVersion is another object reference, so another event.
    assert!(matches!(record(&mut r, &pod("6"), "a", 190_000), Some(Action::Create { .. })));
    assert!(r.finish(180_000 + FINISH_MS).is_empty(), "not quiet for more than 6 minutes yet");
    let refreshed = r.refresh();
    assert_eq!(refreshed.len(), 1);
    assert_eq!(patch_of(&refreshed[0])["series"]["count"], 4);
    let finished = r.finish(180_001 + FINISH_MS);
    assert_eq!(finished.len(), 1, "the final count is written");
    assert_eq!(
        patch_of(&finished[0])["series"],
        json!({"count": 4, "lastObservedTime": "2025-01-01T00:03:00.000000Z"})
    );
    assert_eq!(r.cached(), 1, "the singleton of rv 6 is younger than 6 minutes");
    assert!(r.finish(190_001 + FINISH_MS).is_empty(), "a singleton leaves without a write");
    assert_eq!(r.cached(), 0);
    assert!(
        matches!(record(&mut r, &pod("5"), "a", 900_000), Some(Action::Create { .. })),
        "a new event after the end"
    );
}

#[test]
fn related_objects_and_types_are_part_of_the_key() {
    let mut r = SeriesRecorder::new("default-scheduler", "cp");
    let preemptor = pod("9");
    let mut rng = Rng::new(1);
    let first = r.record(&pod("5"), Some(&preemptor), "Normal", "Preempted", "Preempting", "by x", 0, &mut rng);
    let Some(Action::Create { object, .. }) = first else { panic!("a create") };
    assert_eq!(object["related"]["resourceVersion"], "9");
    assert!(matches!(
        r.record(&pod("5"), None, "Normal", "Preempted", "Preempting", "by x", 0, &mut rng),
        Some(Action::Create { .. })
    ));
    assert!(matches!(
        r.record(&pod("5"), None, "Warning", "Preempted", "Preempting", "by x", 0, &mut rng),
        Some(Action::Create { .. })
    ));
}
