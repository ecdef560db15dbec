//! The linked index as stored in the index cache, so that a restart on an unchanged corpus reads
//! it back instead of linking every mention again.
//!
//! Little-endian, one length-prefixed record per document and per entity (so both are read back
//! in parallel), then the corpus-wide tables. Documents are numbered densely in the stored form
//! and matched to the reading corpus by name: the ids of a new process need not be the old ones.
//! Everything read is checked against the documents it is restored onto (entity ids, document
//! numbers, mention sources, byte ranges within the texts); anything inconsistent makes the
//! whole index unusable, and the caller links from scratch.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use rayon::prelude::*;

use super::{ClusterKey, DocLinks, EntityData, EntityIndex, Found, Ref, LOOSE};
use crate::entities::keys::{Key, KeyMap, NameMap};
use crate::entities::{evidence_byte, kind_byte, u32_at, u64_at, Put, Reader};
use crate::entities::{Definition, DocInput, Entity, EntityId, Kind, Location, EVIDENCE};
use crate::entities::{Registry, SharedBytes};
use crate::DocId;
use std::sync::OnceLock;

/// Bytes of one stored mention reference.
const REF: usize = 30;

/// What identifies the registry an index was linked with (0 for none).
fn fingerprint(registry: Option<&Registry>) -> u64 {
    registry.map_or(0, |r| crate::blocks::hash_bytes(format!("{r:?}").as_bytes()) | 1)
}

fn cluster_key(out: &mut Vec<u8>, k: &ClusterKey) {
    let (tag, v) = match *k {
        ClusterKey::Registry(i) => (0, u64::from(i)),
        ClusterKey::Person(k) => (1, k),
        ClusterKey::Name(k) => (2, k),
        ClusterKey::Surname(k) => (3, k),
    };
    out.u8(tag);
    out.u64(v);
}

fn read_cluster_key(r: &mut Reader) -> Option<ClusterKey> {
    let (tag, v) = (r.u8()?, r.u64()?);
    Some(match tag {
        0 => ClusterKey::Registry(u32::try_from(v).ok()?),
        1 => ClusterKey::Person(v),
        2 => ClusterKey::Name(v),
        3 => ClusterKey::Surname(v),
        _ => return None,
    })
}

/// What a stored reference is checked against: per stored document, the number of its
/// recognised mentions and loose words and the length of its text.
#[derive(Clone, Copy)]
struct Bounds {
    id: DocId,
    mentions: u32,
    loose: u32,
    text: u32,
}

impl Bounds {
    fn span(&self, start: u64, end: u64) -> Option<std::ops::Range<usize>> {
        (start <= end && end <= u64::from(self.text)).then_some(start as usize..end as usize)
    }
    fn source(&self, src: u32) -> bool {
        if src >= LOOSE {
            src - LOOSE < self.loose
        } else {
            src < self.mentions
        }
    }
}

/// `n` length-prefixed records, one after the other.
fn records<'a>(r: &mut Reader<'a>, n: usize) -> Option<Vec<&'a [u8]>> {
    let mut out = Vec::with_capacity(n.min(r.0.len() / 4));
    for _ in 0..n {
        let len = r.u32()? as usize;
        out.push(r.take(len)?);
    }
    Some(out)
}

/// Parse records on the thread pool.
fn parse_all<T: Send>(recs: &[&[u8]], parse: impl Fn(&[u8]) -> Option<T> + Sync) -> Option<Vec<T>> {
    recs.par_iter().map(|rec| parse(rec)).collect()
}

/// One stored mention reference, checked against the documents it can point to.
fn read_ref(b: &[u8], docs: &[Bounds]) -> Option<Ref> {
    let at = |i: usize| u32_at(&b[i * 4..]);
    let d = docs.get(at(0) as usize)?;
    let (start, end, src) = (at(1), at(2), at(3));
    if !d.source(src) || d.span(start.into(), end.into()).is_none() {
        return None;
    }
    Some(Ref {
        doc: d.id,
        start,
        end,
        src,
        surface: at(4),
        name: at(5),
        roles: at(6),
        kind: *Kind::ALL.get(b[28] as usize)?,
        evidence: *EVIDENCE.get(b[29] as usize)?,
    })
}

