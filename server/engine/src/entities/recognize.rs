//! Recognition in one document: a tokenizer that keeps byte offsets, then evidence rules over
//! runs of capitalised words.
//!
//! Evidence, strongest first: the gazetteer (known places and organisations; titles, demonyms,
//! months and function words that are never entities), name-final head words ("… Council",
//! "… Region"), lowercase cue words around a name ("the Nur Otan party", "the newspaper
//! Respublika", the "Oreshnik" system), person name shape (a given name, a Slavic or Turkic
//! surname ending), title and role cues ("President X", "political scientist X"), acronym
//! definitions ("Long Name (ACR)"), and finally the document itself: a name recognised once
//! lends its kind to its other occurrences (a surname alone, all-caps headlines, an acronym).
//!
//! Architecture invariant: every range is a slice of the input taken at `char_indices`
//! boundaries, and nothing here panics on any input.

use std::cell::Cell;

use super::gazetteer::{self, after_cue, before_cue, gazetteer, head, Entry, StopClass};
use super::{keys, tagger, DocEntities, Kind, Mention, MentionDetail, MentionKeys};

mod roles;
use crate::translit::{has_cyrillic, is_alpha, is_lower, is_upper, transliterate};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub s: usize,
    pub e: usize,
    /// End including a possessive ending ("'s", "’s"); equal to `e` when there is none.
    pub poss: usize,
    /// First letter uppercase.
    pub cap: bool,
    /// Two or more letters, all uppercase.
    pub caps: bool,
    /// The whole line is in capitals (a shouted headline): caps words are words, not acronyms.
    pub shout: bool,
    pub cyr: bool,
    /// First word of a sentence, a line or a heading.
    pub sent: bool,
    /// First word of a line.
    pub line: bool,
}

/// The char at byte `i` (a char boundary) and its length; ASCII without decoding.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// Classes of ASCII bytes for the tokenizer (bytes from 0x80 have none: they are decoded).
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
/// '\n' and '\r': a line ends.
const LINE: u8 = 16;
/// '.', '!', '?', ':', ';', '|': a sentence ends.
const STOP: u8 = 32;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            ALNUM | ALPHA | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM | ALPHA | LOWER
        } else if c.is_ascii_digit() {
            ALNUM
        } else if c == b'\n' || c == b'\r' {
            LINE
        } else if matches!(c, b'.' | b'!' | b'?' | b':' | b';' | b'|') {
            STOP
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The block of dashes, quotation marks, ellipsis and bullets, frequent in news text: none of
/// its chars is a letter or a digit, which this tells without the Unicode tables.
#[inline]
fn general_punctuation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206F}')
}

/// The end of the run of ASCII letters and digits that continues at `from`, and the classes of
/// its bytes or-ed with `first` (the class of the byte before `from`).
#[inline(always)]
fn ascii_run(bytes: &[u8], from: usize, first: u8) -> (usize, u8) {
    let (mut k, mut run) = (from, first);
    while let Some(&b) = bytes.get(k) {
        let cl = CLASS[b as usize];
        if cl & ALNUM == 0 {
            break;
        }
        run |= cl;
        k += 1;
    }
    (k, run)
}

/// The words of `text`, in `toks` (cleared first).
pub(crate) fn tokenize_into(text: &str, toks: &mut Vec<Tok>) {
    let bytes = text.as_bytes();
    toks.clear();
    toks.reserve(text.len() / 6);
    let mut i = 0;
    let mut sent = true;
    let mut line_first = 0usize;
    let mut line_lower = false;
    let finish_line = |toks: &mut Vec<Tok>, first: usize, lower: bool| {
        if !lower {
            for t in &mut toks[first..] {
                t.shout = t.caps;
            }
        }
    };
    while let Some(&b0) = bytes.get(i) {
        // outside words: ASCII bytes by table, others decoded; a word starts with a letter or a
        // digit, and is capitalised when that is an uppercase letter
        let cap = if b0 < 0x80 {
            let cl = CLASS[b0 as usize];
            if cl & ALNUM == 0 {
                i += 1;
                if cl & LINE != 0 {
                    finish_line(toks, line_first, line_lower);
                    line_first = toks.len();
                    line_lower = false;
                    sent = true;
                } else if cl & STOP != 0 {
                    sent = true;
                }
                continue;
            }
            // the common word: ASCII letters and digits up to an ASCII char that cannot join
            // (not '-', '\'' or '.') or the end of the text
            let (k, run) = ascii_run(bytes, i + 1, cl);
            if bytes.get(k).is_none_or(|&b| b < 0x80 && !matches!(b, b'-' | b'\'' | b'.')) {
                let caps = if run & LOWER != 0 {
                    line_lower = true;
                    false
                } else {
                    run & UPPER != 0 && bytes[i..k].iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2
                };
                toks.push(Tok {
                    s: i,
                    e: k,
                    poss: k,
                    cap: cl & UPPER != 0,
                    caps,
                    shout: false,
                    cyr: false,
                    sent,
                    line: toks.len() == line_first,
                });
                sent = false;
                i = k;
                continue;
            }
            cl & UPPER != 0
        } else {
            let Some((c, cl)) = char_at(text, i) else { break };
            if general_punctuation(c) || !(is_alpha(c) || c.is_numeric()) {
                i += cl;
                if matches!(c, '…' | '•') {
                    sent = true;
                }
                continue;
            }
            is_upper(c)
        };
        let w = scan_word(text, i, &mut line_lower);
        let line = toks.len() == line_first;
        toks.push(Tok {
            s: i,
            e: w.end,
            poss: w.poss.unwrap_or(w.end),
            cap,
            caps: w.caps,
            shout: false,
            cyr: w.cyr,
            sent,
            line,
        });
        // after a possessive, skip the apostrophe and the s
        i = w.poss.unwrap_or(w.next);
        sent = false;
    }
    finish_line(toks, line_first, line_lower);
}

/// A word that is not all plain ASCII, from its first char.
struct Scanned {
    end: usize,
    /// The end of the name before a possessive "'s" (the word then ends after the s).
    poss: Option<usize>,
    /// Where the scan stopped.
    next: usize,
    /// Two or more letters, all uppercase.
    caps: bool,
    cyr: bool,
}

