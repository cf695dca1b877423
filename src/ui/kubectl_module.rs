//! kubectl as a module of its own, fetched the first time the learner needs it.
//!
//! kubectl (its commands, printers, YAML reader and help) was 146 KB of the page's 829 KB gzip.
//! The release site (`make dist`, built with `--cfg split_kubectl`) leaves it out of the page's
//! wasm and builds it as a second wasm module (`src/bin/kubectl_module.rs`) that the page fetches
//! on the first action that runs kubectl: a command, Apply, Export or a preset, or a saved session
//! to replay.
//! Like real kubectl, that module reaches the cluster only through its API: each call crosses as
//! JSON (`sim::kubectl::wire`) and the page answers it from the world. Other builds (`make serve`,
//! the tests) link kubectl in, and everything here is then immediate.

use yew::prelude::*;

#[cfg(any(split_kubectl, test))]
use crate::ui::cluster::transcript::LineKind;
use crate::ui::cluster::{Cluster, ClusterAction};
use crate::ui::session::{Op, Session};

/// Whether a restored session runs kubectl while it is replayed (or goes on running a preset).
pub fn session_needs_kubectl(session: &Session) -> bool {
    session.preset.is_some() || session.ops.iter().any(|l| matches!(l.op, Op::Kubectl { .. }))
}

/// Whether an action may run kubectl when it is reduced.
#[cfg_attr(not(split_kubectl), allow(dead_code))]
fn runs_kubectl(action: &ClusterAction) -> bool {
    matches!(action, ClusterAction::Run { .. } | ClusterAction::StartPreset(_) | ClusterAction::Restore { .. })
}

#[cfg(not(split_kubectl))]
mod linked {
    //! kubectl linked into the page: always there.
    use serde_json::Value;

    use crate::sim::kubectl::printers::table::{TableOptions, table};
    use crate::sim::kubectl::{self, NoFiles, Output};
    use crate::sim::world::World;

    pub fn ready() -> bool {
        true
    }

    pub fn execute(world: &mut World, line: &str, stdin: Option<&str>) -> Output {
        kubectl::execute(world, line, stdin, &NoFiles)
    }

    pub fn watch_rows(kind: &str, options: &TableOptions, objects: Vec<Value>) -> String {
        table(kind, &objects, options)
    }
}

#[cfg(not(split_kubectl))]
pub use linked::{execute, ready, watch_rows};

#[cfg(split_kubectl)]
mod remote;

#[cfg(split_kubectl)]
pub use remote::{execute, ready, watch_rows};

/// Dispatches `action`; one that runs kubectl waits for the kubectl module if it is not loaded yet
/// (the terminal says so), and is dropped with an error line if it cannot be loaded.
pub fn dispatch(d: &UseReducerDispatcher<Cluster>, action: ClusterAction) {
    #[cfg(split_kubectl)]
    if !ready() && runs_kubectl(&action) {
        if !remote::loading() {
            d.dispatch(ClusterAction::Print(
                LineKind::Info,
                "Downloading kubectl (once, on the first command)…".into(),
            ));
        }
        let d = d.clone();
        remote::when_loaded(move |loaded| match loaded {
            Ok(()) => d.dispatch(action),
            Err(why) => d.dispatch(ClusterAction::Print(
                LineKind::Stderr,
                format!("{why}. Check the connection and run the command again."),
            )),
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
    if needed && !ready() {
        remote::start_when_loaded(start);
        return;
    }
    let _ = needed;
    start();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::cluster::Origin;
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
