//! A learned name tagger: a linear model over sparse features (see [`features`]) with BIO labels
//! of the four kinds, decoded by Viterbi over the words of each line.
//!
//! The model is trained by `dossier-train` (in `server/train`) on the openly licensed annotated
//! text described in `server/engine/data/README.md`, committed as `data/ner.model` and embedded
//! in the binary. It is read once, on the first recognition.
//!
//! Speed: the weights of a word type's own features, and of the features it gives its
//! neighbours, are summed once per type and kept per thread ([`Scorer`]), so that scoring a
//! token is a few vector additions and lookups for its position in the document. Lowercase
//! stretches away from every capitalised word are not scored at all: they are outside names.
//!
//! Architecture invariant: training ([`sample`], [`Doc::all_features`]) and tagging
//! ([`Scorer::tag`]) compute the same features with the same code; a test checks that the
//! cached sums give the scores of the plain feature lists.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::LazyLock;

mod features;
mod model;

pub use features::FEATURES_VERSION;
pub use model::{Model, ModelError, Weights, FORMAT_VERSION, LABELS};

use super::recognize::{evidence_marks, tokenize_into, Tok};
use super::Kind;
use features::{
    own_features, role_features, word_type, Doc, IdHasher, WordType, BOUNDARY, SMALL_FIRST, SMALL_LAST, SMALL_VALUES,
};

/// The label of a token: 0 is outside every name; `1 + 2k` begins and `2 + 2k` continues a name
/// of kind `KINDS[k]`.
pub type Label = u8;

/// The kinds in label order.
pub const KINDS: [Kind; 4] = [Kind::Person, Kind::Organization, Kind::Place, Kind::Other];

/// The label that begins a name of kind `k`.
pub fn begin(k: Kind) -> Label {
    1 + 2 * kind_index(k) as u8
}

/// The label that continues a name of kind `k`.
pub fn inside(k: Kind) -> Label {
    2 + 2 * kind_index(k) as u8
}

fn kind_index(k: Kind) -> usize {
    KINDS.iter().position(|&x| x == k).unwrap_or(3)
}

/// The kind of a label other than O.
pub fn kind_of(l: Label) -> Option<Kind> {
    (l != 0).then(|| KINDS[usize::from((l - 1) / 2).min(3)])
}

/// May label `next` follow label `prev` (`None`: the start of a line)?
pub fn allowed(prev: Option<Label>, next: Label) -> bool {
    if next == 0 || next % 2 == 1 {
        return true;
    }
    // an I- label only after the B- or I- of its kind
    prev.is_some_and(|p| p != 0 && (p - 1) / 2 == (next - 1) / 2)
}

/// The embedded model, read on first use (`None` if it does not read, which a test rules out).
static MODEL: LazyLock<Option<Model>> =
    LazyLock::new(|| Model::from_bytes(include_bytes!("../../../data/ner.model")).ok());

/// The embedded model.
pub fn embedded() -> Option<&'static Model> {
    MODEL.as_ref()
}

/// A document prepared for training: its words, which of them the tagger looks at, and the
/// features of each.
pub struct Sample {
    /// Byte range of every word.
    pub tokens: Vec<Range<usize>>,
    /// Whether the tagger looks at the word (the others are always outside names).
    pub active: Vec<bool>,
    /// Every feature of every word (empty for words that are not active).
    pub features: Vec<Vec<u64>>,
    /// The runs of words the tagger labels together (active words next to each other on a line).
    pub runs: Vec<Range<usize>>,
    text: String,
    toks: Vec<Tok>,
    marks: Vec<u8>,
}

impl Sample {
    /// The second pass's features of every word, given the first pass's labels of all words
    /// (empty for words that are not active).
    pub fn doc_features(&self, labels: &[Label]) -> Vec<Vec<u64>> {
        let doc = Doc::new(&self.text, &self.toks, &self.marks, |_, w| word_type(w));
        let elsewhere = doc.elsewhere(labels);
        (0..self.toks.len())
            .map(|i| {
                let mut f = Vec::new();
                if doc.active[i] {
                    doc.doc_features(i, labels[i], &elsewhere, &mut |x| f.push(x));
                }
                f
            })
            .collect()
    }
}

