//! The two index cache files and their one framing.
//!
//! ```text
//! file      magic "DOSSIER\0" | format version (u32) | which file (u8) | build (string) | body | checksum (u64)
//! index.bin body: the number of entries, then per corpus file: its name, its stamp (size,
//!           modification time, content hash), its recognised mentions (length-prefixed, see
//!           `store::mentions`)
//! links.bin body: the id of the index.bin it was linked from, then the linked index (see
//!           `store::index`)
//! ```
//!
//! The checksum is [`crate::hash::stable`] of everything between the magic and the checksum; it
//! is also the file's id, by which `links.bin` names its `index.bin`. A file is read only by the
//! build that wrote it (the caller names its build: the shell uses the executable's size and
//! time), so the records inside change with the code and only the framing has a version.
//! Strings are a `u32` length and UTF-8 bytes; every number is little-endian.

use std::io::{self, Write};
use std::ops::Range;

use super::codec::{Fixed, Put, Reader, Refused};
use std::hash::Hasher;

use crate::hash::StableHasher;

/// The first bytes of both files.
pub const MAGIC: [u8; 8] = *b"DOSSIER\0";

/// The version of the framing (not of the records: see the module docs).
pub const VERSION: u32 = 4;

/// Which cache file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `index.bin`: each corpus file's stamp and recognised mentions.
    Index = 1,
    /// `links.bin`: the linked index.
    Links = 2,
}

/// How a corpus file looked when its entry was computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u64,
    /// [`crate::hash::stable`] of the file's bytes.
    pub hash: u64,
}

/// A writer that hashes what goes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hash: StableHasher,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Write a cache file to `w`: the header, what `body` writes, the checksum. Returns the checksum
/// (the file's id).
pub fn write(
    w: &mut dyn Write,
    kind: FileKind,
    build: &str,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<u64> {
    w.write_all(&MAGIC)?;
    let mut h = Hashing { inner: w, hash: StableHasher::default() };
    let mut head = Vec::new();
    head.u32(VERSION);
    head.u8(kind as u8);
    head.str(build);
    h.write_all(&head)?;
    body(&mut h)?;
    let sum = h.hash.finish();
    w.write_all(&sum.to_le_bytes())?;
    Ok(sum)
}

/// The body of a cache file of `kind` written by `build`: refused when the magic, the version,
/// the kind or the build differ. The checksum is not verified here (see [`verify`]), so that a
/// caller can verify it while it reads the body.
pub fn open(bytes: &[u8], kind: FileKind, build: &str) -> Result<Range<usize>, Refused> {
    let Some(rest) = bytes.strip_prefix(&MAGIC) else { return Err(Refused::Format("no Dossier magic".into())) };
    let mut r = Reader::check(rest, "cache file header");
    let version = r.u32()?;
    if version != VERSION {
        return Err(Refused::Format(format!("format {version}, this build reads {VERSION}")));
    }
    if r.u8()? != kind as u8 {
        return Err(Refused::Format("another cache file".into()));
    }
    if r.str()? != build {
        return Err(Refused::OtherBuild);
    }
    let start = bytes.len() - r.rest().len();
    let end = bytes.len().checked_sub(8).filter(|&end| end >= start).ok_or(Refused::Checksum)?;
    Ok(start..end)
}

/// Verify a cache file's checksum (see [`open`]); it is the file's id.
pub fn verify(bytes: &[u8]) -> Result<u64, Refused> {
    let end = bytes.len().checked_sub(8).filter(|&end| end >= MAGIC.len()).ok_or(Refused::Checksum)?;
    let stored = u64::get(&bytes[end..]);
    if crate::hash::stable(&bytes[MAGIC.len()..end]) == stored {
        Ok(stored)
    } else {
        Err(Refused::Checksum)
    }
}

/// The start of `index.bin`'s body: the number of entries that follow.
pub fn write_index_head(w: &mut dyn Write, entries: usize) -> io::Result<()> {
    w.write_all(&(entries as u32).to_le_bytes())
}

/// One entry of `index.bin`: a corpus file's name, stamp and mentions record.
pub fn write_entry(w: &mut dyn Write, name: &str, stamp: &Stamp, record: &[u8]) -> io::Result<()> {
    let mut head = Vec::with_capacity(name.len() + 32);
    head.str(name);
    head.u64(stamp.size);
    head.u64(stamp.mtime_ns);
    head.u64(stamp.hash);
    head.count(record.len());
    w.write_all(&head)?;
    w.write_all(record)
}

/// An entry of `index.bin` as read: a corpus file's name and stamp, and where its mentions
/// record is in the file's bytes (unread).
pub type Entry<'a> = (&'a str, Stamp, Range<usize>);

