//! `.../pods/NAME/portforward`: kubectl's port-forward, which `sandbox serve` upgrades to SPDY/3.1
//! (plain, or tunnelled in a WebSocket as kubectl 1.33 asks first; `src/bin/sandbox/portforward.rs`)
//! and serves as the kubelet does (`spdy/session.rs`). This module holds what needs no socket: the
//! request, the subprotocols, when a forwarded connection's request is whole, and the calls into the
//! simulated cluster: the pod read and checked before the upgrade, then one call per connection.

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::status::Status;
use crate::sim::protocol::connect::{self, ForwardAnswer};
use crate::sim::world::World;

/// The port-forward protocol kubectl asks for (`X-Stream-Protocol-Version`, `PortForwardProtocolV1Name`).
pub const PROTOCOL: &str = "portforward.k8s.io";

/// The WebSocket subprotocol prefix that tunnels SPDY (`WebsocketsSPDYTunnelingPrefix` in
/// `apimachinery/pkg/util/portforward/constants.go`).
pub const TUNNELING_PREFIX: &str = "SPDY/3.1+";

/// What a port-forward request names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortForwardRequest {
    pub namespace: String,
    pub pod: String,
}

/// Before the upgrade, what the apiserver's `PortForwardLocation` checks
/// (`pkg/registry/core/pod/strategy.go`): the pod, read through the simulated apiserver (so it is in
/// the trace), and a node to proxy to; its errors refuse the upgrade.
pub fn open(world: &mut World, r: &PortForwardRequest) -> Result<(), Status> {
    let Some(pods) = crate::sim::api::resolve("pods") else { return Err(Status::internal("pods are not served")) };
    let pod = world.call(ApiRequest::new(0, Verb::Get, pods).in_namespace(Some(&r.namespace)).named(&r.pod))?;
    if pod.at("/spec/nodeName").and_then(Value::as_str).unwrap_or_default().is_empty() {
        return Err(Status::bad_request(format!("pod {} does not have a host assigned", r.pod)));
    }
    Ok(())
}

/// One forwarded connection: the client's bytes to the pod's `port` through the apiserver, the
/// kubelet and the runtime; the server's bytes back, or the text for the stream's error channel.
/// Once the stream is open, an apiserver error or a kubelet's refusal can only reach kubectl there
/// too (it then closes the whole forward, `lost connection to pod`).
pub fn forward(world: &mut World, r: &PortForwardRequest, port: u16, data: &[u8]) -> Result<Vec<u8>, String> {
    match world.call(connect::portforward_request(&r.namespace, &r.pod, port, data)) {
        Err(status) => Err(status.message),
        Ok(v) => match connect::portforward_answer(&v) {
            ForwardAnswer::Replied(bytes) => Ok(bytes),
            ForwardAnswer::Failed(text) | ForwardAnswer::Refused(text) => Err(text),
        },
    }
}

/// A refused upgrade: the status code and the plain-text body Go's `http.Error` writes.
pub type Refusal = (u16, String);

/// The SPDY protocol to speak from a WebSocket's offered subprotocols: those with the tunnelling
/// prefix and a Kubernetes suffix, prefix removed (`spdyProtocolsFromWebsocketProtocols` in the
/// apiserver's `streamtunnel.go`), then the kubelet's choice among them (`httpstream.Handshake`).
pub fn tunnelled_protocol(offered: &str) -> Result<&'static str, Refusal> {
    let spdy: Vec<&str> = offered
        .split(',')
        .map(str::trim)
        .filter(|p| p.ends_with(".k8s.io"))
        .filter_map(|p| p.strip_prefix(TUNNELING_PREFIX))
        .collect();
    if spdy.is_empty() {
        return Err((400, "unable to upgrade: no tunneling spdy protocols provided".into()));
    }
    handshake(&spdy)
}

/// `httpstream.Handshake` (`apimachinery/pkg/util/httpstream/httpstream.go`): the first protocol the
/// client offers that the server speaks. No offer at all is the kubelet's error (which it returns
/// without writing; here it is written, with 400); offers it does not speak are `403 Forbidden`.
pub fn handshake(offered: &[&str]) -> Result<&'static str, Refusal> {
    if offered.is_empty() {
        return Err((400, "unable to upgrade: X-Stream-Protocol-Version is required".into()));
    }
    if offered.contains(&PROTOCOL) {
        return Ok(PROTOCOL);
    }
    Err((
        403,
        format!(
            "unable to upgrade: unable to negotiate protocol: client supports [{}], server accepts [{PROTOCOL}]",
            offered.join(" ")
        ),
    ))
}

/// Whether `data` holds a whole HTTP/1.x request: the head up to its empty line, and as many body
/// bytes as `Content-Length` says (a chunked body up to its last chunk). The simulated pod answers
/// one request per forwarded connection, so the server waits for this, or for the client to
/// half-close, before forwarding; bytes that are not HTTP are forwarded when the client half-closes.
pub fn request_complete(data: &[u8]) -> bool {
    let Some(end) = find(data, b"\r\n\r\n").map(|i| i + 4).or_else(|| find(data, b"\n\n").map(|i| i + 2)) else {
        return false;
    };
    let head = String::from_utf8_lossy(&data[..end]);
    let header = |name: &str| {
        head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    let body = &data[end..];
    if header("Transfer-Encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        return body.ends_with(b"0\r\n\r\n");
    }
    match header("Content-Length").map(|v| v.parse::<usize>()) {
        None => true,
        Some(Ok(n)) => body.len() >= n,
        // A length that is not a number: the server answers it at once (with a 400).
        Some(Err(_)) => true,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_whole_with_its_head_and_body() {
        let get = b"GET / HTTP/1.1\r\nHost: localhost:18080\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n";
        assert!(request_complete(get));
        for cut in 0..get.len() - 1 {
            assert!(!request_complete(&get[..cut]), "{cut}");
        }
        let post = b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel";
        assert!(!request_complete(post));
        assert!(request_complete(b"POST /x HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello"));
        assert!(!request_complete(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"));
        assert!(request_complete(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        assert!(request_complete(b"GET / HTTP/1.0\n\n"));
        assert!(request_complete(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"));
        assert!(!request_complete(b"\x16\x03\x01 a TLS hello"));
    }

    #[test]
    fn protocols_are_negotiated_as_the_apiserver_and_kubelet_do() {
        assert_eq!(tunnelled_protocol("SPDY/3.1+portforward.k8s.io"), Ok(PROTOCOL));
        assert_eq!(
            tunnelled_protocol("v4.channel.k8s.io"),
            Err((400, "unable to upgrade: no tunneling spdy protocols provided".into()))
        );
        assert_eq!(
            tunnelled_protocol("SPDY/3.1+a.k8s.io, SPDY/3.1+b.k8s.io"),
            Err((
                403,
                "unable to upgrade: unable to negotiate protocol: client supports [a.k8s.io b.k8s.io], server accepts [portforward.k8s.io]".into()
            ))
        );
        assert_eq!(handshake(&[]).unwrap_err().0, 400);
        assert_eq!(handshake(&["x", PROTOCOL]), Ok(PROTOCOL));
    }
}
