//! What linking knows beyond the gazetteer (`data/linking_knowledge.txt`):
//!
//! - other names of known places and organisations, abbreviations and full names in any case
//!   form ("РФ", "Российской Федерации" and "Russia"; "США" and "United States"): [`known_name`];
//! - the adjectives of countries ("Russian", "российский"): [`demonym`];
//! - the words of institutions that many countries have under one name, in English and Russian
//!   ("Министерство иностранных дел" = "Ministry of Foreign Affairs" = "Foreign Ministry" =
//!   "МИД"; "Верховный суд" = "Supreme Court"): [`institution`] reads such a name as its heads
//!   and modifiers and the country it names, if any. A name with any word outside the lexicon
//!   is not read so, so that two different institutions never share a key.
//!
//! Architecture invariant: everything here is a pure function of the name, memoised per thread
//! for Cyrillic names; the data is parsed once.

use std::sync::OnceLock;

use super::gazetteer::{gazetteer, Entry};
use super::keys::{self, Key, KeyMap};
use super::{morph, Kind};
use crate::translit::has_cyrillic;

const DATA: &str = include_str!("../../data/linking_knowledge.txt");

/// One word of a lexicon form: a word as written (lowercase), or a Russian stem that takes up to
/// three more letters.
#[derive(Debug)]
enum Pat {
    Word(&'static str),
    Stem(&'static str),
}

impl Pat {
    fn matches(&self, lower: &str) -> bool {
        match *self {
            Pat::Word(w) => lower == w,
            Pat::Stem(s) => lower
                .strip_prefix(s)
                .is_some_and(|rest| rest.chars().count() <= 3 && rest.chars().all(char::is_alphabetic)),
        }
    }
}

fn pats(form: &'static str) -> Vec<Pat> {
    form.split_whitespace()
        .map(|w| match w.strip_suffix('*') {
            Some(stem) => Pat::Stem(stem),
            None => Pat::Word(w),
        })
        .collect()
}

struct Knowledge {
    /// Abbreviations of known entities by key (matched in capitals only): the canonical name.
    abbreviations: KeyMap<&'static str>,
    /// Other names by [`phrase_key`]: the canonical name.
    phrases: KeyMap<&'static str>,
    /// (adjective, country's canonical name).
    demonyms: Vec<(Pat, &'static str)>,
    /// Institution words: (form, concept, is a head), the longest forms first.
    lexicon: Vec<(Vec<Pat>, u16, bool)>,
    /// Institution abbreviations (lowercase, as written): their concepts.
    institution_abbreviations: Vec<(&'static str, Vec<u16>)>,
    concepts: Vec<&'static str>,
}

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(load)
}

fn load() -> Knowledge {
    let mut k = Knowledge {
        abbreviations: KeyMap::default(),
        phrases: KeyMap::default(),
        demonyms: Vec::new(),
        lexicon: Vec::new(),
        institution_abbreviations: Vec::new(),
        concepts: Vec::new(),
    };
    for line in DATA.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((head, rest)) = line.split_once(':') else { continue };
        let mut forms = rest.split('|').map(str::trim).filter(|f| !f.is_empty());
        let mut head = head.split_whitespace();
        match head.next() {
            Some("alias") => {
                let Some(first) = forms.next() else { continue };
                // the gazetteer's canonical name when it knows the entity
                let canonical = match gazetteer().exact(first) {
                    Some(Entry::Known(_, c)) => c,
                    _ => first,
                };
                for f in std::iter::once(first).chain(forms) {
                    if is_abbreviation(f) {
                        k.abbreviations.entry(keys::key(f)).or_insert(canonical);
                    } else {
                        k.phrases.entry(phrase_key(f)).or_insert(canonical);
                    }
                }
            }
            Some("demonym") => {
                let Some(country) = forms.next() else { continue };
                let country = match gazetteer().exact(country) {
                    Some(Entry::Known(_, c)) => c,
                    _ => country,
                };
                for f in forms {
                    let p = match f.strip_suffix('*') {
                        Some(stem) => Pat::Stem(stem),
                        None => Pat::Word(f),
                    };
                    k.demonyms.push((p, country));
                }
            }
            Some(kind @ ("head" | "mod")) => {
                let Some(name) = head.next() else { continue };
                let c = concept(&mut k.concepts, name);
                for f in forms {
                    k.lexicon.push((pats(f), c, kind == "head"));
                }
            }
            Some("abbr") => {
                let cs: Vec<u16> = head.map(|n| concept(&mut k.concepts, n)).collect();
                for f in forms {
                    k.institution_abbreviations.push((f, cs.clone()));
                }
            }
            _ => {}
        }
    }
    k.lexicon.sort_by_key(|(p, _, _)| std::cmp::Reverse(p.len()));
    k
}

fn concept(concepts: &mut Vec<&'static str>, name: &'static str) -> u16 {
    match concepts.iter().position(|&c| c == name) {
        Some(i) => i as u16,
        None => {
            concepts.push(name);
            (concepts.len() - 1) as u16
        }
    }
}

/// Written in capitals (and dots): "РФ", "U.S.".
fn is_abbreviation(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && !s.chars().any(|c| c.is_lowercase() || c.is_whitespace())
}

/// The key of a name up to the case endings of its words: the roots of its folded words, a
/// genitive plural ending (-ов, -ев) stripped too ("Соединённых Штатов" = "Соединённые Штаты").
fn phrase_key(name: &str) -> Key {
    let mut joined = String::with_capacity(name.len());
    for w in name.split_whitespace() {
        let f = keys::fold_str(w);
        let mut r = morph::root(&f);
        for plural in ["ov", "ev"] {
            if r.len() >= plural.len() + 4 {
                if let Some(s) = r.strip_suffix(plural) {
                    r = morph::root(s);
                    break;
                }
            }
        }
        if r.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(r);
    }
    keys::folded_key(&[&joined])
}

type Memo<V> = std::cell::RefCell<crate::hash::FastMap<Box<str>, V>>;

thread_local! {
    static KNOWN: Memo<Option<&'static str>> = Default::default();
    static INSTITUTIONS: Memo<Option<Institution>> = Default::default();
}

/// Entries of the per-thread memos before they start again.
const KEEP: usize = 1 << 12;

/// The canonical name of a known place or organisation written so, in any case form: the
/// gazetteer's forms, and the other names and abbreviations linking knows. `key` is the name's
/// [`keys::key`].
pub(crate) fn known_name(name: &str, key: Key) -> Option<&'static str> {
    let g = gazetteer();
    let known = |e: Option<Entry>| match e {
        Some(Entry::Known(_, c)) => Some(c),
        _ => None,
    };
    if let Some(c) = known(g.exact(name)).or_else(|| known(g.folded(key))) {
        return Some(c);
    }
    let k = knowledge();
    if is_abbreviation(name) {
        if let Some(&c) = k.abbreviations.get(&key) {
            return Some(c);
        }
    }
    if !has_cyrillic(name) {
        return None;
    }
    keys::memoised(&KNOWN, KEEP, name, |name| {
        if let Some(&c) = k.phrases.get(&phrase_key(name)) {
            return Some(c);
        }
        // a case form of a one-word name the gazetteer knows: России → Россия
        let mut words = name.split_whitespace();
        let (Some(one), None) = (words.next(), words.next()) else { return None };
        morph::noun_lemmas(one).iter().skip(1).find_map(|l| known(g.exact(l)).or_else(|| known(g.folded(keys::key(l)))))
    })
}

/// The canonical name of the known place a name is, in any case form.
fn known_place(name: &str) -> Option<&'static str> {
    let c = known_name(name, keys::key(name))?;
    match gazetteer().exact(c) {
        Some(Entry::Known(Kind::Place, _)) => Some(c),
        _ => None,
    }
}

