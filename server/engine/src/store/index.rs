//! The linked index ([`EntityIndex`]) as `links.bin` stores it, so that a restart on an
//! unchanged corpus reads it back instead of linking every mention again.
//!
//! Little-endian: a head (the registry's fingerprint, the numbers of documents and entities),
//! then one length-prefixed record per document and per entity (so both are read in parallel),
//! then one record of the corpus-wide tables. Documents are numbered densely in the stored form
//! and matched to the reading corpus by name: the ids of a new process need not be the old
//! ones. Everything read is checked against the documents it is read onto (entity ids,
//! document numbers, mention sources, byte ranges within the texts); anything inconsistent
//! refuses the whole index, and the caller links from scratch.
//!
//! What linking found in each document and each entity's mentions (most of the index) are
//! checked when the index is read and kept unread in the file's bytes ([`Lazy`]) until a query
//! first needs them.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::codec::{Fixed, Put, Reader, Refused};
use super::lazy::{Lazy, SharedBytes};
use crate::entities::keys::{Key, KeyMap, NameMap};
use crate::entities::link::{ClusterKey, ClusterMap, DocLinks, EntityData, Found, Ref, Refs, LOOSE};
use crate::entities::{Definition, DocInput, Entity, EntityId, EntityIndex, Evidence, Kind, Location, Registry};
use crate::DocId;

/// Bytes of one stored mention reference: document number, start, end, source, surface, name
/// and roles hashes, kind, evidence.
const REF: usize = 7 * 4 + 2;

/// What identifies the registry an index was linked with: its text's hash (0 for none).
pub fn fingerprint(registry_text: Option<&str>) -> u64 {
    registry_text.map_or(0, |t| crate::hash::stable(t.as_bytes()) | 1)
}

/// Write the stored form of `index`, linked with the registry whose text is `registry_text`.
pub fn write(index: &EntityIndex, registry_text: Option<&str>, w: &mut dyn Write) -> io::Result<()> {
    let present: Vec<&DocLinks> = index.docs.iter().flatten().map(|d| &**d).collect();
    let mut dense = vec![u32::MAX; index.docs.len()];
    for (i, d) in present.iter().enumerate() {
        dense[d.id.0 as usize] = i as u32;
    }
    let dense = |id: DocId| dense.get(id.0 as usize).copied().unwrap_or(u32::MAX);
    let mut head = Vec::new();
    head.u64(fingerprint(registry_text));
    head.count(present.len());
    head.count(index.entities.len());
    w.write_all(&head)?;
    let mut rec = Vec::new();
    let mut record = |w: &mut dyn Write, fill: &dyn Fn(&mut Vec<u8>)| -> io::Result<()> {
        rec.clear();
        fill(&mut rec);
        w.write_all(&(rec.len() as u32).to_le_bytes())?;
        w.write_all(&rec)
    };
    for d in &present {
        record(w, &|rec| {
            rec.str(&d.name);
            write_found(rec, d.found());
        })?;
    }
    for (key, data) in &index.entities {
        record(w, &|rec| write_entity(rec, key, data.as_deref(), &dense))?;
    }
    record(w, &|rec| write_tables(rec, index))
}

fn write_found(rec: &mut Vec<u8>, f: &Found) {
    rec.count(f.mentioned.len());
    f.mentioned.iter().for_each(|c| rec.u32(c.0));
    rec.count(f.placed.len());
    for &(s, e, c) in &f.placed {
        rec.u32(s);
        rec.u32(e);
        rec.u32(c.0);
    }
    rec.column(&f.known);
    rec.count(f.full_names.len());
    for &(k, c) in &f.full_names {
        rec.u64(k);
        rec.u32(c.0);
    }
    rec.column(&f.lone);
}

fn write_cluster_key(rec: &mut Vec<u8>, k: &ClusterKey) {
    let (tag, v) = match *k {
        ClusterKey::Registry(i) => (0, u64::from(i)),
        ClusterKey::Person(k) => (1, k),
        ClusterKey::Name(k) => (2, k),
        ClusterKey::Surname(k) => (3, k),
    };
    rec.u8(tag);
    rec.u64(v);
}

