//! The bundled general knowledge: places, international organisations and named things, the
//! capitalised words that are never entities alone (titles, demonyms, months…), given names and
//! the word lists that act as cues ("party", "region", "political scientist").
//!
//! Everything is parsed once from `data/*.txt` into hash maps keyed by the form as written
//! (exact lookups on text slices, no allocation) and by the folded key (Cyrillic and all-caps
//! forms, given names). The prefixes of the written forms that end where a word does are kept too,
//! so that the search for the longest form at a word stops after one lookup for the words that
//! start no form.

use std::sync::OnceLock;

use super::keys::{self, Key, KeyMap, KeySet};
use super::Kind;

type StrMap<V> = crate::hash::FastMap<&'static str, V>;

const GAZETTEER: &str = include_str!("../../data/gazetteer.txt");
const GIVEN_NAMES: &str = include_str!("../../data/given_names.txt");

/// What a gazetteer form stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A known entity: kind and canonical name.
    Known(Kind, &'static str),
    /// Never an entity by itself.
    Stop(StopClass),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopClass {
    /// "President", "Minister": announces a person's name.
    Title,
    /// "Kazakh", "Soviet": may modify an organisation name ("Russian Armed Forces").
    Demonym,
    Other,
}

pub struct Gazetteer {
    /// Every form as written with its entry, and every prefix of a form that ends before a char
    /// other than a letter or digit and is not a form itself, with `None`: one lookup tells both.
    /// With each, whether it is such a prefix of a longer form.
    forms: StrMap<(Option<(Entry, Key)>, bool)>,
    /// A bit for every key of `forms` at [`sketch`]: most words start no form, and most of
    /// them are turned away here without hashing.
    sketch: Box<[u64; SKETCH_BITS / 64]>,
    folded: KeyMap<Entry>,
    given: KeySet,
    /// [`HEADS`], with their own sketch: most capitalised words are not head words.
    heads: StrMap<Kind>,
    head_sketch: Box<[u64; SKETCH_BITS / 64]>,
    /// Longest gazetteer form, in words.
    pub max_words: usize,
}

const TITLES: &[&str] = &[
    "President",
    "Presidents",
    "Prime",
    "Minister",
    "Ministers",
    "Secretary",
    "General",
    "Deputy",
    "Chairman",
    "Chairwoman",
    "Director",
    "Head",
    "Speaker",
    "Ambassador",
    "Governor",
    "Mayor",
    "Akim",
    "King",
    "Queen",
    "Prince",
    "Pope",
    "Sheikh",
    "Emir",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Sir",
    "Lord",
    "Colonel",
    "Major",
    "Captain",
    "Lieutenant",
    "Sergeant",
    "Marshal",
    "Admiral",
    "Senator",
    "Chancellor",
    "Commissioner",
    "Rector",
    "Professor",
    "Academician",
    "Patriarch",
    "Metropolitan",
    "Vice",
    "Chief",
    "Commander",
    "Leader",
    "Premier",
    "Tsar",
];

pub fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(Gazetteer::load)
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let mut exact = StrMap::default();
        let mut folded = KeyMap::default();
        let mut max_words = 1;
        for line in GAZETTEER.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((kind, rest)) = line.split_once(':') else { continue };
            if kind == "stop" {
                for w in rest.split_whitespace() {
                    let class = if TITLES.contains(&w) {
                        StopClass::Title
                    } else if is_demonym_like(w) {
                        StopClass::Demonym
                    } else {
                        StopClass::Other
                    };
                    exact.entry(w).or_insert(Entry::Stop(class));
                    folded.entry(keys::key(w)).or_insert(Entry::Stop(class));
                }
                continue;
            }
            let kind = match kind.trim() {
                "place" => Kind::Place,
                "organization" => Kind::Organization,
                "person" => Kind::Person,
                _ => Kind::Other,
            };
            let mut forms = rest.split('|').map(str::trim).filter(|f| !f.is_empty());
            let Some(canonical) = forms.next() else { continue };
            let entry = Entry::Known(kind, canonical);
            for f in std::iter::once(canonical).chain(forms) {
                max_words = max_words.max(f.split_whitespace().count());
                exact.insert(f, entry);
                folded.entry(keys::key(f)).or_insert(entry);
            }
        }
        let given = GIVEN_NAMES
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(keys::key)
            .collect();
        let mut forms: StrMap<(Option<(Entry, Key)>, bool)> =
            exact.iter().map(|(&f, &e)| (f, (Some((e, keys::key(f))), false))).collect();
        // a text slice looked up always ends at the end of a word, before a char that is not a
        // letter or a digit: only the prefixes that end so can lead to a longer form
        for f in exact.keys() {
            for (i, c) in f.char_indices().skip(1) {
                if !c.is_alphanumeric() {
                    forms.entry(&f[..i]).or_insert((None, true)).1 = true;
                }
            }
        }
        let sketch = sketch_of(forms.keys().copied());
        let heads: StrMap<Kind> =
            HEADS.iter().flat_map(|&(k, ws)| ws.split_whitespace().map(move |w| (w, k))).collect();
        let head_sketch = sketch_of(heads.keys().copied());
        Gazetteer { forms, sketch, folded, given, heads, head_sketch, max_words }
    }

    /// The entry for a form exactly as written.
    pub fn exact(&self, s: &str) -> Option<Entry> {
        self.lookup(s).and_then(|(form, _)| form).map(|(e, _)| e)
    }

    /// `None` when no form as written starts with `s` followed by a char other than a letter or a
    /// digit (or equals it); else the entry of the form `s` and its key ([`keys::key`] of `s`),
    /// if it is one, and whether a longer form starts so.
    #[inline]
    pub fn lookup(&self, s: &str) -> Option<(Option<(Entry, Key)>, bool)> {
        let b = sketch_bit(s.as_bytes());
        if self.sketch[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.forms.get(s).copied()
    }

    /// See [`head`].
    #[inline]
    pub fn head(&self, word: &str) -> Option<Kind> {
        let b = sketch_bit(word.as_bytes());
        if self.head_sketch[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.heads.get(word).copied()
    }

    /// The entry for a folded key (Cyrillic, all caps, spelling variants), see [`keys`].
    pub fn folded(&self, key: Key) -> Option<Entry> {
        self.folded.get(&key).copied()
    }

    /// Is this word (or every part of a hyphenated word) a known given name?
    /// `key` is the word's folded key ([`keys::key`]).
    pub fn is_given_with_key(&self, word: &str, key: Key) -> bool {
        // fewer than two chars
        if word.chars().nth(1).is_none() {
            return false;
        }
        if self.given.contains(&key) {
            return true;
        }
        word.contains('-') && word.split('-').all(|p| !p.is_empty() && self.given.contains(&keys::key(p)))
    }
}

const SKETCH_BITS: usize = 1 << 16;

/// The sketch of a set of strings: the bits of their [`sketch_bit`]s.
fn sketch_of<'a>(strings: impl Iterator<Item = &'a str>) -> Box<[u64; SKETCH_BITS / 64]> {
    let mut sketch = Box::new([0u64; SKETCH_BITS / 64]);
    for f in strings {
        let b = sketch_bit(f.as_bytes());
        sketch[b / 64] |= 1 << (b % 64);
    }
    sketch
}

