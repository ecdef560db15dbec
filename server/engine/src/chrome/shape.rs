//! The shape of one line: what the chrome classifier knows of a line from its text alone,
//! packed into 64 bits so that it can be cached per block with the line (see [`crate::rules::Mark`]).
//!
//! Architecture invariant: a shape depends on the trimmed line's text and nothing else, so a
//! block's shapes are reused when an edit leaves the block unchanged.

use crate::hash::FastMap;
use std::sync::LazyLock;

/// Languages whose stop words are counted; a line's count is the largest over them, so that
/// prose in any of them reads as prose.
const STOP_LANGUAGES: &[&str] = &["en", "ru", "de", "fr", "es", "pt", "it", "nl"];
// A language is a bit of a byte, and its count a byte of a `u64` (see `words_of`).
const _: () = assert!(STOP_LANGUAGES.len() <= 8);

/// Every stop word of [`STOP_LANGUAGES`] up to [`STOP_MAX`] bytes, packed into a `u128` (see
/// [`pack`]), with a bit per language it belongs to.
static STOP_WORDS: LazyLock<FastMap<u128, u8>> = LazyLock::new(|| {
    let mut map: FastMap<u128, u8> = FastMap::default();
    for (i, lang) in STOP_LANGUAGES.iter().enumerate() {
        for w in stop_words::lookup(lang).unwrap_or_default() {
            if let Some(k) = pack(w.chars()) {
                *map.entry(k).or_default() |= 1 << i;
            }
        }
    }
    map
});

/// Longest stop word looked up, in bytes of UTF-8 (longer words are never stop words).
const STOP_MAX: usize = 16;

/// Words of a long line that are looked at for stop words: the density of the first ones is
/// that of the line, and long lines are prose or glued link rails either way.
const STOP_SAMPLE: usize = 16;

/// The lowercase UTF-8 bytes of `chars` as one number, if they fit in [`STOP_MAX`] bytes.
fn pack(chars: impl Iterator<Item = char>) -> Option<u128> {
    let mut buf = [0u8; STOP_MAX];
    let mut n = 0;
    for c in chars.flat_map(char::to_lowercase) {
        let l = c.len_utf8();
        if n + l > STOP_MAX {
            return None;
        }
        c.encode_utf8(&mut buf[n..]);
        n += l;
    }
    Some(u128::from_le_bytes(buf))
}

/// Month names, English and Russian, lowercase (dates in menus, rails and calendars).
pub const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// How a line starts: the list markers a whole-page scraper writes before list items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Marker {
    None = 0,
    /// `* item` (first list level)
    Star = 1,
    /// `+ item` (second level)
    Plus = 2,
    /// `o item` (third level)
    Circle = 3,
    /// `- item`, `– item`, `— item`
    Dash = 4,
    /// `• item`, `› item`, `» item`, `▪ item` and other bullets
    Bullet = 5,
    /// `1. item`, `2) item`
    Number = 6,
}

impl Marker {
    const ALL: [Marker; 7] =
        [Marker::None, Marker::Star, Marker::Plus, Marker::Circle, Marker::Dash, Marker::Bullet, Marker::Number];

    fn from_bits(b: u64) -> Marker {
        Marker::ALL[(b as usize).min(6)]
    }
}

