//! Standard base64 as Go's `encoding/base64.StdEncoding`: Secret `data` travels in it.
//!
//! The apiserver refuses a Secret whose `data` is not base64 with Go's own message
//! (`illegal base64 data at input byte 4`), and kubectl prints decoded sizes; both need this.

use thiserror::Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a string is not standard base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Base64Error {
    /// Go's `CorruptInputError`: the byte offset where decoding failed.
    #[error("illegal base64 data at input byte {0}")]
    Corrupt(usize),
}

/// Encodes bytes with padding, as `base64.StdEncoding.EncodeToString`.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Decodes padded standard base64, ignoring CR and LF as Go does.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let symbols: Vec<(usize, u8)> = text.bytes().enumerate().filter(|(_, b)| *b != b'\r' && *b != b'\n').collect();
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let groups = symbols.len().div_ceil(4);
    for (index, group) in symbols.chunks(4).enumerate() {
        let group_start = group[0].0;
        if group.len() < 4 {
            return Err(Base64Error::Corrupt(group_start));
        }
        let mut n = 0u32;
        let mut pad = 0;
        for (k, &(at, b)) in group.iter().enumerate() {
            if b == b'=' {
                // Padding may only fill the last one or two places of the final group.
                if k < 2 || (k == 2 && group[3].1 != b'=') {
                    return Err(Base64Error::Corrupt(at));
                }
                pad += 1;
                n <<= 6;
                continue;
            }
            if pad > 0 {
                return Err(Base64Error::Corrupt(at));
            }
            n = (n << 6) | sextet(b).ok_or(Base64Error::Corrupt(at))?;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
        if pad > 0 && index + 1 != groups {
            // Padding in a group that is not the last one.
            return Err(Base64Error::Corrupt(group[3].0 + 1));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in ["", "a", "ab", "abc", "admin", "1f2d1e2e67df", "\u{1F600} unicode"] {
            assert_eq!(encode(s.as_bytes()).len() % 4, 0);
            assert_eq!(decode(&encode(s.as_bytes())), Ok(s.as_bytes().to_vec()), "{s}");
        }
        assert_eq!(encode(b"admin"), "YWRtaW4=");
        assert_eq!(decode("MWYyZDFlMmU2N2Rm"), Ok(b"1f2d1e2e67df".to_vec()));
        assert_eq!(decode("YWRt\naW4="), Ok(b"admin".to_vec()));
    }

    #[test]
    fn reports_go_offsets() {
        for (s, at) in
            [("abc", 0), ("abcd$xyz", 4), ("a===", 1), ("YWRtaW4", 4), ("admin", 4), ("ab=c", 2), ("YQ==YQ==", 4)]
        {
            assert_eq!(decode(s), Err(Base64Error::Corrupt(at)), "{s}");
        }
        assert_eq!(Base64Error::Corrupt(4).to_string(), "illegal base64 data at input byte 4");
    }
}
