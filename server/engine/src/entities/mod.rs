//! Named entities: recognition in one document, linking across the corpus, and the queries the
//! editor features ask (hover card, references, definition, symbols, rename).
//!
//! Two levels, like every analysis here:
//! - [`analyze`] looks at one text and returns its [`DocEntities`] (mentions with their evidence).
//!   It is pure and cached per text revision in the corpus snapshot.
//! - [`EntityIndex::build`] links the mentions of all documents (and the optional registry) into
//!   entities. Queries are answered from the index.
//!
//! The API below is the contract used by the LSP layer and the CLI.

use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::DocId;

mod gazetteer;
mod hover;
mod keys;
mod link;
mod morph;
mod names;
mod recognize;
pub mod registry;

pub use keys::NameMap;
pub use recognize::Evidence;
pub use registry::{Registry, RegistryEntry, RegistryError};

/// The kind of a named entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Person,
    Organization,
    Place,
    Other,
}

impl Kind {
    /// The kind word shown to users and used as the semantic token type.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Place => "place",
            Kind::Other => "other",
        }
    }

    pub const ALL: [Kind; 4] = [Kind::Person, Kind::Organization, Kind::Place, Kind::Other];
}

/// One recognised mention in one document (no corpus knowledge yet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Byte range of the name as written (a possessive ending excluded).
    pub range: Range<usize>,
    pub kind: Kind,
    /// The name as written, possessive stripped ("Tasmagambetov's" → "Tasmagambetov").
    pub surface: String,
}

/// What one document contributes to the entity index (serialisable, so that a cache can keep it
/// for an unchanged text).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocEntities {
    pub mentions: Vec<Mention>,
    /// What else was learnt about each mention, parallel to `mentions`.
    pub details: Vec<MentionDetail>,
    /// Folded name keys of each mention, parallel to `mentions`: what linking compares.
    #[serde(default)]
    pub(crate) keys: Vec<MentionKeys>,
    /// Capitalised words of four or more bytes outside every mention, with their folded key
    /// (start, end, key): where a surname seen in a full name elsewhere in the corpus stands alone.
    #[serde(default)]
    pub(crate) loose: Vec<(u32, u32, keys::Key)>,
}

/// The folded keys of one mention (see [`keys`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MentionKeys {
    /// `fold(surface)`.
    pub surface: keys::Key,
    /// `fold(name)` when the mention has a name other than its surface, else `surface`.
    pub label: keys::Key,
    /// Folded first and last word, when the surface has two words or more.
    pub person: Option<keys::Key>,
    /// `fold(last word of surface)`.
    pub surname: keys::Key,
}

/// Evidence gathered with a mention beyond its range and kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MentionDetail {
    /// The name this mention stands for when it differs from its surface: the gazetteer's
    /// canonical name ("UK" → "United Kingdom"), an acronym's expansion, "Kül-Tegin stele".
    pub name: Option<String>,
    /// Roles and descriptions found around the mention ("Kazakh political scientist").
    pub roles: Vec<String>,
    pub evidence: Evidence,
}

/// Recognise the entity mentions of one document.
pub fn analyze(text: &str) -> DocEntities {
    recognize::analyze(text)
}

/// Recognise the entity mentions of one document and keep what linking needs, compactly.
pub fn record(text: &str) -> DocMentions {
    // straight from the recogniser, without the intermediate `DocEntities`
    let mut out = DocMentions::default();
    let loose = recognize::recognise(text, |n, m, det, keys| {
        if out.mentions.is_empty() {
            out.mentions.reserve_exact(n);
        }
        out.add(&m, det, keys);
    });
    out.loose = loose;
    out.more.shrink_to_fit();
    out.extras.shrink_to_fit();
    out
}

/// What one document contributes to the entity index, as kept in memory and in the index cache:
/// [`DocEntities`] without the copies of the text (a mention's surface is its range of the
/// text) and with the rare names and roles kept aside. About a quarter of the size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocMentions {
    pub(crate) mentions: Vec<Recorded>,
    /// The keys of mentions that differ from their surface key (see [`Recorded::more`]).
    pub(crate) more: Vec<keys::Key>,
    /// Names and roles of the mentions that have any, indexed by [`Recorded::extra`].
    pub(crate) extras: Vec<(Option<String>, Vec<String>)>,
    /// As [`DocEntities::loose`].
    pub(crate) loose: Vec<(u32, u32, keys::Key)>,
}