/// A bit of the sketch from the length and the first, middle and last byte.
#[inline]
fn sketch_bit(s: &[u8]) -> usize {
    let (Some(&a), Some(&z)) = (s.first(), s.last()) else { return 0 };
    let m = s[s.len() / 2];
    let x = u32::from(a) | u32::from(m) << 8 | u32::from(z) << 16 | (s.len() as u32) << 24;
    (x.wrapping_mul(0x9e37_79b1) >> 16) as usize % SKETCH_BITS
}

fn is_demonym_like(w: &str) -> bool {
    const ENDS: &[&str] = &["an", "ans", "ese", "ish", "ic", "ist", "ch", "zh", "hs", "kh", "ik", "ek", "en", "ek"];
    let first_upper = w.chars().next().is_some_and(char::is_uppercase);
    first_upper && ENDS.iter().any(|e| w.ends_with(e)) && !TITLES.contains(&w)
        || matches!(
            w,
            "Soviet" | "Kyrgyz" | "Uzbek" | "Tajik" | "Turkmen" | "Kazakh" | "Central" | "Western" | "Eastern"
        )
}

/// Lowercase words after a name that tell its kind: `(word, kind, part of the name)`.
/// "part of the name" 0: cue only ("Nur Otan party"); 1: inside the mention ("Minsk agreements");
/// 2: outside the mention but part of the entity's name ("Kül-Tegin stele").
pub fn after_cue(word: &str) -> Option<(Kind, u8)> {
    Some(match word {
        "party" | "movement" | "newspaper" | "agency" | "company" | "corporation" | "bank" | "holding"
        | "foundation" | "fund" | "channel" | "portal" | "website" | "magazine" | "publication" | "organization"
        | "organisation" | "bloc" | "faction" | "association" | "plant" | "factory" | "university" | "institute"
        | "club" | "team" | "outlet" | "tv" | "radio" | "group" | "union" | "concern" | "airline" | "ministry"
        | "council" | "committee" => (Kind::Organization, 0),
        "region" | "oblast" | "district" | "microdistrict" | "province" | "city" | "town" | "village" | "river"
        | "lake" | "mountains" | "square" | "street" | "avenue" | "settlement" | "valley" | "steppe" | "sea"
        | "peninsula" | "krai" | "raion" | "aul" | "field" | "deposit" | "airport" | "neighbourhood"
        | "neighborhood" => (Kind::Place, 0),
        "system" | "systems" | "missile" | "missiles" | "complex" | "rocket" | "rockets" | "drone" | "drones"
        | "tank" | "tanks" | "operation" | "programme" | "program" | "project" | "festival" | "prize" | "award" => {
            (Kind::Other, 0)
        }
        "agreements" | "agreement" | "accords" | "accord" | "treaty" | "format" | "declaration" | "process"
        | "doctrine" | "protocols" | "protocol" => (Kind::Other, 1),
        "stele" | "monument" | "mausoleum" | "memorial" | "statue" | "cathedral" | "mosque" | "church" => {
            (Kind::Other, 2)
        }
        _ => return None,
    })
}

