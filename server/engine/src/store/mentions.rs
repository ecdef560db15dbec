//! A document's recognised mentions ([`DocMentions`]) as the index cache stores them, one record
//! per corpus file in `index.bin`.
//!
//! Little-endian, in this order:
//! - the number of mentions and the number of loose words;
//! - the mentions, one fixed-size record each: the fields of [`Recorded`] listed below;
//! - the keys that differ from their mention's surface key (a column);
//! - the names and roles of the mentions that have any, in mention order;
//! - the loose words, 16 bytes each, last: a surname that changes meaning makes linking scan
//!   every document's loose words, which a record kept unread answers in place.
//!
//! **Adding a field to a mention**: add it to [`Recorded`] (where the recogniser fills it) and to
//! the list in the [`fixed_record!`] below. Nothing else changes: a field named in one and not
//! the other does not compile, and a cache is only ever read by the build that wrote it (see
//! [`super::frame`]), so no version number changes either.

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use super::codec::{fixed_record, Fixed, Put, Reader, Refused};
use super::lazy::{Lazy, SharedBytes};
use crate::entities::keys::Key;
use crate::entities::{DocMentions, Evidence, Kind, Loose, Mentions, Recorded};

fixed_record!(Recorded {
    start: u32,
    end: u32,
    surface: Key,
    kind: Kind,
    evidence: Evidence,
    flags: u8,
} rebuilt {
    // set from the flags of the mentions before (see `DocMentions::index`)
    more: 0,
    extra: u32::MAX,
});

/// Append the stored form of `m` to `out`.
pub fn write(m: &DocMentions, out: &mut Vec<u8>) {
    out.reserve(8 + m.mentions.len() * Recorded::SIZE + m.more.len() * 8 + m.loose.len() * Loose::SIZE + 12);
    out.count(m.mentions.len());
    out.count(m.loose.len());
    out.records(&m.mentions);
    out.column(&m.more);
    out.count(m.extras.len());
    for (name, roles) in &m.extras {
        out.option(name.as_deref(), Put::str);
        out.strs(roles);
    }
    out.records(&m.loose);
}

/// The one reader of the stored form: checks it, or builds it (see [`Reader`]).
fn read(r: &mut Reader) -> Result<DocMentions, Refused> {
    let n = r.count(Recorded::SIZE)?;
    let n_loose = r.count(Loose::SIZE)?;
    let mentions = r.records(n)?;
    let more = r.column()?;
    let extras = r.list(5, |r| Ok((r.option(Reader::string)?, r.strings()?)))?;
    let loose = r.records(n_loose)?;
    r.done()?;
    let mut m = DocMentions { mentions, more, extras, loose };
    m.index();
    Ok(m)
}

const WHAT: &str = "stored mentions";

/// Read stored mentions back.
pub fn decode(bytes: &[u8]) -> Result<DocMentions, Refused> {
    read(&mut Reader::build(bytes, WHAT))
}

/// The number of mentions and of loose words of a checked record.
fn counts_of(bytes: &[u8]) -> (usize, usize) {
    (u32::get(&bytes[..4]) as usize, u32::get(&bytes[4..8]) as usize)
}

/// The loose words' keys of a checked record, read in place.
fn loose_keys(bytes: &[u8]) -> impl Iterator<Item = Key> + '_ {
    let n = counts_of(bytes).1;
    bytes[bytes.len() - n * Loose::SIZE..].chunks_exact(Loose::SIZE).map(|c| u64::get(&c[8..]))
}

fn reader() -> super::lazy::ReadFn<DocMentions> {
    Box::new(|bytes| decode(bytes).unwrap_or_default())
}

/// Mentions stored at `range` of `all`, kept there unread (checked now, so they always read):
/// `all` is kept until they are read or copied out (see [`Lazy::copy_out`]).
pub fn keep(all: &SharedBytes, range: Range<usize>) -> Result<Arc<Lazy<DocMentions>>, Refused> {
    let bytes = all.bytes().get(range.clone()).ok_or(Refused::Bad { what: WHAT, why: "outside the file" })?;
    read(&mut Reader::check(bytes, WHAT))?;
    Ok(Arc::new(Lazy::shared(all, range, reader())))
}