/// The words and features of `text` exactly as the tagger sees them.
pub fn sample(text: &str) -> Sample {
    let mut toks = Vec::new();
    tokenize_into(text, &mut toks);
    let marks = evidence_marks(text, &toks);
    let doc = Doc::new(text, &toks, &marks, |_, w| word_type(w));
    let features = (0..toks.len())
        .map(|i| {
            let mut f = Vec::new();
            if doc.active[i] {
                doc.all_features(i, &mut |x| f.push(x));
            }
            f
        })
        .collect();
    let runs = runs(&doc);
    let active = doc.active.clone();
    let tokens = toks.iter().map(|t| t.s..t.e).collect();
    drop(doc);
    Sample { tokens, active, features, runs, text: text.to_string(), toks, marks }
}

/// The runs of active tokens that are next to each other on one line.
fn runs(doc: &Doc) -> Vec<Range<usize>> {
    let n = doc.active.len();
    // about one run in eight words in news text
    let mut out = Vec::with_capacity(n / 8 + 1);
    let mut i = 0;
    while i < n {
        if !doc.active[i] {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < n && doc.active[i] && !doc.toks[i].line && !doc.sentence_break(i) {
            i += 1;
        }
        out.push(start..i);
    }
    out
}

/// Word types seen, kept before the cache starts again.
const KEEP_TYPES: usize = 1 << 18;

/// What a word type contributes to scores, summed once.
struct TypeScores {
    wt: WordType,
    own: [i32; LABELS],
    /// What it adds to the token two before, one before, one after and two after it.
    roles: [[i32; LABELS]; 4],
}

/// Scores documents with one model, keeping the sums of the word types it has seen.
pub struct Scorer<'m> {
    model: &'m Model,
    /// Entries of `types` by the hash of their word.
    index: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    types: Vec<TypeScores>,
    boundary: [[i32; LABELS]; 4],
    /// The weights of the features of few values, by template and value (see [`features::Sink`]).
    small: Vec<[i32; LABELS]>,
    steps: Steps,
    trellis: Trellis,
    /// Per token of the current document: its entry in `types`.
    slots: Vec<u32>,
}

/// Roles of the four neighbours in [`features::Doc::near`] order.
const ROLES: [u32; 4] = [2, 1, 3, 4];

