//! The kubectl terminal: scrollback, a prompt with history and Tab completion, and stdin for
//! `apply -f -`. Commands go to the cluster reducer, which runs them and writes their output back.

pub mod complete;
pub mod input;

use std::rc::Rc;

use yew::prelude::*;

use super::bridge;
use super::bridge::ExecSession;
use super::cluster::transcript::{LineKind, TermLine};
use super::cluster::{Cluster, ClusterAction, Origin, WorldRef};
use super::dispatch;
use super::session::{Op, Session};
use input::Submission;

/// What `help` prints.
pub const HELP: &str = "\
This terminal runs kubectl against the simulated cluster. Try:
  kubectl get nodes
  kubectl create deployment web --image=nginx --replicas=3
  kubectl get pods -o wide
  kubectl scale deployment web --replicas=5
  kubectl describe pod <name>
  kubectl delete deployment web
Paste a manifest after `kubectl apply -f -` (finish with Ctrl+D or a line EOF), or use a heredoc:
  kubectl apply -f - <<EOF ... EOF
Reach a pod from this machine: kubectl port-forward pod/<name> 8080:80, then
  curl localhost:8080   (curl -i shows headers, -v the exchange; jobs, kill %1 manage forwards)
Keys: Enter runs, Shift+Enter adds a line, Up/Down walk the history, Tab completes,
      Ctrl+C cancels (and stops the latest port-forward), Ctrl+L clears.
Built-ins: help, clear, history. `k` is kubectl.";

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub transcript: Rc<Vec<TermLine>>,
    pub transcript_rev: u64,
    pub session: Rc<Session>,
    pub world: WorldRef,
    /// A `kubectl get -w` is streaming (Ctrl+C stops it).
    pub watching: bool,
    /// The interactive shell of a `kubectl exec -it`: what is typed goes to it, not to kubectl.
    pub shell: Option<Rc<ExecSession>>,
    pub dispatcher: UseReducerDispatcher<Cluster>,
}

