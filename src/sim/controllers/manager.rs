//! The kube-controller-manager actor: shared informers (one watch per resource any controller needs),
//! one work queue per controller, syncs started when keys are due, their writes sent as API requests.
//!
//! ```text
//!  start ──► one WATCH per resource (sendInitialEvents) ──► caches synced (all BOOKMARKs) ──► workers run
//!  Watch notice ──► Informers.apply ──► each interested controller: keys_for ──► queue.add
//!  Queue timer ──► queue.get (≤ workers per controller) ──► reconcile ──► Plan ──► requests
//!  Response ──► on_result ──► when the sync's last request is answered: done(key); forget or add_rate_limited
//! ```
//! A key counts as "processing" until every request of its sync is answered, like a Go worker blocked
//! in its sync handler; events that arrive meanwhile mark it dirty and it is synced again afterwards.

mod plan;
mod watches;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use self::plan::{Plan, SlowStart, Write};
use super::{Controller, Outcome, objects};
use crate::sim::api;
use crate::sim::apiserver::request::{ApiRequest, ApiResponse, Verb};
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::client::Informers;
use crate::sim::client::events::{EventRecorder, EventSource};
use crate::sim::client::{self, Action, ObjectKey, Reflector};
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::{Message, Payload};
use crate::sim::time::Millis;

/// How long a sync waits for an answer before counting the request as failed.
pub const REQUEST_TIMEOUT_MS: Millis = 30_000;
/// Syncs started at one instant before yielding to the rest of the simulation.
const MAX_SYNCS_PER_PUMP: usize = 10_000;

/// A controller with its queue and how many of its workers are busy.
struct Slot {
    controller: Box<dyn Controller>,
    queue: client::workqueue::WorkQueue,
    busy: usize,
}

/// One sync in flight: the key stays "processing" until all its requests are answered.
struct Run {
    slot: usize,
    key: ObjectKey,
    outstanding: usize,
    failed: bool,
    creates: SlowStart,
    batch_left: usize,
    batch_failed: bool,
}

/// A tracked request: which sync sent it, and what to send once it succeeded.
struct InFlight {
    run: u64,
    write: Write,
}

/// The kube-controller-manager process.
pub struct ControllerManager {
    /// The world ignores a stopped process (messages and timers are dropped).
    pub running: bool,
    factory: fn() -> Vec<Box<dyn Controller>>,
    informers: Informers,
    /// One list-and-watch loop per resource the controllers need.
    reflectors: Vec<Reflector>,
    slots: Vec<Slot>,
    requests: BTreeMap<u64, Box<InFlight>>,
    runs: BTreeMap<u64, Box<Run>>,
    next_run: u64,
    started: bool,
    armed: Option<Millis>,
    /// One event recorder per controller (by its event source), as each controller has its own.
    recorders: BTreeMap<&'static str, EventRecorder>,
}

impl std::fmt::Debug for ControllerManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerManager")
            .field("running", &self.running)
            .field("reflectors", &self.reflectors.len())
            .field("runs", &self.runs.len())
            .finish()
    }
}

impl Default for ControllerManager {
    fn default() -> Self {
        Self::new()
    }
}

pub(super) fn me() -> Component {
    Component::ControllerManager
}

impl ControllerManager {
    /// A manager running every controller of [`super::all`].
    pub fn new() -> Self {
        Self::with_controllers(super::all)
    }

    /// A manager running the controllers `factory` makes (again on every restart: a restarted process
    /// starts with empty caches, queues and expectations).
    pub fn with_controllers(factory: fn() -> Vec<Box<dyn Controller>>) -> Self {
        Self {
            running: true,
            factory,
            informers: Informers::default(),
            reflectors: Vec::new(),
            slots: Vec::new(),
            requests: BTreeMap::new(),
            runs: BTreeMap::new(),
            next_run: 0,
            started: false,
            armed: None,
            recorders: BTreeMap::new(),
        }
    }

    /// Starts the process: fresh controllers, then one watch per resource they need.
    pub fn start(&mut self, k: &mut Kernel) {
        *self = Self { running: true, ..Self::with_controllers(self.factory) };
        self.slots = (self.factory)()
            .into_iter()
            .map(|controller| Slot { controller, queue: Default::default(), busy: 0 })
            .collect();
        let plurals: BTreeSet<&'static str> =
            self.slots.iter().flat_map(|s| s.controller.watches().iter().copied()).collect();
        for plural in plurals {
            if let Some(rt) = api::resolve(plural) {
                self.open(rt, k);
            }
        }
    }

    /// Its list-and-watch loops, one per resource the controllers need.
    pub fn reflectors(&self) -> &[Reflector] {
        &self.reflectors
    }

    /// The informers' view of the cluster (for inspectors and tests).
    pub fn informers(&self) -> &Informers {
        &self.informers
    }

