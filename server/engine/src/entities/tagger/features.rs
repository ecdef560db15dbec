//! The features the tagger sees, as 64-bit hashes: one function per family, shared by training
//! (which lists every feature of every token) and tagging (which sums the weights of a word
//! type's features once and reuses the sums), so that the two cannot drift apart.
//!
//! A token's features are the union of
//! - its word's own features ([`own_features`]: form, lowercase form, shape, prefixes and
//!   suffixes, script, and what the bundled lists know about the word),
//! - the features of its neighbours' words within the line, at distances −2, −1, +1 and +2
//!   ([`role_features`]: lowercase form, shape, list classes), and
//! - features of the token in its document ([`Doc::token_features`]: position in the sentence
//!   and line, capitals line, punctuation around it, word pairs, a gazetteer name it starts or
//!   continues, whether its word appears lowercase elsewhere in the document).
//!
//! Architecture invariant: a feature is a pure function of the text; the hashes are stable
//! across platforms and runs (they are the keys of the committed model).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use super::model::LABELS;
use crate::entities::gazetteer::{self, gazetteer, Entry, StopClass};
use crate::entities::recognize::{strong_surname, weak_surname, Tok};
use crate::entities::Kind;
use crate::translit::{is_cyrillic, lower_of};

/// Bumped whenever a feature changes meaning: a model trained with other features is refused.
pub const FEATURES_VERSION: u32 = 9;

/// Stable 64-bit hash of bytes, eight at a time (the length and the seed mixed in first, the
/// last word zero-padded), then a final mix.
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const MUL: u64 = 0x9e37_79b9_7f4a_7c15;
    let h = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(MUL) ^ (bytes.len() as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
    mix(crate::hash::absorb_words(h, bytes))
}

/// MurmurHash3's finaliser.
#[inline]
pub(crate) fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A feature from a template number and a value already hashed.
#[inline]
pub(crate) fn feat(template: u32, value: u64) -> u64 {
    mix(value ^ u64::from(template).wrapping_mul(0xa076_1d64_78bd_642f))
}

/// Where features go: training lists their hashes; the scorer adds their weights, reading the
/// features of few values ([`Sink::small`]) from a table instead of hashing them.
pub(crate) trait Sink {
    fn hashed(&mut self, f: u64);

    /// A feature of a template with few values (below [`SMALL_VALUES`]).
    fn small(&mut self, template: u32, value: u64) {
        self.hashed(feat(template, value));
    }
}

impl<F: FnMut(u64)> Sink for F {
    fn hashed(&mut self, f: u64) {
        self(f)
    }
}

/// The values of a template that [`Sink::small`] takes are below this.
pub(crate) const SMALL_VALUES: u64 = 72;

/// The templates [`Sink::small`] takes are numbered from this one (those of a token in its
/// document), up to [`SMALL_LAST`].
pub(crate) const SMALL_FIRST: u32 = SENT;
pub(crate) const SMALL_LAST: u32 = DOC_KINDS;

// Templates of a word's own features.
const FORM: u32 = 1;
const LOWER: u32 = 2;
const SHAPE: u32 = 3;
const SHORT_SHAPE: u32 = 4;
const PREFIX: u32 = 10; // + length 1..=4
const SUFFIX: u32 = 20; // + length 1..=5
const LENGTH: u32 = 30;
const FLAG: u32 = 40; // + bit
const BIAS: u32 = 99;
// Templates of a neighbour's features: + 100 × role (1..=4).
const N_LOWER: u32 = 1;
const N_SHORT_SHAPE: u32 = 2;
const N_FLAG: u32 = 10; // + bit
const N_SUFFIX3: u32 = 3;
const N_PREFIX5: u32 = 4;
// Templates of a token in its document.
const SENT: u32 = 1001;
const SENT_SHAPE: u32 = 1002;
const LINE_FIRST: u32 = 1003;
const SHOUT: u32 = 1004;
const POSS: u32 = 1005;
const GAP_BEFORE: u32 = 1006;
const GAP_AFTER: u32 = 1007;
const LOWER_ELSEWHERE: u32 = 1010;
const CAPS_RUN: u32 = 1013;
const LOWER_ELSEWHERE_SENT: u32 = 1014;
const QUOTED: u32 = 1015;
const PLACE_SPAN: u32 = 1016;
const RULES: u32 = 1017;
const RULES_KIND: u32 = 1018;
// Templates of the second pass: what the first pass found for the same word elsewhere.
const DOC_LABEL: u32 = 1019;
const DOC_KINDS: u32 = 1020;

