//! The corpus: every document's text and its analysis, as a cheap-to-clone snapshot.
//!
//! Architecture invariants:
//! - A [`Corpus`] value is immutable once shared. Writers clone it (a vector of `Arc`s, cheap even
//!   for 100,000 documents), change their copy and publish it; readers keep answering from the
//!   snapshot they hold. Nothing here locks.
//! - A document's analysis is computed lazily, once per text, on whichever thread first needs it,
//!   and cached in its [`DocEntry`]. Changing a text or the configuration creates new entries, so
//!   a stale analysis can never be observed.
//! - One exception to immutability: the line census of the corpus-level `repeated-line` rule is
//!   shared by all snapshots and updated in place on every text change, so that an edit costs
//!   only its own lines. Changes are queued and applied when the census is next read, so that a
//!   bulk load is indexed (and answers entity queries) before its line keys are even computed.
//!   A reader may see a census a few edits newer than its texts; the rule's findings are
//!   computed on demand and never cached.
//! - Document identity is a [`DocId`] handed out here; the caller owns the mapping to paths/URIs
//!   through [`DocEntry::name`], which should be a normalised path.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::blocks::{self, Block, BlockKey};
use crate::config::Config;
use crate::diag::{Diagnostic, Level};
use crate::entities::{self, DocInput, EntityIndex, Mentions, NameMap, Registry, RegistryError};
use crate::rules::repeated_line::{self, LineCensus};
use crate::rules::{self, DocCtx, Mark, Part};
use crate::text::LineIndex;
use crate::DocId;

/// One document's text and what is known about it.
#[derive(Debug)]
pub struct DocEntry {
    pub id: DocId,
    /// Normalised path (or other stable name) of the document.
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// Increases with every change of this document's text; part of diagnostic result ids.
    pub revision: u64,
    /// Loader notices (encoding used, damaged bytes) shown as information diagnostics.
    pub notices: Arc<[String]>,
    /// Normalised line keys for the corpus-level line census, and the text's blocks with, per
    /// block, its slice of the keys (reused by the next revision); computed on first use.
    keys: OnceLock<Keys>,
    /// The block-scoped findings of the previous revision of this text, reused block by block.
    previous: Option<Arc<BlockFindings>>,
    block_findings: OnceLock<Arc<BlockFindings>>,
    /// What is computed from this text alone, each part on first use: `dossier check` never
    /// recognises entities, and a hover never runs the rules.
    lines: OnceLock<Arc<LineIndex>>,
    rule_findings: OnceLock<Arc<Vec<Diagnostic>>>,
    entities: OnceLock<Arc<dyn Mentions>>,
}

/// A document ready to be inserted: what [`Corpus::insert`] needs computed from the text alone.
#[derive(Debug)]
pub struct NewDoc {
    name: Arc<str>,
    text: Arc<str>,
    notices: Arc<[String]>,
    /// Computed beforehand for an edit (reusing the previous revision's); else on first use.
    keys: Option<Keys>,
    /// Entities known beforehand (from an index cache), so recognition is skipped.
    entities: Option<Arc<dyn Mentions>>,
}

/// Normalised line keys of a text and the trimmed range of each keyed line.
type LineKeys = Arc<[(u64, Range<usize>)]>;

/// A text's line keys and its blocks.
type Keys = (LineKeys, Arc<Blocks>);

/// The line keys and blocks of `text`; the keys of blocks that `old` (the previous revision)
/// had already keyed are reused.
fn keys_of(text: &str, old: Option<&DocEntry>) -> Keys {
    let blocks = blocks::blocks(text);
    let old = old.and_then(|o| o.keys.get());
    let reuse: HashMap<BlockKey, (usize, Range<u32>)> = old
        .map(|(_, o)| o.blocks.iter().zip(&o.keys).map(|(b, k)| (b.key, (b.range.start, k.clone()))).collect())
        .unwrap_or_default();
    let mut line_keys: Vec<(u64, Range<usize>)> = Vec::with_capacity(text.len() / 128 + 4);
    let mut ranges = Vec::with_capacity(blocks.len());
    for b in &blocks {
        let first = line_keys.len() as u32;
        match (old, reuse.get(&b.key)) {
            (Some((old_keys, _)), Some((old_start, k))) => {
                let from = &old_keys[k.start as usize..k.end as usize];
                line_keys.extend(
                    from.iter()
                        .map(|(h, r)| (*h, r.start - old_start + b.range.start..r.end - old_start + b.range.start)),
                );
            }
            _ => repeated_line::line_keys_into(&text[b.range.clone()], b.range.start, &mut line_keys),
        }
        ranges.push(first..line_keys.len() as u32);
    }
    (line_keys.into(), Arc::new(Blocks { blocks, keys: ranges }))
}

/// Up to this many queued documents, [`Corpus::diagnostics_now`] brings the census up to date.
const CENSUS_QUEUE_FOR_HOVER: usize = 500;

