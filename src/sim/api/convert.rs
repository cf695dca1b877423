//! One stored version, several served ones: an events.k8s.io/v1 Event is a core v1 Event in etcd, and
//! an autoscaling/v1 HorizontalPodAutoscaler an autoscaling/v2 one (`hpa.rs`); the apiserver converts
//! on the way in and out.
//!
//! Events (`pkg/apis/events/v1/conversion.go`): the two shapes carry the same data under different
//! names: `note` is `message`, `regarding` is `involvedObject`, `reportingController` is
//! `reportingComponent`, and the fields the new API deprecates keep a `deprecated` prefix. Everything else (`eventTime`, `series`, `action`, `reason`,
//! `type`, `related`, `reportingInstance`, metadata) has one name in both.

use serde_json::{Map, Value};

use super::ResourceType;

mod hpa;

/// `(events.k8s.io/v1 name, core v1 name)` of every field whose name differs.
const RENAMED: [(&str, &str); 7] = [
    ("note", "message"),
    ("regarding", "involvedObject"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

/// Whether `rt` is served in a shape other than the stored one.
pub fn converts(rt: &ResourceType) -> bool {
    is_events_v1(rt) || is_hpa_v1(rt)
}

fn is_events_v1(rt: &ResourceType) -> bool {
    rt.group == "events.k8s.io" && rt.kind == "Event"
}

fn is_hpa_v1(rt: &ResourceType) -> bool {
    rt.group == "autoscaling" && rt.version == "v1" && rt.kind == "HorizontalPodAutoscaler"
}

fn rename(obj: Value, to_core: bool, api_version: &str) -> Value {
    let Value::Object(fields) = obj else { return obj };
    let mut out = Map::new();
    for (name, value) in fields {
        let renamed = RENAMED.iter().find_map(|&(new, old)| match to_core {
            true if name == new => Some(old),
            false if name == old => Some(new),
            _ => None,
        });
        out.insert(renamed.map_or(name, str::to_string), value);
    }
    out.insert("apiVersion".into(), Value::from(api_version));
    Value::Object(out)
}

/// The object as etcd keeps it: a body written through `rt` in its stored shape (core v1 Event,
/// autoscaling/v2 HorizontalPodAutoscaler).
pub fn to_stored(rt: &ResourceType, obj: Value) -> Value {
    match () {
        _ if is_events_v1(rt) => rename(obj, true, "v1"),
        _ if is_hpa_v1(rt) => hpa::to_v2(obj),
        _ => obj,
    }
}

/// An update written through `rt`, stored: what its version cannot say is kept from `current`.
pub fn to_stored_update(rt: &ResourceType, new: Value, current: &Value) -> Value {
    let mut stored = to_stored(rt, new);
    if is_hpa_v1(rt) {
        hpa::keep_v2_only(&mut stored, current);
    }
    stored
}

/// The stored object as a client of `rt` reads it. A core Event without a count reads as
/// `deprecatedCount: 0` upstream (an int32 without omitempty); absent is kept absent here.
pub fn to_served(rt: &ResourceType, obj: &Value) -> Value {
    match () {
        _ if is_events_v1(rt) => rename(obj.clone(), false, &rt.api_version()),
        _ if is_hpa_v1(rt) => hpa::to_v1(obj),
        _ => obj.clone(),
    }
}

/// A field selector's label in the stored object's terms: events.k8s.io/v1 selects on `regarding.*`
/// and `reportingController`, which are `involvedObject.*` and `reportingComponent` in storage.
pub fn stored_field_label(rt: &ResourceType, label: &str) -> Option<String> {
    if !is_events_v1(rt) {
        return None;
    }
    if let Some(rest) = label.strip_prefix("regarding.") {
        return Some(format!("involvedObject.{rest}"));
    }
    RENAMED.iter().find(|(new, _)| *new == label).map(|(_, old)| old.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::for_kind;
    use serde_json::json;

    fn events_v1() -> &'static ResourceType {
        for_kind("events.k8s.io/v1", "Event").expect("served")
    }

    #[test]
    fn every_renamed_field_round_trips() {
        let served = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "p.1"},
            "note": "Successfully assigned default/p to w", "regarding": {"kind": "Pod", "name": "p"},
            "reportingController": "default-scheduler", "reportingInstance": "default-scheduler-cp",
            "action": "Binding", "reason": "Scheduled", "type": "Normal", "eventTime": "2025-01-01T00:00:00.000000Z",
            "series": {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}, "deprecatedCount": 3,
            "deprecatedSource": {"component": "x"}, "deprecatedFirstTimestamp": "2025-01-01T00:00:00Z",
            "deprecatedLastTimestamp": "2025-01-01T00:00:09Z"});
        let stored = to_stored(events_v1(), served.clone());
        assert_eq!(stored["apiVersion"], "v1");
        assert_eq!(stored["message"], served["note"]);
        assert_eq!(stored["involvedObject"], served["regarding"]);
        assert_eq!(stored["reportingComponent"], "default-scheduler");
        assert_eq!((stored["count"].clone(), stored["source"].clone()), (json!(3), json!({"component": "x"})));
        assert_eq!(stored["series"], served["series"], "same name in both versions");
        assert!(stored.get("note").is_none() && stored.get("regarding").is_none());
        assert_eq!(to_served(events_v1(), &stored), served);
    }

    #[test]
    fn field_labels_follow_the_renames() {
        assert_eq!(stored_field_label(events_v1(), "regarding.name").as_deref(), Some("involvedObject.name"));
        assert_eq!(stored_field_label(events_v1(), "reportingController").as_deref(), Some("reportingComponent"));
        assert_eq!(stored_field_label(events_v1(), "reason"), None);
        assert_eq!(stored_field_label(for_kind("v1", "Event").expect("served"), "regarding.name"), None);
    }

    #[test]
    fn other_resources_pass_through() {
        let core = for_kind("v1", "Event").expect("served");
        let obj = json!({"apiVersion": "v1", "kind": "Event", "message": "m"});
        assert!(!converts(core));
        assert_eq!(to_stored(core, obj.clone()), obj);
        assert_eq!(to_served(core, &obj), obj);
        assert_eq!(to_stored(events_v1(), json!("not an object")), json!("not an object"));
    }
}
