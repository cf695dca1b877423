//! The kubelet's side of one port-forward connection (`pkg/kubelet/cri/streaming/portforward/
//! httpstream.go` over moby/spdystream), sans-IO: bytes from the client go in ([`Session::receive`]),
//! the forwarded requests they complete come out, their answers go in ([`Session::answer`]), and the
//! frames to send come out ([`Session::take_output`]). `sandbox serve` owns the socket.
//!
//! kubectl opens two streams for each TCP connection it accepts locally, both named by the same
//! `requestID`: first `streamType: error` (which it half-closes at once: it only reads it), then
//! `streamType: data`, which carries the local client's bytes. The server replies to each SYN_STREAM,
//! and when the pair is whole and the client's request has arrived, forwards it; the answer goes back
//! on the data stream, a failure as text on the error stream, then both streams are closed.
//!
//! ```text
//!  kubectl                                   server
//!  SYN_STREAM 1 {error, port 80, id 0}  ->
//!  DATA 1 FIN (empty)                   ->   <- SYN_REPLY 1
//!  SYN_STREAM 3 {data, port 80, id 0}   ->   <- SYN_REPLY 3
//!  DATA 3 "GET / HTTP/1.1 ..."          ->   (the request is whole: forwarded)
//!                                            <- DATA 3 "HTTP/1.1 200 OK ..."
//!                                            <- DATA 1 FIN            (or the error's text, FIN)
//!                                            <- DATA 3 FIN
//!  RST_STREAM 3 CANCEL                  ->   (kubectl's reset once the data stream ends)
//! ```
//!
//! Flow control: spdystream neither sends WINDOW_UPDATE nor honours it, and kubectl's data stays far
//! below SPDY/3.1's initial 64 KiB window per request, so windows are read and not kept. PINGs from
//! the client (odd ids; kubectl pings every 10 s) are echoed.

use std::collections::BTreeMap;

use super::frame::{self, CANCEL, FLAG_FIN, Frame, FrameError};
use super::headers::{self, Deflater, HeaderError, Headers, Inflater};

/// One request to forward: the client's bytes for `port`, to be answered by [`Session::answer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    pub request_id: String,
    pub port: u16,
    pub data: Vec<u8>,
}

/// What became of a forwarded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The pod's server answered these bytes (then closed the connection).
    Replied(Vec<u8>),
    /// The forward failed; the text goes on the error stream, as the kubelet writes it.
    Failed(String),
}

/// Why the connection cannot go on (the client broke the protocol); the server hangs up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error(transparent)]
    Headers(#[from] HeaderError),
}

/// How much of a client's request is kept before it is forwarded as it stands (the apiserver's
/// request body limit, 3 MiB).
pub const MAX_REQUEST: usize = 3 << 20;

/// The largest DATA frame the server writes: what one read in Go's `io.Copy` gives.
const DATA_CHUNK: usize = 32 << 10;

/// Which of a pair a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamType {
    Error,
    Data,
}

/// `httpStreamReceived`: a new stream must name a port above zero and a stream type; the words are
/// the kubelet's (it logs them and resets the stream).
pub fn check_stream(h: &Headers) -> Result<(StreamType, u16), String> {
    let port = headers::get(h, "port").unwrap_or_default();
    if port.is_empty() {
        return Err("\"port\" header is required".into());
    }
    let port: u16 = port.parse().map_err(|_| {
        format!("unable to parse {port:?} as a port: strconv.ParseUint: parsing {port:?}: invalid syntax")
    })?;
    if port < 1 {
        return Err(format!("port \"{port}\" must be > 0"));
    }
    match headers::get(h, "streamType").unwrap_or_default() {
        "" => Err("\"streamType\" header is required".into()),
        "error" => Ok((StreamType::Error, port)),
        "data" => Ok((StreamType::Data, port)),
        other => Err(format!("invalid stream type {other:?}")),
    }
}

/// The streams of one forwarded connection.
#[derive(Debug, Default)]
struct Pair {
    port: u16,
    error: Option<u32>,
    data: Option<u32>,
    received: Vec<u8>,
    /// The client half-closed its data stream: nothing more will come.
    client_done: bool,
    forwarded: bool,
}

/// One port-forward connection's state.
#[derive(Default)]
pub struct Session {
    inflater: Inflater,
    deflater: Deflater,
    inbox: Vec<u8>,
    pairs: BTreeMap<String, Pair>,
    /// Each open stream's request id.
    streams: BTreeMap<u32, String>,
    out: Vec<u8>,
    gone_away: bool,
}