/// Lowercase words before a name that tell its kind ("the newspaper Respublika").
pub fn before_cue(word: &str) -> Option<Kind> {
    Some(match word {
        "newspaper" | "publication" | "magazine" | "outlet" | "channel" | "agency" | "portal" | "website" | "party"
        | "movement" | "company" | "bank" | "corporation" | "holding" | "broadcaster" | "tabloid" | "weekly"
        | "daily" | "media" | "foundation" => Kind::Organization,
        "village" | "town" | "city" | "region" | "settlement" | "district" | "microdistrict" | "oblast" => Kind::Place,
        "operation" => Kind::Other,
        _ => return None,
    })
}

/// Capitalised words that end an organisation's (or a place's, or a named thing's) name.
const HEADS: &[(Kind, &str)] = &[
    (
        Kind::Organization,
        "Ministry University Foundation Council Party Group Agency Committee Legion Forces Center Centre \
         Institute Bank Service Union Association Assembly Academy Court Department Corporation Company Fund \
         Organization Organisation Front Movement Army Navy Commission Office Bureau Network Club Society \
         Church School College Administration Guard Command Fleet Brigade Battalion Regiment Division Corps \
         Directorate Inspectorate Prosecutor's Chamber Duma Parliament Government Cabinet Secretariat \
         Authority Exchange Holding Airlines Airways Railways Television Radio Times Post News Herald Gazette \
         Pravda Trust Partnership Alliance Coalition Federation Hospital Museum Library Theatre Theater Hub \
         Initiative Program Programme",
    ),
    (
        Kind::Place,
        "Region Oblast District Province Street Avenue Square River Lake Mountains Sea Island Islands Valley \
         Krai Territory Steppe Peninsula Bay Gulf Ocean Desert Airport",
    ),
    (
        Kind::Other,
        "Khanate Agreement Agreements Accords Treaty Declaration Doctrine War Revolution Uprising Prize Award \
         Stele Monument Mausoleum Memorial Cup Games Olympics Summit Forum Congress Act Code Law",
    ),
];

/// The kind a head word ([`HEADS`]) gives the name it ends.
#[inline]
pub fn head(word: &str) -> Option<Kind> {
    gazetteer().head(word)
}

