//! The protocol shell: lifecycle, document sync, corpus loading, configuration, diagnostics
//! publishing, and one-line request handlers that run [`crate::features`] on a snapshot.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use std::time::Instant;

use dossier_engine::config::Options;
use dossier_engine::corpus::{Corpus, NewDoc};
use dossier_engine::diag::Level;
use dossier_engine::rules;
use dossier_engine::store::files::Stamp;
use dossier_engine::store::{self, Refused};
use dossier_engine::DocId;
use rayon::prelude::*;
use ropey::Rope;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Bounded, Client, LanguageServer, NotCancellable, OngoingProgress};
use tracing::{error, info, warn};

use crate::convert::{self, key_of, TextPos};
use crate::disk::{self, cache, loader};
use crate::features;
use crate::loader::{ReadOutcome, CONFIG_FILE};
use crate::state::{ClientFlags, OpenDoc, Snap, State};

/// Documents whose diagnostics are computed and sent together when many are published.
const PUBLISH_BATCH: usize = 256;

/// The language server. Cheap to clone (a client handle and a shared state).
#[derive(Clone)]
pub struct Backend {
    client: Client,
    /// Where diagnostics are published (see [`crate::transport::Output`]).
    output: crate::transport::Output,
    state: Arc<Mutex<State>>,
    /// Becomes true when the first corpus load has finished.
    ready: Arc<tokio::sync::watch::Sender<bool>>,
    /// The index cache being written, awaited by `shutdown` so that it is never cut short.
    cache_write: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Backend {
    pub fn new(client: Client, output: crate::transport::Output) -> Backend {
        Backend {
            client,
            output,
            state: Arc::new(Mutex::new(State::new())),
            ready: Arc::new(tokio::sync::watch::channel(false).0),
            cache_write: Arc::default(),
        }
    }

    async fn publish_diagnostics(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let params = lsp::PublishDiagnosticsParams { uri, diagnostics, version };
        self.output.notify("textDocument/publishDiagnostics", &params).await;
    }

    /// Wait (bounded) for the first corpus load: answers that span documents must not come from
    /// a partial index (the first mention of a name may be in a file not read yet). Single-document
    /// requests (hover, tokens, symbols) answer at once.
    async fn wait_ready(&self) {
        let mut rx = self.ready.subscribe();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(60), rx.wait_for(|v| *v)).await;
    }

    /// Lock the state. A panic while holding the lock cannot leave it half-changed in a way
    /// that matters more than stopping would, so a poisoned lock is recovered.
    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn snap(&self) -> Snap {
        self.st().snap()
    }