/// Boolean properties of a line.
pub mod flag {
    /// Ends like a sentence: `.`, `!`, `?`, possibly followed by a closing quote or bracket.
    pub const SENTENCE_END: u32 = 1 << 0;
    /// Holds a sentence boundary inside (". " followed by a capital).
    pub const INNER_SENTENCE: u32 = 1 << 1;
    /// No letter and no digit at all ("*", "|", "+", "<<").
    pub const SYMBOLS_ONLY: u32 = 1 << 2;
    /// Digits and punctuation, no letter ("4", "4. 4", "12/05/2024").
    pub const NUMBERS_ONLY: u32 = 1 << 3;
    /// Matches one of the site-chrome pattern families of the `boilerplate` rule.
    pub const PATTERN: u32 = 1 << 4;
    /// A list header ("Read also:", "Latest news") of the `boilerplate` rule.
    pub const LIST_HEADER: u32 = 1 << 5;
    /// Looks like a link or an address: `http`, `www.`, an e-mail, a domain.
    pub const LINK: u32 = 1 << 6;
    /// Letters, all of them capitals ("SHARE THIS", "STORY HIGHLIGHTS").
    pub const ALL_CAPS: u32 = 1 << 7;
    /// Ends with a colon (a label: "Tags:", "Share this:").
    pub const COLON_END: u32 = 1 << 8;
    /// Ends with an ellipsis (a teaser cut short).
    pub const ELLIPSIS_END: u32 = 1 << 9;
    /// Wholly in parentheses or brackets ("(Reporting by …)", "[Related: …]").
    pub const BRACKETED: u32 = 1 << 10;
    /// Two or more items separated by " | ", " / ", " · ", " • " (a footer or menu row).
    pub const SEPARATED: u32 = 1 << 11;
    /// Holds a time or a relative date ("2 hours ago", "10:15", "Nov 28, 2013").
    pub const TIME: u32 = 1 << 12;
    /// Starts with a capital letter (after any marker).
    pub const UPPER_START: u32 = 1 << 13;
    /// Holds a digit.
    pub const DIGITS: u32 = 1 << 14;
    /// Starts with an opening quote.
    pub const QUOTE_START: u32 = 1 << 15;
    /// Holds a copyright sign.
    pub const COPYRIGHT: u32 = 1 << 16;
    /// Ends with a comma, a semicolon or a dash: a sentence continues on the next line.
    pub const CONTINUES: u32 = 1 << 17;
    /// Holds a character of a private-use area or an icon font.
    pub const ICON: u32 = 1 << 18;
    /// Count of [flag] bits.
    pub const COUNT: usize = 19;
}

/// The bit of a packed [`Shape`] where its flags start.
const FLAGS_AT: u32 = 39;

/// The shape of one line, packed: characters (12 bits), words (8), stop words (8), marker (3),
/// capitalised-word share (4), letter share (4), flags ([`flag::COUNT`] bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape(pub u64);

impl Shape {
    pub fn chars(self) -> u32 {
        (self.0 & 0xfff) as u32
    }
    pub fn words(self) -> u32 {
        ((self.0 >> 12) & 0xff) as u32
    }
    pub fn stops(self) -> u32 {
        ((self.0 >> 20) & 0xff) as u32
    }
    pub fn marker(self) -> Marker {
        Marker::from_bits((self.0 >> 28) & 0x7)
    }
    /// Share of words that start with a capital, 0..=15.
    pub fn title_share(self) -> u32 {
        ((self.0 >> 31) & 0xf) as u32
    }
    /// Share of characters that are letters, 0..=15.
    pub fn letter_share(self) -> u32 {
        ((self.0 >> 35) & 0xf) as u32
    }
    pub fn flags(self) -> u32 {
        (self.0 >> FLAGS_AT) as u32
    }
    pub fn has(self, f: u32) -> bool {
        self.flags() & f != 0
    }

    #[allow(clippy::too_many_arguments)]
    fn pack(chars: usize, words: usize, stops: usize, marker: Marker, title: u32, letters: u32, flags: u32) -> Shape {
        let v = (chars.min(0xfff) as u64)
            | ((words.min(0xff) as u64) << 12)
            | ((stops.min(0xff) as u64) << 20)
            | ((marker as u64) << 28)
            | (u64::from(title.min(15)) << 31)
            | (u64::from(letters.min(15)) << 35)
            | (u64::from(flags) << FLAGS_AT);
        Shape(v)
    }
}

