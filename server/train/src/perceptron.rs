//! A structured averaged perceptron over label sequences (Collins 2002), with partial
//! supervision: where the gold is uncertain (a dataset that does not annotate other named
//! things, a name the tokenizer cannot cut out) a token allows several labels, and the target of
//! an update is the best sequence among those allowed.

use dossier_engine::entities::tagger::{allowed, LABELS};

/// All labels allowed.
pub const ANY: u16 = (1 << LABELS) - 1;

/// A run of tokens the tagger labels together, with its features and allowed gold labels.
pub struct Seq {
    /// Feature ids of each token: `ids[offsets[t]..offsets[t + 1]]`.
    pub ids: Vec<u32>,
    pub offsets: Vec<u32>,
    /// Bit `l` set: label `l` is right for the token.
    pub gold: Vec<u16>,
}

impl Seq {
    pub fn len(&self) -> usize {
        self.gold.len()
    }

    fn feats(&self, t: usize) -> &[u32] {
        &self.ids[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

type Trans = [[f32; LABELS + 1]; LABELS + 1];

/// Weights being trained, with the running sums that give their average.
pub struct Perceptron {
    w: Vec<[f32; LABELS]>,
    u: Vec<[f32; LABELS]>,
    tw: Trans,
    tu: Trans,
    /// Updates counted so far (the averaging clock).
    c: f32,
}

/// Averaged weights over feature ids, to decode with.
pub struct Frozen {
    pub w: Vec<[f32; LABELS]>,
    pub tw: Trans,
}

impl Frozen {
    /// The weights of the features named by `keys` (feature id → hash), leaving out those whose
    /// largest absolute weight is below `min`.
    pub fn features(&self, keys: &[u64], min: f32) -> Vec<(u64, [f32; LABELS])> {
        keys.iter().zip(&self.w).filter(|(_, w)| w.iter().any(|x| x.abs() >= min)).map(|(&k, &w)| (k, w)).collect()
    }

    /// The best sequence for `s`.
    pub fn decode(&self, s: &Seq) -> Vec<u8> {
        viterbi(&scores(&self.w, s), &self.tw, &vec![ANY; s.len()])
    }
}

fn scores(w: &[[f32; LABELS]], s: &Seq) -> Vec<[f32; LABELS]> {
    (0..s.len())
        .map(|t| {
            let mut acc = [0.0; LABELS];
            for &f in s.feats(t) {
                for (a, x) in acc.iter_mut().zip(&w[f as usize]) {
                    *a += x;
                }
            }
            acc
        })
        .collect()
}

impl Perceptron {
    pub fn new(features: usize) -> Perceptron {
        Perceptron {
            w: vec![[0.0; LABELS]; features],
            u: vec![[0.0; LABELS]; features],
            tw: [[0.0; LABELS + 1]; LABELS + 1],
            tu: [[0.0; LABELS + 1]; LABELS + 1],
            c: 1.0,
        }
    }

    /// Decode `s` with the current weights: the best sequence, and the best allowed by its gold.
    pub fn decode(&self, s: &Seq) -> (Vec<u8>, Vec<u8>) {
        let sc = scores(&self.w, s);
        let any = vec![ANY; s.len()];
        (viterbi(&sc, &self.tw, &any), viterbi(&sc, &self.tw, &s.gold))
    }

    /// One training step on `s`; returns whether the prediction was wrong.
    pub fn learn(&mut self, s: &Seq) -> bool {
        let (pred, target) = self.decode(s);
        let wrong = pred != target;
        if wrong {
            let c = self.c;
            for t in 0..s.len() {
                let (p, g) = (usize::from(pred[t]), usize::from(target[t]));
                if p != g {
                    for &f in s.feats(t) {
                        let f = f as usize;
                        self.w[f][g] += 1.0;
                        self.u[f][g] += c;
                        self.w[f][p] -= 1.0;
                        self.u[f][p] -= c;
                    }
                }
                let pp = if t == 0 { LABELS } else { usize::from(pred[t - 1]) };
                let gp = if t == 0 { LABELS } else { usize::from(target[t - 1]) };
                if (pp, p) != (gp, g) {
                    self.tw[gp][g] += 1.0;
                    self.tu[gp][g] += c;
                    self.tw[pp][p] -= 1.0;
                    self.tu[pp][p] -= c;
                }
            }
            let (pl, gl) = (usize::from(pred[s.len() - 1]), usize::from(target[s.len() - 1]));
            if pl != gl {
                self.tw[gl][LABELS] += 1.0;
                self.tu[gl][LABELS] += c;
                self.tw[pl][LABELS] -= 1.0;
                self.tu[pl][LABELS] -= c;
            }
        }
        self.c += 1.0;
        wrong
    }

    /// The averaged weights by feature id.
    pub fn frozen(&self) -> Frozen {
        let c = self.c;
        let w = self.w.iter().zip(&self.u).map(|(w, u)| std::array::from_fn(|l| w[l] - u[l] / c)).collect();
        let mut tw = self.tw;
        for (row, u) in tw.iter_mut().zip(&self.tu) {
            for (x, u) in row.iter_mut().zip(u) {
                *x -= u / c;
            }
        }
        Frozen { w, tw }
    }
}

/// The best label sequence among those each token's mask allows.
fn viterbi(scores: &[[f32; LABELS]], tw: &Trans, masks: &[u16]) -> Vec<u8> {
    const NONE: f32 = f32::NEG_INFINITY;
    let n = scores.len();
    let ok = |t: usize, l: usize| masks[t] & (1 << l) != 0;
    let mut back = vec![[0u8; LABELS]; n];
    let mut cur = [NONE; LABELS];
    for l in 0..LABELS {
        if ok(0, l) && allowed(None, l as u8) {
            cur[l] = tw[LABELS][l] + scores[0][l];
        }
    }
    for t in 1..n {
        let mut next = [NONE; LABELS];
        for l in 0..LABELS {
            if !ok(t, l) {
                continue;
            }
            let mut best = NONE;
            let mut arg = 0u8;
            for p in 0..LABELS {
                if cur[p] == NONE || !allowed(Some(p as u8), l as u8) {
                    continue;
                }
                let v = cur[p] + tw[p][l];
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            if best != NONE {
                next[l] = best + scores[t][l];
                back[t][l] = arg;
            }
        }
        cur = next;
    }
    let mut best = NONE;
    let mut arg = 0u8;
    for l in 0..LABELS {
        if cur[l] != NONE && cur[l] + tw[l][LABELS] > best {
            best = cur[l] + tw[l][LABELS];
            arg = l as u8;
        }
    }
    let mut out = vec![0u8; n];
    if n == 0 {
        return out;
    }
    out[n - 1] = arg;
    for t in (1..n).rev() {
        out[t - 1] = back[t][usize::from(out[t])];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(tokens: &[(&[u32], u16)]) -> Seq {
        let mut s = Seq { ids: Vec::new(), offsets: vec![0], gold: Vec::new() };
        for (f, g) in tokens {
            s.ids.extend_from_slice(f);
            s.offsets.push(s.ids.len() as u32);
            s.gold.push(*g);
        }
        s
    }

    #[test]
    fn learns_a_separable_toy_problem() {
        // feature 0: a person's first word, 1: a person's last word, 2: a plain word
        let per = seq(&[(&[2], 1), (&[0], 1 << 1), (&[1], 1 << 2), (&[2], 1)]);
        let plain = seq(&[(&[2], 1), (&[2], 1)]);
        let mut p = Perceptron::new(3);
        for _ in 0..10 {
            p.learn(&per);
            p.learn(&plain);
        }
        assert!(!p.learn(&per) && !p.learn(&plain));
        assert_eq!(p.decode(&per).0, vec![0, 1, 2, 0]);
    }

    #[test]
    fn a_token_that_allows_several_labels_takes_the_best_of_them() {
        let s = seq(&[(&[0], 1 | 1 << 7)]);
        let mut p = Perceptron::new(1);
        p.w[0][7] = 1.0;
        let (pred, target) = p.decode(&s);
        assert_eq!((pred[0], target[0]), (7, 7));
        assert!(!p.learn(&s));
    }
}
