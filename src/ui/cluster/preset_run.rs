//! Running a preset's steps on the cluster: commands and faults through `Cluster::perform`, as the
//! terminal's and the diagram's, each logged; waits checked on every frame in virtual time (see `ui::presets`).

use std::rc::Rc;

use super::transcript::LineKind;
use super::{Cluster, Origin};
use crate::ui::presets::{self, WAIT_LIMIT_MS, conditions};
use crate::ui::session::{Op, PresetRun, Step};

impl Cluster {
    /// Starts a preset: says what to watch, then runs its steps up to its first wait. A preset that
    /// was still waiting is dropped (said so); the clock is set playing, since waits need it.
    pub(super) fn start_preset(&mut self, name: &str) {
        let Some(preset) = presets::find(name) else {
            self.print(LineKind::Stderr, &format!("there is no preset {name:?}"));
            return;
        };
        let Some(steps) = self.with_world(|w| presets::plan(preset, w)) else { return };
        if let Some(old) = self.set_preset(None) {
            self.print(
                LineKind::Info,
                &format!("The {} preset stopped waiting; its remaining steps were not run.", old.preset),
            );
        }
        self.print(LineKind::Info, preset.watch);
        // The preset's story is all its steps' (they continue it rather than begin their own).
        if let Some(start) = self.with_world(|w| w.next_message_id()) {
            let op = self.session.ops.len();
            self.begin_story(start, format!("{} (preset)", preset.label), op, true);
        }
        self.playing = true;
        self.set_preset(Some(PresetRun { preset: preset.name.to_string(), steps, deadline: None }));
        self.continue_preset();
    }

    /// Runs the waiting preset's next steps if its wait is over. Called after every frame: the
    /// check sees the cluster at the time on screen (never while the screen still replays messages
    /// the world has already sent), so each step happens, and is logged, when the learner sees
    /// the situation it waited for.
    pub(super) fn continue_preset(&mut self) {
        // A waiting preset belongs to the present: viewing the past must not run its next step
        // there (that would start a new history and discard the later actions).
        if self.viewing_past() {
            return;
        }
        while let Some(run) = self.session.preset.clone() {
            let Some(step) = run.steps.first().cloned() else {
                self.set_preset(None);
                return;
            };
            if let Step::Wait { until } = &step {
                let Some((now, done)) = self.with_world(|w| (w.now(), conditions::holds(until, w))) else { return };
                if self.display + 1.0 < now as f64 {
                    return;
                }
                if !done {
                    match run.deadline {
                        None => {
                            self.print(
                                LineKind::Info,
                                &format!(
                                    "Waiting for {}; the preset goes on by itself (a faster speed gets there sooner).",
                                    until.describe()
                                ),
                            );
                            self.set_preset(Some(PresetRun { deadline: Some(now + WAIT_LIMIT_MS), ..run }));
                        }
                        Some(deadline) if now >= deadline => {
                            let minutes = WAIT_LIMIT_MS / 60_000;
                            self.print(LineKind::Info, &format!("The {} preset stopped waiting for {} after {minutes} minutes; its remaining steps were not run.", run.preset, until.describe()));
                            self.set_preset(None);
                        }
                        Some(_) => {}
                    }
                    return;
                }
            }
            self.set_preset(Some(PresetRun { steps: run.steps[1..].to_vec(), deadline: None, ..run }));
            match step {
                Step::Wait { .. } => {}
                Step::Kubectl { line, stdin } => {
                    self.perform_titled(Op::Kubectl { line, stdin }, Origin::Terminal, None)
                }
                Step::PowerOffBusiestWorker { app } => {
                    match self.with_world(|w| conditions::busiest_worker(w, &app)).flatten() {
                        Some(name) => self.perform_titled(Op::Node { name, running: false }, Origin::Terminal, None),
                        None => self.print(
                            LineKind::Info,
                            &format!("No powered-on worker runs a pod labelled app={app}: nothing was powered off."),
                        ),
                    }
                }
            }
        }
    }

    /// Replaces the preset under way (saved with the session); returns the one it replaced.
    fn set_preset(&mut self, run: Option<PresetRun>) -> Option<PresetRun> {
        std::mem::replace(&mut Rc::make_mut(&mut self.session).preset, run)
    }
}
