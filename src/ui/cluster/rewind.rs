//! Rewinding: the cluster as it was at an earlier virtual time, rebuilt by replaying the learner's
//! log on the same seed, and the ways back out of the past.
//!
//! ```text
//!   present ──seek(T)──► past at T ──Play / seek forward──► later actions replayed at their times
//!      ▲                    │  │                                        │ reaching the present's time
//!      └──── Back to now ───┘  └─ a change: new history from T          ▼
//!                                 (later actions discarded, listed)   present (the one set aside)
//! ```
//! The simulation is deterministic, so the cluster at T is a fresh world on the session's seed with
//! the actions logged at or before T replayed as a reload replays them, run to T. The present is set
//! aside whole meanwhile, so "Back to now" is instant and loses nothing, and saves keep every action.
//!
//! Cost: a rebuild re-simulates from the start, so it is proportional to T: 0.6 s in headless
//! Chromium to show minute 35 of a 40-minute session (the e2e test prints it), about 0.2 s natively
//! (optimised). `World` is not `Clone` (none of its actors, queues or store derive it), so there are
//! no checkpoints; moving forward in the past continues the world already built instead.

use std::cell::RefCell;
use std::rc::Rc;

use super::history;
use super::transcript::{self, LineKind, TermLine};
use super::{Cluster, WorldRef};
use crate::sim::time::Millis;
use crate::ui::bridge::{self, Sim, Watching};
use crate::ui::clock::format_clock;
use crate::ui::session::{Logged, Op};

/// What is set aside while the learner looks at the past, restored whole by "Back to now".
#[derive(Clone)]
pub struct Present {
    world: Rc<RefCell<Sim>>,
    display: f64,
    transcript: Rc<Vec<TermLine>>,
    watching: Rc<Vec<Watching>>,
}

/// The state of viewing the past.
#[derive(Clone)]
pub struct Past {
    present: Present,
    /// How many of the session's actions the past world has replayed so far.
    replayed: usize,
    /// The world's time just after the last replayed action (or after booting): as in a reload's
    /// replay, the next action waits for its own time only if that is later than this.
    after: Millis,
}

impl Cluster {
    /// Whether the cluster on screen is a view of the past (the present is set aside).
    pub fn viewing_past(&self) -> bool {
        self.past.is_some()
    }

    /// The present's virtual time, wherever the view is: the end of the timeline, and what a save
    /// or a share link records.
    pub fn live_now(&self) -> Millis {
        match &self.past {
            Some(p) => p.present.world.try_borrow().map_or(0, |w| w.now()),
            None => self.world_now(),
        }
    }

    /// The present's world, also while the past is on screen (what a share link must describe).
    pub fn live_world_ref(&self) -> WorldRef {
        match &self.past {
            Some(p) => WorldRef(p.present.world.clone()),
            None => self.world_ref(),
        }
    }

    /// The present's display time: where "now" is on the timeline.
    pub fn live_display(&self) -> f64 {
        self.past.as_ref().map_or(self.display, |p| p.present.display)
    }

    /// How many logged actions lie ahead of the view (kept, and replayed when playing forward).
    pub fn later_actions(&self) -> usize {
        self.past.as_ref().map_or(0, |p| self.session.ops.len().saturating_sub(p.replayed))
    }

    /// Shows the cluster as it was at virtual time `t`, pausing: at or after the present's time this
    /// is the present; ahead of the past on screen it replays onward; otherwise it rebuilds.
    pub(super) fn seek(&mut self, t: f64) {
        let t = if t.is_nan() { 0.0 } else { t.max(0.0) };
        if t >= self.live_display() {
            self.back_to_now();
            return;
        }
        self.playing = false;
        let ahead = self.past.is_some() && t >= self.display;
        let world_now = self.world_now();
        if ahead && t >= world_now as f64 {
            self.replay_until(t.floor() as Millis);
            self.display = t;
        } else if ahead {
            // The world has already run past `t` (a command's messages still replaying on screen).
            self.display = t;
            self.catch_up();
        } else {
            self.rebuild(t.floor() as Millis);
        }
    }

    /// Leaves the past for the present set aside, as it was left.
    pub(super) fn back_to_now(&mut self) {
        let Some(past) = self.past.take() else { return };
        let Present { world, display, transcript, watching } = past.present;
        self.world = world;
        self.display = display;
        self.transcript = transcript;
        self.watching = watching;
        self.print(LineKind::Info, &format!("Back to the present ({}).", format_clock(display)));
    }

    /// While viewing the past, how far playing may run before something must happen: the next
    /// logged action is replayed there, and the present's time ends the past.
    pub(super) fn replay_limit(&self) -> Option<f64> {
        let past = self.past.as_ref()?;
        let next = self.session.ops.get(past.replayed).map_or(f64::INFINITY, |l| l.at as f64);
        Some(next.min(past.present.display))
    }