    /// Queue lengths per controller (for inspectors).
    pub fn queue_lengths(&self) -> Vec<(&'static str, usize)> {
        self.slots.iter().map(|s| (s.controller.name(), s.queue.len())).collect()
    }

    pub fn on_message(&mut self, msg: Message, k: &mut Kernel) {
        match msg.payload {
            Payload::Watch(n) => self.on_watch(*n, k.now()),
            Payload::Response(r) => self.on_response(*r, k),
            _ => return,
        }
        self.pump(k);
    }

    pub fn on_timer(&mut self, kind: TimerKind, k: &mut Kernel) {
        if self.on_reflector_timer(&kind, k) {
            return self.pump(k);
        }
        match kind {
            TimerKind::Queue => {
                if self.armed.is_some_and(|t| t <= k.now()) {
                    self.armed = None;
                }
            }
            TimerKind::RequestTimeout(id) => {
                if self.requests.contains_key(&id) {
                    let s =
                        Status::new(504, Reason::Timeout, "the request timed out: no answer from the kube-apiserver");
                    self.finish_request(id, Err(s), k);
                }
            }
            TimerKind::Object(_) | TimerKind::Tick => {}
        }
        self.pump(k);
    }

    pub(super) fn dispatch(&mut self, change: &client::Change, now: Millis) {
        let plural = change.resource.plural;
        for slot in &mut self.slots {
            if slot.controller.watches().contains(&plural) {
                let delay = slot.controller.enqueue_delay();
                for key in slot.controller.keys_for(change, &self.informers) {
                    slot.queue.add_after(key, delay, now);
                }
            }
        }
    }

    /// Starts every sync that is due and has a free worker, round-robin over the controllers. Runs only
    /// at the end of a message or timer, never from inside a sync, so finishing syncs never recurse.
    fn pump(&mut self, k: &mut Kernel) {
        if !self.started {
            return;
        }
        let mut started = 0;
        loop {
            let mut progressed = false;
            for i in 0..self.slots.len() {
                let slot = &mut self.slots[i];
                if slot.busy >= slot.controller.workers() {
                    continue;
                }
                let Some(key) = slot.queue.get(k.now()) else { continue };
                slot.busy += 1;
                self.sync(i, key, k);
                progressed = true;
                started += 1;
            }
            if !progressed {
                break;
            }
            if started >= MAX_SYNCS_PER_PUMP {
                self.arm(k.now(), k);
                return;
            }
        }
        // Only controllers with a free worker wake the queue: a busy one's due keys wait for its sync to
        // finish (which pumps again). Arming for them would fire at once, find every worker still busy
        // and arm again at the same instant, forever (seen with the apiserver down: failed syncs
        // requeue after 5 ms while their controller's one worker waits for a refused request).
        let ready = self.slots.iter().filter(|s| s.busy < s.controller.workers()).filter_map(|s| s.queue.next_ready());
        if let Some(t) = ready.min() {
            self.arm(t, k);
        }
    }

    fn arm(&mut self, at: Millis, k: &mut Kernel) {
        let at = at.max(k.now());
        if self.armed.is_some_and(|t| t <= at && t >= k.now()) {
            return;
        }
        self.armed = Some(at);
        k.set_timer(me(), at - k.now(), TimerKind::Queue);
    }

    fn sync(&mut self, slot: usize, key: ObjectKey, k: &mut Kernel) {
        let now = k.now();
        let actions = self.slots[slot].controller.reconcile(&key, &self.informers, now, &mut k.rng);
        let id = self.next_run;
        self.next_run += 1;
        self.runs.insert(
            id,
            Box::new(Run {
                slot,
                key,
                outstanding: 0,
                failed: false,
                creates: SlowStart::default(),
                batch_left: 0,
                batch_failed: false,
            }),
        );
        self.execute(id, actions, k);
        self.next_batch_or_finish(id, k);
    }

    /// Sends the writes of `actions` as part of sync `run`; creates join the run's slow start.
    fn execute(&mut self, run: u64, actions: Vec<Action>, k: &mut Kernel) {
        let Some(r) = self.runs.get(&run) else { return };
        let slot = r.slot;
        let plan = Plan::of(actions);
        let source = self.slots[slot].controller.event_source();
        for (key, after) in plan.requeues {
            self.slots[slot].queue.add_after(key, after, k.now());
        }
        for e in plan.events {
            self.fire_and_forget(source, e, k);
        }
        for w in plan.now {
            self.send(run, w, k);
        }
        if !plan.creates.is_empty() {
            let r = self.runs.get_mut(&run).expect("run exists: checked above");
            let mut all = r.creates.skip_rest();
            all.extend(plan.creates);
            r.creates = SlowStart::new(all);
        }
    }

