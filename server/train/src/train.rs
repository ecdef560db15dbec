//! The training procedure: a first model over the words' own features, then the weights of the
//! second pass's features (what the first pass found for the same word elsewhere in the
//! document), learnt over first-pass labels and scores that come from models which did not see
//! the document (jackknifing, so that the second pass learns how far to trust a first pass on
//! new text).

use std::collections::HashMap;

use dossier_engine::entities::tagger::{self, begin, inside, Label, Weights};
use dossier_engine::entities::Kind;

use crate::data::{Dataset, Document, Part, Type};
use crate::perceptron::{Frozen, Perceptron, Seq, ANY};

pub struct Options {
    pub epochs: usize,
    pub min_count: usize,
    pub prune: f32,
    /// Passes over each dataset per epoch, by dataset name (1 when not named).
    pub passes: Vec<(String, usize)>,
    /// Datasets left out.
    pub skip: Vec<String>,
    /// Parts of the training documents for the second pass's jackknife (0: no second pass).
    pub folds: usize,
}

/// A document of the train part kept aside to check the model on (never trained on).
pub fn is_check(d: &Document) -> bool {
    d.part == Part::Train && crate::data::hashed_dev(&format!("check:{}", d.id))
}

fn label_kind(t: Type) -> Kind {
    match t {
        Type::Per => Kind::Person,
        Type::Org => Kind::Organization,
        Type::Loc => Kind::Place,
        Type::Misc => Kind::Other,
    }
}

/// Allowed labels of every word of a document, from its gold names projected onto the words.
/// Returns the masks and the number of gold names that do not fall on word boundaries.
fn gold_masks(d: &Document, s: &tagger::Sample, has_misc: bool) -> (Vec<u16>, usize) {
    let outside: u16 = if has_misc { 1 } else { 1 | 1 << begin(Kind::Other) | 1 << inside(Kind::Other) };
    let mut masks = vec![outside; s.tokens.len()];
    let mut unaligned = 0;
    let text = d.text.as_str();
    for g in &d.gold {
        // the words the name overlaps
        let a = s.tokens.partition_point(|t| t.end <= g.start);
        let b = s.tokens.partition_point(|t| t.start < g.end);
        if a >= b {
            unaligned += 1;
            continue;
        }
        let (ws, we) = (s.tokens[a].start, s.tokens[b - 1].end);
        // the words cover the name but for punctuation at its edges ("#Gaza")
        let edge_ok = |x: &str| x.chars().all(|c| !c.is_alphanumeric());
        let fits = ws >= g.start
            && we <= g.end
            && edge_ok(&text[g.start..ws])
            && edge_ok(&text[we..g.end])
            && s.active[a..b].iter().all(|&x| x);
        if fits {
            let k = label_kind(g.ty);
            masks[a] = 1 << begin(k);
            for m in &mut masks[a + 1..b] {
                *m = 1 << inside(k);
            }
        } else {
            unaligned += 1;
            for m in &mut masks[a..b] {
                *m = ANY;
            }
        }
    }
    (masks, unaligned)
}

/// A training document: its dataset, its words and features, and the allowed gold labels.
struct DocSample {
    ds: usize,
    sample: tagger::Sample,
    masks: Vec<u16>,
}

/// Feature hashes numbered densely: those seen at least `min_count` times.
struct Dict {
    keys: Vec<u64>,
    ids: HashMap<u64, u32>,
}

impl Dict {
    fn new<'a>(features: impl Iterator<Item = &'a u64>, min_count: usize) -> Dict {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for &f in features {
            *counts.entry(f).or_default() += 1;
        }
        let mut keys: Vec<u64> = counts.iter().filter(|(_, &c)| c >= min_count).map(|(&k, _)| k).collect();
        keys.sort_unstable();
        let ids = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
        Dict { keys, ids }
    }

    /// The sequences of a document's runs over per-word feature lists.
    fn seqs(&self, d: &DocSample, features: &[Vec<u64>]) -> Vec<Seq> {
        d.sample
            .runs
            .iter()
            .map(|run| {
                let mut q = Seq { ids: Vec::new(), offsets: vec![0], gold: Vec::new() };
                for t in run.clone() {
                    q.ids.extend(features[t].iter().filter_map(|f| self.ids.get(f)));
                    q.offsets.push(q.ids.len() as u32);
                    q.gold.push(d.masks[t]);
                }
                q
            })
            .collect()
    }
}