impl<'m> Scorer<'m> {
    pub fn new(model: &'m Model) -> Scorer<'m> {
        let mut boundary = [[0; LABELS]; 4];
        for (r, role) in ROLES.iter().enumerate() {
            role_features(&BOUNDARY, *role, &mut |f| model.add(f, &mut boundary[r]));
        }
        let mut small = Vec::new();
        for t in SMALL_FIRST..=SMALL_LAST {
            for v in 0..SMALL_VALUES {
                let mut row = [0; LABELS];
                model.add(features::feat(t, v), &mut row);
                small.push(row);
            }
        }
        Scorer {
            model,
            index: HashMap::default(),
            types: Vec::new(),
            boundary,
            small,
            steps: Steps::new(moves(&model.transitions)),
            trellis: Trellis::default(),
            slots: Vec::new(),
        }
    }

    fn slot(&mut self, w: &str) -> u32 {
        // a word type is known by its 64-bit hash (a collision is about one in 10^10 for the
        // words a thread keeps)
        let h = features::hash_bytes(0, w.as_bytes());
        if let Some(&s) = self.index.get(&h) {
            return s;
        }
        let wt = word_type(w);
        let mut own = [0; LABELS];
        own_features(w, &wt, &mut |f| self.model.add(f, &mut own));
        let mut roles = [[0; LABELS]; 4];
        for (r, role) in ROLES.iter().enumerate() {
            role_features(&wt, *role, &mut |f| self.model.add(f, &mut roles[r]));
        }
        let s = self.types.len() as u32;
        self.types.push(TypeScores { wt, own, roles });
        self.index.insert(h, s);
        s
    }

    /// The names in `text` (tokenised into `toks`, with the rules' `marks`): (first token, last
    /// token, kind).
    pub(crate) fn tag_tokens(&mut self, text: &str, toks: &[Tok], marks: &[u8]) -> Vec<Tagged> {
        if self.types.len() > KEEP_TYPES {
            self.types.clear();
            self.index.clear();
        }
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        slots.resize(toks.len(), u32::MAX);
        let doc = Doc::new(text, toks, marks, |i, w| {
            let s = self.slot(w);
            slots[i] = s;
            self.types[s as usize].wt
        });
        // first pass: the words alone
        let runs = runs(&doc);
        let mut labels = vec![0 as Label; toks.len()];
        let mut scores: Vec<[i32; LABELS]> = Vec::with_capacity(toks.len());
        let mut starts = Vec::with_capacity(runs.len());
        let mut tr = std::mem::take(&mut self.trellis);
        for run in &runs {
            starts.push(scores.len());
            for j in run.clone() {
                scores.push(self.score(&doc, &slots, j));
            }
            viterbi(&scores[scores.len() - run.len()..], &self.steps, &mut tr, &mut labels[run.clone()]);
        }
        // second pass: with what the first found for the same words elsewhere in the document
        let elsewhere = doc.elsewhere(&labels);
        let mut out = Vec::with_capacity(runs.len());
        let mut best = Vec::new();
        for (run, &at) in runs.iter().zip(&starts) {
            let sc = &mut scores[at..at + run.len()];
            let mut any = false;
            for (k, j) in run.clone().enumerate() {
                any |= doc.doc_features(j, labels[j], &elsewhere, &mut Adder { scorer: self, acc: &mut sc[k] });
            }
            let from = out.len();
            if any {
                best.clear();
                best.resize(run.len(), 0);
                viterbi(sc, &self.steps, &mut tr, &mut best);
                spans_of(&best, run.start, &mut out);
            } else {
                spans_of(&labels[run.clone()], run.start, &mut out);
            }
            for t in &mut out[from..] {
                t.kinds = kind_scores(&sc[t.a - run.start..=t.b - run.start]);
            }
        }
        self.slots = slots;
        self.trellis = tr;
        out
    }

    fn score(&self, doc: &Doc, slots: &[u32], i: usize) -> [i32; LABELS] {
        let mut s = self.types[slots[i] as usize].own;
        let near = doc.near(i);
        for (r, &j) in near.iter().enumerate() {
            let add = if j == usize::MAX { &self.boundary[r] } else { &self.types[slots[j] as usize].roles[r] };
            for (a, b) in s.iter_mut().zip(add) {
                *a += b;
            }
        }
        doc.token_features(i, near, &mut Adder { scorer: self, acc: &mut s });
        s
    }

    /// The names in `text`: byte range and kind.
    pub fn tag(&mut self, text: &str) -> Vec<(Range<usize>, Kind)> {
        let mut toks = Vec::new();
        tokenize_into(text, &mut toks);
        let marks = evidence_marks(text, &toks);
        self.tag_tokens(text, &toks, &marks).into_iter().map(|t| (toks[t.a].s..toks[t.b].e, t.kind)).collect()
    }
}

thread_local! {
    /// The embedded model's scorer of this thread, with the word types it has seen.
    static SCORER: std::cell::RefCell<Option<Scorer<'static>>> = const { std::cell::RefCell::new(None) };
}

/// Tag with `model` instead of the embedded one on this thread from now on (for tools that
/// score a model they have just trained through the whole recogniser).
pub fn use_on_this_thread(model: &'static Model) {
    SCORER.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Some(Scorer::new(model));
        }
    });
}

/// The names the embedded model finds in `text` (cut into `toks`, with the rules' `marks`), or
/// `None` if there is no model.
pub(crate) fn tag_embedded(text: &str, toks: &[Tok], marks: &[u8]) -> Option<Vec<Tagged>> {
    SCORER.with(|s| {
        let mut s = s.try_borrow_mut().ok()?;
        if s.is_none() {
            *s = Some(Scorer::new(embedded()?));
        }
        Some(s.as_mut()?.tag_tokens(text, toks, marks))
    })
}

/// Adds the weights of features to a token's scores.
struct Adder<'s, 'm> {
    scorer: &'s Scorer<'m>,
    acc: &'s mut [i32; LABELS],
}

impl features::Sink for Adder<'_, '_> {
    fn hashed(&mut self, f: u64) {
        self.scorer.model.add(f, self.acc);
    }

