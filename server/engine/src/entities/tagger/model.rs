//! The stored model: feature weights per label and label transitions, quantised to 16 bits.
//!
//! Format (little-endian), read by [`Model::from_bytes`] and written by [`Model::to_bytes`]:
//!
//! ```text
//! magic        b"DOSSIER-NER\n"              12 bytes
//! version      u32   FORMAT_VERSION
//! features     u32   FEATURES_VERSION of the features the model was trained with
//! labels       u32   LABELS (9: O, then B and I of person, organization, place, other)
//! scale        f32   a stored weight times scale is the trained weight
//! rows         u32   number of features
//! transitions  (LABELS + 1) × (LABELS + 1) i16: row = previous label (LABELS = start),
//!              column = next label (LABELS = end)
//! keys         rows × u64, strictly increasing feature hashes
//! weights      rows × LABELS i16
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;

use super::features::{IdHasher, FEATURES_VERSION};

/// Number of labels: O, and B- and I- of the four kinds.
pub const LABELS: usize = 9;
const MAGIC: &[u8; 12] = b"DOSSIER-NER\n";
/// Bumped whenever the layout above changes.
pub const FORMAT_VERSION: u32 = 1;

/// Why a model could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    NotAModel,
    Version { found: u32, expected: u32 },
    Features { found: u32, expected: u32 },
    Labels(u32),
    Truncated,
    Unsorted,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NotAModel => write!(f, "not a Dossier recognition model (wrong magic bytes)"),
            ModelError::Version { found, expected } => {
                write!(f, "model format version {found}, this build reads version {expected}")
            }
            ModelError::Features { found, expected } => {
                write!(f, "model trained with feature set {found}, this build computes feature set {expected}")
            }
            ModelError::Labels(n) => write!(f, "model has {n} labels, expected {LABELS}"),
            ModelError::Truncated => write!(f, "model file is truncated or has trailing bytes"),
            ModelError::Unsorted => write!(f, "model feature keys are not strictly increasing"),
        }
    }
}

impl std::error::Error for ModelError {}

/// Trained weights, as a writer hands them over: per feature hash, one weight per label.
pub struct Weights {
    pub features: Vec<(u64, [f32; LABELS])>,
    /// `transitions[prev][next]`, with `LABELS` as the start (prev) and the end (next).
    pub transitions: [[f32; LABELS + 1]; LABELS + 1],
}

/// A loaded model: integer weights in a hash table keyed by feature hash.
pub struct Model {
    rows: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    weights: Vec<[i16; LABELS]>,
    /// `transitions[prev][next]` as in [`Weights`], widened.
    pub(crate) transitions: [[i32; LABELS + 1]; LABELS + 1],
    scale: f32,
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.b.len() < n {
            return Err(ModelError::Truncated);
        }
        let (a, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let mut w = [0u8; 4];
        w.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(w))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(w))
    }
    fn i16(&mut self) -> Result<i16, ModelError> {
        let mut w = [0u8; 2];
        w.copy_from_slice(self.take(2)?);
        Ok(i16::from_le_bytes(w))
    }
}

impl Model {
    /// Read a model, checking its magic, versions, sizes and key order.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { b: bytes };
        if r.take(MAGIC.len()).map_err(|_| ModelError::NotAModel)? != MAGIC {
            return Err(ModelError::NotAModel);
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(ModelError::Version { found: version, expected: FORMAT_VERSION });
        }
        let features = r.u32()?;
        if features != FEATURES_VERSION {
            return Err(ModelError::Features { found: features, expected: FEATURES_VERSION });
        }
        let labels = r.u32()?;
        if labels as usize != LABELS {
            return Err(ModelError::Labels(labels));
        }
        let scale = f32::from_bits(r.u32()?);
        let n = r.u32()? as usize;
        let mut transitions = [[0i32; LABELS + 1]; LABELS + 1];
        for row in &mut transitions {
            for x in row.iter_mut() {
                *x = i32::from(r.i16()?);
            }
        }
        if r.b.len() != n * (8 + 2 * LABELS) {
            return Err(ModelError::Truncated);
        }
        let mut rows = HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
        let mut last = None;
        for k in 0..n {
            let key = r.u64()?;
            if last.is_some_and(|l| l >= key) {
                return Err(ModelError::Unsorted);
            }
            last = Some(key);
            rows.insert(key, k as u32);
        }
        let mut weights = Vec::with_capacity(n);
        for _ in 0..n {
            let mut w = [0i16; LABELS];
            for x in &mut w {
                *x = r.i16()?;
            }
            weights.push(w);
        }
        Ok(Model { rows, weights, transitions, scale })
    }

    /// Quantise trained weights and write them in the stored format.
    pub fn to_bytes(w: &Weights) -> Vec<u8> {
        let mut max = w.transitions.iter().flatten().fold(0f32, |m, x| m.max(x.abs()));
        for (_, ws) in &w.features {
            max = ws.iter().fold(max, |m, x| m.max(x.abs()));
        }
        let scale = if max > 0.0 { max / f32::from(i16::MAX) } else { 1.0 };
        let q = |x: f32| (x / scale).round().clamp(-f32::from(i16::MAX), f32::from(i16::MAX)) as i16;
        let mut feats: Vec<&(u64, [f32; LABELS])> = w.features.iter().collect();
        feats.sort_by_key(|(k, _)| *k);
        feats.dedup_by_key(|(k, _)| *k);
        let mut out = Vec::with_capacity(40 + feats.len() * (8 + 2 * LABELS));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&FEATURES_VERSION.to_le_bytes());
        out.extend_from_slice(&(LABELS as u32).to_le_bytes());
        out.extend_from_slice(&scale.to_bits().to_le_bytes());
        out.extend_from_slice(&(feats.len() as u32).to_le_bytes());
        for row in &w.transitions {
            for &x in row {
                out.extend_from_slice(&q(x).to_le_bytes());
            }
        }
        for (k, _) in &feats {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for (_, ws) in &feats {
            for &x in ws {
                out.extend_from_slice(&q(x).to_le_bytes());
            }
        }
        out
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Has the model no feature weights?
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The weight of one stored unit in the trained scale.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Add the weights of feature `f` (if the model has it) to `acc`.
    #[inline]
    pub(crate) fn add(&self, f: u64, acc: &mut [i32; LABELS]) {
        if let Some(&r) = self.rows.get(&f) {
            let w = &self.weights[r as usize];
            for (a, &x) in acc.iter_mut().zip(w) {
                *a += i32::from(x);
            }
        }
    }
}
