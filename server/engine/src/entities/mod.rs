//! Named entities: recognition in one document, linking across the corpus, and the queries the
//! editor features ask (hover card, references, definition, symbols, rename).
//!
//! Two levels, like every analysis here:
//! - [`record`] looks at one text and returns its [`DocMentions`] (mentions with their evidence
//!   and folded keys, compactly). It is pure and cached per text revision in the corpus snapshot;
//!   [`analyze`] returns the same with every surface and detail spelt out ([`DocEntities`]).
//! - [`EntityIndex::build`] links the mentions of all documents (and the optional registry) into
//!   entities, and [`EntityIndex::update`] relinks what changed. Queries are answered from the
//!   index.
//!
//! These are plain data. How they are stored in the index cache is [`crate::store`]'s business;
//! linking reads a document's mentions through the [`Mentions`] trait and keeps what it found in
//! each document and each entity's mentions as deferred values, so that an index read back from
//! the cache is only read where it is used.
//!
//! The API below is the contract used by the LSP layer and the CLI.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::DocId;

mod card;
mod gazetteer;
pub mod graph;
mod hover;
pub(crate) mod keys;
mod knowledge;
pub(crate) mod link;
mod mentions;
mod morph;
mod names;
mod recognize;
pub mod registry;
pub mod tagger;

pub use card::{Card, DateSpan, DocLine, Form, Passage, ReferencesLink, Related};
pub use graph::{by_month, Edge, Graph, GraphQuery, MonthPoint, Network, Node, Shared, TimePoint};
pub use hover::REFERENCES_HINT;
pub use keys::NameMap;
pub use mentions::{DocMentions, Mentions};
pub(crate) use mentions::{Loose, Recorded};
pub use recognize::{rule_mentions, Evidence};
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

/// What recognition finds in one document, with every mention's surface and details (see
/// [`DocMentions`] for the compact form that linking and the index cache keep). Serde builds it
/// from mentions given as data (the linking evaluation's gold mentions); its keys are then
/// computed from the surfaces.
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
    pub(crate) loose: Vec<Loose>,
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
    out.shrink_to_fit();
    out
}

/// Identity of an entity inside one [`EntityIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
/// these (shared) values, and an update relinks only documents whose name or text changed.
#[derive(Clone, Debug)]
pub struct DocInput {
    pub id: DocId,
    /// Normalised path: documents are ordered by it, and hover cards show its file name.
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// The mentions recognised in `text` (see [`record`]).
    pub entities: Arc<dyn Mentions>,
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
            (0..60).map(|seed| dossier_testgen::article(seed, 3_000 + 200 * seed as usize)).collect();
        texts.push("Токаев и Назарбаев. President Tokayev met Nazarbayev's aide, Dr. Ivanov (UN).".into());
        texts.push(String::new());
        for t in &texts {
            assert_eq!(record(t), DocMentions::from(analyze(t)));
        }
    }
}
