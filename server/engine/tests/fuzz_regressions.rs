//! Replays every saved fuzz input (`fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`)
//! through the same checks the fuzz targets run (`fuzz/src/harness.rs`), on stable Rust and in
//! every `cargo test`. A crash found by `scripts/fuzz.sh` is saved under `fuzz/regressions/` once
//! fixed, so it can never come back unnoticed.

#[path = "../../../fuzz/src/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(rd) = std::fs::read_dir(fuzz.join(kind).join(target)) else { continue };
        for e in rd.flatten() {
            if e.path().is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no saved inputs for the {target} fuzz target");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("fuzz input {} fails the {target} checks", f.display());
        }
    }
}

#[test]
fn decode_inputs() {
    replay("decode", harness::check_decode);
}

#[test]
fn text_inputs() {
    replay("text", harness::check_text);
}

#[test]
fn entities_inputs() {
    replay("entities", harness::check_entities);
}

#[test]
fn rules_inputs() {
    replay("rules", harness::check_rules);
}
