//! The learner's actions on the cluster: run through the bridge, shown in the terminal, and recorded
//! in the session for replay.
//!
//! [`Cluster::perform`] is the one path for every logged action but a new node: the terminal's
//! commands, the editor's Apply, Export, a preset's steps (`preset_run.rs`) and the diagram's
//! faults. A new node is named by the world when it joins, so it is logged after it is added.

use std::rc::Rc;

use super::transcript::LineKind;
use super::{ApplyOutcome, Cluster, Origin};
use crate::ui::bridge::{self, Output};
use crate::ui::session::Op;

impl Cluster {
    /// Runs one action, shows its outcome, and logs it at the virtual time it ran (a refused fault
    /// is reported, not logged).
    pub(super) fn perform(&mut self, op: Op, origin: Origin) {
        let title = super::stories::title(&op, origin);
        self.perform_titled(op, origin, Some(title));
    }

    /// [`Cluster::perform`], beginning a story with `title` if there is one (a preset's steps
    /// continue the preset's).
    pub(super) fn perform_titled(&mut self, op: Op, origin: Origin, title: Option<String>) {
        if let Op::Kubectl { line, stdin } = &op
            && line != bridge::INTERRUPT_FORWARD
        {
            // (Ctrl+C stopping a forward is echoed by the terminal as `^C`.)
            match (origin, &self.shell) {
                (Origin::Shell, Some(shell)) => {
                    let typed = stdin.as_deref().unwrap_or_default().trim_end_matches('\n');
                    let shown = format!("{}{typed}", shell.prompt);
                    self.print(LineKind::Typed, &shown);
                }
                _ => self.print(LineKind::Command, &echo(line, stdin.as_deref(), origin)),
            }
        }
        let Ok(mut w) = self.world.try_borrow_mut() else {
            if matches!(op, Op::Kubectl { .. }) {
                self.print(LineKind::Stderr, "the cluster is busy; try again");
            }
            return;
        };
        let at = w.now();
        if !super::history::reads_only(&op) {
            // `apply` first finishes the instant: the command's own messages come after those.
            w.run_until(at);
            self.command_start = bridge::lessons::next_message_id(&w);
        }
        let start = w.next_message_id();
        let forwards = bridge::forwards(&w);
        let result = bridge::apply(&mut w, &op);
        let forward_started = bridge::forwards(&w) > forwards;
        drop(w);
        match result {
            Ok(Some(mut ran)) => {
                if origin == Origin::Shell && !ends_shell(&op) {
                    ran.stderr = shell_stderr(&ran.stderr);
                }
                self.show(ran, origin);
                if forward_started && origin == Origin::Terminal {
                    self.print(LineKind::Info, FORWARD_HINT);
                }
            }
            Ok(None) => self.print(LineKind::Info, &fault_note(&op)),
            Err(e) => {
                self.print(LineKind::Stderr, &format!("cannot do that: {e}"));
                return;
            }
        }
        let by_kubectl = matches!(op, Op::Kubectl { .. });
        if let (Some(logged), Some(title)) = (self.log(at, op), title) {
            self.begin_story(start, title, logged, by_kubectl);
        }
    }

    /// Adds a worker node, and logs it under the name it got.
    pub(super) fn add_node(&mut self) {
        let Ok(mut w) = self.world.try_borrow_mut() else { return };
        let at = w.now();
        let start = w.next_message_id();
        let name = bridge::add_node(&mut w);
        drop(w);
        let op = Op::AddNode { name };
        self.print(LineKind::Info, &fault_note(&op));
        let title = super::stories::title(&op, Origin::Terminal);
        if let Some(logged) = self.log(at, op) {
            self.begin_story(start, title, logged, false);
        }
    }

    /// Where a command's output goes: the terminal, and for Export a download, for the editor's
    /// Apply the outcome it shows; a `get -w` keeps streaming.
    fn show(&mut self, ran: Output, origin: Origin) {
        let (out, err) = (ran.stdout, ran.stderr);
        if !ran.watching.is_empty() {
            Rc::make_mut(&mut self.watching).extend(ran.watching);
        }
        if origin == Origin::Terminal
            && let Some(shell) = ran.session
        {
            self.shell = Some(Rc::new(shell));
        }
        if origin != Origin::Export {
            self.print(LineKind::Stdout, &out);
        }
        self.print(LineKind::Stderr, &err);
        match origin {
            Origin::Export => {
                let serial = self.last_export.as_ref().map_or(0, |(s, _)| s + 1);
                self.last_export = Some((serial, Rc::new(out)));
            }
            Origin::Editor => {
                let serial = self.last_apply.as_ref().map_or(0, |a| a.serial + 1);
                let ok = err.trim().is_empty();
                let text = if ok { out } else { err };
                self.last_apply = Some(ApplyOutcome { ok, text, serial });
            }
            Origin::Terminal | Origin::Shell => {}
        }
    }
}

/// What the terminal adds when a `kubectl port-forward` starts: real kubectl holds the terminal
/// until Ctrl+C; this one goes on taking commands.
const FORWARD_HINT: &str = "(kubectl keeps forwarding while this terminal takes more commands: try curl localhost:PORT; Ctrl+C stops the latest forward, jobs lists them)";

/// Whether a line typed into the shell ends it (`exit N`): then kubectl reports the shell's exit code.
fn ends_shell(op: &Op) -> bool {
    matches!(op, Op::Kubectl { stdin: Some(s), .. } if crate::ui::bridge::ExecSession::is_exit(s))
}

/// What an interactive shell shows of a line's errors: each line runs as an exec of its own, whose
/// end kubectl reports (`command terminated with exit code 1`); in the shell the session goes on,
/// and only its end is reported.
fn shell_stderr(stderr: &str) -> String {
    stderr.lines().filter(|l| !l.starts_with("command terminated with exit code ")).map(|l| format!("{l}\n")).collect()
}

/// How a command is echoed in the terminal: Export and the editor say where the text went or came
/// from; a manifest typed in the terminal is shown as a heredoc.
fn echo(line: &str, stdin: Option<&str>, origin: Origin) -> String {
    match (stdin, origin) {
        (_, Origin::Export) => format!("{line} > cluster.yaml   # Export"),
        (Some(s), Origin::Editor) => format!("{line}   # the editor's {} lines", s.lines().count()),
        (Some(s), Origin::Terminal | Origin::Shell) => format!("{line} <<EOF\n{}EOF", s),
        (None, _) => line.to_string(),
    }
}

/// What the terminal says about a fault.
pub(super) fn fault_note(op: &Op) -> String {
    match op {
        Op::Node { name, running: false } => {
            format!("Node {name} powered off: its kubelet, kube-proxy and container runtime stop.")
        }
        Op::Node { name, running: true } => format!("Node {name} powered on."),
        Op::Component { name, running: false } => format!("{name} stopped: messages sent to it are ignored."),
        Op::Component { name, running: true } => format!("{name} started."),
        Op::AddNode { name } => format!("Node {name} is joining: its kubelet registers it with the kube-apiserver."),
        Op::Kubectl { .. } => String::new(),
    }
}
