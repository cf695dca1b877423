//! `kubectl logs POD|TYPE/NAME [-c C] [-p] [--tail N] [--since D] [--timestamps] [-f] [-l SEL]`:
//! the container output the node's kubelet keeps (`cmd/logs/logs.go`,
//! `polymorphichelpers/logsforobject.go`), with kubectl's and the API server's wording for errors.
//!
//! `-f` returns the lines written so far: this function runs once per command, and streaming
//! further lines is the terminal's job (the browser UI will follow later). As real kubectl, it
//! reads the pod's `log` subresource, which the apiserver proxies to the node's kubelet.

use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::status::Reason;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace};
use super::target::{default_container, has_container, one_target, pods_rt, selected_pods, sort_by_logging};
use super::{Ctx, Output};
use crate::sim::node::kubelet::logcut::{self, LogCut};
use crate::sim::protocol::connect;
use crate::sim::time::{Millis, parse_duration, parse_rfc3339};

const USAGE_ERR: &str = "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

const FLAGS: &[args::FlagSpec] = &[
    flag("container", Some('c'), FlagKind::Value),
    flag("previous", Some('p'), FlagKind::Bool),
    flag("follow", Some('f'), FlagKind::Bool),
    flag("tail", None, FlagKind::Int),
    flag("since", None, FlagKind::Value),
    flag("since-time", None, FlagKind::Value),
    flag("timestamps", None, FlagKind::Bool),
    flag("all-containers", None, FlagKind::Bool),
    flag("all-pods", None, FlagKind::Bool),
    flag("prefix", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::Value),
    flag("limit-bytes", None, FlagKind::Int),
    flag("max-log-requests", None, FlagKind::Value),
    flag("pod-running-timeout", None, FlagKind::Value),
    flag("ignore-errors", None, FlagKind::Bool),
];

/// What to cut from a container's log.
#[derive(Debug, Clone, Default)]
struct Shape {
    tail: Option<usize>,
    since: Option<Millis>,
    timestamps: bool,
    limit_bytes: Option<usize>,
    prefix: bool,
}

fn parse_shape(p: &args::Parsed, now: Millis, selector: bool) -> Result<Shape, String> {
    let tail: i64 = match p.int("tail") {
        None if selector => 10,
        None => -1,
        Some(t) => t,
    };
    if tail < -1 {
        return Err("error: --tail must be greater than or equal to -1".into());
    }
    let since = match (p.get("since"), p.get("since-time")) {
        (Some(_), Some(_)) => return Err("error: at most one of `sinceTime` or `sinceSeconds` may be specified".into()),
        (Some(s), None) => {
            let d = parse_duration(s).ok_or_else(|| {
                format!("error: invalid argument {s:?} for \"--since\" flag: time: invalid duration {s:?}")
            })?;
            if d == 0 {
                return Err("error: --since must be greater than 0".into());
            }
            Some(now.saturating_sub(d))
        }
        (None, Some(t)) => Some(parse_rfc3339(t).ok_or_else(|| format!("error: {t:?} is not a valid RFC3339 time"))?),
        (None, None) => None,
    };
    // kubectl sends `limitBytes` only when it is above 0; a negative value fails its validation.
    let limit_bytes = match p.int("limit-bytes") {
        Some(b) if b < 0 => return Err("error: --limit-bytes must be greater than 0".into()),
        b => b.and_then(|b| usize::try_from(b).ok()).filter(|b| *b > 0),
    };
    Ok(Shape {
        tail: usize::try_from(tail).ok(),
        since,
        timestamps: p.bool("timestamps"),
        limit_bytes,
        prefix: p.bool("prefix"),
    })
}