/// The list marker at the start of `s` and the text after it.
pub fn split_marker(s: &str) -> (Marker, &str) {
    let b = s.as_bytes();
    let after = |n: usize| s[n..].trim_start();
    match b {
        [b'*', rest @ ..] if rest.first().is_none_or(|&c| c == b' ') => (Marker::Star, after(1)),
        [b'+', rest @ ..] if rest.first().is_none_or(|&c| c == b' ') => (Marker::Plus, after(1)),
        [b'o', b' ', ..] => (Marker::Circle, after(2)),
        [b'-', rest @ ..] if rest.first().is_none_or(|&c| c == b' ') => (Marker::Dash, after(1)),
        [b'>', b' ', ..] => (Marker::Bullet, after(2)),
        [d, ..] if d.is_ascii_digit() => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            match b.get(digits..digits + 2) {
                Some([b'.' | b')', b' ']) if digits <= 3 => (Marker::Number, after(digits + 1)),
                _ => (Marker::None, s),
            }
        }
        [c, ..] if *c >= 0x80 => {
            let first = s.chars().next().unwrap_or(' ');
            match first {
                '–' | '—' => (Marker::Dash, after(first.len_utf8())),
                '•' | '›' | '»' | '▪' | '●' | '◦' | '‣' | '∙' | '·' | '►' | '▶' | '■' | '□' | '◆' | '★' | '☆' | '→' => {
                    (Marker::Bullet, after(first.len_utf8()))
                }
                _ => (Marker::None, s),
            }
        }
        _ => (Marker::None, s),
    }
}

/// The languages (bits) in which `w`, a word without surrounding punctuation, is a stop word.
fn stop_bits(w: &str) -> u8 {
    if w.is_empty() || w.len() > STOP_MAX {
        return 0;
    }
    let key = match ascii_key(w.as_bytes()) {
        Some(k) => k,
        None => match pack(w.chars()) {
            Some(k) => k,
            None => return 0,
        },
    };
    STOP_WORDS.get(&key).copied().unwrap_or(0)
}

/// The lowercase bytes of an ASCII word of at most 16 bytes packed as [`pack`] does, lowered
/// eight bytes at a time; `None` when the word is not ASCII.
fn ascii_key(w: &[u8]) -> Option<u128> {
    let mut buf = [0u8; 16];
    buf.get_mut(..w.len())?.copy_from_slice(w);
    let (lo, hi) = (u64::from_le_bytes(buf[..8].try_into().ok()?), u64::from_le_bytes(buf[8..].try_into().ok()?));
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if (lo | hi) & HIGH != 0 {
        return None;
    }
    // With every byte below 0x80 no sum carries into the next byte: a byte's top bit is set
    // after adding 0x3f when it is 'A' or above, and after adding 0x25 when it is above 'Z'.
    let lower = |x: u64| {
        let upper = (x + 0x3f3f_3f3f_3f3f_3f3f) & !(x + 0x2525_2525_2525_2525) & HIGH;
        x | (upper >> 2)
    };
    Some(u128::from(lower(lo)) | u128::from(lower(hi)) << 64)
}

/// Bytes of a line read for its shares and flags.
const HEAD: usize = 96;

/// The largest character boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&k| s.is_char_boundary(k)).unwrap_or(0)
}

/// Counts gathered in one pass over a line.
#[derive(Default)]
struct Counts {
    chars: usize,
    letters: usize,
    upper: usize,
    lower: usize,
    digits: usize,
    flags: u32,
}

impl Counts {
    #[inline]
    fn ascii(&mut self, b: u8) {
        self.chars += 1;
        if b.is_ascii_alphabetic() {
            self.letters += 1;
            if b.is_ascii_uppercase() {
                self.upper += 1;
            } else {
                self.lower += 1;
            }
        } else if b.is_ascii_digit() {
            self.digits += 1;
        }
    }