/// A document's part of a stored linked index after its name, read when first needed (see
/// [`super::DocLinks::found`]); it was checked when the index was read.
#[derive(Clone)]
pub(super) struct StoredDoc {
    all: SharedBytes,
    range: std::ops::Range<usize>,
    n_entities: u32,
    /// The length of the document's text.
    text: u64,
}

/// A stored part of a linked index, read back into its value.
pub(super) trait ReadBack<T> {
    fn read(&self) -> Option<T>;
}

impl ReadBack<Found> for StoredDoc {
    fn read(&self) -> Option<Found> {
        let found = read_found(&mut Reader(self.all.bytes().get(self.range.clone())?), self.n_entities, self.text);
        self.all.release(self.range.clone());
        found
    }
}

impl std::fmt::Debug for StoredDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} stored bytes", self.range.len())
    }
}

/// What linking found in a document, as stored: the entities mentioned, the linked mentions
/// by position (within a text of `text` bytes), and the surname keys.
fn read_found(r: &mut Reader, n_entities: u32, text: u64) -> Option<Found> {
    let entity = |r: &mut Reader| -> Option<EntityId> { r.u32().filter(|&c| c < n_entities).map(EntityId) };
    let n = r.len(4)?;
    let mentioned = r.list(n, entity)?;
    let n = r.len(12)?;
    let placed = r.list(n, |r| {
        let (s, e, c) = (r.u32()?, r.u32()?, entity(r)?);
        (s <= e && u64::from(e) <= text).then_some((s, e, c))
    })?;
    let keys = |r: &mut Reader| -> Option<Vec<Key>> {
        let n = r.len(8)?;
        r.list(n, Reader::u64)
    };
    let known = keys(r)?;
    let n = r.len(12)?;
    let full_names = r.list(n, |r| Some((r.u64()?, entity(r)?)))?;
    let lone = keys(r)?;
    r.done()?;
    Some(Found { mentioned, placed, known, full_names, lone })
}

/// Would [`read_found`] read this? (Checked without building anything.)
fn check_found(r: &mut Reader, n_entities: u32, text: u64) -> Option<()> {
    let entity = |r: &mut Reader| r.u32().filter(|&c| c < n_entities).map(drop);
    for _ in 0..r.len(4)? {
        entity(r)?;
    }
    for _ in 0..r.len(12)? {
        let (s, e) = (r.u32()?, r.u32()?);
        entity(r)?;
        (s <= e && u64::from(e) <= text).then_some(())?;
    }
    let n = r.len(8)?;
    r.take(n * 8)?;
    for _ in 0..r.len(12)? {
        r.u64()?;
        entity(r)?;
    }
    let n = r.len(8)?;
    r.take(n * 8)?;
    r.done()
}

/// An entity's mentions in a stored linked index, read when first needed (see [`super::Refs`]):
/// the range of the index's bytes they are in, and the documents they point to. Every one of
/// them was checked when the index was read.
#[derive(Clone)]
pub(super) struct StoredRefs {
    all: SharedBytes,
    range: std::ops::Range<usize>,
    docs: Arc<[Bounds]>,
}

impl ReadBack<Vec<Ref>> for StoredRefs {
    fn read(&self) -> Option<Vec<Ref>> {
        let bytes = self.all.bytes().get(self.range.clone()).unwrap_or_default();
        let mut out = Vec::with_capacity(bytes.len() / REF);
        out.extend(bytes.chunks_exact(REF).filter_map(|b| read_ref(b, &self.docs)));
        self.all.release(self.range.clone());
        Some(out)
    }
}

