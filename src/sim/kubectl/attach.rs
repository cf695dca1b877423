//! `kubectl attach POD|TYPE/NAME [-c C] [-i] [-t] [-q]` (`cmd/attach/attach.go`): joins the main
//! process of a running container through the pod's `attach` subresource (apiserver, kubelet, CRI
//! `Attach`). With `-i` what kubectl reads goes to the process's stdin: a here-document all at once,
//! or, on the browser's terminal with `-t`, the interactive session the terminal keeps
//! ([`ExecSession`]), which `kubectl run -it` opens the same way ([`attach_to`]).
//!
//! Without `-i` real kubectl streams the container's output until Ctrl+C; this kubectl runs each
//! command to its end and cannot, so it says so and points at `kubectl logs -f`.

use serde_json::Value;

use super::args::{self, FlagKind, Parsed, flag};
use super::common::{self, namespace};
use super::exec::is_interactive_shell;
use super::target::{attachable_pod, default_container, one_target};
use super::{Ctx, ExecSession, Output};
use crate::sim::api::pointer::Pointer;
use crate::sim::protocol::connect::{self, ExecAnswer};
use crate::sim::time::{Millis, parse_duration};

const FLAGS: &[args::FlagSpec] = &[
    flag("container", Some('c'), FlagKind::Value),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
    flag("pod-running-timeout", None, FlagKind::Value),
];

/// kubectl's note before it attaches (`AttachOptions.Run`), on stderr unless `--quiet`.
pub const PROMPT_NOTE: &str = "If you don't see a command prompt, try pressing enter.";

/// `--pod-running-timeout` (`cmdutil.GetPodRunningTimeoutFlag`, one minute by default), in the words
/// of `cmd` (`attach`, `run`) when it is not a positive duration.
pub(super) fn pod_running_timeout(p: &Parsed, cmd: &str) -> Result<Millis, String> {
    let Some(text) = p.get("pod-running-timeout") else { return Ok(60_000) };
    let ms = parse_duration(text).ok_or_else(|| {
        format!("error: invalid argument {text:?} for \"--pod-running-timeout\" flag: time: invalid duration {text:?}\nSee 'kubectl {cmd} --help' for usage.")
    })?;
    if ms == 0 {
        return Err(format!(
            "error: --pod-running-timeout must be higher than zero\nSee 'kubectl {cmd} -h' for help and examples"
        ));
    }
    Ok(ms)
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl attach --help' for usage."))?;
    pod_running_timeout(&p, "attach")?;
    match p.positional.len() {
        0 => return Err("error: at least 1 argument is required for attach".into()),
        n @ 3.. => {
            return Err(format!(
                "error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw {n}: [{}]",
                p.positional.join(" ")
            ));
        }
        _ => {}
    }
    let ns = namespace(&p);
    let (rt, name, _) = one_target(&p.positional, p.positional.len() == 1)?;
    let obj = common::get_one(cx, rt, &ns, &name).map_err(|e| e.to_string())?;
    let pod = attachable_pod(cx, &ns, rt, obj)?;
    let phase = pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(format!("error: cannot attach a container in a completed pod; current phase is {phase}"));
    }
    let how = Attach {
        ns: &ns,
        pod: &pod,
        container: p.get("container"),
        stdin: p.bool("stdin"),
        tty: p.bool("tty"),
        quiet: p.bool("quiet"),
    };
    if let Some(session) = attach_to(cx, how, out)? {
        out.session = Some(session);
    }
    Ok(())
}

/// What `AttachOptions.Run` works with once it has the pod.
pub(super) struct Attach<'a> {
    pub ns: &'a str,
    pub pod: &'a Value,
    /// `-c`; else the default container.
    pub container: Option<&'a str>,
    pub stdin: bool,
    pub tty: bool,
    pub quiet: bool,
}

/// The container spec named `name` among the pod's containers, init and ephemeral containers.
fn container_spec<'a>(pod: &'a Value, name: &str) -> Option<&'a Value> {
    ["/spec/containers", "/spec/initContainers", "/spec/ephemeralContainers"]
        .iter()
        .filter_map(|p| pod.at(p).and_then(Value::as_array))
        .flatten()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
}