    /// After the past's world moved on: replays the actions it has reached, and returns to the
    /// present once the display gets there.
    pub(super) fn catch_up(&mut self) {
        let Some(past) = &self.past else { return };
        let now = self.world_now();
        if self.session.ops.get(past.replayed).is_some_and(|l| l.at <= now) {
            self.replay_until(now);
        }
        if self.past.as_ref().is_some_and(|p| self.display >= p.present.display) {
            self.back_to_now();
        }
    }

    /// Decides the fate of an action done while viewing the past; returns whether to log it. A
    /// command that only reads is answered there and not logged (the past's later actions stay);
    /// anything else starts a new history from here, discarding the later actions, listed in the
    /// terminal so that none is lost silently.
    pub(super) fn leave_the_past_for(&mut self, at: Millis, op: &Op) -> bool {
        let Some(past) = &self.past else { return true };
        if history::reads_only(op) {
            return false;
        }
        let replayed = past.replayed;
        self.past = None;
        let discarded = history::branch(&mut Rc::make_mut(&mut self.session).ops, replayed);
        self.drop_stories_from(replayed);
        self.print(LineKind::Info, &history::discarded_note(at, &discarded));
        true
    }

    /// A fresh world on the session's seed with the actions up to `t` replayed, run to `t`.
    fn rebuild(&mut self, t: Millis) {
        let present = match self.past.take() {
            Some(p) => p.present,
            None => Present {
                world: self.world.clone(),
                display: self.display,
                transcript: self.transcript.clone(),
                watching: std::mem::take(&mut self.watching),
            },
        };
        let mut world = Sim::new(self.session.seed);
        let booted = world.now();
        let mut after = booted;
        let mut lines = Rc::new(Vec::new());
        let replayed = history::replayed_by(&self.session.ops, t);
        for l in &self.session.ops[..replayed] {
            replay_one(&mut world, &mut lines, l, &mut after);
        }
        world.run_until(t);
        self.world = Rc::new(RefCell::new(world));
        self.display = t.max(booted) as f64;
        self.transcript = lines;
        self.watching = Rc::new(Vec::new());
        self.past = Some(Past { present, replayed, after });
        let (done, later) = (history::actions(replayed), history::actions(self.later_actions()));
        let earliest = if t < booted { " (the earliest moment shown: the cluster just after it booted)" } else { "" };
        self.print(
            LineKind::Info,
            &format!(
                "Viewing the past at {}{earliest}: the cluster was rebuilt by replaying your {done} up to then on the same seed. \
                 Your {later} after it are kept: Play replays them, Back to now returns. Reading commands (kubectl get, describe, ...) \
                 answer from the past; a command that changes the cluster starts a new history here and discards the later actions.",
                format_clock(self.display)
            ),
        );
    }

    /// Replays, on the past's world, the logged actions not yet replayed that happen by `until`,
    /// then runs it to `until` (a world already later stays where it is).
    fn replay_until(&mut self, until: Millis) {
        let Some(past) = &mut self.past else { return };
        let Ok(mut w) = self.world.try_borrow_mut() else { return };
        while let Some(l) = self.session.ops.get(past.replayed).filter(|l| l.at <= until) {
            replay_one(&mut w, &mut self.transcript, l, &mut past.after);
            past.replayed += 1;
        }
        w.run_until(until);
        drop(w);
        self.transcript_rev += 1;
    }
}

/// Applies one logged action as a reload's replay does: first running to its time if that is later
/// than `after`, the world's time when the previous action was done (the world may have been played
/// up to this very instant since: running to it again finishes the instant, as the replay did).
/// Writes to `lines` what the terminal showed when the learner did it.
fn replay_one(w: &mut Sim, lines: &mut Rc<Vec<TermLine>>, l: &Logged, after: &mut Millis) {
    if l.at > *after {
        w.run_until(l.at);
    }
    match bridge::apply(w, &l.op) {
        Ok(Some(ran)) => {
            if let Op::Kubectl { line, .. } = &l.op {
                transcript::push(lines, LineKind::Command, line);
            }
            transcript::push(lines, LineKind::Stdout, &ran.stdout);
            transcript::push(lines, LineKind::Stderr, &ran.stderr);
            // A replayed `get -w` is not followed: its stream ended with the present.
            for watch in ran.watching {
                bridge::stop_watch(w, watch.watch_id);
            }
        }
        Ok(None) => transcript::push(lines, LineKind::Info, &super::actions::fault_note(&l.op)),
        Err(e) => transcript::push(lines, LineKind::Stderr, &format!("cannot do that: {e}")),
    }
    *after = w.now();
}

#[cfg(test)]
mod tests;
