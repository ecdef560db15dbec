//! Train the chrome-line classifier (`server/engine/data/chrome_model.txt`).
//!
//! `cargo run --release -p dossier-engine --example train_chrome -- [RENDERED_DIR] [--write] [--others CHECK.jsonl]`
//!
//! RENDERED_DIR (default `../shared/data/boilerplate/rendered`) holds whole-page texts
//! (`txt/*.txt`) with every line labelled article or chrome (`labels.json`); the pages are the
//! openly licensed test pages of Mozilla Readability (Apache-2.0), newspaper3k (MIT) and
//! trafilatura (Apache-2.0), see that folder's README.
//!
//! The pages fall into five folds by a hash of the file name. Fold 0 (a fifth of the pages) is
//! held aside: the written model is trained on the other four and only scored on it. The
//! figures are also cross-validated: each fold is scored with a model trained on the other four,
//! and the five predictions are scored together. Both models are logistic regressions fitted by
//! full-batch gradient descent (Adam) on standardised features, so the result is the same on
//! every run. The decision thresholds (any line, a line inside the main block of prose, a line
//! of prose) are chosen by cross-validation within the training pages: each of their folds is
//! predicted by models trained on the others, and the thresholds with the best MCC over those
//! predictions that flag at most `CHROME_MAX_ARTICLE_CHARS` (1.6 %) of the article characters
//! win; with `--others` the other rules' findings count, as they do for a user.
//! `CHROME_THRESHOLDS=LINE,INSIDE,PROSE` sets them instead (the shipped model: 0.65,0.85,0.85;
//! the choice for it is 0.75,0.85,0.85, at which the Russian menus of the test fixtures are
//! missed). Without `--write` the figures are printed and nothing is written.
//!
//! A line counts as flagged when the classifier or one of the `boilerplate` rule's patterns says
//! chrome. `--others` adds the lines that the other rules flag: the output of
//! `dossier check --format json` over `RENDERED_DIR/txt`, whose findings of codes other than
//! `boilerplate` (and not about translation or encoding) are read, so that the figures are those
//! `chrome_eval.py` would give.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use dossier_engine::chrome::{self, flag, Line, Linear, Model, Thresholds, CONTEXT, LOCAL};
use serde_json::Value;

/// Version written into the model file.
const VERSION: u32 = 3;

/// Number of folds (pages are assigned by a hash of their file name).
const FOLDS: u64 = 5;