    fn of(body: &str) -> Counts {
        if body.is_ascii() {
            return Counts::of_ascii(body.as_bytes());
        }
        let mut c = Counts::default();
        for ch in body.chars() {
            if ch.is_ascii() {
                c.ascii(ch as u8);
                continue;
            }
            c.chars += 1;
            if ('\u{400}'..='\u{45f}').contains(&ch) {
                // Cyrillic letters without diacritics: capitals up to U+042F, small ones after.
                c.letters += 1;
                if ch < '\u{430}' {
                    c.upper += 1;
                } else {
                    c.lower += 1;
                }
            } else if ch.is_alphabetic() {
                c.letters += 1;
                if ch.is_uppercase() {
                    c.upper += 1;
                } else if ch.is_lowercase() {
                    c.lower += 1;
                }
            } else if ch.is_numeric() {
                c.digits += 1;
            } else if ('\u{e000}'..='\u{f8ff}').contains(&ch) {
                c.flags |= flag::ICON;
            } else if ch == '©' {
                c.flags |= flag::COPYRIGHT;
            }
        }
        c
    }

    /// [`Counts::of`] ASCII bytes, in one pass without branches that the compiler vectorises.
    fn of_ascii(bytes: &[u8]) -> Counts {
        let (mut upper, mut lower, mut digits) = (0usize, 0usize, 0usize);
        for run in bytes.chunks(255) {
            let (mut u, mut l, mut d) = (0u8, 0u8, 0u8);
            for &b in run {
                u += u8::from(b.is_ascii_uppercase());
                l += u8::from(b.is_ascii_lowercase());
                d += u8::from(b.is_ascii_digit());
            }
            upper += usize::from(u);
            lower += usize::from(l);
            digits += usize::from(d);
        }
        Counts { chars: bytes.len(), letters: upper + lower, upper, lower, digits, flags: 0 }
    }
}

/// Words, stop words and capitalised words of a line, and the flags found on the way.
struct Words {
    words: usize,
    stops: usize,
    titled: usize,
    flags: u32,
}

/// A byte of language bits spread to a byte a language: bit `i` becomes byte `i`, which is 1.
static SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b] |= ((b as u64 >> i) & 1) << (8 * i);
            i += 1;
        }
        b += 1;
    }
    t
};

/// Does the word look like an address: `://`, `www.` at its start, or `@` and a dot?
fn link_like(w: &[u8]) -> bool {
    if w.starts_with(b"www.") {
        return true;
    }
    let (mut at, mut dot) = (false, false);
    for (i, &b) in w.iter().enumerate() {
        match b {
            b':' if w[i + 1..].starts_with(b"//") => return true,
            b'@' => at = true,
            b'.' => dot = true,
            _ => {}
        }
    }
    at && dot
}

fn words_of(body: &str) -> Words {
    let (mut words, mut titled) = (0usize, 0usize);
    // Stop words counted per language, a byte a language (at most STOP_SAMPLE each).
    let mut by_lang = 0u64;
    let mut flags = 0;
    let mut prev_end_sentence = false;
    // Only a line with a colon or an at sign can hold an address other than `www.`.
    let marks = memchr::memchr2(b':', b'@', body.as_bytes()).is_some();
    for w in body.split_ascii_whitespace() {
        let core = word_core(w);
        let Some(first) = core.chars().next() else {
            prev_end_sentence = false;
            continue;
        };
        words += 1;
        if first.is_uppercase() {
            titled += 1;
            if prev_end_sentence {
                flags |= flag::INNER_SENTENCE;
            }
        }
        prev_end_sentence = w.len() > 2 && w.ends_with(['.', '!', '?']);
        if words <= STOP_SAMPLE {
            by_lang += SPREAD[usize::from(stop_bits(core))];
            if w.len() > 4 && (w.starts_with("www.") || (marks && link_like(w.as_bytes()))) {
                flags |= flag::LINK;
            }
        }
    }
    let best = by_lang.to_le_bytes().into_iter().max().unwrap_or(0) as usize;
    let stops = if words > 0 { best * words / words.min(STOP_SAMPLE) } else { 0 };
    Words { words, stops, titled, flags }
}

