//! The worker-node side of the cluster: kubelet, a containerd-like runtime, image registries, what
//! containers do, and kube-proxy.
//!
//! ```text
//!   kube-apiserver ◄──watch pods (spec.nodeName=me), status patches, lease, events──► kubelet
//!                                                                                     │ CRI
//!   registry (shared) ◄── pulls ── container-runtime ◄────────────────────────────────┘
//!   kube-apiserver ◄──watch services, endpointslices── kube-proxy (rules table)
//! ```
//! The kubelet talks to the runtime only through `Payload::Cri` messages, so every sandbox, pull and
//! container start shows up in the trace; containers themselves are simulated by `behaviour`.

// The CRI's wire types live in the protocol module, below the kernel; re-exported where they were.
pub use super::protocol::cri;

pub mod backoff;
pub mod behaviour;
pub mod host;
pub mod kubelet;
pub mod proxy;
pub mod registry;
pub mod runtime;
#[cfg(test)]
pub(crate) mod test_support;

/// FNV-1a: a stable hash for deterministic ids, sizes and jitter (never `HashMap`'s random one).
pub(crate) fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// FNV-1a as a `Hasher`, for fingerprints that must not depend on a random seed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// 64 hex digits derived from `seed`: digests and ids that look like sha256 and never change.
pub(crate) fn hex64(seed: &str) -> String {
    let mut x = stable_hash(seed);
    let mut out = String::with_capacity(64);
    for _ in 0..4 {
        // SplitMix64 steps spread the one hash over 256 bits.
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.push_str(&format!("{:016x}", z ^ (z >> 31)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex64_is_stable_and_distinct() {
        let a = hex64("docker.io/library/nginx:latest");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, hex64("docker.io/library/nginx:latest"));
        assert_ne!(a, hex64("docker.io/library/nginx:1.27"));
    }
}