/// Scan the word that starts at byte `start` of `text`, setting `line_lower` when one of its
/// letters is lowercase.
fn scan_word(text: &str, start: usize, line_lower: &mut bool) -> Scanned {
    let bytes = text.as_bytes();
    let mut end = start;
    let mut poss = None;
    // letters outside ASCII, and those of them that are uppercase
    let mut upper = 0usize;
    let mut letters = 0usize;
    // the classes of the ASCII letters and digits, or-ed
    let mut ascii = 0u8;
    let mut cyr = false;
    let mut seg_len = 0usize;
    // dots joined so far, each after a single letter ("U.S"), while every join was such a dot:
    // the word may be initials
    let mut initials = Some(0usize);
    let mut j = start;
    while let Some(&bj) = bytes.get(j) {
        if bj < 0x80 {
            let cl = CLASS[bj as usize];
            if cl & ALNUM != 0 {
                // a run of ASCII letters and digits; its letters are counted at the end of
                // the word, and only when none is lowercase
                let (k, run) = ascii_run(bytes, j + 1, cl);
                ascii |= run;
                seg_len += k - j;
                j = k;
                end = j;
                continue;
            }
            // other ASCII chars end the word, but for the joiners
            if !matches!(bj, b'-' | b'\'' | b'.') {
                break;
            }
        }
        let Some((d, dl)) = char_at(text, j) else { break };
        let punct = general_punctuation(d);
        let alpha = !punct && is_alpha(d);
        if alpha || !punct && d.is_numeric() {
            if alpha {
                letters += 1;
                if is_upper(d) {
                    upper += 1;
                } else if is_lower(d) {
                    *line_lower = true;
                }
            }
            cyr |= crate::translit::is_cyrillic(d);
            seg_len += 1;
            j += dl;
            end = j;
            continue;
        }
        // a joiner inside a word: hyphen, apostrophe, or a dot in "Vlast.kz" / "U.S"
        if !matches!(d, '-' | '‑' | '\'' | '’' | '.') {
            break;
        }
        let after = j + dl;
        let next_at = char_at(text, after);
        let next = next_at.map(|(c, _)| c);
        let next2 = next_at.and_then(|(_, l)| char_at(text, after + l)).map(|(c, _)| c);
        if d == '.' && seg_len == 1 && initials.is_some_and(|n| n > 0) && !next.is_some_and(char::is_alphanumeric) {
            // the last dot of initials belongs to them: "U.S.", "B.C."
            end = after;
            j = after;
            break;
        }
        let (join, possessive) = joins(d, next, next2, seg_len);
        if possessive {
            poss = Some(after + 1);
        }
        if !join {
            break;
        }
        initials = initials.filter(|_| d == '.' && seg_len == 1).map(|n| n + 1);
        seg_len = 0;
        j += dl;
    }
    let caps = if ascii & LOWER != 0 {
        *line_lower = true;
        false
    } else {
        // every ASCII letter of the word is uppercase
        let ascii_letters =
            if ascii & UPPER != 0 { bytes[start..end].iter().filter(|b| b.is_ascii_alphabetic()).count() } else { 0 };
        letters + ascii_letters >= 2 && upper == letters
    };
    Scanned { end, poss, next: j, caps, cyr }
}

/// Does the joiner `d` (a hyphen, apostrophe or dot followed by `next` and `next2`) continue a
/// word whose last segment has `seg_len` chars, and is it the apostrophe of a possessive "'s"?
fn joins(d: char, next: Option<char>, next2: Option<char>, seg_len: usize) -> (bool, bool) {
    match d {
        '-' | '‑' => (next.is_some_and(char::is_alphanumeric), false),
        '\'' | '’' => {
            if matches!(next, Some('s' | 'S')) && !next2.is_some_and(char::is_alphanumeric) {
                (false, true)
            } else {
                (next.is_some_and(char::is_alphabetic), false)
            }
        }
        '.' => {
            let join = next.is_some_and(char::is_lowercase) && seg_len >= 2
                || seg_len == 1 && next.is_some_and(char::is_uppercase) && !next2.is_some_and(char::is_alphanumeric);
            (join, false)
        }
        _ => (false, false),
    }
}

/// The gazetteer place or organisation of an inflected Russian form of a Cyrillic word
/// (Беларуси → Беларусь, Москве → Москва); per thread, the answers for the words seen.
pub(crate) fn inflected(w: &str) -> Option<Entry> {
    thread_local! {
        static SEEN: std::cell::RefCell<crate::hash::FastMap<Box<str>, Option<Entry>>> = Default::default();
    }
    /// Words kept before the memo starts again.
    const KEEP: usize = 1 << 12;
    super::keys::memoised(&SEEN, KEEP, w, inflected_uncached)
}

fn inflected_uncached(w: &str) -> Option<Entry> {
    // the word's nominatives, the word itself (looked up already) aside
    let g = gazetteer();
    super::morph::noun_lemmas(w).iter().skip(1).find_map(|l| match g.folded(keys::key(l)) {
        Some(e @ Entry::Known(..)) => Some(e),
        _ => None,
    })
}

/// Case-insensitive ASCII suffix test without allocation.
fn ends_ci(w: &str, suf: &str) -> bool {
    w.len() > suf.len() && w.as_bytes()[w.len() - suf.len()..].eq_ignore_ascii_case(suf.as_bytes())
}

const STRONG_ENDINGS: &[&str] = &[
    "ov", "ova", "ev", "eva", "yev", "yeva", "uly", "uly", "kyzy", "qyzy", "uulu", "enko", "sky", "skiy", "skii",
    "skaya", "ovich", "evich", "ovna", "evna", "shvili", "dze", "baev", "bayev", "bekov", "yants", "yan", "ian",
];
const WEAK_ENDINGS: &[&str] =
    &["in", "ina", "ich", "uk", "chuk", "ko", "ski", "ets", "ak", "ek", "bek", "ay", "ai", "ly"];

fn latin_of(w: &str) -> std::borrow::Cow<'_, str> {
    if has_cyrillic(w) {
        std::borrow::Cow::Owned(transliterate(w))
    } else {
        std::borrow::Cow::Borrowed(w)
    }
}

/// A list of lowercase endings with, for every byte, the endings that end with it (a bit each):
/// a word is compared only with the endings that share its last letter.
struct Endings {
    list: &'static [&'static str],
    by_last: [u32; 256],
}

const fn endings(list: &'static [&'static str]) -> Endings {
    assert!(list.len() <= 32);
    let mut by_last = [0u32; 256];
    let mut k = 0;
    while k < list.len() {
        let e = list[k].as_bytes();
        if !e.is_empty() {
            by_last[e[e.len() - 1] as usize] |= 1 << k;
        }
        k += 1;
    }
    Endings { list, by_last }
}

const STRONG: Endings = endings(STRONG_ENDINGS);
const WEAK: Endings = endings(WEAK_ENDINGS);

/// Does `w` end with one of `ends` (ignoring ASCII case, `w` longer than the ending)? Only the
/// endings with the word's last letter are compared.
fn ends_any_ci(w: &str, ends: &Endings) -> bool {
    let Some(&last) = w.as_bytes().last() else { return false };
    let mut m = ends.by_last[last.to_ascii_lowercase() as usize];
    while m != 0 {
        if ends_ci(w, ends.list[m.trailing_zeros() as usize]) {
            return true;
        }
        m &= m - 1;
    }
    false
}

/// A Slavic or Turkic surname ending on a word of at least five letters.
pub(crate) fn strong_surname(w: &str) -> bool {
    if w.is_ascii() {
        // the part after the last hyphen; one byte a letter
        let w = w.bytes().rposition(|b| b == b'-').map_or(w, |k| &w[k + 1..]);
        return w.len() >= 5
            && ends_any_ci(w, &STRONG)
            && w.bytes().all(|b| b.is_ascii_alphabetic())
            && !(ends_ci(w, "ian") && w.len() < 7);
    }
    let w = latin_of(w);
    let w = w.rsplit('-').next().unwrap_or(&w);
    w.chars().count() >= 5
        && w.chars().all(char::is_alphabetic)
        && STRONG_ENDINGS.iter().any(|e| ends_ci(w, e))
        && !(ends_ci(w, "ian") && w.chars().count() < 7)
}

