//! The running cluster as Yew state: the world, the display clock, the terminal's scrollback and the
//! log of what the learner did. One reducer owns it; components get it through [`ClusterContext`].
//!
//! The world itself is mutable and large, so every version of the state shares it through one
//! `Rc<RefCell<Sim>>` (the bridge's handle on the world); `revision` tells Yew that something changed.

pub mod history;
pub mod stories;
pub mod transcript;

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::lessons::Lesson;
use crate::ui::bridge::{ExecSession, Sim, Watching};
use crate::ui::clock::Speed;
use crate::ui::session::{Logged, Op, Session};
use transcript::{LineKind, TermLine};

/// The handle every component uses to read the cluster and dispatch to it.
pub type ClusterContext = UseReducerHandle<Cluster>;

/// At most this many message dots are drawn at once (the newest are kept). A 300-pod Deployment on
/// 20 nodes puts nearly 1,000 on the wire at its peak; `make bench-frames` times drawing them.
pub const MAX_DOTS: usize = 1_000;
/// A frame never runs more than this many world events (keeps a frame short however busy).
const MAX_EVENTS_PER_FRAME: usize = 5_000;

/// The outcome of the editor's last Apply, for the editor to show (an error at its line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub ok: bool,
    pub text: String,
    /// Distinguishes two identical outcomes in a row.
    pub serial: u64,
}

/// Who ran a command: it decides how the command is echoed and where its output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Terminal,
    /// The editor's Apply: the outcome is also kept for the editor to show at the error's line.
    Editor,
    /// The header's Export: the output becomes a download, not terminal text.
    Export,
    /// A line typed into the interactive shell of `kubectl exec -it` (`Cluster::shell`): echoed
    /// after the shell's prompt.
    Shell,
    /// What an attach session runs as it ends (`ExecSession::end`): the shell's last line was
    /// echoed already, kubectl's output follows it.
    SessionEnd,
}

/// The state behind [`ClusterContext`].
#[derive(Clone)]
pub struct Cluster {
    world: Rc<RefCell<Sim>>,
    pub session: Rc<Session>,
    /// The virtual time on screen; may lag the world's clock while a command's messages replay.
    pub display: f64,
    pub playing: bool,
    pub speed: Speed,
    pub transcript: Rc<Vec<TermLine>>,
    /// Bumped when the scrollback changes, so the terminal re-renders only then.
    pub transcript_rev: u64,
    pub last_apply: Option<ApplyOutcome>,
    /// `kubectl get -w` streams still printing (until Ctrl+C).
    pub watching: Rc<Vec<Watching>>,
    /// The interactive shell `kubectl exec -it` opened, which the terminal's lines go to (until
    /// `exit` or Ctrl+D).
    pub shell: Option<Rc<ExecSession>>,
    /// The last Export's YAML and a serial number (the header turns a new one into a download).
    pub last_export: Option<(u64, Rc<String>)>,
    pub revision: u64,
    /// Where each logged action's story begins (see `stories`).
    stories: Rc<Vec<stories::StoryStart>>,
    /// Set while the learner views the past (the timeline): the present, set aside.
    past: Option<rewind::Past>,
    /// The lesson being done (its progress is in the session).
    pub lesson: Option<Rc<Lesson>>,
    /// What the lesson's current step still misses, as its first failing check explains it.
    pub lesson_failure: Option<String>,
    /// The apiserver cache's revision, the next message id (for a step that reads the trace, else
    /// 0) and the steps done when the lesson was last checked.
    lesson_checked: Option<(i64, u64, usize)>,
    /// The id of the first message of the last action that changed the cluster: where the story of
    /// a step it completes starts.
    command_start: u64,
}

impl PartialEq for Cluster {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.world, &other.world) && self.revision == other.revision
    }
}