    /// Records an event through the controller's recorder (a create, a patch of a repeat, or nothing when
    /// the spam filter drops it); other actions are sent as they are.
    fn fire_and_forget(&mut self, source: &'static str, event: Action, k: &mut Kernel) {
        let Action::Event { regarding, event_type, reason, message } = event else {
            client::send_action(&me(), event, k);
            return;
        };
        let recorder = self
            .recorders
            .entry(source)
            .or_insert_with(|| EventRecorder::new(EventSource { component: source.to_string(), host: None }));
        let now = k.now();
        if let Some(action) = recorder.record(&regarding, event_type, &reason, &message, now, &mut k.rng) {
            client::send_action(&me(), action, k);
        }
    }

    fn send(&mut self, run: u64, write: Write, k: &mut Kernel) {
        let Some(id) = Self::send_write(&write.action, k) else { return };
        if let Some(r) = self.runs.get_mut(&run) {
            r.outstanding += 1;
        }
        k.set_timer(me(), REQUEST_TIMEOUT_MS, TimerKind::RequestTimeout(id));
        self.requests.insert(id, Box::new(InFlight { run, write }));
    }

    /// Sends one write. The namespace controller's `finalize` write (which `Action` cannot name yet)
    /// travels as an `UpdateStatus` of a namespace and is sent to the `finalize` subresource here.
    fn send_write(action: &Action, k: &mut Kernel) -> Option<u64> {
        if let Action::UpdateStatus { resource, object } = action
            && resource.group.is_empty()
            && resource.plural == "namespaces"
        {
            let id = k.fresh_id();
            let req = ApiRequest::new(id, Verb::Update, resource)
                .named(objects::name(object))
                .on_subresource("finalize")
                .with_body(object.clone());
            k.send(me(), Component::ApiServer, Payload::Request(Box::new(req)));
            return Some(id);
        }
        client::send_action(&me(), action.clone(), k)
    }

    /// Sends the run's next create batch if the last one is through, or ends the run.
    fn next_batch_or_finish(&mut self, run: u64, k: &mut Kernel) {
        let Some(r) = self.runs.get_mut(&run) else { return };
        if r.batch_left > 0 {
            return;
        }
        if r.batch_failed {
            r.batch_failed = false;
            let skipped = r.creates.skip_rest();
            for w in skipped {
                self.report(run, &w.action, Outcome::Skipped, k);
            }
        }
        let Some(r) = self.runs.get_mut(&run) else { return };
        let batch = r.creates.next_batch();
        if !batch.is_empty() {
            r.batch_left = batch.len();
            for w in batch {
                self.send(run, w, k);
            }
            return;
        }
        if r.outstanding == 0 {
            self.finish_run(run, k);
        }
    }

    fn on_response(&mut self, resp: ApiResponse, k: &mut Kernel) {
        if self.on_watch_response(&resp, k) {
            return;
        }
        self.finish_request(resp.request_id, resp.result, k);
    }

    fn finish_request(&mut self, id: u64, result: Result<Value, Status>, k: &mut Kernel) {
        let Some(InFlight { run, write }) = self.requests.remove(&id).map(|b| *b) else { return };
        let is_create = matches!(write.action, Action::Create { .. });
        let ignorable = matches!((&write.action, &result), (Action::Delete { .. }, Err(s)) if s.reason == Reason::NotFound)
            || matches!(write.action, Action::List { .. });
        if let Some(r) = self.runs.get_mut(&run) {
            r.outstanding = r.outstanding.saturating_sub(1);
            if is_create {
                r.batch_left = r.batch_left.saturating_sub(1);
            }
            if result.is_err() && !ignorable {
                r.failed = true;
                r.batch_failed |= is_create;
            }
        }
        if result.is_ok()
            && let Some(r) = self.runs.get(&run)
        {
            let source = self.slots[r.slot].controller.event_source();
            for e in write.on_success.clone() {
                self.fire_and_forget(source, e, k);
            }
        }
        let outcome = match &result {
            Ok(v) => Outcome::Done(v),
            Err(s) => Outcome::Failed(s),
        };
        self.report(run, &write.action, outcome, k);
        self.next_batch_or_finish(run, k);
    }

    /// Tells the controller how a write went and executes what it answers.
    fn report(&mut self, run: u64, action: &Action, outcome: Outcome<'_>, k: &mut Kernel) {
        let Some(r) = self.runs.get(&run) else { return };
        let (slot, key) = (r.slot, r.key.clone());
        let follow = self.slots[slot].controller.on_result(&key, action, outcome, &self.informers, k.now());
        if !follow.is_empty() {
            self.execute(run, follow, k);
        }
    }

    fn finish_run(&mut self, run: u64, k: &mut Kernel) {
        let Some(r) = self.runs.remove(&run) else { return };
        let slot = &mut self.slots[r.slot];
        if r.failed {
            slot.queue.add_rate_limited(r.key.clone(), k.now());
        } else {
            slot.queue.forget(&r.key);
        }
        slot.queue.done(&r.key);
        slot.busy = slot.busy.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests;