    fn small(&mut self, template: u32, value: u64) {
        if value < SMALL_VALUES && (SMALL_FIRST..=SMALL_LAST).contains(&template) {
            let row = &self.scorer.small[((template - SMALL_FIRST) as u64 * SMALL_VALUES + value) as usize];
            for (a, b) in self.acc.iter_mut().zip(row) {
                *a += b;
            }
        } else {
            self.hashed(features::feat(template, value));
        }
    }
}

/// A name the tagger found: its first and last token, its kind, and how the model scores the
/// same words as a name of each kind (in [`KINDS`] order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tagged {
    pub a: usize,
    pub b: usize,
    pub kind: Kind,
    pub kinds: [i32; 4],
}

impl Tagged {
    /// How much more the model scores its kind than kind `k` for these words.
    pub fn margin_over(&self, k: Kind) -> i32 {
        self.kinds[kind_index(self.kind)] - self.kinds[kind_index(k)]
    }
}

/// The score of the words of `rows` as one name of each kind: B- on the first, I- on the rest.
fn kind_scores(rows: &[[i32; LABELS]]) -> [i32; 4] {
    let mut out = [0; 4];
    for (k, &kind) in KINDS.iter().enumerate() {
        let inner: i32 = rows[1..].iter().map(|r| r[usize::from(inside(kind))]).sum();
        out[k] = rows[0][usize::from(begin(kind))] + inner;
    }
    out
}

/// Append the names of a labelled run starting at token `offset`.
fn spans_of(labels: &[Label], offset: usize, out: &mut Vec<Tagged>) {
    let mut cur: Option<(usize, Kind)> = None;
    let mut push =
        |a: usize, b: usize, kind: Kind| out.push(Tagged { a: offset + a, b: offset + b, kind, kinds: [0; 4] });
    for (k, &l) in labels.iter().enumerate() {
        let continues = l != 0 && l % 2 == 0 && cur.is_some_and(|(_, ck)| kind_of(l) == Some(ck));
        if !continues {
            if let Some((a, ck)) = cur.take() {
                push(a, k - 1, ck);
            }
            if l != 0 {
                cur = kind_of(l).map(|ck| (k, ck));
            }
        }
    }
    if let Some((a, ck)) = cur {
        push(a, labels.len() - 1, ck);
    }
}

/// Transitions for [`viterbi`]: `[prev][next]` with row `LABELS` the start and column `LABELS`
/// the end, disallowed moves (an I- label not after its B- or I-) a large negative number.
pub(crate) type Moves = [[i32; LABELS + 1]; LABELS + 1];

/// A score no path takes.
const NEVER: i32 = i32::MIN / 4;

/// The model's transitions with the disallowed moves ruled out.
fn moves(t: &[[i32; LABELS + 1]; LABELS + 1]) -> Moves {
    let mut m = *t;
    for (p, row) in m.iter_mut().enumerate() {
        for (l, x) in row.iter_mut().enumerate().take(LABELS) {
            let prev = (p < LABELS).then_some(p as Label);
            if !allowed(prev, l as Label) {
                *x = NEVER;
            }
        }
    }
    m
}

/// The widest spread of the allowed moves: a word whose outside score leads every other label by
/// more than twice this is outside names whatever its neighbours are.
fn spread(moves: &Moves) -> i32 {
    let allowed_moves = || moves.iter().flatten().copied().filter(|&m| m != NEVER);
    allowed_moves().max().unwrap_or(0).saturating_sub(allowed_moves().min().unwrap_or(0))
}

/// The moves as [`viterbi`] reads them: the whole table, and the moves into the outside and
/// B- labels from every label and into the I- labels from the two labels they may follow,
/// apart, so that a step of the forward pass takes 53 maxima (the B- labels four at a time)
/// instead of 81.
pub(crate) struct Steps {
    moves: Moves,
    /// See [`spread`].
    spread: i32,
    /// `[prev]`: the move from `prev` to O.
    to_out: [i32; LABELS],
    /// `[prev][k]`: the move from `prev` to the B- label of kind `k`.
    to_begin: [[i32; 4]; LABELS],
    /// `[k]`: the moves from the B- and from the I- label of kind `k` to its I- label.
    begin_inside: [i32; 4],
    inside_inside: [i32; 4],
    /// `[l]`: the moves from the start to `l` and from `l` to the end (a run of one word).
    alone: [i64; LABELS],
}

