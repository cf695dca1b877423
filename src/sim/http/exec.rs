//! `.../pods/NAME/exec?command=...&container=...`: a command run in a container as the apiserver's
//! exec subresource runs it: the pod is read through the simulated apiserver (so it lands in the
//! trace), checked (completed pods, the container, a node), and the command handed to its kubelet.
//! The output and exit code go back over the WebSocket `sandbox serve` upgrades the request to.

use serde_json::{Value, json};

use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::kubectl::Cluster;
use crate::sim::world::World;

/// What an exec request asks for (`PodExecOptions` from the query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub command: Vec<String>,
    /// `-i`/`-t`: a stream into the container, which the sandbox does not model.
    pub stdin: bool,
    pub tty: bool,
}

impl ExecRequest {
    pub fn from_query(namespace: &str, pod: &str, params: &[(String, String)]) -> Result<Self, Status> {
        let mut r = ExecRequest { namespace: namespace.to_string(), pod: pod.to_string(), ..Self::default() };
        for (k, v) in params {
            match k.as_str() {
                "command" => r.command.push(v.clone()),
                "container" if !v.is_empty() => r.container = Some(v.clone()),
                "stdin" => r.stdin = super::route::parse_bool(v),
                "tty" => r.tty = super::route::parse_bool(v),
                _ => {}
            }
        }
        if r.command.is_empty() {
            return Err(Status::bad_request("you must specify at least one command for the container"));
        }
        Ok(r)
    }
}

/// What the command did: its output (stdout and stderr together, as the kubelet's simulated
/// processes write one stream) and its exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub output: String,
    pub exit_code: i32,
}

impl Ran {
    /// The `Status` the exec stream ends with (on the error channel), as the kubelet writes it.
    pub fn status(&self, command: &[String]) -> Value {
        if self.exit_code == 0 {
            return json!({"metadata": {}, "status": "Success"});
        }
        json!({"metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {}", command.join(" "), self.exit_code),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": self.exit_code.to_string()}]}})
    }
}

/// Runs the command, or the apiserver's error before any stream opens.
pub fn run(world: &mut World, r: &ExecRequest) -> Result<Ran, Status> {
    if r.stdin || r.tty {
        return Err(Status::bad_request(
            "stdin and tty are not available in this sandbox (there is no terminal stream into the container); run one command at a time",
        ));
    }
    let Some(pods) = crate::sim::api::resolve("pods") else { return Err(Status::internal("pods are not served")) };
    let pod = world.call(ApiRequest::new(0, Verb::Get, pods).in_namespace(Some(&r.namespace)).named(&r.pod))?;
    let phase = pod.at("/status/phase").and_then(Value::as_str).unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(Status::bad_request(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        )));
    }
    let container = super::logs::container_of(&pod, r.container.as_deref())?;
    let node = pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().to_string();
    if node.is_empty() {
        return Err(Status::bad_request(format!("pod {} does not have a host assigned", r.pod)));
    }
    match Cluster::exec(world, &node, &r.namespace, &r.pod, &container, &r.command) {
        Ok(Ok(output)) => Ok(Ran { output, exit_code: 0 }),
        Ok(Err(e)) => match e.rfind("command terminated with exit code ") {
            Some(i) => {
                let code = e[i..].trim_start_matches("command terminated with exit code ").trim().parse().unwrap_or(1);
                Ok(Ran { output: e[..i].to_string(), exit_code: code })
            }
            None => Err(Status::internal(e)),
        },
        Err(no_route) => Err(Status::internal(format!(
            "error dialing backend: dial tcp {}:10250: connect: no route to host",
            no_route.ip
        ))),
    }
}
