//! Chrome lines of a whole-page text: menus, link rails, share bars and footers around the
//! article, told apart from the article by a small learned model over line and context
//! features.
//!
//! The method is jusText's, learned instead of hand-tuned. Each non-empty line gets a
//! [`Shape`] from its text alone (length, words, stop-word count in the language that has
//! most, list marker, sentence punctuation, capitals, link- and label-like shape). A first
//! logistic model scores each line on its shape; a second one scores it again with its
//! context: the first scores of its neighbours, blank lines around it, the run of list items
//! it is in, how often the page repeats it, and where it lies relative to the main block of
//! prose (the run of lines with the most article evidence). Both models are data:
//! `data/chrome_model.txt`, written by `cargo run --release -p dossier-engine --example
//! train_chrome` from the labelled pages in `shared/data/boilerplate/rendered` (see that
//! example), loaded once and deterministic.
//!
//! Architecture invariant: shapes depend on a line's text alone (they are cached per block);
//! everything that looks at neighbours is in [`classify`], a linear pass over the shapes.

pub mod describe;
pub mod shape;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use shape::{code_like, flag, shape, split_marker, Marker, Shape, MONTHS};

/// One non-empty line of a document as the classifier sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Line number in the document (0-based).
    pub line: usize,
    pub shape: Shape,
    /// Hash of the line's folded text (lines with equal keys repeat each other).
    pub key: u64,
}

/// Fewest non-empty lines of a document the classifier looks at: a shorter text is a snippet
/// or a test, with too little context to tell a heading from a menu item.
pub const MIN_LINES: usize = 8;

/// Does the line read as a paragraph of prose: ten words or more ending like a sentence?
pub fn is_prose(s: Shape) -> bool {
    s.words() >= 10 && s.has(flag::SENTENCE_END)
}

/// Number of features of a line on its own.
pub const LOCAL: usize = 41;
/// Number of context features added by the second model.
pub const CONTEXT: usize = 23;

/// Features of a line on its own, appended to `out` ([`LOCAL`] values).
pub fn local_features(s: Shape, out: &mut Vec<f32>) {
    let words = s.words();
    let start = out.len();
    out.push(((1 + s.chars()) as f32).ln() / 8.0);
    let bucket = match words {
        0 => 0,
        1 => 1,
        2 => 2,
        3..=4 => 3,
        5..=7 => 4,
        8..=12 => 5,
        13..=25 => 6,
        _ => 7,
    };
    for b in 0..8 {
        out.push(f32::from(b == bucket));
    }
    let density = if words > 0 { s.stops() as f32 / words as f32 } else { 0.0 };
    out.push(density);
    out.push(f32::from(s.stops() == 0 && words >= 3));
    out.push(((1 + s.stops()) as f32).ln() / 4.0);
    for m in [Marker::Star, Marker::Plus, Marker::Circle, Marker::Dash, Marker::Bullet, Marker::Number] {
        out.push(f32::from(s.marker() == m));
    }
    out.push(s.title_share() as f32 / 15.0);
    out.push(s.letter_share() as f32 / 15.0);
    for i in 0..flag::COUNT {
        out.push(f32::from(s.has(1 << i)));
    }
    out.push(f32::from(s.has(flag::SENTENCE_END) && words >= 8));
    out.push(f32::from(words <= 6) * s.title_share() as f32 / 15.0);
    debug_assert_eq!(out.len() - start, LOCAL);
}

/// A linear model: weights and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Linear {
    pub fn score(&self, x: &[f32]) -> f32 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
    }
}

/// The two models and the decision thresholds on the second one's probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub version: u32,
    pub local: Linear,
    pub context: Linear,
    pub thresholds: Thresholds,
}

/// Lowest probabilities at which a line is taken for chrome: any line, a line inside the main
/// block of prose, and a line of prose ([`is_prose`]). A paragraph or a line amid the article
/// flagged by mistake loses more of the article than a label, so the last two are at least the
/// first; all three are chosen by the trainer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub line: f32,
    pub inside: f32,
    pub prose: f32,
}

