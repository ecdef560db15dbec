//! Hashes, and which of them must give the same value in every run.
//!
//! - [`stable`] and [`StableHasher`] (xxh3, 64 bits) hash what is persisted: file contents in the
//!   index cache's stamps, the cache files' checksums, the registry's fingerprint. Their values
//!   are written to disk and compared by a later process, so they never depend on the run.

/// The stable 64-bit hash of `bytes` (xxh3).
pub fn stable(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// [`stable`] of bytes given piece by piece.
#[derive(Clone, Default)]
pub struct StableHasher(xxhash_rust::xxh3::Xxh3);

impl StableHasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(&self) -> u64 {
        self.0.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hashes_are_the_same_in_every_run() {
        // values written to disk by one process and compared by another: fixed forever
        assert_eq!(stable(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(stable("Токаев".as_bytes()), stable("Токаев".as_bytes()));
        let mut h = StableHasher::default();
        h.update(b"Kassym-");
        h.update(b"Jomart");
        assert_eq!(h.finish(), stable(b"Kassym-Jomart"));
    }
}
