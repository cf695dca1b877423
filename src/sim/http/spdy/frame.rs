//! SPDY/3.1 frames on the wire (draft 3.1, section 2.2; Go's `spdy/read.go` and `write.go` in
//! moby/spdystream, which the kubelet's and kubectl's port-forward speak): an 8-byte head, then the
//! payload. A control frame's head is the control bit, the version and the type, then flags and a
//! 24-bit length; a data frame's is the stream id, then flags and the length.
//!
//! ```text
//!  control: |1| version (15) | type (16) | flags (8) | length (24) | payload ...
//!  data:    |0| stream id (31)           | flags (8) | length (24) | data ...
//! ```
//!
//! Header blocks stay compressed here: their zlib stream runs across every frame of a connection, so
//! `headers.rs` inflates them in order. Reading never panics; what cannot be a frame is an error.

/// SPDY version 3 (3.1 only adds connection-level flow control to it).
pub const VERSION: u16 = 3;

/// The flag that ends the sender's side of a stream (`FLAG_FIN`, on data and stream frames alike).
pub const FLAG_FIN: u8 = 0x01;

/// RST_STREAM statuses (draft 3, section 2.6.3).
pub const PROTOCOL_ERROR: u32 = 1;
pub const CANCEL: u32 = 5;

/// The largest frame read: a 24-bit length allows 16 MiB, but the clients of port-forward write at
/// most what one read of a socket gave them (32 KiB in Go's `io.Copy`), and the server holds every
/// frame in memory.
pub const MAX_FRAME: usize = 1 << 20;

/// One frame, its header block (if any) still compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A new stream, with its headers.
    SynStream {
        stream_id: u32,
        associated_to: u32,
        priority: u8,
        flags: u8,
        headers: Vec<u8>,
    },
    /// The answer to a SYN_STREAM.
    SynReply {
        stream_id: u32,
        flags: u8,
        headers: Vec<u8>,
    },
    /// A stream ended abnormally.
    RstStream {
        stream_id: u32,
        status: u32,
    },
    /// Settings as (flags, id, value).
    Settings {
        flags: u8,
        entries: Vec<(u8, u32, u32)>,
    },
    Ping {
        id: u32,
    },
    /// The sender takes no new streams; `last_good` is the last it accepted.
    GoAway {
        last_good: u32,
        status: u32,
    },
    /// More headers on an open stream.
    Headers {
        stream_id: u32,
        flags: u8,
        headers: Vec<u8>,
    },
    /// Flow control: the receiver may take `delta` more bytes on the stream (0: the connection).
    WindowUpdate {
        stream_id: u32,
        delta: u32,
    },
    Data {
        stream_id: u32,
        flags: u8,
        data: Vec<u8>,
    },
}

