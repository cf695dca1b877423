//! `kubectl run NAME --image=I [-i [-t] [--rm]] [--restart=R] [-- CMD]` (`cmd/run/run.go`): the pod
//! kubectl's generator builds, POSTed. Attached (`-i`, `--attach`) it is created with its stdin kept
//! open (`stdin`, `stdinOnce` unless `--leave-stdin-open`, `tty` with `-t`), kubectl waits for it to
//! run and be ready, attaches (`attach::attach_to`), then, for a pod that is not restarted (`Never`,
//! `OnFailure`), waits for it to finish and reports how, and with `--rm` deletes it (`Run`,
//! `handleAttachPod`, `waitForPod`, `removeCreatedObjects`).
//!
//! ```text
//!   POST pods ─► LIST+WATCH until Running and Ready ─► POST pods/x/attach (stdin) ─► LIST+WATCH
//!   until Succeeded/Failed ─► DELETE pods/x (--rm)        (a pod already done: its log instead)
//! ```
//!
//! On the browser's terminal (`-it`, no here-document) the attach opens the interactive session;
//! what follows the attach happens when the learner ends the shell ([`ExecSession::end`]).

use serde_json::{Map, Value, json};

use super::args::{self, FlagKind, Parsed, flag};
use super::attach::{Attach, attach_to, pod_running_timeout};
use super::common::{self, namespace};
use super::create::{meta, submit};
use super::target::pods_rt;
use super::until::{Ended, Verdict, until_with_sync};
use super::{Ctx, ExecSession, Output};
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, EventType, Verb};
use crate::sim::protocol::connect;

