//! The on-disk index cache: what was computed from each corpus file, kept in `.dossier/` at the
//! first corpus root so that a restart on an unchanged corpus skips that work.
//!
//! - Written only here, only inside `.dossier/`, atomically (a temporary file renamed over the
//!   old one), with a `.gitignore` so the folder never lands in version control. The corpus scan
//!   skips hidden folders, so the cache is never read as a document.
//! - Per file, an entry is used only if the file's size, modification time and content hash all
//!   match; the whole cache only if its magic, format version, the build of the executable that
//!   wrote it and a checksum of its bytes match. Anything else — missing, stale, truncated,
//!   corrupt, written by another build — is ignored silently and rebuilt after the next load.
//! - The payload type is the caller's; it is encoded with bincode, streamed to the file as it is
//!   encoded (no second copy in memory while the server is publishing), and read back whole.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};

use bincode::Options;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use xxhash_rust::xxh3::Xxh3;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The cache folder at a corpus root.
pub const DIR: &str = ".dossier";
const FILE: &str = "index.bin";
const MAGIC: &[u8; 8] = b"DOSSIER\x02";

/// How a file looked when its entry was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u64,
    pub hash: u64,
}

impl Stamp {
    /// The stamp of file bytes with the given metadata.
    pub fn new(meta: &std::fs::Metadata, bytes: &[u8]) -> Stamp {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Stamp { size: meta.len(), mtime_ns, hash: content_hash(bytes) }
    }
}

/// A fast, stable content hash (the same on every run: no random keys).
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Identity of the running executable: a cache written by another build is never read.
fn build_id() -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok());
    let stamp = exe.map(|m| {
        let t = m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0);
        format!("{}-{t}", m.len())
    });
    format!("{}-{}", env!("CARGO_PKG_VERSION"), stamp.unwrap_or_default())
}

#[derive(Serialize, Deserialize)]
struct Stored<T> {
    build: String,
    entries: Vec<(String, Stamp, T)>,
}

/// The path of the cache file under `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// The entries of the cache under `root`, by document key; empty when there is no usable cache.
pub fn load<T: DeserializeOwned>(root: &Path) -> HashMap<String, (Stamp, T)> {
    let Ok(file) = std::fs::File::open(path(root)) else { return HashMap::new() };
    match decode::<T>(file) {
        Some(entries) => entries.into_iter().map(|(k, s, t)| (k, (s, t))).collect(),
        None => {
            tracing::info!("index cache at {} is stale or damaged; it will be rebuilt", path(root).display());
            HashMap::new()
        }
    }
}

/// bincode's default encoding (what `bincode::serialize` writes), with allocations bounded by
/// the size of the file so that damaged lengths cannot ask for more memory than that.
fn options(limit: u64) -> impl Options {
    bincode::DefaultOptions::new().with_fixint_encoding().allow_trailing_bytes().with_limit(limit)
}

/// Bytes written so far, hashed on the way.
struct Hashing<T> {
    inner: T,
    hash: Xxh3,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Magic, body, then the checksum of the body. The file is read whole (it is decoded faster from
/// memory, and the buffer is gone before linking, where the peak of a load is); another build's
/// cache is dropped before its entries are decoded.
fn decode<T: DeserializeOwned>(mut file: std::fs::File) -> Option<Vec<(String, Stamp, T)>> {
    let mut bytes = Vec::with_capacity(file.metadata().ok()?.len() as usize);
    file.read_to_end(&mut bytes).ok()?;
    let body = bytes.strip_prefix(MAGIC)?;
    let (body, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
    let mut r = body;
    let build: String = options(body.len() as u64).deserialize_from(&mut r).ok()?;
    if build != build_id() || content_hash(body).to_le_bytes() != sum {
        return None;
    }
    let mut rest = r;
    let entries: Vec<(String, Stamp, T)> = options(body.len() as u64).deserialize_from(&mut rest).ok()?;
    rest.is_empty().then_some(entries)
}

/// Write the cache under `root` (atomically). Entries are `(key, stamp, payload)`.
pub fn store<T: Serialize>(root: &Path, entries: Vec<(String, Stamp, &T)>) -> std::io::Result<()> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Dossier's index cache: safe to delete, rebuilt on the next start.\n*\n")?;
    }
    let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(MAGIC)?;
        let mut w = BufWriter::with_capacity(1 << 20, Hashing { inner: f, hash: Xxh3::new() });
        options(u64::MAX)
            .serialize_into(&mut w, &Stored { build: build_id(), entries })
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let Hashing { inner: mut f, hash } = w.into_inner().map_err(|e| e.into_error())?;
        f.write_all(&hash.digest().to_le_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path(root))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: u64) -> Stamp {
        Stamp { size: n, mtime_ns: n * 10, hash: n * 100 }
    }

    #[test]
    fn round_trip_and_damage_is_ignored() {
        let dir = std::env::temp_dir().join(format!("dossier-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(load::<Vec<String>>(&dir).is_empty(), "no cache yet");
        let a = vec!["Nazarbayev".to_string()];
        let b = vec![];
        store(&dir, vec![("/c/a.txt".into(), stamp(1), &a), ("/c/b.txt".into(), stamp(2), &b)]).unwrap();
        let got = load::<Vec<String>>(&dir);
        assert_eq!(got.len(), 2);
        assert_eq!(got["/c/a.txt"], (stamp(1), a.clone()));
        assert!(std::fs::read_to_string(dir.join(DIR).join(".gitignore")).unwrap().contains('*'));
        // every kind of damage: truncation, a flipped byte, garbage, another payload type
        let good = std::fs::read(path(&dir)).unwrap();
        let mut longer = good.clone();
        longer.extend_from_slice(b"trailing");
        // a length field near the start claiming far more entries than the file holds
        let huge = {
            let mut v = good.clone();
            let at = MAGIC.len() + 8 + build_id().len() + 2;
            v[at] = 0xff;
            v
        };
        for bad in
            [good[..good.len() / 2].to_vec(), flip(&good, good.len() / 2), b"garbage".to_vec(), vec![], longer, huge]
        {
            std::fs::write(path(&dir), &bad).unwrap();
            assert!(load::<Vec<String>>(&dir).is_empty());
        }
        std::fs::write(path(&dir), &good).unwrap();
        assert_eq!(load::<Vec<String>>(&dir).len(), 2);
        let leftovers: Vec<_> = std::fs::read_dir(dir.join(DIR)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "only the cache and its .gitignore: {leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn flip(v: &[u8], at: usize) -> Vec<u8> {
        let mut v = v.to_vec();
        v[at] ^= 0x40;
        v
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(content_hash(b"abc"), content_hash(b"abc"));
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
    }
}
