//! A small deterministic hash map for hot-path lookups by name (node name -> slot).
//!
//! FNV-1a: fast on short keys and the same in every run and on every target (std's `RandomState`
//! is neither needed nor wanted here). These maps are only ever *looked up*; anything that is
//! iterated for output uses a `BTreeMap`, so iteration order never leaks into behaviour.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bit.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A `HashMap` with [`Fnv`]; for lookups, not for ordered output.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn same_key_same_hash_and_map_works() {
        let h = |s: &str| {
            let mut f = Fnv::default();
            s.hash(&mut f);
            f.finish()
        };
        assert_eq!(h("worker1"), h("worker1"));
        assert_ne!(h("worker1"), h("worker2"));
        let mut m: FastMap<String, u32> = FastMap::default();
        m.insert("a".into(), 1);
        assert_eq!(m.get("a"), Some(&1));
        assert_eq!(m.get("b"), None);
    }
}