/// Flags of a word type (bits of [`WordType::flags`]).
pub(crate) mod flag {
    pub const CAP: u64 = 1 << 0;
    pub const CAPS: u64 = 1 << 1;
    pub const CYRILLIC: u64 = 1 << 2;
    pub const DIGIT: u64 = 1 << 3;
    pub const HYPHEN: u64 = 1 << 4;
    pub const DOT: u64 = 1 << 5;
    pub const APOSTROPHE: u64 = 1 << 6;
    pub const GIVEN: u64 = 1 << 7;
    pub const TITLE: u64 = 1 << 8;
    pub const DEMONYM: u64 = 1 << 9;
    pub const STOP: u64 = 1 << 10;
    pub const KNOWN_PERSON: u64 = 1 << 11;
    pub const KNOWN_ORG: u64 = 1 << 12;
    pub const KNOWN_PLACE: u64 = 1 << 13;
    pub const KNOWN_OTHER: u64 = 1 << 14;
    pub const HEAD_ORG: u64 = 1 << 15;
    pub const HEAD_PLACE: u64 = 1 << 16;
    pub const HEAD_OTHER: u64 = 1 << 17;
    pub const CUE_AFTER_ORG: u64 = 1 << 18;
    pub const CUE_AFTER_PLACE: u64 = 1 << 19;
    pub const CUE_AFTER_OTHER: u64 = 1 << 20;
    pub const CUE_BEFORE_ORG: u64 = 1 << 21;
    pub const CUE_BEFORE_PLACE: u64 = 1 << 22;
    pub const ROLE_NOUN: u64 = 1 << 23;
    pub const SPEECH_VERB: u64 = 1 << 24;
    pub const SURNAME_STRONG: u64 = 1 << 25;
    pub const SURNAME_WEAK: u64 = 1 << 26;
    pub const INFLECTED_PLACE: u64 = 1 << 27;
    pub const LATIN: u64 = 1 << 28;
    /// Bits 29 to 32: the classes of the open gazetteer's place named so (`gazetteer::places`),
    /// bits 33 to 36: those of the places whose Russian name it may be a case form of.
    pub const PLACE: u32 = 29;
    pub const STEM: u32 = 33;
    pub const PLACE_COUNTRY: u64 = 1 << PLACE;
    pub const PLACE_LARGE: u64 = 1 << (PLACE + 1);
    pub const PLACE_MEDIUM: u64 = 1 << (PLACE + 2);
    pub const STEM_COUNTRY: u64 = 1 << STEM;
    pub const STEM_LARGE: u64 = 1 << (STEM + 1);
    /// Every flag that a neighbour passes on (the list classes, not the spelling).
    pub const CONTEXT: u64 = GIVEN
        | TITLE
        | DEMONYM
        | STOP
        | KNOWN_PERSON
        | KNOWN_ORG
        | KNOWN_PLACE
        | KNOWN_OTHER
        | HEAD_ORG
        | HEAD_PLACE
        | HEAD_OTHER
        | CUE_AFTER_ORG
        | CUE_AFTER_PLACE
        | CUE_AFTER_OTHER
        | CUE_BEFORE_ORG
        | CUE_BEFORE_PLACE
        | ROLE_NOUN
        | SPEECH_VERB
        | SURNAME_STRONG
        | CAP
        | CAPS
        | DIGIT
        | PLACE_COUNTRY
        | PLACE_LARGE
        | PLACE_MEDIUM
        | STEM_COUNTRY
        | STEM_LARGE;
    pub const BITS: u32 = 37;
}

/// What the features need to know about a word type, computed once per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WordType {
    /// Hash of the lowercase form.
    pub low: u64,
    /// Hash of the short shape ("Xx", "X", "x", "d", "X.X"…).
    pub short: u64,
    /// Hashes of the last three and the first five chars of the lowercase form (0 for words
    /// of three or five chars or fewer).
    pub suf3: u64,
    pub pre5: u64,
    pub flags: u64,
    /// [`census_bit`] of the lowercase form (not a feature: it lets the lowercase census skip
    /// most words without hashing them).
    pub census: u16,
    /// Whether a place name of several words starts with this word (not a feature: it lets
    /// [`place_marks`] skip the other words).
    pub place_head: bool,
}

/// The word type that stands beyond the ends of a line.
pub(crate) const BOUNDARY: WordType = WordType {
    low: 0x5bd1_e995_0000_0001,
    short: 0x5bd1_e995_0000_0002,
    suf3: 0,
    pre5: 0,
    flags: 0,
    census: 0,
    place_head: false,
};

/// Bits of the lowercase census's filter ([`census_bit`]).
const CENSUS_BITS: usize = 4096;

/// A bit of the lowercase census's filter from the first byte, the last byte and the length of a
/// word's bytes: a word can be the lowercase form of another only if their bits are equal.
#[inline]
fn census_bit(b: &[u8]) -> u16 {
    let (first, last) = (b.first().copied().unwrap_or(0), b.last().copied().unwrap_or(0));
    let h = (u32::from(first) << 16 | u32::from(last) << 8 | b.len() as u32 & 0xff).wrapping_mul(0x9e37_79b1);
    (h >> 20) as u16 % CENSUS_BITS as u16
}