/// One recognised mention, compactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Recorded {
    pub start: u32,
    pub end: u32,
    /// Index of the mention's name and roles in [`DocMentions::extras`], or `u32::MAX`.
    pub extra: u32,
    /// Where this mention's other keys start in [`DocMentions::more`]: the label, person and
    /// surname keys whose bits are set in `flags`, in that order (most mentions have none).
    pub more: u32,
    pub surface: keys::Key,
    pub kind: Kind,
    pub evidence: Evidence,
    pub flags: u8,
}

const LABEL: u8 = 1;
const PERSON: u8 = 2;
const SURNAME: u8 = 4;

impl From<DocEntities> for DocMentions {
    fn from(e: DocEntities) -> DocMentions {
        let mut out = DocMentions {
            mentions: Vec::with_capacity(e.mentions.len()),
            more: Vec::new(),
            extras: Vec::new(),
            loose: e.loose,
        };
        let mut details = e.details.into_iter();
        for (i, m) in e.mentions.into_iter().enumerate() {
            let det = details.next().unwrap_or_default();
            let keys = e.keys.get(i).copied().unwrap_or_else(|| {
                names::mention_keys(&m.surface, keys::key(&m.surface), m.kind, det.evidence, det.name.as_deref())
            });
            out.add(&m, det, keys);
        }
        out.mentions.shrink_to_fit();
        out.more.shrink_to_fit();
        out.extras.shrink_to_fit();
        out.loose.shrink_to_fit();
        out
    }
}

const EVIDENCE: [Evidence; 7] = [
    Evidence::Gazetteer,
    Evidence::Head,
    Evidence::Cue,
    Evidence::Shape,
    Evidence::Context,
    Evidence::Acronym,
    Evidence::Document,
];

/// How [`DocMentions`] are stored (in the index cache), little-endian, column by column so that
/// reading them back is a few linear scans: the number of mentions; their spans, surface keys
/// and meta bytes (kind | evidence << 2 | which keys follow in `more` << 5); the keys that
/// differ from the surface key; (mention, extra) of the few mentions with a name or roles; the
/// extras; the loose words. About half the size of the records in memory.
impl DocMentions {
    /// Append the stored form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let n = self.mentions.len();
        out.reserve(n * 17 + self.more.len() * 8 + 64);
        out.count(n);
        for m in &self.mentions {
            out.u32(m.start);
            out.u32(m.end);
        }
        for m in &self.mentions {
            out.u64(m.surface);
        }
        for m in &self.mentions {
            out.u8(kind_byte(m.kind) | evidence_byte(m.evidence) << 2 | m.flags << 5);
        }
        out.count(self.more.len());
        for &k in &self.more {
            out.u64(k);
        }
        let with_extra: Vec<(u32, u32)> = (self.mentions.iter().enumerate())
            .filter(|(_, m)| m.extra != u32::MAX)
            .map(|(i, m)| (i as u32, m.extra))
            .collect();
        out.count(with_extra.len());
        for (i, x) in with_extra {
            out.u32(i);
            out.u32(x);
        }
        out.count(self.extras.len());
        for (name, roles) in &self.extras {
            match name {
                Some(name) => {
                    out.u8(1);
                    out.str(name);
                }
                None => out.u8(0),
            }
            out.strs(roles);
        }
        out.count(self.loose.len());
        for &(s, e, k) in &self.loose {
            out.u32(s);
            out.u32(e);
            out.u64(k);
        }
    }

    /// Read the stored form back: `None` when the bytes are not one (truncated, too long,
    /// a length beyond the end, text that is not UTF-8). Inconsistent values inside (a key
    /// count or an extra index out of range) give fewer keys or extras, never a panic.
    pub fn decode(bytes: &[u8]) -> Option<DocMentions> {
        let l = Layout::of(bytes)?;
        let more: Vec<keys::Key> = l.more.chunks_exact(8).map(u64_at).collect();
        let mut mentions = Vec::with_capacity(l.meta.len());
        let mut at = 0u32;
        for ((span, surface), &meta) in l.spans.chunks_exact(8).zip(l.surfaces.chunks_exact(8)).zip(l.meta) {
            let mut flags = meta >> 5;
            if at as usize + flags.count_ones() as usize > more.len() {
                flags = 0; // keys missing: the mention falls back to its surface key
            }
            mentions.push(Recorded {
                start: u32_at(&span[..4]),
                end: u32_at(&span[4..]),
                extra: u32::MAX,
                more: at,
                surface: u64_at(surface),
                kind: Kind::ALL[(meta & 3) as usize],
                evidence: EVIDENCE.get(((meta >> 2) & 7) as usize).copied().unwrap_or(Evidence::Context),
                flags,
            });
            at += flags.count_ones();
        }
        // checked by `Layout::of`: these reads cannot fail
        let mut r = Reader(l.extras);
        let mut extras = Vec::with_capacity(l.n_extras);
        for _ in 0..l.n_extras {
            let name = match r.u8()? {
                0 => None,
                _ => Some(r.string()?),
            };
            extras.push((name, r.strings()?));
        }
        for pair in l.with_extra.chunks_exact(8) {
            let (i, x) = (u32_at(&pair[..4]) as usize, u32_at(&pair[4..]));
            if let Some(m) = mentions.get_mut(i) {
                if (x as usize) < extras.len() {
                    m.extra = x;
                }
            }
        }
        let loose = l.loose.chunks_exact(16).map(|c| (u32_at(&c[..4]), u32_at(&c[4..8]), u64_at(&c[8..]))).collect();
        Some(DocMentions { mentions, more, extras, loose })
    }
}