impl Thresholds {
    /// The threshold of line `s`, inside the main block or not.
    fn of(self, s: Shape, inside: bool) -> f32 {
        let mut t = self.line;
        if inside {
            t = t.max(self.inside);
        }
        if is_prose(s) {
            t = t.max(self.prose);
        }
        t
    }
}

/// The bundled model.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::parse(include_str!("../../data/chrome_model.txt")).unwrap_or_else(|e| panic!("bundled chrome model: {e}"))
});

impl Model {
    /// Read a model written by [`Model::write`].
    pub fn parse(text: &str) -> Result<Model, String> {
        let mut version = None;
        let (mut local, mut context, mut threshold) = (None, None, None);
        let (mut inside, mut prose) = (None, None);
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut parts = line.split_whitespace();
            let key = parts.next().unwrap_or("");
            let nums: Result<Vec<f32>, _> = parts.map(str::parse::<f32>).collect();
            let nums = nums.map_err(|e| format!("{key}: {e}"))?;
            let linear = |n: usize| -> Result<Linear, String> {
                if nums.len() != n + 1 {
                    return Err(format!("{key}: {} numbers, expected {}", nums.len(), n + 1));
                }
                Ok(Linear { bias: nums[0], weights: nums[1..].to_vec() })
            };
            match key {
                "version" => version = nums.first().map(|&v| v as u32),
                "local" => local = Some(linear(LOCAL)?),
                "context" => context = Some(linear(LOCAL + CONTEXT)?),
                "threshold" => threshold = nums.first().copied(),
                "inside_threshold" => inside = nums.first().copied(),
                "prose_threshold" => prose = nums.first().copied(),
                _ => return Err(format!("unknown key {key}")),
            }
        }
        let line = threshold.ok_or("no threshold")?;
        Ok(Model {
            version: version.ok_or("no version")?,
            local: local.ok_or("no local model")?,
            context: context.ok_or("no context model")?,
            thresholds: Thresholds {
                line,
                inside: inside.unwrap_or(line),
                prose: prose.unwrap_or(DEFAULT_PROSE_THRESHOLD),
            },
        })
    }

    /// The model as text (read back by [`Model::parse`]).
    pub fn write(&self) -> String {
        let row = |name: &str, l: &Linear| {
            let mut s = format!("{name} {:.6}", l.bias);
            for w in &l.weights {
                s.push_str(&format!(" {w:.6}"));
            }
            s.push('\n');
            s
        };
        format!(
            "# Chrome-line classifier of Dossier (see server/engine/src/chrome/mod.rs).\n\
             # Written by: cargo run --release -p dossier-engine --example train_chrome\n\
             version {}\n{}{}threshold {:.4}\ninside_threshold {:.4}\nprose_threshold {:.4}\n",
            self.version,
            row("local", &self.local),
            row("context", &self.context),
            self.thresholds.line,
            self.thresholds.inside,
            self.thresholds.prose
        )
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The features of every line: [`LOCAL`] values a line, in order.
pub fn all_local_features(lines: &[Line]) -> Vec<f32> {
    let mut x = Vec::with_capacity(lines.len() * LOCAL);
    for l in lines {
        local_features(l.shape, &mut x);
    }
    x
}

/// Context features of every line given the first model's scores `s1` (logits; positive is
/// chrome): [`CONTEXT`] values a line, in order.
pub fn all_context_features(lines: &[Line], s1: &[f32]) -> Vec<f32> {
    let mut all = Vec::with_capacity(lines.len() * CONTEXT);
    context_features(lines, s1, &mut all);
    all
}

/// Where [`context_features`] puts each line's features, in order, then says the line is done.
pub trait Features {
    fn put(&mut self, v: f32);
    /// The [`CONTEXT`] features of line `i` are all put.
    fn done(&mut self, _i: usize) {}
}

impl Features for Vec<f32> {
    fn put(&mut self, v: f32) {
        self.push(v);
    }
}

/// Context features of each line in turn, put into `out` ([`CONTEXT`] values a line, the same as
/// [`all_context_features`] gives), so that they need not be kept.
pub fn context_features(lines: &[Line], s1: &[f32], out: &mut impl Features) {
    let n = lines.len();
    if n == 0 {
        return;
    }
    let clip = |v: f32| (v / 4.0).clamp(-2.0, 2.0);
    let s: Vec<f32> = s1.iter().map(|&v| clip(v)).collect();
    // Prefix sums for window means.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f32);
    for v in &s {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + v);
    }
    let mean = |i: usize, r: usize| {
        let (a, b) = (i.saturating_sub(r), (i + r + 1).min(n));
        (prefix[b] - prefix[a]) / (b - a) as f32
    };
    // Groups: runs of lines without a blank line between them.
    let mut group = vec![0usize; n];
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        if i == 0 || lines[i].line != lines[i - 1].line + 1 {
            groups.push((i, i + 1));
        } else if let Some(g) = groups.last_mut() {
            g.1 = i + 1;
        }
        group[i] = groups.len() - 1;
    }
    // Runs of the same list marker.
    let mut marker_run = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let m = lines[i].shape.marker();
        let mut j = i + 1;
        while j < n && m != Marker::None && lines[j].shape.marker() == m {
            j += 1;
        }
        for r in &mut marker_run[i..j] {
            *r = if m == Marker::None { 0 } else { j - i };
        }
        i = j;
    }
    // How often the page repeats a line.
    let mut counts: crate::hash::FastMap<u64, u32> = HashMap::with_capacity_and_hasher(n, Default::default());
    for l in lines {
        *counts.entry(l.key).or_default() += 1;
    }
    // Article evidence: the first model's article probability, weighted by words.
    let prose: Vec<f32> =
        lines.iter().zip(s1).map(|(l, &v)| (sigmoid(-v) - 0.5) * l.shape.words().min(50) as f32).collect();
    let (a, b) = main_block(&prose);
    let mass: Vec<f32> = prose.iter().map(|&p| p.max(0.0)).collect();
    let total: f32 = mass.iter().sum::<f32>().max(1e-6);
    let mut before = 0.0f32;
    for i in 0..n {
        let l = &lines[i];
        out.put(s[i]);
        out.put(if i > 0 { s[i - 1] } else { 1.0 });
        out.put(if i + 1 < n { s[i + 1] } else { 1.0 });
        out.put(if i > 1 { s[i - 2] } else { 1.0 });
        out.put(if i + 2 < n { s[i + 2] } else { 1.0 });
        out.put(mean(i, 3));
        out.put(mean(i, 10));
        out.put(f32::from(i == 0 || lines[i - 1].line + 1 != l.line));
        out.put(f32::from(i + 1 == n || lines[i + 1].line != l.line + 1));
        out.put(f32::from(i == 0));
        out.put(f32::from(i + 1 == n));
        let (ga, gb) = groups[group[i]];
        out.put(ln_1p(gb - ga) / 4.0);
        out.put((prefix[gb] - prefix[ga]) / (gb - ga) as f32);
        out.put(ln_1p(marker_run[i]) / 4.0);
        out.put(ln_1p(counts.get(&l.key).copied().unwrap_or(1).saturating_sub(1) as usize) / 2.0);
        let inside = a <= i && i < b;
        out.put(f32::from(inside));
        out.put(if i < a { ln_1p(a - i) / 4.0 } else { 0.0 });
        out.put(if i >= b { ln_1p(i + 1 - b) / 4.0 } else { 0.0 });
        out.put(i as f32 / n as f32);
        out.put(before / total);
        before += mass[i];
        out.put((total - before).max(0.0) / total);
        let (wa, wb) = (i.saturating_sub(3), (i + 4).min(n));
        let most = lines[wa..wb].iter().map(|l| l.shape.words()).max().unwrap_or(0);
        out.put(ln_1p(most as usize) / 4.0);
        let (wa, wb) = (i.saturating_sub(2), (i + 3).min(n));
        out.put(s[wa..wb].iter().copied().fold(f32::INFINITY, f32::min));
        out.done(i);
    }
}