pub(crate) fn weak_surname(w: &str) -> bool {
    if w.is_ascii() {
        return w.len() >= 4 && ends_any_ci(w, &WEAK);
    }
    let w = latin_of(w);
    w.chars().count() >= 4 && WEAK_ENDINGS.iter().any(|e| ends_ci(&w, e))
}

/// Does the word contain the ASCII byte `b` (a loop for short words, not a memchr call)?
fn has_byte(w: &str, b: u8) -> bool {
    w.bytes().any(|x| x == b)
}

/// "Keiki-batyr": a name with an honorific second part.
fn honorific(w: &str) -> bool {
    has_byte(w, b'-')
        && w.split_once('-')
            .is_some_and(|(a, b)| a.chars().next().is_some_and(char::is_uppercase) && gazetteer::is_honorific_suffix(b))
}

fn is_space_gap(g: &str) -> bool {
    if g == " " {
        return true;
    }
    !g.is_empty() && g.len() <= 3 && g.chars().all(|c| c == ' ' || c == '\u{a0}' || c == '\t')
}

/// A gap of spaces and quotation marks only.
fn is_quote_gap(g: &str) -> bool {
    if g == " " {
        return true;
    }
    !g.is_empty()
        && g.len() <= 8
        && g.chars().all(|c| matches!(c, ' ' | '\u{a0}' | '"' | '“' | '”' | '«' | '»' | '„' | '\''))
}

/// The longest gazetteer form starting at a token: its last token and entry.
/// The key of the form is known when the text matched it as written.
type GazHit = Option<(usize, Entry, Option<keys::Key>)>;

/// A mention found, with its first and last token and the key of its surface.
struct Found {
    m: Mention,
    d: MentionDetail,
    a: usize,
    b: usize,
    key: keys::Key,
}

struct Rec<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    covered: Vec<bool>,
    out: Vec<Found>,
    /// Memo of [`Rec::gaz_at`] per token.
    gaz: Vec<Cell<Option<GazHit>>>,
    /// Memo of [`Rec::word_key`] per token.
    wkey: Vec<Cell<Option<keys::Key>>>,
    /// Memo of [`Rec::word_exact`] per token.
    wexact: Vec<Cell<Option<Option<Entry>>>>,
    /// The kinds [`Rec::propagate`] lends, by key (empty between documents).
    known: keys::KeyMap<(Kind, Option<String>)>,
}

