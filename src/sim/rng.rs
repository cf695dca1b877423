//! The one seeded random number generator of the simulation (SplitMix64: tiny, fast, reproducible).
//!
//! Every random choice (generated names, pod IPs, latency jitter) draws from this single stream in a
//! fixed order, so the same seed and the same inputs give the same trace.

/// A deterministic 64-bit generator; the seed fully decides the sequence.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

/// The alphabet Kubernetes uses for generated name suffixes (apimachinery `rand.String`):
/// no vowels, so no accidental words, and no look-alike characters.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (n > 0); the tiny modulo bias is irrelevant for a simulation.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A random suffix such as `x7k2p`, as `generateName` and ReplicaSet pod names use.
    pub fn name_suffix(&mut self, len: usize) -> String {
        (0..len).map(|_| NAME_ALPHABET[self.below(NAME_ALPHABET.len() as u64) as usize] as char).collect()
    }

    /// A version-4-shaped UUID for `metadata.uid`.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_other_seed_other_sequence() {
        let take = |seed| {
            let mut r = Rng::new(seed);
            (0..8).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(take(7), take(7));
        assert_ne!(take(7), take(8));
    }

    #[test]
    fn name_suffix_uses_kubernetes_alphabet() {
        let mut r = Rng::new(1);
        let s = r.name_suffix(200);
        assert_eq!(s.len(), 200);
        assert!(s.bytes().all(|c| NAME_ALPHABET.contains(&c)), "{s}");
    }

    #[test]
    fn uuid_has_version_and_variant_bits() {
        let mut r = Rng::new(3);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
    }

    #[test]
    fn below_zero_is_zero() {
        assert_eq!(Rng::new(1).below(0), 0);
    }
}