impl EntityIndex {
    /// Write the stored form of this index.
    pub fn encode_to<W: Write + ?Sized>(&self, w: &mut W) -> std::io::Result<()> {
        let present: Vec<&DocLinks> = self.docs.iter().flatten().map(|d| &**d).collect();
        let mut dense = vec![u32::MAX; self.docs.len()];
        for (i, d) in present.iter().enumerate() {
            dense[d.id.0 as usize] = i as u32;
        }
        let dense = |id: DocId| dense.get(id.0 as usize).copied().unwrap_or(u32::MAX);
        let mut head = Vec::new();
        head.u64(fingerprint(self.registry.as_ref()));
        head.count(present.len());
        head.count(self.entities.len());
        w.write_all(&head)?;
        let mut rec = Vec::new();
        fn record<W: Write + ?Sized>(w: &mut W, rec: &mut Vec<u8>) -> std::io::Result<()> {
            w.write_all(&(rec.len() as u32).to_le_bytes())?;
            w.write_all(rec)?;
            rec.clear();
            Ok(())
        }
        for d in &present {
            rec.str(&d.name);
            let d = d.found();
            rec.count(d.mentioned.len());
            d.mentioned.iter().for_each(|c| rec.u32(c.0));
            rec.count(d.placed.len());
            for &(s, e, c) in &d.placed {
                rec.u32(s);
                rec.u32(e);
                rec.u32(c.0);
            }
            let keys = |rec: &mut Vec<u8>, v: &[Key]| {
                rec.count(v.len());
                v.iter().for_each(|&k| rec.u64(k));
            };
            keys(&mut rec, &d.known);
            rec.count(d.full_names.len());
            for &(k, c) in &d.full_names {
                rec.u64(k);
                rec.u32(c.0);
            }
            keys(&mut rec, &d.lone);
            record(w, &mut rec)?;
        }
        for (k, data) in &self.entities {
            cluster_key(&mut rec, k);
            match data {
                None => rec.u8(0),
                Some(d) => {
                    rec.u8(1);
                    let e = &d.entity;
                    rec.str(&e.name);
                    rec.u8(kind_byte(e.kind));
                    rec.strs(&e.forms);
                    rec.strs(&e.roles);
                    match &e.description {
                        Some(s) => {
                            rec.u8(1);
                            rec.str(s);
                        }
                        None => rec.u8(0),
                    }
                    rec.strs(&e.candidates);
                    let refs = d.refs.get();
                    rec.count(refs.len());
                    rec.reserve(refs.len() * REF);
                    for r in refs {
                        for v in [dense(r.doc), r.start, r.end, r.src, r.surface, r.name, r.roles] {
                            rec.u32(v);
                        }
                        rec.u8(kind_byte(r.kind));
                        rec.u8(evidence_byte(r.evidence));
                    }
                    match &d.def {
                        None => rec.u8(0),
                        Some(Definition::Registry(range)) => {
                            rec.u8(1);
                            rec.u64(range.start as u64);
                            rec.u64(range.end as u64);
                        }
                        Some(Definition::Mention(l)) => {
                            rec.u8(2);
                            rec.u32(dense(l.doc));
                            rec.u64(l.range.start as u64);
                            rec.u64(l.range.end as u64);
                        }
                    }
                    rec.count(d.snippets.len());
                    for (doc, file, snippet) in &d.snippets {
                        rec.u32(dense(*doc));
                        rec.str(file);
                        rec.str(snippet);
                    }
                }
            }
            record(w, &mut rec)?;
        }
        let mut by_key: Vec<(&ClusterKey, &EntityId)> = self.by_key.iter().collect();
        by_key.sort_unstable_by_key(|&(_, c)| *c);
        rec.count(by_key.len());
        for (k, c) in by_key {
            cluster_key(&mut rec, k);
            rec.u32(c.0);
        }
        rec.count(self.reg_alias.len());
        for (&k, c) in self.reg_alias.iter() {
            rec.u64(k);
            rec.u32(c.0);
        }
        rec.count(self.surnames.len());
        for (&k, v) in self.surnames.iter() {
            rec.u64(k);
            rec.count(v.len());
            for &(c, n) in v {
                rec.u32(c.0);
                rec.u32(n);
            }
        }
        rec.count(self.known.len());
        for (&k, &n) in self.known.iter() {
            rec.u64(k);
            rec.u32(n);
        }
        record(w, &mut rec)
    }