impl<'a> Rec<'a> {
    fn word(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.s..t.e]
    }

    /// The gap between token `i` (possessive included) and token `i + 1`.
    fn gap_after(&self, i: usize) -> &'a str {
        match (self.toks.get(i), self.toks.get(i + 1)) {
            (Some(a), Some(b)) if a.poss <= b.s => &self.text[a.poss..b.s],
            _ => "",
        }
    }

    fn adjacent(&self, i: usize) -> bool {
        let t = self.toks[i];
        t.poss == t.e && is_space_gap(self.gap_after(i))
    }

    fn lower_word(&self, i: usize) -> Option<&'a str> {
        let t = self.toks.get(i)?;
        (!t.cap).then(|| &self.text[t.s..t.e])
    }

    /// The folded key of token `i`'s word, computed once.
    fn word_key(&self, i: usize) -> keys::Key {
        let Some(c) = self.wkey.get(i) else { return keys::key(self.word(i)) };
        c.get().unwrap_or_else(|| {
            let k = keys::key(self.word(i));
            c.set(Some(k));
            k
        })
    }

    /// The gazetteer entry of token `i`'s word as written, computed once.
    fn word_exact(&self, i: usize) -> Option<Entry> {
        let Some(c) = self.wexact.get(i) else { return gazetteer().exact(self.word(i)) };
        c.get().unwrap_or_else(|| {
            let e = gazetteer().exact(self.word(i));
            c.set(Some(e));
            e
        })
    }

    /// Is token `i`'s word a known given name?
    fn given(&self, i: usize) -> bool {
        gazetteer().is_given_with_key(self.word(i), self.word_key(i))
    }

    /// Gazetteer lookup of the longest form starting at token `i`: (last token, entry).
    /// Asked several times for one token, computed once.
    fn gaz_at(&self, i: usize) -> GazHit {
        if let Some(hit) = self.gaz.get(i).and_then(Cell::get) {
            return hit;
        }
        let hit = self.gaz_lookup(i);
        if let Some(c) = self.gaz.get(i) {
            c.set(Some(hit));
        }
        hit
    }

    fn gaz_lookup(&self, i: usize) -> GazHit {
        let g = gazetteer();
        let t = self.toks[i];
        let mut best = None;
        let mut j = i;
        while j < self.toks.len() && j < i + g.max_words {
            let slice = &self.text[t.s..self.toks[j].e];
            if j > i
                && self.text.as_bytes()[self.toks[j - 1].e..self.toks[j].s].iter().any(|&b| b == b'\n' || b == b'\r')
            {
                break;
            }
            // `None`: no longer slice is a form either
            let Some((form, longer)) = g.lookup(slice) else {
                if j == i {
                    // nor is the word itself
                    if let Some(c) = self.wexact.get(i) {
                        c.set(Some(None));
                    }
                }
                break;
            };
            if j == i {
                if let Some(c) = self.wexact.get(i) {
                    c.set(Some(form.map(|(e, _)| e)));
                }
                // the word is a form: its key is the form's
                if let (Some((_, k)), Some(c)) = (form, self.wkey.get(i)) {
                    c.set(Some(k));
                }
            }
            if let Some((e, k)) = form {
                best = Some((j, e, Some(k)));
            }
            // no longer form starts with this one: the next lookup would find none
            if !longer || self.toks[j].poss != self.toks[j].e {
                break;
            }
            j += 1;
        }
        if best.is_some() {
            return best;
        }
        if t.cyr || t.shout {
            let w = self.word(i);
            // a given name before a surname names a person, not the place named after one
            // ("Нурсултана Назарбаева" is not the city Nur-Sultan)
            if t.cyr && self.surname_follows(i) && super::names::is_given_name(w) {
                return None;
            }
            if let Some(e) = g.folded(self.word_key(i)) {
                return Some((i, e, None));
            }
            if t.cyr {
                if let Some(e) = inflected(w) {
                    return Some((i, e, None));
                }
            }
        }
        None
    }

    /// Is token `i` followed by a capitalised word with a surname's ending?
    fn surname_follows(&self, i: usize) -> bool {
        self.adjacent(i) && self.toks.get(i + 1).is_some_and(|n| n.cap && !n.caps) && strong_surname(self.word(i + 1))
    }

    fn push(&mut self, a: usize, b: usize, kind: Kind, name: Option<String>, evidence: Evidence) {
        let range = self.toks[a].s..self.toks[b].e;
        let key = if a == b { self.word_key(a) } else { keys::key(&self.text[range.clone()]) };
        self.push_keyed(a, b, key, kind, name, evidence);
    }

    /// [`Rec::push`] with the key of the surface already known.
    fn push_keyed(&mut self, a: usize, b: usize, key: keys::Key, kind: Kind, name: Option<String>, evidence: Evidence) {
        for c in &mut self.covered[a..=b] {
            *c = true;
        }
        let range = self.toks[a].s..self.toks[b].e;
        // the surface is copied out of the text only for `analyze`'s callers (see `recognise`)
        self.out.push(Found {
            m: Mention { range, kind, surface: String::new() },
            d: MentionDetail { name, roles: Vec::new(), evidence },
            a,
            b,
            key,
        });
    }

    /// The key of `word`, a suffix of the surface of a mention ending at token `b`.
    fn last_word_key(&self, b: usize, word: &str) -> keys::Key {
        let t = self.toks[b];
        if word.len() == t.e - t.s {
            self.word_key(b)
        } else {
            keys::key(word)
        }
    }

    /// "Risk Assessment Group", "Ministry of Internal Affairs", "Russian Armed Forces",
    /// "Organized Crime and Corruption Research Center": a run that ends in a head word.
    fn headed(&self, i: usize) -> Option<(usize, Kind)> {
        let mut last_head = None;
        let mut first_head = None;
        let mut j = i;
        let mut words = 0;
        loop {
            let t = self.toks.get(j)?;
            if !t.cap || t.cyr {
                break;
            }
            let w = self.word(j);
            match self.word_exact(j) {
                Some(Entry::Stop(StopClass::Title | StopClass::Other)) if head(w).is_none() => break,
                Some(Entry::Known(Kind::Organization | Kind::Person, _)) => break,
                _ => {}
            }
            if let Some(k) = head(w) {
                if words > 0 {
                    last_head = Some((j, k));
                } else {
                    first_head = Some((j, k));
                }
            }
            words += 1;
            if words > 7 {
                break;
            }
            // "and" between two capitalised words, before the head
            if last_head.is_none()
                && self.toks[j].poss == self.toks[j].e
                && is_space_gap(self.gap_after(j))
                && self.lower_word(j + 1) == Some("and")
                && is_space_gap(self.gap_after(j + 1))
                && self.toks.get(j + 2).is_some_and(|t| t.cap)
            {
                j += 2;
                continue;
            }
            if self.adjacent(j) && self.toks.get(j + 1).is_some_and(|t| t.cap) {
                j += 1;
                continue;
            }
            break;
        }
        let head_first = last_head.is_none()
            && first_head.is_some()
            && self.adjacent(i)
            && matches!(self.lower_word(i + 1), Some("of" | "for"))
            && self.toks.get(i + 2).is_some_and(|t| t.cap && !t.caps);
        let (mut end, kind) = if head_first { first_head? } else { last_head? };
        // one "of" complement: "Ministry of Internal Affairs", not "… of the Republic"
        if self.adjacent(end)
            && matches!(self.lower_word(end + 1), Some("of" | "for"))
            && is_space_gap(self.gap_after(end + 1))
        {
            let mut k = end + 2;
            let mut last = None;
            while let Some(t) = self.toks.get(k) {
                if !t.cap || t.caps {
                    break;
                }
                if matches!(self.word_exact(k), Some(Entry::Stop(_)) | Some(Entry::Known(Kind::Organization, _))) {
                    break;
                }
                last = Some(k);
                if !self.adjacent(k) {
                    break;
                }
                k += 1;
            }
            if let Some(l) = last {
                end = l;
            }
        }
        Some((end, kind))
    }

    /// A lowercase cue right after token `j` (across closing quotes): kind and name role.
    fn cue_after(&self, j: usize) -> Option<(usize, Kind, u8)> {
        let gap = self.gap_after(j);
        let possessive_only = gap.is_empty() && self.toks[j].poss != self.toks[j].e;
        if !is_quote_gap(gap) && !possessive_only {
            return None;
        }
        let w = self.lower_word(j + 1)?;
        let (k, part) = after_cue(w)?;
        Some((j + 1, k, part))
    }

    fn cue_before(&self, i: usize) -> Option<Kind> {
        if i == 0 {
            return None;
        }
        let p = self.toks[i - 1];
        if p.poss != p.e || !is_quote_gap(&self.text[p.e..self.toks[i].s]) {
            return None;
        }
        before_cue(self.lower_word(i - 1)?)
    }

    /// Title or role noun right before token `i` ("President X", "political scientist X").
    fn person_cue_before(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let p = self.toks[i - 1];
        if p.poss != p.e || !is_quote_gap(&self.text[p.e..self.toks[i].s]) {
            return false;
        }
        let w = self.word(i - 1);
        if p.cap {
            matches!(self.word_exact(i - 1), Some(Entry::Stop(StopClass::Title)))
        } else {
            gazetteer::is_role_noun(w)
        }
    }

    fn speech_after(&self, j: usize) -> bool {
        let t = self.toks[j];
        let gap = self.gap_after(j);
        t.poss == t.e
            && (is_space_gap(gap) || gap == ", ")
            && self.lower_word(j + 1).is_some_and(gazetteer::is_speech_verb)
    }

    fn prev_lower_in(&self, i: usize, words: &[&str]) -> bool {
        i >= 1
            && self.lower_word(i - 1).is_some_and(|w| words.contains(&w))
            && is_quote_gap(&self.text[self.toks[i - 1].e..self.toks[i].s])
    }

    fn the_before(&self, i: usize) -> bool {
        let mut k = i;
        // "the Soviet Politburo"
        if k >= 1 && matches!(self.word_exact(k - 1), Some(Entry::Stop(StopClass::Demonym))) {
            k -= 1;
        }
        k >= 1
            && matches!(self.lower_word(k - 1), Some("the"))
            && is_quote_gap(&self.text[self.toks[k - 1].e..self.toks[k].s])
    }

    /// Is token `i` followed by "in" and a place the gazetteer knows ("… in St. Petersburg")?
    fn in_known_place_after(&self, i: usize) -> bool {
        i + 2 < self.toks.len()
            && matches!(self.lower_word(i + 1), Some("in"))
            && matches!(self.gaz_at(i + 2), Some((_, Entry::Known(Kind::Place, _), _)))
    }

    /// A name ending in a head noun from token `i` ("… Research Center"), recorded with the
    /// acronym defined after it, if any; returns the token after the name.
    fn take_headed(&mut self, i: usize) -> Option<usize> {
        let (end, kind) = self.headed(i)?;
        let text = self.text;
        let name = &text[self.toks[i].s..self.toks[end].e];
        self.push(i, end, kind, None, Evidence::Head);
        self.acronym_after(i, end, kind, name);
        Some(end + 1)
    }

    /// Acronym defined right after a long name: "… Research Center (OCCRP)".
    fn acronym_after(&mut self, a: usize, b: usize, kind: Kind, name: &str) {
        let Some(t) = self.toks.get(b + 1) else { return };
        let gap = &self.text[self.toks[b].poss..t.s];
        if !matches!(gap.trim(), "(") || !t.caps || !self.text[t.e..].starts_with(')') {
            return;
        }
        let acr = self.word(b + 1);
        let initials: String =
            (a..=b).filter(|&k| self.toks[k].cap).filter_map(|k| self.word(k).chars().next()).collect();
        if acronym_fits(acr, &initials) {
            self.push(b + 1, b + 1, kind, Some(name.to_string()), Evidence::Acronym);
        }
    }

    fn run(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let t = self.toks[i];
            if !t.cap || self.covered[i] || t.e - t.s < 2 && !t.cyr {
                i += 1;
                continue;
            }
            if let Some((j, entry, form_key)) = self.gaz_at(i) {
                match entry {
                    Entry::Known(kind, canonical) => {
                        if matches!(kind, Kind::Place) && !t.cyr {
                            if let Some((end, hk)) = self.headed(i) {
                                if end > j {
                                    let text = self.text;
                                    let name = &text[t.s..self.toks[end].e];
                                    self.push(i, end, hk, None, Evidence::Head);
                                    self.acronym_after(i, end, hk, name);
                                    i = end + 1;
                                    continue;
                                }
                            }
                        }
                        if let Some((c, ck, 1)) = self.cue_after(j) {
                            // "Minsk agreements"
                            self.push(i, c, ck, None, Evidence::Cue);
                            i = c + 1;
                            continue;
                        }
                        let name = (canonical != &self.text[t.s..self.toks[j].e]).then(|| canonical.to_string());
                        match form_key {
                            Some(key) => self.push_keyed(i, j, key, kind, name, Evidence::Gazetteer),
                            None => self.push(i, j, kind, name, Evidence::Gazetteer),
                        }
                        i = j + 1;
                        continue;
                    }
                    Entry::Stop(StopClass::Demonym) if !t.cyr => {
                        if let Some(next) = self.take_headed(i) {
                            i = next;
                            continue;
                        }
                        i = j + 1;
                        continue;
                    }
                    Entry::Stop(_) => {
                        if head(self.word(i)).is_none() || t.cyr {
                            i = j + 1;
                            continue;
                        }
                    }
                }
            }
            if !t.cyr && !t.shout {
                if let Some(next) = self.take_headed(i) {
                    i = next;
                    continue;
                }
            }
            // a run of plain capitalised words (same script, no gazetteer words)
            let mut k = i;
            while k + 1 < n
                && k < i + 3
                && self.adjacent(k)
                && self.toks[k + 1].cap
                && self.toks[k + 1].cyr == t.cyr
                && !self.toks[k + 1].caps
                && self.gaz_at(k + 1).is_none()
            {
                k += 1;
            }
            let next = self.classify_run(i, k);
            i = next.max(i + 1);
        }
    }

    /// Classify the plain run `i..=k`; returns the next token to look at.
    fn classify_run(&mut self, i: usize, k: usize) -> usize {
        let t = self.toks[i];
        let cue = self.person_cue_before(i);
        if k > i {
            let first = self.word(i);
            let last = self.word(k);
            if let Some((c, ck, part)) = self.cue_after(k) {
                let end = if part == 1 { c } else { k };
                let name = (part == 2).then(|| format!("{} {}", &self.text[t.s..self.toks[k].e], self.word(c)));
                self.push(i, end, ck, name, Evidence::Cue);
                return end + 1;
            }
            if let Some(ck) = self.cue_before(i) {
                self.push(i, k, ck, None, Evidence::Cue);
                return k + 1;
            }
            if head(first).is_some() || k - i >= 2 && !self.given(i) && !strong_surname(first) {
                return i + 1;
            }
            let person = self.given(i)
                || strong_surname(last)
                || (weak_surname(last) || cue) && k - i <= 2
                || honorific(last) && self.given(i);
            if person && !(t.sent && !self.given(i) && !cue && !strong_surname(last)) {
                self.push(i, k, Kind::Person, None, Evidence::Shape);
                return k + 1;
            }
            // sentence-initial filler before a name: retry from the next word
            return i + 1;
        }
        let w = self.word(i);
        if t.caps && !t.shout {
            return i + 1;
        }
        // "Kazakh-language", "Russian-speaking": adjectives, not names
        if has_byte(w, b'-')
            && w.split('-').skip(1).any(|p| p.chars().next().is_some_and(char::is_lowercase))
            && !honorific(w)
        {
            return i + 1;
        }
        if honorific(w) || strong_surname(w) && !self.given(i) {
            self.push(i, i, Kind::Person, None, Evidence::Shape);
            return i + 1;
        }
        if cue && !t.cyr {
            self.push(i, i, Kind::Person, None, Evidence::Cue);
            return i + 1;
        }
        if let Some((c, ck, part)) = self.cue_after(i) {
            let end = if part == 1 { c } else { i };
            let name = (part == 2).then(|| format!("{} {}", w, self.word(c)));
            self.push(i, end, ck, name, Evidence::Cue);
            return end + 1;
        }
        if let Some(ck) = self.cue_before(i) {
            self.push(i, i, ck, None, Evidence::Cue);
            return i + 1;
        }
        if has_byte(w, b'.')
            && w.rsplit('.')
                .next()
                .is_some_and(|d| (2..=4).contains(&d.len()) && d.chars().all(|c| c.is_ascii_lowercase()))
        {
            self.push(i, i, Kind::Organization, None, Evidence::Shape);
            return i + 1;
        }
        if t.sent || t.cyr || t.shout || self.given(i) || has_byte(w, b'-') {
            return i + 1;
        }
        if place_shaped(w) && self.prev_lower_in(i, &["in", "of", "from", "to", "near", "at"]) {
            self.push(i, i, Kind::Place, None, Evidence::Context);
        } else if self.speech_after(i) || t.poss != t.e {
            self.push(i, i, Kind::Person, None, Evidence::Context);
        } else if self.the_before(i) {
            // "the Hermitage in St. Petersburg": a name that stands in a known place is
            // something there (an institution, a building), which says more than "the" alone
            let ev = if self.in_known_place_after(i) { Evidence::Cue } else { Evidence::Context };
            self.push(i, i, Kind::Organization, None, ev);
        }
        i + 1
    }

    /// What the rules found, one code per token for the tagger's features: 0 outside every
    /// mention, else 1 + evidence × 8 + kind × 2 + (1 inside a mention, 0 on its first word).
    fn marks(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.toks.len()];
        for f in &self.out {
            let code = 1 + f.d.evidence.code() * 8 + (f.m.kind as u8) * 2;
            for (k, m) in out[f.a..=f.b].iter_mut().enumerate() {
                *m = code + u8::from(k > 0);
            }
        }
        out
    }

    /// The tagger's names replace the rules' mentions, and the rules' evidence that is stronger
    /// than the model corrects them (see [`Rec::correct`]).
    fn merge(&mut self, tagged: Vec<tagger::Tagged>) {
        // the names are at most the tagger's and the rules' together: one allocation
        let room = self.out.len() + tagged.len();
        let rules = std::mem::replace(&mut self.out, Vec::with_capacity(room));
        for c in &mut self.covered {
            *c = false;
        }
        let mut margins = Vec::with_capacity(tagged.len());
        for t in tagged {
            // a name does not run over a bullet, a comma or a bracket ("Афганистан • Андорра")
            let mut from = t.a;
            for k in t.a..=t.b {
                if k == t.b || self.hard_gap(k) {
                    if let Some((a, b, kind)) = self.name_words(from, k, t.kind) {
                        self.push_tagged(a, b, kind);
                        margins.push((a, t));
                    }
                    from = k + 1;
                }
            }
        }
        self.out.sort_by_key(|f| f.a);
        // the long names that an acronym defined right after them spells out
        let defined: Vec<(usize, usize)> = rules
            .iter()
            .filter(|f| f.d.evidence == Evidence::Acronym && f.a > 0)
            .filter_map(|f| rules.iter().find(|g| g.b + 1 == f.a && g.d.evidence != Evidence::Acronym))
            .map(|g| (g.a, g.b))
            .collect();
        for f in rules {
            let long_name = defined.contains(&(f.a, f.b));
            self.correct(f, long_name, &margins);
        }
    }

    /// The words of a tagged span that make the name: titles are not part of names ("CSTO
    /// Secretary General", "President Obama"), a name in Latin script ends in a capitalised word
    /// ("Kostanay region"), a nationality alone is not a name ("Kazakh", "Russians"); `None`
    /// when nothing is left.
    fn name_words(&self, mut a: usize, mut b: usize, kind: Kind) -> Option<(usize, usize, Kind)> {
        while b > a && (self.title(b) || self.lower_latin(b)) {
            b -= 1;
        }
        // "Tajik President Emomali Rahmon": titles and nationalities before a person's name
        while a < b && kind == Kind::Person && (self.title(a) || self.demonym(a)) {
            a += 1;
        }
        // "С Мирзиёевым": a Russian word of one letter without a dot is a preposition or a
        // conjunction, not an initial
        while a < b && self.single_letter(a) {
            a += 1;
        }
        // "Tsarist Russia", "Soviet Politburo": a nationality or era before a known name is not
        // part of it
        if a < b
            && matches!(self.word_exact(a), Some(Entry::Stop(StopClass::Demonym)))
            && matches!(self.gaz_at(a + 1), Some((j, Entry::Known(..), _)) if j == b)
        {
            a += 1;
        }
        // a word the lists keep as never a name on its own (a title, a nationality, an honorific
        // title used for one person) is not one when the model tags it alone, nor is a lone
        // Russian letter ("Ъ")
        if a == b
            && (self.lower_latin(a) || self.single_letter(a) || matches!(self.word_exact(a), Some(Entry::Stop(_))))
        {
            return None;
        }
        Some((a, b, kind))
    }

    /// Is there more than spaces, dots, hyphens, apostrophes, an ampersand or the joints of a
    /// user name between tokens `i` and `i + 1` (after a possessive "'s")? "Astana, Kazakhstan",
    /// "Афганистан • Андорра" are two names each.
    fn hard_gap(&self, i: usize) -> bool {
        let gap = self.text.get(self.toks[i].poss..self.toks[i + 1].s).unwrap_or("");
        !gap.chars().all(|c| matches!(c, ' ' | '.' | '-' | '\'' | '’' | '&' | '_' | '@'))
    }

    fn demonym(&self, i: usize) -> bool {
        matches!(self.word_exact(i), Some(Entry::Stop(StopClass::Demonym)))
    }

    fn single_letter(&self, i: usize) -> bool {
        let t = self.toks[i];
        t.cyr && self.word(i).chars().nth(1).is_none() && !self.text[t.e..].starts_with('.')
    }

    /// The gazetteer's entry for a tagged name whose words are one of its names, as written or
    /// (a word in capitals, "DUSHANBE") folded.
    fn known_as(&self, a: usize, b: usize) -> Option<(Kind, &'static str, Option<keys::Key>)> {
        let (entry, key) = match self.gaz_at(a) {
            Some((j, e, key)) if j == b => (Some(e), key),
            _ if a == b && self.toks[a].caps && self.word(a).chars().all(char::is_alphabetic) => {
                (gazetteer().folded(self.word_key(a)), None)
            }
            _ => (None, None),
        };
        match entry {
            Some(Entry::Known(kind, name)) => Some((kind, name, key)),
            _ => None,
        }
    }

    /// Record a tagged name, as the gazetteer's when its words are one of its names.
    fn push_tagged(&mut self, a: usize, b: usize, kind: Kind) {
        let Some((kind, canonical, key)) = self.known_as(a, b) else {
            self.push(a, b, kind, None, Evidence::Model);
            return;
        };
        let name = (canonical != &self.text[self.toks[a].s..self.toks[b].e]).then(|| canonical.to_string());
        match key {
            Some(key) => self.push_keyed(a, b, key, kind, name, Evidence::Gazetteer),
            None => self.push(a, b, kind, name, Evidence::Gazetteer),
        }
    }

    /// Let a rule's mention correct the tagger's names, as far as its evidence is stronger than
    /// the model (measured on the annotated dev text, the model wins most disagreements):
    /// - the gazetteer and an acronym definition give the kind and canonical name of a tagged
    ///   name they match exactly, and so does a cue that names the thing ("the Kül-Tegin stele");
    /// - a gazetteer name of several words ("Minsk agreements") or a long name that an acronym
    ///   after it spells out replaces the tagged names inside it;
    /// - a cue, a head word or an acronym definition adds a name where the tagger saw none
    ///   ("the newspaper Respublika").
    fn correct(&mut self, f: Found, long_name: bool, margins: &[(usize, tagger::Tagged)]) {
        let ev = f.d.evidence;
        let at = self.out.partition_point(|m| m.b < f.a);
        let overlapping = self.out[at..].iter().take_while(|m| m.a <= f.b).count();
        let same = overlapping == 1 && self.out[at].a == f.a && self.out[at].b == f.b;
        let several_words = f.b > f.a;
        let names_it = ev == Evidence::Cue && f.d.name.is_some();
        if same {
            let tagged = &self.out[at];
            let unsure = tagged.m.kind != f.m.kind
                && tagged.d.evidence == Evidence::Model
                && (margins.binary_search_by_key(&f.a, |m| m.0).ok())
                    .is_some_and(|i| margins[i].1.margin_over(f.m.kind) < overrule_margin(ev));
            if unsure {
                let m = &mut self.out[at];
                m.m.kind = f.m.kind;
                m.d.evidence = ev;
            }
            if matches!(ev, Evidence::Gazetteer | Evidence::Acronym) || names_it || long_name {
                let m = &mut self.out[at];
                m.m.kind = f.m.kind;
                m.d.name = f.d.name;
                m.d.evidence = ev;
                m.key = f.key;
            }
            return;
        }
        let inside = self.out[at..at + overlapping].iter().all(|m| f.a <= m.a && m.b <= f.b);
        // a known organisation at the start of a longer tagged one keeps its own span: the
        // words after it name a part of it ("Komsomol Central Committee")
        let known_inside = ev == Evidence::Gazetteer
            && f.m.kind == Kind::Organization
            && overlapping == 1
            && self.out[at].a == f.a
            && f.b < self.out[at].b
            && self.out[at].m.kind == f.m.kind;
        let replaces =
            overlapping > 0 && inside && (long_name || ev == Evidence::Gazetteer && several_words) || known_inside;
        let fills = overlapping == 0 && matches!(ev, Evidence::Cue | Evidence::Head | Evidence::Acronym);
        if replaces || fills {
            self.out.drain(at..at + overlapping);
            for c in &mut self.covered[f.a..=f.b] {
                *c = true;
            }
            self.out.insert(at, f);
        }
    }

    fn lower_latin(&self, i: usize) -> bool {
        let t = self.toks[i];
        !t.cap && !t.cyr && self.word(i).starts_with(|c: char| c.is_ascii_lowercase())
    }

    fn title(&self, i: usize) -> bool {
        matches!(self.word_exact(i), Some(Entry::Stop(StopClass::Title)))
    }

    /// One name, one kind in a document: the kind most of its occurrences were given (the
    /// first of them on a tie) wins, unless the gazetteer or an acronym definition says otherwise.
    fn unify_kinds(&mut self) {
        // per key: the votes of every kind, and the kind of its first mention
        let mut votes: keys::KeyMap<([u32; 4], Kind)> =
            keys::KeyMap::with_capacity_and_hasher(self.out.len(), Default::default());
        for f in &self.out {
            votes.entry(f.key).or_insert(([0; 4], f.m.kind)).0[f.m.kind as usize] += 1;
        }
        for f in &mut self.out {
            if !matches!(f.d.evidence, Evidence::Model) {
                continue;
            }
            let (v, lead) = votes[&f.key];
            let best = (0..4).max_by_key(|&k| (v[k], Kind::ALL[k] == lead)).map_or(f.m.kind, |k| Kind::ALL[k]);
            f.m.kind = best;
        }
        self.surnames_are_persons();
    }

    /// A Russian word alone that the tagger took for a place or an organisation is a person
    /// when it is a case form of the surname of a person of the document ("Пашиняна",
    /// "Зеленскому" after "Никол Пашинян", "Владимир Зеленский").
    fn surnames_are_persons(&mut self) {
        let mut surnames: Vec<keys::Key> = Vec::new();
        for f in self.out.iter().filter(|f| f.m.kind == Kind::Person) {
            let last = self.word(f.b);
            if self.toks[f.b].cyr {
                surnames.extend(super::names::surname_keys(last).into_iter().flatten());
            }
        }
        if surnames.is_empty() {
            return;
        }
        for k in 0..self.out.len() {
            let f = &self.out[k];
            if f.a != f.b || f.m.kind == Kind::Person || f.d.evidence != Evidence::Model || !self.toks[f.a].cyr {
                continue;
            }
            let readings = super::names::surname_keys(self.word(f.a));
            if readings.iter().flatten().any(|r| surnames.contains(r)) {
                self.out[k].m.kind = Kind::Person;
            }
        }
    }

    /// A name recognised once lends its kind to its other occurrences in the document.
    fn propagate(&mut self) {
        let mut known = std::mem::take(&mut self.known);
        self.propagate_with(&mut known);
        known.clear();
        self.known = known;
    }

    fn propagate_with(&mut self, known: &mut keys::KeyMap<(Kind, Option<String>)>) {
        for f in &self.out {
            let (m, d) = (&f.m, &f.d);
            if matches!(d.evidence, Evidence::Gazetteer) {
                continue;
            }
            known.entry(f.key).or_insert_with(|| (m.kind, d.name.clone()));
            let surface = &self.text[m.range.clone()];
            if m.kind == Kind::Person && !surface.contains(' ') {
                continue;
            }
            if m.kind == Kind::Person {
                if let Some(last) = surface.rsplit(' ').next() {
                    known.entry(self.last_word_key(f.b, last)).or_insert((Kind::Person, None));
                }
            }
        }
        if known.is_empty() {
            return;
        }
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let t = self.toks[i];
            if self.covered[i] || !t.cap {
                i += 1;
                continue;
            }
            let mut hit = None;
            let mut j = i;
            while j < n && j < i + 3 {
                if j > i && (!self.toks[j].cap || self.covered[j]) {
                    break;
                }
                let key = if j == i { self.word_key(i) } else { keys::key(&self.text[t.s..self.toks[j].e]) };
                if let Some(v) = known.get(&key) {
                    hit = Some((j, key, v.clone()));
                }
                if !self.adjacent(j) {
                    break;
                }
                j += 1;
            }
            match hit {
                Some((j, key, (kind, name))) => {
                    self.push_keyed(i, j, key, kind, name, Evidence::Document);
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
}

/// A toponym ending: -stan, -grad, -sk, -orda, -abad, -kent, -tau, -burg, -pol…
fn place_shaped(w: &str) -> bool {
    const ENDS: Endings = endings(&[
        "stan", "grad", "gorod", "sk", "orda", "abad", "kent", "tau", "burg", "pol", "polis", "ovo", "evo", "ino",
        "kol", "bulak", "ozen", "sai", "tobe", "dar", "shahr",
    ]);
    w.chars().count() >= 5 && ends_any_ci(w, &ENDS)
}

/// Do the letters of `acr` follow the initials of the long name (small words may be skipped)?
fn acronym_fits(acr: &str, initials: &str) -> bool {
    let a: Vec<char> = acr.chars().filter(|c| c.is_alphabetic()).collect();
    let ini: Vec<char> = initials.chars().collect();
    if a.len() < 2 || ini.is_empty() {
        return false;
    }
    // translations reword the long name: the first letter and the length are what survive
    if a[0] == ini[0] && a.len().abs_diff(ini.len()) <= 2 {
        return true;
    }
    // every initial of the long name is in the acronym, in order, and the acronym has no more
    // than two extra letters
    let mut p = 0;
    for c in &ini {
        match a[p..].iter().position(|x| x == c) {
            Some(q) => p += q + 1,
            None => return false,
        }
    }
    a.len() <= ini.len() + 2
}

/// How a mention was recognised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Evidence {
    #[default]
    Gazetteer,
    Head,
    Cue,
    Shape,
    Context,
    Acronym,
    Document,
    /// The learned tagger ([`super::tagger`]), unconfirmed by other evidence.
    Model,
}

impl Evidence {
    /// A small number for each kind of evidence (the tagger's features see it).
    pub(crate) fn code(self) -> u8 {
        match self {
            Evidence::Gazetteer => 0,
            Evidence::Head => 1,
            Evidence::Cue => 2,
            Evidence::Shape => 3,
            Evidence::Context => 4,
            Evidence::Acronym => 5,
            Evidence::Document => 6,
            Evidence::Model => 7,
        }
    }
}

/// Buffers of [`analyze`] kept from one document to the next of a thread.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    out: Vec<Found>,
    loose: Vec<(u32, u32, keys::Key)>,
    covered: Vec<bool>,
    gaz: Vec<Cell<Option<GazHit>>>,
    wkey: Vec<Cell<Option<keys::Key>>>,
    wexact: Vec<Cell<Option<Option<Entry>>>>,
    known: keys::KeyMap<(Kind, Option<String>)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Buffers for more tokens than this are not kept (a few MB per thread at most).
const SCRATCH_KEEP: usize = 1 << 16;

fn reset<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

pub fn analyze(text: &str) -> DocEntities {
    let (mut mentions, mut details, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    let loose = recognise(text, |n, mut m, d, k| {
        m.surface = text[m.range.clone()].to_string();
        if mentions.is_empty() {
            mentions.reserve_exact(n);
            details.reserve_exact(n);
            keys.reserve_exact(n);
        }
        mentions.push(m);
        details.push(d);
        keys.push(k);
    });
    DocEntities { mentions, details, keys, loose }
}

/// Recognise the mentions of `text`: `each` is given the number of mentions and every mention in
/// order of position (its `surface` left empty: it is the text's range), with what was learnt
/// about it and its keys; the loose capitalised words are returned.
pub(crate) fn recognise(
    text: &str,
    mut each: impl FnMut(usize, Mention, MentionDetail, MentionKeys),
) -> Vec<(u32, u32, keys::Key)> {
    let mut sc = SCRATCH.with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default());
    tokenize_into(text, &mut sc.toks);
    let n = sc.toks.len();
    reset(&mut sc.covered, n, false);
    reset(&mut sc.gaz, n, Cell::new(None));
    reset(&mut sc.wkey, n, Cell::new(None));
    reset(&mut sc.wexact, n, Cell::new(None));
    let mut r = Rec {
        text,
        toks: sc.toks,
        covered: sc.covered,
        out: sc.out,
        gaz: sc.gaz,
        wkey: sc.wkey,
        wexact: sc.wexact,
        known: sc.known,
    };
    // the rules first: what they find is evidence for the tagger, and confirms or corrects it
    r.run();
    r.propagate();
    let marks = r.marks();
    if let Some(tagged) = tagger::tag_embedded(text, &r.toks, &marks) {
        r.merge(tagged);
        r.unify_kinds();
    }
    r.out.sort_by_key(|f| (f.m.range.start, f.m.range.end));
    r.roles();
    let n = r.out.len();
    let mut spans = Vec::with_capacity(r.out.len());
    let mut found = std::mem::take(&mut r.out);
    for f in found.drain(..) {
        let (m, d) = (f.m, f.d);
        let keys = super::names::mention_keys(&text[m.range.clone()], f.key, m.kind, d.evidence, d.name.as_deref());
        spans.push((m.range.start, m.range.end));
        each(n, m, d, keys);
    }
    // collected in a kept buffer, then copied at its size
    let mut loose_buf = sc.loose;
    loose_words(text, &r.toks, &r.wkey, &spans, &mut loose_buf);
    let loose = loose_buf.to_vec();
    // the token buffer's capacity follows the text's length, not its token count
    if r.toks.capacity() <= SCRATCH_KEEP {
        let sc = Scratch {
            toks: r.toks,
            out: found,
            loose: loose_buf,
            covered: r.covered,
            gaz: r.gaz,
            wkey: r.wkey,
            wexact: r.wexact,
            known: r.known,
        };
        SCRATCH.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                *s = sc;
            }
        });
    }
    loose
}

