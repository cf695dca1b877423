//! Moving the cluster forward: the display clock, stepping, `get -w` streams, and replaying a
//! saved session.

use std::rc::Rc;

use super::transcript::LineKind;
use super::{Cluster, MAX_DOTS, MAX_EVENTS_PER_FRAME};
use crate::ui::bridge::{self, Sim};
use crate::ui::clock::{self, Speed};
use crate::ui::session::{Op, Session};
use crate::ui::traffic;

/// How long (wall-clock ms) one frame may spend simulating at the `max` speed.
const MAX_SPEED_BUDGET_MS: f64 = 12.0;

impl Cluster {
    /// Advances the display by `real_ms` of real time at the chosen speed.
    pub(super) fn tick(&mut self, real_ms: f64) {
        // Viewing the past, playing stops at the next logged action (replayed there) and at the present.
        let limit = self.replay_limit();
        let Ok(mut w) = self.world.try_borrow_mut() else { return };
        let speed = match self.speed {
            Speed::Times(x) => x,
            Speed::Max => {
                run_flat_out(&mut w, limit);
                self.display = w.now() as f64;
                drop(w);
                self.catch_up();
                return;
            }
        };
        let entries = w.trace();
        let flights = traffic::in_flight(entries, self.display, MAX_DOTS);
        let trip = traffic::shortest_trip(entries, &flights);
        let mut target = self.display + clock::advance(real_ms, speed, trip);
        if trip.is_none() {
            // Never jump over the start of a recorded message.
            if let Some(next) = traffic::next_change(entries, self.display) {
                target = target.min(next);
            }
        }
        self.display = advance_world(&mut w, target.min(limit.unwrap_or(f64::INFINITY)));
        drop(w);
        self.catch_up();
    }

    /// Shows the next change: a message leaving or arriving.
    pub(super) fn step(&mut self) {
        self.playing = false;
        let limit = self.replay_limit().unwrap_or(f64::INFINITY);
        let Ok(mut w) = self.world.try_borrow_mut() else { return };
        let now = w.now() as f64;
        match traffic::next_change(w.trace(), self.display) {
            Some(t) if t <= now => self.display = t,
            Some(t) => self.display = advance_world(&mut w, t.min(limit)),
            None => {
                // Nothing recorded ahead: let the world run until it sends something.
                let before = w.messages_sent();
                for _ in 0..MAX_EVENTS_PER_FRAME {
                    if !due_by(&w, limit) || !w.step() || w.messages_sent() > before {
                        break;
                    }
                }
                self.display = w.now() as f64;
            }
        }
        drop(w);
        self.catch_up();
    }

    /// Prints what the `get -w` streams received.
    pub(super) fn print_watches(&mut self) {
        if self.watching.is_empty() {
            return;
        }
        let Ok(mut w) = self.world.try_borrow_mut() else { return };
        let text: String = self.watching.iter().map(|watch| bridge::drain_watch(&mut w, watch)).collect();
        drop(w);
        self.print(LineKind::Stdout, &text);
    }

    /// Ctrl+C: ends every `get -w` stream; with none, stops the latest `kubectl port-forward`
    /// (a logged command of the machine's, so that a replay stops it too).
    pub(super) fn interrupt(&mut self) {
        let forwarding = match self.world.try_borrow_mut() {
            Ok(mut w) => {
                for watch in self.watching.iter() {
                    bridge::stop_watch(&mut w, watch.watch_id);
                }
                bridge::forwards(&w) > 0
            }
            Err(_) => false,
        };
        if self.watching.is_empty() && forwarding {
            let op = Op::Kubectl { line: bridge::INTERRUPT_FORWARD.into(), stdin: None };
            self.perform(op, super::Origin::Terminal);
        }
        self.watching = Rc::new(Vec::new());
    }