/// How many items separators (" | ", " / ", " · ", " • ") the line holds.
fn separators(body: &str) -> usize {
    let b = body.as_bytes();
    let spaced = |at: usize, len: usize| at > 0 && b[at - 1] == b' ' && b.get(at + len) == Some(&b' ');
    memchr::memchr3_iter(b'|', b'/', 0xb7, b)
        .filter(|&i| match b[i] {
            0xb7 => i > 0 && b[i - 1] == 0xc2 && spaced(i - 1, 2),
            _ => spaced(i, 1),
        })
        .count()
        + memchr::memchr_iter(0xa2, b).filter(|&i| i >= 2 && b[i - 2..i] == [0xe2, 0x80] && spaced(i - 2, 3)).count()
}

/// Characters (bytes that start one) and spaces of `bytes`, in one pass that the compiler
/// vectorises: counts are kept in bytes over runs of at most 255 bytes.
fn chars_and_spaces(bytes: &[u8]) -> (usize, usize) {
    let (mut chars, mut spaces) = (0usize, 0usize);
    for run in bytes.chunks(255) {
        let (mut c, mut s) = (0u8, 0u8);
        for &b in run {
            c += u8::from(b & 0xc0 != 0x80);
            s += u8::from(b == b' ');
        }
        chars += usize::from(c);
        spaces += usize::from(s);
    }
    (chars, spaces)
}

/// `w` without the characters around it that are not letters or digits; ASCII bytes are
/// trimmed without decoding.
fn word_core(w: &str) -> &str {
    let b = w.as_bytes();
    let start = b.iter().position(|&c| !c.is_ascii() || c.is_ascii_alphanumeric()).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !c.is_ascii() || c.is_ascii_alphanumeric()).map_or(start, |i| i + 1);
    let w = &w[start..end.max(start)];
    if w.is_ascii() {
        w
    } else {
        w.trim_matches(|c: char| !c.is_alphanumeric())
    }
}

/// Does the line read like a line of code, a table row or a protocol listing: box-drawing
/// characters, a quarter or more of its characters symbols, an identifier (`snake_case`,
/// `camelCase`), a token of code (`()`, ` = `, `->`, `::`, braces, tags, `==`, `&&`, `||`, a
/// shell prompt), or a short or lowercase line ending in code punctuation? Asked of the few
/// lines that the classifier flags inside the article (see [`super::keep_listings`]), so it
/// may read the whole line.
pub fn code_like(line: &str) -> bool {
    let (_, body) = split_marker(line);
    if body.chars().any(|c| ('\u{2500}'..='\u{257f}').contains(&c)) {
        return true;
    }
    let n = body.chars().count().max(1);
    let symbols = body.chars().filter(|c| !c.is_alphanumeric() && !c.is_whitespace()).count();
    let identifier = body.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
        w.contains('_')
            || (w.chars().next().is_some_and(char::is_lowercase) && w.chars().skip(1).any(char::is_uppercase))
    });
    const TOKENS: &[&str] = &["()", " = ", "->", "::", "{", "}", "</", "/>", "==", "&&", "||", "$ "];
    let token = TOKENS.iter().any(|t| body.contains(t));
    let code_end = body.ends_with([';', '{', '}', '(', ')', '[', ']', ',', '\\']) && !body.contains(". ");
    let lower = body.chars().next().is_some_and(char::is_lowercase);
    symbols * 4 > n || identifier || token || (code_end && (lower || n < 30))
}

/// Lines up to this long (in bytes) have their shape remembered: chrome lines are short and
/// recur from page to page of a site.
const MEMO_MAX: usize = 160;

/// How many shapes a thread remembers before it starts over.
const MEMO_CAP: usize = 1 << 12;

thread_local! {
    static MEMO: crate::hash::LineMemo<Shape> = Default::default();
}

/// The shape of a trimmed, non-empty line. `pattern` and `list_header` come from the
/// `boilerplate` rule's own patterns.
pub fn shape(line: &str, pattern: bool, list_header: bool) -> Shape {
    let mut extra = 0;
    if pattern {
        extra |= flag::PATTERN;
    }
    if list_header {
        extra |= flag::LIST_HEADER;
    }
    let with = |s: Shape| Shape(s.0 | u64::from(extra) << FLAGS_AT);
    if line.len() > MEMO_MAX {
        return with(shape_of(line));
    }
    with(crate::hash::remembered(&MEMO, MEMO_CAP, line, shape_of))
}