fn write_entity(rec: &mut Vec<u8>, key: &ClusterKey, data: Option<&EntityData>, dense: &dyn Fn(DocId) -> u32) {
    write_cluster_key(rec, key);
    let Some(d) = data else { return rec.u8(0) };
    rec.u8(1);
    let e = &d.entity;
    rec.str(&e.name);
    e.kind.put(rec);
    rec.strs(&e.forms);
    rec.strs(&e.roles);
    rec.option(e.description.as_deref(), Put::str);
    rec.strs(&e.candidates);
    let refs = d.refs.get();
    rec.count(refs.len());
    rec.reserve(refs.len() * REF);
    for r in refs {
        for v in [dense(r.doc), r.start, r.end, r.src, r.surface, r.name, r.roles] {
            rec.u32(v);
        }
        r.kind.put(rec);
        r.evidence.put(rec);
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

fn write_tables(rec: &mut Vec<u8>, index: &EntityIndex) {
    let mut by_key: Vec<(&ClusterKey, &EntityId)> = index.by_key.iter().collect();
    by_key.sort_unstable_by_key(|&(_, c)| *c);
    rec.count(by_key.len());
    for (k, c) in by_key {
        write_cluster_key(rec, k);
        rec.u32(c.0);
    }
    rec.count(index.reg_alias.len());
    for (&k, c) in index.reg_alias.iter() {
        rec.u64(k);
        rec.u32(c.0);
    }
    rec.count(index.surnames.len());
    for (&k, v) in index.surnames.iter() {
        rec.u64(k);
        rec.count(v.len());
        for &(c, n) in v {
            rec.u32(c.0);
            rec.u32(n);
        }
    }
    rec.count(index.known.len());
    for (&k, &n) in index.known.iter() {
        rec.u64(k);
        rec.u32(n);
    }
}

/// What a stored reference is checked against: per stored document, its id in the reading
/// corpus, the number of its recognised mentions and loose words and the length of its text.
#[derive(Clone, Copy)]
struct Bounds {
    id: DocId,
    mentions: u32,
    loose: u32,
    text: u32,
}

impl Bounds {
    fn span(&self, r: &Reader, start: u64, end: u64) -> Result<Range<usize>, Refused> {
        if start <= end && end <= u64::from(self.text) {
            Ok(start as usize..end as usize)
        } else {
            Err(r.bad("a range outside its document"))
        }
    }

    fn source(&self, src: u32) -> bool {
        if src >= LOOSE {
            src - LOOSE < self.loose
        } else {
            src < self.mentions
        }
    }
}

/// What linking found in a document (see [`write_found`]), within a text of `text` bytes.
fn read_found(r: &mut Reader, n_entities: u32, text: u64) -> Result<Found, Refused> {
    let entity = |r: &mut Reader| r.below(n_entities).map(EntityId);
    let mentioned = r.list(4, entity)?;
    let placed = r.list(12, |r| {
        let (s, e, c) = (r.u32()?, r.u32()?, entity(r)?);
        if s <= e && u64::from(e) <= text {
            Ok((s, e, c))
        } else {
            Err(r.bad("a range outside its document"))
        }
    })?;
    let known = r.column()?;
    let full_names = r.list(12, |r| Ok((r.u64()?, entity(r)?)))?;
    let lone = r.column()?;
    r.done()?;
    Ok(Found { mentioned, placed, known, full_names, lone })
}

/// One stored mention reference, checked against the documents it can point to: `None` when it
/// points outside them.
fn ref_at(b: &[u8; REF], docs: &[Bounds]) -> Option<Ref> {
    let at = |i: usize| u32::from_le_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]]);
    let d = docs.get(at(0) as usize)?;
    let (start, end, src) = (at(1), at(2), at(3));
    if !d.source(src) || start > end || end > d.text {
        return None;
    }
    let (kind, evidence) = (Kind::get(&b[28..29]), Evidence::get(&b[29..30]));
    Some(Ref { doc: d.id, start, end, src, surface: at(4), name: at(5), roles: at(6), kind, evidence })
}

