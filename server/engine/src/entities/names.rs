//! What a mention's name is, for linking: the keys it links by and its base form.
//!
//! - A person's full name links by its given name and surname in their base forms (the
//!   nominative, see [`morph`]), the given name up to its variants across languages and
//!   transliteration systems (Aleksandr = Alexander = Oleksandr, Mykola = Nikolay): the keys of
//!   "Нурсултана Назарбаева" and "Nursultan Nazarbayev" are equal.
//! - A surname alone links by its base form; a Cyrillic one that can be read two ways
//!   (Назарбаева: Назарбаев in the genitive, or the woman Назарбаева) has both
//!   ([`surname_keys`]), and linking asks the corpus which person it is.
//! - A known place or organisation links by the gazetteer's canonical name; any other name of a
//!   place, organisation or thing by its words' case-free roots ([`morph::root`]), so that its
//!   case forms and its Latin and Cyrillic spellings meet.
//!
//! Architecture invariant: the keys of a mention depend only on the mention's text, kind,
//! evidence and name, never on the rest of the corpus, so they are computed once, at
//! recognition, and stored with the mention.

use std::sync::OnceLock;

use super::keys::{self, Key, KeyMap};
use super::recognize::Evidence;
use super::{knowledge, morph};
use super::{Kind, MentionKeys};
use crate::translit::has_cyrillic;

const GIVEN_VARIANTS: &str = include_str!("../../data/given_name_variants.txt");

/// Given names of one person in several languages and spellings: every variant's key leads to
/// the key of its line's first name.
fn variants() -> &'static KeyMap<Key> {
    static V: OnceLock<KeyMap<Key>> = OnceLock::new();
    V.get_or_init(|| {
        let mut map = KeyMap::default();
        for line in GIVEN_VARIANTS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut names = line.split_whitespace();
            let Some(first) = names.next() else { continue };
            let class = keys::key(first);
            for n in std::iter::once(first).chain(names) {
                map.entry(keys::key(n)).or_insert(class);
            }
        }
        map
    })
}

/// The key of a given name, the same for all its variants.
pub(crate) fn given_key(name: &str) -> Key {
    let k = keys::key(name);
    variants().get(&k).copied().unwrap_or(k)
}

/// The key of a place's, organisation's or thing's name: the roots of its words.
pub(crate) fn root_key(name: &str) -> Key {
    // on the stack for an ASCII name of up to 128 bytes, else remembered per thread
    let mut out = [0u8; 128];
    let mut n = 0;
    for w in name.split_whitespace() {
        let mut buf = [0u8; 64];
        let Some(k) = crate::translit::fold_ascii(w.as_bytes(), &mut buf) else {
            return keys::memoised(&ROOT_KEYS, KEEP, name, root_key_general);
        };
        let r = morph::root(std::str::from_utf8(&buf[..k]).unwrap_or_default());
        if r.is_empty() {
            continue;
        }
        let sep = usize::from(n > 0);
        let Some(to) = out.get_mut(n + sep..n + sep + r.len()) else {
            return root_key_general(name);
        };
        to.copy_from_slice(r.as_bytes());
        if sep == 1 {
            out[n] = b' ';
        }
        n += sep + r.len();
    }
    keys::folded_key(&[std::str::from_utf8(&out[..n]).unwrap_or_default()])
}

fn root_key_general(name: &str) -> Key {
    let mut folded: Vec<String> = Vec::with_capacity(4);
    for w in name.split_whitespace() {
        let f = keys::fold_str(w);
        if !f.is_empty() {
            folded.push(morph::root(&f).to_string());
        }
    }
    let parts: Vec<&str> = folded.iter().map(String::as_str).collect();
    keys::folded_key(&[&parts.join(" ")])
}

/// A per-thread memo of values by string (see [`keys::memoised`]).
type Memo<V> = std::cell::RefCell<crate::hash::FastMap<Box<str>, V>>;

/// Entries of the per-thread memos before they start again.
const KEEP: usize = 1 << 12;