/// `ln(1 + k)` of a count, the same number as `(k as f32).ln_1p()`: small counts are looked up.
fn ln_1p(k: usize) -> f32 {
    static SMALL: LazyLock<Vec<f32>> = LazyLock::new(|| (0..1024).map(|k| (k as f32).ln_1p()).collect());
    SMALL.get(k).copied().unwrap_or_else(|| (k as f32).ln_1p())
}

/// The run of lines with the largest sum of `evidence` (Kadane's algorithm): `a..b`, empty
/// (0..0) when no line has positive evidence.
fn main_block(evidence: &[f32]) -> (usize, usize) {
    let (mut best, mut best_range) = (0.0f32, (0, 0));
    let (mut sum, mut start) = (0.0f32, 0);
    for (i, &e) in evidence.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += e;
        if sum > best {
            best = sum;
            best_range = (start, i + 1);
        }
    }
    best_range
}

/// The probability that each line is chrome, with `model`.
pub fn probabilities(lines: &[Line], model: &Model) -> Vec<f32> {
    let mut x = Vec::with_capacity(LOCAL);
    probabilities_with(lines, model, |s| own_scores(s, model, &mut x))
}

/// The first model's score of a line's own features, and the second model's part of its score
/// over them: both depend on the shape alone.
fn own_scores(s: Shape, model: &Model, x: &mut Vec<f32>) -> (f32, f32) {
    x.clear();
    local_features(s, x);
    let on_local = &model.context.weights[..LOCAL.min(model.context.weights.len())];
    (model.local.score(x), dot(on_local, x))
}

