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
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::DocId;

mod gazetteer;
mod hover;
mod keys;
mod link;
mod recognize;
pub mod registry;

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
    DocMentions::from(recognize::analyze(text))
}

/// What one document contributes to the entity index, as kept in memory and in the index cache:
/// [`DocEntities`] without the copies of the text (a mention's surface is its range of the
/// text) and with the rare names and roles kept aside. About a quarter of the size.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "MentionsWire", from = "MentionsWire")]
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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
            let keys = e.keys.get(i).copied().unwrap_or_else(|| link::mention_keys(&m.surface, det.name.as_deref()));
            let extra = if det.name.is_some() || !det.roles.is_empty() {
                out.extras.push((det.name, det.roles));
                (out.extras.len() - 1) as u32
            } else {
                u32::MAX
            };
            out.push(m.range.start as u32, m.range.end as u32, m.kind, det.evidence, extra, keys);
        }
        out.mentions.shrink_to_fit();
        out.more.shrink_to_fit();
        out.extras.shrink_to_fit();
        out.loose.shrink_to_fit();
        out
    }
}

/// How [`DocMentions`] are stored (in the index cache): per mention its range, kind, evidence
/// and surface key, plus only the keys that differ from the surface key (most do not), and the
/// extras of the few mentions that have any. About a third of the size of the records in memory.
#[derive(Serialize, Deserialize)]
struct MentionsWire {
    spans: Vec<(u32, u32)>,
    /// kind | evidence << 2 | which keys follow in `more` (label, person, surname) << 5
    meta: Vec<u8>,
    surface: Vec<keys::Key>,
    more: Vec<keys::Key>,
    /// (mention, index in `extras`) of the mentions that have extras
    with_extra: Vec<(u32, u32)>,
    extras: Vec<(Option<String>, Vec<String>)>,
    loose: Vec<(u32, u32, keys::Key)>,
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

impl From<DocMentions> for MentionsWire {
    /// The in-memory records already keep their other keys aside (`more`, in mention order).
    fn from(d: DocMentions) -> MentionsWire {
        let mut w = MentionsWire {
            spans: d.mentions.iter().map(|m| (m.start, m.end)).collect(),
            meta: Vec::with_capacity(d.mentions.len()),
            surface: d.mentions.iter().map(|m| m.surface).collect(),
            more: d.more,
            with_extra: Vec::new(),
            extras: d.extras,
            loose: d.loose,
        };
        for (i, m) in d.mentions.iter().enumerate() {
            let kind = Kind::ALL.iter().position(|&x| x == m.kind).unwrap_or(3) as u8;
            let evidence = EVIDENCE.iter().position(|&x| x == m.evidence).unwrap_or(4) as u8;
            w.meta.push(kind | evidence << 2 | m.flags << 5);
            if m.extra != u32::MAX {
                w.with_extra.push((i as u32, m.extra));
            }
        }
        w
    }
}

impl From<MentionsWire> for DocMentions {
    /// Inconsistent input (a damaged cache that passed its checksum) gives fewer mentions or
    /// fewer keys, never a panic.
    fn from(w: MentionsWire) -> DocMentions {
        let n = w.spans.len().min(w.meta.len()).min(w.surface.len());
        let mut mentions = Vec::with_capacity(n);
        let mut at = 0u32;
        for i in 0..n {
            let ((start, end), meta) = (w.spans[i], w.meta[i]);
            let mut flags = meta >> 5;
            let wanted = flags.count_ones();
            if at as usize + wanted as usize > w.more.len() {
                flags = 0; // keys missing: the mention falls back to its surface key
            }
            mentions.push(Recorded {
                start,
                end,
                extra: u32::MAX,
                more: at,
                surface: w.surface[i],
                kind: Kind::ALL[(meta & 3) as usize],
                evidence: EVIDENCE.get(((meta >> 2) & 7) as usize).copied().unwrap_or(Evidence::Context),
                flags,
            });
            at += flags.count_ones();
        }
        for (i, x) in w.with_extra {
            if let Some(m) = mentions.get_mut(i as usize) {
                if (x as usize) < w.extras.len() {
                    m.extra = x;
                }
            }
        }
        DocMentions { mentions, more: w.more, extras: w.extras, loose: w.loose }
    }
}

impl DocMentions {
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
    pub entities: Arc<DocMentions>,
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
    fn mention_records_survive_their_stored_form() {
        for seed in 0..40 {
            let text = crate::gen::article(seed, 6_000);
            let d = record(&text);
            assert!(!d.is_empty());
            let json = serde_json::to_string(&d).expect("serialisable");
            let back: DocMentions = serde_json::from_str(&json).expect("deserialisable");
            assert_eq!(back, d, "article {seed}");
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
        let back: DocMentions = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn damaged_stored_mentions_give_fewer_mentions_not_a_panic() {
        let d = record(&crate::gen::article(1, 4_000));
        let mut wire = MentionsWire::from(d);
        wire.more.clear();
        wire.surface.pop();
        wire.with_extra.push((1_000_000, 5));
        wire.with_extra.push((0, 1_000_000));
        let back = DocMentions::from(wire);
        assert!(back.mentions.iter().all(|m| m.extra == u32::MAX || (m.extra as usize) < back.extras.len()));
    }
}
