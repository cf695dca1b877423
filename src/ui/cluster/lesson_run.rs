//! A lesson on the cluster: starting it (a fresh cluster, then its setup block, logged like the
//! learner's actions so that a reload or a share link rebuilds it), and checking its steps.
//!
//! Steps are done in order and stay done: after every action and frame, the first step not done is
//! checked, and if it holds it is marked done (with where its story starts) and the next one is
//! checked too, so a learner who does two steps at once gets both. A learner who later breaks what
//! a step built keeps the step: they did it, and the step's prose explained what happened then; the
//! current step's own checks say what is missing now. Checks only read the apiserver's cache, and
//! run again only when its revision (or the progress) has changed since the last time.

use std::rc::Rc;

use super::transcript::LineKind;
use super::{Cluster, Origin};
use crate::lessons::Lesson;
use crate::ui::bridge::{self, lessons::SetupStep};
use crate::ui::session::LessonProgress;

impl Cluster {
    /// Starts `lesson` on this cluster (the reducer gives it a fresh one): progress from nothing,
    /// then the setup block. Sleeps in the setup are not animated: the display jumps over them.
    pub(super) fn start_lesson(&mut self, lesson: Rc<Lesson>) {
        self.print(
            LineKind::Info,
            &format!(
                "Lesson: {}. A fresh cluster on the same seed; the lesson's steps are on the right.",
                lesson.title
            ),
        );
        Rc::make_mut(&mut self.session).lesson = Some(LessonProgress { id: lesson.id.clone(), ..Default::default() });
        let setup = bridge::lessons::setup_steps(&lesson);
        if !setup.is_empty() {
            self.print(LineKind::Info, "Setting the lesson up:");
        }
        for step in setup {
            match step {
                SetupStep::Op(op) => self.perform(op, Origin::Terminal),
                SetupStep::Sleep(ms) => {
                    if let Ok(mut w) = self.world.try_borrow_mut() {
                        w.run_for(ms);
                        self.display = w.now() as f64;
                    }
                }
            }
        }
        // The first step begins after the setup: what the setup sent is not the learner's doing.
        let began = self.with_world(bridge::lessons::next_message_id).unwrap_or(0);
        if let Some(p) = Rc::make_mut(&mut self.session).lesson.as_mut() {
            p.began = began;
        }
        self.attach_lesson(lesson);
    }

    /// Shows `lesson` for the progress the session has (a reload, a share link); a session doing
    /// another lesson, or none, starts this one from its first step without setting anything up.
    pub(super) fn attach_lesson(&mut self, lesson: Rc<Lesson>) {
        if self.session.lesson.as_ref().is_none_or(|p| p.id != lesson.id) {
            let began = self.with_world(bridge::lessons::next_message_id).unwrap_or(0);
            Rc::make_mut(&mut self.session).lesson =
                Some(LessonProgress { id: lesson.id.clone(), done: Vec::new(), began });
        }
        self.lesson = Some(lesson);
        self.lesson_checked = None;
        self.check_lesson();
    }

    /// Closes the lesson; the cluster stays as it is.
    pub(super) fn close_lesson(&mut self) {
        self.lesson = None;
        self.lesson_failure = None;
        self.lesson_checked = None;
        Rc::make_mut(&mut self.session).lesson = None;
    }