fn dot(w: &[f32], x: &[f32]) -> f32 {
    w.iter().zip(x).map(|(w, v)| w * v).sum::<f32>()
}

/// [`probabilities`] given each line's [`own_scores`]; the context features are scored as
/// they come and not kept.
fn probabilities_with(lines: &[Line], model: &Model, mut own_of: impl FnMut(Shape) -> (f32, f32)) -> Vec<f32> {
    let on_context = &model.context.weights[LOCAL.min(model.context.weights.len())..];
    let (s1, own): (Vec<f32>, Vec<f32>) = lines.iter().map(|l| own_of(l.shape)).unzip();
    let mut scored = Scored { weights: on_context, k: 0, sum: -0.0, bias: model.context.bias, own, probs: Vec::new() };
    scored.probs.reserve(lines.len());
    context_features(lines, &s1, &mut scored);
    scored.probs
}

/// The second model's probabilities, each line's context features added to its score as
/// they come: the same sum, in the same order, as [`dot`] over the kept features.
struct Scored<'w> {
    weights: &'w [f32],
    /// The next feature's weight, and the sum so far over the line's context features.
    k: usize,
    sum: f32,
    bias: f32,
    /// The second model's part of each line's score over its own features.
    own: Vec<f32>,
    probs: Vec<f32>,
}

impl Features for Scored<'_> {
    fn put(&mut self, v: f32) {
        if let Some(w) = self.weights.get(self.k) {
            self.sum += w * v;
        }
        self.k += 1;
    }

    fn done(&mut self, i: usize) {
        self.probs.push(sigmoid(self.bias + self.own[i] + self.sum));
        (self.k, self.sum) = (0, -0.0);
    }
}

