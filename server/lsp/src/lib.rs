//! The LSP shell of Dossier on tower-lsp-server: it translates between the protocol and the
//! pure engine, owns the mutable state, reads files (in [`loader`] only) and publishes results.
//!
//! Architecture invariants:
//! - Only [`convert`] knows about protocol positions and encodings.
//! - Only [`loader`] touches the filesystem for corpus content.
//! - Handlers in [`features`] compute from an immutable snapshot on a blocking thread; a panic
//!   there answers that one request with an error.
//! - stdout carries the protocol: nothing else may print to it.
#![warn(clippy::print_stdout)]

pub mod convert;
pub mod features;
pub mod loader;
pub mod server;
pub mod state;

use tower_lsp_server::{LspService, Server};

/// Serve the language server on stdin/stdout until the client says `exit` or closes the pipe.
pub async fn run_stdio() {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let (service, socket) = LspService::new(server::Backend::new);
    Server::new(stdin, stdout, socket).serve(service).await;
}
