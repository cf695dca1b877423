//! `kubectl drain NODE`: cordon, list the node's pods (in pages of 500) and sort them through kubectl's
//! filters (DaemonSet-managed, mirror, emptyDir, unmanaged — `pkg/drain/filters.go`), then evict each
//! through the pods/eviction subresource, which enforces PodDisruptionBudgets (`429`, retried after 5 s),
//! and GET each evicted pod at once and then every second until it is gone (`waitForDelete` in
//! `pkg/drain/drain.go`, `cmd/drain/drain.go`).
//!
//! Real kubectl evicts in goroutines, one per pod (`evictPods`): every eviction is on the wire before
//! any answer, and each pod's polls go out together with the others'; here they are sent together
//! ([`Cluster::call_all`](super::cluster::Cluster::call_all)) in one loop. Its output is the same:
//! every `evicting pod` line comes first, as each goroutine prints it before its request, and each
//! `evicted` line when a poll finds its pod gone. `--disable-eviction` deletes and polls one pod
//! after another, as `deletePods` does. Without `--timeout` real kubectl waits for ever; here the
//! wait stops after [`MAX_WAIT_MS`] of virtual time with a note.

use crate::sim::api::pointer::Pointer;
mod filters;

use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common;
use super::nodes::{cordon_nodes, named_nodes};
use super::target::{controller_kind, pods_rt};
use super::{Ctx, Output};
use crate::sim::api;
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::time::{Millis, parse_duration};
use filters::{Options, Verdict, aggregate, grouped, key, verdict};

/// How long a drain without `--timeout` may wait before the sandbox stops it (virtual time).
pub const MAX_WAIT_MS: Millis = 10 * 60 * 1000;
/// kubectl polls each evicted pod once a second until it is gone.
const POLL_MS: Millis = 1000;
/// A refused eviction is retried after five seconds.
const RETRY_MS: Millis = 5000;

/// Go's `time.Duration.String()` for whole milliseconds (`1m0s`, `30s`, `1.5s`).
pub fn go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let secs = if frac == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0')) };
    if ms < 1000 {
        return format!("{ms}ms");
    }
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