struct Page {
    name: String,
    fold: u64,
    /// Full gold (every line labelled) or snippets only.
    full: bool,
    lines: Vec<Line>,
    /// Per line of `lines`: the label (Some(true) chrome) and the length of the line in chars.
    labels: Vec<Option<bool>>,
    chars: Vec<usize>,
    texts: Vec<String>,
    /// Lines that rules other than the classifier flag.
    others: Vec<bool>,
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn load(dir: &Path, others: &HashMap<String, HashSet<usize>>) -> Vec<Page> {
    let labels: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels.json"))
        .expect("labels.json is JSON");
    let labels = labels.as_object().expect("labels.json is an object");
    let mut names: Vec<&String> = labels.keys().collect();
    names.sort();
    names.into_iter().map(|name| page(dir, name, &labels[name], others.get(name))).collect()
}

fn page(dir: &Path, name: &str, labels: &Value, others: Option<&HashSet<usize>>) -> Page {
    let text = std::fs::read_to_string(dir.join("txt").join(name)).expect("page text");
    let lines = dossier_engine::rules::chrome_lines(&text);
    let by_line: HashMap<usize, (bool, usize)> = labels
        .as_array()
        .expect("label list")
        .iter()
        .map(|r| {
            let line = r["line"].as_u64().unwrap_or(0) as usize;
            let chrome = r["label"].as_str() == Some("chrome");
            (line.saturating_sub(1), (chrome, r["text"].as_str().unwrap_or("").chars().count()))
        })
        .collect();
    let all: Vec<&str> = text.lines().collect();
    Page {
        name: name.to_string(),
        fold: fnv(name) % FOLDS,
        full: !name.starts_with("trafilatura__"),
        labels: lines.iter().map(|l| by_line.get(&l.line).map(|x| x.0)).collect(),
        chars: lines.iter().map(|l| by_line.get(&l.line).map_or(0, |x| x.1)).collect(),
        texts: lines.iter().map(|l| all.get(l.line).unwrap_or(&"").trim().to_string()).collect(),
        others: lines.iter().map(|l| others.is_some_and(|o| o.contains(&l.line))).collect(),
        lines,
    }
}

/// Codes whose findings are not about chrome (as in `chrome_eval.py`).
const NOT_CHROME: &[&str] =
    &["untranslated-caption", "untranslated-text", "mixed-script-word", "mojibake", "encoding", "boilerplate"];

/// The lines (0-based) that rules other than the chrome classifier flag, per file name: every
/// counted code but `boilerplate`, and of `boilerplate` the headlines listed after a header
/// (its patterns are in the shapes).
fn read_others(path: &Path) -> HashMap<String, HashSet<usize>> {
    let mut out: HashMap<String, HashSet<usize>> = HashMap::new();
    for line in std::fs::read_to_string(path).expect("check output").lines().filter(|l| !l.trim().is_empty()) {
        let d: Value = serde_json::from_str(line).expect("check output is JSON lines");
        let code = d["code"].as_str().unwrap_or("");
        let listed = code == "boilerplate" && d["message"].as_str().unwrap_or("").contains("headline of a news list");
        if NOT_CHROME.contains(&code) && !listed {
            continue;
        }
        let name = Path::new(d["path"].as_str().unwrap_or("")).file_name().unwrap_or_default();
        let first = d["line"].as_u64().unwrap_or(1) as usize;
        let last = d["endLine"].as_u64().map_or(first, |l| l as usize);
        out.entry(name.to_string_lossy().into_owned()).or_default().extend((first..=last).map(|l| l - 1));
    }
    out
}

/// Weight of a sample: article lines weigh more the longer they are (flagging a paragraph
/// loses more text than flagging a label).
fn weight(chrome: bool, chars: usize, p: &Params) -> f64 {
    if chrome {
        1.0
    } else {
        p.article_weight * (1.0 + (chars as f64 / 80.0).min(p.length_cap))
    }
}

/// Logistic regression on rows of `dim` features: standardised, Adam, L2; returns the model
/// in raw feature units.
fn fit(x: &[f32], y: &[bool], w: &[f64], dim: usize, p: &Params) -> Linear {
    let n = y.len();
    let total: f64 = w.iter().sum();
    let mut mean = vec![0.0f64; dim];
    let mut sd = vec![0.0f64; dim];
    for (row, &wi) in x.chunks_exact(dim).zip(w) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += wi * f64::from(v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= total);
    for (row, &wi) in x.chunks_exact(dim).zip(w) {
        for ((s, &v), m) in sd.iter_mut().zip(row).zip(&mean) {
            *s += wi * (f64::from(v) - m).powi(2);
        }
    }
    sd.iter_mut().for_each(|s| *s = (*s / total).sqrt().max(1e-6));
    let z: Vec<f64> = x
        .chunks_exact(dim)
        .flat_map(|row| row.iter().enumerate().map(|(j, &v)| (f64::from(v) - mean[j]) / sd[j]))
        .collect();
    let mut theta = vec![0.0f64; dim + 1];
    let (mut m1, mut m2) = (vec![0.0f64; dim + 1], vec![0.0f64; dim + 1]);
    let (b1, b2, lr) = (0.9, 0.999, 0.05);
    for t in 1..=p.iterations {
        let mut grad = vec![0.0f64; dim + 1];
        for i in 0..n {
            let row = &z[i * dim..(i + 1) * dim];
            let s = theta[0] + row.iter().zip(&theta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let q = 1.0 / (1.0 + (-s).exp());
            let g = w[i] * (q - f64::from(u8::from(y[i])));
            grad[0] += g;
            for (gj, v) in grad[1..].iter_mut().zip(row) {
                *gj += g * v;
            }
        }
        for (j, g) in grad.iter_mut().enumerate() {
            *g /= total;
            if j > 0 {
                *g += p.l2 * theta[j];
            }
        }
        for j in 0..=dim {
            m1[j] = b1 * m1[j] + (1.0 - b1) * grad[j];
            m2[j] = b2 * m2[j] + (1.0 - b2) * grad[j] * grad[j];
            let mh = m1[j] / (1.0 - b1.powi(t as i32));
            let vh = m2[j] / (1.0 - b2.powi(t as i32));
            theta[j] -= lr * mh / (vh.sqrt() + 1e-8);
        }
    }
    let weights: Vec<f32> = (0..dim).map(|j| (theta[j + 1] / sd[j]) as f32).collect();
    let bias = theta[0] - (0..dim).map(|j| theta[j + 1] * mean[j] / sd[j]).sum::<f64>();
    Linear { weights, bias: bias as f32 }
}

#[derive(Default, Debug, Clone, Copy)]
struct Score {
    tp: f64,
    fp: f64,
    fn_: f64,
    tn: f64,
    art_chars: f64,
    art_flagged: f64,
}

impl Score {
    fn add(&mut self, chrome: bool, flagged: bool, chars: usize) {
        match (chrome, flagged) {
            (true, true) => self.tp += 1.0,
            (true, false) => self.fn_ += 1.0,
            (false, true) => self.fp += 1.0,
            (false, false) => self.tn += 1.0,
        }
        if !chrome {
            self.art_chars += chars as f64;
            if flagged {
                self.art_flagged += chars as f64;
            }
        }
    }
    fn mcc(&self) -> f64 {
        let d = ((self.tp + self.fp) * (self.tp + self.fn_) * (self.tn + self.fp) * (self.tn + self.fn_)).sqrt();
        if d == 0.0 {
            0.0
        } else {
            (self.tp * self.tn - self.fp * self.fn_) / d
        }
    }
    fn f1(&self) -> f64 {
        2.0 * self.tp / (2.0 * self.tp + self.fp + self.fn_).max(1.0)
    }
    fn flagged_share(&self) -> f64 {
        self.art_flagged / self.art_chars.max(1.0)
    }
    fn line(&self) -> String {
        let p = self.tp / (self.tp + self.fp).max(1.0);
        let r = self.tp / (self.tp + self.fn_).max(1.0);
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        format!(
            "P {p:.3} R {r:.3} F1 {f1:.3} MCC {:.3} article chars flagged {:.2}%",
            self.mcc(),
            100.0 * self.flagged_share()
        )
    }
}

/// Training settings (environment variables override the defaults).
struct Params {
    article_weight: f64,
    length_cap: f64,
    iterations: usize,
    l2: f64,
    /// Most article characters the chosen threshold may flag on the training pages.
    max_flagged: f64,
}

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

impl Params {
    fn from_env() -> Params {
        Params {
            article_weight: env("CHROME_ARTICLE_WEIGHT", 2.0),
            length_cap: env("CHROME_LENGTH_CAP", 4.0),
            iterations: env("CHROME_ITERATIONS", 300.0) as usize,
            l2: env("CHROME_L2", 1e-4),
            max_flagged: env("CHROME_MAX_ARTICLE_CHARS", 0.016),
        }
    }
}

/// The labelled rows of the pages `train` selects: features (`dim` a row), labels, weights.
fn rows(pages: &[Page], feats: &[Vec<f32>], dim: usize, p: &Params, train: &dyn Fn(&Page) -> bool) -> Rows {
    let mut r = Rows::default();
    for (page, fx) in pages.iter().zip(feats) {
        if !train(page) {
            continue;
        }
        for (i, row) in fx.chunks_exact(dim).enumerate() {
            if let Some(c) = page.labels[i] {
                r.x.extend_from_slice(row);
                r.y.push(c);
                r.w.push(weight(c, page.chars[i], p));
            }
        }
    }
    r
}

#[derive(Default)]
struct Rows {
    x: Vec<f32>,
    y: Vec<bool>,
    w: Vec<f64>,
}

/// The first model's rows of a page.
fn local_rows(page: &Page) -> Vec<f32> {
    chrome::all_local_features(&page.lines)
}

/// The second model's rows of a page given the first model's scores.
fn context_rows(page: &Page, local: &[f32], s1: &[f32]) -> Vec<f32> {
    let ctx = chrome::all_context_features(&page.lines, s1);
    local.chunks_exact(LOCAL).zip(ctx.chunks_exact(CONTEXT)).flat_map(|(a, b)| a.iter().chain(b).copied()).collect()
}

/// The two models and their thresholds.
#[derive(Clone)]
struct Proto {
    first: Linear,
    second: Linear,
    thresholds: Thresholds,
}

impl Proto {
    fn probabilities(&self, page: &Page, local: &[f32]) -> Vec<f32> {
        let s1: Vec<f32> = local.chunks_exact(LOCAL).map(|r| self.first.score(r)).collect();
        let rows = context_rows(page, local, &s1);
        rows.chunks_exact(LOCAL + CONTEXT).map(|r| 1.0 / (1.0 + (-self.second.score(r)).exp())).collect()
    }

    fn model(&self) -> Model {
        Model { version: VERSION, local: self.first.clone(), context: self.second.clone(), thresholds: self.thresholds }
    }
}

/// The two models trained on the pages `train` selects (threshold not chosen yet).
fn fit_models(pages: &[Page], locals: &[Vec<f32>], p: &Params, train: &dyn Fn(&Page) -> bool) -> Proto {
    let r = rows(pages, locals, LOCAL, p, train);
    let first = fit(&r.x, &r.y, &r.w, LOCAL, p);
    let feats: Vec<Vec<f32>> = pages
        .iter()
        .zip(locals)
        .map(|(pg, lx)| {
            let s1: Vec<f32> = lx.chunks_exact(LOCAL).map(|r| first.score(r)).collect();
            context_rows(pg, lx, &s1)
        })
        .collect();
    let r = rows(pages, &feats, LOCAL + CONTEXT, p, train);
    let second = fit(&r.x, &r.y, &r.w, LOCAL + CONTEXT, p);
    Proto { first, second, thresholds: Thresholds { line: 0.5, inside: 0.5, prose: 0.5 } }
}

/// Models trained on the pages `train` selects, with the threshold chosen by cross-validation
/// inside them: each of their folds is predicted by models trained on their other folds, and
/// the threshold is the one with the best MCC over those predictions among the thresholds that
/// flag at most `max_flagged` of the article characters (the other rules' findings counted).
fn train(pages: &[Page], locals: &[Vec<f32>], p: &Params, train: &dyn Fn(&Page) -> bool) -> Proto {
    let mut proto = fit_models(pages, locals, p, train);
    let mut probs: Vec<Option<Vec<f32>>> = vec![None; pages.len()];
    for k in 0..FOLDS {
        if !pages.iter().any(|pg| pg.fold == k && train(pg)) {
            continue;
        }
        let inner = fit_models(pages, locals, p, &|pg: &Page| pg.fold != k && train(pg));
        for (i, pg) in pages.iter().enumerate().filter(|(_, pg)| pg.fold == k && pg.full && train(pg)) {
            probs[i] = Some(inner.probabilities(pg, &locals[i]));
        }
    }
    let blocks: Vec<(usize, usize)> = pages
        .iter()
        .zip(&probs)
        .map(|(pg, pr)| pr.as_ref().map_or((0, 0), |pr| chrome::main_block_of(&pg.lines, pr)))
        .collect();
    proto.thresholds = fixed_thresholds().unwrap_or_else(|| choose_thresholds(pages, &probs, &blocks, p));
    proto
}

/// Thresholds given as `CHROME_THRESHOLDS=LINE,INSIDE,PROSE`, to score them instead of
/// choosing.
fn fixed_thresholds() -> Option<Thresholds> {
    let v: Vec<f32> = std::env::var("CHROME_THRESHOLDS").ok()?.split(',').filter_map(|x| x.parse().ok()).collect();
    match v[..] {
        [line, inside, prose] => Some(Thresholds { line, inside, prose }),
        _ => None,
    }
}

/// The thresholds with the best MCC over the predictions `probs` (pages without any are left
/// out) among those that flag at most `max_flagged` of the article characters.
fn choose_thresholds(pages: &[Page], probs: &[Option<Vec<f32>>], blocks: &[(usize, usize)], p: &Params) -> Thresholds {
    let grid: Vec<f32> = (6..20).map(|k| k as f32 / 20.0).chain([0.97, 0.99]).collect();
    let mut best = (f64::MIN, Thresholds { line: 0.5, inside: 0.5, prose: 0.8 });
    for &line in &grid {
        for &inside in grid.iter().filter(|&&t| t >= line) {
            for &prose in grid.iter().filter(|&&t| t >= line) {
                let t = Thresholds { line, inside, prose };
                let mut s = Score::default();
                for ((page, pr), &block) in pages.iter().zip(probs).zip(blocks) {
                    if let Some(pr) = pr {
                        score_page(&mut s, page, &decide(page, pr, t, block));
                    }
                }
                let v = if std::env::var_os("CHROME_F1").is_some() { s.f1() } else { s.mcc() };
                if s.flagged_share() <= p.max_flagged && v > best.0 {
                    best = (v, t);
                }
            }
        }
    }
    if std::env::var_os("CHROME_CURVE").is_some() {
        println!("  chosen {:?} MCC {:.3}", best.1, best.0);
    }
    best.1
}

/// Which lines of a page are flagged: by the classifier, a pattern or another rule.
fn decide(page: &Page, probs: &[f32], thresholds: Thresholds, block: (usize, usize)) -> Vec<bool> {
    let mut d = if page.lines.len() >= chrome::MIN_LINES {
        chrome::decide_in(&page.lines, probs, thresholds, block)
    } else {
        vec![false; page.lines.len()]
    };
    chrome::keep_listings(&page.lines, &mut d, |i| chrome::code_like(&page.texts[i]));
    for (i, f) in d.iter_mut().enumerate() {
        *f |= page.lines[i].shape.has(flag::PATTERN) || page.others[i];
    }
    d
}

fn score_page(s: &mut Score, page: &Page, decided: &[bool]) {
    for (i, &flagged) in decided.iter().enumerate() {
        if let Some(c) = page.labels[i] {
            s.add(c, flagged, page.chars[i]);
        }
    }
}

fn print_errors(pages: &[Page], decided: &[Vec<bool>], probs: &[Vec<f32>]) {
    for ((p, d), pr) in pages.iter().zip(decided).zip(probs) {
        if p.fold != 0 || !p.full {
            continue;
        }
        for (i, &q) in pr.iter().enumerate() {
            match p.labels[i] {
                Some(c) if c != d[i] => println!(
                    "{} {}:{} p={q:.2} {:.100}",
                    if c { "MISS" } else { "FP  " },
                    p.name,
                    p.lines[i].line + 1,
                    p.texts[i]
                ),
                _ => {}
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = args.iter().any(|a| a == "--write");
    let others_path = args.iter().position(|a| a == "--others").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let dir = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--others"))
        .map(|(_, a)| PathBuf::from(a))
        .unwrap_or_else(|| PathBuf::from("../shared/data/boilerplate/rendered"));
    let others = others_path.as_deref().map(read_others).unwrap_or_default();
    let pages = load(&dir, &others);
    let p = Params::from_env();
    eprintln!(
        "{} pages ({} held aside), article weight {}, length cap {}, {} iterations, L2 {}{}",
        pages.len(),
        pages.iter().filter(|pg| pg.fold == 0).count(),
        p.article_weight,
        p.length_cap,
        p.iterations,
        p.l2,
        if others_path.is_some() { ", other rules' findings included" } else { "" }
    );
    let locals: Vec<Vec<f32>> = pages.iter().map(local_rows).collect();
    // Cross-validation: each fold decided by the model trained on the others.
    let mut cv = vec![Vec::new(); pages.len()];
    let mut folds = Vec::new();
    let mut shipped = None;
    for k in 0..FOLDS {
        let proto = train(&pages, &locals, &p, &|pg: &Page| pg.fold != k);
        let mut s = Score::default();
        for (i, page) in pages.iter().enumerate().filter(|(_, pg)| pg.fold == k) {
            let pr = proto.probabilities(page, &locals[i]);
            cv[i] = decide(page, &pr, proto.thresholds, chrome::main_block_of(&page.lines, &pr));
            if page.full {
                score_page(&mut s, page, &cv[i]);
            }
        }
        folds.push(s);
        if k == 0 {
            shipped = Some(proto);
        }
    }
    let proto = shipped.expect("fold 0 trained");
    let probs: Vec<Vec<f32>> = pages.iter().zip(&locals).map(|(pg, lx)| proto.probabilities(pg, lx)).collect();
    let decided: Vec<Vec<bool>> = pages
        .iter()
        .zip(&probs)
        .map(|(pg, pr)| decide(pg, pr, proto.thresholds, chrome::main_block_of(&pg.lines, pr)))
        .collect();
    report(&pages, &cv, &folds, &decided, proto.thresholds);
    if std::env::var_os("CHROME_ERRORS").is_some() {
        print_errors(&pages, &decided, &probs);
    }
    if std::env::var_os("CHROME_CV_ERRORS").is_some() {
        for (page, d) in pages.iter().zip(&cv) {
            for (i, &f) in d.iter().enumerate() {
                if let Some(c) = page.labels[i] {
                    if c != f {
                        println!(
                            "CV{} {} {} {} {:.120}",
                            if c { "MISS" } else { "FP" },
                            page.chars[i],
                            page.name,
                            page.lines[i].line + 1,
                            page.texts[i]
                        );
                    }
                }
            }
        }
    }
    if write {
        let model = proto.model();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/chrome_model.txt");
        std::fs::write(&path, model.write()).expect("write the model");
        println!("wrote {}", path.display());
    }
}

/// The figures: cross-validated, per fold, and the written model (trained without fold 0) on
/// the held-aside fold and on the pages it was trained on.
fn report(pages: &[Page], cv: &[Vec<bool>], folds: &[Score], decided: &[Vec<bool>], t: Thresholds) {
    let mut full = Score::default();
    let mut snippets = Score::default();
    for (page, d) in pages.iter().zip(cv) {
        score_page(if page.full { &mut full } else { &mut snippets }, page, d);
    }
    println!("cross-validated, full gold       {}", full.line());
    println!("cross-validated, snippets        {}", snippets.line());
    for (k, s) in folds.iter().enumerate() {
        println!("  fold {k}, full gold              {}", s.line());
    }
    println!("thresholds: any line {:.2}, inside the main block {:.2}, prose {:.2}", t.line, t.inside, t.prose);
    for (name, held, full) in [
        ("held-aside pages, full gold", true, true),
        ("training pages, full gold", false, true),
        ("held-aside pages, snippets", true, false),
        ("training pages, snippets", false, false),
    ] {
        let mut s = Score::default();
        for (page, d) in pages.iter().zip(decided) {
            if (page.fold == 0) == held && page.full == full {
                score_page(&mut s, page, d);
            }
        }
        println!("{name:32} {}", s.line());
    }
}
