//! SPDY/3 header blocks (draft 3, section 2.6.10): a 32-bit count of pairs, then each name and value
//! behind its 32-bit length (several values of one name joined by NUL), all compressed by one zlib
//! stream per direction that runs across the whole connection and starts from SPDY's dictionary
//! (`dictionary.rs`); each block ends with a sync flush, so it can be read as soon as it arrives.
//! As in Go's `spdy/read.go`, a name must be lower case and may come only once.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::dictionary::dictionary;

/// The most a header block may inflate to (a port-forward stream's headers are three short pairs;
/// the limit keeps a zlib bomb from filling memory).
pub const MAX_BLOCK: usize = 64 << 10;

/// Why a header block cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The zlib stream is broken, or asks for a dictionary other than SPDY's.
    #[error("header block does not inflate: {0}")]
    Compression(String),
    /// Over [`MAX_BLOCK`] once inflated.
    #[error("header block inflates past {MAX_BLOCK} bytes")]
    TooLarge,
    /// The pairs do not fill the block as their lengths say.
    #[error("header block is truncated")]
    Truncated,
    /// spdystream's `UnlowercasedHeaderName`.
    #[error("header was not lowercased")]
    NotLowercase,
    /// spdystream's `DuplicateHeaders`.
    #[error("multiple headers with same name")]
    Duplicate,
}

/// The pairs of a block, in order (values of one name stay joined by NUL).
pub type Headers = Vec<(String, String)>;

