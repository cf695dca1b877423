//! The one way a component asks the cluster to run kubectl: the terminal's commands, the editor's
//! Apply and Dry run, the header's Export and the Presets menu all call [`run_kubectl`] or
//! [`start_preset`] here, and nothing else sends those actions (tests/architecture.rs checks it).
//!
//! ```text
//!   terminal, editor, header ─► run_kubectl ─┐
//!   presets menu ────────────► start_preset ─┤
//!   lesson panel ────────────► open_lesson ──┼─► (kubectl loaded?) ─► ClusterAction ─► reducer
//!                                            │                         Cluster::perform: runs the
//!   a preset's own steps (in the reducer) ───┴──────────────────────►  Op through the bridge, logs it
//! ```
//! In the release build kubectl is a module fetched on first use (`bridge::kubectl`), so an action
//! that runs it first waits for the download; the reducer then runs it, and records it in the
//! session, in one function (`Cluster::perform`), which the preset's steps and the diagram's faults
//! use too. The first `kubectl explain` likewise waits for the API documentation (`bridge::explain_docs`).

use yew::prelude::*;

use crate::ui::bridge;
use crate::ui::cluster::transcript::LineKind;
use crate::ui::cluster::{Cluster, ClusterAction, Origin};
use crate::ui::session::{Op, Session};

/// Runs a kubectl command line (with what is piped to it), echoed and answered as `origin` wants.
pub fn run_kubectl(d: &UseReducerDispatcher<Cluster>, line: String, stdin: Option<String>, origin: Origin) {
    dispatch(d, ClusterAction::Run { line, stdin, origin });
}

/// Starts a preset by name (`ui::presets`): its kubectl steps need the module too.
pub fn start_preset(d: &UseReducerDispatcher<Cluster>, name: &str) {
    dispatch(d, ClusterAction::StartPreset(name.to_string()));
}

/// Opens a lesson (`ClusterAction::OpenLesson`): a fresh start runs its setup block, which may
/// hold kubectl commands.
pub fn open_lesson(d: &UseReducerDispatcher<Cluster>, lesson: std::rc::Rc<crate::lessons::Lesson>, fresh: bool) {
    dispatch(d, ClusterAction::OpenLesson { lesson, fresh });
}

/// Whether a restored session runs kubectl while it is replayed (or goes on running a preset).
pub fn session_needs_kubectl(session: &Session) -> bool {
    session.preset.is_some() || session.ops.iter().any(|l| matches!(l.op, Op::Kubectl { .. }))
}

/// Whether an action may run kubectl when it is reduced.
#[cfg_attr(not(split_kubectl), allow(dead_code))]
fn runs_kubectl(action: &ClusterAction) -> bool {
    match action {
        ClusterAction::Run { .. } | ClusterAction::StartPreset(_) | ClusterAction::Restore { .. } => true,
        ClusterAction::OpenLesson { lesson, fresh } => *fresh && !lesson.setup.is_empty(),
        _ => false,
    }
}

/// Dispatches `action`; one that runs kubectl waits for the kubectl module if it is not loaded yet
/// (the terminal says so), and is dropped with an error line if it cannot be loaded.
fn dispatch(d: &UseReducerDispatcher<Cluster>, action: ClusterAction) {
    #[cfg(split_kubectl)]
    if !bridge::kubectl::ready() && runs_kubectl(&action) {
        if !bridge::kubectl::loading() {
            d.dispatch(ClusterAction::Print(
                LineKind::Info,
                "Downloading kubectl (once, on the first command)…".into(),
            ));
        }
        let d = d.clone();
        bridge::kubectl::when_loaded(move |loaded| match loaded {
            Ok(()) => dispatch(&d, action),
            Err(why) => d.dispatch(ClusterAction::Print(
                LineKind::Stderr,
                format!("{why}. Check the connection and run the command again."),
            )),
        });
        return;
    }
    // kubectl explain's descriptions are fetched on the first explain; without them it still
    // answers (the field list without descriptions), so a failed fetch only adds a line.
    if let ClusterAction::Run { line, .. } = &action
        && bridge::explain_docs::needed(line)
    {
        d.dispatch(ClusterAction::Print(
            LineKind::Info,
            "Downloading the API documentation (once, on the first kubectl explain)…".into(),
        ));
        let d = d.clone();
        bridge::explain_docs::when_loaded(move |loaded| {
            if let Err(why) = loaded {
                d.dispatch(ClusterAction::Print(
                    LineKind::Stderr,
                    format!("{why}: explain shows the fields without their descriptions"),
                ));
            }
            d.dispatch(action);
        });
        return;
    }
    d.dispatch(action);
}

/// Calls `start` once kubectl is there if `needed`: at once in builds that link it, else after
/// the module has loaded. A failure to load it rejects a promise nobody handles, which the page's
/// loading notice (index.html) reports as the reason the sandbox could not start.
pub fn start_when_loaded(needed: bool, start: impl FnOnce() + 'static) {
    #[cfg(split_kubectl)]
    if needed && !bridge::kubectl::ready() {
        bridge::kubectl::start_when_loaded(start);
        return;
    }
    let _ = needed;
    start();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::session::{Logged, PresetRun};

    #[test]
    fn only_actions_that_run_kubectl_wait_for_it() {
        assert!(runs_kubectl(&ClusterAction::Run {
            line: "kubectl get pods".into(),
            stdin: None,
            origin: Origin::Terminal
        }));
        assert!(runs_kubectl(&ClusterAction::StartPreset("scale".into())));
        assert!(!runs_kubectl(&ClusterAction::AddNode));
        assert!(!runs_kubectl(&ClusterAction::ClearTerminal));
        assert!(!runs_kubectl(&ClusterAction::Print(LineKind::Info, "x".into())));
        let lesson = |text: &str| std::rc::Rc::new(crate::lessons::parse(text).expect("a course lesson"));
        let setup = lesson(include_str!("../../static/lessons/fix-image.md"));
        let plain = lesson(include_str!("../../static/lessons/deployment.md"));
        assert!(runs_kubectl(&ClusterAction::OpenLesson { lesson: setup.clone(), fresh: true }));
        assert!(!runs_kubectl(&ClusterAction::OpenLesson { lesson: setup, fresh: false }), "continuing runs nothing");
        assert!(!runs_kubectl(&ClusterAction::OpenLesson { lesson: plain, fresh: true }), "no setup, no kubectl");
    }

    #[test]
    fn a_session_needs_kubectl_when_it_replays_a_command_or_continues_a_preset() {
        let mut s = Session::new(1);
        assert!(!session_needs_kubectl(&s));
        s.ops.push(Logged { at: 5, op: Op::Node { name: "sandbox-worker".into(), running: false } });
        assert!(!session_needs_kubectl(&s), "faults alone replay without kubectl");
        s.preset = Some(PresetRun { preset: "scale".into(), steps: Vec::new(), deadline: None });
        assert!(session_needs_kubectl(&s));
        s.preset = None;
        s.ops.push(Logged { at: 9, op: Op::Kubectl { line: "kubectl get pods".into(), stdin: None } });
        assert!(session_needs_kubectl(&s));
    }
}
