//! The reflector's states, driven through its pure core: lists, re-lists that replace the cache,
//! resumes, backoff and the health check.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::sim::protocol::status::Reason;

fn pods() -> &'static ResourceType {
    crate::sim::api::resolve("pods").expect("pods are served")
}

fn pod(name: &str, rv: i64) -> Arc<Value> {
    Arc::new(
        json!({"kind": "Pod", "metadata": {"namespace": "default", "name": name, "resourceVersion": rv.to_string()}}),
    )
}

fn notice(watch_id: u64, event: EventType, object: Arc<Value>) -> WatchNotice {
    WatchNotice { watch_id, event, object }
}

fn end_of_list(watch_id: u64, rv: i64) -> WatchNotice {
    let bookmark =
        json!({"metadata": {"resourceVersion": rv.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}});
    notice(watch_id, EventType::Bookmark, Arc::new(bookmark))
}

/// What a list of changes did, as `(event, name)`.
fn summary(changes: &[Change]) -> Vec<(EventType, String)> {
    changes.iter().map(|c| (c.event, object_key(&c.new).1)).collect()
}

/// A reflector that has listed `names` (each at resourceVersion 2) on watch 1.
fn synced(names: &[&str]) -> Reflector {
    let mut r = Reflector::new(pods(), None);
    r.begin(1, 0);
    for n in names {
        r.on_notice(notice(1, EventType::Added, pod(n, 2)));
    }
    r.on_notice(end_of_list(1, 10));
    r
}

fn lost() -> Status {
    Status::new(500, Reason::InternalError, "http2: client connection lost")
}

#[test]
fn a_list_streams_objects_then_syncs_at_the_bookmark() {
    let mut r = Reflector::new(pods(), None);
    assert_eq!(r.state(), State::Stopped);
    let effects = r.begin(7, 1_000);
    assert_eq!(effects, vec![Effect::Watch { id: 7, resume_from: None }, Effect::WakeAt(1_000 + HEALTH_CHECK_MS)]);
    assert_eq!(r.state(), State::Listing { watch: 7 });
    let a = r.on_notice(notice(7, EventType::Added, pod("a", 3)));
    assert_eq!(summary(&a), vec![(EventType::Added, "a".to_string())]);
    assert!(!r.has_synced());
    assert!(r.on_notice(end_of_list(7, 12)).is_empty());
    assert_eq!(r.state(), State::Watching { watch: 7, resumed: false });
    assert!(r.has_synced());
    assert_eq!(r.last_resource_version(), Some(12));
}

#[test]
fn a_relist_replaces_the_cache() {
    let mut r = synced(&["a", "b", "c"]);
    r.begin(2, 5_000);
    let mut changes = Vec::new();
    changes.extend(r.on_notice(notice(2, EventType::Added, pod("a", 2)))); // unchanged: no change
    changes.extend(r.on_notice(notice(2, EventType::Added, pod("b", 9)))); // changed: an update
    changes.extend(r.on_notice(notice(2, EventType::Added, pod("d", 9)))); // new
    changes.extend(r.on_notice(end_of_list(2, 20))); // c is gone
    assert_eq!(
        summary(&changes),
        vec![
            (EventType::Modified, "b".to_string()),
            (EventType::Added, "d".to_string()),
            (EventType::Deleted, "c".to_string())
        ]
    );
    assert_eq!(changes[0].old.as_deref(), Some(&*pod("b", 2)));
    let names: Vec<String> = r.cache().keys(pods()).map(|k| k.1).collect();
    assert_eq!(names, ["a", "b", "d"]);
}

#[test]
fn events_of_a_replaced_watch_are_ignored() {
    let mut r = synced(&["a"]);
    r.begin(2, 0);
    assert!(r.on_notice(notice(1, EventType::Added, pod("late", 4))).is_empty());
    assert!(r.on_ended(1, Err(&lost()), 3, 0, 0).is_empty());
    assert_eq!(r.state(), State::Listing { watch: 2 });
}

/// One row: what it shows, the reflector before, how its watch ended, the state after, the effects.
type EndCase<'a> = (&'a str, Reflector, Result<(), &'a Status>, State, Vec<Effect>);

