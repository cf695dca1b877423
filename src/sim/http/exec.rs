//! `.../pods/NAME/exec?command=...&container=...`: a command run in a container through the
//! simulated apiserver's exec subresource (`apiserver/connect.rs`: it reads the pod, checks the
//! container and the node, and dials the kubelet, every hop in the trace). The output and exit
//! code go back over the WebSocket `sandbox serve` upgrades the request to.

use serde_json::{Value, json};

use crate::sim::apiserver::status::Status;
use crate::sim::protocol::connect::{self, ExecAnswer};
use crate::sim::world::World;

/// What an exec request asks for (`PodExecOptions` from the query).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub command: Vec<String>,
    /// `-i`: the client sends the command's stdin (all of it is read before the command runs).
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

/// Runs the command with what the client sent on stdin (`input`, read to its end), or the
/// apiserver's error.
pub fn run(world: &mut World, r: &ExecRequest, input: Option<&str>) -> Result<Ran, Status> {
    let input = input.filter(|_| r.stdin);
    let req = connect::exec_request(&r.namespace, &r.pod, r.container.as_deref(), &r.command, input, r.tty);
    match connect::exec_answer(&world.call(req)?) {
        ExecAnswer::Ran { stdout, exit_code } => {
            Ok(Ran { output: stdout, exit_code: i32::try_from(exit_code).unwrap_or(1) })
        }
        ExecAnswer::Failed(e) | ExecAnswer::Refused(e) => Err(Status::internal(e)),
    }
}
