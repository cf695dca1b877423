//! The pods' connect subresources `exec`, `log` and `portforward`: the apiserver reads the pod,
//! checks it as `ExecLocation`, `LogLocation` and `PortForwardLocation` do
//! (`pkg/registry/core/pod/strategy.go`), dials the kubelet of
//! its node at the Node's InternalIP on :10250 (`GetConnectionInfo`, kubeadm's
//! `--kubelet-preferred-address-types=InternalIP,...`), and relays what the kubelet answers.
//!
//! ```text
//!   client ──POST pods/x/exec?command=..──► apiserver ──range──► etcd (the pod)
//!          apiserver ──Stream──► kubelet :10250 ... ──StreamReply──► apiserver ──101 + stream──► client
//! ```
//!
//! The answer to the client is one JSON document standing for the stream: for exec
//! `{"stream": "exec", "stdout": ..., "exitCode": N}` (or `"error"`, the error channel's message,
//! or `"refused"`, the kubelet's body when it refused to upgrade); for log
//! `{"stream": "log", "lines": [[ms, "line"], ...]}`; for a port-forward connection
//! `{"stream": "portforward", "data": ...}` (the pod's bytes, `connect::bytes_to_text`), or `"error"`
//! (the error stream's message), or `"refused"`.

use serde_json::{Value, json};

use super::request::ApiRequest;
use super::status::{Reason, Status};
use super::{ApiServer, respond};
use crate::sim::api::pointer::Pointer;
use crate::sim::component::Component;
use crate::sim::kernel::{Kernel, TimerKind};
use crate::sim::message::Payload;
use crate::sim::network::LinkState;
use crate::sim::protocol::connect::{bytes_to_text, text_to_bytes};
use crate::sim::protocol::stream::{KubeletReply, KubeletRequest, StreamData, StreamOp};

/// How long the apiserver's kubelet client waits to connect when the network drops its packets:
/// `pkg/kubelet/client`'s transport keeps Go's default dialer (`net.Dialer{Timeout: 30 * time.Second}`,
/// through `utilnet.SetOldTransportDefaults`).
pub const DIAL_TIMEOUT_MS: u64 = 30_000;

/// A stream the apiserver has dialled a kubelet for, waiting for its answer.
#[derive(Debug, Clone)]
pub(super) struct OpenStream {
    client: Component,
    request_id: u64,
    /// The kubelet's address (the Node's InternalIP), for dial errors.
    ip: String,
    /// The kubelet path dialled, for the log proxy's error (`Get "https://ip:10250/containerLogs/..."`).
    path: String,
    /// The upgraded stream's name (`exec`, `portforward`); None for a log, which is plain HTTP.
    upgraded: Option<&'static str>,
}

fn nodes() -> &'static crate::sim::api::ResourceType {
    crate::sim::api::resolve("nodes").expect("nodes are always served")
}

/// Whether a request is for a subresource the apiserver proxies to a kubelet.
pub fn is_connect(req: &ApiRequest) -> bool {
    req.resource.plural == "pods" && matches!(req.subresource.as_deref(), Some("exec" | "log" | "portforward"))
}

/// The container a request means: the one named, or the pod's only container (`streamLocation`,
/// `validateContainer`).
pub fn container_of(pod: &Value, asked: Option<&str>) -> Result<String, Status> {
    let names = |path: &str| -> Vec<String> {
        pod.at(path)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("name")?.as_str().map(str::to_string))
            .collect()
    };
    let (containers, init, ephemeral) =
        (names("/spec/containers"), names("/spec/initContainers"), names("/spec/ephemeralContainers"));
    let name = pod.at("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    match asked {
        Some(c) if containers.iter().chain(&init).chain(&ephemeral).any(|n| n == c) => Ok(c.to_string()),
        Some(c) => Err(Status::bad_request(format!("container {c} is not valid for pod {name}"))),
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => {
            let mut message =
                format!("a container name must be specified for pod {name}, choose one of: [{}]", containers.join(" "));
            if !init.is_empty() {
                message.push_str(&format!(" or one of the init containers: [{}]", init.join(" ")));
            }
            Err(Status::bad_request(message))
        }
    }
}