/// Lowercase form of a word.
pub(crate) fn lower(w: &str) -> String {
    if w.is_ascii() {
        w.to_ascii_lowercase()
    } else {
        w.chars().map(lower_of).collect()
    }
}

/// The shape of a word: letters as X or x, digits as d, other chars as themselves, every run of
/// one class cut to two ("Tasmagambetov" → "Xxx", "NATO" → "XX", "U.S" → "X.X").
fn shape(w: &str) -> String {
    shape_runs(w, 2)
}

/// The shape with every run cut to one char: "Xx", "X", "x", "X.X.", "Xx-Xx", "d".
fn short_shape(w: &str) -> String {
    shape_runs(w, 1)
}

/// The shape of `w` with runs of one class cut to `keep` chars.
fn shape_runs(w: &str, keep: usize) -> String {
    let mut out = String::new();
    let (mut last, mut run) = ('\0', 0);
    for c in w.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if s == last {
            run += 1;
        } else {
            (last, run) = (s, 1);
        }
        if run <= keep {
            out.push(s);
        }
    }
    out
}

/// The word type of `w` (as written; its possessive ending is not part of it).
pub(crate) fn word_type(w: &str) -> WordType {
    let low = lower(w);
    let idx: Vec<usize> = low.char_indices().map(|(i, _)| i).collect();
    let n = idx.len();
    WordType {
        low: hash_bytes(LOWER.into(), low.as_bytes()),
        short: hash_bytes(SHORT_SHAPE.into(), short_shape(w).as_bytes()),
        suf3: if n > 3 { hash_bytes(7, &low.as_bytes()[idx[n - 3]..]) } else { 0 },
        pre5: if n > 5 { hash_bytes(8, &low.as_bytes()[..idx[5]]) } else { 0 },
        flags: flags_of(w, &low),
        census: census_bit(low.as_bytes()),
        place_head: gazetteer::places().lookup(w).is_some_and(|(_, longer)| longer),
    }
}

fn flags_of(w: &str, low: &str) -> u64 {
    use flag::*;
    let mut f = 0;
    let mut letters = 0;
    let mut upper = 0;
    let first = w.chars().next();
    if first.is_some_and(char::is_uppercase) {
        f |= CAP;
    }
    for c in w.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
            }
            if is_cyrillic(c) {
                f |= CYRILLIC;
            } else if c.is_ascii() {
                f |= LATIN;
            }
        } else if c.is_numeric() {
            f |= DIGIT;
        } else if matches!(c, '-' | '‑') {
            f |= HYPHEN;
        } else if c == '.' {
            f |= DOT;
        } else if matches!(c, '\'' | '’') {
            f |= APOSTROPHE;
        }
    }
    if letters >= 2 && upper == letters {
        f |= CAPS;
    }
    let g = gazetteer();
    let key = crate::entities::keys::key(w);
    if g.is_given_with_key(w, key) {
        f |= GIVEN;
    }
    let entry = g.exact(w).or_else(|| if f & (CAPS | CYRILLIC) != 0 { g.folded(key) } else { None });
    match entry {
        Some(Entry::Stop(StopClass::Title)) => f |= TITLE,
        Some(Entry::Stop(StopClass::Demonym)) => f |= DEMONYM,
        Some(Entry::Stop(StopClass::Other)) => f |= STOP,
        Some(Entry::Known(k, _)) => f |= known_flag(k),
        None => {
            if f & CYRILLIC != 0 && f & CAP != 0 {
                if let Some(Entry::Known(k, _)) = crate::entities::recognize::inflected(w) {
                    f |= known_flag(k) | INFLECTED_PLACE;
                }
            }
        }
    }
    match gazetteer::head(w) {
        Some(Kind::Organization) => f |= HEAD_ORG,
        Some(Kind::Place) => f |= HEAD_PLACE,
        Some(_) => f |= HEAD_OTHER,
        None => {}
    }
    match gazetteer::after_cue(low) {
        Some((Kind::Organization, _)) => f |= CUE_AFTER_ORG,
        Some((Kind::Place, _)) => f |= CUE_AFTER_PLACE,
        Some(_) => f |= CUE_AFTER_OTHER,
        None => {}
    }
    match gazetteer::before_cue(low) {
        Some(Kind::Organization) => f |= CUE_BEFORE_ORG,
        Some(Kind::Place) => f |= CUE_BEFORE_PLACE,
        _ => {}
    }
    if gazetteer::is_role_noun(low) {
        f |= ROLE_NOUN;
    }
    if gazetteer::is_speech_verb(low) {
        f |= SPEECH_VERB;
    }
    let places = gazetteer::places();
    let class = places.word(w);
    f |= u64::from(class) << PLACE;
    if class == 0 && f & CYRILLIC != 0 && f & CAP != 0 {
        f |= u64::from(places.inflected(low)) << STEM;
    }
    if f & CAP != 0 {
        if strong_surname(w) {
            f |= SURNAME_STRONG;
        } else if weak_surname(w) {
            f |= SURNAME_WEAK;
        }
    }
    f
}

