//! `kubectl exec POD|TYPE/NAME [-c C] -- CMD ARGS...` (`cmd/exec/exec.go`): runs a command in a
//! container and prints its output. As real kubectl, it posts to the pod's `exec` subresource; the
//! apiserver dials the node's kubelet, which has the runtime run the command (`apiserver/connect.rs`,
//! `node/kubelet/streaming.rs`), every hop a message in the trace. Interactive shells (`-it -- sh`)
//! (`-it -- sh` with no input given) open a session the terminal keeps (`ExecSession`).

use crate::sim::api::pointer::Pointer;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace};
use super::target::{attachable_pod, default_container, has_container, one_target};
use super::{Ctx, ExecSession, Output};
use crate::sim::protocol::connect::{self, ExecAnswer};

const FLAGS: &[args::FlagSpec] = &[
    flag("container", Some('c'), FlagKind::Value),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
    flag("pod-running-timeout", None, FlagKind::Value),
    flag("filename", Some('f'), FlagKind::Multi),
];

/// Shells that would wait for keyboard input when started with `-it` and no script.
pub(super) const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "fish", "busybox"];

/// Whether `argv` starts an interactive shell (a shell with no `-c` script and no script file).
pub(super) fn is_interactive_shell(argv: &[String]) -> bool {
    let Some(first) = argv.first() else { return false };
    let base = first.rsplit('/').next().unwrap_or(first);
    if !SHELLS.contains(&base) {
        return false;
    }
    let rest: Vec<&str> = argv[1..]
        .iter()
        .map(String::as_str)
        .filter(|a| !matches!(*a, "-l" | "-i" | "--login" | "-il" | "-li" | "sh" | "ash"))
        .collect();
    rest.is_empty()
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl exec --help' for usage."))?;
    let Some(resource) = p.positional.first() else {
        return Err("error: pod, type/name or --filename must be specified".into());
    };
    let command: Vec<String> = if words.iter().any(|w| w == "--") {
        p.after_dashes.clone()
    } else {
        if p.positional.len() > 1 && !p.bool("quiet") {
            out.stderr.push_str("kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n");
        }
        p.positional[1..].to_vec()
    };
    if command.is_empty() {
        return Err("error: you must specify at least one command for the container".into());
    }
    // `SetupTTY`: a stdin stream only with -i; a terminal only when the input is one. Here-documents
    // and pipes (`<<EOF`, the native runner's scripts) are not, and an interactive shell needs one.
    let stdin = if p.bool("stdin") { cx.stdin } else { None };
    let tty = p.bool("stdin") && p.bool("tty") && stdin.is_none();
    if p.bool("stdin") && p.bool("tty") && stdin.is_some() && !p.bool("quiet") {
        out.stderr.push_str("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    // An interactive shell on the terminal: the session the terminal keeps open.
    let interactive = p.bool("stdin") && stdin.is_none() && is_interactive_shell(&command);
    let ns = namespace(&p);
    let (rt, name, _) = one_target(std::slice::from_ref(resource), true)?;
    let obj = common::get_one(cx, rt, &ns, &name).map_err(|e| e.to_string())?;
    let pod = attachable_pod(cx, &ns, rt, obj)?;
    // kubectl 1.33 resolves the target through its resource builder, then reads the pod again
    // (`ExecOptions.Run`) before it checks the phase: two GETs, as sandbox compare shows.
    let pod_name = common::name_of(&pod).to_string();
    let pod = common::get_one(cx, super::target::pods_rt(), &ns, &pod_name).map_err(|e| e.to_string())?;
    let phase = pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(format!("error: cannot exec into a container in a completed pod; current phase is {phase}"));
    }
    let container = match p.get("container") {
        Some(c) if !has_container(&pod, c) => {
            return Err(format!("Error from server (BadRequest): container {c} is not valid for pod {pod_name}"));
        }
        Some(c) => c.to_string(),
        None => {
            let mut notes = Vec::new();
            let c = default_container(&pod, &mut notes)
                .ok_or_else(|| format!("error: pod {pod_name} does not have any containers"))?;
            if !p.bool("quiet") {
                for n in notes {
                    out.stderr.push_str(&format!("{n}\n"));
                }
            }
            c
        }
    };
    let node = pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().to_string();
    if node.is_empty() {
        return Err(format!("Error from server (BadRequest): pod {pod_name} does not have a host assigned"));
    }
    if interactive {
        return open_session(cx, (&ns, &pod_name, &container), &command, tty, out);
    }
    let req = connect::exec_request(&ns, &pod_name, Some(&container), &command, stdin, tty);
    let answer = common::call(cx, req).map_err(|e| e.to_string())?;
    match connect::exec_answer(&answer) {
        ExecAnswer::Ran { stdout, exit_code } => {
            out.stdout.push_str(&stdout);
            match exit_code {
                0 => Ok(()),
                code => Err(format!("command terminated with exit code {code}")),
            }
        }
        ExecAnswer::Failed(e) => Err(format!("error: {e}")),
        // The kubelet's answer to the upgrade, as kubectl's SPDY dialer reports it.
        ExecAnswer::Refused(e) if e.starts_with("pods \"") => {
            Err("error: unable to upgrade connection: pod does not exist".into())
        }
        ExecAnswer::Refused(e) => Err(format!("error: {e}")),
    }
}

/// Starts the shell on a terminal: the stream opens, the shell prints its prompt (only on a tty,
/// `-t`: a shell whose stdin is a pipe prints none) and waits. The terminal keeps the session
/// ([`ExecSession`]) and sends each line typed to the shell.
fn open_session(
    cx: &mut Ctx,
    (ns, pod, container): (&str, &str, &str),
    shell: &[String],
    tty: bool,
    out: &mut Output,
) -> Result<(), String> {
    let req = connect::exec_request(ns, pod, Some(container), shell, Some(""), tty);
    let answer = common::call(cx, req).map_err(|e| e.to_string())?;
    match connect::exec_answer(&answer) {
        // A shell that ends at once (a bad option, `sh -c` refused) opens no session.
        ExecAnswer::Ran { stdout, exit_code } if exit_code != 0 => {
            out.stdout.push_str(&stdout);
            Err(format!("command terminated with exit code {exit_code}"))
        }
        ExecAnswer::Ran { stdout, .. } => {
            out.session = Some(ExecSession {
                namespace: ns.to_string(),
                pod: pod.to_string(),
                container: container.to_string(),
                shell: shell.to_vec(),
                prompt: stdout.trim_end_matches('\n').to_string(),
                end: Vec::new(),
                farewell: None,
            });
            Ok(())
        }
        ExecAnswer::Failed(e) => Err(format!("error: {e}")),
        ExecAnswer::Refused(e) => Err(format!("error: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    /// The shell's `exit` builtin, with or without a code; a command that only starts the same is not it.
    #[test]
    fn spots_the_exit_line() {
        for (line, want) in
            [("exit", true), ("  exit 3\n", true), ("exitcode", false), ("echo exit", false), ("", false)]
        {
            assert_eq!(ExecSession::is_exit(line), want, "{line:?}");
        }
    }

    #[test]
    fn spots_interactive_shells() {
        for (cmd, want) in [
            (&["sh"][..], true),
            (&["/bin/bash"][..], true),
            (&["bash", "-l"][..], true),
            (&["sh", "-c", "env"][..], false),
            (&["ls", "/"][..], false),
            (&["sh", "script.sh"][..], false),
        ] {
            assert_eq!(is_interactive_shell(&argv(cmd)), want, "{cmd:?}");
        }
        assert!(!is_interactive_shell(&[]));
    }
}