    /// Run a request on a blocking thread with a snapshot. A panic becomes an error answer to
    /// this request only; the server carries on.
    async fn run<R, F>(&self, what: &'static str, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Snap) -> R + Send + 'static,
    {
        let snap = self.snap();
        match tokio::task::spawn_blocking(move || f(&snap)).await {
            Ok(r) => Ok(r),
            Err(e) => {
                let msg = panic_message(e);
                error!("{what} failed: {msg}");
                Err(jsonrpc::Error {
                    code: jsonrpc::ErrorCode::InternalError,
                    message: format!("dossier: internal error in {what}: {msg}").into(),
                    data: None,
                })
            }
        }
    }

    /// Compute and publish diagnostics for some documents (push mode), skipping any whose
    /// text changed meanwhile.
    fn publish(&self, ids: Vec<DocId>) {
        if ids.is_empty() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            // In batches: memory stays flat however many documents are published at once.
            for batch in ids.chunks(PUBLISH_BATCH) {
                this.publish_batch(batch.to_vec()).await;
            }
        });
    }

    async fn publish_batch(&self, ids: Vec<DocId>) {
        let snap = self.snap();
        let computed = tokio::task::spawn_blocking(move || {
            let one = |&id: &DocId| {
                let e = snap.corpus.get(id)?;
                let uri = snap.uri(&e.name)?;
                let fingerprint = snap.corpus.corpus_findings_fingerprint(id).unwrap_or_default();
                let diags = features::document_diagnostics(&snap, id);
                Some((e.name.to_string(), e.revision, uri, fingerprint, diags))
            };
            // An edited document is computed right here: in the thread pool it would wait
            // behind whatever batch of unopened documents is being published.
            if ids.len() <= 2 {
                ids.iter().filter_map(one).collect::<Vec<_>>()
            } else {
                ids.par_iter().filter_map(one).collect::<Vec<_>>()
            }
        })
        .await;
        let computed = match computed {
            Ok(c) => c,
            Err(e) => {
                error!("diagnostics failed: {}", panic_message(e));
                return;
            }
        };
        let many = computed.len() > 2;
        for (key, revision, uri, fingerprint, diags) in computed {
            if many {
                // before the check of the revision: what is sent after the pause is current
                self.output.yield_to_requests().await;
            }
            let version = {
                let mut st = self.st();
                let current = st.corpus.by_name(&key).map(|e| e.revision);
                if current != Some(revision) {
                    continue; // stale: a newer text will be published by its own task
                }
                st.pushed.insert(key.clone(), fingerprint);
                st.open.get(&key).map(|d| d.version)
            };
            self.publish_diagnostics(uri, diags, version).await;
        }
    }

    /// After a change to documents: push (when the client does not pull) or ask for a refresh.
    fn diagnostics_changed(&self, ids: Vec<DocId>) {
        let flags = self.st().flags.clone();
        if flags.pull {
            if flags.pull_refresh {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
        } else {
            self.publish(ids);
            self.recheck_other_documents();
        }
    }

    /// Debouncing: advance one of the state's generation counters and return its new value; a
    /// delayed task that finds the counter moved on has been superseded by a newer change.
    fn next_generation(&self, counter: fn(&mut State) -> &mut u64) -> u64 {
        let mut st = self.st();
        let c = counter(&mut st);
        *c += 1;
        *c
    }

    /// After a change, in push mode: other documents whose corpus-level findings changed (a line
    /// became, or stopped being, repeated across the corpus) are published again. Runs once
    /// typing pauses, off the runtime, comparing cheap fingerprints of what is reported.
    fn recheck_other_documents(&self) {
        let generation = self.next_generation(|st| &mut st.recheck_generation);
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let (snap, pushed) = {
                let st = this.st();
                // a newer change has scheduled its own check; a load publishes every document
                // when it is done (and the census it would read is not worth building before)
                if st.recheck_generation != generation || st.loading {
                    return;
                }
                (st.snap(), st.pushed.clone())
            };
            let changed = tokio::task::spawn_blocking(move || {
                pushed
                    .par_iter()
                    .filter_map(|(key, fp)| {
                        let id = snap.corpus.id(key)?;
                        (snap.corpus.corpus_findings_fingerprint(id)? != *fp).then_some(id)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            this.publish(changed);
        });
    }

    /// Link the entity index of the current snapshot in the background once typing pauses, so
    /// that the next hover does not wait for it; views drawn meanwhile from the per-document
    /// recognition (semantic tokens) are then asked to refresh.
    fn link_in_background(&self) {
        let generation = self.next_generation(|st| &mut st.link_generation);
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let snap = {
                let st = this.st();
                // a load links (or reads the linked index back) when it is done
                if st.link_generation != generation || st.loading || st.corpus.entities_if_built().is_some() {
                    return;
                }
                st.snap()
            };
            let corpus = snap.corpus.clone();
            if tokio::task::spawn_blocking(move || corpus.entities()).await.is_err() {
                error!("entity linking failed");
                return;
            }
            if this.st().link_generation == generation {
                this.refresh_views();
            }
        });
    }

    fn refresh_views(&self) {
        let flags = self.st().flags.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            if flags.semantic_refresh {
                let _ = client.semantic_tokens_refresh().await;
            }
            if flags.inlay_refresh {
                let _ = client.inlay_hint_refresh().await;
            }
        });
    }

    /// Publish the configuration file's own diagnostic (or clear it).
    async fn publish_config_diagnostic(&self) {
        let (root, err, enc, level) = {
            let st = self.st();
            let level = st.config().level(rules::CONFIG.code, rules::CONFIG.default_level);
            (st.roots.first().cloned(), st.config_error.clone(), st.enc, level)
        };
        let Some(root) = root else { return };
        let path = root.join(CONFIG_FILE);
        let Some(uri) = convert::uri_of(&path) else { return };
        let diags = match (err, level) {
            (Some(e), Level::On(severity)) => {
                let text = loader::read_text(&path).unwrap_or_default();
                let lines = dossier_engine::text::LineIndex::new(&text);
                let tp = TextPos { text: &text, lines: &lines, enc };
                vec![lsp::Diagnostic {
                    range: tp.range(e.range.clone().unwrap_or(0..0)),
                    severity: Some(convert::severity(severity)),
                    code: Some(lsp::NumberOrString::String(rules::CONFIG.code.into())),
                    source: Some("dossier".into()),
                    message: format!("{}; the previous valid configuration stays in force", e.message),
                    ..Default::default()
                }]
            }
            _ => vec![],
        };
        self.publish_diagnostics(uri, diags, None).await;
    }

    /// Publish the registry file's diagnostics (malformed entries).
    async fn publish_registry_diagnostics(&self) {
        let (reg, enc, level) = {
            let st = self.st();
            let level = st.config().level(rules::REGISTRY.code, rules::REGISTRY.default_level);
            (st.corpus.registry().cloned(), st.enc, level)
        };
        let Some(reg) = reg else { return };
        let Some(uri) = convert::uri_of(Path::new(&*reg.name)) else { return };
        let tp = TextPos { text: &reg.text, lines: &reg.lines, enc };
        let severity = match level {
            Level::On(severity) => severity,
            Level::Off => return self.publish_diagnostics(uri, vec![], None).await,
        };
        let diags = reg
            .errors
            .iter()
            .map(|e| lsp::Diagnostic {
                range: tp.range(e.range.clone()),
                severity: Some(convert::severity(severity)),
                code: Some(lsp::NumberOrString::String(rules::REGISTRY.code.into())),
                source: Some("dossier".into()),
                message: e.message.clone(),
                ..Default::default()
            })
            .collect();
        self.publish_diagnostics(uri, diags, None).await;
    }

    /// Ask the client for the `dossier` section and rebuild the configuration.
    async fn pull_client_config(&self) {
        if !self.st().flags.configuration {
            return;
        }
        let item = lsp::ConfigurationItem { scope_uri: None, section: Some("dossier".into()) };
        match self.client.configuration(vec![item]).await {
            Ok(mut v) => self.set_client_settings(v.pop().unwrap_or(Value::Null)).await,
            Err(e) => warn!("workspace/configuration failed: {e}"),
        }
    }

    /// Replace the editor's settings layer (`workspace/configuration` or
    /// `didChangeConfiguration`), and re-check everything if the configuration changed. Invalid
    /// settings are reported and the previous ones stay in force.
    async fn set_client_settings(&self, value: Value) {
        let layer = match Options::from_editor(value, &rules::all_codes()) {
            Ok(layer) => layer,
            Err(e) => {
                let message = format!("dossier: invalid settings: {e}; the previous configuration stays in force");
                return self.client.show_message(lsp::MessageType::WARNING, message).await;
            }
        };
        let changed = {
            let mut st = self.st();
            st.layers.client = layer;
            st.rebuild_config()
        };
        if changed {
            self.reload_after_config_change().await;
        }
    }

    /// Re-read `dossier.toml`, publish its diagnostic, and reload if the configuration changed.
    async fn reload_config_file(&self) {
        let changed = self.read_config_file();
        self.publish_config_diagnostic().await;
        if changed {
            self.reload_after_config_change().await;
        }
    }

    /// Read `dossier.toml` into the file layer; returns whether the configuration changed.
    fn read_config_file(&self) -> bool {
        let root = self.st().roots.first().cloned();
        let Some(root) = root else { return false };
        match loader::read_config_file(&root) {
            Ok(layer) => {
                let mut st = self.st();
                st.config_error = None;
                st.layers.file = layer.unwrap_or_default();
                st.rebuild_config()
            }
            Err(e) => {
                self.st().config_error = Some(e);
                false
            }
        }
    }

    /// After a configuration change: the file set may differ, and every diagnostic may.
    async fn reload_after_config_change(&self) {
        if self.st().loaded {
            self.load_corpus().await;
        }
    }

    fn load_registry(&self) {
        let mut st = self.st();
        let Some(path) = loader::registry_path(&st.roots, st.config()) else { return };
        let key = loader::key(&path);
        let text: Option<Arc<str>> = match st.open.get(&key) {
            Some(d) => Some(Arc::from(d.rope.to_string())),
            None => loader::read_text(&path).map(Arc::from),
        };
        st.edit_corpus(|c| c.set_registry(&key, text));
    }

    /// Scan the roots, read every corpus file in parallel, analyse, link, publish.
    async fn load_corpus(&self) {
        let (roots, config, flags) = {
            let mut st = self.st();
            st.loading = true;
            (st.roots.clone(), st.config().clone(), st.flags.clone())
        };
        // (also when the load is cut short)
        let _loading = scopeguard::guard((), |()| self.st().loading = false);
        let progress = self.begin_progress(flags.progress).await;
        let started = Instant::now();
        let cache_root = roots.first().filter(|_| config.cache_enabled).cloned();
        let loaded = self.read_corpus(roots, config, cache_root.clone(), progress.as_ref()).await;
        for s in &loaded.skipped {
            info!("skipped {}: {}", s.path.display(), s.reason);
        }
        let (hits, skipped, stamps, stored) = (loaded.hits, loaded.skipped, loaded.stamps, loaded.stored);
        let (read, prepared) = loaded.times;
        let inserting = Instant::now();
        let snapshot = self.install(loaded.docs);
        let inserted = inserting.elapsed();
        if let Some(p) = &progress {
            p.report_with_message("analysing and linking", 92).await;
        }
        let linking = Instant::now();
        let restore = cache_root.clone().zip(stored);
        let (snapshot, restored) = self.link_loaded(snapshot, restore).await;
        let n_docs = snapshot.len();
        info!(
            "indexed {n_docs} documents in {:.2} s: read and cache mapped {:.2} s, prepared {:.2} s, \
             inserted {:.2} s, {} {:.2} s",
            started.elapsed().as_secs_f64(),
            read.as_secs_f64(),
            prepared.as_secs_f64(),
            inserted.as_secs_f64(),
            if restored { "linked index read" } else { "recognised and linked" },
            linking.elapsed().as_secs_f64()
        );
        if let Some(root) = cache_root.filter(|_| !restored) {
            let snap = snapshot.clone();
            let handle = tokio::task::spawn_blocking(move || write_cache(&root, &snap, stamps));
            *self.cache_write.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        }
        self.announce(&snapshot, hits, &skipped, progress).await;
        release_cache_files(snapshot.clone());
        self.publish_registry_diagnostics().await;
        self.diagnostics_changed(snapshot.docs().iter().map(|e| e.id).collect());
        self.refresh_views();
    }

    /// Begin the indexing progress report, when the client shows progress.
    async fn begin_progress(&self, supported: bool) -> Option<OngoingProgress<Bounded, NotCancellable>> {
        let token = lsp::NumberOrString::String("dossier/index".into());
        if !supported || self.client.create_work_done_progress(token.clone()).await.is_err() {
            return None;
        }
        let progress = self.client.progress(token, "Dossier").with_message("scanning corpus").with_percentage(0);
        Some(progress.begin().await)
    }

    /// Read the corpus from disk (see [`disk::load`]) off the runtime, reporting progress.
    async fn read_corpus(
        &self,
        roots: Vec<PathBuf>,
        config: dossier_engine::config::Config,
        cache_root: Option<PathBuf>,
        progress: Option<&OngoingProgress<Bounded, NotCancellable>>,
    ) -> disk::Loaded {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let work = tokio::task::spawn_blocking(move || {
            disk::load(&roots, &config, cache_root.as_deref(), &|n, total| {
                let _ = tx.send((n, total));
            })
        });
        if let Some(p) = progress {
            while let Some((n, total)) = rx.recv().await {
                let pct = (n * 90).checked_div(total).unwrap_or(90) as u32;
                p.report_with_message(format!("reading {n}/{total} files"), pct).await;
            }
        }
        work.await.unwrap_or_else(|e| {
            error!("corpus load failed: {}", panic_message(e));
            disk::Loaded::default()
        })
    }

    /// Install loaded documents (open documents keep the editor's text; documents of an
    /// earlier load that are gone are removed) and the registry. Returns the new snapshot.
    fn install(&self, docs: Vec<NewDoc>) -> Arc<Corpus> {
        let mut st = self.st();
        // documents of an earlier load that are gone (none at the first load)
        let stale: Vec<String> = if st.corpus.is_empty() {
            Vec::new()
        } else {
            let keep: std::collections::HashSet<&str> =
                docs.iter().map(|d| d.name()).chain(st.open.keys().map(String::as_str)).collect();
            st.corpus.docs().iter().filter(|e| !keep.contains(&*e.name)).map(|e| e.name.to_string()).collect()
        };
        let open: std::collections::HashSet<String> = st.open.keys().cloned().collect();
        st.edit_corpus(|c| {
            for k in &stale {
                c.remove(k);
            }
            c.reserve(docs.len().saturating_sub(c.len()));
            for d in docs {
                if !open.contains(d.name()) && c.by_name(d.name()).is_none_or(|e| e.text != *d.text()) {
                    c.insert(d);
                }
            }
        });
        drop(st);
        self.load_registry();
        self.st().corpus.clone()
    }

    /// Link the loaded corpus: from the linked index in the index cache when every file came
    /// from the cache unchanged (`restore`: the cache's root, the documents as stored, the
    /// cache's id), else from scratch. Documents opened or changed during the load are linked
    /// again on top of the index read back. Returns the linked snapshot and whether the stored
    /// index was used.
    async fn link_loaded(
        &self,
        snapshot: Arc<Corpus>,
        restore: Option<(PathBuf, (Vec<dossier_engine::store::restore::StoredDoc>, u64))>,
    ) -> (Arc<Corpus>, bool) {
        let t = Instant::now();
        let read = match restore {
            Some((root, (stored, id))) => {
                let snap = snapshot.clone();
                let read = tokio::task::spawn_blocking(move || disk::restore(&root, id, &snap, &stored)).await;
                read.unwrap_or_else(|e| Err(Refused::Format(format!("failed: {}", panic_message(e)))))
            }
            None => Err(Refused::Format("not every document came from the index cache".into())),
        };
        let restored = read.is_ok();
        let snapshot = match read {
            Ok(base) => {
                info!("linked index read in {:.2} s", t.elapsed().as_secs_f64());
                let mut st = self.st();
                st.edit_corpus(|c| c.link_from(Arc::new(base)));
                st.linked_index = "read back".into();
                st.corpus.clone()
            }
            Err(why) => {
                info!("linked index not used ({why}); linking");
                self.st().linked_index = format!("linked: {why}");
                snapshot
            }
        };
        let corpus = snapshot.clone();
        let linked = tokio::task::spawn_blocking(move || {
            if !restored {
                // linking reads most mentions: they are not kept in the cache file beside it
                dossier_engine::store::restore::copy_out(&corpus);
            }
            corpus.entities();
        });
        if let Err(e) = linked.await {
            error!("analysis failed: {}", panic_message(e));
        }
        (snapshot, restored)
    }

    /// The index is ready: say so (progress end, skipped files) and let waiting requests run.
    async fn announce(
        &self,
        snapshot: &Corpus,
        hits: usize,
        skipped: &[loader::Skipped],
        progress: Option<OngoingProgress<Bounded, NotCancellable>>,
    ) {
        {
            let mut st = self.st();
            st.loaded = true;
            st.loading = false;
        }
        self.ready.send_replace(true);
        let n_docs = snapshot.len();
        let n_entities = snapshot.entities_if_built().map_or(0, |ix| ix.all().count());
        let msg = format!(
            "Indexed {n_docs} document{} ({n_entities} entities{}{})",
            if n_docs == 1 { "" } else { "s" },
            if hits == 0 { String::new() } else { format!(", {hits} unchanged in the index cache") },
            if skipped.is_empty() { String::new() } else { format!(", {} files skipped", skipped.len()) }
        );
        info!("{msg}");
        if !skipped.is_empty() {
            let list: Vec<String> =
                skipped.iter().take(5).map(|s| format!("{}: {}", s.path.display(), s.reason)).collect();
            let msg = format!("dossier: skipped {} file(s): {}", skipped.len(), list.join("; "));
            self.client.log_message(lsp::MessageType::WARNING, msg).await;
        }
        if let Some(p) = progress {
            p.finish_with_message(msg).await;
        }
    }

    /// Apply a watched-file event for one path.
    fn on_file_event(&self, path: &Path, typ: lsp::FileChangeType) -> Option<DocId> {
        let key = loader::key(path);
        let mut st = self.st();
        if st.open.contains_key(&key) {
            return None; // the editor's text wins
        }
        let filter = loader::Filter::new(st.config());
        if !filter.matches(&st.roots, Path::new(&key)) {
            return None;
        }
        if typ == lsp::FileChangeType::DELETED {
            st.edit_corpus(|c| c.remove(&key));
            return None;
        }
        let max = st.config().max_file_size;
        let roots = st.roots.clone();
        drop(st);
        if !loader::really_within(&roots, path) {
            info!("skipped {}: a symbolic link to a file outside the workspace (not followed)", path.display());
            self.st().edit_corpus(|c| c.remove(&key));
            return None;
        }
        let outcome = loader::read_file(path, max);
        let mut st = self.st();
        if st.open.contains_key(&key) {
            return None;
        }
        match outcome {
            ReadOutcome::Loaded(f) => Some(st.edit_corpus(|c| c.upsert(&f.key, f.text, f.notices))),
            ReadOutcome::Skipped(s) => {
                info!("skipped {}: {}", s.path.display(), s.reason);
                st.edit_corpus(|c| c.remove(&key));
                None
            }
        }
    }
}