fn known_flag(k: Kind) -> u64 {
    match k {
        Kind::Person => flag::KNOWN_PERSON,
        Kind::Organization => flag::KNOWN_ORG,
        Kind::Place => flag::KNOWN_PLACE,
        Kind::Other => flag::KNOWN_OTHER,
    }
}

/// The features of a word itself.
pub(crate) fn own_features(w: &str, wt: &WordType, emit: &mut impl FnMut(u64)) {
    let low = lower(w);
    emit(feat(BIAS, 0));
    emit(feat(FORM, hash_bytes(FORM.into(), w.as_bytes())));
    emit(feat(LOWER, wt.low));
    emit(feat(SHAPE, hash_bytes(SHAPE.into(), shape(w).as_bytes())));
    emit(feat(SHORT_SHAPE, wt.short));
    let chars: Vec<(usize, char)> = low.char_indices().collect();
    let n = chars.len();
    for (k, &(at, _)) in chars.iter().enumerate().skip(1).take(4) {
        emit(feat(PREFIX + k as u32, hash_bytes(0, &low.as_bytes()[..at])));
    }
    for k in 1..=5usize {
        if n > k {
            emit(feat(SUFFIX + k as u32, hash_bytes(0, &low.as_bytes()[chars[n - k].0..])));
        }
    }
    emit(feat(LENGTH, n.min(12) as u64));
    for bit in 0..flag::BITS {
        if wt.flags & (1 << bit) != 0 {
            emit(feat(FLAG + bit, 0));
        }
    }
}

/// The features a word gives the token at distance `role` from it (1: the word before,
/// 2: two before, 3: the word after, 4: two after).
pub(crate) fn role_features(wt: &WordType, role: u32, emit: &mut impl FnMut(u64)) {
    let base = 100 * role;
    emit(feat(base + N_LOWER, wt.low));
    emit(feat(base + N_SHORT_SHAPE, wt.short));
    if role == 1 || role == 3 {
        emit(feat(base + N_SUFFIX3, wt.suf3));
        if wt.pre5 != 0 {
            emit(feat(base + N_PREFIX5, wt.pre5));
        }
    }
    let mut f = wt.flags & flag::CONTEXT;
    while f != 0 {
        let bit = f.trailing_zeros();
        emit(feat(base + N_FLAG + bit, 0));
        f &= f - 1;
    }
}

/// The class of the text between two tokens (below [`SMALL_VALUES`]).
fn gap_class(g: &str) -> u64 {
    if g.is_empty() {
        return 1;
    }
    if g == " " {
        return 2;
    }
    match g.as_bytes() {
        b @ ([_] | [_, _] | [_, _, _]) if g.is_ascii() => short_gap_class(b),
        _ => gap_class_general(g),
    }
}

/// [`gap_class`] of a gap of one to three ASCII chars (a comma or a dot and a space, mostly),
/// read as bytes.
fn short_gap_class(b: &[u8]) -> u64 {
    if b.iter().any(|&c| c == b'\n' || c == b'\r') {
        return 3;
    }
    // what `str::trim` takes away from ASCII text (line ends are handled above)
    let space = |c: &u8| matches!(c, b' ' | b'\t' | 0x0b | 0x0c);
    let from = b.iter().position(|c| !space(c)).unwrap_or(b.len());
    let to = b.iter().rposition(|c| !space(c)).map_or(from, |k| k + 1);
    match &b[from..to] {
        [] => 2,
        [b','] => 4,
        [b'.'] => 5,
        [b'('] => 6,
        [b')'] => 7,
        [b'"'] => 8,
        [b'-'] => 11,
        [b':'] => 12,
        [b';'] => 13,
        [b'\''] => 14,
        [b'&'] => 15,
        [b'/'] => 16,
        [b'\'', ..] => 17,
        [c, rest @ ..] => 18 + u64::from(*c) % 24 * 2 + u64::from(!rest.is_empty()),
    }
}

/// [`gap_class`] of any gap.
fn gap_class_general(g: &str) -> u64 {
    if g.contains(['\n', '\r']) {
        return 3;
    }
    let t = g.trim();
    match t {
        "" => 2,
        "," => 4,
        "." => 5,
        "(" => 6,
        ")" => 7,
        "\"" => 8,
        "«" | "“" | "„" => 9,
        "»" | "”" => 10,
        "-" | "—" | "–" => 11,
        ":" => 12,
        ";" => 13,
        "'" | "‘" | "’" => 14,
        "&" => 15,
        "/" => 16,
        _ if t.starts_with(['\'', '’']) => 17,
        // other punctuation by its first char, and whether there is more than one
        _ => 18 + u64::from(t.chars().next().map_or(0, u32::from)) % 24 * 2 + u64::from(t.chars().nth(1).is_some()),
    }
}