    /// Rebuilds a session: replays each action at its virtual time on a fresh world with its seed.
    pub(super) fn replay(session: Session, notice: Option<String>, revision: u64) -> Cluster {
        let mut c = Cluster::new(session.seed);
        c.revision = revision + 1;
        if let Some(n) = notice {
            c.print(LineKind::Info, &n);
        }
        if let Ok(mut w) = c.world.try_borrow_mut() {
            for (i, l) in session.ops.iter().enumerate() {
                if l.at > w.now() {
                    w.run_until(l.at);
                }
                // Each action's story, as if done now (a preset's steps each get their own: the
                // log does not say which were a preset's).
                let start = w.next_message_id();
                let title = super::stories::title(&l.op, super::Origin::Terminal);
                Rc::make_mut(&mut c.stories).push(super::stories::StoryStart {
                    start,
                    title,
                    op: i,
                    by_kubectl: matches!(l.op, Op::Kubectl { .. }),
                });
                if let Ok(Some(ran)) = bridge::apply(&mut w, &l.op) {
                    if let Op::Kubectl { line, .. } = &l.op {
                        // Ctrl+C stopping a forward was shown as `^C`.
                        let shown = if line == bridge::INTERRUPT_FORWARD { "^C" } else { line };
                        transcript_push(&mut c.transcript, LineKind::Command, shown);
                    }
                    transcript_push(&mut c.transcript, LineKind::Stdout, &ran.stdout);
                    transcript_push(&mut c.transcript, LineKind::Stderr, &ran.stderr);
                    // A replayed `get -w` is not followed: its stream ended when the page closed.
                    for watch in ran.watching {
                        bridge::stop_watch(&mut w, watch.watch_id);
                    }
                }
            }
            if session.now > w.now() {
                w.run_until(session.now);
            }
            c.display = w.now() as f64;
        }
        c.session = Rc::new(session);
        c.transcript_rev += 1;
        c
    }
}

fn transcript_push(t: &mut Rc<Vec<super::TermLine>>, kind: LineKind, text: &str) {
    super::transcript::push(t, kind, text);
}

/// Runs the world toward `target`, stopping early at the first new message so that it is drawn from
/// its start. Returns the new display time.
fn advance_world(w: &mut Sim, target: f64) -> f64 {
    let goal = target.floor().max(0.0) as u64;
    if (w.now() as f64) >= target {
        return target;
    }
    for _ in 0..MAX_EVENTS_PER_FRAME {
        match w.next_due() {
            Some(due) if due <= goal => {
                // Counted, not measured by the trace's length, which stops growing once full.
                let before = w.messages_sent();
                w.step();
                if w.messages_sent() > before {
                    return (w.now() as f64).min(target);
                }
            }
            _ => {
                w.run_until(goal);
                return target;
            }
        }
    }
    w.now() as f64
}

/// Whether the world has an event due by `limit` (viewing the past: the next logged action's time).
fn due_by(w: &Sim, limit: f64) -> bool {
    w.next_due().is_some_and(|due| due as f64 <= limit)
}

/// The `max` speed: simulate for a fixed slice of wall-clock time per frame, never past `limit`.
fn run_flat_out(w: &mut Sim, limit: Option<f64>) {
    if let Some(limit) = limit {
        if (w.now() as f64) < limit {
            run_past_flat_out(w, limit.ceil() as u64);
        }
        return;
    }
    let start = wall_ms();
    for i in 0.. {
        if w.next_due().is_none() {
            w.run_for(1_000);
            return;
        }
        w.step();
        if i % 64 == 63 && wall_ms() - start > MAX_SPEED_BUDGET_MS {
            return;
        }
    }
}

/// `run_flat_out` while viewing the past: up to `limit` (later than the world's time), where the
/// next logged action is replayed or the present takes over.
fn run_past_flat_out(w: &mut Sim, limit: u64) {
    let start = wall_ms();
    for i in 0.. {
        if !due_by(w, limit as f64) {
            w.run_until(limit);
            return;
        }
        w.step();
        if i % 64 == 63 && wall_ms() - start > MAX_SPEED_BUDGET_MS {
            return;
        }
    }
}

/// Wall-clock milliseconds: the UI may read real time (the simulation never does).
fn wall_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    return std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
}