/// The sections of a stored [`DocMentions`], found without decoding them: everything that can
/// make [`DocMentions::decode`] fail is checked here, so bytes with a layout always decode.
struct Layout<'a> {
    spans: &'a [u8],
    surfaces: &'a [u8],
    meta: &'a [u8],
    more: &'a [u8],
    with_extra: &'a [u8],
    n_extras: usize,
    extras: &'a [u8],
    loose: &'a [u8],
}

impl<'a> Layout<'a> {
    fn of(bytes: &'a [u8]) -> Option<Layout<'a>> {
        let mut r = Reader(bytes);
        let n = r.len(17)?;
        let (spans, surfaces, meta) = (r.take(n * 8)?, r.take(n * 8)?, r.take(n)?);
        let n_more = r.len(8)?;
        let more = r.take(n_more * 8)?;
        let n_with = r.len(8)?;
        let with_extra = r.take(n_with * 8)?;
        let n_extras = r.len(5)?;
        let from = r.0;
        for _ in 0..n_extras {
            if r.u8()? != 0 {
                r.str()?;
            }
            for _ in 0..r.len(4)? {
                r.str()?;
            }
        }
        let extras = &from[..from.len() - r.0.len()];
        let n_loose = r.len(16)?;
        let loose = r.take(n_loose * 16)?;
        r.done()?;
        Some(Layout { spans, surfaces, meta, more, with_extra, n_extras, extras, loose })
    }
}

/// A document's recognised mentions: decoded, or still in their stored form (from the index
/// cache), decoded on first read. A restart keeps most documents' mentions stored: only
/// linking reads them, and a linked index read back from the cache needs no linking.
#[derive(Debug)]
pub struct Mentions {
    decoded: OnceLock<DocMentions>,
    /// The stored form and where its loose words start; taken out when decoded.
    stored: Mutex<Option<(Stored, usize)>>,
    /// The number of mentions and of loose words.
    counts: (usize, usize),
}

/// Bytes that hold the stored records of many documents (an index cache file as read or
/// mapped), kept alive while any record in them is still kept stored.
pub type SharedBytes = Arc<dyn StoredBytes>;

/// The bytes of a stored file that records are kept in.
pub trait StoredBytes: Send + Sync {
    fn bytes(&self) -> &[u8];