/// Why bytes are not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Over [`MAX_FRAME`].
    #[error("frame of {0} bytes is larger than {MAX_FRAME}")]
    TooLarge(usize),
    /// A control frame type SPDY/3 does not define (spdystream's `InvalidControlFrame`).
    #[error("invalid control frame type {0}")]
    UnknownType(u16),
    /// A control frame whose length or flags do not fit its type.
    #[error("invalid control frame: {0}")]
    Invalid(&'static str),
    /// Stream id zero where a stream is named (spdystream's `ZeroStreamId`).
    #[error("stream id zero is disallowed")]
    ZeroStreamId,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    // Callers check the length first.
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads one frame from the front of `buf`: the frame and how many bytes it took, None while it is
/// incomplete.
pub fn read(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    if buf.len() < 8 {
        return Ok(None);
    }
    let (first, second) = (u32_at(buf, 0), u32_at(buf, 4));
    let (flags, len) = ((second >> 24) as u8, (second & 0x00FF_FFFF) as usize);
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let Some(p) = buf.get(8..8 + len) else { return Ok(None) };
    let frame = if first & 0x8000_0000 == 0 {
        let stream_id = first & 0x7FFF_FFFF;
        if stream_id == 0 {
            return Err(FrameError::ZeroStreamId);
        }
        Frame::Data { stream_id, flags, data: p.to_vec() }
    } else {
        // spdystream reads any version as 3; so does this server.
        control((first & 0xFFFF) as u16, flags, p)?
    };
    Ok(Some((frame, 8 + len)))
}

/// A control frame's payload read by its type.
fn control(kind: u16, flags: u8, p: &[u8]) -> Result<Frame, FrameError> {
    let need = |n: usize, what: &'static str| if p.len() < n { Err(FrameError::Invalid(what)) } else { Ok(()) };
    let exactly = |n: usize, what: &'static str| if p.len() != n { Err(FrameError::Invalid(what)) } else { Ok(()) };
    let stream = |id: u32| if id & 0x7FFF_FFFF == 0 { Err(FrameError::ZeroStreamId) } else { Ok(id & 0x7FFF_FFFF) };
    Ok(match kind {
        1 => {
            need(10, "SYN_STREAM shorter than 10 bytes")?;
            Frame::SynStream {
                stream_id: stream(u32_at(p, 0))?,
                associated_to: u32_at(p, 4) & 0x7FFF_FFFF,
                priority: p[8] >> 5,
                flags,
                headers: p[10..].to_vec(),
            }
        }
        2 => {
            need(4, "SYN_REPLY shorter than 4 bytes")?;
            Frame::SynReply { stream_id: stream(u32_at(p, 0))?, flags, headers: p[4..].to_vec() }
        }
        3 => {
            exactly(8, "RST_STREAM is not 8 bytes")?;
            let status = u32_at(p, 4);
            if status == 0 {
                return Err(FrameError::Invalid("RST_STREAM with status 0"));
            }
            Frame::RstStream { stream_id: stream(u32_at(p, 0))?, status }
        }
        4 => {
            need(4, "SETTINGS shorter than 4 bytes")?;
            let count = u32_at(p, 0) as usize;
            if count.checked_mul(8).and_then(|n| n.checked_add(4)) != Some(p.len()) {
                return Err(FrameError::Invalid("SETTINGS count does not match its length"));
            }
            let entries = p[4..].chunks(8).map(|e| (e[0], u32_at(e, 0) & 0x00FF_FFFF, u32_at(e, 4))).collect();
            Frame::Settings { flags, entries }
        }
        6 => {
            exactly(4, "PING is not 4 bytes")?;
            let id = u32_at(p, 0);
            if id == 0 || flags != 0 {
                return Err(FrameError::Invalid("PING with id 0 or flags"));
            }
            Frame::Ping { id }
        }
        7 => {
            exactly(8, "GOAWAY is not 8 bytes")?;
            Frame::GoAway { last_good: u32_at(p, 0) & 0x7FFF_FFFF, status: u32_at(p, 4) }
        }
        8 => {
            need(4, "HEADERS shorter than 4 bytes")?;
            Frame::Headers { stream_id: stream(u32_at(p, 0))?, flags, headers: p[4..].to_vec() }
        }
        9 => {
            exactly(8, "WINDOW_UPDATE is not 8 bytes")?;
            Frame::WindowUpdate { stream_id: u32_at(p, 0) & 0x7FFF_FFFF, delta: u32_at(p, 4) & 0x7FFF_FFFF }
        }
        other => return Err(FrameError::UnknownType(other)),
    })
}

fn control_head(kind: u16, flags: u8, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + len);
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&((u32::from(flags) << 24) | (len as u32 & 0x00FF_FFFF)).to_be_bytes());
    out
}