/// Role nouns: "political scientist X", "X, director of …".
pub fn is_role_noun(word: &str) -> bool {
    matches!(
        word,
        "scientist"
            | "analyst"
            | "expert"
            | "journalist"
            | "politician"
            | "minister"
            | "director"
            | "deputy"
            | "president"
            | "leader"
            | "author"
            | "professor"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "ambassador"
            | "governor"
            | "akim"
            | "mayor"
            | "chairman"
            | "chairwoman"
            | "head"
            | "rector"
            | "writer"
            | "poet"
            | "activist"
            | "lawyer"
            | "blogger"
            | "businessman"
            | "businesswoman"
            | "oligarch"
            | "economist"
            | "historian"
            | "sociologist"
            | "researcher"
            | "diplomat"
            | "officer"
            | "colonel"
            | "general"
            | "commander"
            | "senator"
            | "speaker"
            | "ex-speaker"
            | "secretary"
            | "editor"
            | "correspondent"
            | "columnist"
            | "founder"
            | "co-founder"
            | "chief"
            | "lecturer"
            | "academic"
            | "philosopher"
            | "orientalist"
            | "political"
            | "prosecutor"
            | "judge"
            | "investigator"
            | "member"
            | "adviser"
            | "advisor"
            | "aide"
            | "envoy"
            | "premier"
            | "ex-minister"
            | "ex-president"
            | "singer"
            | "artist"
            | "actor"
            | "actress"
            | "athlete"
            | "boxer"
            | "footballer"
            | "coach"
            | "entrepreneur"
            | "banker"
            | "manager"
            | "official"
            | "representative"
            | "candidate"
            | "deputies"
            | "vice-president"
            | "vice-minister"
            | "akim's"
            | "producer"
            | "researcher's"
            | "pensioner"
            | "resident"
            | "teacher"
            | "doctor"
            | "engineer"
            | "student"
            | "lieutenant"
            | "major"
            | "captain"
    )
}

/// Verbs of saying right after a name: "Alzhanov believes", "X said".
pub fn is_speech_verb(word: &str) -> bool {
    matches!(
        word,
        "said"
            | "says"
            | "stated"
            | "states"
            | "noted"
            | "notes"
            | "told"
            | "tells"
            | "believes"
            | "believed"
            | "added"
            | "adds"
            | "wrote"
            | "writes"
            | "explained"
            | "explains"
            | "argued"
            | "argues"
            | "stressed"
            | "emphasized"
            | "emphasised"
            | "recalled"
            | "recalls"
            | "claimed"
            | "claims"
            | "announced"
            | "thinks"
            | "thought"
            | "commented"
            | "comments"
            | "asked"
            | "asks"
            | "replied"
            | "admitted"
            | "declared"
            | "insisted"
            | "warned"
            | "suggested"
            | "continued"
            | "concluded"
            | "agrees"
            | "agreed"
            | "reported"
            | "reports"
            | "signed"
            | "proposed"
            | "initiated"
    )
}

/// Honorific second parts of hyphenated names ("Keiki-batyr").
pub fn is_honorific_suffix(part: &str) -> bool {
    matches!(
        part,
        "batyr" | "bi" | "khan" | "ata" | "apa" | "ana" | "biy" | "akyn" | "zhyrau" | "sultan" | "bey" | "bek"
    )
}

const PLACES: &str = include_str!("../../data/places.txt");

/// Classes of places in [`Places`] (bits).
pub mod place_class {
    pub const COUNTRY: u8 = 1;
    /// A city of a million people or more.
    pub const CITY_LARGE: u8 = 2;
    /// A city of 100,000 people or more.
    pub const CITY_MEDIUM: u8 = 4;
    pub const CITY_SMALL: u8 = 8;
}

/// The open gazetteer of places (`data/places.txt`: GeoNames cities and countries, CLDR country
/// names, in Latin and Cyrillic script). Unlike [`Gazetteer`], it only informs the tagger's
/// features: a town may be called "Best" or "Most", and a person "Jordan".
pub struct Places {
    /// Every name as written with its classes, and every prefix of a longer name that ends
    /// before a char other than a letter or digit with 0; with each, whether a longer name starts so.
    forms: StrMap<(u8, bool)>,
    /// A bit for every key of `forms` ([`place_bit`]): most words start no place name.
    sketch: Vec<u64>,
    /// Lowercase stems of the one-word Cyrillic names (the name without a final vowel, soft sign
    /// or й), with their classes: "Москв" of Москва matches Москве, Москвой.
    stems: crate::hash::FastMap<Box<str>, u8>,
    /// Longest name, in words.
    pub max_words: usize,
}