/// An entity's mentions (a column of [`REF`]-byte records), and the number of documents they are
/// in. (Nearly two million of them in 20,000 articles: they are read as a column.)
fn read_refs(r: &mut Reader, docs: &[Bounds]) -> Result<(Vec<Ref>, usize), Refused> {
    let n = r.count(REF)?;
    let bytes = r.take(n * REF)?;
    let mut refs = Vec::with_capacity(if r.building() { n } else { 0 });
    let (mut n_docs, mut last) = (0, None);
    for b in bytes.chunks_exact(REF) {
        let b = b.first_chunk::<REF>().ok_or_else(|| r.bad("cut short"))?;
        let x = ref_at(b, docs).ok_or_else(|| r.bad("a mention outside its document"))?;
        n_docs += usize::from(last != Some(x.doc));
        last = Some(x.doc);
        if r.building() {
            refs.push(x);
        }
    }
    Ok((refs, n_docs))
}

fn read_cluster_key(r: &mut Reader) -> Result<ClusterKey, Refused> {
    let (tag, v) = (r.u8()?, r.u64()?);
    Ok(match tag {
        0 => ClusterKey::Registry(u32::try_from(v).map_err(|_| r.bad("a registry entry out of range"))?),
        1 => ClusterKey::Person(v),
        2 => ClusterKey::Name(v),
        3 => ClusterKey::Surname(v),
        _ => return Err(r.bad("an unknown cluster")),
    })
}

/// The stored index being read: its bytes, and what its records are checked against.
struct Stored<'a> {
    all: &'a SharedBytes,
    n_entities: u32,
}

impl Stored<'_> {
    /// Where `part` (a slice of the stored bytes) is in them.
    fn range_of(&self, part: &[u8]) -> Range<usize> {
        let at = part.as_ptr() as usize - self.all.bytes().as_ptr() as usize;
        at..at + part.len()
    }

    /// A document's record, read onto `input`: what linking found there is checked and kept
    /// unread.
    fn doc(&self, r: &mut Reader, input: &DocInput) -> Result<(Arc<DocLinks>, Bounds), Refused> {
        let text = input.text.len() as u64;
        let n_entities = self.n_entities;
        let found = r.rest();
        read_found(r, n_entities, text)?;
        let read = Box::new(move |b: &[u8]| {
            read_found(&mut Reader::build(b, "stored document links"), n_entities, text).unwrap_or_default()
        });
        let found = Arc::new(Lazy::shared(self.all, self.range_of(found), read));
        let (mentions, loose) = super::mentions::counts(&*input.entities);
        let bounds = Bounds { id: input.id, mentions: mentions as u32, loose: loose as u32, text: text as u32 };
        let d = DocLinks {
            id: input.id,
            name: input.name.clone(),
            text: input.text.clone(),
            entities: input.entities.clone(),
            found,
        };
        Ok((Arc::new(d), bounds))
    }

    /// An entity's record: its mentions are checked (and counted by document) and kept unread.
    fn entity(&self, r: &mut Reader, bounds: &Arc<[Bounds]>) -> Result<(ClusterKey, Option<Arc<EntityData>>), Refused> {
        let key = read_cluster_key(r)?;
        if r.u8()? == 0 {
            r.done()?;
            return Ok((key, None));
        }
        let name = r.string()?;
        let kind = Kind::get(r.take(1)?);
        let (forms, roles) = (r.strings()?, r.strings()?);
        let description = r.option(Reader::string)?;
        let candidates = r.strings()?;
        // the mentions are checked here, and read when first needed
        let section = r.rest();
        let mut check = Reader::check(section, "stored entity mentions");
        let (_, n_docs) = read_refs(&mut check, bounds)?;
        let section = r.take(section.len() - check.rest().len())?;
        let n_refs = (section.len() - 4) / REF;
        let docs = bounds.clone();
        let read = Box::new(move |b: &[u8]| {
            read_refs(&mut Reader::build(b, "stored entity mentions"), &docs).map(|x| x.0).unwrap_or_default()
        });
        let refs =
            Refs { refs: Arc::new(Lazy::shared(self.all, self.range_of(section), read)), counts: (n_refs, n_docs) };
        let def = match r.u8()? {
            0 => None,
            1 => {
                let (s, e) = (r.u64()?, r.u64()?);
                if s > e {
                    return Err(r.bad("a reversed range"));
                }
                Some(Definition::Registry(s as usize..e as usize))
            }
            2 => {
                let d = *bounds.get(r.u32()? as usize).ok_or_else(|| r.bad("a document number out of range"))?;
                let (s, e) = (r.u64()?, r.u64()?);
                Some(Definition::Mention(Location { doc: d.id, range: d.span(r, s, e)? }))
            }
            _ => return Err(r.bad("an unknown definition")),
        };
        let snippets = r.list(12, |r| {
            let d = bounds.get(r.u32()? as usize).ok_or_else(|| r.bad("a document number out of range"))?;
            Ok((d.id, r.string()?, r.string()?))
        })?;
        r.done()?;
        let entity = Entity { name, kind, forms, roles, description, candidates };
        Ok((key, Some(Arc::new(EntityData { entity, refs, def, snippets }))))
    }
}