thread_local! {
    /// [`root_key`] of names that are not short ASCII (Cyrillic, mostly).
    static ROOT_KEYS: Memo<Key> =
        Default::default();
    /// [`person_name`] of Cyrillic full names.
    static PERSON_NAMES: Memo<PersonName> =
        Default::default();
    /// [`given_and_patronymic`]'s keys.
    static PATRONYMICS: Memo<Option<(Key, Key)>> =
        Default::default();
    /// [`surname_keys`] of Cyrillic words: loose words and surnames recur from one document to
    /// the next.
    static SURNAME_KEYS: Memo<[Option<Key>; READINGS]> =
        Default::default();
}

/// The base form of a person's full name (several words): for a Cyrillic name, its words in
/// the nominative; `None` when it is already that (a Latin name, a nominative).
pub(crate) fn person_base(words: &[&str]) -> Option<Vec<String>> {
    let r = morph::person(words)?;
    (r.words.iter().zip(words).any(|(a, b)| a != b)).then_some(r.words)
}

/// The base forms of a surname written alone, the likeliest first (one for a Latin surname).
pub(crate) fn surname_bases(word: &str) -> Vec<String> {
    morph::surname_lemmas(word)
}

/// Readings of a surname kept: "Нетаньяху" is Нетаньях in the dative, the woman Нетаньяха in
/// the accusative, or the indeclinable Нетаньяху.
pub(crate) const READINGS: usize = 3;

/// The keys of the base forms of a surname written alone (at most [`READINGS`], the likeliest
/// first).
pub(crate) fn surname_keys(word: &str) -> [Option<Key>; READINGS] {
    if !has_cyrillic(word) {
        let mut out = [None; READINGS];
        out[0] = Some(keys::key(word));
        return out;
    }
    keys::memoised(&SURNAME_KEYS, KEEP, word, cyrillic_surname_keys)
}

fn cyrillic_surname_keys(word: &str) -> [Option<Key>; READINGS] {
    let mut out = [None; READINGS];
    let mut n = 0;
    for b in &surname_bases(word) {
        let k = keys::key(b);
        if n < READINGS && !out.contains(&Some(k)) {
            out[n] = Some(k);
            n += 1;
        }
    }
    out
}

/// Is this the name of an institution that many countries have under the same name ("Ministry
/// of Foreign Affairs", "Foreign Ministry", "Constitutional Court", "Министерство иностранных
/// дел", "МИД")? Such a name is one entity only with the country said next to it, or the place
/// its document names most.
pub(crate) fn generic(name: &str) -> bool {
    const HEADS: &[&str] = &[
        "ministry",
        "department",
        "committee",
        "agency",
        "office",
        "service",
        "council",
        "court",
        "commission",
        "inspectorate",
        "directorate",
        "administration",
        "prosecutor's",
        "government",
        "parliament",
        "senate",
        "cabinet",
        "police",
        "army",
        "navy",
        "treasury",
    ];
    const RU_HEADS: &[&str] = &[
        "министерств",
        "комитет",
        "агентств",
        "служб",
        "департамент",
        "управлени",
        "совет",
        "суд",
        "прокуратур",
        "администраци",
        "правительств",
        "парламент",
        "сенат",
        "полици",
        "арми",
        "казначейств",
    ];
    const RU_SHORT: &[&str] = &[
        "мид",
        "мвд",
        "минобороны",
        "минфин",
        "минздрав",
        "минюст",
        "минэнерго",
        "минэкономразвития",
        "генпрокуратура",
    ];
    let mut it = name.split_whitespace();
    let Some(first) = it.next() else { return false };
    let is_head = |w: &str| HEADS.iter().any(|h| h.eq_ignore_ascii_case(w));
    if !has_cyrillic(first) {
        return match (it.next(), it.next(), it.next()) {
            // "Parliament", "Ministry of Defence", "Ministry for Emergency Situations"
            (None, _, _) => is_head(first),
            (Some("of" | "for"), _, _) => is_head(first),
            // "Foreign Ministry", "Constitutional Court", "Supreme Court"
            (Some(head), None, _) => is_head(head) && super::gazetteer::gazetteer().exact(first).is_none(),
            _ => false,
        };
    }
    // the head, then lowercase words only (Russian capitalises the first word of a name)
    let lower = first.to_lowercase();
    let head = RU_HEADS.iter().any(|h| lower.starts_with(h)) || RU_SHORT.iter().any(|h| lower.starts_with(h));
    head && it.all(|w| !w.chars().next().is_some_and(char::is_uppercase))
}

