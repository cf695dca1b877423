//! client-go's event recorder and its correlator (`tools/record/events_cache.go`): what a component
//! writes when it records an Event.
//!
//! - **Spam filter**: per source, object, type and reason a token bucket (burst 25, one token per 5 minutes);
//!   an event without a token is dropped.
//! - **Aggregator**: more than 10 different messages of the same source, object, type and reason within 10
//!   minutes become one event, `(combined from similar events): <message>`.
//! - **Logger**: an event seen before (same key, message included) is not created again: its count goes up,
//!   and the existing Event gets a patch of `count`, `lastTimestamp` and `message`. That is what makes
//!   `kubectl describe` show `10s (x4 over 2m)`.
//!
//! Each cache holds the 4,096 most recently used keys, as upstream's LRUs.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::Action;
use crate::sim::component::Component;
use crate::sim::protocol::etcd::EVENT_TTL_MS;
use crate::sim::protocol::request::PatchType;
use crate::sim::rng::Rng;
use crate::sim::time::{Millis, rfc3339};

/// `maxLruCacheEntries`.
pub const MAX_LRU_ENTRIES: usize = 4096;
/// `defaultAggregateMaxEvents`.
pub const AGGREGATE_MAX_EVENTS: usize = 10;
/// `defaultAggregateIntervalInSeconds`.
pub const AGGREGATE_INTERVAL_MS: Millis = 600_000;
/// `defaultSpamBurst`.
pub const SPAM_BURST: f64 = 25.0;
/// `defaultSpamQPS`: one event per 5 minutes once the burst is spent.
pub const SPAM_QPS: f64 = 1.0 / 300.0;

/// Who records: `source.component` (and `source.host` for node agents), which `kubectl describe` shows
/// in its `From` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSource {
    pub component: String,
    pub host: Option<String>,
}

impl EventSource {
    /// The source a component records as: node agents name their node as host; the scheduler's
    /// recorder says `default-scheduler` (its profile).
    pub fn of(me: &Component) -> EventSource {
        match (me, me.node()) {
            (_, Some(node)) => EventSource { component: me.role().to_string(), host: Some(node.to_string()) },
            (Component::Scheduler, None) => EventSource { component: "default-scheduler".into(), host: None },
            (other, None) => EventSource { component: other.role().to_string(), host: None },
        }
    }
}

/// A least-recently-used map: the oldest entry goes when it is full.
#[derive(Debug, Clone)]
struct Lru<V> {
    entries: BTreeMap<String, (u64, V)>,
    by_use: BTreeMap<u64, String>,
    tick: u64,
}

impl<V> Default for Lru<V> {
    fn default() -> Self {
        Lru { entries: BTreeMap::new(), by_use: BTreeMap::new(), tick: 0 }
    }
}

impl<V> Lru<V> {
    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let (used, _) = self.entries.get(key)?;
        self.by_use.remove(used);
        self.tick += 1;
        self.by_use.insert(self.tick, key.to_string());
        let entry = self.entries.get_mut(key)?;
        entry.0 = self.tick;
        Some(&mut entry.1)
    }

    fn insert(&mut self, key: String, value: V) {
        if let Some((used, _)) = self.entries.remove(&key) {
            self.by_use.remove(&used);
        }
        if self.entries.len() >= MAX_LRU_ENTRIES
            && let Some((_, oldest)) = self.by_use.pop_first()
        {
            self.entries.remove(&oldest);
        }
        self.tick += 1;
        self.by_use.insert(self.tick, key.clone());
        self.entries.insert(key, (self.tick, value));
    }
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    at: Millis,
}

#[derive(Debug, Clone)]
struct Similar {
    messages: BTreeSet<String>,
    last: Millis,
}

/// An Event already written: where it is and what it counts.
#[derive(Debug, Clone)]
struct Logged {
    name: String,
    namespace: String,
    count: i64,
    first_timestamp: String,
    /// When it was last written: after the Event TTL without a write the apiserver has dropped it.
    written: Millis,
}

/// One component's recorder (client-go `EventBroadcaster` + `EventCorrelator`).
#[derive(Debug, Clone)]
pub struct EventRecorder {
    source: EventSource,
    spam: Lru<Bucket>,
    similar: Lru<Similar>,
    logged: Lru<Logged>,
}

fn text<'a>(v: &'a Value, path: &str) -> &'a str {
    v.at(path).and_then(Value::as_str).unwrap_or("")
}

impl EventRecorder {
    pub fn new(source: EventSource) -> Self {
        EventRecorder { source, spam: Lru::default(), similar: Lru::default(), logged: Lru::default() }
    }

    /// `source.component`, `source.host` and the involved object, as upstream's keys begin.
    fn object_key(&self, regarding: &Value) -> String {
        [
            self.source.component.as_str(),
            self.source.host.as_deref().unwrap_or(""),
            text(regarding, "/kind"),
            text(regarding, "/metadata/namespace"),
            text(regarding, "/metadata/name"),
            text(regarding, "/metadata/uid"),
            text(regarding, "/apiVersion"),
        ]
        .join("\u{0}")
    }

