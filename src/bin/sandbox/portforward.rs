//! `sandbox serve`'s `pods/NAME/portforward`, as kubectl 1.33 dials it: first a WebSocket whose
//! subprotocol `SPDY/3.1+portforward.k8s.io` tunnels SPDY's bytes in binary messages (the apiserver's
//! `TunnelingHandler`, `staging/src/k8s.io/apiserver/pkg/util/proxy/streamtunnel.go`), and when that
//! upgrade fails, plain SPDY/3.1 (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version:
//! portforward.k8s.io`). Either way the pod is read and checked before the upgrade, then the SPDY
//! session (`sim::http::spdy::session`) runs over the socket: each forwarded connection's request is
//! one job for the world's thread, one message through the simulated apiserver, kubelet and runtime.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::Sender;

use k8s_sandbox::sim::apiserver::status::Status;
use k8s_sandbox::sim::http::portforward::{self, PortForwardRequest, Refusal};
use k8s_sandbox::sim::http::spdy::session::{Outcome, Session};
use k8s_sandbox::sim::http::websocket;

use super::serve::{Job, ask, json_response, respond, status_body, switching_protocols};

/// How the client asked to upgrade.
pub enum Transport {
    /// A WebSocket: its key and offered subprotocols.
    WebSocket { key: String, offered: String },
    /// Plain SPDY/3.1 (`Upgrade` named it), with the `X-Stream-Protocol-Version`s offered.
    Spdy { offered: Vec<String> },
    /// No upgrade this server speaks (the header's value, if any).
    None,
}

/// Serves one port-forward request to its end: the checks, the upgrade, then the session.
pub fn serve(
    mut out: TcpStream,
    mut reader: BufReader<TcpStream>,
    jobs: &Sender<Job>,
    r: PortForwardRequest,
    transport: Transport,
) -> std::io::Result<()> {
    // The apiserver reads the pod before it proxies anything (`PortForwardLocation`).
    let Some(opened) = ask(jobs, |tx| Job::PortForwardOpen(r.clone(), tx)) else { return Ok(()) };
    if let Err(s) = opened {
        let (code, body) = status_body(&s);
        return json_response(&mut out, code, &body);
    }
    let refuse = |out: &mut TcpStream, (code, text): Refusal| {
        respond(out, code, "text/plain; charset=utf-8", format!("{text}\n").as_bytes())
    };
    let tunnel = match &transport {
        Transport::WebSocket { key, offered } => match portforward::tunnelled_protocol(offered) {
            Ok(protocol) => {
                let tunnelled = format!("{}{protocol}", portforward::TUNNELING_PREFIX);
                out.write_all(&switching_protocols(key, &tunnelled))?;
                true
            }
            Err(refusal) => return refuse(&mut out, refusal),
        },
        Transport::Spdy { offered } => {
            let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
            match portforward::handshake(&offered) {
                Ok(protocol) => {
                    let head = format!(
                        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {protocol}\r\n\r\n"
                    );
                    out.write_all(head.as_bytes())?;
                    false
                }
                Err(refusal) => return refuse(&mut out, refusal),
            }
        }
        Transport::None => {
            let (code, body) = status_body(&Status::bad_request("Upgrade request required"));
            return json_response(&mut out, code, &body);
        }
    };
    out.flush()?;
    // Bytes the client sent behind its request are the session's first.
    let early = reader.buffer().to_vec();
    reader.consume(early.len());
    let mut closer = out.try_clone()?;
    let result = run(out, reader.into_inner(), jobs, &r, tunnel, early);
    // The kubelet's end of the session closes the tunnel with a normal closure, which kubectl reads as
    // the end of the stream (`TunnelingConnection.Close`).
    if tunnel {
        let _ = closer.write_all(&websocket::close_frame());
    }
    result
}

/// The session over the socket until the client goes, says GOAWAY, or breaks the protocol.
fn run(
    mut out: TcpStream,
    mut input: TcpStream,
    jobs: &Sender<Job>,
    r: &PortForwardRequest,
    tunnel: bool,
    early: Vec<u8>,
) -> std::io::Result<()> {
    let mut session = Session::default();
    let mut socket = early;
    let mut buf = vec![0u8; 32 << 10];
    loop {
        // What the socket brought: SPDY's bytes, unwrapped from WebSocket messages when tunnelled.
        let spdy = if tunnel {
            match unwrap_messages(&mut socket, &mut out)? {
                Some(bytes) => bytes,
                None => return Ok(()),
            }
        } else {
            std::mem::take(&mut socket)
        };
        let forwards = match session.receive(&spdy) {
            Ok(forwards) => forwards,
            // spdystream stops reading a connection whose frames it cannot read; the socket closes.
            Err(_) => return Ok(()),
        };
        for f in forwards {
            let job = |tx| Job::PortForward(r.clone(), f.port, f.data.clone(), tx);
            let Some(answer) = ask(jobs, job) else { return Ok(()) };
            session.answer(&f.request_id, answer.map_or_else(Outcome::Failed, Outcome::Replied));
        }
        let frames = session.take_output();
        if !frames.is_empty() {
            out.write_all(&if tunnel { websocket::binary_frame(&frames) } else { frames })?;
            out.flush()?;
        }
        if session.gone_away() {
            return Ok(());
        }
        match input.read(&mut buf) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => socket.extend_from_slice(&buf[..n]),
        }
    }
}