/// The kubelet call a request makes of the pod (its container checked), or the apiserver's
/// error; `Ok(None)` for a log of a pod with no node yet, which is empty (`LogLocation` has no
/// location, and the apiserver answers an empty body).
fn locate(req: &ApiRequest, pod: &Value) -> Result<Option<(String, KubeletRequest)>, Status> {
    let o = &req.options;
    let forward = req.subresource.as_deref() == Some("portforward");
    // A port-forward names no container (`PortForwardLocation` goes straight to the node).
    let container = if forward { String::new() } else { container_of(pod, o.param("container").filter(|c| !c.is_empty()))? };
    let exec = req.subresource.as_deref() == Some("exec");
    let name = pod.at("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let node = pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().to_string();
    if node.is_empty() {
        return match exec || forward {
            true => Err(Status::bad_request(format!("pod {name} does not have a host assigned"))),
            false => Ok(None),
        };
    }
    let op = if forward {
        let port = o.param("ports").and_then(|p| p.parse::<u16>().ok()).filter(|p| *p > 0);
        let Some(port) = port else {
            return Err(Status::bad_request("'ports' or 'port' is a required parameter"));
        };
        let data = req.body.as_ref().and_then(|b| b.get("data")).and_then(Value::as_str).map(text_to_bytes);
        StreamOp::PortForward { port, data: data.unwrap_or_default() }
    } else if exec {
        let command: Vec<String> = o.params.iter().filter(|(k, _)| k == "command").map(|(_, v)| v.clone()).collect();
        if command.is_empty() {
            return Err(Status::bad_request("you must specify at least one command for the container"));
        }
        // The stdin stream (`stdin=true`), which the client sends in full.
        let stdin = req.body.as_ref().and_then(|b| b.get("stdin")).and_then(Value::as_str).map(str::to_string);
        let stdin = stdin.filter(|_| o.param("stdin") == Some("true"));
        StreamOp::Exec { command, stdin, tty: o.param("tty") == Some("true") }
    } else {
        StreamOp::Logs { previous: o.param("previous").is_some_and(|v| v == "true") }
    };
    let namespace = req.namespace.clone().unwrap_or_default();
    Ok(Some((node, KubeletRequest { id: 0, namespace, pod: name, container, op })))
}

/// The kubelet's answer as the client receives it.
fn relay(r: KubeletReply, s: &OpenStream) -> Result<Value, Status> {
    match r.result {
        Ok(StreamData::Exec(Ok(stdout))) => Ok(json!({"stream": "exec", "stdout": stdout, "exitCode": 0})),
        Ok(StreamData::Exec(Err(e))) => Ok(match e.rsplit_once("command terminated with exit code ") {
            Some((stdout, code)) => {
                json!({"stream": "exec", "stdout": stdout, "exitCode": code.trim().parse::<i64>().unwrap_or(1)})
            }
            None => json!({"stream": "exec", "stdout": "", "error": e}),
        }),
        Ok(StreamData::Logs(lines)) => Ok(json!({"stream": "log", "lines": lines})),
        Ok(StreamData::PortForward(Ok(data))) => Ok(json!({"stream": "portforward", "data": bytes_to_text(&data)})),
        Ok(StreamData::PortForward(Err(e))) => Ok(json!({"stream": "portforward", "error": e})),
        Err(refused) if s.upgraded.is_some() => Ok(json!({"stream": s.upgraded, "refused": refused})),
        // The kubelet's log errors come back as the apiserver's: a missing pod or container is
        // NotFound, anything else (waiting, no previous container) a BadRequest.
        Err(e) if e.ends_with("not found") && !e.starts_with("previous") => Err(Status::new(404, Reason::NotFound, e)),
        Err(e) => Err(Status::bad_request(e)),
    }
}

impl ApiServer {
    /// The pod has been read: check it and dial its kubelet.
    pub(super) fn connect(&mut self, client: Component, req: ApiRequest, pod: Option<Value>, k: &mut Kernel) {
        let Some(pod) = pod else {
            let name = req.name.as_deref().unwrap_or_default();
            return respond(k, client, req.id, Err(Status::not_found(req.resource, name)));
        };
        let (node, mut call) = match locate(&req, &pod) {
            Err(e) => return respond(k, client, req.id, Err(e)),
            Ok(None) => return respond(k, client, req.id, Ok(json!({"stream": "log", "lines": []}))),
            Ok(Some(found)) => found,
        };
        let ip = self
            .cache
            .get(&crate::sim::api::storage_key(nodes(), None, &node))
            .and_then(|n| n.at("/status/addresses").and_then(Value::as_array).cloned())
            .into_iter()
            .flatten()
            .find(|a| a.get("type").and_then(Value::as_str) == Some("InternalIP"))
            .and_then(|a| a.get("address").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| node.clone());
        call.id = k.fresh_id();
        let stream = OpenStream {
            client,
            request_id: req.id,
            ip,
            path: call.path(),
            upgraded: match call.op {
                StreamOp::Exec { .. } => Some("exec"),
                StreamOp::PortForward { .. } => Some("portforward"),
                StreamOp::Logs { .. } => None,
            },
        };
        let kubelet = Component::Kubelet(node);
        if k.network.state(&Component::ApiServer, &kubelet) == LinkState::Partitioned {
            k.set_timer(Component::ApiServer, DIAL_TIMEOUT_MS, TimerKind::Object(format!("dial:{}", call.id)));
        }
        self.streams.insert(call.id, stream);
        k.send(Component::ApiServer, kubelet, Payload::Stream(Box::new(call)));
    }

    /// A kubelet answered a stream.
    pub(super) fn on_stream_reply(&mut self, r: KubeletReply, k: &mut Kernel) {
        let Some(s) = self.streams.remove(&r.id) else { return };
        let answer = relay(r, &s);
        respond(k, s.client, s.request_id, answer);
    }

    /// The kubelet's node is down: nothing answers at its address, the dial fails at once.
    pub fn kubelet_unreachable(&mut self, id: u64, k: &mut Kernel) {
        self.fail_dial(id, "connect: no route to host", k);
    }

    /// A dial timer fired: the kubelet never answered (its packets were dropped).
    pub(super) fn on_dial_timer(&mut self, key: &str, k: &mut Kernel) -> bool {
        let Some(id) = key.strip_prefix("dial:").and_then(|i| i.parse().ok()) else { return false };
        self.fail_dial(id, "i/o timeout", k);
        true
    }

    /// Ends a stream whose kubelet could not be dialled, in the words of the apiserver's proxy.
    fn fail_dial(&mut self, id: u64, why: &str, k: &mut Kernel) {
        let Some(s) = self.streams.remove(&id) else { return };
        let dial = format!("dial tcp {}:10250: {why}", s.ip);
        let message = if s.upgraded.is_some() {
            format!("error dialing backend: {dial}")
        } else {
            format!("Get \"https://{}:10250{}\": {dial}", s.ip, s.path)
        };
        respond(k, s.client, s.request_id, Err(Status::new(500, Reason::Unknown, message)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(containers: &[&str], node: &str) -> Value {
        let cs: Vec<Value> = containers.iter().map(|c| json!({"name": c})).collect();
        json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"containers": cs, "nodeName": node}})
    }

    fn exec(params: &[(&str, &str)]) -> ApiRequest {
        let pods = crate::sim::api::resolve("pods").expect("pods are served");
        let mut r = ApiRequest::new(1, super::super::request::Verb::Create, pods)
            .in_namespace(Some("default"))
            .named("web")
            .on_subresource("exec");
        r.options.params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        r
    }

    /// `streamLocation`'s checks, in its order: the container, then the node.
    #[test]
    fn exec_location_checks_the_container_then_the_node() {
        let err = |r: Result<Option<(String, KubeletRequest)>, Status>| r.map(|_| ()).unwrap_err().message;
        assert_eq!(
            err(locate(&exec(&[("command", "ls")]), &pod(&["a", "b"], "n1"))),
            "a container name must be specified for pod web, choose one of: [a b]"
        );
        assert_eq!(
            err(locate(&exec(&[("command", "ls"), ("container", "x")]), &pod(&["a"], "n1"))),
            "container x is not valid for pod web"
        );
        assert_eq!(err(locate(&exec(&[("command", "ls")]), &pod(&["a"], ""))), "pod web does not have a host assigned");
        assert_eq!(
            err(locate(&exec(&[]), &pod(&["a"], "n1"))),
            "you must specify at least one command for the container"
        );
        let (node, call) = locate(&exec(&[("command", "ls"), ("command", "/")]), &pod(&["a"], "n1"))
            .expect("valid")
            .expect("has a node");
        assert_eq!((node.as_str(), call.path()), ("n1", "/exec/default/web/a".to_string()));
        assert_eq!(call.op, StreamOp::Exec { command: vec!["ls".into(), "/".into()], stdin: None, tty: false });
    }

    #[test]
    fn a_log_of_an_unscheduled_pod_is_empty() {
        let mut r = exec(&[]);
        r.subresource = Some("log".into());
        assert!(matches!(locate(&r, &pod(&["a"], "")), Ok(None)));
    }

    #[test]
    fn kubelet_answers_become_the_clients() {
        let s = |exec: bool| OpenStream {
            client: Component::Kubectl,
            request_id: 1,
            ip: "172.18.0.3".into(),
            path: "/containerLogs/default/web/a".into(),
            upgraded: exec.then_some("exec"),
        };
        let reply = |result| KubeletReply { id: 9, result };
        assert_eq!(
            relay(reply(Ok(StreamData::Exec(Err("x\ncommand terminated with exit code 2".into())))), &s(true)),
            Ok(json!({"stream": "exec", "stdout": "x\n", "exitCode": 2}))
        );
        assert_eq!(
            relay(reply(Err("container not found (\"a\")".into())), &s(true)),
            Ok(json!({"stream": "exec", "refused": "container not found (\"a\")"}))
        );
        assert_eq!(relay(reply(Err("pods \"web\" not found".into())), &s(false)).unwrap_err().reason, Reason::NotFound);
        assert_eq!(
            relay(reply(Err("container \"a\" in pod \"web\" is terminated".into())), &s(false)).unwrap_err().reason,
            Reason::BadRequest
        );
    }
}