    /// The write for one event: a Create the first time, a Patch of the existing Event when it repeats,
    /// nothing when the spam filter drops it.
    pub fn record(
        &mut self,
        regarding: &Value,
        event_type: &'static str,
        reason: &str,
        message: &str,
        now: Millis,
        rng: &mut Rng,
    ) -> Option<Action> {
        let base = format!("{}\u{0}{event_type}\u{0}{reason}", self.object_key(regarding));
        if !self.take_token(&base, now) {
            return None;
        }
        let (message, key) = self.aggregate(&base, message, now);
        let t = rfc3339(now);
        if let Some(logged) = self.logged.get_mut(&key)
            && now.saturating_sub(logged.written) < EVENT_TTL_MS
        {
            logged.count += 1;
            logged.written = now;
            let patch = json!({"count": logged.count, "lastTimestamp": t, "message": message});
            return Some(Action::Patch {
                resource: events(),
                namespace: Some(logged.namespace.clone()),
                name: logged.name.clone(),
                patch_type: PatchType::Strategic,
                patch,
                status: false,
            });
        }
        let event = event_object(&self.source, regarding, event_type, reason, &message, &t, rng);
        let namespace = text(&event, "/metadata/namespace").to_string();
        let name = text(&event, "/metadata/name").to_string();
        self.logged
            .insert(key, Logged { name, namespace: namespace.clone(), count: 1, first_timestamp: t, written: now });
        Some(Action::Create { resource: events(), namespace: Some(namespace), object: event })
    }

    /// `spamFilter`: a token bucket per key, refilled at `SPAM_QPS` up to `SPAM_BURST`.
    fn take_token(&mut self, key: &str, now: Millis) -> bool {
        let bucket = match self.spam.get_mut(key) {
            Some(b) => b,
            None => {
                self.spam.insert(key.to_string(), Bucket { tokens: SPAM_BURST, at: now });
                self.spam.get_mut(key).expect("just inserted")
            }
        };
        let refill = now.saturating_sub(bucket.at) as f64 / 1000.0 * SPAM_QPS;
        bucket.tokens = (bucket.tokens + refill).min(SPAM_BURST);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        true
    }

    /// `EventAggregate`: the message to write and the logger's key for it.
    fn aggregate(&mut self, base: &str, message: &str, now: Millis) -> (String, String) {
        let fresh = || Similar { messages: BTreeSet::new(), last: now };
        let similar = match self.similar.get_mut(base) {
            Some(s) if now.saturating_sub(s.last) <= AGGREGATE_INTERVAL_MS => s,
            _ => {
                self.similar.insert(base.to_string(), fresh());
                self.similar.get_mut(base).expect("just inserted")
            }
        };
        similar.last = now;
        similar.messages.insert(message.to_string());
        if similar.messages.len() < AGGREGATE_MAX_EVENTS {
            return (message.to_string(), format!("{base}\u{0}{message}"));
        }
        // Upstream pops one arbitrary message so the set stays at the limit.
        similar.messages.pop_first();
        (format!("(combined from similar events): {message}"), base.to_string())
    }

    /// How many times the event with this message has been counted so far (tests and tools).
    pub fn count_of(&mut self, regarding: &Value, event_type: &str, reason: &str, message: &str) -> i64 {
        let key = format!("{}\u{0}{event_type}\u{0}{reason}\u{0}{message}", self.object_key(regarding));
        self.logged.get_mut(&key).map_or(0, |l| l.count)
    }

    /// When the event with this message was first recorded (tests and tools).
    pub fn first_timestamp(
        &mut self,
        regarding: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
    ) -> Option<String> {
        let key = format!("{}\u{0}{event_type}\u{0}{reason}\u{0}{message}", self.object_key(regarding));
        self.logged.get_mut(&key).map(|l| l.first_timestamp.clone())
    }
}

fn events() -> &'static crate::sim::api::ResourceType {
    crate::sim::api::for_kind("v1", "Event").expect("core v1 events are always served")
}

/// A core/v1 Event as client-go's recorder writes it (name `<object>.<hex>`, count 1). Events about
/// cluster-scoped objects (nodes) go to `default`, as the recorder does.
pub fn event_object(
    source: &EventSource,
    regarding: &Value,
    event_type: &str,
    reason: &str,
    message: &str,
    timestamp: &str,
    rng: &mut Rng,
) -> Value {
    let field = |p: &str| regarding.at(p).cloned().unwrap_or(Value::Null);
    let name = match text(regarding, "/metadata/name") {
        "" => "unknown",
        n => n,
    };
    let ns = match text(regarding, "/metadata/namespace") {
        "" => "default",
        n => n,
    };
    let mut involved = json!({
        "apiVersion": field("/apiVersion"), "kind": field("/kind"), "name": name,
        "uid": field("/metadata/uid"), "resourceVersion": field("/metadata/resourceVersion"),
    });
    if let Some(n) = regarding.at("/metadata/namespace").and_then(Value::as_str) {
        involved["namespace"] = json!(n);
    }
    let mut src = json!({"component": source.component});
    if let Some(h) = &source.host {
        src["host"] = json!(h);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": format!("{name}.{:016x}", rng.next_u64()), "namespace": ns},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": src,
        "firstTimestamp": timestamp,
        "lastTimestamp": timestamp,
        "count": 1,
        "type": event_type,
        "reportingComponent": source.component,
        "reportingInstance": source.host.as_deref().unwrap_or(""),
    })
}

#[cfg(test)]
mod tests;