impl Steps {
    pub(crate) fn new(moves: Moves) -> Steps {
        let kinds = |f: &dyn Fn(usize) -> i32| std::array::from_fn(f);
        Steps {
            moves,
            spread: spread(&moves),
            to_out: std::array::from_fn(|p| moves[p][0]),
            to_begin: std::array::from_fn(|p| kinds(&|k| moves[p][1 + 2 * k])),
            begin_inside: kinds(&|k| moves[1 + 2 * k][2 + 2 * k]),
            inside_inside: kinds(&|k| moves[2 + 2 * k][2 + 2 * k]),
            alone: std::array::from_fn(|l| i64::from(moves[LABELS][l]) + i64::from(moves[l][LABELS])),
        }
    }

    /// The best score of every label at the next word (before its own scores), from the best
    /// scores `cur` of the labels at this one: the maximum over the previous labels allowed.
    /// An I- label may only follow its B- or I-: the moves ruled out ([`NEVER`]) never give the
    /// maximum, as the scores of a word are far from `NEVER`.
    #[inline]
    fn forward(&self, cur: &[i32; LABELS]) -> [i32; LABELS] {
        let mut out_best = i32::MIN / 2;
        let mut begin = [i32::MIN / 2; 4];
        for ((&c, &to_out), to_begin) in cur.iter().zip(&self.to_out).zip(&self.to_begin) {
            out_best = out_best.max(c + to_out);
            for (b, &m) in begin.iter_mut().zip(to_begin) {
                *b = (*b).max(c + m);
            }
        }
        let mut next = [0; LABELS];
        next[0] = out_best;
        for k in 0..4 {
            next[1 + 2 * k] = begin[k];
            next[2 + 2 * k] = (cur[1 + 2 * k] + self.begin_inside[k]).max(cur[2 + 2 * k] + self.inside_inside[k]);
        }
        next
    }
}

/// Buffers of [`viterbi`].
#[derive(Default)]
pub(crate) struct Trellis {
    /// The best score of every label at every word, less `shift` of the word.
    alpha: Vec<[i32; LABELS]>,
    shift: Vec<i32>,
}

