//! Folded name keys as 64-bit hashes, computed once per mention during recognition so that
//! linking compares integers and never folds, allocates or re-reads document text.
//!
//! A key is a hash of [`fold`]'s output, so two strings have the same key exactly when they fold
//! to the same string (up to 64-bit hash collisions, about one in 10^7 for a million distinct
//! names). Words that are pure ASCII, nearly all of an English corpus, are folded on the stack
//! without allocation by [`fold_ascii`], which a test checks against [`fold`].

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::translit::fold;

/// The hash of a folded name.
pub type Key = u64;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

fn extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    h
}

/// Spread the FNV state over all 64 bits (MurmurHash3's finaliser).
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Longest ASCII word folded on the stack; longer words take the general path.
const STACK: usize = 64;

/// [`fold`] for an ASCII string of at most [`STACK`] bytes, written into `out`; returns the length.
fn fold_ascii(s: &[u8], out: &mut [u8; STACK]) -> Option<usize> {
    if s.len() > STACK || !s.is_ascii() {
        return None;
    }
    let mut a = [0u8; STACK];
    let mut n = 0;
    for &c in s {
        if c.is_ascii_alphanumeric() {
            a[n] = c.to_ascii_lowercase();
            n += 1;
        }
    }
    // the replacements of `fold`, in its order, each one left-to-right pass
    let mut b = [0u8; STACK];
    let mut n = replace(&a[..n], b"dzh", b'j', &mut b);
    let m = replace(&b[..n], b"zh", b'j', &mut a);
    n = replace(&a[..m], b"kh", b'h', &mut b);
    let mut n = replace(&b[..n], b"ks", b'x', &mut a);
    let mut start = 0;
    if a[..n].starts_with(b"ye") {
        start = 1;
    }
    // drop y between vowels (neighbours taken before any drop)
    let is_v = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let src = &a[start..n];
    let mut m = 0;
    for i in 0..src.len() {
        if src[i] == b'y' && i > 0 && i + 1 < src.len() && is_v(src[i - 1]) && is_v(src[i + 1]) {
            continue;
        }
        b[m] = src[i];
        m += 1;
    }
    n = m;
    for suf in [b"iy", b"yi", b"ii", b"yy"] {
        if n > suf.len() + 1 && b[..n].ends_with(suf) {
            n -= suf.len();
            b[n] = b'i';
            n += 1;
            break;
        }
    }
    if n > 2 && b[n - 1] == b'y' {
        b[n - 1] = b'i';
    }
    // collapse doubled letters
    let mut k = 0;
    for i in 0..n {
        if i == 0 || b[i] != b[i - 1] {
            out[k] = b[i];
            k += 1;
        }
    }
    Some(k)
}

fn replace(src: &[u8], pat: &[u8], with: u8, out: &mut [u8; STACK]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < src.len() {
        if src[i..].starts_with(pat) {
            out[n] = with;
            i += pat.len();
        } else {
            out[n] = src[i];
            i += 1;
        }
        n += 1;
    }
    n
}

/// Feed the folded form of `s` into the hash state `h`.
fn extend_folded(h: u64, s: &str) -> u64 {
    let mut buf = [0u8; STACK];
    match fold_ascii(s.as_bytes(), &mut buf) {
        Some(n) => extend(h, &buf[..n]),
        None => extend(h, fold(s).as_bytes()),
    }
}

/// The key of `fold(s)`.
pub fn key(s: &str) -> Key {
    finish(extend_folded(OFFSET, s))
}

/// A person's full-name key: folded first and last word ("Kassym-Jomart Tokayev"), or `None`
/// for a single word.
pub fn person_key(s: &str) -> Option<Key> {
    let mut w = s.split_whitespace();
    let first = w.next()?;
    let last = w.next_back()?;
    Some(finish(extend_folded(extend(extend_folded(OFFSET, first), b"|"), last)))
}

/// The key of the last word (the surname of a full name).
pub fn surname_key(s: &str) -> Key {
    key(s.split_whitespace().next_back().unwrap_or(s))
}

/// A hasher for keys that are already well-mixed hashes.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = finish(extend(self.0 ^ OFFSET, bytes));
    }

    fn write_u64(&mut self, k: u64) {
        self.0 = k;
    }

    fn write_u8(&mut self, k: u8) {
        self.0 ^= u64::from(k).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;
pub type KeySet = HashSet<Key, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of an already folded string.
    fn folded_key(folded: &str) -> Key {
        finish(extend(OFFSET, folded.as_bytes()))
    }

    #[test]
    fn ascii_fast_path_folds_like_fold() {
        let mut words: Vec<String> = [
            "Tokayev",
            "Tokaev",
            "Kassym-Jomart",
            "Dzhaksybekov",
            "Zhanna",
            "Khrenin",
            "Aksakal",
            "Yesenov",
            "Ye",
            "ye",
            "Dmitriy",
            "Dmitryi",
            "Dmitrii",
            "Dmitryy",
            "Kyy",
            "yy",
            "Iy",
            "Aya",
            "ayaya",
            "kkhs",
            "Kkks",
            "dzzhh",
            "ZHOMART",
            "U.S",
            "Vlast.kz",
            "O'Neil",
            "Nazarbayeva",
            "1990s",
            "",
            "-",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (_, t) in crate::gen::corpus(40, 3) {
            words.extend(t.split(|c: char| c.is_whitespace()).filter(|w| w.is_ascii()).map(str::to_string));
        }
        for w in &words {
            let mut buf = [0u8; STACK];
            if let Some(n) = fold_ascii(w.as_bytes(), &mut buf) {
                assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), fold(w), "{w:?}");
            }
            assert_eq!(key(w), folded_key(&fold(w)), "{w:?}");
        }
    }

    #[test]
    fn keys_follow_folding() {
        assert_eq!(key("Токаев"), key("Tokayev"));
        assert_ne!(key("Nazarbayev"), key("Nazarbayeva"));
        assert_eq!(person_key("Имангали Тасмагамбетов"), person_key("Imangali Tasmagambetov"));
        assert_eq!(person_key("Tasmagambetov"), None);
        assert_eq!(surname_key("Imangali Tasmagambetov"), key("Tasmagambetov"));
    }
}