/// [`keep`] for a copy of `bytes`.
pub fn keep_copy(bytes: &[u8]) -> Result<Arc<Lazy<DocMentions>>, Refused> {
    read(&mut Reader::check(bytes, WHAT))?;
    Ok(Arc::new(Lazy::own(bytes, reader())))
}

/// Mentions as kept by [`keep`], if these are.
pub fn kept(m: &dyn Mentions) -> Option<&Lazy<DocMentions>> {
    m.as_any().downcast_ref::<Lazy<DocMentions>>()
}

/// Append the stored form of a document's mentions to `out`: the stored bytes as they are when
/// they were kept and never read.
pub fn write_any(m: &dyn Mentions, out: &mut Vec<u8>) {
    let copied = kept(m).and_then(|k| k.with_stored(|bytes| out.extend_from_slice(bytes)));
    if copied.is_none() {
        write(m.read(), out);
    }
}

/// The number of mentions and of loose words, without reading kept mentions.
pub fn counts(m: &dyn Mentions) -> (usize, usize) {
    if let Some(counts) = kept(m).and_then(|k| k.with_stored(counts_of)) {
        return counts;
    }
    let m = m.read();
    (m.mentions.len(), m.loose.len())
}

impl Mentions for Lazy<DocMentions> {
    fn read(&self) -> &DocMentions {
        self.get()
    }

