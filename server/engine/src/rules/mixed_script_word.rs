//! `mixed-script-word`: a word that mixes scripts, usually a Latin word with a Cyrillic
//! homoglyph ("wоrd" with a Cyrillic о) or the reverse.
//!
//! Such words come from OCR, from hand-edited translations and from sites that obfuscate text;
//! they break search, entity linking and spell-checking while looking perfectly normal. A word
//! (letters joined by hyphens and apostrophes count as separate parts) is mixed when it is not
//! single-script in the sense of UTS #39. The fix replaces the minority script's letters by
//! their confusable look-alikes in the majority script, using the UTS #39 confusable skeletons
//! for Cyrillic → Latin and a table of the common look-alikes for Latin → Cyrillic; a word
//! whose foreign letters have no look-alike is reported without a fix.

use std::ops::Range;

use unicode_security::MixedScript;

use super::{DocCtx, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Fix, Severity};
use crate::translit::is_cyrillic;

pub struct MixedScriptWord;

/// Latin letters and the Cyrillic letters they are confused with.
const LATIN_TO_CYRILLIC: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('i', 'і'),
    ('j', 'ј'),
    ('o', 'о'),
    ('p', 'р'),
    ('s', 'ѕ'),
    ('x', 'х'),
    ('y', 'у'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('I', 'І'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('X', 'Х'),
    ('Y', 'У'),
];

/// The Latin look-alike of a Cyrillic letter, from the UTS #39 skeleton.
fn latin_lookalike(c: char) -> Option<char> {
    let mut buf = [0u8; 4];
    let mut sk = unicode_security::skeleton(c.encode_utf8(&mut buf));
    let l = sk.next()?;
    if sk.next().is_some() || !l.is_ascii_alphabetic() {
        return None;
    }
    // Skeletons fold case ("В" → "B" but "в" → "B" too); keep only look-alikes of the same case.
    (c.is_uppercase() == l.is_ascii_uppercase()).then_some(l)
}

fn cyrillic_lookalike(c: char) -> Option<char> {
    LATIN_TO_CYRILLIC.iter().find(|(l, _)| *l == c).map(|(_, k)| *k)
}

/// Word parts of a line: maximal runs of letters and combining marks (digits split nothing).
fn parts(line: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut it = line.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let &(i, c) = it.peek()?;
            if c.is_alphabetic() {
                break i;
            }
            it.next();
        };
        let mut end = start;
        while let Some(&(i, c)) = it.peek() {
            if !(c.is_alphanumeric() || is_mark(c)) {
                break;
            }
            end = i + c.len_utf8();
            it.next();
        }
        Some(start..end)
    })
}

/// Can a word of `line` mix ASCII letters with other characters? Such a word has an ASCII
/// letter or digit right next to a non-ASCII letter, digit or mark; only the non-ASCII
/// characters of the line are looked at.
fn may_mix(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| b >= 0x80) {
        let p = i + p;
        let Some(c) = line[p..].chars().next() else { return true };
        let end = p + c.len_utf8();
        let ascii_next = (p > 0 && bytes[p - 1].is_ascii_alphanumeric())
            || bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric());
        if ascii_next && (c.is_alphanumeric() || is_mark(c)) {
            return true;
        }
        i = end;
    }
    false
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// The repaired word, if every minority-script letter has a look-alike in the majority script.
fn repair(word: &str) -> Option<String> {
    let (mut cyr, mut lat) = (0, 0);
    for c in word.chars() {
        if is_cyrillic(c) {
            cyr += 1;
        } else if c.is_ascii_alphabetic() {
            lat += 1;
        }
    }
    let to_latin = lat >= cyr;
    word.chars()
        .map(|c| {
            if to_latin && is_cyrillic(c) {
                latin_lookalike(c)
            } else if !to_latin && c.is_ascii_alphabetic() {
                cyrillic_lookalike(c)
            } else {
                Some(c)
            }
        })
        .collect()
}

impl Rule for MixedScriptWord {
    fn code(&self) -> &'static str {
        "mixed-script-word"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn scope(&self) -> Scope {
        Scope::Block // line by line
    }
    fn summary(&self) -> &'static str {
        "A word mixing scripts, such as a Latin word with a Cyrillic homoglyph."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in cx.lines.lines(cx.text) {
            let line = &cx.text[r.clone()];
            // Cheap pre-check: a mixed word needs a non-ASCII letter and an ASCII letter.
            if line.is_ascii() || !line.bytes().any(|b| b.is_ascii_alphabetic()) || !may_mix(line) {
                continue;
            }
            for p in parts(line) {
                let w = &line[p.clone()];
                if w.is_ascii() || !w.bytes().any(|b| b.is_ascii_alphabetic()) || w.is_single_script() {
                    continue;
                }
                let range = r.start + p.start..r.start + p.end;
                let scripts = if w.chars().any(is_cyrillic) { "Latin and Cyrillic" } else { "several scripts" };
                let mut d = Diagnostic::new(self.code(), range.clone(), String::new());
                match repair(w) {
                    Some(fixed) if fixed != w => {
                        d.message = format!(
                            "“{w}” mixes {scripts} letters that look alike; it reads as “{fixed}” but will not match it in search or linking"
                        );
                        d.fixes.push(Fix::replace(format!("Replace homoglyphs: “{fixed}”"), cx.doc, range, fixed));
                    }
                    _ => d.message = format!("“{w}” mixes {scripts} letters in one word"),
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check};

    #[test]
    fn homoglyphs_are_replaced_toward_the_majority_script() {
        for (text, fixed) in [
            ("Mixed w\u{43e}rd here", "Mixed word here"),
            ("President T\u{43e}k\u{430}yev said", "President Tokayev said"),
            ("\u{421}STO", "CSTO"),
            ("Т\u{61}смагамбетов", "Тасмагамбетов"),
            ("Минск, 30 oктября", "Минск, 30 октября"),
        ] {
            let d = check(&MixedScriptWord, text);
            assert_eq!(d.len(), 1, "{text}");
            assert_eq!(apply_first_fix(text, &d[0]), fixed, "{text}");
        }
    }

    #[test]
    fn mixed_word_without_lookalike_has_no_fix() {
        let d = check(&MixedScriptWord, "Tokaевич");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn single_script_words_are_clean() {
        for text in [
            "Tasmagambetov and Тасмагамбетов",
            "Kül-Tegin, Zürich, naïve",
            "TikTok и Viber",
            "iPhone-ом",
            "COVID-19, Су-27, 2024года",
            "Қасым-Жомарт Тоқаев",
            "",
            "\u{301}",
        ] {
            assert!(check(&MixedScriptWord, text).is_empty(), "{text}");
        }
    }
}