/// Takes the whole WebSocket frames off the front of `socket`: the payload bytes of binary messages
/// (and their continuations), pongs for pings; None when the client closed the tunnel or sent what
/// the tunnel does not carry (a text message: `invalid message type received`).
fn unwrap_messages(socket: &mut Vec<u8>, out: &mut impl Write) -> std::io::Result<Option<Vec<u8>>> {
    let mut spdy = Vec::new();
    loop {
        match websocket::read_frame(socket) {
            Ok(None) => return Ok(Some(spdy)),
            Ok(Some((frame, used))) => {
                socket.drain(..used);
                match frame.opcode {
                    0x0 | 0x2 => spdy.extend(frame.payload),
                    0x9 => out.write_all(&websocket::pong_frame(&frame.payload))?,
                    0xA => {}
                    _ => return Ok(None),
                }
            }
            Err(_) => return Ok(None),
        }
    }
}

/// The upgrade a request asks for, from its `Upgrade` header and protocol offers.
pub fn transport(upgrade: &str, websocket: Option<(String, String)>, stream_protocols: &[String]) -> Transport {
    if let Some((key, offered)) = websocket {
        return Transport::WebSocket { key, offered };
    }
    // The kubelet's `UpgradeResponse` looks for `spdy/3.1` in the header, in any case.
    if upgrade.to_ascii_lowercase().contains("spdy/3.1") {
        // Each header may list several, comma-separated (`commaSeparatedHeaderValues`).
        let offered = stream_protocols
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        return Transport::Spdy { offered };
    }
    Transport::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_sandbox::sim::http::portforward::PROTOCOL;

    #[test]
    fn the_upgrade_is_read_from_the_headers() {
        let ws = transport("websocket", Some(("k".into(), "SPDY/3.1+portforward.k8s.io".into())), &[]);
        assert!(matches!(ws, Transport::WebSocket { key, .. } if key == "k"));
        let spdy = transport("SPDY/3.1", None, &["portforward.k8s.io, other".into(), "third".into()]);
        assert!(matches!(&spdy, Transport::Spdy { offered } if offered == &["portforward.k8s.io", "other", "third"]));
        assert!(matches!(transport("", None, &[]), Transport::None));
        assert!(matches!(transport("h2c", None, &[PROTOCOL.into()]), Transport::None));
    }

    /// A client's frame as gorilla/websocket writes it: FIN as asked, masked.
    fn masked(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [1, 2, 3, 4];
        let mut out = vec![if fin { 0x80 } else { 0 } | opcode, 0x80 | payload.len() as u8];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    #[test]
    fn the_tunnel_yields_its_binary_messages_bytes_and_ends_on_close_or_text() {
        let mut pongs = Vec::new();
        // A message in two fragments, a ping between them, and half of the next frame.
        let mut socket = [masked(false, 0x2, b"SPD"), masked(true, 0x9, b"p"), masked(true, 0x0, b"Y!")].concat();
        let next = masked(true, 0x2, b"more");
        socket.extend_from_slice(&next[..3]);
        assert_eq!(unwrap_messages(&mut socket, &mut pongs).unwrap(), Some(b"SPDY!".to_vec()));
        assert_eq!(pongs, websocket::pong_frame(b"p"));
        socket.extend_from_slice(&next[3..]);
        assert_eq!(unwrap_messages(&mut socket, &mut pongs).unwrap(), Some(b"more".to_vec()));
        assert!(socket.is_empty());
        for end in
            [masked(true, 0x8, &[3, 232]), masked(true, 0x1, b"text"), vec![0x82, 127, 0xFF, 0, 0, 0, 0, 0, 0, 0]]
        {
            let mut socket = end;
            assert_eq!(unwrap_messages(&mut socket, &mut pongs).unwrap(), None);
        }
    }
}
