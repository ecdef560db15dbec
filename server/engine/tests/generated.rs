//! The generated articles of `dossier-testgen` (what the benchmarks and many tests run on)
//! give every rule and every entity kind something to find.

use dossier_engine::config::Config;
use dossier_engine::entities::{analyze, Kind};
use dossier_engine::rules::{self, DocCtx};
use dossier_engine::text::LineIndex;
use dossier_engine::DocId;

#[test]
fn the_engine_finds_every_rule_and_entity_kind_in_generated_articles() {
    let cfg = Config::default();
    let mut codes = std::collections::BTreeSet::new();
    let mut kinds = std::collections::BTreeSet::new();
    for (_, text) in dossier_testgen::corpus(200, 5) {
        let lines = LineIndex::new(&text);
        let cx = DocCtx { doc: DocId(0), text: &text, lines: &lines, config: &cfg };
        codes.extend(rules::check_document(&cx).into_iter().map(|d| d.code));
        kinds.extend(analyze(&text).mentions.into_iter().map(|m| m.kind));
    }
    for r in rules::RULES {
        assert!(codes.contains(r.code()), "no {} finding in {codes:?}", r.code());
    }
    for k in [Kind::Person, Kind::Organization, Kind::Place] {
        assert!(kinds.contains(&k), "no {k:?} mention");
    }
}