/// The key of the country whose adjective `word` is ("Russian", "российского"): the key of its
/// canonical name, as a known place's mentions have.
pub(crate) fn demonym(word: &str) -> Option<Key> {
    let lower = word.to_lowercase();
    let k = knowledge();
    let pick = |p: &Pat| match *p {
        Pat::Word(w) => w.eq_ignore_ascii_case(word),
        Pat::Stem(_) => p.matches(&lower),
    };
    k.demonyms.iter().find(|(p, _)| pick(p)).map(|&(_, c)| keys::key(c))
}

/// An institution's name read by the lexicon: the key of its heads and modifiers, and the
/// country it names ("Russian Foreign Ministry", "МИД России", "Ministry of Foreign Affairs of
/// the Republic of Kazakhstan"), as the key of the country's canonical name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Institution {
    pub key: Key,
    pub country: Option<Key>,
}

/// The institution a name of an organisation is, when every word of it is an institution's
/// word, a function word or a country (see the module docs).
pub(crate) fn institution(name: &str) -> Option<Institution> {
    if has_cyrillic(name) {
        keys::memoised(&INSTITUTIONS, KEEP, name, read_institution)
    } else {
        read_institution(name)
    }
}

fn read_institution(name: &str) -> Option<Institution> {
    let k = knowledge();
    let words: Vec<&str> = name
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’'))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase().replace('’', "'")).collect();
    let mut concepts: Vec<u16> = Vec::new();
    let mut heads = 0;
    let mut country: Option<Key> = None;
    let mut said = |c: Key| country.replace(c).is_none_or(|old| old == c);
    let mut i = 0;
    'words: while i < words.len() {
        if is_function_word(&lower[i]) {
            i += 1;
            continue;
        }
        // the longest lexicon form here
        for (pats, c, head) in &k.lexicon {
            let end = i + pats.len();
            if end <= words.len() && pats.iter().zip(&lower[i..end]).all(|(p, w)| p.matches(w)) {
                concepts.push(*c);
                heads += usize::from(*head);
                i = end;
                continue 'words;
            }
        }
        if let Some((_, cs)) = k.institution_abbreviations.iter().find(|(a, _)| *a == words[i]) {
            concepts.extend_from_slice(cs);
            heads += 1;
            i += 1;
            continue;
        }
        // a known place, the longest run of words from here ("Российской Федерации"), else a
        // country's adjective
        for end in (i + 1..=words.len()).rev() {
            if let Some(place) = known_place(&words[i..end].join(" ")) {
                if !said(keys::key(place)) {
                    return None;
                }
                i = end;
                continue 'words;
            }
        }
        match demonym(words[i]) {
            Some(c) if said(c) => i += 1,
            _ => return None,
        }
    }
    if heads == 0 {
        return None;
    }
    concepts.sort_unstable();
    concepts.dedup();
    let names: Vec<&str> = concepts.iter().map(|&c| k.concepts[c as usize]).collect();
    let key = crate::hash::bytes(format!("institution: {}", names.join(" ")).as_bytes());
    Some(Institution { key, country })
}

