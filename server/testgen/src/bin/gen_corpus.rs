//! Write a generated corpus of realistic scraped articles to a folder.
//!
//! `cargo run --release -p dossier-testgen --bin gen_corpus -- OUT_DIR N [SEED]`
//! `cargo run --release -p dossier-testgen --bin gen_corpus -- --article OUT_FILE BYTES [SEED]`
//!
//! The articles come from [`dossier_testgen::corpus`]: 2–50 KB each, about 4.5 KB on average,
//! the same bytes for the same `N` and `SEED` (default 1).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--article") {
        return one_article(&args[1..]);
    }
    let (Some(dir), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: gen_corpus OUT_DIR N [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
    let dir = PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("gen_corpus: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut bytes = 0usize;
    for (name, text) in dossier_testgen::corpus(n, seed) {
        bytes += text.len();
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("gen_corpus: {name}: {e}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!("gen_corpus: {n} articles, {bytes} bytes in {}", dir.display());
    ExitCode::SUCCESS
}

/// One article of about `BYTES` bytes (for edit-latency measurements on big documents).
fn one_article(args: &[String]) -> ExitCode {
    let (Some(path), Some(bytes)) = (args.first(), args.get(1).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: gen_corpus --article OUT_FILE BYTES [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse::<u64>().ok()).unwrap_or(7);
    let text = dossier_testgen::article(seed, bytes);
    if let Err(e) = std::fs::write(path, &text) {
        eprintln!("gen_corpus: {path}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("gen_corpus: one article, {} bytes in {path}", text.len());
    ExitCode::SUCCESS
}
