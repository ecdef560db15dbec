//! A corpus loaded from disk: the index cache read while the folders are walked and the files
//! read in parallel, then each document prepared with its cached mentions when the cache has
//! them for exactly the bytes read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dossier_engine::config::Config;
use dossier_engine::corpus::{Corpus, NewDoc};
use dossier_engine::entities::EntityIndex;
use dossier_engine::store::files::Stamp;
use dossier_engine::store::restore::{self, StoredDoc};
use dossier_engine::store::Refused;
use tracing::info;

use super::cache::{self, Cache};
use super::loader::{self, Skipped};

/// A corpus as read from disk.
#[derive(Default)]
pub struct Loaded {
    /// The documents, ready to insert (with their mentions when the cache had them).
    pub docs: Vec<NewDoc>,
    pub skipped: Vec<Skipped>,
    /// Per document read: its name, stamp and text as read (what the index cache stores).
    pub stamps: Vec<(Arc<str>, Stamp, Arc<str>)>,
    /// Documents whose mentions came from the cache.
    pub hits: usize,
    /// When every file came from the cache unchanged and the cache holds nothing else: the
    /// documents as stored, which the stored linked index is read back onto, and the cache's id.
    pub stored: Option<(Vec<StoredDoc>, u64)>,
    /// Why the index cache was not read, when it was not.
    pub cache_refused: Option<Refused>,
    /// Time spent reading (the cache read alongside), then preparing.
    pub times: (Duration, Duration),
}