/// The corpus-wide tables of an index.
struct Tables {
    by_key: ClusterMap,
    reg_alias: KeyMap<EntityId>,
    surnames: KeyMap<Vec<(EntityId, u32)>>,
    known: KeyMap<u32>,
}

fn read_tables(r: &mut Reader, n_entities: u32) -> Result<Tables, Refused> {
    let entity = |r: &mut Reader| r.below(n_entities).map(EntityId);
    let by_key = r.list(13, |r| Ok((read_cluster_key(r)?, entity(r)?)))?.into_iter().collect();
    let reg_alias = r.list(12, |r| Ok((r.u64()?, entity(r)?)))?.into_iter().collect();
    let surnames = r
        .list(12, |r| {
            let k: Key = r.u64()?;
            Ok((k, r.list(8, |r| Ok((entity(r)?, r.u32()?)))?))
        })?
        .into_iter()
        .collect();
    let known = r.list(12, |r| Ok((r.u64()?, r.u32()?)))?.into_iter().collect();
    r.done()?;
    Ok(Tables { by_key, reg_alias, surnames, known })
}

/// `n` length-prefixed records, one after the other.
fn records<'a>(r: &mut Reader<'a>, n: usize) -> Result<Vec<&'a [u8]>, Refused> {
    let mut out = Vec::with_capacity(n.min(r.rest().len() / 4));
    for _ in 0..n {
        let len = r.u32()? as usize;
        out.push(r.take(len)?);
    }
    Ok(out)
}

/// Read a stored index back onto `docs`, the documents exactly as they were when it was stored
/// (each with its recognised mentions, and with the id it has now), linked with `registry`
/// whose text is `registry_text`: refused unless it was stored for exactly these documents, by
/// name, and this registry, and every value in it is consistent with them.
///
/// The index is the `body` range of `all` (a mapped file). Records are read in parallel; what
/// linking found in each document and each entity's mentions, most of the index, are only
/// checked here and stay in `all` until first used (`all` is kept alive meanwhile).
pub fn read(
    all: &SharedBytes,
    body: Range<usize>,
    docs: &[DocInput],
    registry: Option<&Registry>,
    registry_text: Option<&str>,
) -> Result<EntityIndex, Refused> {
    let bytes = all.bytes().get(body).ok_or(Refused::Bad { what: "linked index", why: "outside the file" })?;
    let mut r = Reader::check(bytes, "linked index");
    if r.u64()? != fingerprint(registry_text) {
        return Err(Refused::OtherRegistry);
    }
    let (n_docs, n_entities) = (r.u32()? as usize, r.u32()?);
    if n_docs != docs.len() {
        return Err(Refused::OtherDocuments(format!("{n_docs} stored, {} now", docs.len())));
    }
    let stored = Stored { all, n_entities };
    let (slots, bounds) = read_docs(&stored, &records(&mut r, n_docs)?, docs)?;
    let entities = (records(&mut r, n_entities as usize)?.into_par_iter())
        .map(|rec| stored.entity(&mut Reader::build(rec, "stored entity"), &bounds))
        .collect::<Result<Vec<_>, Refused>>()?;
    let tables = records(&mut r, 1)?;
    r.done()?;
    let t = read_tables(&mut Reader::build(tables[0], "stored tables"), n_entities)?;
    Ok(EntityIndex {
        docs: slots,
        entities,
        by_key: Arc::new(t.by_key),
        reg_alias: Arc::new(t.reg_alias),
        surnames: Arc::new(t.surnames),
        known: Arc::new(t.known),
        registry: registry.cloned(),
        network: Default::default(),
    })
}