/// The line census and the changes not yet applied to it (see the module docs).
#[derive(Debug, Default)]
struct Census {
    table: LineCensus,
    /// Documents to add (`true`) or remove, in order.
    pending: Vec<(bool, Arc<DocEntry>)>,
}

/// A text's blocks, and where each block's line keys are in the document's key list.
#[derive(Debug, Default)]
struct Blocks {
    blocks: Vec<Block>,
    keys: Vec<Range<u32>>,
}

/// Findings and [`Mark`]s of the block-scoped rules, per block, relative to the block's start.
#[derive(Debug)]
struct BlockFindings {
    blocks: Arc<Blocks>,
    findings: Vec<Arc<BlockResult>>,
}

/// What the rules found in one block, relative to the block: findings, and marks per rule.
#[derive(Debug)]
struct BlockResult {
    findings: Vec<Diagnostic>,
    marks: Vec<Vec<Mark>>,
}

impl NewDoc {
    pub fn new(name: &str, text: Arc<str>, notices: Vec<String>) -> NewDoc {
        NewDoc::after(name, text, notices, None)
    }

    /// A new text of a document whose previous entry was `old`: the line keys of unchanged
    /// blocks are reused.
    fn after(name: &str, text: Arc<str>, notices: Vec<String>, old: Option<&DocEntry>) -> NewDoc {
        // An edit keys its text now, reusing the previous revision's keys; a new document (a
        // bulk load) when the census is first read.
        let keys = old.map(|o| keys_of(&text, Some(o)));
        NewDoc { name: name.into(), text, notices: notices.into(), keys, entities: None }
    }

    /// The same document with its mentions already known (kept by an index cache for exactly
    /// this text, possibly still unread); they are used instead of recognising them again.
    pub fn with_mentions(mut self, entities: Arc<dyn Mentions>) -> NewDoc {
        self.entities = Some(entities);
        self
    }

    /// The mentions known beforehand, if any.
    pub fn mentions(&self) -> Option<&Arc<dyn Mentions>> {
        self.entities.as_ref()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name, shared (the corpus keeps this one when it inserts the document).
    pub fn shared_name(&self) -> &Arc<str> {
        &self.name
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }
}

impl DocEntry {
    fn with_keys(
        id: DocId,
        name: Arc<str>,
        text: Arc<str>,
        revision: u64,
        notices: Arc<[String]>,
        keys: Option<Keys>,
    ) -> DocEntry {
        DocEntry {
            id,
            name,
            text,
            revision,
            notices,
            keys: keys.map(OnceLock::from).unwrap_or_default(),
            previous: None,
            block_findings: OnceLock::new(),
            lines: OnceLock::new(),
            rule_findings: OnceLock::new(),
            entities: OnceLock::new(),
        }
    }

    /// The same text under another name/revision, with nothing analysed yet.
    fn renewed(&self, name: Arc<str>, revision: u64) -> DocEntry {
        let keys = self.keys.get().cloned();
        let entry = DocEntry::with_keys(self.id, name, self.text.clone(), revision, self.notices.clone(), keys);
        // recognition depends on the text alone
        if let Some(known) = self.entities.get() {
            let _ = entry.entities.set(known.clone());
        }
        entry
    }

    /// The text's line keys and blocks.
    fn keys(&self) -> &Keys {
        self.keys.get_or_init(|| keys_of(&self.text, None))
    }

    fn line_keys(&self) -> &LineKeys {
        &self.keys().0
    }

    fn blocks(&self) -> &Arc<Blocks> {
        &self.keys().1
    }

    /// The line index of the text.
    pub fn lines(&self) -> &Arc<LineIndex> {
        self.lines.get_or_init(|| Arc::new(LineIndex::new(&self.text)))
    }

    /// The entities recognised in this text alone (before corpus linking).
    pub fn entities(&self) -> &Arc<dyn Mentions> {
        self.entities.get_or_init(|| Arc::new(entities::record(&self.text)))
    }

    /// [`DocEntry::entities`] if they are known already (never recognises).
    pub fn entities_if_known(&self) -> Option<&Arc<dyn Mentions>> {
        self.entities.get()
    }

    /// The per-document rules' findings and the loader's notices, sorted by position.
    pub fn rule_findings(&self, config: &Config) -> &Arc<Vec<Diagnostic>> {
        self.rule_findings.get_or_init(|| Arc::new(check_entry(self, config)))
    }

    /// The block-scoped findings to reuse for the next revision of this text. A text that was
    /// never edited has none, and its next revision is analysed block by block in full.
    fn reusable_findings(&self) -> Option<Arc<BlockFindings>> {
        let empty = || Arc::new(BlockFindings { blocks: Arc::default(), findings: Vec::new() });
        Some(self.block_findings.get().or(self.previous.as_ref()).cloned().unwrap_or_else(empty))
    }
}

/// The registry file as loaded: its name, text, parsed entries and errors.
#[derive(Debug)]
pub struct RegistryFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    pub lines: LineIndex,
    pub registry: Registry,
    pub errors: Vec<RegistryError>,
}

