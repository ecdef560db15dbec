//! Everything that touches the filesystem, and the only `unsafe` code of Dossier (the engine
//! forbids it): reading corpus files without a copy, mapping the index cache, tuning the
//! allocator and the threads' priorities.
//!
//! - [`loader`]: the walk (`.gitignore`, include/exclude globs, hidden folders, no links
//!   followed), reading and decoding files, `dossier.toml` and the registry.
//! - [`cache`]: the index cache files in `.dossier/`: mapped to be read, written atomically
//!   (what their bytes mean is `dossier_engine::store`'s).
//! - [`load()`]: a corpus loaded from disk, with what the cache kept of it; [`restore`]: its
//!   linked index read back.
//! - [`memory`]: how the process deals with the C allocator.
//! - [`priority`]: the heavy parallel work runs below the threads that answer requests.
//!
//! Architecture invariant: nothing here decides what a document means; every value read is
//! handed to the engine as text or as stored bytes.
#![allow(unsafe_code)]

pub mod cache;
mod load;
pub mod loader;
pub mod memory;
pub mod priority;

pub use load::{load, restore, Loaded};
