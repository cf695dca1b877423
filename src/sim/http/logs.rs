//! `GET /api/v1/namespaces/NS/pods/NAME/log`: a container's log through the simulated apiserver's
//! log subresource (`apiserver/connect.rs`: it reads the pod, checks the container as
//! `ValidateContainer` does and asks the pod's kubelet, `LogLocation`, every hop in the trace), then
//! cut as the kubelet cuts for `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps` and
//! `limitBytes`.

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::connect::container_of;
use crate::sim::apiserver::status::Status;
use crate::sim::kubectl::Cluster;
use crate::sim::node::kubelet::logcut::{self, LogCut};
use crate::sim::protocol::connect;
use crate::sim::time::{Millis, parse_rfc3339};
use crate::sim::world::World;

/// What a log request asks for (`PodLogOptions` from the query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogRequest {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub previous: bool,
    pub follow: bool,
    pub timestamps: bool,
    pub tail_lines: Option<usize>,
    pub since_seconds: Option<u64>,
    pub since_time: Option<Millis>,
    pub limit_bytes: Option<usize>,
}

impl LogRequest {
    /// The options from the query's parameters, refused as the apiserver's validation refuses them.
    pub fn from_query(namespace: &str, pod: &str, params: &[(String, String)]) -> Result<Self, Status> {
        let mut r = LogRequest { namespace: namespace.to_string(), pod: pod.to_string(), ..Self::default() };
        let number = |k: &str, v: &str| -> Result<i64, Status> {
            v.parse().map_err(|_| Status::bad_request(format!("{k}: Invalid value: {v:?}: must be an integer")))
        };
        for (k, v) in params {
            match k.as_str() {
                "container" if !v.is_empty() => r.container = Some(v.clone()),
                "previous" => r.previous = super::route::parse_bool(v),
                "follow" => r.follow = super::route::parse_bool(v),
                "timestamps" => r.timestamps = super::route::parse_bool(v),
                "tailLines" => {
                    let n = number(k, v)?;
                    r.tail_lines = Some(usize::try_from(n).map_err(|_| {
                        Status::invalid(format!("PodLogOptions \"{pod}\" is invalid: tailLines: Invalid value: {n}: must be greater than or equal to 0"))
                    })?);
                }
                "sinceSeconds" => {
                    let n = number(k, v)?;
                    r.since_seconds = Some(u64::try_from(n).ok().filter(|s| *s > 0).ok_or_else(|| {
                        Status::invalid(format!("PodLogOptions \"{pod}\" is invalid: sinceSeconds: Invalid value: {n}: must be greater than 0"))
                    })?);
                }
                "sinceTime" => {
                    r.since_time = Some(parse_rfc3339(v).ok_or_else(|| {
                        Status::bad_request(format!("sinceTime: Invalid value: {v:?}: must be an RFC3339 time"))
                    })?);
                }
                "limitBytes" => {
                    let n = number(k, v)?;
                    r.limit_bytes = Some(usize::try_from(n).ok().filter(|b| *b > 0).ok_or_else(|| {
                        Status::invalid(format!(
                            "PodLogOptions \"{pod}\" is invalid: limitBytes: Invalid value: {n}: must be greater than 0"
                        ))
                    })?);
                }
                _ => {}
            }
        }
        if r.since_seconds.is_some() && r.since_time.is_some() {
            return Err(Status::invalid(format!(
                "PodLogOptions \"{pod}\" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"
            )));
        }
        Ok(r)
    }
}

/// A container's log as read: where it lives and its lines so far, with their times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    pub node: String,
    pub container: String,
    pub lines: Vec<(Millis, String)>,
}

/// The log, or the apiserver's error. A pod with no node yet has an empty log (`LogLocation` has
/// nowhere to proxy to, and the apiserver answers an empty body).
pub fn read(world: &mut World, r: &LogRequest) -> Result<Log, Status> {
    let req = connect::log_request(&r.namespace, &r.pod, r.container.as_deref(), r.previous);
    let lines = connect::log_lines(&world.call(req)?);
    // Where the stream comes from, for `follow`: the pod as the apiserver's cache holds it.
    let pod = Cluster::cached(world, &pod_key(r)).unwrap_or_default();
    let container = container_of(&pod, r.container.as_deref()).unwrap_or_default();
    let node = pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(Log { node, container, lines })
}

fn pod_key(r: &LogRequest) -> String {
    format!("/registry/pods/{}/{}", r.namespace, r.pod)
}

/// For `follow`: the lines written after the first `seen`, and whether the container still runs (the
/// stream ends when it stops). Read from the kubelet and the apiserver's cache, as a follow's open
/// stream costs no further requests.
pub fn more(world: &mut World, r: &LogRequest, log: &Log, seen: usize) -> (Vec<(Millis, String)>, bool) {
    let now = world.now();
    let kubelet = world.nodes.get(&log.node).filter(|n| n.running).map(|n| &n.kubelet);
    let Some(Ok(lines)) = kubelet.map(|k| k.logs_with_times(&r.namespace, &r.pod, Some(&log.container), false, now))
    else {
        return (Vec::new(), false);
    };
    let running = Cluster::cached(world, &pod_key(r)).is_some_and(|pod| {
        ["/status/containerStatuses", "/status/initContainerStatuses"].iter().any(|path| {
            pod.at(path).and_then(Value::as_array).into_iter().flatten().any(|c| {
                c.get("name").and_then(Value::as_str) == Some(log.container.as_str())
                    && c.at("/state/running").is_some()
            })
        })
    });
    (lines.into_iter().skip(seen).collect(), running)
}

/// What the kubelet returns for the request: its log options as the kubelet's cut.
pub fn cut(lines: Vec<(Millis, String)>, r: &LogRequest, now: Millis) -> String {
    let since = r.since_time.or(r.since_seconds.map(|s| now.saturating_sub(s.saturating_mul(1000))));
    let options = LogCut { since, tail: r.tail_lines, timestamps: r.timestamps, limit_bytes: r.limit_bytes };
    logcut::cut(lines, &options)
}

#[cfg(test)]
mod tests;
