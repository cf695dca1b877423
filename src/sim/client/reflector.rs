//! The reflector: keeps one informer cache equal to the apiserver's objects of one resource, through
//! faults, the way client-go's `Reflector.ListAndWatch` does. Every component watches through one.
//!
//! ```text
//!            start                   initial-events-end bookmark
//!   Stopped ───────► Listing ───────────────────────────────► Watching ◄──┐
//!                      ▲  │ error / lost connection / 410        │  │      │ stream closed normally:
//!                      │  ▼                                      │  └──────┘ resume from the last
//!                   BackingOff ◄─────────────────────────────────┘           resourceVersion
//!                   (800 ms doubling to 30 s, jittered)   error / lost connection / 410
//! ```
//!
//! - A list is a WatchList (`sendInitialEvents=true`): the current objects, then a bookmark. When it
//!   ends, whatever was cached but not listed is deleted (client-go's `Replace`), so a re-list after
//!   a fault replaces the cache instead of trusting it.
//! - A watch that ends with an error (the apiserver died, `410 Gone`) is re-listed after a backoff; one
//!   that the server closed normally is resumed from the last resourceVersion seen, as
//!   `Reflector.watch` re-opens with `ResourceVersion: LastSyncResourceVersion()`.
//! - A partitioned link is found by the transport's health check (HTTP/2 pings every
//!   `ReadIdleTimeout`): every [`HEALTH_CHECK_MS`] the reflector asks whether its link to the
//!   apiserver still carries traffic, and treats a dead one as a lost connection.
//!
//! The core (`begin`, `on_notice`, `on_ended`, `on_wake`) is pure and table-tested; the `*_k` methods
//! drive it with the kernel.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Cache, Change, ObjectKey, object_key};
use crate::sim::api::ResourceType;
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::Payload;
use crate::sim::network::LinkState;
use crate::sim::protocol::request::{ApiRequest, ApiResponse, EventType, Verb, WatchNotice};
use crate::sim::protocol::status::Status;
use crate::sim::time::Millis;

/// The reflector's timers are `Object("reflector:<group>/<plural>")`.
const TIMER_PREFIX: &str = "reflector:";

/// client-go's reflector backoff: `NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0)`.
pub const BACKOFF_INITIAL_MS: Millis = 800;
pub const BACKOFF_MAX_MS: Millis = 30_000;
/// How often the transport checks a quiet connection (HTTP/2 `ReadIdleTimeout`, 30 s in client-go).
pub const HEALTH_CHECK_MS: Millis = 30_000;
/// client-go's `minWatchTimeout`: each watch asks the server to end it after 5 to 10 minutes.
pub const MIN_WATCH_TIMEOUT_S: u64 = 5 * 60;

/// Where the reflector is in its list-and-watch loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not started, or its component stopped.
    Stopped,
    /// A WatchList is open; its initial events arrive until the bookmark that ends them.
    Listing { watch: u64 },
    /// In sync; changes stream in on `watch` (`resumed`: opened from a resourceVersion).
    Watching { watch: u64, resumed: bool },
    /// The last watch failed; at `until` the reflector lists again.
    BackingOff { until: Millis },
}

/// What the reflector asks of its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send a watch request with this id: a WatchList (`resume_from: None`) or a resume.
    Watch { id: u64, resume_from: Option<i64> },
    /// Wake the reflector (`on_wake`) at this virtual time.
    WakeAt(Millis),
}

/// One resource's list-and-watch loop and the cache it keeps.
#[derive(Debug, Clone)]
pub struct Reflector {
    resource: &'static ResourceType,
    field_selector: Option<String>,
    state: State,
    cache: Cache,
    /// The resourceVersion of the last event or bookmark: where a resumed watch starts.
    last_rv: Option<i64>,
    /// During a list: keys cached before it that it has not shown yet (deleted when it ends).
    unlisted: Option<BTreeSet<ObjectKey>>,
    /// Failures since the last successful list (the backoff's exponent).
    failures: u32,
    /// When the next health check is due while a watch is open.
    next_check: Millis,
    /// Whether a list has ever completed (client-go's `HasSynced`).
    synced: bool,
    /// The connection the open watch runs on: the link's partition count when it was opened, and
    /// whether the link was partitioned right then (the request itself was lost).
    connection: (u64, bool),
}

impl Reflector {
    pub fn new(resource: &'static ResourceType, field_selector: Option<String>) -> Self {
        Self {
            resource,
            field_selector,
            state: State::Stopped,
            cache: Cache::default(),
            last_rv: None,
            unlisted: None,
            failures: 0,
            next_check: 0,
            synced: false,
            connection: (0, false),
        }
    }