/// What a name of several words is made of, for a shorter name of the same document to stand
/// for it: a person's given name and patronymic (their base forms' keys), a place's or
/// organisation's initials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    pub given: Option<Key>,
    pub patronymic: Option<Key>,
    pub initials: Option<String>,
}

impl Parts {
    /// An acronym of two to six capitals: "ФАС", "WFC".
    pub(crate) fn acronym(s: &str) -> Option<Parts> {
        let n = s.chars().count();
        let caps = (2..=6).contains(&n) && s.chars().all(|c| c.is_alphabetic() && c.is_uppercase());
        caps.then(|| Parts { initials: Some(s.to_lowercase()), ..Parts::default() })
    }

    /// Does a name of these parts stand for the shorter name `short`?
    pub(crate) fn stands_for(&self, short: &Parts) -> bool {
        match (&short.initials, short.patronymic) {
            (Some(i), _) => self.initials.as_ref() == Some(i),
            (None, Some(p)) => self.patronymic == Some(p) && self.given.is_some() && self.given == short.given,
            (None, None) => false,
        }
    }
}

/// Words left out of an acronym: "Организация по безопасности и сотрудничеству в Европе" is ОБСЕ.
fn function_word(w: &str) -> bool {
    matches!(
        w,
        "of" | "and"
            | "the"
            | "for"
            | "in"
            | "on"
            | "at"
            | "to"
            | "de"
            | "du"
            | "la"
            | "&"
            | "по"
            | "и"
            | "в"
            | "на"
            | "при"
            | "за"
            | "для"
            | "с"
            | "о"
            | "об"
            | "от"
            | "к"
    )
}

/// The parts of a name of two words or more (see [`Parts`]).
pub(crate) fn parts(name: &str, kind: Kind) -> Option<Parts> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    if kind == Kind::Person {
        if !has_cyrillic(name) {
            // already in its base form: only the given name and patronymic are needed
            let patronymic = (words.len() >= 3).then(|| keys::key(words[1]));
            return Some(Parts { given: Some(given_key(words[0])), patronymic, initials: None });
        }
        let p = person_name(name);
        return Some(Parts { given: Some(p.given), patronymic: p.patronymic, initials: None });
    }
    let initials: String = (words.iter())
        .filter(|w| !function_word(w))
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    (initials.chars().count() >= 2).then_some(Parts { initials: Some(initials), ..Parts::default() })
}

/// The keys of the words of a person's full name between the given name and the surname, in
/// their base forms and up to their variants (Tayyip in "Recep Tayyip Erdogan").
pub(crate) fn middle_keys(name: &str) -> Vec<Key> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 3 {
        return Vec::new();
    }
    let base = person_base(&words).unwrap_or_else(|| words.iter().map(|w| w.to_string()).collect());
    base.get(1..base.len() - 1).unwrap_or_default().iter().map(|w| given_key(w)).collect()
}

/// A given name and patronymic without a surname ("Бориса Николаевича"): their parts.
pub(crate) fn given_and_patronymic(name: &str) -> Option<Parts> {
    if !has_cyrillic(name) {
        return None;
    }
    let (given, patronymic) = keys::memoised(&PATRONYMICS, KEEP, name, |name| {
        let words: Vec<&str> = name.split_whitespace().collect();
        if words.len() != 2 || !has_cyrillic(words[1]) {
            return None;
        }
        let base = morph::person(&words)?.words;
        let p = base[1].to_lowercase();
        let patronymic = ["ович", "евич", "ич", "овна", "евна", "ична"].iter().any(|e| p.ends_with(e));
        patronymic.then(|| (given_key(&base[0]), keys::key(&base[1])))
    })?;
    Some(Parts { given: Some(given), patronymic: Some(patronymic), initials: None })
}

