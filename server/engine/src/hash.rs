//! Every hash of the engine, and which of them must give the same value in every run.
//!
//! **Stable**: the value is written somewhere a later process reads it (the index cache in
//! `.dossier/`, a result id or fingerprint the client holds), so it depends on the bytes alone:
//! no random seed, no dependence on the platform's byte order or pointer width. Changing one of
//! these functions changes every stored value: the index cache is only read by the build that
//! wrote it, so a change costs one full start, but anything else derived from their values
//! (a model's hashed features, for instance) must be rebuilt with it.
//!
//! - [`stable`] and [`StableHasher`] (xxh3, 64 bits): file contents in the cache's stamps, the
//!   cache files' checksums, the registry's fingerprint, diagnostic result ids and fingerprints.
//! - [`words`] and [`pair`]: the keys of folded names ([`crate::entities`]'s keys), stored in
//!   the cache with every mention and linked entity. Short strings (a name is one or two words),
//!   hashed eight bytes a step.
//! - [`bytes`]: the hashes of surfaces, names and roles in linked mentions (stored in the linked
//!   index), and block identities (in memory only, [`crate::blocks`]). Eight bytes a step,
//!   wyhash's folded multiply: fast on long texts too.
//!
//! **In memory only**, free to change:
//! - [`MapHasher`] ([`FastMap`], [`FastSet`]): the hasher of every hash map the engine keys by
//!   a hash (entity keys, line keys), a name, or a short word packed into a `u128`. A `u64` key
//!   is a hash already and is used as it is; strings are hashed with [`words`], packed words
//!   mixed by one multiply. It does not resist keys chosen to collide, which
//!   the standard hasher pays for on every lookup: the engine's keys come from its own hashes
//!   and the user's own files.
//!
//! The line and paragraph keys of the corpus-level rules fold text and hash it in one pass
//! (`packed::Packed`): folding and hashing separately cost `dossier check` a third of its
//! throughput on one core (see BENCHMARKS.md), so that fused hash stays where it is.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The stable 64-bit hash of `bytes` (xxh3).
pub fn stable(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// [`stable`] of bytes given piece by piece; as a [`Hasher`], of what `Hash` implementations
/// write (integers little-endian, whatever the platform).
#[derive(Clone, Default)]
pub struct StableHasher(xxhash_rust::xxh3::Xxh3);

impl StableHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0.digest()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn write_usize(&mut self, n: usize) {
        self.0.update(&(n as u64).to_le_bytes());
    }

    fn write_u64(&mut self, n: u64) {
        self.0.update(&n.to_le_bytes());
    }

    fn write_u32(&mut self, n: u32) {
        self.0.update(&n.to_le_bytes());
    }
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// The stable hash of a short string (a folded name): eight bytes a step, the length mixed in
/// first, the last word zero-padded, then spread over all 64 bits.
pub fn words(bytes: &[u8]) -> u64 {
    finish(absorb_words(SEED ^ (bytes.len() as u64).wrapping_mul(MUL), bytes))
}

/// `h` with `bytes` mixed in eight bytes a step, the last word zero-padded (the body of
/// [`words`], also of the name tagger's feature hashes).
pub(crate) fn absorb_words(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(MUL).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(MUL).rotate_left(29);
    }
    h
}

/// The stable hash of two hashes in order (a full name's from its first and last word's).
pub fn pair(first: u64, second: u64) -> u64 {
    finish(first.wrapping_mul(MUL) ^ second.rotate_left(32))
}

/// Spread a state over all 64 bits (MurmurHash3's finaliser).
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The stable hash of `bytes` of any length: eight bytes a step, each word mixed in by a folded
/// 64×64→128-bit multiply (the construction of wyhash).
pub fn bytes(bytes: &[u8]) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
    fn fold(a: u64, b: u64) -> u64 {
        let r = u128::from(a) * u128::from(b);
        (r as u64) ^ ((r >> 64) as u64)
    }
    let mut h = P0 ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = fold(h ^ x ^ P2, P1);
    }
    let tail = words.remainder();
    let mut t = 0u64;
    for (i, &b) in tail.iter().enumerate() {
        t |= u64::from(b) << (8 * i);
    }
    h = fold(h ^ t ^ P0, P1 ^ tail.len() as u64);
    fold(h, P2)
}

/// The hasher of the engine's hash maps (see the module docs): a `u64` key is taken as it is,
/// bytes are hashed with [`words`].
#[derive(Default)]
pub struct MapHasher(u64);

impl Hasher for MapHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = words(bytes) ^ self.0.wrapping_mul(MUL);
    }

    fn write_u64(&mut self, k: u64) {
        self.0 = k;
    }

    fn write_u8(&mut self, k: u8) {
        self.0 ^= u64::from(k).wrapping_mul(MUL);
    }

    /// A `u128` key is a short word packed into its bytes, not a hash: mixed.
    fn write_u128(&mut self, k: u128) {
        let folded = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
        let h = folded.wrapping_mul(MUL);
        self.0 = h ^ (h >> 29);
    }
}

/// A hash map with [`MapHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MapHasher>>;

/// A thread's memo of the values of short strings (lines that recur from page to page of a
/// site), read and filled by [`remembered`].
pub type LineMemo<V> = std::cell::RefCell<FastMap<Box<str>, V>>;

/// `f(key)`, remembered in a thread's `memo`, which starts over once it holds `cap` values.
pub fn remembered<V: Copy>(
    memo: &'static std::thread::LocalKey<LineMemo<V>>,
    cap: usize,
    key: &str,
    f: impl FnOnce(&str) -> V,
) -> V {
    if let Some(v) = memo.with(|m| m.borrow().get(key).copied()) {
        return v;
    }
    let v = f(key);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= cap {
            m.clear();
        }
        m.insert(key.into(), v);
    });
    v
}

/// A hash set with [`MapHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<MapHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    #[test]
    fn stable_hashes_are_the_same_in_every_run() {
        // values that a process writes and another compares: fixed forever
        assert_eq!(stable(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(stable(b"Kassym-Jomart"), 0xba09_f867_6da6_5557);
        assert_eq!(words(b"tokaev"), 0x21d9_6fc6_c0fa_91b8);
        assert_eq!(pair(1, 2), 0xf735_d393_6308_1b9d);
        assert_eq!(bytes(b"Tokayev met Nazarbayev"), 0x6e00_7a2e_b786_eb0f);
        let mut h = StableHasher::default();
        h.update(b"Kassym-");
        h.update(b"Jomart");
        assert_eq!(h.finish(), stable(b"Kassym-Jomart"));
        // a `Hash` value hashes the same on every platform
        let mut h = StableHasher::default();
        (7usize, "x").hash(&mut h);
        let mut by_hand = StableHasher::default();
        by_hand.update(&7u64.to_le_bytes());
        by_hand.update(b"x");
        by_hand.update(&[0xff]);
        assert_eq!(h.finish(), by_hand.finish());
    }

    #[test]
    fn maps_tell_keys_and_names_apart() {
        let build = BuildHasherDefault::<MapHasher>::default();
        assert_eq!(build.hash_one(0x1234_u64), 0x1234, "a hash is its own key");
        let names = ["/c/a.txt", "/c/b.txt", "/c/ab.txt", "/c/a.txt2", "", "/c/Токаев.txt"];
        let hashes: FastSet<u64> = names.iter().map(|n| build.hash_one(n)).collect();
        assert_eq!(hashes.len(), names.len());
    }
}