/// The frame's bytes. A data frame's payload must be under 16 MiB (callers split larger writes).
pub fn write(frame: &Frame) -> Vec<u8> {
    let words = |ws: &[u32]| ws.iter().flat_map(|w| w.to_be_bytes()).collect::<Vec<u8>>();
    let (kind, flags, payload) = match frame {
        Frame::Data { stream_id, flags, data } => {
            let mut out = Vec::with_capacity(8 + data.len());
            out.extend_from_slice(&(stream_id & 0x7FFF_FFFF).to_be_bytes());
            out.extend_from_slice(&((u32::from(*flags) << 24) | (data.len() as u32 & 0x00FF_FFFF)).to_be_bytes());
            out.extend_from_slice(data);
            return out;
        }
        Frame::SynStream { stream_id, associated_to, priority, flags, headers } => {
            let mut p = words(&[*stream_id, *associated_to]);
            p.extend_from_slice(&[priority << 5, 0]);
            p.extend_from_slice(headers);
            (1, *flags, p)
        }
        Frame::SynReply { stream_id, flags, headers } => {
            let mut p = words(&[*stream_id]);
            p.extend_from_slice(headers);
            (2, *flags, p)
        }
        Frame::RstStream { stream_id, status } => (3, 0, words(&[*stream_id, *status])),
        Frame::Settings { flags, entries } => {
            let mut p = words(&[entries.len() as u32]);
            for (f, id, value) in entries {
                p.extend(words(&[(u32::from(*f) << 24) | (id & 0x00FF_FFFF), *value]));
            }
            (4, *flags, p)
        }
        Frame::Ping { id } => (6, 0, words(&[*id])),
        Frame::GoAway { last_good, status } => (7, 0, words(&[*last_good, *status])),
        Frame::Headers { stream_id, flags, headers } => {
            let mut p = words(&[*stream_id]);
            p.extend_from_slice(headers);
            (8, *flags, p)
        }
        Frame::WindowUpdate { stream_id, delta } => (9, 0, words(&[*stream_id, *delta])),
    };
    let mut out = control_head(kind, flags, payload.len());
    out.extend(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn every_kind() -> Vec<Frame> {
        vec![
            Frame::SynStream { stream_id: 1, associated_to: 0, priority: 3, flags: 0, headers: vec![1, 2, 3] },
            Frame::SynReply { stream_id: 1, flags: FLAG_FIN, headers: vec![9] },
            Frame::RstStream { stream_id: 3, status: CANCEL },
            Frame::Settings { flags: 1, entries: vec![(0, 7, 65536), (1, 4, 100)] },
            Frame::Ping { id: 1 },
            Frame::GoAway { last_good: 5, status: 0 },
            Frame::Headers { stream_id: 5, flags: 0, headers: vec![] },
            Frame::WindowUpdate { stream_id: 1, delta: 1024 },
            Frame::Data { stream_id: 1, flags: FLAG_FIN, data: b"GET / HTTP/1.1\r\n".to_vec() },
            Frame::Data { stream_id: 7, flags: 0, data: vec![] },
        ]
    }

    #[test]
    fn every_kind_reads_back_whole_or_not_at_all() {
        for frame in every_kind() {
            let bytes = write(&frame);
            assert_eq!(read(&bytes), Ok(Some((frame.clone(), bytes.len()))), "{frame:?}");
            for cut in 0..bytes.len() {
                assert_eq!(read(&bytes[..cut]), Ok(None), "{frame:?} cut at {cut}");
            }
            // A second frame behind it is left for the next read.
            let two = [bytes.clone(), write(&Frame::Ping { id: 3 })].concat();
            assert_eq!(read(&two).unwrap().unwrap().1, bytes.len());
        }
    }

    #[test]
    fn the_heads_are_the_drafts() {
        // A PING as Go's framer writes it: 0x8003 0x0006, no flags, length 4, the id.
        assert_eq!(write(&Frame::Ping { id: 1 }), [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]);
        assert_eq!(
            write(&Frame::Data { stream_id: 3, flags: FLAG_FIN, data: b"ok".to_vec() }),
            [0, 0, 0, 3, 1, 0, 0, 2, b'o', b'k']
        );
        // SYN_STREAM: stream id, associated id, priority in the top three bits, the slot, headers.
        let syn = write(&Frame::SynStream { stream_id: 1, associated_to: 0, priority: 7, flags: 0, headers: vec![] });
        assert_eq!(syn, [0x80, 3, 0, 1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0xE0, 0]);
    }

    #[test]
    fn malformed_frames_are_errors() {
        let head = |kind: u16, flags: u8, payload: &[u8]| {
            let mut b = control_head(kind, flags, payload.len());
            b.extend_from_slice(payload);
            b
        };
        let cases: Vec<(Vec<u8>, FrameError)> = vec![
            (head(5, 0, &[]), FrameError::UnknownType(5)),
            (head(10, 0, &[0; 4]), FrameError::UnknownType(10)),
            (head(1, 0, &[0; 9]), FrameError::Invalid("SYN_STREAM shorter than 10 bytes")),
            (head(1, 0, &[0; 10]), FrameError::ZeroStreamId),
            (head(2, 0, &[0, 0, 0, 0]), FrameError::ZeroStreamId),
            (head(3, 0, &[0, 0, 0, 1, 0, 0, 0, 0]), FrameError::Invalid("RST_STREAM with status 0")),
            (head(3, 0, &[0, 0, 0, 1]), FrameError::Invalid("RST_STREAM is not 8 bytes")),
            (head(4, 0, &[0, 0, 0, 2, 0, 0, 0, 1]), FrameError::Invalid("SETTINGS count does not match its length")),
            (head(4, 0, &[0xFF, 0xFF, 0xFF, 0xFF]), FrameError::Invalid("SETTINGS count does not match its length")),
            (head(6, 0, &[0, 0, 0, 0]), FrameError::Invalid("PING with id 0 or flags")),
            (head(6, 1, &[0, 0, 0, 1]), FrameError::Invalid("PING with id 0 or flags")),
            (head(7, 0, &[0; 4]), FrameError::Invalid("GOAWAY is not 8 bytes")),
            (head(9, 0, &[0; 12]), FrameError::Invalid("WINDOW_UPDATE is not 8 bytes")),
            (vec![0, 0, 0, 0, 0, 0, 0, 0], FrameError::ZeroStreamId),
            (vec![0, 0, 0, 1, 0, 0x10, 0, 1], FrameError::TooLarge(0x10_0001)),
        ];
        for (bytes, want) in cases {
            assert_eq!(read(&bytes), Err(want.clone()), "{bytes:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever arrives, reading answers a frame, an error or "more", and never panics; a frame it
        /// reads writes back to the same bytes' meaning.
        #[test]
        fn reading_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(Some((frame, used))) = read(&bytes) {
                prop_assert!(used <= bytes.len());
                prop_assert_eq!(read(&write(&frame)), Ok(Some((frame.clone(), write(&frame).len()))));
            }
        }

        #[test]
        fn control_frames_with_any_payload_never_panic(
            kind in 0u16..12,
            flags in any::<u8>(),
            payload in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut bytes = control_head(kind, flags, payload.len());
            bytes.extend_from_slice(&payload);
            let _ = read(&bytes);
        }
    }
}