/// `kubectl run`'s flags (`pkg/cmd/run/run.go`): its `--port` is a string, read with `strconv.Atoi`.
pub(super) const RUN_FLAGS: &[args::FlagSpec] = &[
    flag("image", None, FlagKind::Value),
    flag("port", None, FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
    flag("restart", None, FlagKind::Value),
    flag("labels", Some('l'), FlagKind::Value),
    flag("env", None, FlagKind::Multi),
    flag("save-config", None, FlagKind::Bool),
    flag("expose", None, FlagKind::Bool),
    flag("command", None, FlagKind::Bool),
    flag("rm", None, FlagKind::Bool),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("attach", None, FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
    flag("pod-running-timeout", None, FlagKind::Value),
    flag("leave-stdin-open", None, FlagKind::Bool),
];

/// `--labels=k=v,k2=v2` as kubectl's `generate.ParseLabels` reads it: each pair has exactly one `=`
/// and a key; anything else is refused before a request is made.
fn parse_labels(spec: &str) -> Result<Map<String, Value>, String> {
    let mut labels = Map::new();
    for pair in spec.split(',') {
        let parts: Vec<&str> = pair.split('=').collect();
        let [key, value] = parts[..] else { return Err(format!("error: unexpected label spec: {pair}")) };
        if key.is_empty() {
            return Err("error: unexpected empty label key".into());
        }
        labels.insert(key.to_string(), json!(value));
    }
    Ok(labels)
}

/// One `--env=NAME=VALUE` as kubectl run's `parseEnvs` reads it: split at the first `=`, and the
/// name must be a C identifier (`validation.IsCIdentifier`).
fn parse_env(spec: &str) -> Result<Value, String> {
    match spec.split_once('=') {
        Some((name, value)) if is_c_identifier(name) => Ok(json!({"name": name, "value": value})),
        _ => Err(format!("error: invalid env: {spec}")),
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn is_c_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `RunOptions.Validate`'s checks of the attach flags (after `Complete`'s timeout): whether kubectl
/// attaches (`--attach`, which `-i` implies unless `--attach=false` is given).
pub(super) fn validate(p: &Parsed) -> Result<bool, String> {
    pod_running_timeout(p, "run")?;
    let usage = "\nSee 'kubectl run -h' for help and examples";
    let attach = p.bool("attach") || (p.bool("stdin") && p.get("attach").is_none());
    if p.bool("tty") && !p.bool("stdin") {
        return Err(format!("error: -i/--stdin is required for containers with -t/--tty=true{usage}"));
    }
    if p.bool("rm") && !attach {
        return Err(format!("error: --rm should only be used for attached containers{usage}"));
    }
    if attach && p.get("dry-run").is_some_and(|d| d != "none") {
        return Err(format!(
            "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty){usage}"
        ));
    }
    Ok(attach)
}

/// `kubectl run NAME --image=IMAGE [--port] [--labels] [--env] [--restart] [-- COMMAND ARGS]`.
pub fn run_pod(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, RUN_FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl run --help' for usage."))?;
    let name = p
        .positional
        .first()
        .ok_or("error: NAME is required for run\nSee 'kubectl run -h' for help and examples")?
        .clone();
    let image = p.get("image").ok_or("error: required flag(s) \"image\" not set")?;
    let attach = validate(&p)?;
    let labels: Map<String, Value> = match p.get("labels").filter(|l| !l.is_empty()) {
        Some(l) => parse_labels(l)?,
        None => [("run".to_string(), json!(name))].into_iter().collect(),
    };
    let mut c = Map::new();
    if !p.after_dashes.is_empty() {
        let key = if p.bool("command") { "command" } else { "args" };
        c.insert(key.into(), json!(p.after_dashes));
    }
    let env = p.all("env").iter().map(|e| parse_env(e)).collect::<Result<Vec<Value>, String>>()?;
    if !env.is_empty() {
        c.insert("env".into(), json!(env));
    }
    c.insert("image".into(), json!(image));
    c.insert("name".into(), json!(name));
    if let Some(port) = p.get("port") {
        let port: i64 = port.parse().map_err(|_| format!("error: strconv.Atoi: parsing {port:?}: invalid syntax"))?;
        c.insert("ports".into(), json!([{"containerPort": port}]));
    }
    c.insert("resources".into(), json!({}));
    // `createPod`: stdin kept open for an interactive run, closed after its attach unless
    // `--leave-stdin-open`; a terminal with `-t`.
    if p.bool("stdin") {
        c.insert("stdin".into(), json!(true));
        if !p.bool("leave-stdin-open") {
            c.insert("stdinOnce".into(), json!(true));
        }
    }
    if p.bool("tty") {
        c.insert("tty".into(), json!(true));
    }
    // `getRestartPolicy`: an interactive run defaults to OnFailure.
    let default_restart = if p.bool("stdin") { "OnFailure" } else { "Always" };
    let restart = match p.get("restart").unwrap_or(default_restart) {
        r @ ("Always" | "OnFailure" | "Never") => r,
        other => {
            return Err(format!("error: invalid restart policy: {other}\nSee 'kubectl run -h' for help and examples"));
        }
    };
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": meta(&name, Some(Value::Object(labels))),
        "spec": {"containers": [Value::Object(c)], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {}
    });
    if attach {
        return run(cx, &p, out, pod);
    }
    submit(cx, &p, out, "pods", pod, None)
}

/// What a watched pod's event says for `waitForPod`'s conditions.
fn phase(ev: EventType, pod: &Value) -> Result<&str, String> {
    if ev == EventType::Deleted {
        // `errors.NewNotFound(schema.GroupResource{Resource: "pods"}, "")`.
        return Err("error: pods \"\" not found".into());
    }
    Ok(pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default())
}

/// `podRunningAndReady`: Running with the Ready condition true; a finished pod ends the wait too.
fn running_and_ready(ev: EventType, pod: &Value) -> Verdict {
    match phase(ev, pod) {
        Err(e) => Verdict::Fail(e),
        Ok("Succeeded" | "Failed") => Verdict::Done,
        Ok("Running") => {
            let conditions = pod.at("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
            let ready = conditions.iter().any(|c| c["type"] == "Ready" && c["status"] == "True");
            if ready { Verdict::Done } else { Verdict::Wait }
        }
        Ok(_) => Verdict::Wait,
    }
}

/// Watches the pod until `condition` holds; the pod as last seen.
fn wait_for_pod(
    cx: &mut Ctx,
    ns: &str,
    name: &str,
    timeout: u64,
    condition: fn(EventType, &Value) -> Verdict,
) -> Result<Value, String> {
    let deadline = cx.world.now() + timeout;
    let mut last = Value::Null;
    let ended = until_with_sync(
        cx,
        pods_rt(),
        ns,
        name,
        deadline,
        |_| Verdict::Wait,
        |ev, pod| {
            last = pod.clone();
            condition(ev, pod)
        },
    )
    .map_err(|e| e.to_string())?;
    match ended {
        Ended::Done => Ok(last),
        Ended::Failed(e) => Err(e),
        Ended::TimedOut => Err("error: timed out waiting for the condition".into()),
    }
}

pub(super) fn run(cx: &mut Ctx, p: &Parsed, out: &mut Output, pod: Value) -> Result<(), String> {
    let ns = namespace(p);
    let name = common::name_of(&pod).to_string();
    let timeout = pod_running_timeout(p, "run")?;
    let req = ApiRequest::new(0, Verb::Create, pods_rt()).in_namespace(Some(&ns)).with_body(pod);
    common::call(cx, req).map_err(|e| e.to_string())?;
    let attached = attach_and_wait(cx, p, out, &ns, &name, timeout);
    let session = match attached {
        Ok(Some(mut session)) => {
            // The rest of `Run` happens when the learner ends the shell.
            if p.bool("rm") {
                session.end.push(format!("kubectl delete pod {name} -n {ns} --wait=false"));
            }
            out.session = Some(session);
            return Ok(());
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    // `removeCreatedObjects`, deferred: it runs whatever the attach came to.
    if p.bool("rm") {
        let req = ApiRequest::new(0, Verb::Delete, pods_rt()).in_namespace(Some(&ns)).named(&name);
        match common::call(cx, req) {
            Ok(_) if !p.bool("quiet") => out.out(format!("pod \"{name}\" deleted")),
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => out.err(e.to_string()),
        }
    }
    session
}

/// `handleAttachPod`, then the wait for the pod's end and its verdict; a session when the attach
/// opened one on the terminal.
fn attach_and_wait(
    cx: &mut Ctx,
    p: &Parsed,
    out: &mut Output,
    ns: &str,
    name: &str,
    timeout: u64,
) -> Result<Option<ExecSession>, String> {
    let pod = wait_for_pod(cx, ns, name, timeout, running_and_ready)?;
    let done = |pod: &Value| matches!(pod.at("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"));
    if done(&pod) {
        // A pod that already finished has nothing to attach to: kubectl prints its log.
        print_log(cx, ns, name, out)?;
    } else {
        let how = Attach {
            ns,
            pod: &pod,
            container: None,
            stdin: p.bool("stdin"),
            tty: p.bool("tty"),
            quiet: p.bool("quiet"),
        };
        if let Some(session) = attach_to(cx, how, out)? {
            return Ok(Some(session));
        }
    }
    let restart = pod.at("/spec/restartPolicy").and_then(Value::as_str).unwrap_or_default();
    if p.bool("leave-stdin-open") || !matches!(restart, "Never" | "OnFailure") {
        return Ok(None);
    }
    // `podCompleted` for Never; `podSucceeded` for OnFailure, whose failures are restarted.
    let condition: fn(EventType, &Value) -> Verdict = if restart == "Never" {
        |ev, pod| match phase(ev, pod) {
            Err(e) => Verdict::Fail(e),
            Ok("Succeeded" | "Failed") => Verdict::Done,
            Ok(_) => Verdict::Wait,
        }
    } else {
        |ev, pod| match phase(ev, pod) {
            Err(e) => Verdict::Fail(e),
            Ok("Succeeded") => Verdict::Done,
            Ok("Failed") => Verdict::Fail("error: pod ran to completion".into()),
            Ok(_) => Verdict::Wait,
        }
    };
    let pod = wait_for_pod(cx, ns, name, timeout, condition)?;
    verdict(&pod).map(|()| None)
}

/// How `Run` reports the finished pod: nothing when it succeeded, else its container's end.
fn verdict(pod: &Value) -> Result<(), String> {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    let name = common::name_of(pod);
    match pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default() {
        "Succeeded" => Ok(()),
        "Failed" => {
            let unknown = format!("pod {ns}/{name} failed with unknown exit code");
            let Some(t) = pod.at("/status/containerStatuses/0/state/terminated") else { return Err(unknown) };
            match t.get("exitCode").and_then(Value::as_i64).unwrap_or(0) {
                0 => Err(unknown),
                // A `CodeExitError`: printed as it is, kubectl exiting with the container's code.
                _ => {
                    let text = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default();
                    Err(format!("pod {ns}/{name} terminated ({})\n{}", text("reason"), text("message")))
                }
            }
        }
        other => Err(format!("pod {ns}/{name} left in phase {other}")),
    }
}

/// `logOpts`: the container's log as `kubectl logs` prints it.
fn print_log(cx: &mut Ctx, ns: &str, name: &str, out: &mut Output) -> Result<(), String> {
    let answer = common::call(cx, connect::log_request(ns, name, Some(name), false)).map_err(|e| e.to_string())?;
    for (_, line) in connect::log_lines(&answer) {
        out.out(line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// kubectl 1.33: `kubectl run x --image=nginx --labels=foo` says `error: unexpected label spec:
    /// foo`; `--env=FOO` says `error: invalid env: FOO`; both before any request.
    #[test]
    fn run_refuses_malformed_labels_and_env() {
        assert_eq!(parse_labels("foo"), Err("error: unexpected label spec: foo".into()));
        assert_eq!(parse_labels("a=b,c"), Err("error: unexpected label spec: c".into()));
        assert_eq!(parse_labels("a=b=c"), Err("error: unexpected label spec: a=b=c".into()));
        assert_eq!(parse_labels("=b"), Err("error: unexpected empty label key".into()));
        assert_eq!(parse_labels("a=,b=2").map(|m| m.len()), Ok(2));
        for bad in ["FOO", "=x", "1A=b", "A-B=c"] {
            assert_eq!(parse_env(bad), Err(format!("error: invalid env: {bad}")));
        }
        assert_eq!(parse_env("A=b=c"), Ok(json!({"name": "A", "value": "b=c"})));
        assert_eq!(parse_env("_A="), Ok(json!({"name": "_A", "value": ""})));
    }

    fn parsed(words: &[&str]) -> Parsed {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        super::super::args::parse(&words, RUN_FLAGS).expect("flags parse")
    }

    /// `RunOptions.Validate`, in its order, with kubectl 1.33's words.
    #[test]
    fn validates_the_attach_flags() {
        let usage = "\nSee 'kubectl run -h' for help and examples";
        for (words, want) in [
            (&["x", "-i"][..], Ok(true)),
            (&["x", "-it", "--rm"][..], Ok(true)),
            (&["x", "--attach"][..], Ok(true)),
            (&["x", "-i", "--attach=false"][..], Ok(false)),
            (&["x"][..], Ok(false)),
            (&["x", "-t"][..], Err(format!("error: -i/--stdin is required for containers with -t/--tty=true{usage}"))),
            (&["x", "--rm"][..], Err(format!("error: --rm should only be used for attached containers{usage}"))),
            (
                &["x", "-it", "--dry-run=client"][..],
                Err(format!(
                    "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty){usage}"
                )),
            ),
        ] {
            assert_eq!(validate(&parsed(words)), want, "{words:?}");
        }
    }

    #[test]
    fn reports_how_the_pod_ended() {
        let pod = |phase: &str, terminated: Value| {
            json!({"metadata": {"name": "x", "namespace": "default"}, "status": {"phase": phase,
                "containerStatuses": [{"state": {"terminated": terminated}}]}})
        };
        assert_eq!(verdict(&pod("Succeeded", json!({"exitCode": 0}))), Ok(()));
        assert_eq!(
            verdict(&pod("Failed", json!({"exitCode": 3, "reason": "Error"}))),
            Err("pod default/x terminated (Error)\n".into())
        );
        assert_eq!(
            verdict(&pod("Failed", json!({"exitCode": 0}))),
            Err("pod default/x failed with unknown exit code".into())
        );
        assert_eq!(verdict(&pod("Running", Value::Null)), Err("pod default/x left in phase Running".into()));
        assert_eq!(
            running_and_ready(EventType::Deleted, &Value::Null),
            Verdict::Fail("error: pods \"\" not found".into())
        );
    }
}