#[component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let buffer = use_state(String::new);
    // The command waiting for its stdin (`kubectl apply -f -` typed alone).
    let pending = use_state(|| None::<String>);
    // Position in the history while walking it with Up/Down, and the line being typed before.
    let walk = use_mut_ref(|| None::<(usize, String)>);
    let output_ref = use_node_ref();
    let input_ref = use_node_ref();
    {
        let output_ref = output_ref.clone();
        use_effect_with(props.transcript_rev, move |_| {
            if let Some(el) = output_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let print = {
        let d = props.dispatcher.clone();
        move |kind: LineKind, text: String| d.dispatch(ClusterAction::Print(kind, text))
    };
    let history: Vec<String> = props
        .session
        .ops
        .iter()
        .filter_map(|l| match &l.op {
            Op::Kubectl { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect();
    let submit = {
        let history = history.clone();
        let (d, buffer, pending, walk, print) =
            (props.dispatcher.clone(), buffer.clone(), pending.clone(), walk.clone(), print.clone());
        let shell = props.shell.clone();
        move |text: String| {
            *walk.borrow_mut() = None;
            buffer.set(String::new());
            if let Some(shell) = &shell {
                return to_shell(&d, shell, &text);
            }
            if let Some(line) = (*pending).clone() {
                pending.set(None);
                dispatch::run_kubectl(&d, line, Some(text), Origin::Terminal);
                return;
            }
            match input::parse(&text) {
                Submission::Empty => print(LineKind::Command, String::new()),
                Submission::Clear => d.dispatch(ClusterAction::ClearTerminal),
                Submission::Help => {
                    print(LineKind::Command, text.trim().to_string());
                    print(LineKind::Info, HELP.to_string());
                }
                Submission::History => {
                    print(LineKind::Command, "history".into());
                    print(
                        LineKind::Stdout,
                        history.iter().enumerate().map(|(i, l)| format!("{:>5}  {l}\n", i + 1)).collect(),
                    );
                }
                Submission::Kubectl { line, stdin } => dispatch::run_kubectl(&d, line, stdin, Origin::Terminal),
                Submission::NeedsStdin { line } => pending.set(Some(line)),
                Submission::Unknown(word) => {
                    print(LineKind::Command, text.trim().to_string());
                    print(
                        LineKind::Stderr,
                        format!("{word}: command not found (this terminal runs kubectl; type help)"),
                    );
                }
            }
        }
    };
    let onkeydown = {
        let (buffer, pending, walk, world, d) =
            (buffer.clone(), pending.clone(), walk.clone(), props.world.clone(), props.dispatcher.clone());
        let shell = props.shell.clone();
        let input_ref = input_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            let ctrl = e.ctrl_key() || e.meta_key();
            let text = (*buffer).clone();
            let reading_stdin = pending.is_some();
            if let Some(shell) = &shell {
                return shell_key(&e, shell, &text, &buffer, &d);
            }
            match e.key().as_str() {
                "Enter" if !e.shift_key() && !reading_stdin => {
                    e.prevent_default();
                    submit(text);
                }
                "Enter" if reading_stdin && text.lines().last().is_some_and(|l| l.trim() == "EOF") => {
                    e.prevent_default();
                    let body: Vec<&str> = text.lines().collect();
                    submit(body[..body.len() - 1].iter().map(|l| format!("{l}\n")).collect());
                }
                "d" | "D" if ctrl && reading_stdin => {
                    e.prevent_default();
                    submit(text);
                }
                "c" | "C" if ctrl && !has_selection(&input_ref) => {
                    e.prevent_default();
                    let shown = pending.as_ref().map_or(text.clone(), |p| format!("{p}\n{text}"));
                    d.dispatch(ClusterAction::Print(LineKind::Command, format!("{shown}^C")));
                    d.dispatch(ClusterAction::Interrupt);
                    buffer.set(String::new());
                    pending.set(None);
                    *walk.borrow_mut() = None;
                }
                "l" | "L" if ctrl => {
                    e.prevent_default();
                    d.dispatch(ClusterAction::ClearTerminal);
                }
                "Tab" if !reading_stdin && !e.shift_key() => {
                    e.prevent_default();
                    let names =
                        |kind: &str, ns: Option<&str>| world.with(|w| bridge::names(w, kind, ns)).unwrap_or_default();
                    let done = complete::complete(&text, &names);
                    if !done.options.is_empty() {
                        d.dispatch(ClusterAction::Print(LineKind::Command, text.clone()));
                        d.dispatch(ClusterAction::Print(LineKind::Info, done.options.join("  ")));
                    }
                    buffer.set(done.line);
                }
                "ArrowUp" | "ArrowDown" if !reading_stdin && !text.contains('\n') && !history.is_empty() => {
                    e.prevent_default();
                    let mut walk = walk.borrow_mut();
                    let up = e.key() == "ArrowUp";
                    let next = match (walk.as_ref(), up) {
                        (None, true) => Some((history.len() - 1, text.clone())),
                        (None, false) => None,
                        (Some((i, draft)), true) => Some((i.saturating_sub(1), draft.clone())),
                        (Some((i, draft)), false) if i + 1 < history.len() => Some((i + 1, draft.clone())),
                        (Some((_, draft)), false) => {
                            buffer.set(draft.clone());
                            *walk = None;
                            return;
                        }
                    };
                    if let Some((i, draft)) = next {
                        buffer.set(history[i].clone());
                        *walk = Some((i, draft));
                    }
                }
                _ => {}
            }
        })
    };
    let oninput = {
        let buffer = buffer.clone();
        Callback::from(move |e: InputEvent| {
            buffer.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input_ref.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        })
    };
    let rows = buffer.lines().count().clamp(1, 12).to_string();
    let (prompt, label, placeholder) = match (&props.shell, pending.is_some()) {
        (Some(s), _) => (
            s.prompt.trim_end().to_string(),
            format!("shell in pod {}", s.pod),
            "runs in the container; exit or Ctrl+D ends the session".to_string(),
        ),
        (None, true) => (">".into(), "stdin for kubectl".into(), "paste YAML, then Ctrl+D".into()),
        (None, false) => {
            ("$".into(), "kubectl command".into(), "kubectl get pods   (Tab completes, help lists more)".into())
        }
    };
    html! {
        <div class="terminal" data-testid="terminal">
            <div class="terminal-output" ref={output_ref} role="log" aria-live="polite" aria-label="Terminal output">
                { for props.transcript.iter().map(line) }
                if props.watching {
                    <pre class="line info">{ "Watching for changes: press Ctrl+C to stop." }</pre>
                }
                if let Some(p) = &*pending {
                    <pre class="line command">{ format!("$ {p}") }</pre>
                    <pre class="line info">{ "Reading the manifest from stdin: paste it, then press Ctrl+D (or type EOF on its own line). Ctrl+C cancels." }</pre>
                }
            </div>
            <div class="terminal-prompt" onclick={focus_input}>
                <span class="prompt" data-testid="terminal-prompt" aria-hidden="true">{ prompt }</span>
                <textarea data-testid="terminal-input" ref={input_ref} class="terminal-input" rows={rows} spellcheck="false"
                    autocomplete="off" autocapitalize="off" aria-label={label} {placeholder}
                    value={(*buffer).clone()} {oninput} {onkeydown} />
            </div>
        </div>
    }
}

fn line(l: &TermLine) -> Html {
    let (class, text) = match l.kind {
        LineKind::Command => ("line command", format!("$ {}", l.text)),
        LineKind::Stdout => ("line stdout", l.text.clone()),
        LineKind::Stderr => ("line stderr", l.text.clone()),
        LineKind::Info => ("line info", l.text.clone()),
        LineKind::Typed => ("line command", l.text.clone()),
    };
    html! { <pre class={class}>{ text }</pre> }
}

/// A line typed into the container's shell: `exit` ends the session (with its code, which the
/// shell reports), anything else runs in the shell through the apiserver and the kubelet.
fn to_shell(d: &UseReducerDispatcher<Cluster>, shell: &ExecSession, text: &str) {
    let line = text.trim();
    if line.is_empty() {
        d.dispatch(ClusterAction::Print(LineKind::Typed, shell.prompt.clone()));
        return;
    }
    let exits = ExecSession::is_exit(line);
    if line != "exit" {
        dispatch::run_kubectl(d, shell.line(), Some(format!("{text}\n")), Origin::Shell);
    }
    if exits {
        let echo = if line == "exit" { format!("{}exit", shell.prompt) } else { String::new() };
        d.dispatch(ClusterAction::EndShell { echo });
    }
}

/// Keys in the shell: Ctrl+D on an empty line ends it (end of input), Ctrl+C abandons the line,
/// Enter sends it; the rest is typing.
fn shell_key(
    e: &KeyboardEvent,
    shell: &ExecSession,
    text: &str,
    buffer: &UseStateHandle<String>,
    d: &UseReducerDispatcher<Cluster>,
) {
    let ctrl = e.ctrl_key() || e.meta_key();
    match e.key().as_str() {
        "Enter" if !e.shift_key() => {
            e.prevent_default();
            buffer.set(String::new());
            to_shell(d, shell, text);
        }
        "d" | "D" if ctrl && text.is_empty() => {
            e.prevent_default();
            d.dispatch(ClusterAction::EndShell { echo: shell.prompt.clone() });
        }
        "c" | "C" if ctrl => {
            e.prevent_default();
            d.dispatch(ClusterAction::Print(LineKind::Typed, format!("{}{text}^C", shell.prompt)));
            buffer.set(String::new());
        }
        "l" | "L" if ctrl => {
            e.prevent_default();
            d.dispatch(ClusterAction::ClearTerminal);
        }
        "Tab" => e.prevent_default(),
        _ => {}
    }
}

/// Whether the learner has selected text in the input (then Ctrl+C copies instead of cancelling).
fn has_selection(input: &NodeRef) -> bool {
    input
        .cast::<web_sys::HtmlTextAreaElement>()
        .is_some_and(|t| matches!((t.selection_start(), t.selection_end()), (Ok(Some(a)), Ok(Some(b))) if a != b))
}