/// How many shapes' [`own_scores`] by the bundled model a thread remembers before it starts
/// over: chrome lines recur from page to page of a site, and with them their shapes.
const SCORES_CAP: usize = 1 << 12;

thread_local! {
    static SCORES: std::cell::RefCell<crate::hash::FastMap<u64, (f32, f32)>> = Default::default();
}

/// Which lines are chrome, by the bundled model.
pub fn classify(lines: &[Line]) -> Vec<bool> {
    let model = &*MODEL;
    let mut x = Vec::with_capacity(LOCAL);
    let probs = SCORES.with(|memo| {
        let mut memo = memo.borrow_mut();
        probabilities_with(lines, model, |s| {
            // A shape's bits spread over the key (an odd multiple and a shift are one to one).
            let m = s.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let key = m ^ (m >> 29);
            if let Some(&v) = memo.get(&key) {
                return v;
            }
            if memo.len() >= SCORES_CAP {
                memo.clear();
            }
            *memo.entry(key).or_insert_with(|| own_scores(s, model, &mut x))
        })
    });
    decide(lines, &probs, model.thresholds)
}

/// The prose threshold of a model file that gives none.
const DEFAULT_PROSE_THRESHOLD: f32 = 0.8;

/// The main block of prose by the second model's probabilities: the run of lines with the
/// most article evidence (article probability above one half, weighted by words).
pub fn main_block_of(lines: &[Line], probs: &[f32]) -> (usize, usize) {
    let evidence: Vec<f32> =
        lines.iter().zip(probs).map(|(l, &p)| (0.5 - p) * l.shape.words().min(50) as f32).collect();
    main_block(&evidence)
}

/// Which lines are chrome given their probabilities: at or above their threshold (see
/// [`Thresholds`]; the main block is [`main_block_of`]), except a line whose neighbours are
/// both prose that is not chrome (a subheading or a pull quote between two paragraphs belongs
/// to the article).
pub fn decide(lines: &[Line], probs: &[f32], thresholds: Thresholds) -> Vec<bool> {
    decide_in(lines, probs, thresholds, main_block_of(lines, probs))
}

/// [`decide`] given the main block `a..b`.
pub fn decide_in(lines: &[Line], probs: &[f32], thresholds: Thresholds, (a, b): (usize, usize)) -> Vec<bool> {
    let mut chrome: Vec<bool> =
        lines.iter().zip(probs).enumerate().map(|(i, (l, &p))| p >= thresholds.of(l.shape, a <= i && i < b)).collect();
    let prose = |i: usize, chrome: &[bool]| !chrome[i] && is_prose(lines[i].shape);
    for i in 1..lines.len().saturating_sub(1) {
        if chrome[i] && prose(i - 1, &chrome) && prose(i + 1, &chrome) {
            chrome[i] = false;
        }
    }
    chrome
}

/// Keeps the listings of the article: a group of lines (no blank line between them) of which
/// half or more are code, table rows or a protocol listing (`code(i)`, asked only of groups
/// with a flagged line) and that lies between two paragraphs of prose left to the article is
/// part of it, however unlike prose its lines look. Lines that match a pattern stay flagged.
pub fn keep_listings(lines: &[Line], chrome: &mut [bool], code: impl Fn(usize) -> bool) {
    let prose = |i: &usize| !chrome[*i] && is_prose(lines[*i].shape);
    let (Some(first), Some(last)) = ((0..lines.len()).find(prose), (0..lines.len()).rev().find(prose)) else {
        return;
    };
    let mut i = first + 1;
    while i < last {
        let mut j = i + 1;
        while j < last && lines[j].line == lines[j - 1].line + 1 {
            j += 1;
        }
        if j - i >= 2 && chrome[i..j].contains(&true) && (i..j).filter(|&k| code(k)).count() * 2 >= j - i {
            for k in i..j {
                chrome[k] &= lines[k].shape.has(flag::PATTERN);
            }
        }
        i = j;
    }
}