/// What can happen to the cluster.
pub enum ClusterAction {
    /// `real_ms` of real time passed while playing.
    Tick {
        real_ms: f64,
    },
    /// One visible step: the next message starts or arrives.
    Step,
    SetPlaying(bool),
    /// Space: play if paused, pause if playing.
    TogglePlaying,
    SetSpeed(Speed),
    /// Runs a kubectl command line (components send it through `ui::dispatch`, which waits for kubectl).
    Run {
        line: String,
        stdin: Option<String>,
        origin: Origin,
    },
    /// Powers a node or a component off or on.
    Fault(Op),
    /// Adds a worker node.
    AddNode,
    /// Starts a preset by name (`ui::presets`): its steps are logged like the learner's actions.
    StartPreset(String),
    /// Ctrl+C in the terminal: stops the `get -w` streams.
    Interrupt,
    /// `exit` or Ctrl+D in an interactive shell: the session ends (`echo` is the line shown). An
    /// attach session gives `last` (the shell's last input) to the kubectl lines it runs as it ends.
    EndShell {
        echo: String,
        last: String,
    },
    /// Writes a block to the terminal.
    Print(LineKind, String),
    /// Empties the terminal (Ctrl+L, `clear`).
    ClearTerminal,
    /// A fresh cluster on the same seed; the log is emptied.
    Reset,
    /// Rebuilds a saved session by replaying it; `notice` is shown first.
    Restore {
        session: Session,
        notice: Option<String>,
    },
    /// Shows the cluster as it was at this virtual time (the timeline); at the present's time or
    /// later, the present.
    Seek(f64),
    /// Leaves a view of the past for the present.
    BackToNow,
    /// Opens a lesson: `fresh` starts it on a fresh cluster with its setup (the learner agreed to
    /// lose their work if they had any), else it continues the progress the session has.
    OpenLesson {
        lesson: Rc<Lesson>,
        fresh: bool,
    },
    /// Closes the lesson; the cluster is kept.
    CloseLesson,
}

/// The first lines of the terminal on a fresh start.
const WELCOME: &str = "\
Welcome! This is a simulated kind cluster: one control-plane node and three workers.
Type kubectl commands here (try: kubectl get nodes), or paste a manifest in the editor and Apply.
Every message between the components is drawn on the diagram. Type help for more.";

impl Cluster {
    /// The cluster to start the page with: a shared or saved session replayed, else a fresh one.
    pub fn start() -> Self {
        let loaded = crate::ui::persist::take_loaded();
        match loaded.session {
            Some(session) => Cluster::replay(session, loaded.notice, 0),
            None => {
                let mut c = Cluster::new(crate::ui::bridge::DEFAULT_SEED);
                if let Some(notice) = loaded.notice {
                    c.print(LineKind::Stderr, &notice);
                }
                c.print(LineKind::Info, WELCOME);
                c
            }
        }
    }

    /// The world's own clock (ahead of `display` while a command's messages are replayed).
    pub fn world_now(&self) -> u64 {
        self.with_world(Sim::now).unwrap_or(0)
    }

    /// A fresh cluster.
    pub fn new(seed: u64) -> Self {
        let world = Sim::new(seed);
        let display = world.now() as f64;
        Self {
            world: Rc::new(RefCell::new(world)),
            session: Rc::new(Session::new(seed)),
            display,
            playing: true,
            speed: Speed::Times(1.0),
            transcript: Rc::new(Vec::new()),
            transcript_rev: 0,
            last_apply: None,
            last_export: None,
            watching: Rc::new(Vec::new()),
            shell: None,
            revision: 0,
            stories: Rc::new(Vec::new()),
            past: None,
            lesson: None,
            lesson_failure: None,
            lesson_checked: None,
            command_start: 0,
        }
    }

    /// Reads the world; None only if it is being changed right now (never during a render).
    pub fn with_world<R>(&self, f: impl FnOnce(&Sim) -> R) -> Option<R> {
        self.world.try_borrow().ok().map(|w| f(&w))
    }

    /// `kubectl explain ARGS` for the editor's field descriptions (`bridge::explain`): the world,
    /// its trace, the session and the terminal stay as they are. None while the world is borrowed.
    pub fn explain(&self, args: &str) -> Option<Result<String, String>> {
        let mut sim = self.world.try_borrow_mut().ok()?;
        Some(crate::ui::bridge::explain(&mut sim, args))
    }

    /// A read-only handle to the world that compares by identity (for props that must not change
    /// on every frame).
    pub fn world_ref(&self) -> WorldRef {
        WorldRef(self.world.clone())
    }

