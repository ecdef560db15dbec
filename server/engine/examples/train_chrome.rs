//! Train the chrome-line classifier (`server/engine/data/chrome_model.txt`).
//!
//! `cargo run --release -p dossier-engine --example train_chrome -- [RENDERED_DIR] [--write]`
//!
//! RENDERED_DIR (default `../shared/data/boilerplate/rendered`) holds whole-page texts
//! (`txt/*.txt`) with every line labelled article or chrome (`labels.json`); the pages are the
//! openly licensed test pages of Mozilla Readability (Apache-2.0), newspaper3k (MIT) and
//! trafilatura (Apache-2.0), see that folder's README. A fifth of the pages, chosen by a hash
//! of the file name, is held aside and only scored; the model is trained on the rest. Both
//! models are logistic regressions fitted by full-batch gradient descent (Adam) on
//! standardised features, so the result is the same on every run. Without `--write` the
//! figures are printed and nothing is written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dossier_engine::chrome::{self, Line, Linear, Model, CONTEXT, LOCAL};
use serde_json::Value;

/// Version written into the model file.
const VERSION: u32 = 1;

struct Page {
    name: String,
    held_aside: bool,
    /// Full gold (every line labelled) or snippets only.
    full: bool,
    lines: Vec<Line>,
    /// Per line of `lines`: the label (Some(true) chrome) and the length of the line in chars.
    labels: Vec<Option<bool>>,
    chars: Vec<usize>,
    texts: Vec<String>,
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Is this page held aside (a fifth of the pages, by a hash of the file name)?
fn held_aside(name: &str) -> bool {
    fnv(name) % 5 == 0
}

fn load(dir: &Path) -> Vec<Page> {
    let labels: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels.json"))
        .expect("labels.json is JSON");
    let labels = labels.as_object().expect("labels.json is an object");
    let mut names: Vec<&String> = labels.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join("txt").join(name)).expect("page text");
            let lines = dossier_engine::rules::chrome_lines(&text);
            let by_line: HashMap<usize, (bool, usize)> = labels[name]
                .as_array()
                .expect("label list")
                .iter()
                .map(|r| {
                    let line = r["line"].as_u64().unwrap_or(0) as usize;
                    let chrome = r["label"].as_str() == Some("chrome");
                    (line.saturating_sub(1), (chrome, r["text"].as_str().unwrap_or("").chars().count()))
                })
                .collect();
            let labels: Vec<Option<bool>> = lines.iter().map(|l| by_line.get(&l.line).map(|x| x.0)).collect();
            let chars: Vec<usize> = lines.iter().map(|l| by_line.get(&l.line).map_or(0, |x| x.1)).collect();
            let all: Vec<&str> = text.lines().collect();
            let texts = lines.iter().map(|l| all.get(l.line).unwrap_or(&"").to_string()).collect();
            Page {
                name: name.clone(),
                held_aside: held_aside(name),
                full: !name.starts_with("trafilatura__"),
                lines,
                labels,
                chars,
                texts,
            }
        })
        .collect()
}

/// Weight of a sample: article lines weigh more the longer they are (flagging a paragraph
/// loses more text than flagging a label).
fn weight(chrome: bool, chars: usize, article_weight: f64) -> f64 {
    if chrome {
        1.0
    } else {
        article_weight * (1.0 + (chars as f64 / 80.0).min(4.0))
    }
}