/// A word of the document: its token and the index of its word type in [`Doc::types`].
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub toks: &'a [Tok],
    /// For each token, its word type.
    pub types: Vec<WordType>,
    /// For each token, the place name of several words ([`gazetteer::places`]) it is part of:
    /// 0 none, else the place's classes | 16 for its first word, | 32 for the others.
    pub place: Vec<u8>,
    /// Lowercase hashes of the words that appear in lowercase somewhere in the document.
    pub lower_seen: HashSet<u64, BuildHasherDefault<IdHasher>>,
    /// For each token, whether it is inside quotation marks opened on its line.
    pub quoted: Vec<bool>,
    /// For each token, whether the tagger looks at it (else it is outside every name).
    pub active: Vec<bool>,
    /// For each token, what the recogniser's rules found there (see `Rec::marks`).
    pub marks: &'a [u8],
}

/// The labels the first pass gave each word's occurrences (see [`Doc::elsewhere`]).
pub(crate) struct Elsewhere {
    counts: HashMap<u64, [u16; LABELS], BuildHasherDefault<IdHasher>>,
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl<'a> Doc<'a> {
    /// The document's features, with the word type of a token (by index and word) from
    /// `type_of`, asked only for the tokens the tagger looks at and their neighbours.
    pub fn new(
        text: &'a str,
        toks: &'a [Tok],
        marks: &'a [u8],
        mut type_of: impl FnMut(usize, &str) -> WordType,
    ) -> Doc<'a> {
        let n = toks.len();
        let active = active_marks(text, toks);
        let mut doc = Doc {
            text,
            toks,
            types: vec![BOUNDARY; n],
            place: Vec::new(),
            lower_seen: HashSet::default(),
            quoted: quoted_marks(text, toks),
            active,
            marks,
        };
        // the words looked at and their neighbours (a word is a neighbour of its neighbours)
        let mut typed = doc.active.clone();
        for i in (0..n).filter(|&i| doc.active[i]) {
            for j in doc.near(i) {
                if j != usize::MAX {
                    typed[j] = true;
                }
            }
        }
        for (i, t) in toks.iter().enumerate() {
            if typed[i] {
                doc.types[i] = type_of(i, &text[t.s..t.e]);
            }
        }
        doc.lower_seen = lower_seen(text, toks, &doc.types, &doc.active);
        doc.place = place_marks(text, toks, &doc.types);
        doc
    }

    /// The neighbours of token `i` within its line: (two before, one before, one after, two
    /// after), `usize::MAX` beyond the line.
    #[inline]
    pub fn near(&self, i: usize) -> [usize; 4] {
        let toks = self.toks;
        let n = toks.len();
        let b1 = if i > 0 && !toks[i].line { i - 1 } else { usize::MAX };
        let b2 = if b1 != usize::MAX && b1 > 0 && !toks[b1].line { b1 - 1 } else { usize::MAX };
        let a1 = if i + 1 < n && !toks[i + 1].line { i + 1 } else { usize::MAX };
        let a2 = if a1 != usize::MAX && a1 + 1 < n && !toks[a1 + 1].line { a1 + 1 } else { usize::MAX };
        [b2, b1, a1, a2]
    }

