//! The history serves resumes from what it keeps and answers `410 Gone` for the rest.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::sim::store::EventKind;

fn change(name: &str) -> CacheChange {
    let resource = crate::sim::api::resolve("pods").expect("pods are served");
    CacheChange { resource, kind: EventKind::Put, old: None, new: Arc::new(json!({"metadata": {"name": name}})) }
}

fn names(h: &History, since: i64) -> Vec<String> {
    let changes = h.since(since).unwrap_or_else(|s| panic!("since {since}: {}", s.message));
    changes.map(|c| c.new["metadata"]["name"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn a_resume_gets_the_changes_after_its_revision() {
    let mut h = History::default();
    for (rev, name) in [(3, "a"), (4, "b"), (7, "c")] {
        h.push(rev, change(name));
    }
    assert_eq!(names(&h, 0), ["a", "b", "c"]);
    assert_eq!(names(&h, 4), ["c"]);
    assert_eq!(names(&h, 5), ["c"]);
    assert!(names(&h, 7).is_empty());
}

#[test]
fn a_revision_older_than_what_is_kept_is_gone() {
    let mut h = History::default();
    for rev in 1..=(HISTORY_CAPACITY as i64 + 2) {
        h.push(rev, change("x"));
    }
    assert_eq!(h.len(), HISTORY_CAPACITY);
    let Err(gone) = h.since(1) else { panic!("revision 1 was pushed out") };
    assert_eq!((gone.code, gone.message.as_str()), (410, "too old resource version: 1 (3)"));
    assert_eq!(names(&h, 2).len(), HISTORY_CAPACITY, "everything after 2 is kept");
}

#[test]
fn a_restarted_apiserver_keeps_nothing_older_than_its_start() {
    let mut h = History::default();
    h.push(5, change("a"));
    h.reset(9);
    assert!(h.is_empty());
    assert!(h.since(8).is_err());
    assert!(names(&h, 9).is_empty());
}
