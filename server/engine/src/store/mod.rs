//! The index cache's formats: bytes ↔ values for everything a restart reads back, in one place.
//!
//! Pure, like the rest of the engine: the shell's `disk` module reads, maps and writes the files;
//! everything about what their bytes mean is here.
//!
//! - [`files`]: the two cache files and their one framing (magic, version, build, checksum).
//!   `index.bin` holds each corpus file's stamp and recognised mentions, `links.bin` the
//!   linked index.
//! - [`mentions`]: a document's recognised mentions ([`crate::entities::DocMentions`]).
//! - [`index`]: the linked index ([`crate::entities::EntityIndex`]).
//! - [`Lazy`]: a value kept in its stored form and read on first use. A restart keeps most of
//!   what it reads back unread: the mentions of documents whose linked index is read back, and
//!   what linking found in each document and each entity's mentions, until a query needs them.
//! - [`restore`]: the linked index read back for a corpus (even one whose open documents differ
//!   from the stored ones), and the cache files let go of afterwards.
//!
//! Each stored type has one reader, which either checks bytes or builds the value from them
//! (see [`Reader`]): a value kept unread was accepted by the same code that reads it later.
//! Readers say why they refuse bytes ([`Refused`]), and the server logs it when a restart links
//! again.
//!
//! Adding a field to a document's mentions touches [`crate::entities::DocMentions`]'s record and
//! one line in [`mentions`] (see there).

mod codec;
pub mod files;
pub mod index;
mod lazy;
pub mod mentions;
pub mod restore;

pub use codec::{Reader, Refused};
pub use lazy::{Lazy, SharedBytes, StoredBytes};

impl<T: Send + Sync + std::fmt::Debug + Default> crate::entities::link::Deferred<T> for Lazy<T> {
    fn value(&self) -> &T {
        self.get()
    }
}