/// How far the tagger's score for its kind of a name may lead the score for the kind a rule
/// gives the same words and the rule still decide the kind, in units of the model's largest
/// weight (chosen on the annotated dev text: a cue or head word names the kind better than the
/// model unless the model is sure; "in Alashorda" a little better than an unsure model; the
/// other evidence never).
fn overrule_margin(ev: Evidence) -> i32 {
    let largest = i32::from(i16::MAX);
    match ev {
        Evidence::Cue | Evidence::Head => largest * 9 / 10,
        Evidence::Context => largest / 10,
        _ => 0,
    }
}

/// The mentions the rules alone find in `text` (before the tagger), for tools that measure them.
pub fn rule_mentions(text: &str) -> Vec<(std::ops::Range<usize>, Kind, Evidence)> {
    let mut toks = Vec::new();
    tokenize_into(text, &mut toks);
    let r = rules_only(text, toks);
    r.out.iter().map(|f| (f.m.range.clone(), f.m.kind, f.d.evidence)).collect()
}

/// What the rules find in a text cut into `toks`, as [`Rec::marks`] gives it to the tagger.
pub(crate) fn evidence_marks(text: &str, toks: &[Tok]) -> Vec<u8> {
    rules_only(text, toks.to_vec()).marks()
}

/// The rules run over a text cut into `toks`, with fresh memos (no tagger).
fn rules_only(text: &str, toks: Vec<Tok>) -> Rec<'_> {
    let n = toks.len();
    let mut r = Rec {
        text,
        toks,
        covered: vec![false; n],
        out: Vec::new(),
        gaz: vec![Cell::new(None); n],
        wkey: vec![Cell::new(None); n],
        wexact: vec![Cell::new(None); n],
        known: keys::KeyMap::default(),
    };
    r.run();
    r.propagate();
    r
}