/// An immutable snapshot of the whole corpus.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    docs: Vec<Option<Arc<DocEntry>>>,
    /// Shared between snapshots until a document is added, removed or renamed: an edit of an
    /// existing document clones the corpus without copying 100,000 names.
    by_name: Arc<NameMap<Arc<str>, DocId>>,
    config: Arc<Config>,
    /// Increases with every configuration change; part of diagnostic result ids.
    config_revision: u64,
    next_revision: u64,
    registry: Option<Arc<RegistryFile>>,
    /// The linked entities of this snapshot, built on first use.
    entity_index: Arc<OnceLock<Arc<EntityIndex>>>,
    /// The last linked entities built for an earlier snapshot: the next build updates it.
    linked_before: Option<Arc<EntityIndex>>,
    /// Where every normalised line occurs (shared by all snapshots; see the module docs).
    census: Arc<Mutex<Census>>,
}

impl Corpus {
    pub fn new(config: Config) -> Corpus {
        Corpus { config: Arc::new(config), ..Corpus::default() }
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    pub fn config_revision(&self) -> u64 {
        self.config_revision
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn id(&self, name: &str) -> Option<DocId> {
        self.by_name.get(name).copied()
    }

    pub fn get(&self, id: DocId) -> Option<&Arc<DocEntry>> {
        self.docs.get(id.0 as usize)?.as_ref()
    }

    pub fn by_name(&self, name: &str) -> Option<&Arc<DocEntry>> {
        self.get(self.id(name)?)
    }

    /// All documents in a stable order (by name).
    pub fn docs(&self) -> Vec<&Arc<DocEntry>> {
        let mut v: Vec<&Arc<DocEntry>> = self.docs.iter().flatten().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Insert or replace a document's text. Returns its id (stable across replacements).
    pub fn upsert(&mut self, name: &str, text: Arc<str>, notices: Vec<String>) -> DocId {
        let old = self.by_name(name).cloned();
        self.insert(NewDoc::after(name, text, notices, old.as_deref()))
    }

    /// Make room for `additional` more documents (before inserting a whole folder).
    pub fn reserve(&mut self, additional: usize) {
        self.docs.reserve(additional);
        Arc::make_mut(&mut self.by_name).reserve(additional);
    }

    /// Insert or replace a document prepared beforehand (off any lock, in parallel for a bulk
    /// load). Returns its id (stable across replacements).
    pub fn insert(&mut self, doc: NewDoc) -> DocId {
        let NewDoc { name, text, notices, keys, entities } = doc;
        self.touch();
        // the name the corpus already keeps, else this one (not copied)
        let (id, name) = match self.by_name.get_key_value(&*name) {
            Some((kept, &id)) => (id, kept.clone()),
            None => {
                let id = DocId(self.docs.len() as u32);
                self.docs.push(None);
                Arc::make_mut(&mut self.by_name).insert(name.clone(), id);
                (id, name)
            }
        };
        let mut entry = DocEntry::with_keys(id, name, text, self.next_revision, notices, keys);
        if let Some(known) = entities {
            let _ = entry.entities.set(known);
        }
        entry.previous = self.docs[id.0 as usize].as_ref().and_then(|old| old.reusable_findings());
        let entry = Arc::new(entry);
        {
            let mut census = self.census.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(old) = &self.docs[id.0 as usize] {
                census.pending.push((false, old.clone()));
            }
            census.pending.push((true, entry.clone()));
        }
        self.docs[id.0 as usize] = Some(entry);
        id
    }

    /// Remove a document. Its id is not reused.
    pub fn remove(&mut self, name: &str) -> Option<DocId> {
        let id = *self.by_name.get(name)?;
        Arc::make_mut(&mut self.by_name).remove(name);
        self.touch();
        if let Some(old) = self.docs[id.0 as usize].take() {
            self.census.lock().unwrap_or_else(|p| p.into_inner()).pending.push((false, old));
        }
        Some(id)
    }

    /// Rename a document, keeping its text and id.
    pub fn rename(&mut self, from: &str, to: &str) -> Option<DocId> {
        let old = self.get(self.id(from)?)?.clone();
        self.remove(from);
        self.remove(to);
        self.touch();
        let id = old.id;
        let name: Arc<str> = Arc::from(to);
        Arc::make_mut(&mut self.by_name).insert(name.clone(), id);
        let entry = Arc::new(old.renewed(name, self.next_revision));
        self.census.lock().unwrap_or_else(|p| p.into_inner()).pending.push((true, entry.clone()));
        self.docs[id.0 as usize] = Some(entry);
        Some(id)
    }

    /// Replace the configuration; every analysis is recomputed on demand.
    pub fn set_config(&mut self, config: Config) {
        if *self.config == config {
            return;
        }
        self.config = Arc::new(config);
        self.config_revision += 1;
        self.touch();
        for slot in self.docs.iter_mut() {
            if let Some(e) = slot {
                *slot = Some(Arc::new(e.renewed(e.name.clone(), e.revision)));
            }
        }
    }

    /// Every change makes a new revision and drops the linked-entity cache of this copy (kept
    /// as the base of the next, incremental, linking).
    fn touch(&mut self) {
        self.next_revision += 1;
        if let Some(index) = self.entity_index.get() {
            self.linked_before = Some(index.clone());
        }
        self.entity_index = Arc::default();
    }

    /// Set (or clear) the registry file.
    pub fn set_registry(&mut self, name: &str, text: Option<Arc<str>>) {
        self.touch();
        self.registry = text.map(|text| {
            let (registry, errors) = Registry::parse(&text);
            Arc::new(RegistryFile { name: name.into(), lines: LineIndex::new(&text), text, registry, errors })
        });
    }

    pub fn registry(&self) -> Option<&Arc<RegistryFile>> {
        self.registry.as_ref()
    }

    /// The linked entities of the whole corpus, built now if needed: documents not yet
    /// recognised are recognised in parallel, then the index of an earlier snapshot is updated
    /// with the documents that changed since (see [`EntityIndex::update`]).
    pub fn entities(&self) -> Arc<EntityIndex> {
        self.entity_index
            .get_or_init(|| {
                let docs: Vec<&Arc<DocEntry>> = self.docs.iter().flatten().collect();
                let new: Vec<&&Arc<DocEntry>> = docs.iter().filter(|e| e.entities.get().is_none()).collect();
                if new.len() > 1 {
                    new.par_iter().for_each(|e| {
                        e.entities();
                    });
                }
                let inputs = docs.iter().map(|e| DocInput {
                    id: e.id,
                    name: e.name.clone(),
                    text: e.text.clone(),
                    entities: e.entities().clone(),
                });
                let registry = self.registry.as_ref().map(|r| &r.registry);
                Arc::new(match &self.linked_before {
                    Some(before) => before.update(inputs, registry),
                    None => EntityIndex::build(inputs, registry),
                })
            })
            .clone()
    }

    /// Link this snapshot (and the snapshots derived from it, until one is linked) by updating
    /// `base` instead of the last index built: an index of these documents, or of most of them,
    /// read back from the index cache (see [`crate::store::restore`]). Documents that differ
    /// from `base`'s are linked again by the update; the result does not depend on the base.
    /// Nothing changes when this snapshot's index is built already.
    pub fn link_from(&mut self, base: Arc<EntityIndex>) {
        if self.entity_index.get().is_none() {
            self.linked_before = Some(base);
            // a fresh slot: a build of the old one already running elsewhere is not waited for
            self.entity_index = Arc::default();
        }
    }

    /// The index the next linking updates, if any (see [`Corpus::link_from`]).
    pub fn link_base(&self) -> Option<&Arc<EntityIndex>> {
        self.linked_before.as_ref()
    }

    /// Every document id of this corpus is below this (ids are never reused).
    pub fn id_limit(&self) -> u32 {
        self.docs.len() as u32
    }

    /// Run the per-document rules on every document, in parallel (results are cached).
    pub fn check_all(&self) {
        self.docs.par_iter().flatten().for_each(|e| {
            e.rule_findings(&self.config);
        });
    }

    /// The line index of a document.
    pub fn lines(&self, id: DocId) -> Option<Arc<LineIndex>> {
        Some(self.get(id)?.lines().clone())
    }

    /// The per-document rules' findings (and loader notices) of a document, computed now if needed.
    pub fn rule_findings(&self, id: DocId) -> Option<Arc<Vec<Diagnostic>>> {
        Some(self.get(id)?.rule_findings(&self.config).clone())
    }

    /// The diagnostics of a document: its rules' findings, the corpus-level findings, and the
    /// loader's notices, sorted by position.
    pub fn diagnostics(&self, id: DocId) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        self.for_each_diagnostic(id, |d| all.push(d.clone()));
        all
    }

    /// The diagnostics of a document as far as they are known without waiting, for a hover:
    /// while the line census is being brought up to date (the first seconds after a large load)
    /// the corpus-level findings are left out.
    pub fn diagnostics_now(&self, id: DocId) -> Vec<Diagnostic> {
        let Some(own) = self.rule_findings(id) else { return Vec::new() };
        let corpus_level = match (self.get(id), self.census_if_ready()) {
            (Some(e), Some(census)) => self.corpus_findings(&census, e, true),
            _ => Vec::new(),
        };
        merged(&own, &corpus_level).into_iter().cloned().collect()
    }

    /// Call `f` on every diagnostic of a document in the order of [`Corpus::diagnostics`], without
    /// copying the cached findings.
    pub fn for_each_diagnostic(&self, id: DocId, f: impl FnMut(&Diagnostic)) {
        let Some(own) = self.rule_findings(id) else { return };
        merged(&own, &self.corpus_diagnostics(id)).into_iter().for_each(f);
    }

    /// [`Corpus::for_each_diagnostic`], without keeping the rule findings cached if they were not
    /// already: for documents nobody has open, whose diagnostics are published once and rarely
    /// asked for again, so that memory does not grow with every finding of the corpus.
    pub fn for_each_diagnostic_transient(&self, id: DocId, f: impl FnMut(&Diagnostic)) {
        let Some(e) = self.get(id) else { return };
        let corpus_level = self.corpus_diagnostics(id);
        match e.rule_findings.get() {
            Some(own) => merged(own, &corpus_level).into_iter().for_each(f),
            None => merged(&check_entry(e, &self.config), &corpus_level).into_iter().for_each(f),
        }
    }

    /// A report over every document, for the command line: `render` turns a document and its
    /// diagnostics (in the order of [`Corpus::diagnostics`], corpus-level ones without related
    /// information) into a piece of the report, in parallel; `sink` takes the pieces in document
    /// order. Documents go through in batches and nothing is cached, so memory holds one batch
    /// of findings, not the whole corpus's.
    pub fn report<R: Send>(&self, render: impl Fn(&DocEntry, &[&Diagnostic]) -> R + Sync, mut sink: impl FnMut(R)) {
        const BATCH: usize = 64;
        let docs = self.docs();
        for batch in docs.chunks(BATCH) {
            let pieces: Vec<R> = batch
                .par_iter()
                .map(|e| {
                    let own = match e.rule_findings.get() {
                        Some(own) => own.clone(),
                        None => Arc::new(check_entry(e, &self.config)),
                    };
                    let corpus_level = self.corpus_diagnostics_with(e.id, false);
                    render(e, &merged(&own, &corpus_level))
                })
                .collect();
            pieces.into_iter().for_each(&mut sink);
        }
    }

    /// The line census with every queued change applied. The line keys of queued documents are
    /// computed first, in parallel and without the lock.
    fn census(&self) -> std::sync::MutexGuard<'_, Census> {
        let lock = || self.census.lock().unwrap_or_else(|p| p.into_inner());
        let todo: Vec<Arc<DocEntry>> =
            lock().pending.iter().filter(|(_, e)| e.keys.get().is_none()).map(|(_, e)| e.clone()).collect();
        if todo.len() > 1 {
            todo.par_iter().for_each(|e| {
                e.keys();
            });
        }
        drop(todo);
        let mut census = lock();
        let Census { table, pending } = &mut *census;
        for (add, e) in pending.drain(..) {
            if add {
                table.add(e.id, e.line_keys());
            } else {
                table.remove(e.id, e.line_keys());
            }
        }
        census
    }

    /// The line census if nobody is using it, brought up to date if few documents are queued
    /// (a few milliseconds of work).
    fn census_if_ready(&self) -> Option<std::sync::MutexGuard<'_, Census>> {
        let census = match self.census.try_lock() {
            Ok(c) => c,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        match census.pending.len() {
            0 => Some(census),
            n if n <= CENSUS_QUEUE_FOR_HOVER => {
                drop(census);
                Some(self.census())
            }
            _ => None,
        }
    }

    /// Bring the line census up to date now (it is otherwise brought up to date by the first
    /// diagnostics that need it).
    pub fn prepare_census(&self) {
        drop(self.census());
    }

    /// Findings that depend on other documents (`repeated-line`), with their fixes.
    fn corpus_diagnostics(&self, id: DocId) -> Vec<Diagnostic> {
        self.corpus_diagnostics_with(id, true)
    }

    /// [`Corpus::corpus_diagnostics`], with their related information only when `related` holds.
    fn corpus_diagnostics_with(&self, id: DocId, related: bool) -> Vec<Diagnostic> {
        let Some(e) = self.get(id) else { return Vec::new() };
        self.corpus_findings(&self.census(), e, related)
    }

    /// The corpus-level findings of a document from an up-to-date census.
    fn corpus_findings(&self, census: &Census, e: &DocEntry, related: bool) -> Vec<Diagnostic> {
        let mut ds = repeated_line::check_with(&census.table, e.id, e.line_keys(), self.len(), &self.config, related);
        let lines = e.lines();
        for d in &mut ds {
            d.fixes.push(repeated_line::delete_fix(e.id, lines, &d.range));
        }
        ds
    }

    /// The linked entities of this snapshot if they have been built already (never builds).
    pub fn entities_if_built(&self) -> Option<Arc<EntityIndex>> {
        self.entity_index.get().cloned()
    }

    /// Which lines of a document the corpus-level rules report (not their wording): changes when
    /// an edit elsewhere makes a line of this document start or stop being reported.
    pub fn corpus_findings_fingerprint(&self, id: DocId) -> Option<u64> {
        let e = self.get(id)?;
        let census = self.census();
        Some(repeated_line::reported_fingerprint(&census.table, id, e.line_keys(), self.len(), &self.config))
    }

    /// A result id that changes whenever a document's diagnostics may change: its text, the
    /// configuration, or the corpus-level findings that other documents cause.
    pub fn result_id(&self, id: DocId) -> Option<String> {
        use std::hash::{Hash, Hasher};
        let e = self.get(id)?;
        let mut h = crate::hash::StableHasher::default();
        for d in self.corpus_diagnostics(id) {
            (d.range.start, d.range.end, &d.message).hash(&mut h);
        }
        Some(format!("{}-{}-{:x}", e.revision, self.config_revision, h.finish()))
    }
}

/// A document's own findings followed by its corpus-level findings, all sorted by position
/// (stably: the own findings keep their order) when there are corpus-level ones.
fn merged<'a>(own: &'a [Diagnostic], corpus_level: &'a [Diagnostic]) -> Vec<&'a Diagnostic> {
    let mut all: Vec<&Diagnostic> = own.iter().chain(corpus_level).collect();
    if !corpus_level.is_empty() {
        all.sort_by_key(|d| (d.range.start, d.range.end));
    }
    all
}

/// Run the per-document rules on one document and add its loader notices (pure). Block-scoped
/// rules run per block, reusing the previous revision's findings for unchanged blocks.
fn check_entry(e: &DocEntry, config: &Config) -> Vec<Diagnostic> {
    let text: &str = &e.text;
    let lines = e.lines();
    let cx = DocCtx { doc: e.id, text, lines, config };
    // (a generated article has a few dozen findings; growing from empty copies them repeatedly)
    let mut diagnostics = Vec::with_capacity(32);
    if e.previous.is_none() {
        // A first analysis (a corpus load, `dossier check`): the whole text at once is cheaper,
        // and block findings are cached only once the document is edited.
        rules::check_part(&cx, Part::Whole, &mut Vec::new(), &mut diagnostics);
    } else {
        let per_block = e.block_findings.get_or_init(|| Arc::new(check_blocks(e, config)));
        // The marks of every block, shifted into the document, per rule.
        let mut marks: Vec<Vec<Mark>> = vec![Vec::new(); rules::RULES.len()];
        for (b, found) in per_block.blocks.blocks.iter().zip(&per_block.findings) {
            if found.marks.iter().all(Vec::is_empty) {
                continue;
            }
            let line = lines.line_of(b.range.start);
            for (all, m) in marks.iter_mut().zip(&found.marks) {
                all.extend(m.iter().map(|m| m.shifted(line, b.range.start)));
            }
        }
        rules::check_part(&cx, Part::Rest, &mut marks, &mut diagnostics);
        for (b, found) in per_block.blocks.blocks.iter().zip(&per_block.findings) {
            diagnostics.extend(found.findings.iter().map(|d| d.shifted(e.id, b.range.start)));
        }
    }
    rules::sort_findings(&mut diagnostics);
    let encoding = config.level(rules::ENCODING.code, rules::ENCODING.default_level);
    if let (Level::On(severity), false) = (encoding, e.notices.is_empty()) {
        let first_line = lines.line_range(text, 0);
        for n in e.notices.iter() {
            let mut d = Diagnostic::new(rules::ENCODING.code, first_line.clone(), n.clone());
            d.severity = severity;
            diagnostics.insert(0, d);
        }
    }
    diagnostics
}

/// The block-scoped rules' findings of every block, relative to the block.
fn check_blocks(e: &DocEntry, config: &Config) -> BlockFindings {
    let mut known: HashMap<BlockKey, Arc<BlockResult>> = HashMap::new();
    if let Some(p) = &e.previous {
        known.extend(p.blocks.blocks.iter().zip(&p.findings).map(|(b, f)| (b.key, f.clone())));
    }
    let findings = e
        .blocks()
        .blocks
        .iter()
        .map(|b| {
            known
                .entry(b.key)
                .or_insert_with(|| {
                    let text = &e.text[b.range.clone()];
                    let lines = LineIndex::new(text);
                    let cx = DocCtx { doc: e.id, text, lines: &lines, config };
                    let mut findings = Vec::new();
                    let mut marks = Vec::new();
                    rules::check_part(&cx, Part::Block, &mut marks, &mut findings);
                    Arc::new(BlockResult { findings, marks })
                })
                .clone()
        })
        .collect();
    BlockFindings { blocks: e.blocks().clone(), findings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces inserted by the random edits: blank lines, chrome, Cyrillic, mojibake, homoglyphs.
    const PIECES: &[&str] = &[
        "x",
        "\n",
        "\n\n",
        "\r\n",
        " и ",
        "Read also:\n",
        "\nФото: Асель Тулегенова (слева)\n",
        "Ð¢Ð¾ÐºÐ°ÐµÐ²",
        "Tokаyev",
        "года3",
        "&nbsp;",
        "Subscribe to our Telegram channel\n\n",
        "\nLatest news\n\n",
        "\nTokayev signs law on pensions\n",
        "\n14:25 Snowfall expected in northern regions",
        "\nMarch 2024\n",
        "\n\nAinur Kurmanov\n",
        "\n02.03.2022 23:57\n\n",
        "\nOn the first day of spring, the congress of the ruling party took place.\n",
        "\nOn the first day of spring, the congress of the...\n",
        "\n    13141516171819\n",
    ];

    fn edit(text: &str, at: usize, cut: usize, piece: &str) -> String {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{piece}{}", &text[..at], &text[end..])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Incremental re-analysis after random edits equals the analysis of a fresh corpus.
        #[test]
        fn incremental_diagnostics_equal_a_fresh_check(
            seed in 0u64..1000,
            edits in proptest::collection::vec((0usize..1 << 20, 0usize..40, 0..PIECES.len(), 0usize..3), 1..12),
        ) {
            let mut texts: Vec<String> = (0..3).map(|i| dossier_testgen::article(seed + i, 3000 + 2000 * i as usize)).collect();
            let mut c = Corpus::new(Config::default());
            let ids: Vec<DocId> =
                texts.iter().enumerate().map(|(i, t)| c.upsert(&format!("/c/{i}.txt"), t.as_str().into(), vec![])).collect();
            for (at, cut, piece, doc) in edits {
                texts[doc] = edit(&texts[doc], at, cut, PIECES[piece]);
                c.upsert(&format!("/c/{doc}.txt"), texts[doc].as_str().into(), vec![]);
                // analyse now and then, so that both chains (analysed or not) are exercised
                if at % 2 == 0 {
                    c.diagnostics(ids[doc]);
                }
            }
            let mut fresh = Corpus::new(Config::default());
            for (i, t) in texts.iter().enumerate() {
                fresh.upsert(&format!("/c/{i}.txt"), t.as_str().into(), vec![]);
            }
            for (i, &id) in ids.iter().enumerate() {
                prop_assert_eq!(&**c.get(id).unwrap().line_keys(), &repeated_line::line_keys(&texts[i])[..]);
                let lines = LineIndex::new(&texts[i]);
                let cx = DocCtx { doc: id, text: &texts[i], lines: &lines, config: c.config() };
                prop_assert_eq!(&*c.rule_findings(id).unwrap(), &rules::check_document(&cx));
                prop_assert_eq!(c.diagnostics(id), fresh.diagnostics(fresh.id(&format!("/c/{i}.txt")).unwrap()));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The census applies queued changes (inserts, replacements, removals, renames) in order,
        /// whether it is read after every change or only at the end.
        #[test]
        fn queued_census_changes_equal_a_fresh_corpus(
            ops in proptest::collection::vec((0u8..4, 0usize..5, 0usize..4, any::<bool>()), 1..24),
        ) {
            let lines = ["Subscribe to our channel in Telegram for regional news", "Read the latest news first on our website", "All rights reserved, reprint only with a link"];
            let text = |v: usize| {
                let mut t = format!("Story number {v} about the harvest.\n");
                for (i, l) in lines.iter().enumerate() {
                    if v & (1 << i) != 0 {
                        t.push_str(l);
                        t.push('\n');
                    }
                }
                t
            };
            let mut c = Corpus::new(Config::default());
            let mut state: std::collections::BTreeMap<String, usize> = Default::default();
            for (op, doc, variant, read) in ops {
                let name = format!("/c/{doc}.txt");
                match op {
                    0 | 1 => {
                        c.upsert(&name, text(variant + doc * 4).into(), vec![]);
                        state.insert(name.clone(), variant + doc * 4);
                    }
                    2 => {
                        c.remove(&name);
                        state.remove(&name);
                    }
                    _ => {
                        let to = format!("/c/{}.txt", (doc + 1) % 5);
                        if c.rename(&name, &to).is_some() {
                            let v = state.remove(&name).unwrap();
                            state.insert(to, v);
                        }
                    }
                }
                if read {
                    if let Some(id) = c.id(&name) {
                        c.diagnostics(id);
                    }
                }
            }
            let mut fresh = Corpus::new(Config::default());
            for (name, &v) in &state {
                fresh.upsert(name, text(v).into(), vec![]);
            }
            for name in state.keys() {
                let got: Vec<_> = c.diagnostics(c.id(name).unwrap()).into_iter().map(|d| (d.range, d.message)).collect();
                let want: Vec<_> =
                    fresh.diagnostics(fresh.id(name).unwrap()).into_iter().map(|d| (d.range, d.message)).collect();
                prop_assert_eq!(got, want, "{}", name);
            }
        }
    }

    #[test]
    fn snapshots_are_independent_and_analysis_follows_text() {
        let mut c = Corpus::new(Config::default());
        let a = c.upsert("/c/a.txt", "Hello и world".into(), vec![]);
        let snap = c.clone();
        assert_eq!(c.diagnostics(a).len(), 1);
        c.upsert("/c/a.txt", "Hello world".into(), vec![]);
        assert_eq!(c.diagnostics(a).len(), 0, "new text, new analysis");
        assert_eq!(snap.diagnostics(a).len(), 1, "the old snapshot is untouched");
        assert_ne!(snap.result_id(a), c.result_id(a));
    }

    #[test]
    fn repeated_lines_follow_every_change_of_the_corpus() {
        let template = "Subscribe to our channel in Telegram for breaking regional news";
        let mut c = Corpus::new(Config::default());
        let firsts =
            ["Floods hit the northern region.", "Parliament passes the budget.", "A new bridge opens in Atyrau."];
        let ids: Vec<DocId> = (0..3)
            .map(|i| c.upsert(&format!("/c/{i}.txt"), format!("{}\n{template}\n", firsts[i]).into(), vec![]))
            .collect();
        let flagged = |c: &Corpus, id| c.diagnostics(id).iter().filter(|d| d.code == "repeated-line").count();
        let d = c.diagnostics(ids[0]);
        let rep: Vec<_> = d.iter().filter(|d| d.code == "repeated-line").collect();
        assert_eq!(rep.len(), 1, "{d:?}");
        assert_eq!(rep[0].related.len(), 2, "the two other places are listed");
        assert!(rep[0].fixes.iter().any(|f| f.edits[0].new_text.is_empty()), "a delete-line fix");
        let before = c.result_id(ids[1]);
        // editing one document away from the template drops the count below three everywhere
        c.upsert("/c/2.txt", "A new bridge opens in Atyrau.\n".into(), vec![]);
        assert_eq!(flagged(&c, ids[0]), 0);
        assert_eq!(flagged(&c, ids[1]), 0);
        assert_ne!(before, c.result_id(ids[1]), "result ids follow corpus-level findings");
        c.upsert("/c/3.txt", format!("Wheat prices rise again.\n{template}\n").into(), vec![]);
        assert_eq!(flagged(&c, ids[1]), 1);
        c.remove("/c/3.txt");
        assert_eq!(flagged(&c, ids[1]), 0);
        c.rename("/c/1.txt", "/c/renamed.txt");
        c.upsert("/c/4.txt", format!("The election date is set.\n{template}\n").into(), vec![]);
        assert_eq!(flagged(&c, ids[0]), 1, "a renamed document keeps its lines in the census");
    }

    #[test]
    fn diagnostics_now_leave_out_what_waits_for_the_census() {
        let template = "Subscribe to our channel in Telegram for breaking regional news";
        let mut c = Corpus::new(Config::default());
        let ids: Vec<DocId> = (0..3)
            .map(|i| c.upsert(&format!("/c/{i}.txt"), format!("Story {i} и\n{template}\n").into(), vec![]))
            .collect();
        let codes = |ds: Vec<Diagnostic>| ds.into_iter().map(|d| d.code).collect::<Vec<_>>();
        // few documents queued: brought up to date
        let all = codes(c.diagnostics_now(ids[0]));
        assert_eq!(all, codes(c.diagnostics(ids[0])));
        // more than a hover waits for: only the document's own findings
        for i in 3..=3 + CENSUS_QUEUE_FOR_HOVER {
            c.upsert(&format!("/c/{i}.txt"), format!("Story {i}.\n{template}\n").into(), vec![]);
        }
        let own = codes(c.diagnostics_now(ids[0]));
        assert!(own.contains(&"untranslated-text") && !own.contains(&"repeated-line"), "{own:?}");
        c.prepare_census();
        let all = codes(c.diagnostics(ids[0]));
        assert!(all.contains(&"repeated-line"), "{all:?}");
        assert_eq!(codes(c.diagnostics_now(ids[0])), all, "an up-to-date census is read");
        // up to date but in use (by the diagnostics being published): not waited for
        let held = c.census.lock().unwrap();
        assert_eq!(codes(c.diagnostics_now(ids[0])), own);
        drop(held);
        let without: Vec<_> = all.iter().filter(|&&c| c != "repeated-line").copied().collect();
        assert_eq!(without, own);
    }

    #[test]
    fn config_change_reanalyses_and_rename_keeps_identity() {
        let mut c = Corpus::new(Config::default());
        let a = c.upsert("/c/a.txt", "Hello и world".into(), vec!["file is encoded as KOI8-R".into()]);
        let d = c.diagnostics(a);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].code, rules::ENCODING.code);
        let mut cfg = Config::default();
        cfg.rules.insert("untranslated-text".into(), crate::diag::Level::Off);
        let before = c.result_id(a);
        c.set_config(cfg);
        assert_eq!(c.diagnostics(a).len(), 1);
        assert_ne!(before, c.result_id(a));
        // the loader's notices have a level like any rule
        let mut cfg = c.config().as_ref().clone();
        cfg.rules.insert("encoding".into(), crate::diag::Level::On(crate::diag::Severity::Warning));
        c.set_config(cfg.clone());
        assert_eq!(c.diagnostics(a)[0].severity, crate::diag::Severity::Warning);
        cfg.rules.insert("encoding".into(), crate::diag::Level::Off);
        c.set_config(cfg);
        assert!(c.diagnostics(a).is_empty());
        assert_eq!(c.rename("/c/a.txt", "/c/b.txt"), Some(a));
        assert!(c.by_name("/c/a.txt").is_none());
        assert_eq!(c.by_name("/c/b.txt").map(|e| e.id), Some(a));
        assert_eq!(c.len(), 1);
        assert_eq!(c.remove("/c/b.txt"), Some(a));
        assert!(c.is_empty());
    }
}