impl Session {
    /// Takes bytes from the client; the requests they complete, in the order they completed.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Vec<Forward>, SessionError> {
        self.inbox.extend_from_slice(bytes);
        let mut ready = Vec::new();
        while !self.gone_away {
            let Some((f, used)) = frame::read(&self.inbox)? else { break };
            self.inbox.drain(..used);
            if let Some(id) = self.on_frame(f)? {
                ready.extend(self.forward_if_ready(&id));
            }
        }
        Ok(ready)
    }

    /// Whether the client said GOAWAY: it opens no more streams and the connection may close.
    pub fn gone_away(&self) -> bool {
        self.gone_away
    }

    /// The frames to send since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Sends a forwarded request's outcome and closes its streams, as `httpStreamHandler.portForward`
    /// does (the error stream first, then the data stream). An unknown id (the client reset the
    /// stream meanwhile) is dropped.
    pub fn answer(&mut self, request_id: &str, outcome: Outcome) {
        let Some(pair) = self.pairs.remove(request_id) else { return };
        let (Some(error), Some(data)) = (pair.error, pair.data) else { return };
        let (reply, failure) = match outcome {
            Outcome::Replied(bytes) => (bytes, Vec::new()),
            Outcome::Failed(text) => (Vec::new(), text.into_bytes()),
        };
        for chunk in reply.chunks(DATA_CHUNK) {
            self.send(Frame::Data { stream_id: data, flags: 0, data: chunk.to_vec() });
        }
        self.send(Frame::Data { stream_id: error, flags: FLAG_FIN, data: failure });
        self.send(Frame::Data { stream_id: data, flags: FLAG_FIN, data: Vec::new() });
        self.streams.remove(&error);
        self.streams.remove(&data);
    }

    fn send(&mut self, f: Frame) {
        self.out.extend(frame::write(&f));
    }

    /// Acts on one frame; the request id it may have moved forward.
    fn on_frame(&mut self, f: Frame) -> Result<Option<String>, SessionError> {
        match f {
            Frame::SynStream { stream_id, headers, .. } => {
                // Every block is inflated, even one refused: the zlib stream runs through them all.
                let h = self.inflater.inflate(&headers)?;
                return Ok(self.open_stream(stream_id, &h));
            }
            Frame::SynReply { headers, .. } | Frame::Headers { headers, .. } => {
                self.inflater.inflate(&headers)?;
            }
            Frame::Data { stream_id, flags, data } => {
                let Some(id) = self.streams.get(&stream_id).cloned() else { return Ok(None) };
                let Some(pair) = self.pairs.get_mut(&id) else { return Ok(None) };
                if pair.data == Some(stream_id) {
                    let room = MAX_REQUEST.saturating_sub(pair.received.len());
                    pair.received.extend_from_slice(&data[..data.len().min(room)]);
                    pair.client_done |= flags & FLAG_FIN != 0;
                    return Ok(Some(id));
                }
            }
            Frame::RstStream { stream_id, .. } => {
                // The client gave the connection up: what was not forwarded yet never will be.
                if let Some(id) = self.streams.remove(&stream_id)
                    && let Some(pair) = self.pairs.remove(&id)
                {
                    if pair.forwarded {
                        // Its answer is still to come: the pair stays for it.
                        self.pairs.insert(id, pair);
                    } else {
                        for s in [pair.error, pair.data].into_iter().flatten() {
                            self.streams.remove(&s);
                        }
                    }
                }
            }
            // spdystream answers a ping whose id is not of its own parity (the server's are even).
            Frame::Ping { id } if id % 2 == 1 => self.send(Frame::Ping { id }),
            Frame::GoAway { .. } => self.gone_away = true,
            Frame::Ping { .. } | Frame::Settings { .. } | Frame::WindowUpdate { .. } => {}
        }
        Ok(None)
    }

    /// A new stream: checked, replied to and paired, or reset (`newSpdyStream`, `httpStreamReceived`).
    fn open_stream(&mut self, stream_id: u32, h: &Headers) -> Option<String> {
        let Ok((kind, port)) = check_stream(h) else {
            self.send(Frame::RstStream { stream_id, status: CANCEL });
            return None;
        };
        let reply = self.deflater.deflate(&[]);
        self.send(Frame::SynReply { stream_id, flags: 0, headers: reply });
        // A client too old to name requests pairs streams by their ids (`requestID` in httpstream.go).
        let id = match headers::get(h, "requestID") {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => match kind {
                StreamType::Error => stream_id.to_string(),
                StreamType::Data => stream_id.saturating_sub(2).to_string(),
            },
        };
        let pair = self.pairs.entry(id.clone()).or_default();
        let slot = match kind {
            StreamType::Error => &mut pair.error,
            StreamType::Data => &mut pair.data,
        };
        if slot.is_some() {
            // `httpStreamPair.add`'s refusal, written on the pair's error stream (`printError`).
            let which = if kind == StreamType::Error { "error" } else { "data" };
            let text = format!("error processing stream for request {id}: {which} stream already assigned");
            if let Some(error) = pair.error {
                self.send(Frame::Data { stream_id: error, flags: 0, data: text.into_bytes() });
            }
            return None;
        }
        *slot = Some(stream_id);
        pair.port = port;
        self.streams.insert(stream_id, id.clone());
        Some(id)
    }

    /// The request of pair `id`, when both streams are open and the client's request has arrived.
    fn forward_if_ready(&mut self, id: &str) -> Option<Forward> {
        let pair = self.pairs.get_mut(id)?;
        let whole = pair.client_done
            || super::super::portforward::request_complete(&pair.received)
            || pair.received.len() >= MAX_REQUEST;
        if pair.forwarded || pair.error.is_none() || pair.data.is_none() || !whole {
            return None;
        }
        pair.forwarded = true;
        Some(Forward { request_id: id.to_string(), port: pair.port, data: pair.received.clone() })
    }
}

#[cfg(test)]
mod tests;