    fn gap_before(&self, i: usize) -> &'a str {
        if i == 0 {
            return "\n";
        }
        let (a, b) = (self.toks[i - 1], self.toks[i]);
        self.text.get(a.e.min(b.s)..b.s).unwrap_or("")
    }

    fn gap_after(&self, i: usize) -> &'a str {
        match self.toks.get(i + 1) {
            Some(b) => self.text.get(self.toks[i].e.min(b.s)..b.s).unwrap_or(""),
            None => "\n",
        }
    }

    /// The class of the gap before token `i` (for `i` the number of tokens: after the last),
    /// one space without looking at the text's chars.
    #[inline]
    fn gap_class_before(&self, i: usize) -> u64 {
        let (a, b) = match (i.checked_sub(1).and_then(|p| self.toks.get(p)), self.toks.get(i)) {
            (Some(a), Some(b)) => (a.e, b.s),
            _ => return gap_class(if i == 0 { self.gap_before(0) } else { self.gap_after(i - 1) }),
        };
        if b == a + 1 && self.text.as_bytes()[a] == b' ' {
            return 2;
        }
        gap_class(self.text.get(a.min(b)..b).unwrap_or(""))
    }

    fn type_at(&self, j: usize) -> &WordType {
        self.types.get(j).unwrap_or(&BOUNDARY)
    }

    /// The features of token `i` in its document (not those of its word or its neighbours).
    /// `near` is [`Doc::near`] of `i`.
    pub fn token_features(&self, i: usize, near: [usize; 4], emit: &mut impl Sink) {
        let t = self.toks[i];
        let wt = &self.types[i];
        let [b2, b1, a1, _a2] = near;
        let shout = t.shout;
        if t.sent {
            emit.small(SENT, 0);
            emit.hashed(feat(SENT_SHAPE, wt.short));
        }
        if b1 == usize::MAX {
            emit.small(LINE_FIRST, u64::from(b2 == usize::MAX));
        }
        if shout {
            emit.small(SHOUT, 0);
        }
        if t.poss != t.e {
            emit.small(POSS, 0);
        }
        emit.small(GAP_BEFORE, self.gap_class_before(i));
        emit.small(GAP_AFTER, self.gap_class_before(i + 1));
        if wt.flags & (flag::CAP | flag::CAPS) != 0 && self.lower_seen.contains(&wt.low) {
            emit.small(if t.sent { LOWER_ELSEWHERE_SENT } else { LOWER_ELSEWHERE }, u64::from(shout));
        }
        if self.place[i] != 0 {
            emit.small(PLACE_SPAN, u64::from(self.place[i]));
        }
        if shout && wt.flags & flag::CAPS != 0 {
            let run = usize::from(b1 != usize::MAX && self.type_at(b1).flags & flag::CAPS != 0)
                + 2 * usize::from(a1 != usize::MAX && self.type_at(a1).flags & flag::CAPS != 0);
            emit.small(CAPS_RUN, run as u64);
        }
        if let Some(&m) = self.marks.get(i).filter(|&&m| m != 0) {
            emit.small(RULES, u64::from(m));
            emit.small(RULES_KIND, u64::from((m - 1) % 8));
        }
        if self.quoted[i] {
            emit.small(QUOTED, u64::from(wt.flags & flag::CAP != 0));
        }
    }

    /// Does a sentence end between token `i - 1` and token `i`? Not after an initial or a short
    /// abbreviation ("George F. Hauser", "St. Petersburg").
    pub fn sentence_break(&self, i: usize) -> bool {
        if i == 0 || !self.toks[i].sent {
            return false;
        }
        let p = self.toks[i - 1];
        let gap = self.text.get(p.e..self.toks[i].s).unwrap_or("");
        if !gap.contains(['.', '!', '?', ':', ';', '|', '…']) {
            return false;
        }
        let w = &self.text[p.s..p.e];
        let mut cs = w.chars();
        let abbreviation = match (cs.next(), cs.next(), cs.next()) {
            (Some(a), None, _) => a.is_uppercase(),
            (Some(a), Some(b), None) => a.is_uppercase() && b.is_lowercase(),
            _ => false,
        };
        !(abbreviation && gap.trim_start().starts_with('.') && !gap.contains([':', ';', '!', '?']))
    }

    /// Does token `i`, labelled `label` by the first pass, tell how its word is used in the
    /// document? Capitalised words do, but a word outside names at the start of a sentence
    /// says nothing.
    fn counted(&self, i: usize, label: u8) -> bool {
        self.types[i].flags & (flag::CAP | flag::CAPS) != 0 && (label != 0 || !self.toks[i].sent)
    }

    /// How often the first pass gave each label to the counted occurrences of each word.
    pub fn elsewhere(&self, labels: &[u8]) -> Elsewhere {
        // a word counted is capitalised, so looked at: one entry for every two such words, about
        let room = self.active.iter().filter(|&&a| a).count() / 2;
        let mut counts: HashMap<u64, [u16; LABELS], BuildHasherDefault<IdHasher>> =
            HashMap::with_capacity_and_hasher(room, BuildHasherDefault::default());
        for (i, &l) in labels.iter().enumerate() {
            if self.counted(i, l) {
                let c = &mut counts.entry(self.types[i].low).or_insert([0; LABELS])[usize::from(l)];
                *c = c.saturating_add(1);
            }
        }
        Elsewhere { counts }
    }

    /// The second pass's features of token `i` (labelled `label` by the first pass): the labels
    /// of the other occurrences of its word. Returns whether there were any.
    pub fn doc_features(&self, i: usize, label: u8, elsewhere: &Elsewhere, emit: &mut impl Sink) -> bool {
        let Some(c) = elsewhere.counts.get(&self.types[i].low) else { return false };
        let mut c = *c;
        if self.counted(i, label) {
            c[usize::from(label)] -= 1;
        }
        let mut kinds = 0u64;
        for (l, &n) in c.iter().enumerate() {
            if n > 0 {
                emit.small(DOC_LABEL, l as u64 * 2 + u64::from(n > 1));
                kinds |= 1 << l.div_ceil(2);
            }
        }
        if kinds != 0 {
            emit.small(DOC_KINDS, kinds);
        }
        kinds != 0
    }

    /// Every feature of token `i`: its word's, its neighbours' and its own in the document.
    pub fn all_features(&self, i: usize, emit: &mut impl FnMut(u64)) {
        let t = self.toks[i];
        own_features(&self.text[t.s..t.e], &self.types[i], emit);
        let near = self.near(i);
        for (r, &j) in near.iter().enumerate() {
            let role = [2, 1, 3, 4][r];
            role_features(self.type_at(j), role, emit);
        }
        self.token_features(i, near, emit);
    }
}

