//! The index cache on disk: `.dossier/index.bin` and `.dossier/links.bin` at the first corpus
//! root, so that a restart on an unchanged corpus skips recognition and linking. What their
//! bytes mean is `dossier_engine::store`'s; this module maps, checks and writes the files.
//!
//! - Written only here, only inside `.dossier/`, atomically (a temporary file renamed over the
//!   old one), with a `.gitignore` so the folder never lands in version control. The corpus scan
//!   skips hidden folders, so the cache is never read as a document.
//! - A file is used only when its framing, version, the build of the executable that wrote it
//!   and its checksum all match (`store::files`), and a corpus file's entry only when its size,
//!   modification time and content hash match. Anything else is logged with the reason and
//!   rebuilt after the next load.
//! - Both files are mapped to be read: a restart keeps most of what they hold unread, as ranges
//!   of the maps (`store::Lazy`), until after the index is announced.

use std::io::{BufWriter, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dossier_engine::entities::NameMap;
use dossier_engine::store::files::{self, FileKind, Stamp};
use dossier_engine::store::{Refused, SharedBytes, StoredBytes};

/// The cache folder at a corpus root.
pub const DIR: &str = ".dossier";
const FILE: &str = "index.bin";
const LINKS_FILE: &str = "links.bin";

/// A temporary file in the cache folder not written to for this long belongs to a process that
/// ended while writing (writing the linked index of a large corpus can take a while, and the
/// editor may stop the server meanwhile); the next write removes it.
const ABANDONED: Duration = Duration::from_secs(600);

/// The stamp of file bytes with the given metadata.
pub fn stamp(meta: &std::fs::Metadata, bytes: &[u8]) -> Stamp {
    let mtime_ns =
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos() as u64).unwrap_or(0);
    Stamp { size: meta.len(), mtime_ns, hash: dossier_engine::hash::stable(bytes) }
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

/// The path of the cache file under `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// The path of the linked index stored beside the cache under `root`.
pub fn links_path(root: &Path) -> PathBuf {
    root.join(DIR).join(LINKS_FILE)
}

/// A cache file's bytes: mapped (no copy; the page cache's pages are read in place), or read
/// where mapping fails.
#[derive(Debug)]
enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl StoredBytes for Bytes {
    fn bytes(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }

    fn release(&self, range: Range<usize>) {
        release_pages(self, range);
    }
}

/// The bytes of a cache file.
///
/// Mapped read-only: the cache files are only ever replaced by renaming a new file over them,
/// never rewritten in place, so the mapped file does not change while it is read (another
/// program truncating it meanwhile could still end the process; a mapping lives while the
/// corpus loads, and until what was kept of it is copied or read out, right after the index is
/// announced).
fn file_bytes(path: &Path) -> Result<Arc<Bytes>, Refused> {
    let file = std::fs::File::open(path).map_err(|e| Refused::Format(format!("cannot open it: {e}")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > 0 {
        // SAFETY: see above; the map is dropped shortly after the load.
        if let Ok(m) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(Arc::new(Bytes::Mapped(m)));
        }
    }
    let mut bytes = Vec::with_capacity(len as usize);
    (&file).read_to_end(&mut bytes).map_err(|e| Refused::Format(format!("cannot read it: {e}")))?;
    Ok(Arc::new(Bytes::Read(bytes)))
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

/// A cache as read: the file's bytes, and where each document's mentions record is in them.
#[derive(Default)]
pub struct Cache {
    bytes: Option<SharedBytes>,
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

    /// Where the mentions record of a document is, if it was stored with this stamp.
    pub fn get(&self, key: &str, stamp: &Stamp) -> Option<Range<usize>> {
        self.entries.get(key).filter(|(s, _)| s == stamp).map(|(_, r)| r.clone())
    }

    /// What identifies this cache's contents (0 for none).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The whole file, which records can be kept as ranges of.
    pub fn shared(&self) -> Option<&SharedBytes> {
        self.bytes.as_ref()
    }
}

/// The cache under `root`: refused with the reason when there is none or it is not usable.
pub fn load(root: &Path) -> Result<Cache, Refused> {
    let bytes = file_bytes(&path(root))?;
    let all = bytes.bytes();
    let body = files::open(all, FileKind::Index, &build_id())?;
    let id = files::verify(all)?;
    let entries =
        files::read_entries(all, body)?.into_iter().map(|(name, stamp, at)| (name.to_string(), (stamp, at))).collect();
    Ok(Cache { bytes: Some(bytes), entries, id })
}

/// Write the cache under `root` (atomically). Entries are `(key, stamp, value)`; `encode` appends
/// a value's mentions record to a buffer. Returns the new cache's [`Cache::id`].
pub fn store<K: AsRef<str>, T>(
    root: &Path,
    entries: &[(K, Stamp, T)],
    encode: impl Fn(&T, &mut Vec<u8>),
) -> std::io::Result<u64> {
    write_atomically(root, FILE, FileKind::Index, |w| {
        files::write_index_head(w, entries.len())?;
        let mut buf = Vec::new();
        for (key, stamp, value) in entries {
            buf.clear();
            encode(value, &mut buf);
            files::write_entry(w, key.as_ref(), stamp, &buf)?;
        }
        Ok(())
    })
}

/// Write `links.bin` beside the cache whose id is `index_id`: what `write` writes (the linked
/// index), read back by [`load_links`] only together with that cache.
pub fn store_links(
    root: &Path,
    index_id: u64,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_atomically(root, LINKS_FILE, FileKind::Links, |w| {
        files::write_links_head(w, index_id)?;
        write(w)
    })
    .map(|_| ())
}

/// Read the linked index stored beside the cache whose id is `index_id`: `read` reads it, given
/// the file's bytes and where the index is in them. Its result is returned only if the file is
/// intact: the checksum, computed while `read` works, is compared once both are done.
pub fn load_links<T: Send>(
    root: &Path,
    index_id: u64,
    read: impl FnOnce(&SharedBytes, Range<usize>) -> Result<T, Refused> + Send,
) -> Result<T, Refused> {
    let bytes: SharedBytes = file_bytes(&links_path(root))?;
    let all = bytes.bytes();
    let body = files::open(all, FileKind::Links, &build_id())?;
    let index = files::links_body(all, body, index_id)?;
    let (sum, value) = rayon::join(|| files::verify(all), || read(&bytes, index));
    sum.and(value)
}

/// The file `name` in the cache folder, written by `body` in the framing of `kind` to a
/// temporary file renamed over the old one. Returns the file's checksum.
fn write_atomically(
    root: &Path,
    name: &str,
    kind: FileKind,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Dossier's index cache: safe to delete, rebuilt on the next start.\n*\n")?;
    }
    sweep(&dir, name, SystemTime::now());
    // removed if anything below fails (or the thread panics): only a killed process leaves it
    let tmp = tempfile::Builder::new().prefix(&format!("{name}.")).suffix(".tmp").tempfile_in(&dir)?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    let sum = files::write(&mut w, kind, &build_id(), body)?;
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(sum)
}

/// Remove the temporary files of `name` in `dir` that were abandoned (see [`ABANDONED`]).
fn sweep(dir: &Path, name: &str, now: SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let ours = file.to_str().is_some_and(|f| f.starts_with(name) && f.len() > name.len() && f.ends_with(".tmp"));
        let modified = e.metadata().and_then(|m| m.modified()).unwrap_or(now);
        if ours && now.duration_since(modified).unwrap_or_default() > ABANDONED {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: u64) -> Stamp {
        Stamp { size: n, mtime_ns: n * 10, hash: n * 100 }
    }

    fn payload(c: &Cache, at: Range<usize>) -> Vec<u8> {
        c.shared().unwrap().bytes()[at].to_vec()
    }

    #[test]
    fn round_trip_and_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        assert!(matches!(load(dir), Err(Refused::Format(_))), "no cache yet");
        let entries = vec![("/c/a.txt".to_string(), stamp(1), "Nazarbayev"), ("/c/b.txt".into(), stamp(2), "")];
        store(dir, &entries, |s, out| out.extend_from_slice(s.as_bytes())).unwrap();
        let got = load(dir).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got.get("/c/a.txt", &stamp(3)), None, "another stamp");
        assert_eq!(got.get("/c/b.txt", &stamp(2)).map(|r| payload(&got, r)), Some(vec![]));
        assert_eq!(got.get("/c/a.txt", &stamp(1)).map(|r| payload(&got, r)), Some(b"Nazarbayev".to_vec()));
        assert!(std::fs::read_to_string(dir.join(DIR).join(".gitignore")).unwrap().contains('*'));
        // every kind of damage: truncation, a flipped byte, garbage, trailing bytes, a count
        // claiming far more entries than the file holds
        let good = std::fs::read(path(dir)).unwrap();
        let mut longer = good.clone();
        longer.extend_from_slice(b"trailing");
        let body = files::open(&good, FileKind::Index, &build_id()).unwrap();
        for (bad, why) in [
            (good[..good.len() / 2].to_vec(), Refused::Checksum),
            (flip(&good, good.len() / 2), Refused::Checksum),
            (flip(&good, body.start), Refused::Checksum),
            (longer, Refused::Checksum),
        ] {
            std::fs::write(path(dir), &bad).unwrap();
            assert_eq!(load(dir).err(), Some(why));
        }
        for bad in [b"garbage".to_vec(), vec![]] {
            std::fs::write(path(dir), &bad).unwrap();
            assert!(matches!(load(dir), Err(Refused::Format(_))));
        }
        std::fs::write(path(dir), &good).unwrap();
        assert_eq!(load(dir).unwrap().len(), 2);
        let leftovers: Vec<_> = std::fs::read_dir(dir.join(DIR)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "only the cache and its .gitignore: {leftovers:?}");
    }

    #[test]
    fn links_are_read_only_with_their_cache() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let body = |all: &SharedBytes, body: Range<usize>| Ok(all.bytes()[body].to_vec());
        assert!(load_links(dir, 7, body).is_err(), "nothing stored yet");
        let entries = vec![("/c/a.txt".to_string(), stamp(1), "Nazarbayev")];
        let id = store(dir, &entries, |s, out| out.extend_from_slice(s.as_bytes())).unwrap();
        assert_eq!(load(dir).unwrap().id(), id, "the id returned is the one read back");
        store_links(dir, id, |w| w.write_all(b"linked index")).unwrap();
        // the reader is given exactly the index; what it refuses is refused
        assert_eq!(load_links(dir, id, body), Ok(b"linked index".to_vec()));
        let no = Refused::Bad { what: "test", why: "no" };
        assert_eq!(load_links(dir, id, |_, _| Err::<(), _>(no.clone())), Err(no));
        assert_eq!(load_links(dir, id ^ 1, body), Err(Refused::OtherIndex), "beside another cache");
        let good = std::fs::read(links_path(dir)).unwrap();
        for bad in [good[..good.len() - 1].to_vec(), flip(&good, good.len() / 2), flip(&good, 9), vec![]] {
            std::fs::write(links_path(dir), &bad).unwrap();
            assert!(load_links(dir, id, body).is_err());
        }
        std::fs::write(links_path(dir), &good).unwrap();
        assert_eq!(load_links(dir, id, body), Ok(b"linked index".to_vec()), "intact again");
        // an abandoned temporary file is removed by the next write; a recent one is not
        let abandoned = dir.join(DIR).join(format!("{LINKS_FILE}.abandoned.tmp"));
        let recent = dir.join(DIR).join(format!("{LINKS_FILE}.recent.tmp"));
        std::fs::write(&abandoned, b"half").unwrap();
        std::fs::write(&recent, b"half").unwrap();
        let long_ago = SystemTime::now() - 2 * ABANDONED;
        std::fs::File::options().write(true).open(&abandoned).unwrap().set_modified(long_ago).unwrap();
        store_links(dir, id, |w| w.write_all(b"linked index")).unwrap();
        assert!(!abandoned.exists() && recent.exists(), "abandoned: removed");
        std::fs::remove_file(&recent).unwrap();
        // a failed write leaves the old file and no temporary file behind
        let failed = store_links(dir, id, |_| Err(std::io::Error::other("full")));
        assert!(failed.is_err());
        let names: Vec<_> = std::fs::read_dir(dir.join(DIR)).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3, "cache, links and .gitignore: {names:?}");
        assert_eq!(load_links(dir, id, body), Ok(b"linked index".to_vec()));
    }

    fn flip(v: &[u8], at: usize) -> Vec<u8> {
        let mut v = v.to_vec();
        v[at] ^= 0x40;
        v
    }
}