/// Run a synchronous part of a notification handler; a panic is logged and turned into `None`
/// instead of ending the process (notifications have no answer to carry an error).
fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> Option<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(p) => {
            error!("{what} failed: {}", panic_text(&*p));
            None
        }
    }
}

/// Write the index cache for the files that are in `snap` with the text they had on disk.
fn write_cache(root: &Path, snap: &Corpus, stamps: Vec<(Arc<str>, Stamp, Arc<str>)>) {
    let entries: Vec<_> = stamps
        .into_iter()
        .filter_map(|(key, stamp, text)| {
            let e = snap.by_name(&key)?;
            (Arc::ptr_eq(&e.text, &text) || e.text == text).then(|| (key, stamp, e.entities().clone()))
        })
        .collect();
    let n = entries.len();
    let write =
        |m: &Arc<dyn dossier_engine::entities::Mentions>, out: &mut Vec<u8>| store::mentions::write_any(&**m, out);
    let id = match cache::store(root, &entries, write) {
        Ok(id) => {
            info!("index cache written: {n} files in {}", cache::path(root).display());
            id
        }
        Err(e) => return warn!("index cache not written ({}): {e}", cache::path(root).display()),
    };
    drop(entries);
    // The linked index, when it was linked from exactly the documents stored.
    let Some(index) = snap.entities_if_built().filter(|_| n == snap.len()) else { return };
    let registry = snap.registry().map(|r| &*r.text);
    match cache::store_links(root, id, |w| store::index::write(&index, registry, w)) {
        Ok(()) => info!("linked index written beside the index cache"),
        Err(e) => warn!("linked index not written ({}): {e}", cache::links_path(root).display()),
    }
}