/// The lowercase forms of capitalised words that the document also has in lowercase. A word
/// that does not start with a capital is taken as lowercase; only the words as long as some
/// capitalised word are hashed.
fn lower_seen(
    text: &str,
    toks: &[Tok],
    types: &[WordType],
    active: &[bool],
) -> HashSet<u64, BuildHasherDefault<IdHasher>> {
    // (the last byte, the length) of the capitalised words, as bits: most lowercase words match
    // none and are not hashed
    let mut shapes = [0u64; 64];
    // and the census bits of their lowercase forms: a word whose bit is not set is none of them
    let mut census = [0u64; CENSUS_BITS / 64];
    let bytes = text.as_bytes();
    let mut lows = Vec::with_capacity(toks.len() / 4);
    for (i, t) in toks.iter().enumerate() {
        if active[i] && (t.cap || t.caps) {
            lows.push(types[i].low);
            // the last letter in either case (capitals lines: "NATO", nato)
            let last = bytes[t.e - 1];
            shapes[usize::from(last) % 64] |= 1 << ((t.e - t.s) % 64);
            shapes[usize::from(last ^ 0x20) % 64] |= 1 << ((t.e - t.s) % 64);
            let c = usize::from(types[i].census);
            census[c / 64] |= 1 << (c % 64);
        }
    }
    let mut seen = HashSet::default();
    if lows.is_empty() {
        return seen;
    }
    let mut wanted: HashSet<u64, BuildHasherDefault<IdHasher>> =
        HashSet::with_capacity_and_hasher(lows.len(), BuildHasherDefault::default());
    wanted.extend(lows);
    for t in toks {
        let len = t.e - t.s;
        if t.cap || shapes[usize::from(bytes[t.e - 1]) % 64] & (1 << (len % 64)) == 0 || bytes[t.s].is_ascii_digit() {
            continue;
        }
        let c = usize::from(census_bit(&bytes[t.s..t.e]));
        if census[c / 64] & (1 << (c % 64)) == 0 {
            continue;
        }
        let h = hash_bytes(LOWER.into(), &bytes[t.s..t.e]);
        if wanted.contains(&h) {
            seen.insert(h);
        }
    }
    seen
}

/// Which tokens the tagger looks at: capitalised words, and the words that may continue or
/// join names on the same line: in Cyrillic, up to three lowercase words after a capitalised one
/// ("Палаты представителей") and one before it; elsewhere, up to two words between capitalised
/// words ("Bank of America") and a number after one ("Boeing 747"). Other words are outside every
/// name and cost nothing.
fn active_marks(text: &str, toks: &[Tok]) -> Vec<bool> {
    let n = toks.len();
    // does a line end after token i?
    let breaks = |i: usize| i + 1 >= n || toks[i + 1].line;
    let mut active = vec![false; n];
    let mut last_cap: Option<usize> = None;
    for i in 0..n {
        let t = toks[i];
        if t.line {
            last_cap = None;
        }
        if !(t.cap || t.caps) {
            continue;
        }
        active[i] = true;
        if let Some(p) = last_cap.filter(|&p| i - p <= 3) {
            for a in &mut active[p + 1..i] {
                *a = true;
            }
        }
        last_cap = Some(i);
        if t.cyr {
            if i > 0 && !t.line {
                active[i - 1] = true;
            }
            let mut j = i;
            while j < i + 3 && !breaks(j) {
                j += 1;
                active[j] = true;
            }
        } else if !breaks(i) && text.as_bytes()[toks[i + 1].s].is_ascii_digit() {
            active[i + 1] = true;
        }
    }
    active
}

/// Whether a quotation is open after the chars of `gap`, given whether one was before it.
fn quotes_after(mut open: bool, gap: &str) -> bool {
    for c in gap.chars() {
        match c {
            '«' | '“' | '„' => open = true,
            '»' | '”' => open = false,
            '"' => open = !open,
            _ => {}
        }
    }
    open
}

/// Tokens inside quotation marks opened on their line.
///
/// Only the gaps between tokens that hold a byte a quotation mark starts with are read: the
/// positions of those bytes are found in the whole text at once, and between two such gaps a
/// token is inside quotes only while one is open and its line goes on.
fn quoted_marks(text: &str, toks: &[Tok]) -> Vec<bool> {
    let mut out = vec![false; toks.len()];
    let bytes = text.as_bytes();
    let mut open = false;
    // the next token whose mark is not yet written
    let mut next = 0;
    // every quotation mark starts with one of these bytes
    for p in memchr::memchr3_iter(b'"', 0xc2, 0xe2, bytes) {
        // the token after the gap that may hold `p`
        let i = next + toks[next..].partition_point(|t| t.s <= p);
        let from = if i == 0 { 0 } else { toks[i - 1].e };
        if i == toks.len() || p < from || i < next {
            continue;
        }
        // the tokens up to the one after this gap keep the state, unless a line starts
        open = fill_open(toks, &mut out, next, i, open);
        let t = toks[i];
        let gap = bytes.get(from..t.s).unwrap_or(&[]);
        if t.line {
            open = false;
        }
        if gap != b" " {
            open = quotes_after(open, text.get(from..t.s).unwrap_or(""));
        }
        out[i] = open;
        next = i + 1;
    }
    fill_open(toks, &mut out, next, toks.len(), open);
    out
}