    /// Marks the steps that now hold as done, and keeps what the next one still misses.
    pub(super) fn check_lesson(&mut self) {
        let Some(lesson) = self.lesson.clone() else { return };
        // The past on screen is not where the learner works: progress is the present's.
        if self.viewing_past() {
            return;
        }
        let Some(p) = self.session.lesson.as_ref() else { return };
        let (mut done, mut began) = (p.done.clone(), p.began);
        let Some((revision, sent, now)) =
            self.with_world(|w| (bridge::cache_revision(w), bridge::lessons::next_message_id(w), w.now()))
        else {
            return;
        };
        // As a preset's waits do: judge the cluster the learner sees, not messages still replaying.
        if self.display + 1.0 < now as f64 {
            return;
        }
        // A step's `message` checks read the trace: new messages matter to them, not only a new
        // revision. Other steps are checked again only when the cache changed.
        let reads_trace = lesson.steps.get(done.len()).is_some_and(|s| s.checks.iter().any(|c| c.check.reads_trace()));
        let key = (revision, if reads_trace { sent } else { 0 }, done.len());
        if self.lesson_checked == Some(key) {
            return;
        }
        let before = done.len();
        let mut failure = None;
        while let Some(step) = lesson.steps.get(done.len()) {
            let Some(outcome) = self.with_world(|w| bridge::lessons::first_failure(w, step, began)) else { return };
            if let Some(why) = outcome {
                failure = Some(why);
                break;
            }
            // "What happened" opens the hop a message check found, else the command's first message.
            let from = self.command_start;
            let shown = self.with_world(|w| {
                bridge::lessons::found_message(w, step, began).unwrap_or_else(|| bridge::lessons::story_start(w, from))
            });
            done.push(shown.unwrap_or(from));
            began = sent;
        }
        self.lesson_failure = failure;
        self.lesson_checked = Some((key.0, key.1, done.len()));
        if done.len() != before {
            let finished = done.len() == lesson.steps.len();
            if let Some(p) = Rc::make_mut(&mut self.session).lesson.as_mut() {
                p.done = done;
                p.began = began;
            }
            if finished {
                self.print(LineKind::Info, &format!("Lesson complete: {}.", lesson.title));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::clock::Speed;
    use crate::ui::cluster::ClusterAction;
    use crate::ui::session::Op;
    use yew::Reducible;

    fn lesson(text: &str) -> Rc<Lesson> {
        Rc::new(crate::lessons::parse(text).expect("the course's lessons parse"))
    }

    fn run(c: Rc<Cluster>, line: &str) -> Rc<Cluster> {
        c.reduce(ClusterAction::Run { line: line.into(), stdin: None, origin: Origin::Terminal })
    }

    fn done(c: &Cluster) -> Vec<u64> {
        c.session.lesson.as_ref().map(|p| p.done.clone()).unwrap_or_default()
    }

    /// Plays at max speed until `until` holds (or a few virtual minutes pass).
    fn play_until(mut c: Rc<Cluster>, until: impl Fn(&Cluster) -> bool) -> Rc<Cluster> {
        c = c.reduce(ClusterAction::SetSpeed(Speed::Max));
        let limit = c.world_now() + 300_000;
        while !until(&c) && c.world_now() < limit {
            c = c.reduce(ClusterAction::Tick { real_ms: 16.0 });
        }
        c
    }

    #[test]
    fn steps_are_checked_in_order_from_any_way_of_doing_them_and_stay_done() {
        let deployment = lesson(include_str!("../../../static/lessons/deployment.md"));
        let c = run(Rc::new(Cluster::new(1)), "kubectl create namespace mine");
        let c = c.reduce(ClusterAction::OpenLesson { lesson: deployment.clone(), fresh: true });
        assert!(c.session.ops.is_empty(), "a fresh start leaves the learner's work behind");
        assert_eq!(c.session.lesson.as_ref().map(|p| (p.id.as_str(), p.done.len())), Some(("deployment", 0)));
        assert!(c.lesson_failure.as_deref().is_some_and(|why| why.contains("web")), "{:?}", c.lesson_failure);

        let id = |c: &Cluster| c.with_world(bridge::lessons::next_message_id).expect("not borrowed");
        let created = id(&c);
        let c = run(c, "kubectl create deployment web --image=nginx:1.25 --replicas=3");
        let c = play_until(c, |c| !done(c).is_empty());
        assert_eq!(done(&c).len(), 1, "{:?}", c.lesson_failure);
        let scaled = id(&c);
        let c = run(c, "kubectl scale deploy/web --replicas 5");
        let c = play_until(c, |c| done(c).len() == 2);
        let story = done(&c);
        assert_eq!(story.len(), 2, "{:?}", c.lesson_failure);
        assert!(story[0] >= created && story[0] < scaled && story[1] >= scaled, "{story:?}: {created}, {scaled}");
        // Step 1's "What happened" is the hop its message check found: the scheduler's binding.
        let summary = c.with_world(|w| w.trace().iter().find(|e| e.id == story[0]).map(|e| e.summary.clone()));
        assert!(summary.clone().flatten().is_some_and(|s| s.ends_with("/binding")), "{story:?} {summary:?}");
        assert!(c.session.lesson.as_ref().is_some_and(|p| p.began > story[1]), "the next step begins after the last");
        assert_eq!(c.lesson_failure, None);

        // Breaking it later keeps the steps: the learner did them.
        let c = run(c, "kubectl delete deployment web");
        let later = c.world_now() + 10_000;
        let c = play_until(c, |c| c.world_now() >= later);
        assert_eq!(done(&c).len(), 2);

        // A reload's replay brings the progress back; the lesson is attached to it again.
        let session = (*c.session).clone();
        let c = c.reduce(ClusterAction::Restore { session, notice: None });
        assert_eq!(done(&c), story);
        assert!(c.lesson.is_some());

        let c = c.reduce(ClusterAction::CloseLesson);
        assert_eq!((c.lesson.is_none(), c.session.lesson.is_none()), (true, true));
    }

    #[test]
    fn a_lesson_setup_is_logged_and_reset_starts_the_lesson_over() {
        let fix = lesson(include_str!("../../../static/lessons/fix-image.md"));
        let c = Rc::new(Cluster::new(1)).reduce(ClusterAction::OpenLesson { lesson: fix, fresh: true });
        assert!(
            matches!(&c.session.ops[..], [l] if matches!(&l.op, Op::Kubectl { line, .. } if line.contains("ngnix"))),
            "the setup's command is logged: {:?}",
            c.session.ops
        );
        assert!(c.world_now() >= 60_000 && c.display >= 60_000.0, "the setup's sleep passed without animation");
        let ops = c.session.ops.len();
        let c = run(c, "kubectl get pods").reduce(ClusterAction::Reset);
        assert_eq!(c.session.ops.len(), ops, "Reset ran the setup again, without the learner's command");
        assert_eq!(c.session.lesson.as_ref().map(|p| p.id.as_str()), Some("fix-image"));
    }
}