/// An index's documents by id.
type DocSlots = Vec<Option<Arc<DocLinks>>>;

/// The documents' records, matched to `docs` by name: usually the stored order is the
/// corpus's (both sorted by path), and the names are only looked up when it is not.
fn read_docs(stored: &Stored, recs: &[&[u8]], docs: &[DocInput]) -> Result<(DocSlots, Arc<[Bounds]>), Refused> {
    let by_name: OnceLock<NameMap<&str, &DocInput>> = OnceLock::new();
    let parse = |(i, rec): (usize, &&[u8])| {
        let mut r = Reader::check(rec, "stored document");
        let name = r.str()?;
        let input = match docs.get(i).filter(|d| *d.name == *name) {
            Some(d) => d,
            None => *by_name
                .get_or_init(|| docs.iter().map(|d| (&*d.name, d)).collect())
                .get(name)
                .ok_or_else(|| Refused::OtherDocuments(format!("{name} is not in the corpus")))?,
        };
        stored.doc(&mut r, input)
    };
    let parsed: Vec<(Arc<DocLinks>, Bounds)> = recs.par_iter().enumerate().map(parse).collect::<Result<_, _>>()?;
    let n_slots = docs.iter().map(|d| d.id.0 as usize + 1).max().unwrap_or(0);
    let mut slots: Vec<Option<Arc<DocLinks>>> = vec![None; n_slots];
    let mut bounds = Vec::with_capacity(parsed.len());
    for (d, b) in parsed {
        let slot = &mut slots[d.id.0 as usize];
        if slot.is_some() {
            return Err(Refused::OtherDocuments(format!("{} is stored twice", d.name)));
        }
        *slot = Some(d);
        bounds.push(b);
    }
    Ok((slots, bounds.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::corpus::{Corpus, NewDoc};
    use crate::store::restore::{read_links, StoredDoc};

    fn corpus() -> Corpus {
        let mut c = Corpus::new(Config::default());
        for (name, text) in dossier_testgen::corpus(12, 3) {
            c.upsert(&format!("/c/{name}"), text.into(), Vec::new());
        }
        c
    }

    fn stored(c: &Corpus) -> Vec<u8> {
        let mut out = Vec::new();
        write(&c.entities(), None, &mut out).unwrap();
        out
    }

    /// The documents of `c` (in this order) in a new corpus, their mentions kept stored.
    fn reread(docs: &[&Arc<crate::corpus::DocEntry>]) -> (Corpus, Vec<StoredDoc>) {
        let mut out = Corpus::new(Config::default());
        let mut kept = Vec::new();
        for e in docs {
            let mut bytes = Vec::new();
            crate::store::mentions::write_any(&**e.entities(), &mut bytes);
            let mentions = crate::store::mentions::keep_copy(&bytes).expect("a stored record");
            kept.push(StoredDoc { name: e.name.clone(), text: e.text.clone(), mentions: mentions.clone() });
            out.insert(NewDoc::new(&e.name, e.text.clone(), Vec::new()).with_mentions(mentions));
        }
        (out, kept)
    }

    /// Read `bytes` back onto `c` (whose documents are `docs`) and link from it.
    fn restore(c: &mut Corpus, docs: &[StoredDoc], bytes: &[u8]) -> Result<(), Refused> {
        let all: SharedBytes = Arc::new(bytes.to_vec());
        let base = read_links(c, docs, &all, 0..bytes.len())?;
        c.link_from(Arc::new(base));
        Ok(())
    }

    #[test]
    fn a_stored_index_reads_back_onto_the_same_documents_in_any_order() {
        let c = corpus();
        let bytes = stored(&c);
        let linked = c.entities();
        let named = |c: &Corpus, locs: Vec<Location>| -> Vec<(String, Range<usize>)> {
            locs.into_iter().map(|l| (c.get(l.doc).unwrap().name.to_string(), l.range)).collect()
        };
        let mut backwards = c.docs();
        backwards.reverse();
        for docs in [c.docs(), backwards] {
            let (mut restart, kept) = reread(&docs);
            restore(&mut restart, &kept, &bytes).expect("intact");
            let index = restart.entities();
            assert_eq!(index.all().count(), linked.all().count());
            for (id, e) in linked.all() {
                assert_eq!(index.entity(id), Some(e));
                assert_eq!(index.counts(id), linked.counts(id), "{}", e.name);
                assert_eq!(named(&restart, index.references(id)), named(&c, linked.references(id)), "{}", e.name);
            }
            for d in c.docs() {
                let there = restart.id(&d.name).unwrap();
                assert!(!index.mentions_in(there).is_empty(), "{}", d.name);
                assert_eq!(index.mentions_in(there), linked.mentions_in(d.id), "{}", d.name);
            }
            // nothing was linked again: every document's links are the stored ones
            assert!(index.docs.iter().flatten().all(|d| Arc::ptr_eq(
                &d.found,
                &restart.link_base().unwrap().docs[d.id.0 as usize].as_ref().unwrap().found
            )));
        }
    }

    #[test]
    fn a_stored_index_is_kept_in_its_bytes_until_read_out() {
        let c = corpus();
        let bytes = stored(&c);
        let all: SharedBytes = Arc::new(bytes.clone());
        let (mut restart, kept) = reread(&c.docs());
        let base = read_links(&restart, &kept, &all, 0..bytes.len()).expect("intact");
        restart.link_from(Arc::new(base));
        assert!(Arc::strong_count(&all) > 1, "mentions are kept in the stored bytes");
        let index = restart.entities();
        crate::store::restore::copy_out(&restart);
        assert_eq!(Arc::strong_count(&all), 1, "read out of them");
        for (id, e) in c.entities().all() {
            assert_eq!(index.references(id), c.entities().references(id), "{}", e.name);
        }
    }

    #[test]
    fn a_document_read_again_with_the_same_text_is_not_linked_again() {
        let mut c = corpus();
        let before = c.entities();
        let d = c.docs()[0].clone();
        c.upsert(&d.name, Arc::from(&*d.text), Vec::new());
        let after = c.entities();
        let (old, new) =
            (before.docs[d.id.0 as usize].as_ref().unwrap(), after.docs[d.id.0 as usize].as_ref().unwrap());
        assert!(Arc::ptr_eq(&old.found, &new.found), "the same links");
        assert!(Arc::ptr_eq(&new.text, &c.get(d.id).unwrap().text), "kept with the new text");
        assert!(!Arc::ptr_eq(&old.text, &new.text));
        // a changed text is linked again
        c.upsert(&d.name, format!("{}\nTokayev.", d.text).into(), Vec::new());
        assert!(!Arc::ptr_eq(
            &after.docs[d.id.0 as usize].as_ref().unwrap().found,
            &c.entities().docs[d.id.0 as usize].as_ref().unwrap().found
        ));
    }

    #[test]
    fn a_damaged_stored_index_is_refused_or_answers_without_panic() {
        let c = corpus();
        let bytes = stored(&c);
        let (mut restart, kept) = reread(&c.docs());
        // every truncation is refused
        let step = bytes.len() / 1000 + 1;
        for n in (0..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
            assert!(restore(&mut restart, &kept, &bytes[..n]).is_err(), "cut at {n}");
        }
        // a flipped byte anywhere is refused or read without panic (the file's checksum refuses
        // it before this, in the server)
        let mut refused = 0;
        for at in (0..bytes.len()).step_by(step) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5a;
            let (mut restart, kept) = reread(&c.docs());
            match restore(&mut restart, &kept, &bad) {
                Err(_) => refused += 1,
                // what was read answers without panic, its mentions read when asked for
                Ok(()) => {
                    let index = restart.entities();
                    for (id, _) in index.all() {
                        assert_eq!(index.references(id).len(), index.counts(id).0);
                    }
                    // (answers may be wrong; that they come without a panic is the point)
                    for d in restart.docs() {
                        let _ = (index.mentions_in(d.id), index.at(d.id, 10));
                    }
                }
            }
        }
        assert!(refused > bytes.len() / step / 4, "most damage is noticed: {refused}");
    }
}