/// Is this word a given name the gazetteer knows, in any of its case forms?
pub(crate) fn is_given_name(word: &str) -> bool {
    let g = super::gazetteer::gazetteer();
    g.is_given_with_key(word, keys::key(word))
        || morph::readings(word, morph::Role::Given).iter().any(|r| g.is_given_with_key(&r.lemma, keys::key(&r.lemma)))
}

/// The keys a word alone has as a given name, in any of its readings.
pub(crate) fn given_keys(word: &str) -> Vec<Key> {
    let mut out = vec![given_key(word)];
    for r in morph::readings(word, morph::Role::Given) {
        let k = given_key(&r.lemma);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The base form of a Cyrillic name to show: a person's name in the nominative; for a place or
/// organisation, the form of `others` (the entity's forms) that the name is a case form of,
/// when there is one (России → Россия when Россия is written somewhere), else the name.
pub(crate) fn display_base(name: &str, kind: Kind, others: &[&str]) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match (kind, words.as_slice()) {
        (Kind::Person, [one]) => surname_bases(one).into_iter().next().unwrap_or_else(|| name.to_string()),
        (Kind::Person, _) => person_base(&words).map_or_else(|| name.to_string(), |b| b.join(" ")),
        (_, [one]) => morph::noun_lemmas(one)
            .into_iter()
            .skip(1)
            .find(|l| others.contains(&l.as_str()))
            .unwrap_or_else(|| name.to_string()),
        _ => name.to_string(),
    }
}

/// The keys of a mention: `surface` is its text, `surface_key` that text's key.
///
/// The keys of short mentions are remembered per thread ([`RECENT_MENTIONS`]): the names of a
/// corpus recur from one document to the next, and a hit compares the bytes instead of
/// deriving the keys again.
pub(crate) fn mention_keys(
    surface: &str,
    surface_key: Key,
    kind: Kind,
    evidence: Evidence,
    name: Option<&str>,
) -> MentionKeys {
    let name_len = name.map_or(0, |n| n.len() + 1);
    if surface.len() + name_len > MEMO_BYTES {
        return mention_keys_uncached(surface, surface_key, kind, evidence, name);
    }
    // what the keys depend on: the kind, whether a list found the mention, the surface and name
    let class = kind_code(kind) << 1 | u8::from(evidence == Evidence::Gazetteer);
    let len = surface.len() + name_len;
    // the surface's key stands for its bytes in the slot's hash (the bytes are compared on a hit)
    let h = surface_key ^ u64::from(class) ^ name.map_or(0, |n| crate::hash::words(n.as_bytes()));
    let slot = (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % MEMO_SLOTS;
    RECENT_MENTIONS.with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else {
            return mention_keys_uncached(surface, surface_key, kind, evidence, name);
        };
        if m.is_empty() {
            m.resize(
                MEMO_SLOTS,
                RecentMention {
                    class: u8::MAX,
                    len: 0,
                    surface_key: 0,
                    bytes: [0; MEMO_BYTES],
                    keys: MentionKeys::default(),
                },
            );
        }
        let e = &mut m[slot];
        let s = surface.len();
        // a name is set apart by a byte no UTF-8 text has
        if e.class == class
            && usize::from(e.len) == len
            && e.surface_key == surface_key
            && e.bytes[..s] == *surface.as_bytes()
            && name.is_none_or(|n| e.bytes[s] == 0xff && e.bytes[s + 1..len] == *n.as_bytes())
        {
            return e.keys;
        }
        let mut bytes = [0u8; MEMO_BYTES];
        bytes[..s].copy_from_slice(surface.as_bytes());
        if let Some(n) = name {
            bytes[s] = 0xff;
            bytes[s + 1..len].copy_from_slice(n.as_bytes());
        }
        let keys = mention_keys_uncached(surface, surface_key, kind, evidence, name);
        *e = RecentMention { class, len: len as u8, surface_key, bytes, keys };
        keys
    })
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Person => 0,
        Kind::Organization => 1,
        Kind::Place => 2,
        Kind::Other => 3,
    }
}

/// Mentions whose surface and name together have up to this many bytes have their keys
/// remembered in [`RECENT_MENTIONS`].
const MEMO_BYTES: usize = 48;
/// Entries of [`RECENT_MENTIONS`] (about 100 kB per thread).
const MEMO_SLOTS: usize = 1024;

