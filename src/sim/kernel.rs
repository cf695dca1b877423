//! The discrete-event kernel: one virtual clock, one seeded RNG, one event queue, the network and the trace.
//!
//! ```text
//!   send(from, to, payload) ──► network.route ──► queue (deliver_at, seq) ──► World::step ──► actor
//!   set_timer(owner, after) ─────────────────────► queue (fire_at, seq)    ──► World::step ──► actor
//! ```
//! Events due at the same virtual time run in the order they were queued (`seq`), so a run is a pure
//! function of the seed and the inputs. When nothing is due, time jumps to the next event.
//!
//! Every message records its cause: the message whose handling sent it, or, for a message sent when a
//! timer fired, the message whose handling set that timer (a timer set while handling a timer passes its
//! cause on). Messages sent from outside any handling (kubectl, a fault, the boot) have none. This is
//! what `sandbox story` and the story panel follow from a command to everything it set off.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::component::Component;
use super::network::{Network, Route};
use super::protocol::message::{Message, Payload};
use super::rng::Rng;
use super::time::Millis;
use super::trace::{Fate, Trace, TraceEntry};

/// Why an actor asked to be woken up. Each actor interprets its own timers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerKind {
    /// A periodic loop of the owner (sync loops, heartbeats, monitors).
    Tick,
    /// A request the owner sent has waited too long for its answer.
    RequestTimeout(u64),
    /// The owner's work queue has an item whose delay is over.
    Queue,
    /// Per-object work named by a key (for example a pod's lifecycle step on a kubelet).
    Object(String),
}

/// Something waiting in the queue.
#[derive(Debug)]
pub enum Scheduled {
    Deliver(Message),
    Timer { owner: Component, kind: TimerKind },
}

/// The clock, the RNG, the queue, the network and the trace. Actors get `&mut Kernel` to send.
#[derive(Debug)]
pub struct Kernel {
    now: Millis,
    pub rng: Rng,
    pub network: Network,
    pub trace: Trace,
    queue: BinaryHeap<Reverse<(Millis, u64)>>,
    /// Each queued event, with the cause its handling passes on to what it sends.
    scheduled: BTreeMap<u64, (Scheduled, Option<u64>)>,
    held: Vec<Message>,
    /// The cause of what is being handled now (None outside any handling).
    cause: Option<u64>,
    /// What the handler decided, written on the next message it sends (see [`Kernel::decide`]).
    decision: Option<String>,
    next_seq: u64,
    next_id: u64,
}