/// The uncompressed block for `headers`.
pub fn encode_block(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = (headers.len() as u32).to_be_bytes().to_vec();
    for (name, value) in headers {
        for s in [name.to_ascii_lowercase().as_str(), value] {
            out.extend_from_slice(&(s.len() as u32).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

/// Reads a block front to back.
struct Cursor<'a> {
    block: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], HeaderError> {
        let end = self.at.checked_add(n).ok_or(HeaderError::Truncated)?;
        let s = self.block.get(self.at..end).ok_or(HeaderError::Truncated)?;
        self.at = end;
        Ok(s)
    }

    fn word(&mut self) -> Result<usize, HeaderError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    /// A length, then that many bytes, as text.
    fn string(&mut self) -> Result<String, HeaderError> {
        let n = self.word()?;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
}

/// The pairs of an uncompressed block.
pub fn decode_block(block: &[u8]) -> Result<Headers, HeaderError> {
    let mut c = Cursor { block, at: 0 };
    let count = c.word()?;
    let mut out: Headers = Vec::new();
    for _ in 0..count {
        let (name, value) = (c.string()?, c.string()?);
        if name != name.to_lowercase() {
            return Err(HeaderError::NotLowercase);
        }
        if out.iter().any(|(k, _)| *k == name) {
            return Err(HeaderError::Duplicate);
        }
        out.push((name, value));
    }
    Ok(out)
}

/// The value of `name` (names are lower case on the wire; Go's `Header.Get` ignores case).
pub fn get<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// One direction's compressor: what the server sends.
pub struct Deflater {
    z: Compress,
}

impl Default for Deflater {
    fn default() -> Self {
        // Go's framer: `zlib.NewWriterLevelDict(buf, zlib.BestCompression, headerDictionary)`.
        let mut z = Compress::new(Compression::best(), true);
        z.set_dictionary(&dictionary()).expect("a fresh zlib stream takes a dictionary");
        Deflater { z }
    }
}

impl Deflater {
    /// `headers` as the next compressed block of this connection, sync-flushed.
    pub fn deflate(&mut self, headers: &[(&str, &str)]) -> Vec<u8> {
        let block = encode_block(headers);
        let mut out = Vec::with_capacity(block.len() + 64);
        let start = self.z.total_in();
        loop {
            let used = (self.z.total_in() - start) as usize;
            out.reserve(256);
            // Writing into a growing Vec cannot fail: the stream is only ever fed here, in order.
            let _ = self.z.compress_vec(&block[used..], &mut out, FlushCompress::Sync);
            let done = (self.z.total_in() - start) as usize == block.len();
            // A sync flush is complete when it leaves spare room in the output.
            if done && out.len() < out.capacity() {
                return out;
            }
        }
    }
}

/// One direction's decompressor: what the client sends.
pub struct Inflater {
    z: Decompress,
}

impl Default for Inflater {
    fn default() -> Self {
        Inflater { z: Decompress::new(true) }
    }
}

impl Inflater {
    /// The pairs of the connection's next compressed block.
    pub fn inflate(&mut self, compressed: &[u8]) -> Result<Headers, HeaderError> {
        let mut out = Vec::with_capacity(256);
        let start = self.z.total_in();
        loop {
            let used = (self.z.total_in() - start) as usize;
            if out.len() == out.capacity() {
                if out.len() >= MAX_BLOCK {
                    return Err(HeaderError::TooLarge);
                }
                out.reserve(out.len());
            }
            match self.z.decompress_vec(&compressed[used..], &mut out, FlushDecompress::Sync) {
                // The stream's first block names the dictionary it was primed with.
                Err(e) if e.needs_dictionary().is_some() => {
                    self.z.set_dictionary(&dictionary()).map_err(|e| HeaderError::Compression(e.to_string()))?;
                }
                Err(e) => return Err(HeaderError::Compression(e.to_string())),
                Ok(Status::StreamEnd) => return Err(HeaderError::Compression("the zlib stream ended".into())),
                Ok(_) => {
                    let all_in = (self.z.total_in() - start) as usize == compressed.len();
                    if all_in && out.len() < out.capacity() {
                        return decode_block(&out);
                    }
                    if !all_in && (self.z.total_in() - start) as usize == used && out.len() < out.capacity() {
                        return Err(HeaderError::Compression("the zlib stream stopped taking input".into()));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(h: &Headers) -> Vec<(&str, &str)> {
        h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn blocks_round_trip_across_one_stream() {
        let (mut d, mut i) = (Deflater::default(), Inflater::default());
        let first = [("streamtype", "error"), ("port", "80"), ("requestid", "0")];
        let second = [("streamtype", "data"), ("port", "80"), ("requestid", "0")];
        for block in [&first[..], &second[..], &[][..], &first[..]] {
            let got = i.inflate(&d.deflate(block)).unwrap();
            assert_eq!(pairs(&got), block.to_vec());
        }
    }

    #[test]
    fn kubectls_own_blocks_inflate() {
        // The header blocks of the first two SYN_STREAMs kubectl 1.33 sent `sandbox serve` for a
        // connection through `port-forward pod/web 18090:80` (captured on the wire, SPDY transport):
        // Go's zlib at best compression (`78 f9`) with SPDY's dictionary, one stream for both.
        let first = [
            0x78, 0xf9, 0xe3, 0xc6, 0xa7, 0xc2, 0x02, 0x25, 0x3a, 0x70, 0x3a, 0x2b, 0x29, 0x4a, 0x4d, 0xcc, 0x85, 0x16,
            0x25, 0xac, 0xa9, 0xa0, 0x80, 0x86, 0x14, 0xcb, 0x45, 0xa0, 0x24, 0xcc, 0x64, 0x61, 0xc0, 0xc0, 0xc0, 0xc0,
            0x59, 0x04, 0x89, 0xc4, 0x4c, 0x50, 0xe2, 0x66, 0x34, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
        ];
        let second = [
            0x82, 0x6a, 0xc5, 0x14, 0x45, 0x35, 0x0c, 0x54, 0x2e, 0x25, 0xa2, 0x9a, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff,
        ];
        let mut i = Inflater::default();
        assert_eq!(pairs(&i.inflate(&first).unwrap()), [("streamtype", "error"), ("port", "80"), ("requestid", "0")]);
        assert_eq!(pairs(&i.inflate(&second).unwrap()), [("requestid", "0"), ("streamtype", "data"), ("port", "80")]);
        // The second block leans on the first's window: alone, it does not read.
        assert!(Inflater::default().inflate(&second).is_err());
    }

    #[test]
    fn a_block_names_spdys_dictionary_and_ends_with_a_sync_flush() {
        // What Go's inflater checks: a zlib head with FDICT set and the dictionary's Adler-32 behind it.
        let bytes = Deflater::default().deflate(&[("port", "80")]);
        assert_eq!(bytes[0], 0x78);
        assert_eq!(bytes[1] & 0x20, 0x20, "FDICT");
        assert_eq!(&bytes[2..6], &[0xE3, 0xC6, 0xA7, 0xC2]);
        assert_eq!(&bytes[bytes.len() - 4..], &[0, 0, 0xFF, 0xFF], "a sync flush ends the block");
    }

    #[test]
    fn bad_blocks_are_errors() {
        let block = |pairs: &[(&[u8], &[u8])]| {
            let mut b = (pairs.len() as u32).to_be_bytes().to_vec();
            for (k, v) in pairs {
                b.extend_from_slice(&(k.len() as u32).to_be_bytes());
                b.extend_from_slice(k);
                b.extend_from_slice(&(v.len() as u32).to_be_bytes());
                b.extend_from_slice(v);
            }
            b
        };
        assert_eq!(decode_block(&block(&[(b"Port", b"80")])), Err(HeaderError::NotLowercase));
        assert_eq!(decode_block(&block(&[(b"port", b"80"), (b"port", b"81")])), Err(HeaderError::Duplicate));
        assert_eq!(decode_block(&[0, 0, 0, 1, 0, 0, 0, 9, b'x']), Err(HeaderError::Truncated));
        assert_eq!(decode_block(&[0, 0]), Err(HeaderError::Truncated));
        assert_eq!(decode_block(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), Err(HeaderError::Truncated));
        assert!(matches!(Inflater::default().inflate(b"not zlib"), Err(HeaderError::Compression(_))));
        // A zlib stream primed with another dictionary is refused, not read.
        let mut other = Compress::new(Compression::best(), true);
        other.set_dictionary(b"another dictionary").unwrap();
        let mut out = Vec::with_capacity(128);
        other.compress_vec(&encode_block(&[("port", "80")]), &mut out, FlushCompress::Sync).unwrap();
        assert!(matches!(Inflater::default().inflate(&out), Err(HeaderError::Compression(_))));
    }

    #[test]
    fn a_zlib_bomb_stops_at_the_limit() {
        let mut d = Deflater::default();
        let huge = "x".repeat(MAX_BLOCK * 2);
        let bytes = d.deflate(&[("big", &huge)]);
        assert!(bytes.len() < 2048, "{} bytes", bytes.len());
        assert_eq!(Inflater::default().inflate(&bytes), Err(HeaderError::TooLarge));
    }

    proptest! {
        #[test]
        fn any_compressed_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut i = Inflater::default();
            let _ = i.inflate(&bytes);
            let _ = i.inflate(&bytes);
            let _ = decode_block(&bytes);
        }
    }
}
