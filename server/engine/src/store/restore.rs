//! A restart: the linked index read back for a corpus, then the cache files let go of.
//!
//! The stored index is read onto the documents exactly as the index cache stored them, not onto
//! the corpus as it is when the read finishes: an editor opens a document (and may change it)
//! while the corpus loads, and that document's text in the corpus is then the editor's. The
//! index read back becomes the base the corpus links from ([`Corpus::link_from`]), and the
//! first linking updates it with what differs, as after any edit.

use std::ops::Range;
use std::sync::Arc;

use super::codec::Refused;
use super::lazy::SharedBytes;
use crate::corpus::Corpus;
use crate::entities::{DocInput, EntityIndex, Mentions};
use crate::DocId;

/// A document as the index cache stored it.
#[derive(Clone, Debug)]
pub struct StoredDoc {
    pub name: Arc<str>,
    /// The text the stored mentions were recognised in (the file as read).
    pub text: Arc<str>,
    pub mentions: Arc<dyn Mentions>,
}

/// Read the linked index stored at `body` of `links` back onto `stored`, every document the
/// index was linked from as the index cache stored it, for `corpus`: each document has the id
/// it has in `corpus` (one that `corpus` no longer has gets an id of its own, and the next
/// update drops it). Give the result to [`Corpus::link_from`].
pub fn read_links(
    corpus: &Corpus,
    stored: &[StoredDoc],
    links: &SharedBytes,
    body: Range<usize>,
) -> Result<EntityIndex, Refused> {
    let mut gone = corpus.id_limit();
    let inputs: Vec<DocInput> = stored
        .iter()
        .map(|d| {
            let id = corpus.id(&d.name).unwrap_or_else(|| {
                gone += 1;
                DocId(gone - 1)
            });
            DocInput { id, name: d.name.clone(), text: d.text.clone(), entities: d.mentions.clone() }
        })
        .collect();
    let registry = corpus.registry();
    super::index::read(links, body, &inputs, registry.map(|r| &r.registry), registry.map(|r| &*r.text))
}

/// Stop keeping the cache files' bytes: copy out every document's mentions still kept as a
/// range of them, and read what the linked index (and the index it was updated from) still
/// keeps there. In parallel.
pub fn copy_out(corpus: &Corpus) {
    use rayon::prelude::*;
    let copy = |m: &Arc<dyn Mentions>| {
        if let Some(kept) = super::mentions::kept(&**m) {
            kept.copy_out();
        }
    };
    corpus.docs().par_iter().for_each(|e| e.entities_if_known().into_iter().for_each(copy));
    for index in corpus.entities_if_built().iter().chain(corpus.link_base()) {
        index.read_deferred();
        // (the index links documents with the corpus's mentions, except the documents the
        // index it was updated from had read from the cache and that are gone or changed since)
        index.docs.par_iter().flatten().for_each(|d| copy(&d.entities));
    }
}
