//! `.../pods/NAME/attach?container=C&stdout=true&stderr=true`: a container's output stream from now
//! on, as the apiserver's attach subresource proxies it from the kubelet (`ServeAttach`): the pod is
//! read through the simulated apiserver (so it lands in the trace) and checked (completed pods, the
//! container, a node), then `sandbox serve` streams each line the container writes after that moment
//! over the WebSocket, and ends with the kubelet's `Success` status when the container stops. With
//! `stdin=true` the client's input, once its stream closed, goes to the container's process through
//! the simulated attach subresource ([`send`]) and what the process wrote comes back.

use serde_json::Value;

use super::logs::{Log, LogRequest};
use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::connect::container_of;
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::protocol::connect;
use crate::sim::world::World;

/// What an attach request asks for (`PodAttachOptions` from the query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttachRequest {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    /// `-i`: the client sends the process's stdin (read to its end, then given to the process).
    pub stdin: bool,
    pub tty: bool,
    pub stdout: bool,
    pub stderr: bool,
}

impl AttachRequest {
    pub fn from_query(namespace: &str, pod: &str, params: &[(String, String)]) -> Result<Self, Status> {
        let mut r = AttachRequest { namespace: namespace.to_string(), pod: pod.to_string(), ..Self::default() };
        for (k, v) in params {
            let on = super::route::parse_bool(v);
            match k.as_str() {
                "container" if !v.is_empty() => r.container = Some(v.clone()),
                "stdin" => r.stdin = on,
                "tty" => r.tty = on,
                "stdout" => r.stdout = on,
                "stderr" => r.stderr = on,
                _ => {}
            }
        }
        // `NewStreamOptions`: a stream with nothing to carry is refused before any upgrade.
        if !(r.stdin || r.stdout || r.stderr) {
            return Err(Status::bad_request("you must specify at least 1 of stdin, stdout, stderr"));
        }
        Ok(r)
    }

    /// The log request that reads the same container's output.
    pub fn as_log(&self) -> LogRequest {
        LogRequest {
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            container: self.container.clone(),
            follow: true,
            ..LogRequest::default()
        }
    }
}

/// Opens the stream: the container's log as it stands (attach shows only what comes after), or the
/// apiserver's error before any upgrade.
pub fn open(world: &mut World, r: &AttachRequest) -> Result<Log, Status> {
    let Some(pods) = crate::sim::api::resolve("pods") else { return Err(Status::internal("pods are not served")) };
    let pod = world.call(ApiRequest::new(0, Verb::Get, pods).in_namespace(Some(&r.namespace)).named(&r.pod))?;
    let (node, container) = check_pod(&pod, r)?;
    // What the container has written so far, through the log subresource (apiserver -> kubelet, every
    // hop in the trace): attach streams only what comes after it.
    let req = connect::log_request(&r.namespace, &r.pod, Some(&container), false);
    let lines = connect::log_lines(&world.call(req)?);
    Ok(Log { node, container, lines })
}

/// `attach -i`: what the client sent on stdin (all of it: its stream closed) goes to the container's
/// main process through the simulated apiserver's attach subresource (kubelet, CRI `Attach`); what
/// the process wrote comes back.
pub fn send(world: &mut World, r: &AttachRequest, container: &str, input: &str) -> Result<String, Status> {
    let req = connect::attach_request(&r.namespace, &r.pod, container, true, Some(input), r.tty);
    match connect::exec_answer(&world.call(req)?) {
        connect::ExecAnswer::Ran { stdout, .. } => Ok(stdout),
        connect::ExecAnswer::Failed(e) | connect::ExecAnswer::Refused(e) => Err(Status::internal(e)),
    }
}

/// The apiserver's checks before it upgrades an attach with stdin (`AttachLocation`), on the pod as
/// its watch cache holds it: no message, since the attach request that follows has the apiserver
/// read the pod from etcd itself (and check it again). Returns the node and the container.
pub fn check(world: &mut World, r: &AttachRequest) -> Result<(String, String), Status> {
    let Some(pods) = crate::sim::api::resolve("pods") else { return Err(Status::internal("pods are not served")) };
    let key = crate::sim::api::storage_key(pods, Some(&r.namespace), &r.pod);
    let Some(pod) = world.apiserver.cache.get(&key).cloned() else { return Err(Status::not_found(pods, &r.pod)) };
    check_pod(&pod, r)
}

/// `AttachLocation`'s checks of a pod: not completed, the container, a node.
fn check_pod(pod: &Value, r: &AttachRequest) -> Result<(String, String), Status> {
    let phase = pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(Status::bad_request(format!(
            "cannot attach a container in a completed pod; current phase is {phase}"
        )));
    }
    let container = container_of(pod, r.container.as_deref())?;
    let node = pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().to_string();
    if node.is_empty() {
        return Err(Status::bad_request(format!("pod {} does not have a host assigned", r.pod)));
    }
    Ok((node, container))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_query_reads_as_pod_attach_options() {
        let r = AttachRequest::from_query(
            "default",
            "web",
            &params(&[("container", "nginx"), ("stdout", "true"), ("stderr", "1")]),
        )
        .unwrap();
        assert_eq!(
            (r.container.as_deref(), r.stdout, r.stderr, r.stdin, r.tty),
            (Some("nginx"), true, true, false, false)
        );
        assert_eq!(r.as_log().container.as_deref(), Some("nginx"));
        let none = AttachRequest::from_query("default", "web", &params(&[("container", "nginx")])).unwrap_err();
        assert_eq!((none.code, none.message.as_str()), (400, "you must specify at least 1 of stdin, stdout, stderr"));
    }

    #[test]
    fn a_missing_pod_or_container_is_the_apiservers_error() {
        let mut world = World::new(1);
        let r = |pod: &str, container: Option<&str>, stdin: bool| AttachRequest {
            namespace: "kube-system".into(),
            pod: pod.into(),
            container: container.map(str::to_string),
            stdin,
            stdout: true,
            ..AttachRequest::default()
        };
        assert_eq!(open(&mut world, &r("nope", None, false)).unwrap_err().code, 404);
        let etcd = "etcd-sandbox-control-plane";
        let wrong = open(&mut world, &r(etcd, Some("x"), false)).unwrap_err();
        assert_eq!(wrong.message, format!("container x is not valid for pod {etcd}"));
        // etcd's process does not read its stdin (the container has none open): nothing comes back.
        let (_, container) = check(&mut world, &r(etcd, None, true)).expect("etcd runs");
        assert_eq!(send(&mut world, &r(etcd, None, true), &container, "hello\n"), Ok(String::new()));
        let log = open(&mut world, &r(etcd, None, false)).unwrap();
        assert_eq!((log.node.as_str(), log.container.as_str()), ("sandbox-control-plane", "etcd"));
    }
}
