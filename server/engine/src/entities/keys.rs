//! Folded name keys as 64-bit hashes, computed once per mention during recognition so that
//! linking compares integers and never folds, allocates or re-reads document text.
//!
//! A key is a hash of [`fold`]'s output, so two strings have the same key exactly when they fold
//! to the same string (up to 64-bit hash collisions, about one in 10^7 for a million distinct
//! names). Words that are pure ASCII, nearly all of an English corpus, are folded on the stack
//! without allocation by [`fold_ascii`].

use std::cell::RefCell;
use std::collections::HashMap;

use crate::hash::{FastMap, FastSet};

use crate::translit::{fold, fold_ascii, transliterate};

/// The hash of a folded name.
pub type Key = u64;

/// The stable hash of folded bytes (see [`crate::hash::words`]).
fn hash_bytes(bytes: &[u8]) -> u64 {
    crate::hash::words(bytes)
}

/// Longest ASCII word folded on the stack; longer words take the general path.
const STACK: usize = 64;

/// The key of `fold(s)`.
pub fn key(s: &str) -> Key {
    let b = s.as_bytes();
    if b.len() > MEMO_LEN {
        return key_uncached(s);
    }
    RECENT_KEYS.with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else { return key_uncached(s) };
        if m.is_empty() {
            m.resize(MEMO_SLOTS, Recent { len: u8::MAX, bytes: [0; MEMO_LEN], key: 0 });
        }
        let e = &mut m[crate::hash::words(b) as usize % MEMO_SLOTS];
        if usize::from(e.len) == b.len() && &e.bytes[..b.len()] == b {
            return e.key;
        }
        let key = key_uncached(s);
        e.len = b.len() as u8;
        e.bytes[..b.len()].copy_from_slice(b);
        e.key = key;
        key
    })
}

/// Strings of up to this many bytes have their keys remembered in [`RECENT_KEYS`].
const MEMO_LEN: usize = 30;
/// Entries of [`RECENT_KEYS`] (80 kB per thread).
const MEMO_SLOTS: usize = 2048;

/// A string [`key`] has seen lately, with its key.
#[derive(Clone, Copy)]
struct Recent {
    len: u8,
    bytes: [u8; MEMO_LEN],
    key: Key,
}

thread_local! {
    /// The keys of short strings seen lately, per thread, by the hash of their bytes (one entry a
    /// slot, the newest kept): the words and names of a corpus recur, and a hit compares the bytes
    /// instead of folding them.
    static RECENT_KEYS: RefCell<Vec<Recent>> = const { RefCell::new(Vec::new()) };
}

/// [`key`] without [`RECENT_KEYS`].
fn key_uncached(s: &str) -> Key {
    let mut buf = [0u8; STACK];
    if let Some(n) = fold_ascii(s.as_bytes(), &mut buf) {
        return hash_bytes(&buf[..n]);
    }
    if s.len() > STACK {
        return key_folded(s);
    }
    memoised(&SLOW_KEYS, SLOW_KEYS_KEEP, s, key_folded)
}

thread_local! {
    /// The keys of the strings that are not short ASCII (Cyrillic names, mostly), per thread:
    /// names recur from one document to the next.
    static SLOW_KEYS: RefCell<FastMap<Box<str>, Key>> = RefCell::default();
}

/// Entries of [`SLOW_KEYS`] before it starts again (some hundreds of kB per thread at most).
const SLOW_KEYS_KEEP: usize = 1 << 12;

/// `compute(s)`, remembered in a per-thread memo that starts again once it holds `keep` entries
/// (a call made while the memo is in use computes without it).
pub(super) fn memoised<V: Copy, S: std::hash::BuildHasher>(
    memo: &'static std::thread::LocalKey<RefCell<HashMap<Box<str>, V, S>>>,
    keep: usize,
    s: &str,
    compute: impl Fn(&str) -> V,
) -> V {
    memo.with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else { return compute(s) };
        if let Some(&v) = m.get(s) {
            return v;
        }
        let v = compute(s);
        if m.len() >= keep {
            m.clear();
        }
        m.insert(s.into(), v);
        v
    })
}