    fn print(&mut self, kind: LineKind, text: &str) {
        transcript::push(&mut self.transcript, kind, text);
        self.transcript_rev += 1;
    }

    /// Logs an action done at `at`; returns its position in the log, or None if it is not logged
    /// (a read while viewing the past).
    fn log(&mut self, at: u64, op: Op) -> Option<usize> {
        if !self.leave_the_past_for(at, &op) {
            return None;
        }
        let s = Rc::make_mut(&mut self.session);
        s.ops.push(Logged { at, op });
        s.now = at;
        Some(s.ops.len() - 1)
    }
}

/// The world behind an `Rc`, compared by pointer: equal as long as it is the same cluster.
#[derive(Clone)]
pub struct WorldRef(Rc<RefCell<Sim>>);

impl PartialEq for WorldRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl WorldRef {
    pub fn with<R>(&self, f: impl FnOnce(&Sim) -> R) -> Option<R> {
        self.0.try_borrow().ok().map(|w| f(&w))
    }
}

impl Reducible for Cluster {
    type Action = ClusterAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.revision += 1;
        match action {
            ClusterAction::Tick { real_ms } => {
                next.tick(real_ms);
                next.print_watches();
                next.continue_preset();
            }
            ClusterAction::Step => {
                next.step();
                next.print_watches();
                next.continue_preset();
            }
            ClusterAction::SetPlaying(p) => next.playing = p,
            ClusterAction::TogglePlaying => next.playing = !next.playing,
            ClusterAction::SetSpeed(s) => next.speed = s,
            ClusterAction::Run { line, stdin, origin } => next.perform(Op::Kubectl { line, stdin }, origin),
            // A fault's note goes to the terminal, as a command's output does.
            ClusterAction::Fault(op) => next.perform(op, Origin::Terminal),
            ClusterAction::AddNode => next.add_node(),
            ClusterAction::StartPreset(name) => next.start_preset(&name),
            ClusterAction::Interrupt => next.interrupt(),
            ClusterAction::EndShell { echo, last } => {
                next.print(LineKind::Typed, &echo);
                if let Some(shell) = next.shell.take() {
                    next.end_attach(&shell, last);
                }
            }
            ClusterAction::Print(kind, text) => next.print(kind, &text),
            ClusterAction::ClearTerminal => {
                next.transcript = Rc::new(Vec::new());
                next.transcript_rev += 1;
            }
            ClusterAction::Reset => {
                let mut fresh = Cluster::new(next.session.seed);
                fresh.transcript_rev = next.transcript_rev + 1;
                fresh.revision = next.revision;
                fresh.print(LineKind::Info, "Reset: a fresh cluster on the same seed. Your saved session was cleared.");
                // In a lesson, Reset starts the lesson over.
                if let Some(lesson) = next.lesson.clone() {
                    fresh.start_lesson(lesson);
                }
                return Rc::new(fresh);
            }
            ClusterAction::Restore { session, notice } => {
                let mut restored = Cluster::replay(session, notice, next.revision);
                if let Some(lesson) =
                    next.lesson.clone().filter(|l| restored.session.lesson.as_ref().is_some_and(|p| p.id == l.id))
                {
                    restored.attach_lesson(lesson);
                }
                return Rc::new(restored);
            }
            ClusterAction::OpenLesson { lesson, fresh: true } => {
                let mut c = Cluster::new(next.session.seed);
                c.transcript_rev = next.transcript_rev + 1;
                c.revision = next.revision;
                c.speed = next.speed;
                c.start_lesson(lesson);
                return Rc::new(c);
            }
            ClusterAction::OpenLesson { lesson, fresh: false } => next.attach_lesson(lesson),
            ClusterAction::CloseLesson => next.close_lesson(),
            ClusterAction::Seek(t) => next.seek(t),
            ClusterAction::BackToNow => next.back_to_now(),
        }
        next.check_lesson();
        Rc::new(next)
    }
}

mod actions;
mod lesson_run;
mod playback;
mod preset_run;
#[cfg(test)]
mod preset_scenarios;
mod rewind;
#[cfg(test)]
mod scenarios;
