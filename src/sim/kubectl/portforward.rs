//! `kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...]` as kubectl 1.33 runs it
//! (`kubectl/pkg/cmd/portforward/portforward.go`, client-go `tools/portforward`): the object is read
//! and, for a workload or Service, its first pod picked (`AttachablePodForObjectFn`, waiting up to
//! `--pod-running-timeout` for one to exist); port names and a Service's ports become the pod's
//! ports; the pod is read again and must be Running; then kubectl listens on the learner's machine
//! (`sim::workstation`), printing `Forwarding from 127.0.0.1:8080 -> 80` for each listener.
//!
//! Each connection to a listener then goes through the pod's `portforward` subresource
//! (`protocol::connect::portforward_request`): apiserver, kubelet, runtime, the pod's port.

mod ports;

use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace};
use super::target::{one_target, pods_rt, selected_pods, sort_by_logging};
use super::{Ctx, Output};
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, EventType, Verb};
use crate::sim::time::{Millis, parse_duration};
use crate::sim::workstation::{ListenAddress, ListenRequest, port_failed};

const FLAGS: &[args::FlagSpec] =
    &[flag("address", None, FlagKind::Multi), flag("pod-running-timeout", None, FlagKind::Value)];

/// `cmdutil.UsageErrorf`'s shape.
fn usage(msg: &str) -> String {
    format!("error: {msg}\nSee 'kubectl port-forward -h' for help and examples")
}

/// `--pod-running-timeout` (default 1m0s): a Go duration above zero.
fn running_timeout(p: &args::Parsed) -> Result<Millis, String> {
    let Some(t) = p.get("pod-running-timeout") else { return Ok(60_000) };
    parse_duration(t).ok_or_else(|| {
        format!("error: invalid argument {t:?} for \"--pod-running-timeout\" flag: time: invalid duration {t:?}\nSee 'kubectl port-forward --help' for usage.")
    })
}

/// `GetFirstPod`: the workload's pods, most active first; with none yet, a watch for the first
/// to appear until the timeout.
fn first_pod(cx: &mut Ctx, ns: &str, kind: &str, obj: &Value, timeout: Millis) -> Result<Value, String> {
    let mut pods = selected_pods(cx, ns, kind, obj).map_err(|e| format!("error: {e}"))?;
    sort_by_logging(&mut pods);
    if let Some(pod) = pods.into_iter().next() {
        return Ok(pod);
    }
    let deadline = cx.world.now() + timeout;
    let mut watch = ApiRequest::new(0, Verb::Watch, pods_rt()).in_namespace(Some(ns));
    watch.options.resource_version = None;
    let id = cx.world.open_watch(watch);
    let found = loop {
        let (events, ended) = cx.world.watch_events(id, deadline);
        let hit = events.into_iter().find(|(e, pod)| {
            matches!(e, EventType::Added | EventType::Modified) && super::target::selects_pod(kind, obj, pod)
        });
        if let Some((_, pod)) = hit {
            break Some(pod);
        }
        if ended || cx.world.now() >= deadline {
            break None;
        }
    };
    cx.world.close_watch(id);
    found.ok_or_else(|| "error: timed out waiting for the condition".to_string())
}

/// The listeners' lines: `Forwarding from 127.0.0.1:8080 -> 80` for each that bound, and
/// `Unable to listen on port ...` for a port whose binds failed (`port_failed`). Whether any port
/// listens.
fn report(req: &ListenRequest, binds: &[Vec<Result<u16, String>>], out: &mut Output) -> bool {
    let mut any = false;
    for ((local, remote), results) in req.ports.iter().zip(binds) {
        let mut errors = Vec::new();
        for (a, r) in req.addresses.iter().zip(results) {
            match r {
                Ok(port) => {
                    let shown = if a.address.contains(':') { format!("[{}]", a.address) } else { a.address.clone() };
                    out.stdout.push_str(&format!("Forwarding from {shown}:{port} -> {remote}\n"));
                }
                Err(e) => errors.push(format!("unable to create listener: Error {e}")),
            }
        }
        if port_failed(&req.addresses, results) {
            out.stderr.push_str(&format!(
                "Unable to listen on port {local}: Listeners failed to create with the following errors: [{}]\n",
                errors.join(" ")
            ));
        } else {
            any = true;
        }
    }
    any
}

pub fn run(cx: &mut Ctx, words: &[String], line: &str, out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl port-forward --help' for usage."))?;
    let timeout = running_timeout(&p)?;
    if p.positional.len() < 2 {
        return Err(usage("TYPE/NAME and list of ports are required for port-forward"));
    }
    if timeout == 0 {
        return Err(usage("--pod-running-timeout must be higher than zero"));
    }
    let ns = namespace(&p);
    let (rt, name, _) = one_target(&p.positional[..1], true)?;
    let obj = common::get_one(cx, rt, &ns, &name).map_err(|e| e.to_string())?;
    if rt.kind == "Service" && obj.at("/spec/selector").and_then(Value::as_object).is_none_or(|s| s.is_empty()) {
        return Err(format!("error: invalid service '{name}': Service is defined without a selector"));
    }
    let pod = if rt.kind == "Pod" { obj.clone() } else { first_pod(cx, &ns, rt.kind, &obj, timeout)? };
    let given = &p.positional[1..];
    let ports = match rt.kind {
        "Service" => ports::for_service(given, &obj, &pod),
        _ => ports::for_pod(given, &pod),
    }
    .map_err(|e| format!("error: {e}"))?;
    // `RunPortForwardContext` reads the pod again and forwards only to a running one.
    let pod_name = common::name_of(&pod).to_string();
    let pod = common::get_one(cx, pods_rt(), &ns, &pod_name).map_err(|e| e.to_string())?;
    let phase = pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default();
    if phase != "Running" {
        return Err(format!("error: unable to forward port because pod is not running. Current status={phase}"));
    }
    let pairs = ports::parse(&ports).map_err(|e| format!("error: {e}"))?;
    let given: Vec<String> = p.all("address").iter().flat_map(|a| a.split(',')).map(str::to_string).collect();
    let given = if given.is_empty() { vec!["localhost".to_string()] } else { given };
    let addresses = ports::addresses(&given).map_err(|e| format!("error: {e}"))?;
    let command = line.trim().trim_end_matches('&').trim_end().to_string();
    let addresses = addresses.into_iter().map(|(address, network, all)| ListenAddress { address, network: network.into(), all }).collect();
    let req = ListenRequest { namespace: ns, pod: pod_name, command, addresses, ports: pairs };
    let binds = cx.world.listen(req.clone());
    if !report(&req, &binds, out) {
        let shown: Vec<String> = req.ports.iter().map(|(l, r)| format!("{{{l} {r}}}")).collect();
        return Err(format!("error: unable to listen on any of the requested ports: [{}]", shown.join(" ")));
    }
    Ok(())
}