/// A mention [`mention_keys`] has seen lately, with its keys.
#[derive(Clone, Copy)]
struct RecentMention {
    /// The kind and whether a list found it (`u8::MAX`: an empty slot).
    class: u8,
    len: u8,
    surface_key: Key,
    /// The surface, then 0xff and the name if there is one.
    bytes: [u8; MEMO_BYTES],
    keys: MentionKeys,
}

thread_local! {
    /// The keys of short mentions seen lately, per thread, by the hash of what they depend on
    /// (one entry a slot, the newest kept).
    static RECENT_MENTIONS: std::cell::RefCell<Vec<RecentMention>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`mention_keys`] without [`RECENT_MENTIONS`].
fn mention_keys_uncached(
    surface: &str,
    surface_key: Key,
    kind: Kind,
    evidence: Evidence,
    name: Option<&str>,
) -> MentionKeys {
    if kind == Kind::Person {
        return person_keys(surface, surface_key, name);
    }
    // a known entity by its canonical name, whatever found it and in whichever case form it is
    let label = match (evidence, name) {
        (Evidence::Gazetteer, Some(n)) => keys::key(n),
        (_, Some(n)) => knowledge::known_name(n, keys::key(n)).map_or_else(|| root_key(n), keys::key),
        (Evidence::Gazetteer, None) => knowledge::known_name(surface, surface_key).map_or(surface_key, keys::key),
        (_, None) => knowledge::known_name(surface, surface_key).map_or_else(|| root_key(surface), keys::key),
    };
    MentionKeys { surface: surface_key, label, person: None, surname: surface_key }
}

fn person_keys(surface: &str, surface_key: Key, name: Option<&str>) -> MentionKeys {
    let words: Vec<&str> = surface.split_whitespace().collect();
    match words.as_slice() {
        [] => MentionKeys { surface: surface_key, label: surface_key, person: None, surname: surface_key },
        [one] => {
            // a Latin surname is its own base form: its key is the surface's
            let surname = if has_cyrillic(one) { surname_keys(one)[0].unwrap_or(surface_key) } else { surface_key };
            let label = name.map_or(surname, keys::key);
            MentionKeys { surface: surface_key, label, person: None, surname }
        }
        [..] => {
            let p = person_name(surface);
            let label = name.map_or(p.whole.unwrap_or(surface_key), keys::key);
            MentionKeys {
                surface: surface_key,
                label,
                person: Some(keys::pair_key(p.given, p.surname)),
                surname: p.surname,
            }
        }
    }
}

/// The keys of a person's full name (two words or more) in its base form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PersonName {
    /// The given name's key, the same for all its variants.
    pub given: Key,
    /// The second word's, in a name of three words or more.
    pub patronymic: Option<Key>,
    pub surname: Key,
    /// The whole name's, when its base form is not the name as written.
    pub whole: Option<Key>,
}

/// The keys of a person's full name in its base form (a Cyrillic name's are remembered per
/// thread: linking asks again for the names recognition read).
pub(crate) fn person_name(surface: &str) -> PersonName {
    if has_cyrillic(surface) {
        keys::memoised(&PERSON_NAMES, KEEP, surface, person_name_uncached)
    } else {
        person_name_uncached(surface)
    }
}

fn person_name_uncached(surface: &str) -> PersonName {
    let words: Vec<&str> = surface.split_whitespace().collect();
    let base = person_base(&words);
    let whole = base.as_ref().map(|b| keys::key(&b.join(" ")));
    let base: Vec<&str> = base.as_ref().map_or_else(|| words.clone(), |b| b.iter().map(String::as_str).collect());
    let (Some(first), Some(last)) = (base.first(), base.last()) else {
        let k = keys::key(surface);
        return PersonName { given: k, patronymic: None, surname: k, whole: None };
    };
    let patronymic = (base.len() >= 3).then(|| keys::key(base[1]));
    PersonName { given: given_key(first), patronymic, surname: keys::key(last), whole }
}