/// `AttachOptions.Run` from its container check on: the terminal settings kubectl ends up with, its
/// notes, then the attach. A here-document's lines go to the process in one request and what it
/// wrote is printed; on the browser's terminal (`-it`, no input given) the stream opens, the shell's
/// prompt comes back, and the session is returned for the terminal to keep.
pub(super) fn attach_to(cx: &mut Ctx, a: Attach<'_>, out: &mut Output) -> Result<Option<ExecSession>, String> {
    let pod_name = common::name_of(a.pod).to_string();
    let container = match a.container {
        Some(c) if container_spec(a.pod, c).is_none() => {
            return Err(format!("error: cannot attach to the container: container {c} not found in pod {pod_name}"));
        }
        Some(c) => c.to_string(),
        None => {
            let mut notes = Vec::new();
            let c = default_container(a.pod, &mut notes).ok_or_else(|| {
                format!("error: cannot attach to the container: pod {pod_name} does not have any containers")
            })?;
            if !a.quiet {
                notes.iter().for_each(|n| out.stderr.push_str(&format!("{n}\n")));
            }
            c
        }
    };
    let spec = container_spec(a.pod, &container);
    let allocated = spec.and_then(|c| c.get("tty")).and_then(Value::as_bool).unwrap_or(false);
    // A terminal only if the container has one; a container with one forces it (else its output
    // would be read with the wrong framing: "Unrecognized input header").
    let mut tty = a.tty || allocated;
    if a.tty && !allocated {
        tty = false;
        if !a.quiet {
            out.stderr.push_str(&format!("error: Unable to use a TTY - container {container} did not allocate one\n"));
        }
    }
    // `SetupTTY`: no stdin, no terminal; stdin that is not a terminal (a here-document) drops it.
    if a.stdin && tty && cx.stdin.is_some() && !a.quiet {
        out.stderr.push_str("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    let raw = a.stdin && tty && cx.stdin.is_none();
    if !a.stdin {
        return Err(format!(
            "error: kubectl attach without -i streams what the container writes until Ctrl+C, which this sandbox's kubectl cannot do (each command runs to its end); `kubectl logs -f {pod_name}` shows the lines it wrote"
        ));
    }
    if !a.quiet {
        out.stderr.push_str(&format!("{PROMPT_NOTE}\n"));
    }
    let req = connect::attach_request(a.ns, &pod_name, &container, true, cx.stdin, raw);
    let answer = common::call(cx, req).map_err(|e| e.to_string())?;
    let written = match connect::exec_answer(&answer) {
        ExecAnswer::Ran { stdout, .. } => stdout,
        ExecAnswer::Refused(e) if e.starts_with("pods \"") => {
            return Err("error: unable to upgrade connection: pod does not exist".into());
        }
        ExecAnswer::Failed(e) | ExecAnswer::Refused(e) => return Err(format!("error: {e}")),
    };
    if !raw {
        out.stdout.push_str(&written);
        return Ok(None);
    }
    // The lines typed run in the container's shell as the session's execs do; the shell named in
    // the spec if it is one, else `sh`, which every image with a shell has.
    let words: Vec<String> = ["/command", "/args"]
        .iter()
        .filter_map(|p| spec.and_then(|c| c.at(p)).and_then(Value::as_array))
        .flatten()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    let shell = if is_interactive_shell(&words) { words } else { vec!["sh".to_string()] };
    let restart = a.pod.at("/spec/restartPolicy").and_then(Value::as_str).unwrap_or("Always");
    Ok(Some(ExecSession {
        namespace: a.ns.to_string(),
        pod: pod_name.clone(),
        container: container.clone(),
        shell,
        prompt: written.trim_end_matches('\n').to_string(),
        end: vec![format!("kubectl attach {pod_name} -n {} -c {container} -i -q", a.ns)],
        // `reattachMessage`: a container that restarts can be attached again.
        farewell: (restart == "Always").then(|| {
            format!("Session ended, resume using 'kubectl attach {pod_name} -c {container} -i -t' command when the pod is running")
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_containers_of_every_kind() {
        let pod = json!({"spec": {"containers": [{"name": "a", "tty": true}], "initContainers": [{"name": "i"}]}});
        assert_eq!(container_spec(&pod, "a").and_then(|c| c["tty"].as_bool()), Some(true));
        assert!(container_spec(&pod, "i").is_some());
        assert!(container_spec(&pod, "x").is_none());
        assert!(container_spec(&json!({}), "a").is_none());
    }

    #[test]
    fn pod_running_timeouts_are_go_durations_above_zero() {
        let parse = |w: &[&str]| {
            let words: Vec<String> = w.iter().map(|s| s.to_string()).collect();
            pod_running_timeout(&args::parse(&words, FLAGS).expect("flags parse"), "attach")
        };
        assert_eq!(parse(&[]), Ok(60_000));
        assert_eq!(parse(&["--pod-running-timeout=2m"]), Ok(120_000));
        assert_eq!(
            parse(&["--pod-running-timeout=0"]),
            Err("error: --pod-running-timeout must be higher than zero\nSee 'kubectl attach -h' for help and examples"
                .into())
        );
        assert_eq!(
            parse(&["--pod-running-timeout=abc"]),
            Err("error: invalid argument \"abc\" for \"--pod-running-timeout\" flag: time: invalid duration \"abc\"\nSee 'kubectl attach --help' for usage.".into())
        );
    }
}