/// [`shape`] without the pattern flags, computed.
fn shape_of(line: &str) -> Shape {
    let (marker, body) = split_marker(line);
    // A long line is read in full only to count its words: its shares and flags are those of
    // its head, and counts above the fields' caps make no difference.
    let head = &body[..floor_char_boundary(body, HEAD)];
    let mut c = Counts::of(head);
    let mut w = words_of(head);
    if head.len() < body.len() {
        let (chars, more) = chars_and_spaces(&body.as_bytes()[head.len()..]);
        c.chars += chars;
        w.stops += w.stops * more / w.words.max(1);
        w.words += more;
    }
    let mut flags = c.flags | w.flags;
    if c.letters == 0 && c.digits == 0 {
        flags |= flag::SYMBOLS_ONLY;
    } else if c.letters == 0 {
        flags |= flag::NUMBERS_ONLY;
    }
    if c.digits > 0 {
        flags |= flag::DIGITS;
    }
    if c.letters >= 2 && c.lower == 0 && c.upper >= 2 {
        flags |= flag::ALL_CAPS;
    }
    let end = body.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '*']);
    if end.ends_with(['.', '!', '?']) && !end.ends_with("...") {
        flags |= flag::SENTENCE_END;
    }
    if end.ends_with("...") || end.ends_with('…') {
        flags |= flag::ELLIPSIS_END;
    }
    if body.ends_with(':') {
        flags |= flag::COLON_END;
    }
    if body.ends_with([',', ';', '-', '–', '—']) {
        flags |= flag::CONTINUES;
    }
    if (body.starts_with('(') && body.ends_with(')')) || (body.starts_with('[') && body.ends_with(']')) {
        flags |= flag::BRACKETED;
    }
    if body.starts_with(['"', '“', '«', '„', '\'', '‘']) {
        flags |= flag::QUOTE_START;
    }
    if body.chars().next().is_some_and(char::is_uppercase) {
        flags |= flag::UPPER_START;
    }
    if separators(body) >= 2 {
        flags |= flag::SEPARATED;
    }
    if c.digits > 0 && has_time(head) {
        flags |= flag::TIME;
    }
    let title = (w.titled * 15).checked_div(w.words).unwrap_or(0) as u32;
    let letter_share = (c.letters * 15).checked_div(c.chars).unwrap_or(0) as u32;
    Shape::pack(c.chars, w.words, w.stops, marker, title, letter_share, flags)
}

/// The words [`has_time`] looks for, lowercase.
fn time_words() -> impl Iterator<Item = &'static str> {
    MONTHS.iter().copied().chain(["ago", "назад"])
}

/// The first bytes of [`time_words`]: most words start with none of them and are not looked up.
static TIME_WORD_START: LazyLock<[bool; 256]> = LazyLock::new(|| {
    let mut t = [false; 256];
    for w in time_words() {
        t[usize::from(w.as_bytes()[0])] = true;
    }
    t
});

/// [`time_words`] as [`time_key`]s.
static TIME_WORDS: LazyLock<crate::hash::FastSet<u128>> =
    LazyLock::new(|| time_words().map(|w| time_key(w.as_bytes())).collect());

/// The bytes of a word of at most 16 bytes (longer ones are cut), ASCII letters lowered, as
/// one number: two words have the same key when they are equal ignoring ASCII case.
fn time_key(w: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    u128::from_le_bytes(buf)
}