impl Kernel {
    pub fn new(seed: u64) -> Self {
        Self {
            now: 0,
            rng: Rng::new(seed),
            network: Network::default(),
            trace: Trace::default(),
            queue: BinaryHeap::new(),
            scheduled: BTreeMap::new(),
            held: Vec::new(),
            cause: None,
            decision: None,
            next_seq: 0,
            next_id: 1,
        }
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// The id the next message or request will get: what a command sends has this id or a later one.
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// A fresh id for a message or a request; unique across the whole run.
    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends a message over the network and records it in the trace. Returns the message id.
    pub fn send(&mut self, from: Component, to: Component, payload: Payload) -> u64 {
        let route = self.network.route(&from, &to, self.now);
        self.record(from, to, payload, route)
    }

    /// Records a packet that a node's packet filter drops as it leaves `from` (kindnet's
    /// NetworkPolicy agent): it is in the trace, marked filtered, and never arrives.
    pub fn send_filtered(&mut self, from: Component, to: Component, payload: Payload) -> u64 {
        let id = self.record(from, to, payload, Route::Dropped);
        if let Some(e) = self.trace.get_mut(id) {
            e.fate = Fate::Filtered;
        }
        id
    }

    fn record(&mut self, from: Component, to: Component, payload: Payload, route: Route) -> u64 {
        let id = self.fresh_id();
        let info = payload.describe();
        let (fate, deliver_at) = match route {
            Route::At(t) => (Fate::Delivered, t),
            Route::Dropped => (Fate::Dropped, self.now),
            Route::Held => (Fate::Held, self.now),
        };
        let (from_name, to_name) = (self.trace.name(&from), self.trace.name(&to));
        self.trace.push(TraceEntry {
            id,
            from: from_name,
            to: to_name,
            kind: info.kind,
            summary: info.summary,
            key: info.key,
            revision: info.revision,
            sent_at: self.now,
            deliver_at,
            fate,
            cause: self.cause,
            decision: self.decision.take(),
        });
        self.trace.keep_payload(id, &payload);
        let msg = Message { id, from, to, payload };
        match route {
            Route::At(t) => self.schedule(t, Scheduled::Deliver(msg)),
            Route::Dropped => {}
            Route::Held => self.held.push(msg),
        }
        id
    }

    /// Wakes `owner` after `after` ms with `kind`.
    pub fn set_timer(&mut self, owner: Component, after: Millis, kind: TimerKind) {
        self.schedule(self.now + after, Scheduled::Timer { owner, kind });
    }

    /// Wakes `owner` after `after` ms with `kind`, as a loop of its own: what it sends then has no
    /// cause, so that a story does not follow a process's ticker forever (metrics-server's scrape
    /// every 15 s, started by whatever started its pod).
    pub fn set_loop_timer(&mut self, owner: Component, after: Millis, kind: TimerKind) {
        let cause = self.cause.take();
        self.set_timer(owner, after, kind);
        self.cause = cause;
    }

    fn schedule(&mut self, at: Millis, item: Scheduled) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Reverse((at, seq)));
        // A message causes what its handling sends; a timer passes on the cause of whoever set it.
        let cause = match &item {
            Scheduled::Deliver(msg) => Some(msg.id),
            Scheduled::Timer { .. } => self.cause,
        };
        self.scheduled.insert(seq, (item, cause));
    }

    /// Records what the component handling the current event decided (`chose sandbox-worker2: 3 of
    /// 4 nodes fit`), to be written on the next message it sends: the story tells it on that hop.
    pub fn decide(&mut self, decision: String) {
        self.decision = Some(decision);
    }

    /// Ends the handling of the event `pop_due` returned: what is sent from now on (kubectl, a
    /// fault) has no cause until the next event, and an undelivered decision is dropped.
    pub fn end_handling(&mut self) {
        self.cause = None;
        self.decision = None;
    }

    /// When the next event is due, if any.
    pub fn next_due(&self) -> Option<Millis> {
        self.queue.peek().map(|Reverse((t, _))| *t)
    }

    /// Takes the next event if it is due at or before `limit`, advancing the clock to it; what is
    /// sent until [`Kernel::end_handling`] records the event's cause.
    pub fn pop_due(&mut self, limit: Millis) -> Option<Scheduled> {
        let Reverse((at, seq)) = *self.queue.peek()?;
        if at > limit {
            return None;
        }
        self.queue.pop();
        self.now = self.now.max(at);
        let (item, cause) = self.scheduled.remove(&seq)?;
        self.cause = cause;
        self.decision = None;
        Some(item)
    }

    /// Moves the clock forward with nothing happening (nothing may be due before `t`).
    pub fn advance_to(&mut self, t: Millis) {
        debug_assert!(self.next_due().is_none_or(|d| d >= t), "advance_to skipped a due event");
        self.now = self.now.max(t);
    }

    /// Releases messages held between `a` and `b`, in the order they were sent. (A message sent
    /// longer ago than the trace's window is released all the same; only its entry is gone.)
    pub fn release_held(&mut self, a: &Component, b: &Component) {
        let (release, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|m| (&m.from == a && &m.to == b) || (&m.from == b && &m.to == a));
        self.held = keep;
        for msg in release {
            let at = self.network.release_time(&msg.from, &msg.to, self.now);
            if let Some(e) = self.trace.get_mut(msg.id) {
                e.fate = Fate::Delivered;
                e.deliver_at = at;
            }
            self.schedule(at, Scheduled::Deliver(msg));
        }
    }

    /// Marks a delivered message as ignored by a stopped component.
    pub fn mark_ignored(&mut self, id: u64) {
        if let Some(e) = self.trace.get_mut(id) {
            e.fate = Fate::Ignored;
        }
    }

    /// Number of events waiting (messages in flight and timers).
    pub fn pending(&self) -> usize {
        self.scheduled.len()
    }
}