/// [`key`] without the ASCII path and the cache.
fn key_folded(s: &str) -> Key {
    let mut buf = [0u8; STACK];
    if let Some(n) = fold_ascii(s.as_bytes(), &mut buf) {
        return hash_bytes(&buf[..n]);
    }
    // Cyrillic: `fold` transliterates first; when that gives ASCII, the rest is `fold_ascii`
    if crate::translit::has_cyrillic(s) {
        let lat = transliterate(s);
        if let Some(n) = fold_ascii(lat.as_bytes(), &mut buf) {
            return hash_bytes(&buf[..n]);
        }
    }
    hash_bytes(fold(s).as_bytes())
}

/// [`fold`]: by [`fold_ascii`] when `s` is ASCII, or transliterates to ASCII, and short.
pub fn fold_str(s: &str) -> String {
    let mut buf = [0u8; STACK];
    if let Some(n) = fold_ascii(s.as_bytes(), &mut buf) {
        return String::from_utf8_lossy(&buf[..n]).into_owned();
    }
    if crate::translit::has_cyrillic(s) {
        let lat = transliterate(s);
        if let Some(n) = fold_ascii(lat.as_bytes(), &mut buf) {
            return String::from_utf8_lossy(&buf[..n]).into_owned();
        }
    }
    fold(s)
}

/// The key of an already folded string given in parts: `folded_key(&[&fold(s)]) == key(s)`.
pub fn folded_key(parts: &[&str]) -> Key {
    match parts {
        [one] => hash_bytes(one.as_bytes()),
        _ => {
            // joined on the stack when short
            let mut buf = [0u8; STACK];
            let mut n = 0;
            for p in parts {
                let Some(to) = buf.get_mut(n..n + p.len()) else { return hash_bytes(parts.concat().as_bytes()) };
                to.copy_from_slice(p.as_bytes());
                n += p.len();
            }
            hash_bytes(&buf[..n])
        }
    }
}

/// A person's full-name key: folded first and last word ("Kassym-Jomart Tokayev"), or `None`
/// for a single word.
pub fn person_key(s: &str) -> Option<Key> {
    let mut w = s.split_whitespace();
    let first = w.next()?;
    let last = w.next_back()?;
    Some(pair_key(key(first), key(last)))
}

/// The full-name key from the keys of the first and the last word.
pub fn pair_key(first: Key, last: Key) -> Key {
    crate::hash::pair(first, last)
}

/// The key of the last word (the surname of a full name).
pub fn surname_key(s: &str) -> Key {
    key(s.split_whitespace().next_back().unwrap_or(s))
}

pub type KeyMap<V> = FastMap<Key, V>;
pub type KeySet = FastSet<Key>;