/// The entries of `index.bin` whose body is `body` of `bytes`.
pub fn read_entries(bytes: &[u8], body: Range<usize>) -> Result<Vec<Entry<'_>>, Refused> {
    let mut r = Reader::check(&bytes[body.clone()], "index cache entry");
    let n = r.count(4 + 24 + 4)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        let stamp = Stamp { size: r.u64()?, mtime_ns: r.u64()?, hash: r.u64()? };
        let len = r.count(1)?;
        let start = body.end - r.rest().len();
        r.take(len)?;
        out.push((name, stamp, start..start + len));
    }
    r.done()?;
    Ok(out)
}

/// The start of `links.bin`'s body: the id of the `index.bin` it goes with.
pub fn write_links_head(w: &mut dyn Write, index_id: u64) -> io::Result<()> {
    w.write_all(&index_id.to_le_bytes())
}

/// Where the linked index is in `links.bin` whose body is `body` of `bytes`: refused unless it
/// was written beside the `index.bin` whose id is `index_id`.
pub fn links_body(bytes: &[u8], body: Range<usize>, index_id: u64) -> Result<Range<usize>, Refused> {
    let mut r = Reader::check(&bytes[body.clone()], "linked index header");
    if r.u64()? != index_id {
        return Err(Refused::OtherIndex);
    }
    Ok(body.start + 8..body.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_file(build: &str) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let id = write(&mut out, FileKind::Index, build, |w| {
            write_index_head(w, 2)?;
            write_entry(w, "/c/a.txt", &Stamp { size: 1, mtime_ns: 2, hash: 3 }, b"Nazarbayev")?;
            write_entry(w, "/c/b.txt", &Stamp::default(), b"")
        })
        .unwrap();
        (out, id)
    }

    #[test]
    fn files_read_back_only_whole_and_from_their_build() {
        let (file, id) = index_file("b1");
        let body = open(&file, FileKind::Index, "b1").unwrap();
        assert_eq!(verify(&file), Ok(id));
        let entries = read_entries(&file, body).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].0, entries[0].1.hash), ("/c/a.txt", 3));
        assert_eq!(&file[entries[0].2.clone()], b"Nazarbayev");
        assert!(entries[1].2.is_empty());
        assert_eq!(open(&file, FileKind::Index, "b2"), Err(Refused::OtherBuild));
        assert!(matches!(open(&file, FileKind::Links, "b1"), Err(Refused::Format(_))));
        let mut other = file.clone();
        other[8] ^= 1;
        assert!(matches!(open(&other, FileKind::Index, "b1"), Err(Refused::Format(_))), "another version");
        // damage anywhere after the magic fails the checksum; cuts fail something
        for at in 8..file.len() {
            let mut bad = file.clone();
            bad[at] ^= 0x40;
            assert_eq!(verify(&bad), Err(Refused::Checksum), "byte {at}");
        }
        for cut in 0..file.len() {
            let cut = &file[..cut];
            let read = open(cut, FileKind::Index, "b1").and_then(|b| verify(cut).and(read_entries(cut, b)));
            assert!(read.is_err(), "cut at {}", cut.len());
        }
        // a links file names its index file
        let mut links = Vec::new();
        write(&mut links, FileKind::Links, "b1", |w| {
            write_links_head(w, id)?;
            w.write_all(b"linked")
        })
        .unwrap();
        let body = open(&links, FileKind::Links, "b1").unwrap();
        assert!(verify(&links).is_ok());
        assert_eq!(&links[links_body(&links, body.clone(), id).unwrap()], b"linked");
        assert_eq!(links_body(&links, body, id ^ 1), Err(Refused::OtherIndex));
    }
}
