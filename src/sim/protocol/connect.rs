//! The pods' `exec`, `log` and `portforward` subresources as a client calls them: the request with
//! its options as query parameters, and what the answer's stream carried (the apiserver's side is
//! `apiserver/connect.rs`).

use serde_json::Value;

use super::request::{ApiRequest, Verb};
use crate::sim::api;
use crate::sim::time::Millis;

fn pods() -> &'static api::ResourceType {
    api::resolve("pods").expect("pods are always served")
}

/// `POST .../pods/NAME/exec?command=..&container=..&stderr=true&stdout=true`: `PodExecOptions` as
/// kubectl's parameter codec writes them (keys sorted, `command` once per word).
/// With `stdin`, its content is what the stream's stdin channel carries (the request's body here).
/// With a terminal there is no stderr stream: kubectl 1.33 drops it (`if t.Raw { p.ErrOut = nil }`),
/// since a TTY carries both on one stream.
pub fn exec_request(
    ns: &str,
    pod: &str,
    container: Option<&str>,
    command: &[String],
    stdin: Option<&str>,
    tty: bool,
) -> ApiRequest {
    let mut req = ApiRequest::new(0, Verb::Create, pods()).in_namespace(Some(ns)).named(pod).on_subresource("exec");
    let mut params: Vec<(String, String)> = command.iter().map(|c| ("command".to_string(), c.clone())).collect();
    if let Some(c) = container {
        params.push(("container".into(), c.into()));
    }
    if !tty {
        params.push(("stderr".into(), "true".into()));
    }
    if let Some(input) = stdin {
        params.push(("stdin".into(), "true".into()));
        req.body = Some(serde_json::json!({ "stdin": input }));
    }
    params.push(("stdout".into(), "true".into()));
    if tty {
        params.push(("tty".into(), "true".into()));
    }
    req.options.params = params;
    req
}

/// `GET .../pods/NAME/log?container=..[&previous=true]`.
pub fn log_request(ns: &str, pod: &str, container: Option<&str>, previous: bool) -> ApiRequest {
    let mut req = ApiRequest::new(0, Verb::Get, pods()).in_namespace(Some(ns)).named(pod).on_subresource("log");
    if let Some(c) = container {
        req.options.params.push(("container".into(), c.into()));
    }
    if previous {
        req.options.params.push(("previous".into(), "true".into()));
    }
    req
}

/// `POST .../pods/NAME/portforward?ports=PORT`: one TCP connection kubectl accepted on its local
/// port, carried to the pod's `PORT`. `data` is every byte the local client sent on it (one HTTP
/// request, say); it rides in the body, one byte per character (U+0000..U+00FF), so that any bytes
/// survive the JSON. Upstream kubectl names the port in each stream's headers rather than the query
/// (`PortForwardOptions.ports` is the WebSocket protocol's spelling); the query keeps it visible in
/// the trace's one line.
pub fn portforward_request(namespace: &str, pod: &str, port: u16, data: &[u8]) -> ApiRequest {
    let mut req =
        ApiRequest::new(0, Verb::Create, pods()).in_namespace(Some(namespace)).named(pod).on_subresource("portforward");
    req.options.params.push(("ports".into(), port.to_string()));
    req.body = Some(serde_json::json!({ "data": bytes_to_text(data) }));
    req
}

/// Bytes as a JSON-safe string, one character per byte (Latin-1): lossless, and ASCII stays readable.
pub fn bytes_to_text(data: &[u8]) -> String {
    data.iter().map(|&b| char::from(b)).collect()
}

/// The inverse of [`bytes_to_text`]; a character above U+00FF (not written by it) becomes `?`.
pub fn text_to_bytes(text: &str) -> Vec<u8> {
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
}

/// How one forwarded connection ended, as kubectl sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum ForwardAnswer {
    /// The bytes the pod's server wrote before closing the connection.
    Replied(Vec<u8>),
    /// The runtime's error, as the kubelet puts it on the stream's error channel (`error forwarding
    /// port 80 to pod ..., uid : failed to connect to localhost:80 inside namespace ...`).
    Failed(String),
    /// The kubelet refused before any stream opened (the body of its answer to the upgrade).
    Refused(String),
}

