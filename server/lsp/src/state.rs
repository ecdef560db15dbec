//! Mutable server state, owned behind one `std::sync::Mutex` and never held across an `.await`.
//!
//! Architecture invariant: every notification that changes text is applied to this state
//! synchronously, before its handler's first `.await`. tower-lsp-server creates and first polls
//! handler futures in arrival order, so edits apply strictly in arrival order. Requests never
//! read this state directly: they take a [`Snap`] (an `Arc` of the immutable corpus snapshot plus
//! a few small values) and compute on a blocking thread.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use dossier_engine::config::{self, Config, ConfigError, Options};
use dossier_engine::corpus::Corpus;
use dossier_engine::text::PosEncoding;
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

/// What the client can do, reduced to the decisions the server makes.
#[derive(Clone, Debug, Default)]
pub struct ClientFlags {
    /// `textDocument/diagnostic` (pull) is supported: do not push for open documents.
    pub pull: bool,
    /// `workspace/diagnostic/refresh` is supported.
    pub pull_refresh: bool,
    pub watch_dynamic: bool,
    pub progress: bool,
    pub configuration: bool,
    pub related_info: bool,
    pub semantic_refresh: bool,
    pub inlay_refresh: bool,
    pub document_changes: bool,
    pub resource_create: bool,
    /// The client runs the command [`SHOW_REFERENCES`] from a link in a hover (it lists it in
    /// `experimental.commands.commands`, as rust-analyzer's clients do for theirs).
    pub show_references: bool,
}

/// The client command a hover card's "All references" link runs: arguments `[uri, position]`.
pub const SHOW_REFERENCES: &str = "dossier.showReferences";

impl ClientFlags {
    pub fn from_caps(c: &lsp::ClientCapabilities) -> ClientFlags {
        let td = c.text_document.as_ref();
        let ws = c.workspace.as_ref();
        ClientFlags {
            pull: td.and_then(|t| t.diagnostic.as_ref()).is_some(),
            pull_refresh: ws.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support).unwrap_or(false),
            watch_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            progress: c.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            related_info: td
                .and_then(|t| t.publish_diagnostics.as_ref())
                .and_then(|p| p.related_information)
                .unwrap_or(false),
            semantic_refresh: ws
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|s| s.refresh_support)
                .unwrap_or(false),
            inlay_refresh: ws.and_then(|w| w.inlay_hint.as_ref()).and_then(|s| s.refresh_support).unwrap_or(false),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            resource_create: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Create)),
            show_references: (c.experimental.as_ref())
                .and_then(|x| x.pointer("/commands/commands"))
                .and_then(|v| v.as_array())
                .is_some_and(|cmds| cmds.iter().any(|c| c.as_str() == Some(SHOW_REFERENCES))),
        }
    }
}

/// A document the editor has open: the editor's text wins over the disk's.
#[derive(Debug)]
pub struct OpenDoc {
    pub uri: lsp::Uri,
    pub version: i32,
    pub rope: Rope,
}

/// The three configuration layers, lowest priority first, each valid on its own.
#[derive(Debug, Default, Clone)]
pub struct Layers {
    pub file: Options,
    pub init: Options,
    pub client: Options,
}

pub struct State {
    pub corpus: Arc<Corpus>,
    pub open: HashMap<String, OpenDoc>,
    pub roots: Vec<PathBuf>,
    pub enc: PosEncoding,
    pub flags: ClientFlags,
    pub layers: Layers,
    /// The last error in `dossier.toml`, shown as a diagnostic on that file.
    pub config_error: Option<ConfigError>,
    /// The last error in the editor's settings (shown as a message).
    pub settings_error: Option<String>,
    /// The first corpus load has finished.
    pub loaded: bool,
    /// A corpus load is running (it links when it is done).
    pub loading: bool,
    /// How the last load linked: "read back" (the stored linked index), or "linked: " and why
    /// the stored one was not used.
    pub linked_index: String,
    /// Keys whose diagnostics were pushed (to clear them when a document goes away), with the
    /// fingerprint of their corpus-level findings at that time (to re-push when it changes).
    pub pushed: HashMap<String, u64>,
    /// Increases with every scheduled check of other documents' corpus-level findings.
    pub recheck_generation: u64,
    /// Increases with every scheduled background linking of the entity index.
    pub link_generation: u64,
}

impl State {
    pub fn new() -> State {
        State {
            corpus: Arc::new(Corpus::new(Config::default())),
            open: HashMap::new(),
            roots: Vec::new(),
            enc: PosEncoding::Utf16,
            flags: ClientFlags::default(),
            layers: Layers::default(),
            config_error: None,
            settings_error: None,
            loaded: false,
            loading: false,
            linked_index: String::new(),
            pushed: HashMap::new(),
            recheck_generation: 0,
            link_generation: 0,
        }
    }

    pub fn config(&self) -> &Config {
        self.corpus.config()
    }

    /// Change the corpus through a closure on a private copy, then publish it.
    pub fn edit_corpus<R>(&mut self, f: impl FnOnce(&mut Corpus) -> R) -> R {
        let c = Arc::make_mut(&mut self.corpus);
        f(c)
    }

    /// Rebuild the configuration from the layers; returns whether it changed.
    pub fn rebuild_config(&mut self) -> bool {
        let layers = [self.layers.file.clone(), self.layers.init.clone(), self.layers.client.clone()];
        let cfg = config::combined(layers);
        let changed = *self.corpus.config().as_ref() != cfg;
        if changed {
            self.edit_corpus(|c| c.set_config(cfg));
        }
        changed
    }

    pub fn snap(&self) -> Snap {
        Snap {
            corpus: self.corpus.clone(),
            enc: self.enc,
            uris: self.open.iter().map(|(k, d)| (k.clone(), d.uri.clone())).collect(),
            roots: self.roots.clone(),
            flags: self.flags.clone(),
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// What a request computes from: immutable and cheap to clone.
#[derive(Clone)]
pub struct Snap {
    pub corpus: Arc<Corpus>,
    pub enc: PosEncoding,
    /// URIs the editor used for open documents (answers use the editor's own spelling).
    pub uris: HashMap<String, lsp::Uri>,
    pub roots: Vec<PathBuf>,
    pub flags: ClientFlags,
}

impl Snap {
    /// The URI to use for a document key.
    pub fn uri(&self, key: &str) -> Option<lsp::Uri> {
        self.uris.get(key).cloned().or_else(|| crate::convert::uri_of(std::path::Path::new(key)))
    }
}