/// After the index is announced, in the background: the co-occurrence network that hover cards
/// and the graph read is built; then what is still kept in the mapped cache files (mention
/// records, the linked index's documents and entities' mentions) is copied or read out of them,
/// so that they are no longer mapped, and memory is given back.
fn release_cache_files(kept: Arc<Corpus>) {
    tokio::task::spawn_blocking(move || {
        // first what hover cards and the graph read: who appears with whom, the documents' dates
        let t = Instant::now();
        kept.entities().network();
        info!("co-occurrence network built in {:.2} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        store::restore::copy_out(&kept);
        drop(kept);
        disk::memory::release_free_memory();
        info!("index cache files released in {:.2} s", t.elapsed().as_secs_f64());
    });
}

/// What a task that did not finish says: its panic's message, or why it was stopped.
fn panic_message(e: tokio::task::JoinError) -> String {
    e.try_into_panic().map_or_else(|e| e.to_string(), |p| panic_text(&*p))
}

/// The message of a panic.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn roots_of(p: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = p
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| loader::normalize(&p)))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(p) = p.root_uri.as_ref().and_then(|u| u.to_file_path()) {
            roots.push(loader::normalize(&p));
        }
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, p: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let enc = convert::negotiate(&p.capabilities);
        let flags = ClientFlags::from_caps(&p.capabilities);
        let roots = roots_of(&p);
        info!("initialize: roots {:?}, encoding {:?}", roots, enc);
        {
            let mut st = self.st();
            st.enc = enc;
            st.flags = flags.clone();
            st.roots = roots;
            match Options::from_editor(p.initialization_options.unwrap_or_default(), &rules::all_codes()) {
                Ok(layer) => {
                    st.layers.init = layer;
                    st.rebuild_config();
                }
                Err(e) => st.settings_error = Some(e.message),
            }
        }
        self.read_config_file();
        let diagnostic_provider = flags.pull.then(|| {
            lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                identifier: Some("dossier".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        });
        let caps = lsp::ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(enc)),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            })),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            definition_provider: Some(lsp::OneOf::Left(true)),
            references_provider: Some(lsp::OneOf::Left(true)),
            document_highlight_provider: Some(lsp::OneOf::Left(true)),
            document_symbol_provider: Some(lsp::OneOf::Left(true)),
            workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
            rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: features::token_legend(),
                    range: Some(true),
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    work_done_progress_options: Default::default(),
                },
            )),
            inlay_hint_provider: Some(lsp::OneOf::Left(true)),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::new(features::FIX_ALL_KIND),
                    lsp::CodeActionKind::new("refactor.dossier.registry"),
                ]),
                ..Default::default()
            })),
            diagnostic_provider,
            workspace: Some(lsp::WorkspaceServerCapabilities {
                workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            capabilities: caps,
            server_info: Some(lsp::ServerInfo {
                name: "dossier".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let (flags, settings_error) = {
            let st = self.st();
            (st.flags.clone(), st.settings_error.clone())
        };
        if let Some(e) = settings_error {
            self.client
                .show_message(lsp::MessageType::WARNING, format!("dossier: invalid initializationOptions: {e}"))
                .await;
        }
        // Nothing here waits for the client inline: a handler that awaits a client reply would
        // hold up `exit` for as long as the client does not answer.
        let this = self.clone();
        tokio::spawn(async move {
            this.register_watchers(flags.watch_dynamic).await;
            this.publish_config_diagnostic().await;
            this.pull_client_config().await;
            this.load_corpus().await;
        });
    }

    async fn shutdown(&self) -> Result<()> {
        crate::SHUTDOWN_REQUESTED.store(true, std::sync::atomic::Ordering::SeqCst);
        let pending = self.cache_write.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(write) = pending {
            let _ = write.await;
        }
        // the diagnostics published so far reach the client before this answer, and none after
        let output = self.output.clone();
        let _ = tokio::task::spawn_blocking(move || output.close(std::time::Duration::from_secs(2))).await;
        Ok(())
    }

    async fn did_open(&self, p: lsp::DidOpenTextDocumentParams) {
        let Some(key) = key_of(&p.text_document.uri) else { return };
        let doc = p.text_document;
        let id = {
            let mut st = self.st();
            let text: Arc<str> = Arc::from(doc.text.as_str());
            st.open
                .insert(key.clone(), OpenDoc { uri: doc.uri, version: doc.version, rope: Rope::from_str(&doc.text) });
            if is_special(&st, &key) {
                drop(st);
                self.after_text_change(&key, None);
                return;
            }
            // Every opened text document is analysed, even outside the include globs: the
            // reader asked for it.
            let notices = st.corpus.by_name(&key).map(|e| e.notices.to_vec()).unwrap_or_default();
            let same = st.corpus.by_name(&key).is_some_and(|e| e.text == text);
            if same {
                st.corpus.id(&key)
            } else {
                guarded("didOpen", || st.edit_corpus(|c| c.upsert(&key, text, notices)))
            }
        };
        self.after_text_change(&key, id);
    }

    async fn did_change(&self, p: lsp::DidChangeTextDocumentParams) {
        let Some(key) = key_of(&p.text_document.uri) else { return };
        // Mutate before any await: edits apply in arrival order.
        let id = {
            let mut st = self.st();
            let enc = st.enc;
            let Some(doc) = st.open.get_mut(&key) else {
                warn!("didChange for a document that is not open: {}", key);
                return;
            };
            for change in &p.content_changes {
                convert::apply_change(&mut doc.rope, change, enc);
            }
            doc.version = p.text_document.version;
            let text: Arc<str> = Arc::from(doc.rope.to_string());
            if is_special(&st, &key) {
                return; // configuration and registry are re-read when saved
            }
            let notices = st.corpus.by_name(&key).map(|e| e.notices.to_vec()).unwrap_or_default();
            guarded("didChange", || st.edit_corpus(|c| c.upsert(&key, text, notices)))
        };
        self.after_text_change(&key, id);
    }

    async fn did_save(&self, p: lsp::DidSaveTextDocumentParams) {
        let Some(key) = key_of(&p.text_document.uri) else { return };
        self.after_special_file_change(&key).await;
    }

    async fn did_close(&self, p: lsp::DidCloseTextDocumentParams) {
        let Some(key) = key_of(&p.text_document.uri) else { return };
        let path = PathBuf::from(&key);
        let (in_corpus, was_pushed) = {
            let mut st = self.st();
            st.open.remove(&key);
            let filter = loader::Filter::new(st.config());
            (filter.matches(&st.roots, &path), st.pushed.contains_key(&key))
        };
        // Back to the disk's text, or out of the corpus when it does not belong there (or was
        // deleted while open).
        let on_disk = in_corpus && loader::exists(&path);
        let id = if on_disk {
            self.on_file_event(&path, lsp::FileChangeType::CHANGED)
        } else {
            self.st().edit_corpus(|c| c.remove(&key));
            None
        };
        match id {
            Some(id) => self.diagnostics_changed(vec![id]),
            None if was_pushed && !on_disk => {
                self.st().pushed.remove(&key);
                self.publish_diagnostics(p.text_document.uri, vec![], None).await;
            }
            None => {}
        }
    }

    async fn did_change_configuration(&self, p: lsp::DidChangeConfigurationParams) {
        if self.st().flags.configuration {
            let this = self.clone();
            tokio::spawn(async move { this.pull_client_config().await });
        } else {
            self.set_client_settings(p.settings).await;
        }
    }

    async fn did_change_workspace_folders(&self, p: lsp::DidChangeWorkspaceFoldersParams) {
        {
            let mut st = self.st();
            for f in &p.event.removed {
                if let Some(path) = f.uri.to_file_path() {
                    let gone = loader::normalize(&path);
                    st.roots.retain(|r| *r != gone);
                }
            }
            for f in &p.event.added {
                if let Some(path) = f.uri.to_file_path() {
                    let new = loader::normalize(&path);
                    if !st.roots.contains(&new) {
                        st.roots.push(new);
                    }
                }
            }
        }
        let this = self.clone();
        tokio::spawn(async move { this.load_corpus().await });
    }

    async fn did_change_watched_files(&self, p: lsp::DidChangeWatchedFilesParams) {
        let mut changed = Vec::new();
        let mut special = Vec::new();
        for ev in p.changes {
            let Some(path) = ev.uri.to_file_path().map(|p| p.into_owned()) else { continue };
            let key = loader::key(&path);
            if is_special(&self.st(), &key) {
                special.push(key);
                continue;
            }
            if let Some(id) = self.on_file_event(&path, ev.typ) {
                changed.push(id);
            }
        }
        for key in special {
            self.after_special_file_change(&key).await;
        }
        if !changed.is_empty() {
            self.diagnostics_changed(changed);
        }
        self.refresh_views();
    }

    async fn hover(&self, p: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        self.run("hover", move |s| features::hover(s, p)).await
    }

    async fn goto_definition(&self, p: lsp::GotoDefinitionParams) -> Result<Option<lsp::GotoDefinitionResponse>> {
        self.wait_ready().await;
        self.run("definition", move |s| features::definition(s, p)).await
    }

    async fn references(&self, p: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        self.wait_ready().await;
        self.run("references", move |s| features::references(s, p)).await
    }

    async fn document_highlight(&self, p: lsp::DocumentHighlightParams) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        self.run("documentHighlight", move |s| features::highlight(s, p)).await
    }

    async fn document_symbol(&self, p: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        self.run("documentSymbol", move |s| features::document_symbols(s, p)).await
    }

    async fn symbol(&self, p: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        self.wait_ready().await;
        self.run("workspace/symbol", move |s| features::workspace_symbols(s, p)).await
    }

    async fn semantic_tokens_full(&self, p: lsp::SemanticTokensParams) -> Result<Option<lsp::SemanticTokensResult>> {
        let provisional = self.st().corpus.entities_if_built().is_none();
        if provisional {
            self.link_in_background();
        }
        self.run("semanticTokens", move |s| {
            features::semantic_tokens(s, &p.text_document.uri, None).map(lsp::SemanticTokensResult::Tokens)
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        p: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        if self.st().corpus.entities_if_built().is_none() {
            self.link_in_background();
        }
        self.run("semanticTokens/range", move |s| {
            features::semantic_tokens(s, &p.text_document.uri, Some(p.range))
                .map(lsp::SemanticTokensRangeResult::Tokens)
        })
        .await
    }

    async fn prepare_rename(&self, p: lsp::TextDocumentPositionParams) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.run("prepareRename", move |s| features::prepare_rename(s, p)).await
    }

    async fn rename(&self, p: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        self.wait_ready().await;
        self.run("rename", move |s| features::rename(s, p)).await
    }

    async fn inlay_hint(&self, p: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        self.run("inlayHint", move |s| features::inlay_hints(s, p)).await
    }

    async fn code_action(&self, p: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        self.run("codeAction", move |s| features::code_actions(s, p)).await
    }

    async fn diagnostic(&self, p: lsp::DocumentDiagnosticParams) -> Result<lsp::DocumentDiagnosticReportResult> {
        self.run("textDocument/diagnostic", move |s| features::document_report(s, p)).await
    }

    async fn workspace_diagnostic(
        &self,
        p: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        self.run("workspace/diagnostic", move |s| features::workspace_report(s, p)).await
    }
}

/// Is `key` the configuration file, the registry (either, or both)?
fn settings_file(st: &State, key: &str) -> (bool, bool) {
    let cfg = st.roots.first().map(|r| loader::key(&r.join(CONFIG_FILE)));
    let reg = loader::registry_path(&st.roots, st.config()).map(|p| loader::key(&p));
    (cfg.as_deref() == Some(key), reg.as_deref() == Some(key))
}

/// Is `key` the configuration file or the registry?
fn is_special(st: &State, key: &str) -> bool {
    let (cfg, reg) = settings_file(st, key);
    cfg || reg
}

impl Backend {
    /// `dossier/graph`: the co-occurrence graph (see [`crate::graph`]), once the corpus is indexed.
    pub async fn graph(&self, p: Value) -> Result<Value> {
        let invalid = |message: String| jsonrpc::Error {
            code: jsonrpc::ErrorCode::InvalidParams,
            message: format!("dossier/graph: {message}").into(),
            data: None,
        };
        let params: crate::graph::GraphParams = if p.is_null() {
            Default::default()
        } else {
            serde_json::from_value(p).map_err(|e| invalid(e.to_string()))?
        };
        self.wait_ready().await;
        self.run("dossier/graph", move |s| crate::graph::graph(s, params)).await?.map_err(invalid)
    }
}

#[cfg(debug_assertions)]
impl Backend {
    /// The server's text of a document (`{"uri": …}`), or null.
    pub async fn debug_text(&self, p: Value) -> Result<Value> {
        let uri: Option<lsp::Uri> = p.get("uri").and_then(|u| serde_json::from_value(u.clone()).ok());
        self.run("debug/text", move |s| {
            let d = uri.as_ref().and_then(|u| s.doc(u));
            d.map_or(Value::Null, |d| Value::String(d.entry.text.to_string()))
        })
        .await
    }

    /// How the last load linked: `"read back"` (the linked index stored in the index cache) or
    /// `"linked: "` and why the stored one was not used.
    pub async fn debug_index(&self, _p: Value) -> Result<Value> {
        Ok(Value::String(self.st().linked_index.clone()))
    }

    /// Panics inside a request: the fault trigger of the robustness tests.
    pub async fn debug_panic(&self, _p: Value) -> Result<Value> {
        self.run("debug/panic", |_| -> Value { panic!("fault trigger") }).await
    }
}

impl Backend {
    /// Ask the client to watch the corpus for us (when it supports dynamic registration).
    async fn register_watchers(&self, enabled: bool) {
        if enabled {
            let opts = lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String("**/*".into()),
                    kind: None,
                }],
            };
            let reg = lsp::Registration {
                id: "dossier-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(opts).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![reg]).await {
                warn!("file watching not registered: {e}");
            }
        }
    }

    /// Answer for a malformed message (see [`crate::transport`]).
    pub async fn parse_error(&self) -> Result<Value> {
        Err(jsonrpc::Error::parse_error())
    }

    fn after_text_change(&self, key: &str, id: Option<DocId>) {
        let special = is_special(&self.st(), key);
        if special {
            let this = self.clone();
            let key = key.to_string();
            tokio::spawn(async move { this.after_special_file_change(&key).await });
            return;
        }
        if let Some(id) = id {
            self.diagnostics_changed(vec![id]);
            self.link_in_background();
        }
    }

    /// The configuration file or the registry changed (saved, edited, or on disk).
    async fn after_special_file_change(&self, key: &str) {
        let (is_cfg, is_reg) = settings_file(&self.st(), key);
        if is_cfg {
            self.reload_config_file().await;
        }
        if is_reg {
            self.load_registry();
            self.publish_registry_diagnostics().await;
            self.refresh_views();
        }
    }
}