    /// `range` has been read or copied out and is not needed any more (a mapped file can drop
    /// those pages from memory; reading them again stays possible).
    fn release(&self, _range: Range<usize>) {}
}

impl StoredBytes for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// A stored record: its own copy, or a range of shared bytes.
enum Stored {
    Own(Box<[u8]>),
    Shared(SharedBytes, Range<usize>),
}

impl Stored {
    fn bytes(&self) -> &[u8] {
        match self {
            Stored::Own(b) => b,
            // the range was checked when the record was kept
            Stored::Shared(all, range) => all.bytes().get(range.clone()).unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if matches!(self, Stored::Own(_)) { "own" } else { "shared" };
        write!(f, "{} stored bytes ({how})", self.bytes().len())
    }
}

impl From<DocMentions> for Mentions {
    fn from(m: DocMentions) -> Mentions {
        let counts = (m.mentions.len(), m.loose.len());
        Mentions { decoded: OnceLock::from(m), stored: Mutex::new(None), counts }
    }
}

impl From<DocMentions> for Arc<Mentions> {
    fn from(m: DocMentions) -> Arc<Mentions> {
        Arc::new(Mentions::from(m))
    }
}

impl std::ops::Deref for Mentions {
    type Target = DocMentions;

    fn deref(&self) -> &DocMentions {
        self.decoded.get_or_init(|| {
            let stored = self.stored.lock().unwrap_or_else(|p| p.into_inner()).take();
            // stored bytes always have a layout (see `Mentions::stored`), so they decode
            let decoded = stored.as_ref().and_then(|(s, _)| DocMentions::decode(s.bytes()));
            if let Some((Stored::Shared(all, range), _)) = stored {
                all.release(range);
            }
            decoded.unwrap_or_default()
        })
    }
}

impl PartialEq for Mentions {
    fn eq(&self, other: &Mentions) -> bool {
        **self == **other
    }
}

impl Mentions {
    /// Mentions in their stored form (see [`DocMentions::encode`]), kept as they are: `None`
    /// when the bytes are not one.
    pub fn stored(bytes: &[u8]) -> Option<Mentions> {
        Mentions::keep(bytes, || Stored::Own(bytes.into()))
    }

    /// [`Mentions::stored`] for the record at `range` of `all`, which it keeps instead of a
    /// copy until [`Mentions::own_stored`] (or decoding) lets go of it: `None` when the range is
    /// outside `all` or its bytes are not a stored record.
    pub fn stored_in(all: &SharedBytes, range: Range<usize>) -> Option<Mentions> {
        let bytes = all.bytes().get(range.clone())?;
        Mentions::keep(bytes, || Stored::Shared(all.clone(), range))
    }

    fn keep(bytes: &[u8], stored: impl FnOnce() -> Stored) -> Option<Mentions> {
        let l = Layout::of(bytes)?;
        let counts = (l.meta.len(), l.loose.len() / 16);
        let loose_at = l.loose.as_ptr() as usize - bytes.as_ptr() as usize;
        Some(Mentions { decoded: OnceLock::new(), stored: Mutex::new(Some((stored(), loose_at))), counts })
    }

    /// If the stored form is a range of shared bytes, copy it: the shared bytes are released
    /// once no record keeps them.
    pub fn own_stored(&self) {
        if let Some((s @ Stored::Shared(..), _)) = &mut *self.stored.lock().unwrap_or_else(|p| p.into_inner()) {
            let own = Stored::Own(s.bytes().into());
            if let Stored::Shared(all, range) = std::mem::replace(s, own) {
                all.release(range);
            }
        }
    }

    /// Append the stored form to `out` (the stored bytes as they are, when not decoded).
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some((s, _)) = &*self.stored.lock().unwrap_or_else(|p| p.into_inner()) {
            out.extend_from_slice(s.bytes());
            return;
        }
        (**self).encode(out);
    }

    /// The number of recognised mentions and of loose words (without decoding).
    pub(crate) fn counts(&self) -> (usize, usize) {
        self.counts
    }

    /// Does any loose word have a key that `hit` accepts? Read from the stored form when the
    /// mentions are not decoded: a surname changing meaning scans every document's loose words.
    pub(crate) fn any_loose_key(&self, hit: impl Fn(keys::Key) -> bool) -> bool {
        if let Some(d) = self.decoded.get() {
            return d.loose.iter().any(|&(_, _, k)| hit(k));
        }
        match &*self.stored.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((s, at)) => s.bytes()[*at..].chunks_exact(16).any(|c| hit(u64_at(&c[8..]))),
            // decoded meanwhile
            None => self.loose.iter().any(|&(_, _, k)| hit(k)),
        }
    }
}

/// The stored byte of a kind (see [`Kind::ALL`]).
fn kind_byte(k: Kind) -> u8 {
    Kind::ALL.iter().position(|&x| x == k).unwrap_or(3) as u8
}