/// Reads the apiserver's answer to a port-forward connection (an apiserver error, a missing pod say,
/// comes back from `call` as its `Status` instead).
pub fn portforward_answer(v: &Value) -> ForwardAnswer {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(refused) = text("refused") {
        return ForwardAnswer::Refused(refused);
    }
    if let Some(error) = text("error") {
        return ForwardAnswer::Failed(error);
    }
    ForwardAnswer::Replied(text_to_bytes(&text("data").unwrap_or_default()))
}

/// How an exec ended, as its client sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecAnswer {
    /// The command ran: its output and exit code.
    Ran { stdout: String, exit_code: i64 },
    /// The stream opened, and its error channel reported a failure to run the command.
    Failed(String),
    /// The kubelet refused to open the stream (the body of its answer to the upgrade).
    Refused(String),
}

/// Reads the apiserver's answer to an exec.
pub fn exec_answer(v: &Value) -> ExecAnswer {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(refused) = text("refused") {
        return ExecAnswer::Refused(refused);
    }
    if let Some(error) = text("error") {
        return ExecAnswer::Failed(error);
    }
    ExecAnswer::Ran { stdout: text("stdout").unwrap_or_default(), exit_code: v["exitCode"].as_i64().unwrap_or(0) }
}

/// Reads the apiserver's answer to a log request: each line with the time it was written.
pub fn log_lines(v: &Value) -> Vec<(Millis, String)> {
    let lines = v.get("lines").and_then(Value::as_array).into_iter().flatten();
    lines.filter_map(|l| Some((l[0].as_u64()?, l[1].as_str()?.to_string()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exec_parameters_are_sorted_as_kubectl_encodes_them() {
        let r = exec_request("default", "web", Some("nginx"), &["ls".into(), "/".into()], Some(""), true);
        assert_eq!(
            r.summary(),
            "POST /api/v1/namespaces/default/pods/web/exec?command=ls&command=/&container=nginx&stdin=true&stdout=true&tty=true"
        );
        assert_eq!(
            log_request("default", "web", Some("nginx"), true).summary(),
            "GET /api/v1/namespaces/default/pods/web/log?container=nginx&previous=true"
        );
    }

    #[test]
    fn answers_read_back() {
        assert_eq!(
            exec_answer(&json!({"stream": "exec", "stdout": "a\n", "exitCode": 2})),
            ExecAnswer::Ran { stdout: "a\n".into(), exit_code: 2 }
        );
        assert_eq!(exec_answer(&json!({"refused": "no"})), ExecAnswer::Refused("no".into()));
        assert_eq!(exec_answer(&json!({"error": "boom"})), ExecAnswer::Failed("boom".into()));
        assert_eq!(log_lines(&json!({"lines": [[5, "x"], ["bad"]]})), vec![(5, "x".to_string())]);
    }

    #[test]
    fn a_forwarded_connection_carries_any_bytes() {
        let bytes: Vec<u8> = (0..=255).collect();
        let r = portforward_request("default", "web", 80, &bytes);
        assert_eq!(r.summary(), "POST /api/v1/namespaces/default/pods/web/portforward?ports=80");
        let body = r.body.expect("the connection's bytes");
        assert_eq!(text_to_bytes(body["data"].as_str().expect("a string")), bytes);
        assert_eq!(
            portforward_answer(&json!({"stream": "portforward", "data": "HTTP/1.1 200 OK\r\n"})),
            ForwardAnswer::Replied(b"HTTP/1.1 200 OK\r\n".to_vec())
        );
        assert_eq!(portforward_answer(&json!({"error": "boom"})), ForwardAnswer::Failed("boom".into()));
        assert_eq!(portforward_answer(&json!({"refused": "no"})), ForwardAnswer::Refused("no".into()));
        assert_eq!(text_to_bytes("\u{100}"), b"?");
    }
}