    pub fn resource(&self) -> &'static ResourceType {
        self.resource
    }

    /// The field selector its watches carry (`spec.nodeName=<node>` for a kubelet).
    pub fn field_selector(&self) -> Option<&str> {
        self.field_selector.as_deref()
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Whether a list has completed since the reflector started.
    pub fn has_synced(&self) -> bool {
        self.synced
    }

    /// Whether `id` is the watch this reflector has open now.
    pub fn owns(&self, id: u64) -> bool {
        matches!(self.state, State::Listing { watch } | State::Watching { watch, .. } if watch == id)
    }

    /// The watch open now, if any.
    pub fn watch_id(&self) -> Option<u64> {
        match self.state {
            State::Listing { watch } | State::Watching { watch, .. } => Some(watch),
            State::Stopped | State::BackingOff { .. } => None,
        }
    }

    /// The resourceVersion of the last event or bookmark seen.
    pub fn last_resource_version(&self) -> Option<i64> {
        self.last_rv
    }

    /// Starts a list with watch id `id` at `now`. The cache is kept: the list replaces it.
    pub fn begin(&mut self, id: u64, now: Millis) -> Vec<Effect> {
        self.unlisted = Some(self.cache.keys(self.resource).collect());
        self.state = State::Listing { watch: id };
        self.next_check = now + HEALTH_CHECK_MS;
        vec![Effect::Watch { id, resume_from: None }, Effect::WakeAt(self.next_check)]
    }

    /// The component stopped: a restarted process starts with an empty cache.
    pub fn stop(&mut self) {
        *self = Self::new(self.resource, self.field_selector.take());
    }

    /// Applies one event of the open watch; returns what changed in the cache. Events of any other
    /// watch (one that was replaced) are ignored.
    pub fn on_notice(&mut self, n: WatchNotice) -> Vec<Change> {
        if !self.owns(n.watch_id) {
            return Vec::new();
        }
        if let Some(rv) = resource_version(&n.object) {
            self.last_rv = Some(rv);
        }
        match (self.state, n.event) {
            (State::Listing { watch }, EventType::Bookmark) if ends_initial_events(&n.object) => {
                self.state = State::Watching { watch, resumed: false };
                self.synced = true;
                self.failures = 0;
                let gone = self.unlisted.take().unwrap_or_default();
                gone.into_iter().filter_map(|(ns, name)| self.delete(&ns, &name)).collect()
            }
            (_, EventType::Bookmark) => Vec::new(),
            (_, event) => {
                if let Some(unlisted) = self.unlisted.as_mut() {
                    unlisted.remove(&object_key(&n.object));
                }
                self.apply(event, n.object).into_iter().collect()
            }
        }
    }

    /// The watch `id` ended: with an error (`Err`) the reflector backs off and lists again; closed
    /// normally (`Ok`) it resumes from the last resourceVersion at once.
    pub fn on_ended(
        &mut self,
        id: u64,
        result: Result<(), &Status>,
        next_id: u64,
        now: Millis,
        jitter: u64,
    ) -> Vec<Effect> {
        if !self.owns(id) {
            return Vec::new();
        }
        match (result, self.state, self.last_rv) {
            (Ok(()), State::Watching { .. }, Some(rv)) => {
                self.state = State::Watching { watch: next_id, resumed: true };
                self.next_check = now + HEALTH_CHECK_MS;
                vec![Effect::Watch { id: next_id, resume_from: Some(rv) }, Effect::WakeAt(self.next_check)]
            }
            _ => self.back_off(now, jitter),
        }
    }

    /// A timer the reflector asked for went off. `link_dead`: the health check found the link to the
    /// apiserver partitioned.
    pub fn on_wake(&mut self, now: Millis, link_dead: bool, next_id: u64, jitter: u64) -> Vec<Effect> {
        match self.state {
            State::BackingOff { until } if now >= until => self.begin(next_id, now),
            State::Listing { .. } | State::Watching { .. } if now >= self.next_check => {
                if link_dead {
                    return self.back_off(now, jitter);
                }
                self.next_check = now + HEALTH_CHECK_MS;
                vec![Effect::WakeAt(self.next_check)]
            }
            _ => Vec::new(),
        }
    }

    fn back_off(&mut self, now: Millis, jitter: u64) -> Vec<Effect> {
        let until = now + backoff_ms(self.failures, jitter);
        self.failures = self.failures.saturating_add(1);
        self.state = State::BackingOff { until };
        self.unlisted = None;
        vec![Effect::WakeAt(until)]
    }

    fn apply(&mut self, event: EventType, object: std::sync::Arc<Value>) -> Option<Change> {
        let (ns, name) = object_key(&object);
        let before_rv = self.cache.get(self.resource, &ns, &name).map(resource_version);
        // A re-list shows objects the cache already has: unchanged ones are no change at all, and
        // changed ones are updates, as client-go's `Replace` turns them into.
        let event = match (event, before_rv) {
            (EventType::Added, Some(rv)) if rv == resource_version(&object) => return None,
            (EventType::Added, Some(_)) => EventType::Modified,
            (event, _) => event,
        };
        self.cache.apply(self.resource, event, object)
    }

    fn delete(&mut self, ns: &str, name: &str) -> Option<Change> {
        let gone = self.cache.get_shared(self.resource, ns, name)?;
        self.cache.apply(self.resource, EventType::Deleted, gone)
    }

    // ---- Driving the core with the kernel ----

    /// The timer this reflector wakes with (one reflector per resource per component).
    pub fn timer(&self) -> TimerKind {
        TimerKind::Object(format!("{TIMER_PREFIX}{}/{}", self.resource.group, self.resource.plural))
    }

    /// Whether `kind` is [`Self::timer`], compared without building the name (components offer every
    /// timer they get to their reflectors first; a kubelet gets one per pod step).
    fn is_my_timer(&self, kind: &TimerKind) -> bool {
        let TimerKind::Object(name) = kind else { return false };
        let Some((group, plural)) = name.strip_prefix(TIMER_PREFIX).and_then(|rest| rest.split_once('/')) else {
            return false;
        };
        group == self.resource.group && plural == self.resource.plural
    }

    /// Starts listing (a process starting, or its first watch).
    pub fn start(&mut self, me: &Component, k: &mut Kernel) {
        let id = k.fresh_id();
        let effects = self.begin(id, k.now());
        self.run(effects, me, k);
    }

    /// Handles a response if it ends this reflector's watch; returns whether it did.
    pub fn on_response(&mut self, r: &ApiResponse, me: &Component, k: &mut Kernel) -> bool {
        if !self.owns(r.request_id) {
            return false;
        }
        let (next_id, jitter) = match r.result {
            Ok(_) => (k.fresh_id(), 0),
            Err(_) => (0, k.rng.next_u64()),
        };
        let now = k.now();
        let effects = self.on_ended(r.request_id, r.result.as_ref().map(|_| ()), next_id, now, jitter);
        self.run(effects, me, k);
        true
    }

    /// Whether the connection of the open watch is dead: the link is partitioned now, was when the
    /// watch was opened, or has been since (a partition kills the connections crossing it; HTTP/2's
    /// health check notices at the next ping).
    fn connection_dead(&self, me: &Component, k: &Kernel) -> bool {
        let api = Component::ApiServer;
        let (opened_at, lost_at_once) = self.connection;
        lost_at_once
            || k.network.state(me, &api) == LinkState::Partitioned
            || k.network.partitions(me, &api) != opened_at
    }

    /// Handles a timer if it is this reflector's; returns whether it was.
    pub fn on_timer(&mut self, kind: &TimerKind, me: &Component, k: &mut Kernel) -> bool {
        if !self.is_my_timer(kind) {
            return false;
        }
        let now = k.now();
        // Ids and random draws are taken only when they are used, so a healthy run's ids and RNG
        // stream do not depend on how many reflectors there are.
        let effects = match self.state {
            State::BackingOff { until } if now >= until => {
                let id = k.fresh_id();
                self.on_wake(now, false, id, 0)
            }
            State::Listing { .. } | State::Watching { .. } if now >= self.next_check => {
                let dead = self.connection_dead(me, k);
                let jitter = if dead { k.rng.next_u64() } else { 0 };
                self.on_wake(now, dead, 0, jitter)
            }
            _ => Vec::new(),
        };
        self.run(effects, me, k);
        true
    }

    fn run(&mut self, effects: Vec<Effect>, me: &Component, k: &mut Kernel) {
        for e in effects {
            match e {
                Effect::Watch { id, resume_from } => {
                    let api = Component::ApiServer;
                    let partitioned = k.network.state(me, &api) == LinkState::Partitioned;
                    self.connection = (k.network.partitions(me, &api), partitioned);
                    let mut req = ApiRequest::new(id, Verb::Watch, self.resource);
                    req.options.field_selector = self.field_selector.clone();
                    req.options.timeout_seconds = Some(watch_timeout_s(id));
                    match resume_from {
                        None => req.options.send_initial_events = true,
                        Some(rv) => req.options.resource_version = Some(rv),
                    }
                    k.send(me.clone(), Component::ApiServer, Payload::Request(Box::new(req)));
                }
                Effect::WakeAt(t) => k.set_timer(me.clone(), t.saturating_sub(k.now()), self.timer()),
            }
        }
    }
}

/// client-go's exponential backoff: 800 ms doubling per failure up to 30 s, plus up to 100% jitter.
pub fn backoff_ms(failures: u32, jitter: u64) -> Millis {
    let base = BACKOFF_INITIAL_MS.saturating_mul(1 << failures.min(16)).min(BACKOFF_MAX_MS);
    base + jitter % (base + 1)
}

/// client-go draws `minWatchTimeout * (1 + rand)`; here the spread comes from the watch id instead of
/// the seeded RNG, so that how many watches a run opens does not shift every later random draw.
pub fn watch_timeout_s(watch_id: u64) -> u64 {
    MIN_WATCH_TIMEOUT_S + (watch_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) % MIN_WATCH_TIMEOUT_S
}

fn resource_version(obj: &Value) -> Option<i64> {
    obj.get("metadata")?.get("resourceVersion")?.as_str()?.parse().ok()
}

fn ends_initial_events(obj: &Value) -> bool {
    let annotation =
        obj.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get("k8s.io/initial-events-end"));
    annotation.and_then(Value::as_str) == Some("true")
}

#[cfg(test)]
mod tests;