/// The stored byte of an evidence (see [`EVIDENCE`]).
fn evidence_byte(e: Evidence) -> u8 {
    EVIDENCE.iter().position(|&x| x == e).unwrap_or(4) as u8
}

/// Appending little-endian values: what [`Reader`] reads back.
trait Put {
    fn u8(&mut self, v: u8);
    fn u32(&mut self, v: u32);
    fn u64(&mut self, v: u64);
    fn count(&mut self, n: usize) {
        self.u32(n as u32);
    }
    fn str(&mut self, s: &str);
    fn strs(&mut self, v: &[String]) {
        self.count(v.len());
        v.iter().for_each(|s| self.str(s));
    }
}

impl Put for Vec<u8> {
    fn u8(&mut self, v: u8) {
        self.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.count(s.len());
        self.extend_from_slice(s.as_bytes());
    }
}

fn u32_at(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn u64_at(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// A cursor over stored bytes; every read checks what is left.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    /// A count of items at least `min_size` bytes each: more than the bytes left can hold is
    /// damage (and would otherwise ask for memory that is not needed).
    fn len(&mut self, min_size: usize) -> Option<usize> {
        let n = u32_at(self.take(4)?) as usize;
        (n.checked_mul(min_size)? <= self.0.len()).then_some(n)
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.len(1)?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.len(4)?;
        self.list(n, Reader::string)
    }

    /// `n` items read one after the other, into a vector of exactly that size (collecting
    /// through `Option` would grow it step by step).
    fn list<T>(&mut self, n: usize, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Some(out)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32_at(self.take(4)?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64_at(self.take(8)?))
    }

    /// The end of a record: nothing may be left.
    fn done(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

impl DocMentions {
    /// Record a mention, its name and roles aside when it has any.
    fn add(&mut self, m: &Mention, det: MentionDetail, keys: MentionKeys) {
        let extra = if det.name.is_some() || !det.roles.is_empty() {
            self.extras.push((det.name, det.roles));
            (self.extras.len() - 1) as u32
        } else {
            u32::MAX
        };
        self.push(m.range.start as u32, m.range.end as u32, m.kind, det.evidence, extra, keys);
    }

    fn push(&mut self, start: u32, end: u32, kind: Kind, evidence: Evidence, extra: u32, k: MentionKeys) {
        let more = self.more.len() as u32;
        let mut flags = 0;
        if k.label != k.surface {
            flags |= LABEL;
            self.more.push(k.label);
        }
        if let Some(p) = k.person {
            flags |= PERSON;
            self.more.push(p);
        }
        if k.surname != k.surface {
            flags |= SURNAME;
            self.more.push(k.surname);
        }
        self.mentions.push(Recorded { start, end, extra, more, surface: k.surface, kind, evidence, flags });
    }

    /// The folded keys of mention `i`.
    pub(crate) fn keys(&self, i: usize) -> MentionKeys {
        let m = &self.mentions[i];
        let mut at = m.more as usize;
        let mut next = |bit: u8| {
            if m.flags & bit == 0 {
                return None;
            }
            at += 1;
            self.more.get(at - 1).copied()
        };
        let label = next(LABEL).unwrap_or(m.surface);
        let person = next(PERSON);
        let surname = next(SURNAME).unwrap_or(m.surface);
        MentionKeys { surface: m.surface, label, person, surname }
    }

    /// The recognised mentions: range and kind, in text order.
    pub fn mentions(&self) -> impl Iterator<Item = (Range<usize>, Kind)> + '_ {
        self.mentions.iter().map(|m| (m.start as usize..m.end as usize, m.kind))
    }

    pub fn len(&self) -> usize {
        self.mentions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mentions.is_empty()
    }

    /// Name and roles of mention `i`.
    pub(crate) fn extra(&self, i: usize) -> (Option<&str>, &[String]) {
        match self.extras.get(self.mentions[i].extra as usize) {
            Some((name, roles)) => (name.as_deref(), roles),
            None => (None, &[]),
        }
    }
}

/// Identity of an entity inside one [`EntityIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u32);

/// A place in a corpus document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub doc: DocId,
    pub range: Range<usize>,
}

/// Where go-to-definition lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Definition {
    /// The first mention of the fullest name in the corpus.
    Mention(Location),
    /// The entity's entry in the registry file (byte range in that file).
    Registry(Range<usize>),
}

