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
//! - Each entry's payload is bytes in the caller's format, so the caller decodes the entries it
//!   uses, in parallel, straight from the file's bytes. The file is written as the payloads are
//!   encoded (no second copy in memory while the server is publishing) and mapped to be read.
//! - Beside it, `links.bin` holds the linked index of the same load, written after `index.bin`
//!   and naming it by its checksum; it is read as a stream, and only with that `index.bin`.

use std::io::{BufWriter, Read, Write};
use std::ops::Range;

use bincode::Options;
use dossier_engine::entities::{NameMap, SharedBytes, StoredBytes};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;
use xxhash_rust::xxh3::Xxh3;

use serde::{Deserialize, Serialize, Serializer};

/// The cache folder at a corpus root.
pub const DIR: &str = ".dossier";
const FILE: &str = "index.bin";
const MAGIC: &[u8; 8] = b"DOSSIER\x04";
const LINKS_FILE: &str = "links.bin";
const LINKS_MAGIC: &[u8; 8] = b"DOSLINK\x02";

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

/// The entries to store, each payload encoded as it is written.
struct Encoded<'a, K, T, F> {
    entries: &'a [(K, Stamp, T)],
    encode: F,
}

impl<K: AsRef<str>, T, F: Fn(&T, &mut Vec<u8>)> Serialize for Encoded<'_, K, T, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.entries.len()))?;
        let mut buf = Vec::new();
        for (key, stamp, value) in self.entries {
            buf.clear();
            (self.encode)(value, &mut buf);
            seq.serialize_element(&(key.as_ref(), stamp, serde_bytes(&buf)))?;
        }
        seq.end()
    }
}

/// Bytes serialised as one run (not element by element).
fn serde_bytes(b: &[u8]) -> impl Serialize + '_ {
    struct B<'a>(&'a [u8]);
    impl Serialize for B<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    B(b)
}

/// The path of the cache file under `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// A cache file's bytes: mapped (no copy; the page cache's pages are read in place), or read
/// where mapping fails.
#[derive(Debug)]
enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Read(Vec::new())
    }
}

impl StoredBytes for Bytes {
    fn bytes(&self) -> &[u8] {
        self
    }

    fn release(&self, range: Range<usize>) {
        release_pages(self, range);
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }
}

/// The bytes of a cache file.
///
/// Mapped read-only: the cache files are only ever replaced by renaming a new file over them,
/// never rewritten in place, so the mapped file does not change while it is read (another
/// program truncating it meanwhile could still end the process; a mapping lives while the
/// corpus loads, and until what was kept of it is copied or read out, right after the index is
/// announced).
fn file_bytes(file: &std::fs::File) -> Option<Bytes> {
    let len = file.metadata().ok()?.len();
    if len > 0 {
        // SAFETY: see above; the map is dropped shortly after the load.
        if let Ok(m) = unsafe { memmap2::MmapOptions::new().populate().map(file) } {
            return Some(Bytes::Mapped(m));
        }
    }
    let mut bytes = Vec::with_capacity(len as usize);
    (&mut &*file).read_to_end(&mut bytes).ok()?;
    Some(Bytes::Read(bytes))
}

/// The path of the linked index stored beside the cache under `root`.
pub fn links_path(root: &Path) -> PathBuf {
    root.join(DIR).join(LINKS_FILE)
}

/// A cache as read: the file's bytes, and where each document's payload is in them.
#[derive(Debug, Default)]
pub struct Cache {
    bytes: Arc<Bytes>,
    entries: NameMap<String, (Stamp, Range<usize>)>,
    /// The checksum of the file: what a linked index stored beside it names it by.
    id: u64,
}

impl Cache {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the entry of a document is, if it was stored with this stamp.
    pub fn get(&self, key: &str, stamp: &Stamp) -> Option<Range<usize>> {
        self.entries.get(key).filter(|(s, _)| s == stamp).map(|(_, r)| r.clone())
    }

    /// What identifies this cache's contents (0 for none).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The whole file, which payloads can be kept as ranges of.
    pub fn shared(&self) -> SharedBytes {
        self.bytes.clone()
    }
}