    /// Read a stored index back onto `docs`, the documents of the corpus now (each with its
    /// recognised mentions) and its registry: `None` unless it was stored for exactly these
    /// documents, by name, and this registry, and every value in it is consistent with them.
    ///
    /// The index is the `body` range of `all` (a mapped file). Records are parsed in parallel;
    /// what linking found in each document and each entity's mentions, most of the index, are
    /// only checked here and stay in `all` until first used (`all` is kept alive meanwhile).
    pub fn decode_from(
        all: &SharedBytes,
        body: std::ops::Range<usize>,
        docs: &[DocInput],
        registry: Option<&Registry>,
    ) -> Option<EntityIndex> {
        let whole = all.bytes();
        let base = whole.as_ptr() as usize;
        let offset = |b: &[u8]| b.as_ptr() as usize - base;
        let mut r = Reader(whole.get(body)?);
        let head = r.take(16)?;
        if u64_at(head) != fingerprint(registry) || u32_at(&head[8..]) as usize != docs.len() {
            return None;
        }
        let n_docs = docs.len();
        let n_entities = u32_at(&head[12..]);
        let entity = |r: &mut Reader| -> Option<EntityId> { r.u32().filter(|&c| c < n_entities).map(EntityId) };
        // the documents, matched by name: usually the stored order is the corpus's (both sorted
        // by path), and the names are only looked up when it is not
        let by_name: OnceLock<NameMap<&str, &DocInput>> = OnceLock::new();
        let parse_doc = |(i, rec): (usize, &[u8])| -> Option<(Arc<DocLinks>, Bounds)> {
            let mut r = Reader(rec);
            let len = r.len(1)?;
            let name = std::str::from_utf8(r.take(len)?).ok()?;
            let input = match docs.get(i).filter(|d| *d.name == *name) {
                Some(d) => d,
                None => *by_name.get_or_init(|| docs.iter().map(|d| (&*d.name, d)).collect()).get(name)?,
            };
            let text = input.text.len() as u64;
            // what linking found there is checked here, and read when needed
            let found = r.0;
            check_found(&mut r, n_entities, text)?;
            let at = offset(found);
            let stored = StoredDoc { all: all.clone(), range: at..at + found.len(), n_entities, text };
            let (mentions, loose) = input.entities.counts();
            let bounds = Bounds { id: input.id, mentions: mentions as u32, loose: loose as u32, text: text as u32 };
            let d = DocLinks {
                id: input.id,
                name: input.name.clone(),
                text: input.text.clone(),
                entities: input.entities.clone(),
                found: super::Deferred::stored(stored),
            };
            Some((Arc::new(d), bounds))
        };
        let recs = records(&mut r, n_docs)?;
        let parsed: Vec<(Arc<DocLinks>, Bounds)> =
            recs.into_par_iter().enumerate().map(parse_doc).collect::<Option<_>>()?;
        let n_slots = docs.iter().map(|d| d.id.0 as usize + 1).max().unwrap_or(0);
        let mut slots: Vec<Option<Arc<DocLinks>>> = vec![None; n_slots];
        let mut bounds = Vec::with_capacity(parsed.len());
        for (d, b) in parsed {
            let slot = &mut slots[d.id.0 as usize];
            if slot.is_some() {
                return None; // a name stored twice
            }
            *slot = Some(d);
            bounds.push(b);
        }
        let bounds: Arc<[Bounds]> = bounds.into();

        // the entities
        let doc = |r: &mut Reader| -> Option<Bounds> { bounds.get(r.u32()? as usize).copied() };
        let parse_entity = |rec: &[u8]| -> Option<(ClusterKey, Option<Arc<EntityData>>)> {
            let mut r = Reader(rec);
            let key = read_cluster_key(&mut r)?;
            if r.u8()? == 0 {
                r.done()?;
                return Some((key, None));
            }
            let name = r.string()?;
            let kind = *Kind::ALL.get(r.u8()? as usize)?;
            let forms = r.strings()?;
            let roles = r.strings()?;
            let description = match r.u8()? {
                0 => None,
                _ => Some(r.string()?),
            };
            let candidates = r.strings()?;
            // the mentions are checked (and counted by document) here, and read when needed
            let n_refs = r.len(REF)?;
            let stored = r.take(n_refs * REF)?;
            let (mut n_docs, mut last) = (0, None);
            for b in stored.chunks_exact(REF) {
                read_ref(b, &bounds)?;
                let d = u32_at(b);
                n_docs += usize::from(last != Some(d));
                last = Some(d);
            }
            let at = offset(stored);
            let refs = StoredRefs { all: all.clone(), range: at..at + stored.len(), docs: bounds.clone() };
            let def = match r.u8()? {
                0 => None,
                1 => {
                    let (s, e) = (r.u64()?, r.u64()?);
                    (s <= e).then_some(())?;
                    Some(Definition::Registry(s as usize..e as usize))
                }
                2 => {
                    let d = doc(&mut r)?;
                    let range = d.span(r.u64()?, r.u64()?)?;
                    Some(Definition::Mention(Location { doc: d.id, range }))
                }
                _ => return None,
            };
            let n = r.len(12)?;
            let snippets = r.list(n, |r| Some((doc(r)?.id, r.string()?, r.string()?)))?;
            r.done()?;
            let entity = Entity { name, kind, forms, roles, description, candidates };
            let refs = super::Refs::stored(refs, (n_refs, n_docs));
            Some((key, Some(Arc::new(EntityData { entity, refs, def, snippets }))))
        };
        let entities = parse_all(&records(&mut r, n_entities as usize)?, parse_entity)?;

        // the tables
        let tables = records(&mut r, 1)?.pop()?;
        r.done()?;
        let mut r = Reader(tables);
        let n = r.len(13)?;
        let by_key =
            (0..n).map(|_| Some((read_cluster_key(&mut r)?, entity(&mut r)?))).collect::<Option<HashMap<_, _, _>>>()?;
        let n = r.len(12)?;
        let reg_alias = (0..n).map(|_| Some((r.u64()?, entity(&mut r)?))).collect::<Option<KeyMap<_>>>()?;
        let n = r.len(12)?;
        let surnames = (0..n)
            .map(|_| {
                let k = r.u64()?;
                let m = r.len(8)?;
                let v = r.list(m, |r| Some((entity(r)?, r.u32()?)))?;
                Some((k, v))
            })
            .collect::<Option<KeyMap<_>>>()?;
        let n = r.len(12)?;
        let known = (0..n).map(|_| Some((r.u64()?, r.u32()?))).collect::<Option<KeyMap<u32>>>()?;
        r.done()?;
        Some(EntityIndex {
            docs: slots,
            entities,
            by_key: Arc::new(by_key),
            reg_alias: Arc::new(reg_alias),
            surnames: Arc::new(surnames),
            known: Arc::new(known),
            registry: registry.cloned(),
        })
    }