/// A linked entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub name: String,
    pub kind: Kind,
    /// Other forms seen in the corpus (surname-only, possessive, Cyrillic, variants).
    pub forms: Vec<String>,
    /// Roles and descriptions gathered from context or the registry.
    pub roles: Vec<String>,
    /// The registry's description, when the entity has an entry.
    pub description: Option<String>,
    /// For a surname shared by several people of the corpus: their canonical names (not linked).
    pub candidates: Vec<String>,
}

/// Input for [`EntityIndex::build`] and [`EntityIndex::update`]: one document. The index keeps
/// these (shared) values, and an update relinks only documents whose values are not the same
/// objects as before.
#[derive(Clone, Debug)]
pub struct DocInput {
    pub id: DocId,
    /// Normalised path: documents are ordered by it, and hover cards show its file name.
    pub name: Arc<str>,
    pub text: Arc<str>,
    pub entities: Arc<Mentions>,
}

pub use link::EntityIndex;

/// Hover text for a Cyrillic word at `offset` (transliteration and gloss), when not an entity.
pub fn cyrillic_word_hover(text: &str, offset: usize) -> Option<(Range<usize>, String)> {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let is_word = |c: char| crate::translit::is_cyrillic(c) || c == '-';
    let before = text[..start].char_indices().rev().take_while(|&(_, c)| is_word(c)).last().map_or(start, |(i, _)| i);
    let after = text[start..].char_indices().find(|&(_, c)| !is_word(c)).map_or(text.len(), |(i, _)| start + i);
    let word = &text[before..after];
    if !crate::translit::has_cyrillic(word) {
        return None;
    }
    Some((before..after, format!("**{}** — transliteration of “{}”", crate::translit::transliterate(word), word)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_what_the_recogniser_finds() {
        let mut texts: Vec<String> =
            (0..60).map(|seed| crate::gen::article(seed, 3_000 + 200 * seed as usize)).collect();
        texts.push("Токаев и Назарбаев. President Tokayev met Nazarbayev's aide, Dr. Ivanov (UN).".into());
        texts.push(String::new());
        for t in &texts {
            assert_eq!(record(t), DocMentions::from(analyze(t)));
        }
    }

    #[test]
    fn mention_records_survive_their_stored_form() {
        for seed in 0..40 {
            let text = crate::gen::article(seed, 6_000);
            let d = record(&text);
            assert!(!d.is_empty());
            assert_eq!(stored(&d), Some(d), "article {seed}");
        }
        // every kind, evidence and key combination
        let e = DocEntities {
            mentions: (0..4)
                .map(|i| Mention { range: i * 10..i * 10 + 5, kind: Kind::ALL[i], surface: "x".into() })
                .collect(),
            details: EVIDENCE
                .iter()
                .take(4)
                .map(|&evidence| MentionDetail { name: Some("n".into()), roles: vec!["r".into()], evidence })
                .collect(),
            keys: vec![
                MentionKeys { surface: 1, label: 2, person: Some(3), surname: 4 },
                MentionKeys { surface: 5, label: 5, person: None, surname: 5 },
                MentionKeys { surface: 6, label: 6, person: Some(7), surname: 6 },
                MentionKeys { surface: 8, label: 9, person: None, surname: 8 },
            ],
            loose: vec![(40, 44, 11)],
        };
        let d = DocMentions::from(e);
        assert_eq!(stored(&d), Some(d.clone()));
        assert_eq!(stored(&DocMentions::default()), Some(DocMentions::default()));
    }

    fn stored(d: &DocMentions) -> Option<DocMentions> {
        let mut bytes = Vec::new();
        d.encode(&mut bytes);
        DocMentions::decode(&bytes)
    }

    #[test]
    fn damaged_stored_mentions_are_refused_or_give_fewer_mentions() {
        let d = record(&crate::gen::article(1, 4_000));
        let mut bytes = Vec::new();
        d.encode(&mut bytes);
        // every truncation and every extension is refused
        for cut in 0..bytes.len() {
            assert_eq!(DocMentions::decode(&bytes[..cut]), None, "cut at {cut}");
            assert!(Mentions::stored(&bytes[..cut]).is_none(), "kept stored when cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(DocMentions::decode(&longer), None);
        assert!(Mentions::stored(&longer).is_none());
        // any single damaged byte decodes to something or nothing, never a panic or an
        // out-of-range extra
        for at in 0..bytes.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[at] ^= x;
                // kept stored exactly when they decode: a kept record never fails later
                assert_eq!(Mentions::stored(&b).is_some(), DocMentions::decode(&b).is_some(), "byte {at} ^ {x}");
                if let Some(back) = DocMentions::decode(&b) {
                    assert!(back
                        .mentions
                        .iter()
                        .all(|m| m.extra == u32::MAX || (m.extra as usize) < back.extras.len()));
                    for i in 0..back.len() {
                        back.keys(i);
                    }
                }
            }
        }
    }

    #[test]
    fn stored_mentions_read_like_decoded_ones() {
        let article = record(&crate::gen::article(3, 5_000));
        assert!(!article.loose.is_empty() && !article.extras.is_empty(), "every part of a record is exercised");
        let text = "Токаев и Назарбаев. President Tokayev met Nazarbayev's aide, Dr. Ivanov (UN).";
        let docs = [article, record(text), DocMentions::default()];
        // the same records kept as copies, and as ranges of one shared file (after a header)
        let mut file = b"header".to_vec();
        let mut ranges = Vec::new();
        for d in &docs {
            let at = file.len();
            d.encode(&mut file);
            ranges.push(at..file.len());
        }
        let shared: SharedBytes = Arc::new(file);
        for (i, d) in docs.iter().enumerate() {
            let bytes = shared.bytes()[ranges[i].clone()].to_vec();
            let copy = Mentions::stored(&bytes).expect("a stored record");
            let in_file = Mentions::stored_in(&shared, ranges[i].clone()).expect("a stored record in the file");
            let owned = Mentions::stored_in(&shared, ranges[i].clone()).expect("a stored record in the file");
            owned.own_stored();
            for kept in [copy, in_file, owned] {
                check_stored(&kept, d, &bytes);
            }
        }
        // every record kept in the file has let go of it: copied out or decoded
        assert_eq!(Arc::strong_count(&shared), 1);
        let in_file: Vec<Mentions> =
            ranges.iter().map(|r| Mentions::stored_in(&shared, r.clone()).expect("a record")).collect();
        assert_eq!(Arc::strong_count(&shared), 1 + ranges.len());
        in_file.iter().for_each(Mentions::own_stored);
        assert_eq!(Arc::strong_count(&shared), 1, "copied out");
        assert_eq!(in_file.iter().map(|m| (**m).clone()).collect::<Vec<_>>(), docs);
        // a range that is not a record, or not in the file
        let len = shared.bytes().len();
        assert!(Mentions::stored_in(&shared, 0..ranges[0].end).is_none(), "the header is not part of a record");
        assert!(Mentions::stored_in(&shared, ranges[2].start..len + 1).is_none());
        assert!(Mentions::stored_in(&shared, len + 1..len + 2).is_none());
    }

    fn check_stored(kept: &Mentions, d: &DocMentions, bytes: &[u8]) {
        assert_eq!(kept.counts(), (d.mentions.len(), d.loose.len()));
        // loose words are read from the stored form, before and after decoding
        let keys: Vec<keys::Key> = d.loose.iter().map(|l| l.2).collect();
        for k in keys.iter().copied().chain([0, 1]) {
            assert_eq!(kept.any_loose_key(|x| x == k), keys.contains(&k), "key {k}");
        }
        // written back as they were read, without decoding
        let mut again = Vec::new();
        kept.encode(&mut again);
        assert_eq!(again, bytes);
        assert!(kept.decoded.get().is_none(), "not decoded by counting or writing");
        assert_eq!(&**kept, d);
        assert!(kept.stored.lock().unwrap().is_none(), "the stored form is dropped once decoded");
        for k in keys.iter().copied().chain([0, 1]) {
            assert_eq!(kept.any_loose_key(|x| x == k), keys.contains(&k), "key {k}, decoded");
        }
        let mut decoded = Vec::new();
        kept.encode(&mut decoded);
        assert_eq!(DocMentions::decode(&decoded).as_ref(), Some(d));
    }
}