/// Formats the lines of one container as kubectl prints them: the kubelet's cut, then kubectl's
/// `--prefix` on each line it received (so `--limit-bytes` counts the log's bytes, not the prefix).
fn render(lines: Vec<(Millis, String)>, shape: &Shape, prefix: &str) -> String {
    let options =
        LogCut { since: shape.since, tail: shape.tail, timestamps: shape.timestamps, limit_bytes: shape.limit_bytes };
    let text = logcut::cut(lines, &options);
    if !shape.prefix {
        return text;
    }
    text.split_inclusive('\n').map(|line| format!("{prefix} {line}")).collect()
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl logs --help' for usage."))?;
    let selector = p.get("selector");
    let (resource, inline_container) = match (p.positional.as_slice(), selector) {
        ([], None) => return Err(USAGE_ERR.into()),
        ([], Some(_)) => (None, None),
        ([_], Some(_)) => {
            return Err(
                "error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples"
                    .into(),
            );
        }
        ([r], None) => (Some(r.clone()), None),
        ([r, c], _) => (Some(r.clone()), Some(c.clone())),
        _ => return Err(USAGE_ERR.into()),
    };
    if inline_container.is_some() && p.get("container").is_some() {
        return Err("error: only one of -c or an inline [CONTAINER] arg is allowed".into());
    }
    let container = inline_container.or_else(|| p.get("container").map(str::to_string));
    if p.bool("all-containers") && container.is_some() {
        return Err("error: --all-containers=true should not be specified with container name".into());
    }
    let shape = parse_shape(&p, cx.world.now(), selector.is_some())?;
    let ns = namespace(&p);
    let pods = match &resource {
        None => {
            let mut pods = list(cx, pods_rt(), Some(&ns), selector, None).map_err(|e| e.to_string())?;
            if pods.is_empty() {
                out.stderr.push_str(&format!("No resources found in {ns} namespace.\n"));
                return Ok(());
            }
            sort_by_logging(&mut pods);
            pods
        }
        Some(r) => {
            let (rt, name, _) = one_target(std::slice::from_ref(r), true)?;
            // kubectl 1.33 reads the object through the resource builder, whose NotFound names the
            // namespace and comes wrapped (checked against kubectl 1.33 through sandbox serve).
            let obj = common::get_one(cx, rt, &ns, &name).map_err(|e| match e.reason {
                Reason::NotFound => format!("error: error from server (NotFound): {} in namespace {ns:?}", e.message),
                _ => e.to_string(),
            })?;
            let mut pods = selected_pods(cx, &ns, rt.kind, &obj).map_err(|e| format!("error: {e}"))?;
            if pods.is_empty() {
                return Err("error: timed out waiting for the condition".into());
            }
            sort_by_logging(&mut pods);
            if rt.kind != "Pod" && !p.bool("all-pods") {
                if pods.len() > 1 {
                    out.stderr.push_str(&format!(
                        "Found {} pods, using pod/{}\n",
                        pods.len(),
                        common::name_of(&pods[0])
                    ));
                }
                pods.truncate(1);
            }
            pods
        }
    };
    let many_pods = pods.len() > 1;
    for pod in &pods {
        let name = common::name_of(pod).to_string();
        let containers: Vec<String> = if p.bool("all-containers") {
            ["/spec/initContainers", "/spec/containers", "/spec/ephemeralContainers"]
                .iter()
                .flat_map(|path| pod.at(path).and_then(Value::as_array).cloned().unwrap_or_default())
                .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
                .collect()
        } else {
            match &container {
                Some(c) if !has_container(pod, c) => {
                    return Err(format!("error: container {c} is not valid for pod {name}"));
                }
                Some(c) => vec![c.clone()],
                None => {
                    let mut notes = Vec::new();
                    let c = default_container(pod, &mut notes)
                        .ok_or_else(|| format!("error: pod {name} has no containers"))?;
                    if !many_pods {
                        for n in notes {
                            out.stderr.push_str(&n);
                            out.stderr.push('\n');
                        }
                    }
                    vec![c]
                }
            }
        };
        for c in containers {
            match container_log(cx, &ns, pod, &c, p.bool("previous")) {
                Ok(lines) => out.stdout.push_str(&render(lines, &shape, &format!("[pod/{name}/{c}]"))),
                Err(e) if p.bool("ignore-errors") => out.stderr.push_str(&format!("{e}\n")),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// One container's log lines with their times: the pod's `log` subresource, which the apiserver
/// reads from the kubelet of the pod's node.
fn container_log(
    cx: &mut Ctx,
    ns: &str,
    pod: &Value,
    container: &str,
    previous: bool,
) -> Result<Vec<(Millis, String)>, String> {
    let name = common::name_of(pod);
    // A pod with no node yet: the apiserver answers an empty log (`LogLocation` has no location).
    let answer =
        common::call(cx, connect::log_request(ns, name, Some(container), previous)).map_err(|e| e.to_string())?;
    Ok(connect::log_lines(&answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<(Millis, String)> {
        (1..=5).map(|i| (i * 1000 + 250, format!("line {i}"))).collect()
    }

    /// The kubelet cuts (tested in `kubelet::logcut`); kubectl prefixes what it received, so the
    /// byte limit counts the log and a line cut short still gets its prefix.
    #[test]
    fn the_prefix_goes_on_the_kubelets_cut() {
        assert_eq!(render(lines(), &Shape { tail: Some(2), ..Shape::default() }, ""), "line 4\nline 5\n");
        assert_eq!(
            render(lines(), &Shape { tail: Some(1), prefix: true, ..Shape::default() }, "[pod/p/c]"),
            "[pod/p/c] line 5\n"
        );
        assert_eq!(
            render(lines(), &Shape { limit_bytes: Some(9), prefix: true, ..Shape::default() }, "[pod/p/c]"),
            "[pod/p/c] line 1\n[pod/p/c] li"
        );
    }

    #[test]
    fn nano_timestamps_drop_trailing_zeros() {
        use crate::sim::time::rfc3339_nano;
        assert_eq!(rfc3339_nano(6_000), "2025-01-01T00:00:06Z");
        assert_eq!(rfc3339_nano(6_120), "2025-01-01T00:00:06.12Z");
    }

    #[test]
    fn flag_checks() {
        let parse = |s: &str| args::parse(&args::split_words(s).expect("splits"), FLAGS).expect("parses");
        assert_eq!(
            parse_shape(&parse("p --tail=-2"), 0, false).map(|_| ()),
            Err("error: --tail must be greater than or equal to -1".into())
        );
        assert_eq!(parse_shape(&parse("p"), 0, true).map(|s| s.tail), Ok(Some(10)));
        assert_eq!(parse_shape(&parse("p"), 0, false).map(|s| s.tail), Ok(None));
        assert_eq!(parse_shape(&parse("p --since=1m"), 90_000, false).map(|s| s.since), Ok(Some(30_000)));
        assert!(parse_shape(&parse("p --since=0s"), 0, false).is_err());
        assert!(parse_shape(&parse("p --since=1m --since-time=2025-01-01T00:00:00Z"), 0, false).is_err());
    }
}
