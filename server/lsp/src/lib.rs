//! The LSP shell of Dossier on tower-lsp-server: it translates between the protocol and the
//! pure engine, owns the mutable state, reads files (in [`disk`] only) and publishes results.
//!
//! Architecture invariants:
//! - Only [`convert`] knows about protocol positions and encodings.
//! - Only [`disk`] touches the filesystem, and only [`disk::cache`] writes a file (its own,
//!   under `.dossier/`). All `unsafe` code is in [`disk`].
//! - Handlers in [`features`] compute from an immutable snapshot on a blocking thread; a panic
//!   there answers that one request with an error.
//! - stdout carries the protocol: nothing else may print to it.
#![warn(clippy::print_stdout)]
#![deny(unsafe_code)]

pub mod convert;
pub mod disk;
pub mod features;
pub mod graph;
pub mod server;
pub mod state;
pub mod transport;

pub use disk::{loader, memory};
use tower_lsp_server::{LspService, Server};

/// Set when the client asked for `shutdown`; `exit` without it ends the process with code 1.
pub static SHUTDOWN_REQUESTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Serve the language server on stdin/stdout until the client says `exit` or closes the pipe.
/// Returns whether a `shutdown` request came first.
pub async fn run_stdio() -> bool {
    disk::priority::start_background_pool();
    let activity = transport::Activity::default();
    let stdin = transport::guarded_stdin(activity.clone());
    let (stdout, output) = transport::guarded_stdout(activity);
    let published = output.clone();
    let builder = LspService::build(move |client| server::Backend::new(client, published))
        .custom_method(transport::PARSE_ERROR_METHOD, server::Backend::parse_error)
        .custom_method(graph::METHOD, server::Backend::graph);
    // Debug builds expose introspection methods for the end-to-end tests: the server's current
    // text of a document, how the last load linked, and a request that panics (the fault
    // trigger).
    #[cfg(debug_assertions)]
    let builder = builder
        .custom_method("dossier/debug/text", server::Backend::debug_text)
        .custom_method("dossier/debug/index", server::Backend::debug_index)
        .custom_method("dossier/debug/panic", server::Backend::debug_panic);
    let (service, socket) = builder.finish();
    Server::new(stdin, stdout, socket).serve(service).await;
    // what was queued before `exit` still reaches the client
    output.flush(std::time::Duration::from_secs(2));
    SHUTDOWN_REQUESTED.load(std::sync::atomic::Ordering::SeqCst)
}