    /// Read what is still kept in a stored index (see [`EntityIndex::decode_from`]): what
    /// linking found in each document, each entity's mentions. In parallel; then the stored
    /// index's bytes are no longer kept.
    pub fn read_stored(&self) {
        self.docs.par_iter().flatten().for_each(|d| {
            d.found();
        });
        self.entities.par_iter().for_each(|(_, d)| {
            if let Some(d) = d {
                d.refs.get();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::config::Config;
    use crate::corpus::Corpus;
    use crate::entities::SharedBytes;

    fn corpus() -> Corpus {
        let mut c = Corpus::new(Config::default());
        for (name, text) in crate::gen::corpus(12, 3) {
            c.upsert(&format!("/c/{name}"), text.into(), Vec::new());
        }
        c
    }

    /// The documents of `c` in a new corpus, their mentions as stored.
    fn reread(c: &Corpus) -> Corpus {
        reread_in(c.docs())
    }

    fn reread_in(docs: Vec<&Arc<crate::corpus::DocEntry>>) -> Corpus {
        let mut out = Corpus::new(Config::default());
        for e in docs {
            let mut bytes = Vec::new();
            e.entities().encode(&mut bytes);
            let mentions = crate::entities::Mentions::stored(&bytes).expect("a stored record");
            out.insert(crate::corpus::NewDoc::new(&e.name, e.text.clone(), Vec::new()).with_mentions(mentions));
        }
        out
    }

    #[test]
    fn checking_a_document_part_accepts_what_reading_it_accepts() {
        let c = corpus();
        let mut stored = Vec::new();
        c.entities().encode_to(&mut stored).unwrap();
        let mut r = super::Reader(&stored);
        let head = r.take(16).unwrap();
        let (n_docs, n_entities) = (super::u32_at(&head[8..]) as usize, super::u32_at(&head[12..]));
        let mut checked = 0;
        for rec in super::records(&mut r, n_docs).unwrap() {
            let mut r = super::Reader(rec);
            let len = r.len(1).unwrap();
            let found = &r.0[len..];
            let text = 20_000;
            assert!(super::read_found(&mut super::Reader(found), n_entities, text).is_some());
            let agree = |bytes: &[u8], text: u64| {
                let check = super::check_found(&mut super::Reader(bytes), n_entities, text).is_some();
                let read = super::read_found(&mut super::Reader(bytes), n_entities, text).is_some();
                assert_eq!(check, read, "{bytes:?} in a text of {text}");
            };
            for n in 0..found.len() {
                agree(&found[..n], text);
            }
            for at in 0..found.len() {
                for x in [0x01, 0x80, 0xff] {
                    let mut bad = found.to_vec();
                    bad[at] ^= x;
                    agree(&bad, text);
                    checked += 1;
                }
            }
            agree(found, 10);
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn damaged_stored_index_is_refused_without_panic() {
        let c = corpus();
        let mut stored = Vec::new();
        c.entities().encode_to(&mut stored).unwrap();
        assert!(c.read_entities(&stored[..]).is_some(), "intact");
        // read back onto the documents of a restart: the same entities, their mentions read
        // when first asked for
        let restart = reread(&c);
        assert!(restart.restore_entities(restart.read_entities(&stored[..]).expect("intact")));
        let (index, linked) = (restart.entities(), c.entities());
        assert_eq!(index.all().count(), linked.all().count());
        for (id, e) in linked.all() {
            assert_eq!(index.entity(id), Some(e));
            assert_eq!(index.counts(id), linked.counts(id), "{}", e.name);
            assert_eq!(index.references(id), linked.references(id), "{}", e.name);
        }
        for d in c.docs() {
            assert_eq!(index.mentions_in(d.id), linked.mentions_in(d.id), "{}", d.name);
            assert!(!index.mentions_in(d.id).is_empty(), "{}", d.name);
        }
        // onto documents in another order (other ids): matched by name
        let mut backwards = c.docs();
        backwards.reverse();
        let other = reread_in(backwards);
        assert!(other.restore_entities(other.read_entities(&stored[..]).expect("the same documents")));
        let index = other.entities();
        let named = |c: &Corpus, locs: Vec<crate::entities::Location>| -> Vec<(String, std::ops::Range<usize>)> {
            locs.into_iter().map(|l| (c.get(l.doc).unwrap().name.to_string(), l.range)).collect()
        };
        for (id, e) in linked.all() {
            assert_eq!(index.counts(id), linked.counts(id), "{}", e.name);
            assert_eq!(named(&other, index.references(id)), named(&c, linked.references(id)), "{}", e.name);
        }
        for d in c.docs() {
            let there = other.id(&d.name).unwrap();
            assert_ne!(there, d.id);
            assert_eq!(index.mentions_in(there), linked.mentions_in(d.id), "{}", d.name);
        }
        // the stored bytes are kept until every entity's mentions are read out of them
        let all: SharedBytes = Arc::new(stored.clone());
        let restart = reread(&c);
        assert!(restart.restore_entities(restart.read_entities_in(&all, 0..stored.len()).expect("intact")));
        assert!(Arc::strong_count(&all) > 1, "mentions are kept in the stored bytes");
        restart.own_stored();
        assert_eq!(Arc::strong_count(&all), 1, "read out of them");
        let index = restart.entities();
        for (id, e) in linked.all() {
            assert_eq!(index.references(id), linked.references(id), "{}", e.name);
        }
        for d in c.docs() {
            assert_eq!(index.mentions_in(d.id), linked.mentions_in(d.id), "{}", d.name);
        }
        // every truncation is refused
        let step = stored.len() / 1000 + 1;
        for n in (0..stored.len()).step_by(step).chain([stored.len() - 1]) {
            assert!(c.read_entities(&stored[..n]).is_none(), "cut at {n}");
        }
        // a flipped byte anywhere is refused or read without panic (the file's checksum refuses
        // it before this, in the server)
        let mut refused = 0;
        for at in (0..stored.len()).step_by(step) {
            let mut bad = stored.clone();
            bad[at] ^= 0x5a;
            // onto the same documents in a corpus not linked yet, as a restart reads it
            let restart = reread(&c);
            match restart.read_entities(&bad[..]) {
                None => refused += 1,
                // what was read answers without panic, its mentions read when asked for
                Some(read) => {
                    assert!(restart.restore_entities(read));
                    let index = restart.entities();
                    for (id, _) in index.all() {
                        assert_eq!(index.references(id).len(), index.counts(id).0);
                    }
                    for d in restart.docs() {
                        let _ = (index.mentions_in(d.id), index.at(d.id, 10));
                    }
                }
            }
        }
        assert!(refused > stored.len() / step / 4, "most damage is noticed: {refused}");
    }
}
