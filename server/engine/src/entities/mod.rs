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

use crate::DocId;

pub mod registry;

pub use registry::{Registry, RegistryEntry, RegistryError};

/// The kind of a named entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    /// Byte range of the name as written (a possessive ending excluded).
    pub range: Range<usize>,
    pub kind: Kind,
    /// The name as written, possessive stripped ("Tasmagambetov's" → "Tasmagambetov").
    pub surface: String,
}

/// What one document contributes to the entity index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocEntities {
    pub mentions: Vec<Mention>,
}

/// Recognise the entity mentions of one document.
pub fn analyze(_text: &str) -> DocEntities {
    DocEntities::default()
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
}

/// Input for [`EntityIndex::build`]: one document.
pub struct DocInput<'a> {
    pub id: DocId,
    /// Display name (file name) used in hover cards.
    pub name: &'a str,
    pub text: &'a str,
    pub entities: &'a DocEntities,
}

/// All entities of the corpus, linked.
#[derive(Debug, Default)]
pub struct EntityIndex {
    entities: Vec<Entity>,
}

impl EntityIndex {
    /// Link the mentions of every document (and the registry's entries) into entities.
    pub fn build<'a>(_docs: impl IntoIterator<Item = DocInput<'a>>, _registry: Option<&Registry>) -> EntityIndex {
        EntityIndex::default()
    }

    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities.get(id.0 as usize)
    }

    /// Every entity, in a stable order.
    pub fn all(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities.iter().enumerate().map(|(i, e)| (EntityId(i as u32), e))
    }

    /// The entity mentioned at `offset` in `doc`, with the mention's range.
    pub fn at(&self, _doc: DocId, _offset: usize) -> Option<(EntityId, Range<usize>)> {
        None
    }

    /// The linked mentions of one document, sorted by position (semantic tokens, symbols, highlights).
    pub fn mentions_in(&self, _doc: DocId) -> Vec<(Range<usize>, EntityId, Kind)> {
        Vec::new()
    }

    /// Every mention of an entity in the corpus, sorted by document then position.
    pub fn references(&self, _id: EntityId) -> Vec<Location> {
        Vec::new()
    }

    pub fn definition(&self, _id: EntityId) -> Option<Definition> {
        None
    }

    /// The hover card in Markdown: name and kind word, forms with transliterations, roles,
    /// registry description, "N mentions in M documents", other documents with snippets.
    pub fn hover(&self, _id: EntityId, _from: DocId) -> String {
        String::new()
    }

    /// Entities whose name or forms match a workspace-symbol query (fuzzy, case-insensitive).
    pub fn search(&self, _query: &str, _limit: usize) -> Vec<EntityId> {
        Vec::new()
    }

    /// Total mentions and number of documents of an entity.
    pub fn counts(&self, _id: EntityId) -> (usize, usize) {
        (0, 0)
    }
}

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