const FLAGS: &[args::FlagSpec] = &[
    flag("force", None, FlagKind::Bool),
    flag("ignore-daemonsets", None, FlagKind::Bool),
    flag("ignore-errors", None, FlagKind::Bool),
    flag("delete-emptydir-data", None, FlagKind::Bool),
    flag("delete-local-data", None, FlagKind::Bool),
    flag("grace-period", None, FlagKind::Int),
    flag("timeout", None, FlagKind::Value),
    flag("selector", Some('l'), FlagKind::Value),
    flag("pod-selector", None, FlagKind::Value),
    flag("disable-eviction", None, FlagKind::Bool),
    flag("skip-wait-for-delete-timeout", None, FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
];

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl drain --help' for usage."))?;
    if p.positional.is_empty() && p.get("selector").is_none() {
        return Err("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples".into());
    }
    if !p.positional.is_empty() && p.get("selector").is_some() {
        return Err("error: cannot specify both a node name and a --selector option\nSee 'kubectl drain -h' for help and examples".into());
    }
    let grace = p.int("grace-period").unwrap_or(-1);
    let timeout = match p.get("timeout") {
        None => 0,
        Some(t) => parse_duration(t).ok_or_else(|| {
            format!("error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"")
        })?,
    };
    if p.bool("delete-local-data") {
        out.stderr.push_str("Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.\n");
    }
    let opts = Options {
        force: p.bool("force"),
        ignore_daemonsets: p.bool("ignore-daemonsets"),
        delete_emptydir: p.bool("delete-emptydir-data") || p.bool("delete-local-data"),
    };
    let dry_run = p.get("dry-run").is_some_and(|d| d != "none");
    let nodes = named_nodes(cx, &p.positional, p.get("selector"), out)?;
    let names = cordon_nodes(cx, &nodes, true, dry_run, out);
    let mut fatal = Vec::new();
    let mut remaining = Vec::new();
    for node in names {
        match drain_node(
            cx,
            &node,
            opts,
            grace,
            timeout,
            dry_run,
            p.get("pod-selector"),
            p.bool("disable-eviction"),
            out,
        ) {
            Ok(()) => out.out(format!("node/{node} drained{}", if dry_run { " (dry run)" } else { "" })),
            Err(e) => {
                out.err(format!("error: unable to drain node {node:?} due to error: {e}, continuing command..."));
                fatal.push(e);
                remaining.push(node);
            }
        }
    }
    if !remaining.is_empty() {
        out.err(format!(
            "There are pending nodes to be drained:\n{}",
            remaining.iter().map(|n| format!(" {n}")).collect::<Vec<_>>().join("\n")
        ));
        // kubectl's aggregate of aggregates prints its errors one a line, without `error: `.
        return Err(aggregate(&fatal));
    }
    Ok(())
}

/// Lists the node's pods, applies the filters, and evicts (or deletes) what may go.
#[allow(clippy::too_many_arguments)]
fn drain_node(
    cx: &mut Ctx,
    node: &str,
    opts: Options,
    grace: i64,
    timeout: Millis,
    dry_run: bool,
    pod_selector: Option<&str>,
    disable_eviction: bool,
    out: &mut Output,
) -> Result<(), String> {
    let (to_evict, warnings, errors) = pods_for_deletion(cx, node, opts, pod_selector)?;
    if !errors.is_empty() {
        return Err(aggregate(&grouped(&errors)));
    }
    if !warnings.is_empty() {
        out.stderr.push_str(&format!("Warning: {}\n", grouped(&warnings).join("; ")));
    }
    if dry_run {
        for pod in &to_evict {
            out.out(format!("evicting pod {} (dry run)", key(pod)));
        }
        return Ok(());
    }
    let Err(e) = evict_all(cx, &to_evict, grace, timeout, disable_eviction, out) else { return Ok(()) };
    // `deleteOrEvictPodsSimple`: after an error, what is still to go is listed again and named.
    match pods_for_deletion(cx, node, opts, pod_selector) {
        Ok((pending, _, errors)) => {
            if !pending.is_empty() {
                out.err(format!("There are pending pods in node {node:?} when an error occurred: {e}"));
                for pod in &pending {
                    out.err(format!("pod/{}", common::name_of(pod)));
                }
            }
            if !errors.is_empty() {
                out.stderr.push_str(&format!(
                    "Following errors occurred while getting the list of pods to delete:\n{}",
                    aggregate(&grouped(&errors))
                ));
            }
        }
        Err(list_error) => out
            .stderr
            .push_str(&format!("Following errors occurred while getting the list of pods to delete:\n{list_error}")),
    }
    Err(e)
}

/// What the node's pods come to (`GetPodsForDeletion`): the pods to evict, the warnings and the errors,
/// each as (message, pod).
type ForDeletion = (Vec<Value>, Vec<(String, String)>, Vec<(String, String)>);

/// `GetPodsForDeletion`: the node's pods in pages, each DaemonSet owner read, and the filters applied.
fn pods_for_deletion(
    cx: &mut Ctx,
    node: &str,
    opts: Options,
    pod_selector: Option<&str>,
) -> Result<ForDeletion, String> {
    let field = format!("spec.nodeName={node}");
    let pods = common::list_chunked(cx, pods_rt(), None, pod_selector, Some(&field)).map_err(|e| e.message)?;
    let ds_rt = api::resolve("daemonsets").expect("daemonsets are always served");
    let mut exists = std::collections::BTreeMap::new();
    for pod in &pods {
        if controller_kind(pod) == Some("DaemonSet") {
            let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default").to_string();
            for r in pod.at("/metadata/ownerReferences").and_then(Value::as_array).cloned().unwrap_or_default() {
                let n = r.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let found = common::get_one(cx, ds_rt, &ns, &n).is_ok();
                exists.insert((ns.clone(), n), found);
            }
        }
    }
    let ds_exists = |ns: &str, n: &str| exists.get(&(ns.to_string(), n.to_string())).copied().unwrap_or(false);
    let (mut to_evict, mut warnings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for pod in &pods {
        match verdict(pod, opts, &ds_exists) {
            Verdict::Okay => to_evict.push(pod.clone()),
            Verdict::Skip => {}
            Verdict::Warn(delete, msg) => {
                warnings.push((msg, key(pod)));
                if delete {
                    to_evict.push(pod.clone());
                }
            }
            // `PodDeleteList.errors` prefixes every message, even the one that already starts with it
            // (kubectl 1.33 prints `cannot delete cannot delete Pods that declare no controller`).
            Verdict::Error(msg) => errors.push((format!("cannot delete {msg}"), key(pod))),
        }
    }
    Ok((to_evict, warnings, errors))
}

/// One pod's progress through eviction.
#[derive(Debug, Clone, PartialEq)]
enum State {
    /// Try (again) at this time.
    Evict(Millis),
    /// Accepted; waiting for the pod object to go away.
    Waiting,
    Done,
}

/// Sends requests as kubectl does: `drain`'s evictions run in goroutines, one per pod, so theirs go
/// out together (`evictPods`); `--disable-eviction` deletes and polls in one loop, one at a time
/// (`deletePods`).
fn send(cx: &mut Ctx, reqs: Vec<ApiRequest>, together: bool) -> Vec<Result<Value, Status>> {
    if together { cx.world.call_all(reqs) } else { reqs.into_iter().map(|r| cx.world.call(r)).collect() }
}

fn evict_all(
    cx: &mut Ctx,
    pods: &[Value],
    grace: i64,
    timeout: Millis,
    delete: bool,
    out: &mut Output,
) -> Result<(), String> {
    let start = cx.world.now();
    let deadline = start + if timeout > 0 { timeout } else { MAX_WAIT_MS };
    let global_timeout = || format!("global timeout reached: {}", go_duration(timeout));
    let mut states: Vec<State> = vec![State::Evict(start); pods.len()];
    let mut errors = Vec::new();
    let ns_name = |pod: &Value| {
        (
            pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string(),
            common::name_of(pod).to_string(),
        )
    };
    loop {
        let now = cx.world.now();
        // Every pod whose (next) try falls due: its line, then its request, all on the wire together.
        let mut trying = Vec::new();
        for (i, (pod, state)) in pods.iter().zip(states.iter_mut()).enumerate() {
            let State::Evict(at) = *state else { continue };
            if at > now {
                continue;
            }
            let (ns, name) = ns_name(pod);
            if !delete {
                out.out(format!("evicting pod {ns}/{name}"));
            }
            // The global timeout is looked at before each attempt, after a retry's five seconds.
            if timeout > 0 && now >= deadline {
                errors.push(format!("error when evicting pods/{name:?} -n {ns:?}: {}", global_timeout()));
                *state = State::Done;
            } else {
                trying.push(i);
            }
        }
        let reqs = trying.iter().map(|&i| removal(&pods[i], grace, delete)).collect();
        for (i, answer) in trying.into_iter().zip(send(cx, reqs, !delete)) {
            states[i] = attempted(cx.world.now(), &pods[i], answer, delete, out, &mut errors);
        }
        // `waitForDelete`: each evicted pod is read at once, then every second.
        let waiting: Vec<usize> = (0..pods.len()).filter(|&i| states[i] == State::Waiting).collect();
        let reqs = waiting
            .iter()
            .map(|&i| {
                let (ns, name) = ns_name(&pods[i]);
                ApiRequest::new(0, Verb::Get, pods_rt()).in_namespace(Some(&ns)).named(&name)
            })
            .collect();
        for (i, answer) in waiting.into_iter().zip(send(cx, reqs, !delete)) {
            let (ns, name) = ns_name(&pods[i]);
            match gone(&pods[i], answer) {
                Ok(true) => {
                    out.out(format!("pod/{name} {}", if delete { "deleted" } else { "evicted" }));
                    states[i] = State::Done;
                }
                Ok(false) if timeout > 0 && cx.world.now() >= deadline => {
                    errors.push(format!(
                        "error when waiting for pod {name:?} in namespace {ns:?} to terminate: {}",
                        global_timeout()
                    ));
                    states[i] = State::Done;
                }
                Ok(false) => {}
                Err(e) => {
                    errors.push(e);
                    states[i] = State::Done;
                }
            }
        }
        if states.iter().all(|s| *s == State::Done) {
            break;
        }
        if timeout == 0 && cx.world.now() >= deadline {
            out.err(format!(
                "(the sandbox stopped the drain after {} of virtual time; real kubectl would keep trying until Ctrl+C)",
                go_duration(MAX_WAIT_MS)
            ));
            errors.push("drain stopped by the sandbox".into());
            break;
        }
        // The next thing to do: a retry that falls due, or the next second's look.
        let next = states
            .iter()
            .map(|s| match s {
                State::Evict(at) => *at,
                _ => cx.world.now() + POLL_MS,
            })
            .min()
            .unwrap_or(deadline);
        let next = if timeout == 0 { next.min(deadline) } else { next };
        cx.world.run_until(next.max(cx.world.now()));
    }
    if errors.is_empty() { Ok(()) } else { Err(aggregate(&errors)) }
}

/// `waitForDelete`'s look at one evicted pod: gone when not found or replaced by a new pod of the
/// same name; another error is kubectl's.
fn gone(pod: &Value, answer: Result<Value, Status>) -> Result<bool, String> {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    let name = common::name_of(pod);
    match answer {
        Err(e) if e.reason == Reason::NotFound => Ok(true),
        Err(e) => Err(format!("error when waiting for pod {name:?} in namespace {ns:?} to terminate: {}", e.message)),
        Ok(now) => Ok(now.at("/metadata/uid") != pod.at("/metadata/uid")),
    }
}

/// One pod's eviction (or, with `--disable-eviction`, its delete).
fn removal(pod: &Value, grace: i64, delete: bool) -> ApiRequest {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default").to_string();
    let name = common::name_of(pod).to_string();
    let mut req = if delete {
        ApiRequest::new(0, Verb::Delete, pods_rt()).in_namespace(Some(&ns)).named(&name)
    } else {
        let mut body =
            json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}});
        if grace >= 0 {
            body["deleteOptions"] = json!({"gracePeriodSeconds": grace});
        }
        ApiRequest::new(0, Verb::Create, pods_rt())
            .in_namespace(Some(&ns))
            .named(&name)
            .on_subresource("eviction")
            .with_body(body)
    };
    if grace >= 0 {
        req.options.grace_period_seconds = Some(grace);
    }
    req
}

/// What one eviction's (or delete's) answer means for its pod at `now`: a budget refusal schedules a
/// retry five seconds on.
fn attempted(
    now: Millis,
    pod: &Value,
    answer: Result<Value, Status>,
    delete: bool,
    out: &mut Output,
    errors: &mut Vec<String>,
) -> State {
    let ns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default");
    let name = common::name_of(pod);
    match answer {
        Ok(_) => State::Waiting,
        Err(e) if e.reason == Reason::NotFound => State::Done,
        // A budget that allows no disruption now: kubectl tries again in five seconds.
        Err(e) if !delete && e.reason == Reason::TooManyRequests => {
            out.stderr.push_str(&format!(
                "error when evicting pods/{name:?} -n {ns:?} (will retry after 5s): {}\n",
                e.message
            ));
            State::Evict(now + RETRY_MS)
        }
        Err(e) if delete => {
            errors.push(e.kubectl_text(None));
            State::Done
        }
        Err(e) => {
            errors.push(format!("error when evicting pods/{name:?} -n {ns:?}: {}", e.message));
            State::Done
        }
    }
}

#[cfg(test)]
mod tests;