/// The cache under `root`; empty when there is no usable cache.
pub fn load(root: &Path) -> Cache {
    let Ok(file) = std::fs::File::open(path(root)) else { return Cache::default() };
    match decode(file) {
        Some(cache) => cache,
        None => {
            tracing::info!("index cache at {} is stale or damaged; it will be rebuilt", path(root).display());
            Cache::default()
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

/// Magic, body, then the checksum of the body. The file is mapped whole (the map is gone before
/// linking, where the peak of a load is); another build's cache is dropped before its entries
/// are decoded.
fn decode(file: std::fs::File) -> Option<Cache> {
    let bytes = file_bytes(&file)?;
    let body = bytes.strip_prefix(MAGIC)?;
    let (body, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
    let mut r = body;
    let build: String = options(body.len() as u64).deserialize_from(&mut r).ok()?;
    if build != build_id() || content_hash(body).to_le_bytes() != sum {
        return None;
    }
    let stored: Vec<(&str, Stamp, &[u8])> = options(r.len() as u64).reject_trailing_bytes().deserialize(r).ok()?;
    let base = bytes.as_ptr() as usize;
    let entries = stored
        .into_iter()
        .map(|(key, stamp, payload)| {
            let at = payload.as_ptr() as usize - base;
            (key.to_string(), (stamp, at..at + payload.len()))
        })
        .collect();
    let id = u64::from_le_bytes(sum.try_into().ok()?);
    Some(Cache { bytes: Arc::new(bytes), entries, id })
}

/// Write the cache under `root` (atomically). Entries are `(key, stamp, value)`; `encode` appends
/// a value's payload to a buffer. Returns the new cache's [`Cache::id`].
pub fn store<K: AsRef<str>, T>(
    root: &Path,
    entries: &[(K, Stamp, T)],
    encode: impl Fn(&T, &mut Vec<u8>),
) -> std::io::Result<u64> {
    write_atomically(root, FILE, MAGIC, |w| {
        let invalid = |e| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        options(u64::MAX).serialize_into(&mut *w, &build_id()).map_err(invalid)?;
        options(u64::MAX).serialize_into(&mut *w, &Encoded { entries, encode }).map_err(invalid)
    })
}

/// Write `links.bin` beside the cache whose id is `cache`: what `write` writes, to be read back
/// by [`load_links`] only together with that cache.
pub fn store_links(
    root: &Path,
    cache: u64,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_atomically(root, LINKS_FILE, LINKS_MAGIC, |w| {
        w.write_all(&cache.to_le_bytes())?;
        write(w)
    })
    .map(|_| ())
}

/// The file `name` in the cache folder: magic, body, checksum of the body (returned), written to
/// a temporary file and renamed over the old one.
fn write_atomically(
    root: &Path,
    name: &str,
    magic: &[u8],
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Dossier's index cache: safe to delete, rebuilt on the next start.\n*\n")?;
    }
    sweep(&dir, name);
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(magic)?;
        let mut w = BufWriter::with_capacity(1 << 20, Hashing { inner: f, hash: Xxh3::new() });
        body(&mut w)?;
        let Hashing { inner: mut f, hash } = w.into_inner().map_err(|e| e.into_error())?;
        let sum = hash.digest();
        f.write_all(&sum.to_le_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))?;
        Ok(sum)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Remove the temporary files `{name}.{pid}.tmp` left in `dir` by a process that ended while
/// writing (a write of the linked index of a large corpus can take a while, and the editor may
/// stop the server meanwhile). The file of a process still running is left to it.
fn sweep(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file.to_str().and_then(|f| f.strip_prefix(name)?.strip_prefix('.')?.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid != std::process::id() && !running(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Is process `pid` running? Where that cannot be asked, a process counts as running (its file
/// is kept).
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Drop the pages that hold `range` of a mapped file from memory: for parts of a file already
/// read. Pages are read from the file again if touched, so a page shared with a neighbouring
/// part that is still to be read only costs that part a page fault.
fn release_pages(bytes: &Bytes, range: Range<usize>) {
    #[cfg(unix)]
    if let Bytes::Mapped(m) = bytes {
        let page = 4096;
        let (start, end) = (range.start / page * page, range.end.min(m.len()).div_ceil(page) * page);
        if start < end {
            // SAFETY: the range is within the map; the pages of a private read-only file map
            // are read again from the file if touched.
            let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        }
    }
    #[cfg(not(unix))]
    let _ = (bytes, range);
}

/// Read the linked index stored beside the cache whose id is `cache`: `read` parses what
/// [`store_links`]'s `write` wrote, given the file's bytes and where that is in them. Its result
/// is returned only if the file is intact: the checksum, computed while `read` works, is
/// compared once both are done.
pub fn load_links<T: Send>(
    root: &Path,
    cache: u64,
    read: impl FnOnce(&SharedBytes, Range<usize>) -> Option<T> + Send,
) -> Option<T> {
    let file = std::fs::File::open(links_path(root)).ok()?;
    let bytes = Arc::new(file_bytes(&file)?);
    let len = bytes.len();
    if cache == 0 || len < 24 || bytes[..8] != LINKS_MAGIC[..] || bytes[8..16] != cache.to_le_bytes() {
        return None;
    }
    let sum = u64::from_le_bytes(bytes[len - 8..].try_into().ok()?);
    let all: SharedBytes = bytes.clone();
    // the checksum covers what follows the magic: the cache's id and the index
    let (hash, value) = rayon::join(|| xxhash_rust::xxh3::xxh3_64(&bytes[8..len - 8]), || read(&all, 16..len - 8));
    (hash == sum).then_some(value).flatten()
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
        assert!(load(&dir).is_empty(), "no cache yet");
        let entries = vec![("/c/a.txt".to_string(), stamp(1), "Nazarbayev"), ("/c/b.txt".into(), stamp(2), "")];
        store(&dir, &entries, |s, out| out.extend_from_slice(s.as_bytes())).unwrap();
        let got = load(&dir);
        assert_eq!(got.len(), 2);
        assert_eq!(got.get("/c/a.txt", &stamp(3)), None, "another stamp");
        assert_eq!(got.get("/c/b.txt", &stamp(2)).map(|r| got.shared().bytes()[r].to_vec()), Some(vec![]));
        let got = load(&dir);
        assert_eq!(
            got.get("/c/a.txt", &stamp(1)).map(|r| got.shared().bytes()[r].to_vec()),
            Some(b"Nazarbayev".to_vec())
        );
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
            assert!(load(&dir).is_empty());
        }
        std::fs::write(path(&dir), &good).unwrap();
        assert_eq!(load(&dir).len(), 2);
        let leftovers: Vec<_> = std::fs::read_dir(dir.join(DIR)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "only the cache and its .gitignore: {leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn links_are_read_only_with_their_cache() {
        let dir = std::env::temp_dir().join(format!("dossier-links-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let body = |all: &SharedBytes, body: Range<usize>| Some(all.bytes()[body].to_vec());
        assert!(load_links(&dir, 7, body).is_none(), "nothing stored yet");
        let entries = vec![("/c/a.txt".to_string(), stamp(1), "Nazarbayev")];
        let id = store(&dir, &entries, |s, out| out.extend_from_slice(s.as_bytes())).unwrap();
        assert_eq!(load(&dir).id(), id, "the id returned is the one read back");
        store_links(&dir, id, |w| w.write_all(b"linked index")).unwrap();
        // the reader is given exactly the body; what it refuses is refused
        assert_eq!(load_links(&dir, id, body), Some(b"linked index".to_vec()));
        assert_eq!(load_links(&dir, id, |_, _| None::<()>), None);
        assert!(load_links(&dir, id ^ 1, body).is_none(), "beside another cache");
        let good = std::fs::read(links_path(&dir)).unwrap();
        for bad in [good[..good.len() - 1].to_vec(), flip(&good, good.len() / 2), flip(&good, 9), vec![]] {
            std::fs::write(links_path(&dir), &bad).unwrap();
            assert!(load_links(&dir, id, body).is_none());
        }
        std::fs::write(links_path(&dir), &good).unwrap();
        assert_eq!(load_links(&dir, id, body), Some(b"linked index".to_vec()), "intact again");
        // a temporary file left by a process that ended is removed by the next write; one of a
        // running process is not
        let dead = dir.join(DIR).join(format!("{LINKS_FILE}.{}.tmp", i32::MAX));
        let alive = dir.join(DIR).join(format!("{LINKS_FILE}.1.tmp"));
        std::fs::write(&dead, b"half").unwrap();
        std::fs::write(&alive, b"half").unwrap();
        store_links(&dir, id, |w| w.write_all(b"linked index")).unwrap();
        assert!(!dead.exists() && alive.exists(), "left by an ended process: removed");
        std::fs::remove_file(&alive).unwrap();
        // a failed write leaves the old file and no temporary file behind
        let failed = store_links(&dir, id, |_| Err(std::io::Error::other("full")));
        assert!(failed.is_err());
        let names: Vec<_> = std::fs::read_dir(dir.join(DIR)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3, "cache, links and .gitignore: {names:?}");
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