/// The one base form a Cyrillic surname written alone has as the subject of the past-tense verb
/// next to it, when it can be read as a man's and as a woman's: "Назарбаева заявила" is the
/// woman Назарбаева (not Назарбаев in the genitive). `before` and `after` are the text before
/// and after the word. `None` when the verb is not there or agrees with no reading, or the word
/// is not where a subject stands (after a noun it is its genitive: "встреча Назарбаева прошла").
pub(crate) fn surname_by_agreement(word: &str, before: &str, after: &str) -> Option<Key> {
    let (prev, prev_gap) = last_word(before);
    let (next, next_gap) = first_word(after);
    let clause_start = |gap: &str, w: &str| {
        w.is_empty() || gap.trim().chars().any(|c| ".,;:—–-(«\"".contains(c)) || matches!(w, "и" | "а" | "но" | "что")
    };
    let clause_end = |gap: &str| gap.trim().chars().next().is_some_and(|c| ".,;:—–-)»\"!?".contains(c));
    let gender = if clause_start(prev_gap, prev) && next_gap.trim().is_empty() {
        past_tense_gender(next)
    } else if clause_end(next_gap) && prev_gap.trim().is_empty() {
        past_tense_gender(prev)
    } else {
        None
    }?;
    let readings = morph::readings(word, morph::Role::Surname);
    if !readings.iter().any(|r| r.gender != gender) {
        return None;
    }
    let mut subject = readings.iter().filter(|r| r.gender == gender && r.cases & morph::NOM != 0);
    let first = subject.next()?;
    subject.all(|r| r.lemma == first.lemma).then(|| keys::key(&first.lemma))
}

/// The gender a Russian verb in the past tense agrees with: заявила, отказалась; заявил,
/// отказался.
fn past_tense_gender(w: &str) -> Option<morph::Gender> {
    if w.chars().count() < 4 || !w.chars().all(|c| crate::translit::is_cyrillic(c) && c.is_lowercase()) {
        return None;
    }
    let vowel_before = |stem: &str| stem.chars().next_back().is_some_and(|c| "аеиыоуяю".contains(c));
    if let Some(stem) = w.strip_suffix("ла").or_else(|| w.strip_suffix("лась")) {
        return vowel_before(stem).then_some(morph::Gender::Fem);
    }
    let stem = w.strip_suffix("л").or_else(|| w.strip_suffix("лся"))?;
    vowel_before(stem).then_some(morph::Gender::Masc)
}

/// The last word of `text` and what follows it.
fn last_word(text: &str) -> (&str, &str) {
    let end = text.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    let start =
        text[..end].char_indices().rev().take_while(|&(_, c)| c.is_alphanumeric()).last().map_or(end, |(i, _)| i);
    (&text[start..end], &text[end..])
}

/// The first word of `text` and what comes before it.
fn first_word(text: &str) -> (&str, &str) {
    let start = text.len() - text.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let end = text[start..].char_indices().find(|&(_, c)| !c.is_alphanumeric()).map_or(text.len(), |(i, _)| start + i);
    (&text[start..end], &text[..start])
}