/// Capitalised words of four or more bytes that no mention overlaps, with their folded keys, in
/// `out` (cleared first).
fn loose_words(
    text: &str,
    toks: &[Tok],
    memo: &[Cell<Option<keys::Key>>],
    mentions: &[(usize, usize)],
    out: &mut Vec<(u32, u32, keys::Key)>,
) {
    // mentions are sorted by (start, end); when their ends are sorted too (they do not nest),
    // the first mention ending after a token is found by walking along with the tokens
    let ends_sorted = mentions.windows(2).all(|w| w[0].1 <= w[1].1);
    out.clear();
    let mut p = 0;
    for (i, t) in toks.iter().enumerate() {
        if !t.cap || t.e - t.s < 4 {
            continue;
        }
        if ends_sorted {
            while mentions.get(p).is_some_and(|m| m.1 <= t.s) {
                p += 1;
            }
        } else {
            p = mentions.partition_point(|m| m.1 <= t.s);
        }
        if mentions.get(p).is_some_and(|m| m.0 < t.e) {
            continue;
        }
        let key = memo.get(i).and_then(Cell::get).unwrap_or_else(|| keys::key(&text[t.s..t.e]));
        if t.cyr {
            // a Cyrillic word in any case: the keys of its base forms
            super::names::loose_keys(&text[t.s..t.e], key, |k| out.push((t.s as u32, t.e as u32, k)));
        } else {
            out.push((t.s as u32, t.e as u32, key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_punctuation_has_no_letters_or_digits() {
        for c in ('\u{2000}'..='\u{206F}').filter(|&c| general_punctuation(c)) {
            assert!(!c.is_alphanumeric() && !is_alpha(c), "{c:?}");
        }
        assert!(general_punctuation('—') && general_punctuation('“') && general_punctuation('’'));
        assert!(!general_punctuation('«') && !general_punctuation('a') && !general_punctuation('ж'));
    }

    fn words(text: &str) -> Vec<&str> {
        let mut toks = Vec::new();
        tokenize_into(text, &mut toks);
        toks.iter().map(|t| &text[t.s..t.e]).collect()
    }

    #[test]
    fn initials_keep_their_last_dot() {
        assert_eq!(words("aid from the U.S. and B.C."), ["aid", "from", "the", "U.S.", "and", "B.C."]);
        assert_eq!(
            words("the U.S.-led force, George F. Hauser"),
            ["the", "U.S.", "led", "force", "George", "F", "Hauser"]
        );
        assert_eq!(words("Dr. Smith of Vlast.kz, С.Ш.А."), ["Dr", "Smith", "of", "Vlast.kz", "С.Ш.А."]);
    }
}