/// Mark tokens `from..to` as quoted while `open` lasts (it ends where a line starts); the state
/// after them.
fn fill_open(toks: &[Tok], out: &mut [bool], from: usize, to: usize, mut open: bool) -> bool {
    if !open {
        return false;
    }
    for (t, o) in toks[from..to].iter().zip(&mut out[from..to]) {
        if t.line {
            open = false;
            break;
        }
        *o = true;
    }
    open
}

/// For every token, the longest place name of several words ([`gazetteer::places`]) it starts or
/// continues. Every capitalised word is looked at by the tagger, so its word type (in `types`) tells
/// whether such a name starts with it.
fn place_marks(text: &str, toks: &[Tok], types: &[WordType]) -> Vec<u8> {
    let p = gazetteer::places();
    let n = toks.len();
    let mut out = vec![0u8; n];
    let mut i = 0;
    while i < n {
        if !toks[i].cap || !types[i].place_head {
            i += 1;
            continue;
        }
        let mut best = None;
        let mut j = i;
        while j < n && j < i + p.max_words {
            if j > i && text.as_bytes()[toks[j - 1].e..toks[j].s].iter().any(|&b| b == b'\n' || b == b'\r') {
                break;
            }
            let Some((class, longer)) = p.lookup(&text[toks[i].s..toks[j].e]) else { break };
            if class != 0 && j > i {
                best = Some((j, class));
            }
            if !longer {
                break;
            }
            j += 1;
        }
        match best {
            Some((j, class)) => {
                out[i] = class | 16;
                for m in &mut out[i + 1..=j] {
                    *m = class | 32;
                }
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::recognize::tokenize_into;

    /// [`quoted_marks`] read the plain way: every gap between tokens, token by token.
    fn quoted_plain(text: &str, toks: &[Tok]) -> Vec<bool> {
        let mut open = false;
        let mut out = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.line {
                open = false;
            }
            let from = if i == 0 { 0 } else { toks[i - 1].e };
            open = quotes_after(open, text.get(from..t.s).unwrap_or(""));
            out.push(open);
        }
        out
    }

    #[test]
    fn short_gaps_are_classed_as_any_gap() {
        // every gap of one or two ASCII chars, and of three from the chars that matter
        let all: Vec<u8> = (0..128).collect();
        let some = b" \t\x0b\x0c\n\r,.()\"-:;'&/!?xA0_";
        let mut checked = 0;
        for a in &all {
            for b in std::iter::once(None).chain(all.iter().map(Some)) {
                for c in std::iter::once(None).chain(some.iter().map(Some)) {
                    if b.is_none() && c.is_some() {
                        continue;
                    }
                    let bytes: Vec<u8> = [Some(a), b, c].into_iter().flatten().copied().collect();
                    let g = std::str::from_utf8(&bytes).expect("ASCII");
                    assert_eq!(gap_class(g), gap_class_general(g), "{g:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 300_000, "{checked}");
    }

    #[test]
    fn quoted_marks_read_only_the_gaps_with_quotation_marks() {
        let mut texts: Vec<String> = dossier_testgen::corpus(40, 5).into_iter().map(|(_, t)| t).collect();
        texts.extend(
            [
                "«Газпром» и \"Halyk Bank\" — “Kaspi” „Ост” said\n\"unclosed line\nnext \"line\" «a",
                "\"\"\"x\" y\u{a0}\"z «“w”» ‘q’ \"",
                "\"",
                "",
                "a\"b\" c\u{2014}\"d e\r\n\"f g\" h",
            ]
            .map(String::from),
        );
        // quotation marks sprinkled over generated articles, some inside words
        let pieces = ["\"", "«", "»", "“", "”", "„", "\u{a0}", "\n", " \" "];
        let base = texts.clone();
        for (k, t) in base.iter().enumerate() {
            let mut s = String::new();
            for (j, w) in t.split(' ').enumerate() {
                if (j * 7 + k) % 11 == 0 {
                    s.push_str(pieces[(j + k) % pieces.len()]);
                }
                s.push_str(w);
                s.push(' ');
            }
            texts.push(s);
        }
        let mut quoted = 0;
        for text in &texts {
            let mut toks = Vec::new();
            tokenize_into(text, &mut toks);
            let want = quoted_plain(text, &toks);
            assert_eq!(quoted_marks(text, &toks), want, "{text:?}");
            quoted += want.iter().filter(|&&q| q).count();
        }
        assert!(quoted > 100, "{quoted} quoted tokens");
    }
}
