//! The kube-apiserver's calls to a kubelet's server (`:10250`): the streams behind the pods' `exec`,
//! `log` and `portforward` subresources, as `pkg/kubelet/server/server.go` serves
//! `/exec/{ns}/{pod}/{container}`, `/containerLogs/{ns}/{pod}/{container}` and `/portForward/{ns}/{pod}`.
//!
//! A real exec is a connection upgraded to SPDY or WebSocket whose frames carry stdout and, at the
//! end, a `Status` on the error channel. The simulation sends the whole stream as one reply: the
//! output and how it ended, or the kubelet's refusal before any stream opened.

use crate::sim::time::Millis;

/// What the apiserver asks of a kubelet for a connect subresource.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletRequest {
    pub id: u64,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub op: StreamOp,
}

/// The kubelet endpoint called.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamOp {
    /// `POST /exec/{ns}/{pod}/{container}?command=...`: run `command` in the container.
    Exec { command: Vec<String>, stdin: Option<String>, tty: bool },
    /// `GET /containerLogs/{ns}/{pod}/{container}?previous=...`: the container's log.
    Logs { previous: bool },
    /// `POST /portForward/{ns}/{pod}`: one connection to the pod's `port`, carrying `data`.
    PortForward { port: u16, data: Vec<u8> },
}

/// The kubelet's answer: the stream's content, or why it refused before any stream opened (the
/// body of its error response, e.g. `container not found ("x")`).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletReply {
    pub id: u64,
    pub result: Result<StreamData, String>,
}

/// What flowed on an opened stream.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamData {
    /// The command's output; `Err` holds the output followed by how it failed (`command terminated
    /// with exit code N`, or the runtime's error starting it).
    Exec(Result<String, String>),
    /// The log lines with the time each was written.
    Logs(Vec<(Millis, String)>),
    /// A forwarded connection: the bytes the pod's server wrote, or the message the error stream
    /// carried (the runtime could not connect inside the pod).
    PortForward(Result<Vec<u8>, String>),
}

impl KubeletRequest {
    /// The kubelet URL path the apiserver dials, as it appears in the apiserver's proxy errors.
    pub fn path(&self) -> String {
        let endpoint = match self.op {
            StreamOp::Exec { .. } => "exec",
            StreamOp::Logs { .. } => "containerLogs",
            StreamOp::PortForward { .. } => return format!("/portForward/{}/{}", self.namespace, self.pod),
        };
        format!("/{endpoint}/{}/{}/{}", self.namespace, self.pod, self.container)
    }

    pub fn summary(&self) -> String {
        match &self.op {
            StreamOp::Exec { command, .. } => format!("POST {} {}", self.path(), command.join(" ")),
            StreamOp::Logs { previous: true } => format!("GET {}?previous=true", self.path()),
            StreamOp::Logs { previous: false } => format!("GET {}", self.path()),
            StreamOp::PortForward { port, data } => {
                format!("POST {} port {port}, {} bytes", self.path(), data.len())
            }
        }
    }
}

impl KubeletReply {
    pub fn summary(&self) -> String {
        match &self.result {
            Ok(StreamData::Exec(Ok(out))) => format!("101 stream: {} bytes, exit 0", out.len()),
            Ok(StreamData::Exec(Err(e))) => match e.rsplit_once("command terminated with exit code ") {
                Some((out, code)) => format!("101 stream: {} bytes, exit {code}", out.len()),
                None => format!("101 stream: {}", e.lines().last().unwrap_or_default()),
            },
            Ok(StreamData::Logs(lines)) => format!("200 {} log lines", lines.len()),
            Ok(StreamData::PortForward(Ok(data))) => format!("101 stream: {} bytes back", data.len()),
            Ok(StreamData::PortForward(Err(e))) => format!("101 stream, error channel: {e}"),
            Err(e) => format!("error: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_the_kubelet_endpoint_and_the_outcome() {
        let exec = KubeletRequest {
            id: 1,
            namespace: "default".into(),
            pod: "web".into(),
            container: "nginx".into(),
            op: StreamOp::Exec { command: vec!["ls".into(), "/".into()], stdin: None, tty: false },
        };
        assert_eq!(exec.summary(), "POST /exec/default/web/nginx ls /");
        let logs = KubeletRequest { op: StreamOp::Logs { previous: true }, ..exec.clone() };
        assert_eq!(logs.summary(), "GET /containerLogs/default/web/nginx?previous=true");
        let forward = KubeletRequest { op: StreamOp::PortForward { port: 80, data: b"GET /".to_vec() }, ..exec };
        assert_eq!(forward.summary(), "POST /portForward/default/web port 80, 5 bytes");
        for (result, want) in [
            (Ok(StreamData::Exec(Ok("a\n".into()))), "101 stream: 2 bytes, exit 0"),
            (Ok(StreamData::Exec(Err("x\ncommand terminated with exit code 3".into()))), "101 stream: 2 bytes, exit 3"),
            (Ok(StreamData::Logs(vec![(1, "l".into())])), "200 1 log lines"),
            (Err("container not found (\"x\")".into()), "error: container not found (\"x\")"),
        ] {
            assert_eq!(KubeletReply { id: 2, result }.summary(), want);
        }
    }
}