/// The keys a capitalised word outside every mention is looked up by, as a surname seen in a
/// full name elsewhere: its base forms (at most two), given to `each`.
pub(crate) fn loose_keys(word: &str, word_key: Key, mut each: impl FnMut(Key)) {
    if !has_cyrillic(word) {
        return each(word_key);
    }
    for k in surname_keys(word).into_iter().flatten() {
        each(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(surface: &str, kind: Kind) -> MentionKeys {
        mention_keys(surface, keys::key(surface), kind, Evidence::Shape, None)
    }

    #[test]
    fn remembered_mention_keys_are_the_keys() {
        // more mentions than the memo has slots, so that they share slots and replace each
        // other, short and long, of every kind, with and without a name, found by a list or not,
        // and the same surface under another surface key; twice
        let stems = ["Nazarbayev", "Нурсултана Назарбаева", "Halyk Bank", "ООН", "Kairat Almaty", "Министерства"];
        let mut cases = Vec::new();
        for i in 0..3 * MEMO_SLOTS {
            let surface = format!("{}{}", stems[i % stems.len()], "a".repeat(i % (MEMO_BYTES + 3)));
            let name = (i % 3 == 0).then(|| format!("Name {}", i % 7));
            let surface_key = if i % 5 == 0 { keys::key(&surface) ^ 1 } else { keys::key(&surface) };
            let evidence = if i % 2 == 0 { Evidence::Gazetteer } else { Evidence::Model };
            cases.push((surface, surface_key, Kind::ALL[i % 4], evidence, name));
        }
        for _ in 0..2 {
            for (surface, surface_key, kind, evidence, name) in &cases {
                assert_eq!(
                    mention_keys(surface, *surface_key, *kind, *evidence, name.as_deref()),
                    mention_keys_uncached(surface, *surface_key, *kind, *evidence, name.as_deref()),
                    "{surface:?} {name:?}"
                );
            }
        }
    }

    #[test]
    fn a_full_name_in_any_case_and_script_has_one_key() {
        let k = keys_of("Nursultan Nazarbayev", Kind::Person).person;
        assert!(k.is_some());
        for form in ["Нурсултан Назарбаев", "Нурсултана Назарбаева", "Нурсултаном Назарбаевым", "NURSULTAN NAZARBAYEV"]
        {
            assert_eq!(keys_of(form, Kind::Person).person, k, "{form}");
        }
        assert_ne!(keys_of("Дарига Назарбаева", Kind::Person).person, k);
        // given names up to their variants
        let a = keys_of("Oleksandr Lukashenko", Kind::Person).person;
        assert_eq!(keys_of("Александра Лукашенко", Kind::Person).person, a);
        assert_eq!(keys_of("Alexander Lukashenko", Kind::Person).person, a);
        assert_eq!(keys_of("Mykola Azarov", Kind::Person).person, keys_of("Николай Азаров", Kind::Person).person);
        assert_ne!(keys_of("Ivan Petrov", Kind::Person).person, keys_of("Igor Petrov", Kind::Person).person);
    }

    #[test]
    fn a_surname_alone_keeps_its_readings() {
        let (m, f) = (keys::key("Nazarbayev"), keys::key("Nazarbayeva"));
        assert_eq!(surname_keys("Назарбаева"), [Some(m), Some(f), None]);
        assert_eq!(surname_keys("Назарбаевым"), [Some(m), None, None]);
        assert_eq!(surname_keys("Назарбаевой"), [Some(f), None, None]);
        assert_eq!(keys_of("Назарбаеву", Kind::Person).surname, m);
        assert_eq!(surname_keys("Tokayev"), [Some(keys::key("Tokayev")), None, None]);
        assert!(surname_keys("Нетаньяху").contains(&Some(keys::key("Нетаньяху"))));
    }

    #[test]
    fn a_surname_next_to_a_verb_agrees_with_it() {
        let f = Some(keys::key("Nazarbayeva"));
        let at = |before: &str, word: &str, after: &str| surname_by_agreement(word, before, after);
        assert_eq!(at("Вчера. ", "Назарбаева", " заявила, что"), f);
        assert_eq!(at("Об этом, — ", "Назарбаева", " сообщила"), f);
        assert_eq!(at("«Нет», — сказала ", "Назарбаева", "."), f);
        // a genitive after a noun, a masculine verb, a dative: no decision
        assert_eq!(at("Встреча ", "Назарбаева", " прошла"), None);
        assert_eq!(at("Вчера ", "Назарбаева", " заявил"), None);
        assert_eq!(at("Потом ", "Назарбаеву", " сказала"), None);
        assert_eq!(at("Вчера. ", "Назарбаев", " заявил"), None, "one gender only");
    }

    #[test]
    fn places_and_organisations_link_by_their_roots() {
        let org = |s: &str| keys_of(s, Kind::Organization).label;
        assert_eq!(org("Kazakhtelecom"), org("Казахтелекома"));
        assert_eq!(org("Министерство иностранных дел"), org("Министерства иностранных дел"));
        assert_eq!(org("Halyk Bank"), org("Халык банка"));
        assert_ne!(org("Halyk Bank"), org("Halyk"));
        // the gazetteer's canonical name as it is
        let gaz = mention_keys("России", keys::key("России"), Kind::Place, Evidence::Gazetteer, Some("Russia"));
        assert_eq!(gaz.label, keys::key("Russia"));
    }
}
