//! Fixture corpora: every rule on articles in the styles of several sites, and on the seeds.
//!
//! Each `tests/fixtures/sites/<style>/<name>.txt` has a `<name>.expect` next to it listing the
//! expected findings, one `LINE CODE` pair a line (1-based line numbers; `#` starts a comment).
//! The seeds' expectations live in `tests/fixtures/seeds/`. Every finding of every per-document
//! rule must be listed, and every listed finding must occur; the `repeated-line` rule runs over
//! each site directory as a corpus of its own.
//!
//! Run with `DOSSIER_BLESS=1` to rewrite the `.expect` files from the current output (then
//! review the diff: the files are the specification).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use dossier_engine::config::Config;
use dossier_engine::diag::Severity;
use dossier_engine::rules::{self, repeated_line, DocCtx};
use dossier_engine::text::LineIndex;
use dossier_engine::DocId;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

type Findings = BTreeSet<(usize, String)>;

/// Findings of all rules on one corpus directory: per file, (line, code) pairs, the severity
/// of hints excluded as the scorer excludes them.
fn run_corpus(files: &[PathBuf]) -> Vec<Findings> {
    let config = Config::default();
    let texts: Vec<String> = files.iter().map(|p| fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"))).collect();
    let keys: Vec<_> = texts.iter().map(|t| repeated_line::line_keys(t)).collect();
    let census =
        repeated_line::LineCensus::build(keys.iter().enumerate().map(|(i, k)| (DocId(i as u32), k.as_slice())));
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let lines = LineIndex::new(text);
            let cx = DocCtx { doc: DocId(i as u32), text, lines: &lines, config: &config };
            let mut diags = rules::check_document(&cx);
            diags.extend(repeated_line::check(&census, DocId(i as u32), &keys[i], texts.len(), &config));
            diags
                .iter()
                .filter(|d| d.severity > Severity::Hint)
                .map(|d| (lines.line_of(d.range.start) + 1, d.code.to_string()))
                .collect()
        })
        .collect()
}

fn parse_expect(s: &str) -> Findings {
    s.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let (n, code) = l.split_once(char::is_whitespace)?;
            Some((n.parse().ok()?, code.trim().to_string()))
        })
        .collect()
}

fn render(f: &Findings) -> String {
    f.iter().map(|(n, c)| format!("{n} {c}\n")).collect()
}

/// Compare findings with the `.expect` files in `expect_dir`; returns a report of differences.
fn compare(files: &[PathBuf], expect_dir: &Path) -> String {
    let got = run_corpus(files);
    let bless = std::env::var_os("DOSSIER_BLESS").is_some();
    let mut report = String::new();
    for (path, got) in files.iter().zip(&got) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let exp_path = expect_dir.join(format!("{stem}.expect"));
        if bless {
            fs::write(&exp_path, render(got)).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let want = parse_expect(&fs::read_to_string(&exp_path).unwrap_or_default());
        let missing: Vec<_> = want.difference(got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        if !missing.is_empty() || !extra.is_empty() {
            report += &format!("{}:\n  missing {missing:?}\n  unexpected {extra:?}\n", path.display());
        }
    }
    report
}

#[test]
fn site_fixtures_match_their_expectations() {
    let sites = root().join("tests/fixtures/sites");
    let mut dirs: Vec<PathBuf> =
        fs::read_dir(&sites).unwrap_or_else(|e| panic!("{e}")).filter_map(|e| e.ok().map(|e| e.path())).collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "at least three site styles");
    let mut report = String::new();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        let files = txt_files(dir);
        assert!(!files.is_empty(), "{} has no articles", dir.display());
        report += &compare(&files, dir);
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn seeds_match_their_expectations() {
    let files = txt_files(&root().join("seeds"));
    assert_eq!(files.len(), 2);
    let report = compare(&files, &root().join("tests/fixtures/seeds"));
    assert!(report.is_empty(), "{report}");
}

#[test]
fn rules_never_panic_on_fixture_text_cut_anywhere() {
    // Every fixture truncated at every 97th char boundary: rules must cope with any prefix.
    let config = Config::default();
    let mut files = txt_files(&root().join("seeds"));
    for d in fs::read_dir(root().join("tests/fixtures/sites")).into_iter().flatten().flatten() {
        if d.path().is_dir() {
            files.extend(txt_files(&d.path()));
        }
    }
    for p in files {
        let text = fs::read_to_string(&p).unwrap_or_default();
        for (i, _) in text.char_indices().step_by(97) {
            let t = &text[..i];
            let lines = LineIndex::new(t);
            let cx = DocCtx { doc: DocId(0), text: t, lines: &lines, config: &config };
            for d in rules::check_document(&cx) {
                assert!(t.is_char_boundary(d.range.start) && t.is_char_boundary(d.range.end));
                for f in &d.fixes {
                    for e in &f.edits {
                        assert!(e.range.end <= t.len() && t.is_char_boundary(e.range.start));
                    }
                }
            }
        }
    }
}
