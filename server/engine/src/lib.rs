//! The pure analysis core of Dossier.
//!
//! Data in, data out: no tokio, no LSP types, no filesystem. Texts are `&str`, positions inside
//! are byte offsets; [`text`] converts to line/column at the edge in the client's encoding.
//!
//! - [`text`]: lines and position conversion (UTF-8 / UTF-16, CRLF, lone CR, clamping).
//! - [`decode`]: bytes → text (BOM, UTF-8, UTF-16, Windows-1251, KOI8-R, Windows-1252, binary).
//! - [`translit`]: Cyrillic → Latin (Russian and Kazakh letters) and variant folding.
//! - [`diag`]: diagnostics, fixes and edits in byte ranges; severities and levels.
//! - [`config`]: `dossier.toml` and editor settings, merged and validated.
//! - [`rules`]: one file per rule behind the `Rule` trait, and the one list of codes.
//! - [`blocks`]: a text cut into blocks keyed by content hash (what edits reuse).
//! - [`entities`]: recognition in one document, linking across the corpus, entity queries.
//! - [`corpus`]: immutable, cheaply cloned snapshots of all documents and their analyses.
//! - [`features`]: what the editor features decide, in byte offsets.
//! - [`store`]: the index cache's formats (bytes ↔ values), and values read on first use.
//! - [`hash`]: every hash, and which of them must give the same value in every run.
//! - [`dates`]: the date of a document, from its date line.
#![warn(clippy::print_stdout)]
#![forbid(unsafe_code)]

pub mod blocks;
pub mod chrome;
pub mod config;
pub mod corpus;
pub mod dates;
pub mod decode;
pub mod diag;
pub mod entities;
pub mod features;
pub mod hash;
mod packed;
pub mod rules;
pub mod store;
pub mod text;
pub mod translit;

/// Identity of a document inside one [`corpus::Corpus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u32);
