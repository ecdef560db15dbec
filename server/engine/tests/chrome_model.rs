//! The bundled chrome model on labelled whole pages of its own: it loads, reads back what it
//! writes, and tells chrome from article above a floor.
//!
//! The pages are `tests/fixtures/sites/whole-page/*.txt`, written for these tests in the shape
//! scrapers give (menus, link rails, share bars and footers around the article, one block
//! element a line); each `.labels` file next to a page has one letter a line: `a` article, `c`
//! chrome, `-` blank.

use std::fs;
use std::path::{Path, PathBuf};

use dossier_engine::chrome::{self, Model, MODEL};
use dossier_engine::rules::chrome_lines;

fn pages() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sites/whole-page");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

/// Counts over labelled lines, chrome the positive class.
#[derive(Default, Debug)]
struct Score {
    tp: f64,
    fp: f64,
    fn_: f64,
    tn: f64,
    article_chars: f64,
    article_flagged: f64,
}

impl Score {
    fn f1(&self) -> f64 {
        2.0 * self.tp / (2.0 * self.tp + self.fp + self.fn_)
    }
    fn mcc(&self) -> f64 {
        let d = ((self.tp + self.fp) * (self.tp + self.fn_) * (self.tn + self.fp) * (self.tn + self.fn_)).sqrt();
        (self.tp * self.tn - self.fp * self.fn_) / d
    }
}

/// The page's labels, checked against its text.
fn labels(page: &Path, text: &str) -> Vec<char> {
    let labels: Vec<char> = fs::read_to_string(page.with_extension("labels"))
        .unwrap_or_else(|e| panic!("{}: {e}", page.display()))
        .lines()
        .map(|l| l.chars().next().unwrap_or('-'))
        .collect();
    assert_eq!(labels.len(), text.lines().count(), "{}: one label a line", page.display());
    for (n, (l, line)) in labels.iter().zip(text.lines()).enumerate() {
        assert_eq!(*l == '-', line.trim().is_empty(), "{}:{}: blank lines are labelled '-'", page.display(), n + 1);
    }
    labels
}

#[test]
fn the_bundled_model_reads_back_what_it_writes() {
    let model: &Model = &MODEL;
    assert_eq!(model.local.weights.len(), chrome::LOCAL);
    assert_eq!(model.context.weights.len(), chrome::LOCAL + chrome::CONTEXT);
    let t = model.thresholds;
    assert!((0.0..1.0).contains(&t.line) && (t.line..1.0).contains(&t.inside) && (t.line..1.0).contains(&t.prose));
    let again = Model::parse(&model.write()).expect("the written model parses");
    assert_eq!(again.write(), model.write());
    assert!(Model::parse("version 2\nlocal 1 2\n").is_err(), "a truncated model is refused");
    // A model written before the inside and prose thresholds reads as it was decided then.
    let old: String = model.write().lines().filter(|l| !l.contains("_threshold")).map(|l| format!("{l}\n")).collect();
    let old = Model::parse(&old).expect("a model with one threshold parses");
    assert_eq!(old.thresholds.inside, old.thresholds.line);
    assert_eq!(old.thresholds.prose, 0.8);
}

#[test]
fn the_bundled_model_tells_chrome_from_article_on_whole_pages() {
    let mut all = Score::default();
    for page in pages() {
        let text = fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let labels = labels(&page, &text);
        let lines = chrome_lines(&text);
        let flagged = chrome::classify(&lines);
        let mut s = Score::default();
        for (l, &f) in lines.iter().zip(&flagged) {
            let chrome = match labels[l.line] {
                'c' => true,
                'a' => false,
                other => panic!("{}:{}: label {other:?}", page.display(), l.line + 1),
            };
            let chars = text.lines().nth(l.line).map_or(0, |t| t.trim().chars().count()) as f64;
            match (chrome, f) {
                (true, true) => s.tp += 1.0,
                (true, false) => s.fn_ += 1.0,
                (false, true) => {
                    s.fp += 1.0;
                    s.article_flagged += chars;
                }
                (false, false) => s.tn += 1.0,
            }
            if !chrome {
                s.article_chars += chars;
            }
        }
        eprintln!("{}: {s:?} F1 {:.3} MCC {:.3}", page.display(), s.f1(), s.mcc());
        all.tp += s.tp;
        all.fp += s.fp;
        all.fn_ += s.fn_;
        all.tn += s.tn;
        all.article_chars += s.article_chars;
        all.article_flagged += s.article_flagged;
    }
    let share = all.article_flagged / all.article_chars;
    eprintln!("all: F1 {:.3} MCC {:.3} article characters flagged {:.1}%", all.f1(), all.mcc(), 100.0 * share);
    assert!(all.f1() >= 0.85, "F1 {:.3}", all.f1());
    assert!(all.mcc() >= 0.6, "MCC {:.3}", all.mcc());
    assert!(share <= 0.05, "article characters flagged {:.1}%", 100.0 * share);
}

/// A line amid the article needs a surer score than a line around it, and a paragraph of prose
/// a surer one still.
#[test]
fn lines_inside_the_main_block_and_prose_need_surer_scores() {
    let prose = "The council voted on the budget after a long debate that lasted well into the night.";
    let text = format!("Home\nNews\n\n{prose}\nShare this\nPhoto: Reuters\n{prose}\n{prose}\n\nMost read\nSport");
    let lines = chrome_lines(&text);
    // Menus, a paragraph, a label and a credit, two paragraphs (the second scored as chrome), a rail.
    let probs = [0.7, 0.7, 0.05, 0.7, 0.3, 0.05, 0.75, 0.7, 0.7];
    assert_eq!(lines.len(), probs.len());
    assert_eq!(chrome::main_block_of(&lines, &probs), (2, 6));
    let decide = |line, inside, prose| chrome::decide(&lines, &probs, chrome::Thresholds { line, inside, prose });
    let (t, f) = (true, false);
    assert_eq!(decide(0.6, 0.8, 0.8), [t, t, f, f, f, f, f, t, t]);
    assert_eq!(decide(0.6, 0.6, 0.8), [t, t, f, t, f, f, f, t, t], "the label amid the article");
    assert_eq!(decide(0.6, 0.6, 0.7), [t, t, f, t, f, f, t, t, t], "the paragraph after the main block");
}