/// The best label sequence for per-token label scores under the moves, written into `out`
/// (as long as `scores`).
///
/// The forward pass keeps only the best score of every label at every word (a max-plus product
/// over the allowed moves, [`Steps::forward`]), shifted to keep the numbers small; the way back finds, at each
/// word, the first previous label that gives the score kept, which is the one a pass keeping
/// back-pointers would have chosen. A run whose every word is surely outside names (its outside
/// score leads by more than twice `spread`) is all outside without a search.
pub(crate) fn viterbi(scores: &[[i32; LABELS]], steps: &Steps, tr: &mut Trellis, out: &mut [Label]) {
    let (moves, spread) = (&steps.moves, steps.spread);
    let n = scores.len();
    let sure_out = |s: &[i32; LABELS]| s[1..].iter().all(|&x| i64::from(s[0]) - i64::from(x) > 2 * i64::from(spread));
    if scores.iter().all(sure_out) {
        out.fill(0);
        return;
    }
    let end = |l: usize| moves[l][LABELS];
    if n == 1 {
        // one word: the best label that may start and end a run (the first of equals)
        let mut best = (i64::MIN, 0);
        for (l, (&a, &s)) in steps.alone.iter().zip(&scores[0]).enumerate() {
            if a + i64::from(s) > best.0 {
                best = (a + i64::from(s), l);
            }
        }
        out[0] = best.1 as Label;
        return;
    }
    tr.alpha.clear();
    tr.shift.clear();
    tr.alpha.push(std::array::from_fn(|l| moves[LABELS][l].saturating_add(scores[0][l])));
    tr.shift.push(0);
    for sc in &scores[1..n] {
        let mut next = steps.forward(&tr.alpha[tr.alpha.len() - 1]);
        // near zero, so that long runs cannot overflow
        let top = next.iter().copied().max().unwrap_or(0);
        for (x, &s) in next.iter_mut().zip(sc) {
            *x = (*x - top).max(NEVER) + s;
        }
        tr.alpha.push(next);
        tr.shift.push(top);
    }
    let mut best = i64::MIN;
    for (l, &c) in tr.alpha[n - 1].iter().enumerate() {
        let v = i64::from(c) + i64::from(end(l));
        if v > best {
            best = v;
            out[n - 1] = l as Label;
        }
    }
    for t in (1..n).rev() {
        let l = usize::from(out[t]);
        let want = tr.alpha[t][l] - scores[t][l] + tr.shift[t];
        let prev = &tr.alpha[t - 1];
        out[t - 1] = (0..LABELS).find(|&p| prev[p] + moves[p][l] == want).unwrap_or(0) as Label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every allowed label sequence of length `n`.
    fn sequences(n: usize) -> Vec<Vec<Label>> {
        let mut out: Vec<Vec<Label>> = vec![Vec::new()];
        for _ in 0..n {
            out = out
                .into_iter()
                .flat_map(|s| {
                    (0..LABELS as Label)
                        .filter(|&l| allowed(s.last().copied(), l))
                        .map(|l| {
                            let mut t = s.clone();
                            t.push(l);
                            t
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        out
    }

    #[test]
    fn viterbi_finds_the_best_allowed_sequence() {
        // a fixed pseudo-random stream of scores and transitions
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 2001) as i32 - 1000
        };
        for n in 1..=4 {
            for _ in 0..20 {
                let t: [[i32; LABELS + 1]; LABELS + 1] = std::array::from_fn(|_| std::array::from_fn(|_| next()));
                let scores: Vec<[i32; LABELS]> = (0..n).map(|_| std::array::from_fn(|_| next())).collect();
                let m = moves(&t);
                let total = |s: &[Label]| {
                    let mut v = i64::from(t[LABELS][usize::from(s[0])]) + i64::from(t[usize::from(s[n - 1])][LABELS]);
                    for (k, &l) in s.iter().enumerate() {
                        v += i64::from(scores[k][usize::from(l)]);
                        if k > 0 {
                            v += i64::from(t[usize::from(s[k - 1])][usize::from(l)]);
                        }
                    }
                    v
                };
                let best = sequences(n).into_iter().map(|s| total(&s)).max().unwrap_or(0);
                let mut out = vec![0; n];
                viterbi(&scores, &Steps::new(m), &mut Trellis::default(), &mut out);
                assert!(out.windows(2).all(|w| allowed(Some(w[0]), w[1])) && allowed(None, out[0]), "{out:?}");
                assert_eq!(total(&out), best, "{out:?}");
            }
        }
    }

    #[test]
    fn cached_sums_give_the_scores_of_the_plain_feature_lists() {
        let model = embedded().expect("the embedded model reads");
        let mut texts: Vec<String> = dossier_testgen::corpus(20, 3).into_iter().map(|(_, t)| t).collect();
        texts.push(
            "«Газпром» и МИД РФ. President Obama met NATO in New York; \"Halyk Bank\" said.\nUNITED NATIONS".into(),
        );
        let mut scorer = Scorer::new(model);
        let mut checked = 0;
        for text in &texts {
            let plain = sample(text);
            let mut toks = Vec::new();
            tokenize_into(text, &mut toks);
            let marks = evidence_marks(text, &toks);
            let mut slots = vec![u32::MAX; toks.len()];
            let doc = Doc::new(text, &toks, &marks, |i, w| {
                let s = scorer.slot(w);
                slots[i] = s;
                scorer.types[s as usize].wt
            });
            assert_eq!(doc.active, plain.active);
            for (i, features) in plain.features.iter().enumerate().filter(|&(i, _)| doc.active[i]) {
                let mut want = [0; LABELS];
                for &f in features {
                    model.add(f, &mut want);
                }
                assert_eq!(scorer.score(&doc, &slots, i), want, "token {i} of {text:?}");
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked} tokens");
    }

    #[test]
    fn labels_round_trip_kinds() {
        for k in KINDS {
            assert_eq!(kind_of(begin(k)), Some(k));
            assert_eq!(kind_of(inside(k)), Some(k));
            assert!(allowed(Some(begin(k)), inside(k)));
            assert!(!allowed(None, inside(k)));
            assert!(!allowed(Some(0), inside(k)));
        }
        assert!(!allowed(Some(begin(Kind::Person)), inside(Kind::Place)));
    }
}
