//! Exact-match scoring of predicted names against gold names (span and type), per dataset and
//! type, with and without MISC: the measures Dossier's evaluation reports.

use std::collections::{BTreeMap, HashSet};

use dossier_engine::entities::Kind;

use crate::data::{Gold, Type};

pub fn type_of(k: Kind) -> Type {
    match k {
        Kind::Person => Type::Per,
        Kind::Organization => Type::Org,
        Kind::Place => Type::Loc,
        Kind::Other => Type::Misc,
    }
}

/// Counts of true positives, predictions and gold names, per type.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub by_type: BTreeMap<Type, (usize, usize, usize)>,
    /// Names without MISC whose span is right whatever its type.
    pub span_tp: usize,
}

impl Counts {
    /// Add one document: gold and predicted `(start, end, type)`.
    pub fn add(&mut self, gold: &[Gold], pred: &[(usize, usize, Type)]) {
        let g: HashSet<(usize, usize, Type)> = gold.iter().map(|g| (g.start, g.end, g.ty)).collect();
        let p: HashSet<(usize, usize, Type)> = pred.iter().copied().collect();
        let ps: HashSet<(usize, usize)> = p.iter().filter(|x| x.2 != Type::Misc).map(|x| (x.0, x.1)).collect();
        self.span_tp += g.iter().filter(|x| x.2 != Type::Misc && ps.contains(&(x.0, x.1))).count();
        for t in Type::ALL {
            let e = self.by_type.entry(t).or_default();
            e.0 += g.iter().filter(|x| x.2 == t && p.contains(x)).count();
            e.1 += p.iter().filter(|x| x.2 == t).count();
            e.2 += g.iter().filter(|x| x.2 == t).count();
        }
    }

    pub fn merge(&mut self, o: &Counts) {
        self.span_tp += o.span_tp;
        for (t, (a, b, c)) in &o.by_type {
            let e = self.by_type.entry(*t).or_default();
            e.0 += a;
            e.1 += b;
            e.2 += c;
        }
    }

    /// (P, R, F1) over the given types.
    pub fn prf(&self, types: &[Type]) -> (f64, f64, f64) {
        let (mut tp, mut p, mut g) = (0, 0, 0);
        for t in types {
            if let Some((a, b, c)) = self.by_type.get(t) {
                tp += a;
                p += b;
                g += c;
            }
        }
        prf(tp, p, g)
    }

    pub fn gold(&self, types: &[Type]) -> usize {
        types.iter().filter_map(|t| self.by_type.get(t)).map(|x| x.2).sum()
    }
}

pub fn prf(tp: usize, p: usize, g: usize) -> (f64, f64, f64) {
    let pr = if p > 0 { tp as f64 / p as f64 } else { 0.0 };
    let re = if g > 0 { tp as f64 / g as f64 } else { 0.0 };
    let f = if pr + re > 0.0 { 2.0 * pr * re / (pr + re) } else { 0.0 };
    (pr, re, f)
}

const ALL: [Type; 4] = Type::ALL;
const THREE: [Type; 3] = [Type::Per, Type::Org, Type::Loc];

/// Print one row per dataset and micro rows per language.
pub fn report(rows: &[(String, String, Counts)]) {
    println!(
        "{:24} {:4} {:>6} | {:>5} {:>5} {:>5} | {:>5} {:>5} {:>5} | {:>5} {:>5} {:>5} {:>5} | {:>5}",
        "dataset", "lang", "gold", "P", "R", "F1", "P-M", "R-M", "F1-M", "PER", "ORG", "LOC", "MISC", "spn-M"
    );
    let row = |name: &str, lang: &str, c: &Counts| {
        let (p, r, f) = c.prf(&ALL);
        let (p3, r3, f3) = c.prf(&THREE);
        let per: Vec<String> = ALL
            .iter()
            .map(|t| if c.gold(&[*t]) > 0 { format!("{:.3}", c.prf(&[*t]).2) } else { "  -  ".into() })
            .collect();
        let pred3: usize = THREE.iter().filter_map(|t| c.by_type.get(t)).map(|x| x.1).sum();
        let span = prf(c.span_tp, pred3, c.gold(&THREE)).2;
        println!(
            "{:24} {:4} {:>6} | {:.3} {:.3} {:.3} | {:.3} {:.3} {:.3} | {} | {:.3}",
            name,
            lang,
            c.gold(&ALL),
            p,
            r,
            f,
            p3,
            r3,
            f3,
            per.join(" "),
            span
        );
    };
    for (name, lang, c) in rows {
        row(name, lang, c);
    }
    let mut summary = Vec::new();
    for lang in ["en", "ru"] {
        let mut m = Counts::default();
        let mut news = Counts::default();
        for (name, l, c) in rows {
            if l == lang {
                m.merge(c);
                if NEWS.contains(&name.as_str()) {
                    news.merge(c);
                }
            }
        }
        row(&format!("micro {lang}"), lang, &m);
        summary.push(format!("{lang} {:.3} news-{lang} {:.3}", m.prf(&THREE).2, news.prf(&THREE).2));
    }
    println!("summary (exact F1 without MISC, micro): {}", summary.join(", "));
}

/// The datasets closest to news.
const NEWS: [&str; 5] = ["gum_ne", "wikigold", "uner_en_pud", "factrueval2016_devset", "uner_ru_pud"];