    fn any_loose_key(&self, hit: &dyn Fn(Key) -> bool) -> bool {
        let decoded = |m: &DocMentions| m.loose.iter().any(|&(_, _, k)| hit(k));
        if let Some(m) = self.if_read() {
            return decoded(m);
        }
        // read meanwhile: `None`
        self.with_stored(|bytes| loose_keys(bytes).any(hit)).unwrap_or_else(|| decoded(self.get()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{record, DocEntities, Mention, MentionDetail};

    fn stored(d: &DocMentions) -> Result<DocMentions, Refused> {
        let mut bytes = Vec::new();
        write(d, &mut bytes);
        decode(&bytes)
    }

    #[test]
    fn mention_records_survive_their_stored_form() {
        for seed in 0..40 {
            let d = record(&dossier_testgen::article(seed, 6_000));
            assert!(!d.is_empty());
            assert_eq!(stored(&d), Ok(d), "article {seed}");
        }
        // every kind, evidence and key combination
        let evidence = [Evidence::Gazetteer, Evidence::Acronym, Evidence::Document, Evidence::Shape];
        let e = DocEntities {
            mentions: (0..4)
                .map(|i| Mention { range: i * 10..i * 10 + 5, kind: Kind::ALL[i], surface: "x".into() })
                .collect(),
            details: evidence
                .iter()
                .enumerate()
                .map(|(i, &evidence)| MentionDetail {
                    name: (i % 2 == 0).then(|| "n".into()),
                    roles: vec!["r".into(); i % 3],
                    evidence,
                })
                .collect(),
            keys: vec![
                crate::entities::MentionKeys { surface: 1, label: 2, person: Some(3), surname: 4 },
                crate::entities::MentionKeys { surface: 5, label: 5, person: None, surname: 5 },
                crate::entities::MentionKeys { surface: 6, label: 6, person: Some(7), surname: 6 },
                crate::entities::MentionKeys { surface: 8, label: 9, person: None, surname: 8 },
            ],
            loose: vec![(40, 44, 11)],
        };
        let d = DocMentions::from(e);
        assert_eq!(stored(&d), Ok(d.clone()));
        assert_eq!(stored(&DocMentions::default()), Ok(DocMentions::default()));
    }

    #[test]
    fn damaged_stored_mentions_are_refused_or_read_in_range() {
        let d = record(&dossier_testgen::article(1, 4_000));
        let mut bytes = Vec::new();
        write(&d, &mut bytes);
        // every truncation and every extension is refused, kept or decoded
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
            assert!(keep_copy(&bytes[..cut]).is_err(), "kept when cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err() && keep_copy(&longer).is_err());
        // any single damaged byte reads to something or nothing, never a panic or an index out
        // of range; kept exactly when it decodes
        for at in 0..bytes.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[at] ^= x;
                let decoded = decode(&b);
                assert_eq!(keep_copy(&b).is_ok(), decoded.is_ok(), "byte {at} ^ {x}");
                if let Ok(back) = decoded {
                    for (i, m) in back.mentions.iter().enumerate() {
                        assert!(m.extra == u32::MAX || (m.extra as usize) < back.extras.len());
                        back.keys(i);
                        back.extra(i);
                    }
                    let mut again = Vec::new();
                    write(&back, &mut again);
                    assert_eq!(decode(&again).as_ref(), Ok(&back), "what was read stores again");
                }
            }
        }
    }

    #[test]
    fn kept_mentions_read_like_decoded_ones() {
        let article = record(&dossier_testgen::article(3, 5_000));
        assert!(!article.loose.is_empty() && !article.extras.is_empty(), "every part of a record is exercised");
        let text = "Токаев и Назарбаев. President Tokayev met Nazarbayev's aide, Dr. Ivanov (UN).";
        let docs = [article, record(text), DocMentions::default()];
        // the same records kept as copies, and as ranges of one shared file (after a header)
        let mut file = b"header".to_vec();
        let mut ranges = Vec::new();
        for d in &docs {
            let at = file.len();
            write(d, &mut file);
            ranges.push(at..file.len());
        }
        let shared: SharedBytes = Arc::new(file);
        for (i, d) in docs.iter().enumerate() {
            let bytes = shared.bytes()[ranges[i].clone()].to_vec();
            let copy = keep_copy(&bytes).expect("a stored record");
            let in_file = keep(&shared, ranges[i].clone()).expect("a stored record in the file");
            let copied = keep(&shared, ranges[i].clone()).expect("a stored record in the file");
            copied.copy_out();
            for kept in [copy, in_file, copied] {
                check_kept(&kept, d, &bytes);
            }
        }
        // every record kept in the file has let go of it: copied out or read
        assert_eq!(Arc::strong_count(&shared), 1);
        let in_file: Vec<_> = ranges.iter().map(|r| keep(&shared, r.clone()).expect("a record")).collect();
        assert_eq!(Arc::strong_count(&shared), 1 + ranges.len());
        in_file.iter().for_each(|m| m.copy_out());
        assert_eq!(Arc::strong_count(&shared), 1, "copied out");
        assert_eq!(in_file.iter().map(|m| m.get().clone()).collect::<Vec<_>>(), docs);
        // a range that is not a record, or not in the file
        let len = shared.bytes().len();
        assert!(keep(&shared, 0..ranges[0].end).is_err(), "the header is not part of a record");
        assert!(keep(&shared, ranges[2].start..len + 1).is_err());
        assert!(keep(&shared, len + 1..len + 2).is_err());
    }

    fn check_kept(kept: &Arc<Lazy<DocMentions>>, d: &DocMentions, bytes: &[u8]) {
        let m: &dyn Mentions = &**kept;
        assert_eq!(counts(m), (d.mentions.len(), d.loose.len()));
        // loose words are read from the stored form, before and after reading
        let keys: Vec<Key> = d.loose.iter().map(|l| l.2).collect();
        for k in keys.iter().copied().chain([0, 1]) {
            assert_eq!(m.any_loose_key(&|x| x == k), keys.contains(&k), "key {k}");
        }
        // written back as they were stored, without reading them
        let mut again = Vec::new();
        write_any(m, &mut again);
        assert_eq!(again, bytes);
        assert!(kept.if_read().is_none(), "not read by counting or writing");
        assert_eq!(m.read(), d);
        assert!(kept.with_stored(|_| ()).is_none(), "the stored form is dropped once read");
        for k in keys.iter().copied().chain([0, 1]) {
            assert_eq!(m.any_loose_key(&|x| x == k), keys.contains(&k), "key {k}, read");
        }
        assert_eq!(counts(m), (d.mentions.len(), d.loose.len()));
        let mut read = Vec::new();
        write_any(m, &mut read);
        assert_eq!(decode(&read).as_ref(), Ok(d));
    }
}
