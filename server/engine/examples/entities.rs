//! Print the mentions and linked entities of a folder of `.txt` files.
//!
//! `cargo run -p dossier-engine --example entities -- seeds`

use dossier_engine::entities::{analyze, DocInput, EntityIndex, Registry};
use dossier_engine::DocId;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let reg =
        std::fs::read_to_string(std::path::Path::new(&dir).join("entities.toml")).ok().map(|s| Registry::parse(&s).0);
    let analyses: Vec<_> = texts.iter().map(|(_, t)| analyze(t)).collect();
    let index = EntityIndex::build(
        texts.iter().zip(&analyses).enumerate().map(|(i, ((n, t), a))| DocInput {
            id: DocId(i as u32),
            name: n,
            text: t,
            entities: a,
        }),
        reg.as_ref(),
    );
    let verbose = std::env::args().any(|a| a == "-v");
    for (i, (name, _)) in texts.iter().enumerate() {
        println!("== {name}");
        if verbose {
            for (r, id, k) in index.mentions_in(DocId(i as u32)) {
                let e = index.entity(id).map(|e| e.name.as_str()).unwrap_or("?");
                println!("  {:>6} {:<12} {:?} -> {}", r.start, k.as_str(), &texts[i].1[r.clone()], e);
            }
        }
    }
    for (id, e) in index.all() {
        let (m, d) = index.counts(id);
        println!(
            "{:<12} {:<40} {m}/{d} forms={:?} roles={:?} cand={:?}",
            e.kind.as_str(),
            e.name,
            e.forms,
            e.roles,
            e.candidates
        );
    }
    if let Some(q) = std::env::args().nth(2).filter(|a| a != "-v") {
        for id in index.search(&q, 1) {
            println!("{}", index.hover(id, DocId(u32::MAX)));
        }
    }
}