fn is_function_word(w: &str) -> bool {
    matches!(w, "of" | "the" | "for" | "and" | "on" | "по" | "и" | "при" | "на" | "для")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(s: &str) -> Option<&'static str> {
        known_name(s, keys::key(s))
    }

    #[test]
    fn other_names_and_case_forms_of_known_entities() {
        assert_eq!(known("Российской Федерации"), Some("Russia"));
        assert_eq!(known("РФ"), Some("Russia"));
        assert_eq!(known("России"), Some("Russia"));
        assert_eq!(known("Соединённых Штатов"), Some("United States"));
        assert_eq!(known("США"), Some("United States"));
        assert_eq!(known("Европейского союза"), known("European Union"));
        assert_eq!(known("ЕС"), known("European Union"));
        assert_eq!(known("ООН"), known("United Nations"));
        assert_eq!(known("КНДР"), Some("North Korea"));
        assert_eq!(known("ОДКБ"), known("CSTO"));
        assert_eq!(known("Грузии"), Some("Georgia"));
        // an abbreviation only in capitals; the pronoun is not the UN
        assert_eq!(known("Рф"), None);
        assert_eq!(known("Он"), None);
        assert_eq!(known("Halyk Bank"), None);
    }

    #[test]
    fn institutions_across_scripts() {
        let russia = Some(keys::key("Russia"));
        let mfa = institution("Ministry of Foreign Affairs").expect("an institution");
        assert_eq!(mfa.country, None);
        for (name, country) in [
            ("Министерство иностранных дел", None),
            ("Министерства иностранных дел", None),
            ("Foreign Ministry", None),
            ("МИД", None),
            ("Russian Foreign Ministry", russia),
            ("Ministry of Foreign Affairs of Russia", russia),
            ("Министерство иностранных дел России", russia),
            ("Министерство иностранных дел Российской Федерации", russia),
            ("МИД России", russia),
            ("Министерства иностранных дел РФ", russia),
        ] {
            assert_eq!(institution(name), Some(Institution { key: mfa.key, country }), "{name}");
        }
        let key = |s: &str| institution(s).map(|i| i.key);
        assert_eq!(key("Верховный суд"), key("Supreme Court"));
        assert_eq!(key("Верховного суда"), key("Supreme Court"));
        assert_eq!(key("Центральная избирательная комиссия"), key("Central Election Commission"));
        assert_eq!(key("ЦИК"), key("Central Election Commission"));
        assert_eq!(key("Национальный банк Казахстана"), key("National Bank of Kazakhstan"));
        assert_eq!(institution("National Bank of Kazakhstan").and_then(|i| i.country), Some(keys::key("Kazakhstan")));
        // different institutions keep apart
        assert_ne!(key("Ministry of Defence"), key("Ministry of Foreign Affairs"));
        assert_ne!(key("Supreme Court"), key("Constitutional Court"));
        assert_ne!(key("Foreign Affairs Committee"), key("Foreign Ministry"));
        assert_ne!(key("National Bank"), key("Central Bank"));
        // a name with a word of its own is no generic institution
        assert_eq!(institution("Halyk Bank"), None);
        assert_eq!(institution("Ministry of Digital Development and Aerospace"), None);
        assert_eq!(institution("United Russia"), None);
        assert_eq!(institution("Russian Kazakh Council"), None, "two countries");
        assert_eq!(institution("Russian"), None, "no head");
    }

    #[test]
    fn demonyms_name_their_country() {
        assert_eq!(demonym("Russian"), Some(keys::key("Russia")));
        assert_eq!(demonym("российского"), Some(keys::key("Russia")));
        assert_eq!(demonym("Казахстанская"), Some(keys::key("Kazakhstan")));
        assert_eq!(demonym("Moscow"), None);
    }
}