/// Each row: the state before, how the watch ended, the state after and the effects.
#[test]
fn how_a_watch_ends_decides_between_resume_and_relist() {
    let gone = Status::new(410, Reason::Expired, "too old resource version: 3 (9)");
    let lost = lost();
    let cases: Vec<EndCase> = vec![
        (
            "closed normally while watching: resume from the last resourceVersion",
            synced(&["a"]),
            Ok(()),
            State::Watching { watch: 5, resumed: true },
            vec![Effect::Watch { id: 5, resume_from: Some(10) }, Effect::WakeAt(100 + HEALTH_CHECK_MS)],
        ),
        (
            "lost connection while watching: back off, then list",
            synced(&["a"]),
            Err(&lost),
            State::BackingOff { until: 100 + 800 },
            vec![Effect::WakeAt(900)],
        ),
        (
            "410 Gone: back off, then list",
            synced(&["a"]),
            Err(&gone),
            State::BackingOff { until: 900 },
            vec![Effect::WakeAt(900)],
        ),
        (
            "closed before the list ended: back off, then list",
            {
                let mut r = Reflector::new(pods(), None);
                r.begin(1, 0);
                r
            },
            Ok(()),
            State::BackingOff { until: 900 },
            vec![Effect::WakeAt(900)],
        ),
    ];
    for (what, mut r, result, state, effects) in cases {
        let got = r.on_ended(1, result, 5, 100, 0);
        assert_eq!((r.state(), got), (state, effects), "{what}");
    }
}

#[test]
fn after_the_backoff_it_lists_again_and_the_backoff_grows_until_a_list_succeeds() {
    let mut r = synced(&["a"]);
    r.on_ended(1, Err(&lost()), 0, 0, 0);
    assert!(r.on_wake(799, false, 2, 0).is_empty(), "not before the backoff is over");
    assert_eq!(r.on_wake(800, false, 2, 0)[0], Effect::Watch { id: 2, resume_from: None });
    r.on_ended(2, Err(&lost()), 0, 800, 0);
    assert_eq!(r.state(), State::BackingOff { until: 800 + 1_600 });
    r.on_wake(2_400, false, 3, 0);
    r.on_notice(end_of_list(3, 30));
    r.on_ended(3, Err(&lost()), 0, 5_000, 0);
    assert_eq!(r.state(), State::BackingOff { until: 5_800 }, "a successful list resets the backoff");
}

#[test]
fn the_health_check_finds_a_dead_link() {
    let mut r = synced(&["a"]);
    assert!(r.on_wake(HEALTH_CHECK_MS - 1, true, 0, 0).is_empty(), "not due yet");
    assert_eq!(r.on_wake(HEALTH_CHECK_MS, false, 0, 0), vec![Effect::WakeAt(2 * HEALTH_CHECK_MS)]);
    assert_eq!(r.state(), State::Watching { watch: 1, resumed: false });
    assert_eq!(r.on_wake(2 * HEALTH_CHECK_MS, true, 0, 0), vec![Effect::WakeAt(2 * HEALTH_CHECK_MS + 800)]);
    assert_eq!(r.state(), State::BackingOff { until: 2 * HEALTH_CHECK_MS + 800 });
}

#[test]
fn bookmarks_and_events_move_the_resume_point() {
    let mut r = synced(&["a"]);
    r.on_notice(notice(1, EventType::Modified, pod("a", 14)));
    assert_eq!(r.last_resource_version(), Some(14));
    r.on_notice(notice(1, EventType::Bookmark, Arc::new(json!({"metadata": {"resourceVersion": "20"}}))));
    assert_eq!(r.last_resource_version(), Some(20));
    assert_eq!(r.cache().count(pods()), 1, "a bookmark changes no object");
}

#[test]
fn a_stopped_reflector_forgets_everything() {
    let mut r = synced(&["a", "b"]);
    r.stop();
    assert_eq!((r.state(), r.cache().count(pods()), r.has_synced()), (State::Stopped, 0, false));
    assert!(r.on_notice(notice(1, EventType::Added, pod("c", 3))).is_empty());
}

#[test]
fn backoff_doubles_to_thirty_seconds_with_bounded_jitter() {
    let table =
        [(0, 0, 800), (1, 0, 1_600), (5, 0, 25_600), (6, 0, 30_000), (60, 0, 30_000), (0, 801, 800), (0, 800, 1_600)];
    for (failures, jitter, want) in table {
        assert_eq!(backoff_ms(failures, jitter), want, "failures {failures}, jitter {jitter}");
    }
    assert!((0..1_000).all(|j| backoff_ms(6, j * 7_919) <= 2 * BACKOFF_MAX_MS));
}

#[test]
fn it_knows_its_own_timer_and_no_other() {
    let r = Reflector::new(pods(), None);
    let nodes = Reflector::new(crate::sim::api::resolve("nodes").expect("served"), None);
    assert!(r.is_my_timer(&r.timer()));
    for other in
        [nodes.timer(), TimerKind::Tick, TimerKind::Object("reflector:".into()), TimerKind::Object("uid-1".into())]
    {
        assert!(!r.is_my_timer(&other), "{other:?}");
    }
}