/// A clock time ("10:15"), a relative date ("2 hours ago", "3 days ago") or a short date with a
/// month name ("Nov 28, 2013", "28 November").
fn has_time(s: &str) -> bool {
    let b = s.as_bytes();
    let clock = memchr::memchr_iter(b':', b)
        .any(|i| i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit));
    if clock {
        return true;
    }
    if s.len() > 100 {
        return false;
    }
    // `w` is "ago", "назад" or a month name, ASCII letters in any case.
    let time_word = |w: &[u8]| {
        (2..=9).contains(&w.len())
            && TIME_WORD_START[usize::from(w[0].to_ascii_lowercase())]
            && TIME_WORDS.contains(&time_key(w))
    };
    if s.is_ascii() {
        // The same words, split between bytes without decoding.
        return b.split(|c| !c.is_ascii_alphabetic()).any(time_word);
    }
    s.split(|c: char| !c.is_alphabetic()).any(|w| time_word(w.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(split_marker("* News").0, Marker::Star);
        assert_eq!(split_marker("*").0, Marker::Star);
        assert_eq!(split_marker("+ World Home").0, Marker::Plus);
        assert_eq!(split_marker("o Item").0, Marker::Circle);
        assert_eq!(split_marker("– Item").0, Marker::Dash);
        assert_eq!(split_marker("› More").0, Marker::Bullet);
        assert_eq!(split_marker("4. Four").0, Marker::Number);
        assert_eq!(split_marker("2024. The year").0, Marker::None);
        assert_eq!(split_marker("once upon").0, Marker::None);
        assert_eq!(split_marker("*Note").0, Marker::None);
        assert_eq!(split_marker("* News").1, "News");
    }

    #[test]
    fn prose_and_chrome_shapes() {
        let p = shape("The president said that the reform would continue in the autumn.", false, false);
        assert!(p.has(flag::SENTENCE_END));
        assert_eq!(p.words(), 11);
        assert!(p.stops() >= 4, "{}", p.stops());
        let m = shape("* Video", false, false);
        assert_eq!(m.marker(), Marker::Star);
        assert_eq!(m.words(), 1);
        assert_eq!(m.stops(), 0);
        assert!(shape("|", false, false).has(flag::SYMBOLS_ONLY));
        assert!(shape("4. 4", false, false).has(flag::NUMBERS_ONLY));
        assert!(shape("Home | Video | World | U.S.", false, false).has(flag::SEPARATED));
        assert!(shape("2 hours ago on Politics", false, false).has(flag::TIME));
        let r =
            shape("Президент заявил, что реформа будет продолжена и что он не видит в этом проблемы.", false, false);
        assert!(r.stops() >= 4, "{}", r.stops());
        assert!(shape("(Reporting by Jane Doe; editing by John Roe)", false, false).has(flag::BRACKETED));
    }

    #[test]
    fn fast_counts_equal_their_definitions() {
        for s in [
            "",
            "a b  c",
            "Президент заявил, что",
            "«Quoted» words… and (brackets).",
            "x ".repeat(400).as_str(),
            "—",
            "1.",
            "..a..",
            "(«Нур»)",
        ] {
            let chars = s.chars().count();
            let spaces = s.bytes().filter(|&b| b == b' ').count();
            assert_eq!(chars_and_spaces(s.as_bytes()), (chars, spaces), "{s:?}");
            for w in s.split_ascii_whitespace() {
                assert_eq!(word_core(w), w.trim_matches(|c: char| !c.is_alphanumeric()), "{w:?}");
            }
        }
    }

    /// [`Counts::of`] as it reads without its fast paths.
    fn slow_counts(body: &str) -> (usize, usize, usize, usize, usize, u32) {
        let mut c = (0, 0, 0, 0, 0, 0);
        for ch in body.chars() {
            c.0 += 1;
            if ch.is_alphabetic() {
                c.1 += 1;
                if ch.is_uppercase() {
                    c.2 += 1;
                } else if ch.is_lowercase() {
                    c.3 += 1;
                }
            } else if ch.is_numeric() {
                c.4 += 1;
            } else if ('\u{e000}'..='\u{f8ff}').contains(&ch) {
                c.5 |= flag::ICON;
            } else if ch == '©' {
                c.5 |= flag::COPYRIGHT;
            }
        }
        c
    }

    #[test]
    fn fast_paths_equal_their_definitions() {
        let cyrillic: String = ('\u{3f0}'..='\u{470}').collect();
        let ascii: String = (0u8..0x80).map(char::from).collect();
        for s in [
            cyrillic.as_str(),
            ascii.as_str(),
            "РљР°Р·Р°С…СЃС‚Р°РЅ: — This decision",
            "Ёлка и ёж, Ђ and ѝ © \u{e009}",
            "Views: 63471",
        ] {
            let c = Counts::of(s);
            assert_eq!((c.chars, c.letters, c.upper, c.lower, c.digits, c.flags), slow_counts(s), "{s:?}");
        }
        let old_link = |w: &str| w.contains("://") || w.starts_with("www.") || (w.contains('@') && w.contains('.'));
        for w in ["https://x.org", "www.site", "a@b.c", "a@b", "a.b", "x:/y", "x:", "10:15", "mail@", "://"] {
            assert_eq!(link_like(w.as_bytes()), old_link(w), "{w}");
        }
        for w in ["The", "AND", "über", "x", "ABCDEFGHIJKLMNOP", "@[`{~Zz09", "Президент", "and\u{7f}"] {
            let old = w.is_ascii().then(|| {
                let mut buf = [0u8; STOP_MAX];
                for (d, s) in buf.iter_mut().zip(w.bytes()) {
                    *d = s.to_ascii_lowercase();
                }
                u128::from_le_bytes(buf)
            });
            assert_eq!(ascii_key(w.as_bytes()), old, "{w}");
        }
        assert!(stop_bits("The") != 0 && stop_bits("И") != 0 && stop_bits("Council") == 0);
        let old_time = |s: &str| {
            s.split(|c: char| !c.is_alphabetic()).any(|w| {
                (2..=9).contains(&w.len())
                    && (w.eq_ignore_ascii_case("ago")
                        || w == "назад"
                        || MONTHS.iter().any(|m| m.len() == w.len() && m.eq_ignore_ascii_case(w)))
            })
        };
        for s in
            ["2 hours ago", "Nov 28, 2013", "28 NOVEMBER", "in 2 Agos", "3 декабрь", "1 Декабрь", "Sept. 3", "4. 4"]
        {
            assert_eq!(has_time(s), old_time(s), "{s}");
        }
    }

    #[test]
    fn code_and_table_lines() {
        for s in [
            "SELECT status_code, count(*) FROM requests",
            "500 │ 2020-08-01 17:56:00+00 │ 0 │ 0.147",
            "let total = parse_line(buf);",
            "fn main() {",
            "if (x == 1) { return; }",
            "$ cargo build --release",
            "getElementById",
        ] {
            assert!(code_like(s), "{s}");
        }
        for s in [
            "The council voted on the budget after a long debate.",
            "Home | News | World | Sport",
            "Share this article",
            "(Reporting by Jane Doe; Editing by John Roe)",
            "Президент заявил, что реформа будет продолжена.",
        ] {
            assert!(!code_like(s), "{s}");
        }
    }

    #[test]
    fn remembered_shapes_equal_computed_ones() {
        for line in ["* Video", "Read also:", "The president said that the reform would continue.", "x"] {
            let computed = shape_of(line);
            assert_eq!(shape(line, false, false), computed);
            assert_eq!(shape(line, false, false), computed, "second time, from the memo");
            let marked = shape(line, true, true);
            assert!(marked.has(flag::PATTERN) && marked.has(flag::LIST_HEADER));
            assert_eq!(marked.0 & !(u64::from(flag::PATTERN | flag::LIST_HEADER) << FLAGS_AT), computed.0);
        }
    }

    #[test]
    fn odd_lines_do_not_panic() {
        for s in ["*", "o", "1.", "\u{e009}", "ǅ\u{300}x", "…", "9999999999999999999999999"] {
            let _ = shape(s, false, false);
        }
        let long = "word ".repeat(5000);
        let s = shape(long.trim(), false, false);
        assert_eq!(s.words(), 255);
        assert_eq!(s.chars(), 0xfff);
    }
}
