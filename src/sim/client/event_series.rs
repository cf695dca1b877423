//! client-go's `tools/events` recorder, which writes events.k8s.io/v1 Events and counts repeats as a
//! `series` (`event_broadcaster.go`). kube-scheduler records through it; the kubelet and the
//! controller-manager use the older core recorder (`events.rs`).
//!
//! - The first event of a kind (same type, action, reason, reporter, `regarding` and `related`) is
//!   created with its `eventTime` and kept in the recorder's cache.
//! - The second makes it a series: `{count: 2, lastObservedTime}`, written at once as a strategic-merge
//!   patch of `series`.
//! - Later repeats only count in the cache. The apiserver hears of them when the series ends (no repeat
//!   for 6 minutes: `finishSeries`, every 6 minutes) or at the 30-minute refresh
//!   (`refreshExistingEventSeries`). So `kubectl describe` shows `(x2 over ...)` for a while before
//!   the final count arrives, as on a real cluster.
//! - The note of a series stays the first event's: later notes are not part of the key.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Action;
use crate::sim::api::pointer::Pointer;
use crate::sim::protocol::request::PatchType;
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339_micro};

/// `finishTime`: a series without a repeat for this long is over (also the check's period).
pub const FINISH_MS: Millis = 6 * 60 * 1000;
/// `refreshTime`: how often every open series is written, so its Event outlives the apiserver's TTL.
pub const REFRESH_MS: Millis = 30 * 60 * 1000;

/// One cached Event: as it was created, with the series counted since.
#[derive(Debug, Clone)]
struct Cached {
    event: Value,
    created_at: Millis,
    series: Option<(i64, Millis)>,
}

/// One component's events.k8s.io/v1 recorder (`eventBroadcasterImpl` with its `eventCache`).
#[derive(Debug, Clone)]
pub struct SeriesRecorder {
    controller: String,
    instance: String,
    cache: BTreeMap<String, Cached>,
}

/// What an Event is about, as `reference.GetReference` makes it from the object.
fn reference(obj: &Value) -> Value {
    let mut r = json!({});
    for (field, path) in [
        ("apiVersion", "/apiVersion"),
        ("kind", "/kind"),
        ("namespace", "/metadata/namespace"),
        ("name", "/metadata/name"),
        ("uid", "/metadata/uid"),
        ("resourceVersion", "/metadata/resourceVersion"),
    ] {
        if let Some(v) = obj.at(path).and_then(Value::as_str).filter(|v| !v.is_empty()) {
            r[field] = json!(v);
        }
    }
    r
}

impl SeriesRecorder {
    /// `NewRecorder(scheme, controller)`: the instance is the controller and its host's name.
    pub fn new(controller: &str, host: &str) -> Self {
        SeriesRecorder {
            controller: controller.into(),
            instance: format!("{controller}-{host}"),
            cache: BTreeMap::new(),
        }
    }

    /// `Eventf(regarding, related, type, reason, action, note)`: the write it causes, if any.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        regarding: &Value,
        related: Option<&Value>,
        event_type: &str,
        reason: &str,
        action: &str,
        note: &str,
        now: Millis,
        rng: &mut Rng,
    ) -> Option<Action> {
        let regarding = reference(regarding);
        let related = related.map(reference);
        // `getKey`: everything but the note and the time.
        let key = json!([event_type, action, reason, self.controller, self.instance, regarding, related]).to_string();
        if let Some(cached) = self.cache.get_mut(&key) {
            let count = cached.series.map_or(2, |(n, _)| n + 1);
            cached.series = Some((count, now));
            return (count == 2).then(|| series_patch(cached));
        }
        let name = regarding.at("/name").and_then(Value::as_str).unwrap_or("unknown");
        let namespace = regarding.at("/namespace").and_then(Value::as_str).unwrap_or("default");
        let mut event = json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            // Upstream names it after the time in hex nanoseconds; one seeded draw stands in for that.
            "metadata": {"name": format!("{name}.{:016x}", rng.next_u64()), "namespace": namespace},
            "eventTime": rfc3339_micro(now), "reportingController": self.controller,
            "reportingInstance": self.instance, "action": action, "reason": reason,
            "regarding": regarding, "note": note, "type": event_type,
        });
        if let Some(r) = related {
            event["related"] = r;
        }
        self.cache.insert(key, Cached { event: event.clone(), created_at: now, series: None });
        Some(Action::Create { resource: events_v1(), namespace: Some(namespace.to_string()), object: event })
    }

    /// `finishSeries` (every [`FINISH_MS`]): a series quiet for that long gets its final count written
    /// and leaves the cache; so does a single event that old (without a write).
    pub fn finish(&mut self, now: Millis) -> Vec<Action> {
        let over = |at: Millis| at.saturating_add(FINISH_MS) < now;
        let mut writes = Vec::new();
        self.cache.retain(|_, c| match c.series {
            Some((_, last)) if over(last) => {
                writes.push(series_patch(c));
                false
            }
            Some(_) => true,
            None => !over(c.created_at),
        });
        writes
    }

    /// `refreshExistingEventSeries` (every [`REFRESH_MS`]): every open series is written again.
    pub fn refresh(&self) -> Vec<Action> {
        self.cache.values().filter(|c| c.series.is_some()).map(series_patch).collect()
    }

    /// How many events the recorder remembers (tests and tools).
    pub fn cached(&self) -> usize {
        self.cache.len()
    }
}

/// `createPatchBytesForSeries`: the two-way merge patch between the event without and with its series.
fn series_patch(c: &Cached) -> Action {
    let (count, last) = c.series.expect("only series are patched");
    Action::Patch {
        resource: events_v1(),
        namespace: c.event.at("/metadata/namespace").and_then(Value::as_str).map(str::to_string),
        name: c.event.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string(),
        patch_type: PatchType::Strategic,
        patch: json!({"series": {"count": count, "lastObservedTime": rfc3339_micro(last)}}),
        status: false,
    }
}

fn events_v1() -> &'static crate::sim::api::ResourceType {
    crate::sim::api::for_kind("events.k8s.io/v1", "Event").expect("events.k8s.io/v1 is always served")
}

#[cfg(test)]
mod tests;