/// Logistic regression on rows of `dim` features: standardised, Adam, L2; returns the model
/// in raw feature units.
fn fit(x: &[f32], y: &[bool], w: &[f64], dim: usize, iterations: usize, l2: f64) -> Linear {
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
    for t in 1..=iterations {
        let mut grad = vec![0.0f64; dim + 1];
        for i in 0..n {
            let row = &z[i * dim..(i + 1) * dim];
            let s = theta[0] + row.iter().zip(&theta[1..]).map(|(a, b)| a * b).sum::<f64>();
            let p = 1.0 / (1.0 + (-s).exp());
            let g = w[i] * (p - f64::from(u8::from(y[i])));
            grad[0] += g;
            for (gj, v) in grad[1..].iter_mut().zip(row) {
                *gj += g * v;
            }
        }
        for (j, g) in grad.iter_mut().enumerate() {
            *g /= total;
            if j > 0 {
                *g += l2 * theta[j];
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

#[derive(Default, Debug)]
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
    fn line(&self) -> String {
        let p = self.tp / (self.tp + self.fp).max(1.0);
        let r = self.tp / (self.tp + self.fn_).max(1.0);
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        format!(
            "P {p:.3} R {r:.3} F1 {f1:.3} MCC {:.3} article chars flagged {:.1}%",
            self.mcc(),
            100.0 * self.art_flagged / self.art_chars.max(1.0)
        )
    }
}

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = args.iter().any(|a| a == "--write");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/boilerplate/rendered"));
    let pages = load(&dir);
    let article_weight = env("CHROME_ARTICLE_WEIGHT", 2.0);
    let iterations = env("CHROME_ITERATIONS", 300.0) as usize;
    let l2 = env("CHROME_L2", 1e-4);
    let max_flagged = env("CHROME_MAX_ARTICLE_CHARS", 0.012);
    eprintln!(
        "{} pages ({} held aside), article weight {article_weight}, {iterations} iterations, L2 {l2}",
        pages.len(),
        pages.iter().filter(|p| p.held_aside).count()
    );

    // Stage 1: lines on their own.
    let locals: Vec<Vec<f32>> = pages.iter().map(|p| chrome::all_local_features(&p.lines)).collect();
    let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for (p, lx) in pages.iter().zip(&locals) {
        if p.held_aside {
            continue;
        }
        for (i, row) in lx.chunks_exact(LOCAL).enumerate() {
            if let Some(c) = p.labels[i] {
                x.extend_from_slice(row);
                y.push(c);
                w.push(weight(c, p.chars[i], article_weight));
            }
        }
    }
    let local = fit(&x, &y, &w, LOCAL, iterations, l2);

    // Stage 2: with context.
    let rows: Vec<Vec<f32>> = pages
        .iter()
        .zip(&locals)
        .map(|(p, lx)| {
            let s1: Vec<f32> = lx.chunks_exact(LOCAL).map(|r| local.score(r)).collect();
            let ctx = chrome::all_context_features(&p.lines, &s1);
            lx.chunks_exact(LOCAL)
                .zip(ctx.chunks_exact(CONTEXT))
                .flat_map(|(a, b)| a.iter().chain(b).copied())
                .collect()
        })
        .collect();
    let dim = LOCAL + CONTEXT;
    let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for (p, rx) in pages.iter().zip(&rows) {
        if p.held_aside {
            continue;
        }
        for (i, row) in rx.chunks_exact(dim).enumerate() {
            if let Some(c) = p.labels[i] {
                x.extend_from_slice(row);
                y.push(c);
                w.push(weight(c, p.chars[i], article_weight));
            }
        }
    }
    let context = fit(&x, &y, &w, dim, iterations, l2);
    let probs: Vec<Vec<f32>> =
        rows.iter().map(|rx| rx.chunks_exact(dim).map(|r| 1.0 / (1.0 + (-context.score(r)).exp())).collect()).collect();
    let mut model = Model { version: VERSION, local, context, threshold: 0.5 };

    let decisions = |model: &Model| -> Vec<Vec<bool>> {
        pages.iter().zip(&probs).map(|(p, pr)| chrome::decide(&p.lines, pr, model)).collect()
    };
    let score = |decided: &[Vec<bool>], held: bool, full: bool| {
        let mut s = Score::default();
        for (p, d) in pages.iter().zip(decided) {
            if p.held_aside != held || p.full != full {
                continue;
            }
            for (i, &flagged) in d.iter().enumerate() {
                if let Some(c) = p.labels[i] {
                    s.add(c, flagged, p.chars[i]);
                }
            }
        }
        s
    };
    // The threshold with the best MCC on the training pages among those that flag at most
    // `max_flagged` of the article characters.
    let mut best = (f64::MIN, 0.5f32);
    for k in 20..99 {
        let t = k as f32 / 100.0;
        model.threshold = t;
        let s = score(&decisions(&model), false, true);
        if s.art_flagged / s.art_chars.max(1.0) <= max_flagged && s.mcc() > best.0 {
            best = (s.mcc(), t);
        }
    }
    model.threshold = best.1;
    println!("threshold {:.2}", model.threshold);
    let decided = decisions(&model);
    for (name, held, full) in [
        ("training pages, full gold", false, true),
        ("held-aside pages, full gold", true, true),
        ("training pages, snippets", false, false),
        ("held-aside pages, snippets", true, false),
    ] {
        println!("{name:30} {}", score(&decided, held, full).line());
    }
    if std::env::var_os("CHROME_ERRORS").is_some() {
        for ((p, pr), d) in pages.iter().zip(&probs).zip(&decided) {
            if !p.held_aside || !p.full {
                continue;
            }
            for (i, &q) in pr.iter().enumerate() {
                if let Some(c) = p.labels[i] {
                    if c != d[i] {
                        println!(
                            "{} {}:{} p={q:.2} {:.100}",
                            if c { "MISS" } else { "FP  " },
                            p.name,
                            p.lines[i].line + 1,
                            p.texts[i]
                        );
                    }
                }
            }
        }
    }
    if write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/chrome_model.txt");
        std::fs::write(&path, model.write()).expect("write the model");
        println!("wrote {}", path.display());
    }
}
