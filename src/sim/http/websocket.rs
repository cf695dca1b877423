//! The WebSocket pieces `sandbox serve` needs for `kubectl exec` and `attach` (RFC 6455 and the
//! Kubernetes `v4/v5.channel.k8s.io` subprotocols): the handshake's accept key, server frames, each a
//! binary message whose first byte is the stream (1 stdout, 2 stderr, 3 the final `Status`), and the
//! client's masked frames read back.
//!
//! SHA-1 is written out here (a few dozen lines, checked against the RFC's example) rather than
//! taken as a dependency for one header; base64 is the encoder protobuf's `bytes` fields use.

/// The subprotocols kubectl 1.33 offers for exec that the server speaks, best first: both frame
/// streams the same way for output and status.
pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// The stream numbers of the channel protocols.
pub const STDIN: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const ERROR: u8 = 3;
/// A terminal's new size (`{"Width":..,"Height":..}`), which a simulated process has no use for.
pub const RESIZE: u8 = 4;
/// `v5.channel.k8s.io`: the client closed the stream named by the one byte that follows (its stdin
/// when its input ended: `remotecommand`'s `websocketStreamHandler` closing `StreamTypeStdin`).
pub const CLOSE: u8 = 255;

/// What a client's stdin stream has carried so far, read frame by frame (`kubectl exec -i`,
/// `kubectl attach -i`): the bytes on channel 0 until the client closes that stream (v5's close
/// signal) or the whole connection (a close frame, the only end `v4.channel.k8s.io` has).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StdinStream {
    pub data: Vec<u8>,
    pub ended: bool,
}

impl StdinStream {
    /// Takes one client frame into account.
    pub fn take(&mut self, frame: &ClientFrame) {
        match (frame.opcode, frame.payload.split_first()) {
            (0x8, _) => self.ended = true,
            (0x1 | 0x2, Some((&STDIN, data))) => self.data.extend_from_slice(data),
            (0x1 | 0x2, Some((&CLOSE, [STDIN]))) => self.ended = true,
            // Resize events, pings, other channels: nothing a simulated process reads.
            _ => {}
        }
    }

    /// The input as text (a simulated shell reads lines; bytes that are not UTF-8 are replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The subprotocol to answer with, from the client's `Sec-WebSocket-Protocol` list.
pub fn choose_protocol(offered: &str) -> Option<&'static str> {
    let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
    PROTOCOLS.into_iter().find(|p| offered.contains(p))
}

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
pub fn accept_key(key: &str) -> String {
    const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    super::protobuf::base64(&sha1(format!("{}{GUID}", key.trim()).as_bytes()))
}

/// One unmasked binary frame (a server's frames are not masked) carrying `payload` on `channel`.
pub fn channel_frame(channel: u8, payload: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(payload.len() + 1);
    data.push(channel);
    data.extend_from_slice(payload);
    frame(0x2, &data)
}

/// The largest client frame read (a channel client sends small control messages; more is refused).
pub const MAX_CLIENT_FRAME: usize = 1 << 20;

/// One frame a client sent: its opcode and unmasked payload.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientFrame {
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// Why a client's bytes are not a frame the server will read.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameError {
    /// Longer than [`MAX_CLIENT_FRAME`].
    TooLarge(u64),
}