/// A hash map keyed by document names (paths) or other strings of the user's own folder: a load
/// looks up each of 20,000 names a few times, in its serial steps.
pub type NameMap<K, V> = FastMap<K, V>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_maps_tell_names_apart() {
        use std::hash::BuildHasher;
        let build = std::hash::BuildHasherDefault::<crate::hash::MapHasher>::default();
        let names: Vec<String> = (0..50_000).map(|i| format!("/corpus/{:05}_{:x}.txt", i % 20_000, i)).collect();
        let hashes: std::collections::HashSet<u64> = names.iter().map(|n| build.hash_one(n.as_str())).collect();
        assert_eq!(hashes.len(), names.len(), "no two of 50,000 paths hash alike");
        assert_eq!(build.hash_one("/c/a.txt"), build.hash_one(String::from("/c/a.txt").as_str()));
        // where one string ends and the next begins is part of the hash
        assert_ne!(build.hash_one(("ab", "c")), build.hash_one(("a", "bc")));
        let mut map: NameMap<std::sync::Arc<str>, usize> = NameMap::default();
        for (i, n) in names.iter().enumerate() {
            map.insert(n.as_str().into(), i);
        }
        assert!(names.iter().enumerate().all(|(i, n)| map.get(n.as_str()) == Some(&i)));
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
            "Токаев",
            "Қасым-Жомарт",
            "ЕЛЬЦИН",
            "РЅРѕРІРѕСЃС‚Рё",
            "Kül-Tegin",
            "O’Neil",
            "zkh",
            "kkhs",
            "kzhs",
            "dzhs",
            "zdzhh",
            "kdzh",
            "ksh",
            "Kskh",
            "dzkh",
            "",
            "-",
            "a",
            "Committee",
            "Mississippi",
            "ABCDEFGH",
            "ABCDEFGHI",
            "Aaaaaaaaaaaaaaaa",
            "Aaaaaaaaaaaaaaab",
            "Abcdefghijklmnop",
            "Abcdefghijklmnopq",
            "Abcdefgghijklmno",
            "Abcdefghijklmnoo",
            "Ppetropavlovsk",
            "Kksa",
            "Ozh",
            "Xz9h",
            "2000s",
            "B52",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (_, t) in dossier_testgen::corpus(40, 3) {
            words.extend(t.split(|c: char| c.is_whitespace()).map(str::to_string));
        }
        for w in &words {
            let mut buf = [0u8; STACK];
            if let Some(n) = fold_ascii(w.as_bytes(), &mut buf) {
                assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), fold(w), "{w:?}");
            }
            assert_eq!(key(w), folded_key(&[&fold(w)]), "{w:?}");
            // again, from the cache when it is not a short word
            assert_eq!(key(w), key_folded(w), "{w:?}");
            assert_eq!(fold_str(w), fold(w), "{w:?}");
        }
    }

    #[test]
    fn ascii_fast_path_on_every_short_string_of_the_letters_that_fold() {
        let letters = b"dzkhsyaei";
        let mut words = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, Vec::len))
                .flat_map(|w| letters.iter().map(move |&c| [w.as_slice(), &[c]].concat()))
                .collect();
            words.extend(longer);
        }
        for w in words {
            let w = String::from_utf8(w).unwrap();
            let mut buf = [0u8; STACK];
            let n = fold_ascii(w.as_bytes(), &mut buf).unwrap();
            assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), fold(&w), "{w:?}");
            assert_eq!(key(&w), folded_key(&[&fold(&w)]), "{w:?}");
        }
    }

    #[test]
    fn keys_follow_folding() {
        assert_eq!(key("Токаев"), key("Tokayev"));
        assert_ne!(key("Nazarbayev"), key("Nazarbayeva"));
        assert_eq!(person_key("Имангали Тасмагамбетов"), person_key("Imangali Tasmagambetov"));
        assert_eq!(person_key("Tasmagambetov"), None);
        assert_eq!(surname_key("Imangali Tasmagambetov"), key("Tasmagambetov"));
        assert_eq!(folded_key(&["moskv", "a"]), folded_key(&["moskva"]));
        let long = "x".repeat(STACK);
        assert_eq!(folded_key(&[&long, "ia"]), folded_key(&[&format!("{long}ia")]));
    }

    #[test]
    fn remembered_keys_are_the_keys() {
        // more strings than the memo has slots, so that they share slots and replace each other,
        // of every length up to the longest remembered and beyond, Latin and Cyrillic, twice
        let words: Vec<String> = (0..3 * MEMO_SLOTS)
            .map(|i| {
                let stem = ["Tokayev", "Назарбаев", "Kassym-Jomart", "ООН", "Ye"][i % 5];
                format!("{stem}{}", "y".repeat(i % (MEMO_LEN + 3)))
            })
            .collect();
        for _ in 0..2 {
            for w in &words {
                assert_eq!(key(w), key_uncached(w), "{w:?}");
            }
        }
    }
}