pub fn places() -> &'static Places {
    static P: OnceLock<Places> = OnceLock::new();
    P.get_or_init(Places::load)
}

/// Bits of the places' sketch: about a tenth of them are set.
const PLACE_SKETCH_BITS: usize = 1 << 21;

/// A bit of the places' sketch from the length and the first, middle and last two bytes.
#[inline]
fn place_bit(s: &[u8]) -> usize {
    let (Some(&a), Some(&z)) = (s.first(), s.last()) else { return 0 };
    let m = s[s.len() / 2];
    let y = s[s.len().saturating_sub(2)];
    let x = u64::from(a) | u64::from(m) << 8 | u64::from(z) << 16 | u64::from(y) << 24 | (s.len() as u64) << 32;
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize % PLACE_SKETCH_BITS
}

/// The end of a Russian word that case endings replace.
fn stem_end(c: char) -> bool {
    matches!(c, 'а' | 'я' | 'о' | 'е' | 'ё' | 'и' | 'ы' | 'у' | 'ю' | 'ь' | 'й')
}

/// Case endings tried on a Cyrillic word, longest first.
const CASE_ENDINGS: &[&str] = &[
    "ами", "ями", "ого", "его", "ому", "ему", "ой", "ей", "ом", "ем", "ью", "ам", "ям", "ах", "ях", "ым", "им", "ую",
    "а", "я", "у", "ю", "е", "и", "ы", "",
];

impl Places {
    fn load() -> Places {
        let mut forms: StrMap<(u8, bool)> = StrMap::default();
        let mut stems: crate::hash::FastMap<Box<str>, u8> = Default::default();
        let mut max_words = 1;
        for line in PLACES.lines() {
            let Some((class, names)) = line.split_once('\t') else { continue };
            let class = match class {
                "c" => place_class::COUNTRY,
                "1" => place_class::CITY_LARGE,
                "2" => place_class::CITY_MEDIUM,
                "3" => place_class::CITY_SMALL,
                _ => continue,
            };
            for name in names.split('|').filter(|n| !n.is_empty()) {
                forms.entry(name).or_default().0 |= class;
                if name.contains(' ') {
                    max_words = max_words.max(name.split(' ').count());
                    // the slices looked up end where a word does: before a space, or before
                    // the dot of "St. Petersburg"
                    let b = name.as_bytes();
                    for i in 1..b.len() {
                        if matches!(b[i], b' ' | b'.' | b'\'' | b'-') && b[i - 1] != b' ' {
                            forms.entry(&name[..i]).or_default().1 = true;
                        }
                    }
                } else if name.as_bytes()[0] == 0xd0 || name.as_bytes()[0] == 0xd1 {
                    // Russian letters are two bytes starting 0xd0 or 0xd1
                    let low: String = name.chars().map(crate::translit::lower_of).collect();
                    let stem = low.strip_suffix(stem_end).unwrap_or(&low);
                    if stem.chars().count() >= 3 {
                        *stems.entry(stem.into()).or_default() |= class;
                    }
                }
            }
        }
        let mut sketch = vec![0u64; PLACE_SKETCH_BITS / 64];
        for f in forms.keys() {
            let b = place_bit(f.as_bytes());
            sketch[b / 64] |= 1 << (b % 64);
        }
        Places { forms, sketch, stems, max_words }
    }

    /// `None` when no name starts with `s` followed by a char other than a letter or digit (or
    /// equals it); else the classes
    /// of the name `s` (0 if it is only the start of longer names) and whether longer names
    /// start so.
    pub fn lookup(&self, s: &str) -> Option<(u8, bool)> {
        let b = place_bit(s.as_bytes());
        if self.sketch[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.forms.get(s).copied()
    }

    /// The classes of the one-word name `w` as written (0 when it is none).
    pub fn word(&self, w: &str) -> u8 {
        self.lookup(w).map_or(0, |f| f.0)
    }

    /// The classes of the places whose Russian name `w` (lowercase) may be a case form of.
    pub fn inflected(&self, low: &str) -> u8 {
        let mut out = 0;
        for e in CASE_ENDINGS {
            if let Some(stem) = low.strip_suffix(e) {
                if stem.chars().count() >= 3 {
                    if let Some(&c) = self.stems.get(stem) {
                        out |= c;
                    }
                }
            }
        }
        out
    }
}
