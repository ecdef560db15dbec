//! The optional registry, `entities.toml`: hand-kept knowledge about entities.
//!
//! ```toml
//! [[entity]]
//! name = "Imangali Tasmagambetov"
//! kind = "person"                       # person | organization | place | other
//! aliases = ["Тасмагамбетов", "Tasmagambetov"]
//! description = "Kazakh politician, CSTO Secretary General 2023–2025"
//! roles = ["akim of Almaty"]
//! links = ["https://…"]
//! ```
//!
//! Parsing never fails as a whole: a malformed entry becomes a [`RegistryError`] with its byte
//! range, and the valid entries are kept.

use std::ops::Range;

use super::Kind;

#[derive(Clone, Debug, PartialEq)]
pub struct RegistryEntry {
    pub name: String,
    pub kind: Kind,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub roles: Vec<String>,
    pub links: Vec<String>,
    /// Byte range of the entry in the registry file.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registry {
    pub entries: Vec<RegistryEntry>,
}

impl Registry {
    /// Parse a registry file, keeping every valid entry.
    pub fn parse(_src: &str) -> (Registry, Vec<RegistryError>) {
        (Registry::default(), Vec::new())
    }
}
