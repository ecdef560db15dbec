//! The hover card of an entity, in Markdown (see [`super::card`]).

use super::card::ReferencesLink;
use super::{EntityId, EntityIndex};
use crate::DocId;

/// What a card says about listing every reference when the editor offers no command for it.
pub const REFERENCES_HINT: &str = "“Find references” lists them all";

impl EntityIndex {
    /// The hover card in Markdown, read in document `from` (see [`super::Card::markdown`]).
    pub fn hover(&self, id: EntityId, from: DocId) -> String {
        self.hover_with(id, from, &ReferencesLink::Hint(REFERENCES_HINT))
    }

    /// The hover card with a given way to list every reference, as it can be drawn at once
    /// ([`EntityIndex::card_now`]).
    pub fn hover_with(&self, id: EntityId, from: DocId, references: &ReferencesLink) -> String {
        self.card_now(id).map(|c| c.markdown(Some(from), references)).unwrap_or_default()
    }
}