/// Load the corpus under `roots`: every corpus file read and decoded, and the index cache under
/// `cache_root` (when given) read alongside. `progress` is called with the number of files
/// read so far and their total, from worker threads.
pub fn load(
    roots: &[PathBuf],
    config: &Config,
    cache_root: Option<&Path>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Loaded {
    let started = Instant::now();
    // the cache is read on its own thread while the folders are walked and the files read
    let (outcomes, cache) = std::thread::scope(|s| {
        let cache = s.spawn(|| {
            let t = Instant::now();
            let cache = cache_root.map(cache::load);
            if let Some(Ok(c)) = &cache {
                info!("index cache: {} entries read in {:.2} s", c.len(), t.elapsed().as_secs_f64());
            }
            cache
        });
        let t = Instant::now();
        let paths = loader::discover(roots, config);
        let total = paths.len();
        info!("found {total} corpus files in {:.2} s", t.elapsed().as_secs_f64());
        progress(0, total);
        let t = Instant::now();
        let outcomes = loader::read_all(&paths, config.max_file_size, &|n| progress(n, total));
        info!("read {total} files in {:.2} s", t.elapsed().as_secs_f64());
        (outcomes, cache.join().unwrap_or(None))
    });
    let (cache, cache_refused) = match cache {
        Some(Ok(c)) => (c, None),
        Some(Err(why)) => {
            if let Some(root) = cache_root {
                info!("index cache at {} not used: {why}; it will be rebuilt", cache::path(root).display());
            }
            (Cache::default(), Some(why))
        }
        None => (Cache::default(), None),
    };
    let read = started.elapsed();
    let (prepared, skipped) = loader::prepare_all(outcomes, &cache);
    let hits = prepared.iter().filter(|d| d.cached).count();
    let stamps = prepared.iter().map(|d| (d.doc.shared_name().clone(), d.stamp, d.doc.text().clone())).collect();
    let all_cached = hits > 0 && hits == prepared.len() && cache.len() == hits;
    let docs: Vec<NewDoc> = prepared.into_iter().map(|d| d.doc).collect();
    let stored = all_cached.then(|| (docs.iter().filter_map(stored_doc).collect(), cache.id()));
    let times = (read, started.elapsed() - read);
    Loaded { docs, skipped, stamps, hits, stored, cache_refused, times }
}

/// A document with cached mentions as the cache stored it.
fn stored_doc(d: &NewDoc) -> Option<StoredDoc> {
    Some(StoredDoc { name: d.shared_name().clone(), text: d.text().clone(), mentions: d.mentions()?.clone() })
}

/// Read the linked index stored under `root` beside the cache whose id is `cache_id` back onto
/// `stored` (see [`Loaded::stored`]), for `corpus`: the base it links from (see
/// `Corpus::link_from`).
pub fn restore(root: &Path, cache_id: u64, corpus: &Corpus, stored: &[StoredDoc]) -> Result<EntityIndex, Refused> {
    cache::load_links(root, cache_id, |all, body| restore::read_links(corpus, stored, all, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "President Kassym-Jomart Tokayev met the akim of Almaty on Monday.\n\
                     Tokayev said the new budget would be adopted in spring.\n";
    const B: &str = "The press service reported that Tokayev signed the decree.\n";

    fn corpus_of(loaded: Loaded) -> Corpus {
        let mut c = Corpus::new(Config::default());
        for d in loaded.docs {
            c.insert(d);
        }
        c
    }

    /// A reference by file name: (file, start, end).
    type Place = (String, usize, usize);

    /// Every entity's name and references by file name, sorted.
    fn answers(c: &Corpus) -> Vec<(String, Vec<Place>)> {
        let index = c.entities();
        let mut out: Vec<_> = index
            .all()
            .map(|(id, e)| {
                let refs = index.references(id);
                let refs =
                    refs.into_iter().map(|l| (c.get(l.doc).unwrap().name.to_string(), l.range.start, l.range.end));
                let mut refs: Vec<_> = refs.collect();
                refs.sort();
                (e.name.clone(), refs)
            })
            .collect();
        out.sort();
        out
    }

    /// Write the index cache of a loaded corpus, as the server does.
    fn write_cache(root: &Path, c: &Corpus, stamps: &[(Arc<str>, Stamp, Arc<str>)]) {
        let entries: Vec<_> =
            stamps.iter().map(|(k, s, _)| (k.clone(), *s, c.by_name(k).unwrap().entities().clone())).collect();
        let id = cache::store(root, &entries, |m, out| dossier_engine::store::mentions::write_any(&**m, out)).unwrap();
        cache::store_links(root, id, |w| dossier_engine::store::index::write(&c.entities(), None, w)).unwrap();
    }

    #[test]
    fn a_load_reads_the_cache_it_wrote_and_a_restore_survives_edits_made_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), A).unwrap();
        std::fs::write(root.join("b.txt"), B).unwrap();
        std::fs::write(root.join("skip.txt"), [0u8; 64]).unwrap();
        let roots = vec![loader::normalize(root)];
        let config = Config::default();
        let quiet = |_: usize, _: usize| {};

        // a first start: nothing cached
        let first = load(&roots, &config, Some(root), &quiet);
        assert!(matches!(first.cache_refused, Some(Refused::Format(_))), "no cache yet");
        assert_eq!((first.docs.len(), first.skipped.len(), first.hits), (2, 1, 0));
        assert!(first.stored.is_none());
        let stamps = first.stamps.clone();
        let c = corpus_of(first);
        write_cache(root, &c, &stamps);
        let linked = answers(&c);
        assert!(linked.iter().any(|(name, refs)| name == "Kassym-Jomart Tokayev" && refs.len() == 3), "{linked:?}");

        // a restart: every document from the cache, the linked index read back
        let again = load(&roots, &config, Some(root), &quiet);
        assert_eq!((again.hits, again.cache_refused.clone()), (2, None));
        let (stored, id) = again.stored.clone().expect("every file unchanged");
        let mut c = corpus_of(again);
        let base = restore(root, id, &c, &stored).expect("the stored linked index");
        c.link_from(Arc::new(base));
        assert_eq!(answers(&c), linked);

        // a restart while an editor opens and changes a.txt, and opens a document that is not
        // on disk: the stored index is read back onto the stored documents, then updated
        let again = load(&roots, &config, Some(root), &quiet);
        let (stored, id) = again.stored.clone().expect("every file unchanged");
        let mut c = corpus_of(again);
        let a = loader::key(&root.join("a.txt"));
        c.upsert(&a, format!("{A}Later Tokayev flew to Astana.\n").into(), Vec::new());
        c.upsert(&loader::key(&root.join("new.txt")), "Tokayev again.\n".into(), Vec::new());
        let base = restore(root, id, &c, &stored).expect("read onto the stored documents");
        c.link_from(Arc::new(base));
        let mut fresh = Corpus::new(Config::default());
        for e in c.docs() {
            fresh.upsert(&e.name, e.text.clone(), Vec::new());
        }
        assert_eq!(answers(&c), answers(&fresh), "the same answers as linking from scratch");
        assert!(answers(&c).iter().any(|(name, refs)| name == "Kassym-Jomart Tokayev" && refs.len() == 5));

        // a damaged linked index is refused with its reason
        let links = cache::links_path(root);
        let mut bytes = std::fs::read(&links).unwrap();
        let n = bytes.len();
        bytes[n / 2] ^= 1;
        std::fs::write(&links, bytes).unwrap();
        let again = load(&roots, &config, Some(root), &quiet);
        let (stored, id) = again.stored.clone().expect("every file unchanged");
        let c = corpus_of(again);
        assert_eq!(restore(root, id, &c, &stored).err(), Some(Refused::Checksum));
        // a file changed on disk: not every document comes from the cache, nothing is restored
        std::fs::write(root.join("b.txt"), format!("{B}Tokayev left.\n")).unwrap();
        let changed = load(&roots, &config, Some(root), &quiet);
        assert_eq!(changed.hits, 1);
        assert!(changed.stored.is_none());
    }
}