/// The first frame in `buf` and how many bytes it took; None while the frame is incomplete.
pub fn read_frame(buf: &[u8]) -> Result<Option<(ClientFrame, usize)>, FrameError> {
    let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else { return Ok(None) };
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7F {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => (u64::from_be_bytes(b.try_into().expect("eight bytes")), 10),
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    if len > MAX_CLIENT_FRAME as u64 {
        return Err(FrameError::TooLarge(len));
    }
    let mask = if masked {
        let Some(m) = buf.get(at..at + 4) else { return Ok(None) };
        at += 4;
        [m[0], m[1], m[2], m[3]]
    } else {
        [0; 4]
    };
    let Some(data) = buf.get(at..at + len as usize) else { return Ok(None) };
    let payload = data.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
    Ok(Some((ClientFrame { opcode: b0 & 0x0F, payload }, at + len as usize)))
}

/// One unmasked binary frame carrying `payload` as it is (a SPDY tunnel's bytes, no channel byte).
pub fn binary_frame(payload: &[u8]) -> Vec<u8> {
    frame(0x2, payload)
}

/// The pong that answers a ping (RFC 6455 section 5.5.3: the ping's payload back).
pub fn pong_frame(payload: &[u8]) -> Vec<u8> {
    frame(0xA, payload)
}

/// A close frame with status 1000 (normal closure).
pub fn close_frame() -> Vec<u8> {
    frame(0x8, &1000u16.to_be_bytes())
}

fn frame(opcode: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    match data.len() {
        n @ 0..=125 => out.push(n as u8),
        n @ 126..=0xFFFF => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(data);
    out
}

/// SHA-1 (FIPS 180-4), as the handshake needs it.
fn sha1(message: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&((message.len() as u64) * 8).to_be_bytes());
    for block in padded.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..20 => ((b & c) | (!b & d), 0x5A82_7999),
                20..40 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..60 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_the_rfcs_example() {
        // RFC 6455 section 1.3.
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn sha1_and_the_shared_base64_match_known_values() {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(&[b'a'; 1000])), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
        let base64 = super::super::protobuf::base64;
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn client_frames_read_back_unmasked_whole_or_not_at_all() {
        // RFC 6455 section 5.7: a masked "Hello".
        let hello = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        let (frame, used) = read_frame(&hello).unwrap().unwrap();
        assert_eq!((frame.opcode, frame.payload.as_slice(), used), (1, &b"Hello"[..], 11));
        for cut in 0..hello.len() {
            assert_eq!(read_frame(&hello[..cut]), Ok(None), "{cut} bytes");
        }
        let (close, _) = read_frame(&close_frame()).unwrap().unwrap();
        assert_eq!(close.opcode, 8);
        assert_eq!(read_frame(&[0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]), Err(FrameError::TooLarge(1 << 32)));
        let long = channel_frame(STDOUT, &[b'x'; 300]);
        assert_eq!(read_frame(&long).unwrap().unwrap().0.payload.len(), 301);
    }

    /// A masked client frame, as kubectl sends them.
    fn client(opcode: u8, payload: &[u8]) -> ClientFrame {
        let mask = [1, 2, 3, 4];
        let mut bytes = vec![0x80 | opcode, 0x80 | payload.len() as u8];
        bytes.extend_from_slice(&mask);
        bytes.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        read_frame(&bytes).expect("a small frame").expect("a whole frame").0
    }

    #[test]
    fn stdin_collects_until_the_client_closes_it() {
        let mut stdin = StdinStream::default();
        stdin.take(&client(0x2, b"\x00echo hi\n"));
        stdin.take(&client(0x2, b"\x04{\"Width\":80,\"Height\":24}"));
        stdin.take(&client(0x2, b"\x00exit\n"));
        stdin.take(&client(0x9, b""));
        assert_eq!((stdin.text().as_str(), stdin.ended), ("echo hi\nexit\n", false));
        // Closing another stream (stdout) is not the end of the input.
        stdin.take(&client(0x2, &[CLOSE, STDOUT]));
        assert!(!stdin.ended);
        stdin.take(&client(0x2, &[CLOSE, STDIN]));
        assert!(stdin.ended);
        let mut v4 = StdinStream::default();
        v4.take(&client(0x2, b""));
        v4.take(&client(0x8, &1000u16.to_be_bytes()));
        assert!(v4.ended && v4.data.is_empty());
        let mut bad = StdinStream::default();
        bad.take(&client(0x2, &[0x00, 0xff, 0xfe]));
        assert_eq!(bad.text(), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn frames_carry_the_channel_and_the_length() {
        assert_eq!(channel_frame(STDOUT, b"hi"), vec![0x82, 3, 1, b'h', b'i']);
        let long = channel_frame(ERROR, &[b'x'; 300]);
        assert_eq!(&long[..4], &[0x82, 126, 0x01, 0x2D]);
        assert_eq!(long.len(), 4 + 301);
        assert_eq!(close_frame(), vec![0x88, 2, 0x03, 0xE8]);
        assert_eq!(binary_frame(b"ab"), vec![0x82, 2, b'a', b'b']);
        assert_eq!(pong_frame(b"p"), vec![0x8A, 1, b'p']);
        assert_eq!(choose_protocol("v5.channel.k8s.io, v4.channel.k8s.io"), Some("v5.channel.k8s.io"));
        assert_eq!(choose_protocol("v4.channel.k8s.io,channel.k8s.io"), Some("v4.channel.k8s.io"));
        assert_eq!(choose_protocol("base64.channel.k8s.io"), None);
    }
}