/// A small deterministic generator for the shuffle (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Train `p` on the sequences of the documents that `keep` selects, each document's runs
/// `passes[ds]` times an epoch, in a seeded shuffled order.
fn fit(
    mut p: Perceptron,
    seqs: &[(usize, Vec<Seq>)],
    keep: impl Fn(usize) -> bool,
    passes: &[usize],
    epochs: usize,
    label: &str,
) -> Frozen {
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (d, (ds, runs)) in seqs.iter().enumerate().filter(|(d, _)| keep(*d)) {
        for _ in 0..passes[*ds] {
            order.extend((0..runs.len()).map(|r| (d, r)));
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for epoch in 0..epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let wrong = order.iter().filter(|&&(d, r)| p.learn(&seqs[d].1[r])).count();
        if epoch + 1 == epochs {
            eprintln!("{label}: last epoch {wrong} of {} runs wrong", order.len());
        }
    }
    p.frozen()
}

/// Train on the train part of `sets` (without the documents kept aside).
pub fn train(sets: &[Dataset], o: &Options) -> Weights {
    let mut docs = Vec::new();
    let (mut unaligned, mut names) = (0, 0);
    for (k, ds) in sets.iter().enumerate() {
        if o.skip.contains(&ds.name) {
            continue;
        }
        let has_misc = ds.has_misc();
        for d in ds.docs.iter().filter(|d| d.part == Part::Train && !is_check(d)) {
            let sample = tagger::sample(&d.text);
            let (masks, u) = gold_masks(d, &sample, has_misc);
            unaligned += u;
            names += d.gold.len();
            docs.push(DocSample { ds: k, sample, masks });
        }
    }
    eprintln!("{} training documents, {names} names, {unaligned} not on word boundaries", docs.len());
    let passes: Vec<usize> =
        sets.iter().map(|ds| o.passes.iter().find(|(n, _)| *n == ds.name).map_or(1, |(_, w)| *w)).collect();
    let dict = Dict::new(docs.iter().flat_map(|d| d.sample.features.iter().flatten()), o.min_count);
    let seqs: Vec<(usize, Vec<Seq>)> = docs.iter().map(|d| (d.ds, dict.seqs(d, &d.sample.features))).collect();
    if o.folds < 2 {
        eprintln!("{} features", dict.keys.len());
        let model = fit(Perceptron::new(dict.keys.len()), &seqs, |_| true, &passes, o.epochs, "model");
        return Weights { features: model.features(&dict.keys, o.prune), transitions: model.tw };
    }
    // the second pass's features, from first-pass labels of models that did not see the document
    let labels = jackknife(&docs, &seqs, &dict, &passes, o);
    let doc_feats: Vec<Vec<Vec<u64>>> = docs.iter().zip(&labels).map(|(d, l)| d.sample.doc_features(l)).collect();
    // one model for both passes: every run with its second-pass features and without them
    let mut all = docs.iter().zip(&doc_feats).map(|(d, f)| {
        let mut merged = d.sample.features.clone();
        for (m, x) in merged.iter_mut().zip(f) {
            m.extend_from_slice(x);
        }
        merged
    });
    let merged: Vec<Vec<Vec<u64>>> = all.by_ref().collect();
    let dict = Dict::new(merged.iter().flatten().flatten(), o.min_count);
    eprintln!("{} features", dict.keys.len());
    let both: Vec<(usize, Vec<Seq>)> = docs
        .iter()
        .zip(&merged)
        .map(|(d, m)| {
            let mut runs = dict.seqs(d, m);
            runs.extend(dict.seqs(d, &d.sample.features));
            (d.ds, runs)
        })
        .collect();
    let model = fit(Perceptron::new(dict.keys.len()), &both, |_| true, &passes, o.epochs, "model");
    Weights { features: model.features(&dict.keys, o.prune), transitions: model.tw }
}

/// First-pass labels of every training document from a model trained on the other folds.
fn jackknife(
    docs: &[DocSample],
    seqs: &[(usize, Vec<Seq>)],
    dict: &Dict,
    passes: &[usize],
    o: &Options,
) -> Vec<Vec<Label>> {
    let k = o.folds;
    let mut labels: Vec<Vec<Label>> = docs.iter().map(|d| vec![0; d.sample.tokens.len()]).collect();
    for f in 0..k {
        let fold = format!("fold {} of {k}", f + 1);
        let model = fit(Perceptron::new(dict.keys.len()), seqs, |d| d % k != f, passes, o.epochs, &fold);
        for d in (0..docs.len()).filter(|d| d % k == f) {
            for (run, q) in docs[d].sample.runs.iter().zip(&seqs[d].1) {
                labels[d][run.clone()].copy_from_slice(&model.decode(q));
            }
        }
    }
    labels
}
