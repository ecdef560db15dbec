//! `mojibake`: UTF-8 text that was decoded as a single-byte code page somewhere upstream.
//!
//! "Токаев" in UTF-8 read as Windows-1252/Latin-1 becomes "Ð¢Ð¾ÐºÐ°ÐµÐ²"; read as Windows-1251 it
//! becomes "РўРѕРєР°РµРІ"; an apostrophe becomes "â€™". Detection is by byte signature and
//! repair is exact: a word is mojibake when every character maps back to one byte of the code
//! page and those bytes form valid UTF-8 with multi-byte characters. Ordinary Russian text never
//! re-encodes to valid UTF-8 (its letters are all in 0xC0–0xFF), nor does ordinary accented
//! Latin text, so false alarms need a real coincidence; single repaired characters are only
//! accepted when they are punctuation or Latin-1 letters, the usual apostrophe and accent cases.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use super::{DocCtx, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Edit, Fix, Severity};

pub struct Mojibake;

/// char → byte for the upper half of a code page.
struct CodePage {
    name: &'static str,
    to_byte: HashMap<char, u8>,
}

fn code_page(name: &'static str, enc: &'static encoding_rs::Encoding, latin1_controls: bool) -> CodePage {
    let mut to_byte = HashMap::new();
    for b in 0x80u8..=0xFF {
        let byte = [b];
        let (s, _, had_errors) = enc.decode(&byte);
        if let (false, Some(c)) = (had_errors, s.chars().next()) {
            if c != '\u{FFFD}' {
                to_byte.insert(c, b);
            }
        }
        if latin1_controls {
            // Latin-1 proper: C1 controls stand for themselves (0x81, 0x8D, 0x8F, 0x90, 0x9D…).
            to_byte.entry(char::from(b)).or_insert(b);
        }
    }
    CodePage { name, to_byte }
}

static PAGES: LazyLock<[CodePage; 2]> = LazyLock::new(|| {
    [
        code_page("Windows-1252/Latin-1", encoding_rs::WINDOWS_1252, true),
        code_page("Windows-1251", encoding_rs::WINDOWS_1251, false),
    ]
});

/// If `word` is mojibake, its repaired text and the code page it was misread as.
pub(crate) fn repair(word: &str) -> Option<(String, &'static str)> {
    // The first non-ASCII character must stand for a byte that can start a UTF-8 sequence
    // (0xC2–0xF4), or the bytes are no UTF-8: in Windows-1252/Latin-1 those bytes are
    // U+00C2–U+00F4, in Windows-1251 U+0412–U+0444. Most words are rejected here.
    let first = word.chars().find(|c| !c.is_ascii())?;
    if !matches!(first, '\u{C2}'..='\u{F4}' | '\u{412}'..='\u{444}') {
        return None;
    }
    'pages: for page in PAGES.iter() {
        let mut bytes = Vec::with_capacity(word.len());
        for c in word.chars() {
            if c.is_ascii() {
                bytes.push(c as u8);
            } else if let Some(&b) = page.to_byte.get(&c) {
                bytes.push(b);
            } else {
                continue 'pages;
            }
        }
        let Ok(fixed) = String::from_utf8(bytes) else { continue };
        let multi: Vec<char> = fixed.chars().filter(|c| !c.is_ascii()).collect();
        let plausible =
            |c: &char| c.is_alphabetic() || matches!(*c, '\u{2010}'..='\u{206F}' | '\u{00A0}'..='\u{00BF}' | '№' | '€');
        let ok = match multi.len() {
            0 => false,
            1 => {
                let c = multi[0];
                matches!(c, '\u{2010}'..='\u{206F}' | '\u{00A0}'..='\u{00FF}' | '€' | '№')
            }
            _ => multi.iter().all(plausible),
        };
        if ok {
            return Some((fixed, page.name));
        }
    }
    None
}

/// Candidate words: maximal runs without ASCII whitespace that contain a non-ASCII character.
fn candidate_words(line: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    let bytes = line.as_bytes();
    std::iter::from_fn(move || {
        while start < bytes.len() {
            while start < bytes.len() && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
            let mut end = start;
            let mut non_ascii = false;
            while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
                non_ascii |= bytes[end] >= 0x80;
                end += 1;
            }
            let r = start..end;
            start = end;
            if non_ascii && !r.is_empty() {
                return Some(r);
            }
        }
        None
    })
}

impl Rule for Mojibake {
    fn code(&self) -> &'static str {
        "mojibake"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn scope(&self) -> Scope {
        Scope::Block // line by line
    }
    fn summary(&self) -> &'static str {
        "UTF-8 text decoded as a single-byte code page (\"Ð¢Ð¾ÐºÐ°ÐµÐ²\", \"â€™\")."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        if cx.text.is_ascii() {
            return;
        }
        for (_, r) in cx.lines.lines(cx.text) {
            let line = &cx.text[r.clone()];
            // A word is repaired only when its first non-ASCII character is in U+00C2-U+00F4
            // or U+0412-U+0444 (see `repair`), which UTF-8 starts with 0xC3, 0xD0 or 0xD1: a
            // line without those bytes (curly quotes, dashes) has nothing to repair.
            if line.is_ascii() || !line.bytes().any(|b| b == 0xC3 || b.wrapping_sub(0xD0) < 2) {
                continue;
            }
            let mut edits: Vec<Edit> = Vec::new();
            let mut page = "";
            let mut sample = String::new();
            for w in candidate_words(line) {
                let Some((fixed, p)) = repair(&line[w.clone()]) else { continue };
                if sample.is_empty() {
                    sample = format!("“{}” → “{fixed}”", &line[w.clone()]);
                }
                page = p;
                edits.push(Edit { doc: cx.doc, range: r.start + w.start..r.start + w.end, new_text: fixed });
            }
            let (Some(first), Some(last)) = (edits.first(), edits.last()) else { continue };
            let range = first.range.start..last.range.end;
            let n = edits.len();
            let words = if n == 1 { "word" } else { "words" };
            out.push(
                Diagnostic::new(
                    self.code(),
                    range,
                    format!(
                        "mojibake: UTF-8 text decoded as {page} ({n} {words}, e.g. {sample}); repair by re-encoding"
                    ),
                )
                .with_fix(Fix { title: "Repair mojibake".into(), edits, safe: true }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check};

    #[test]
    fn only_the_first_characters_let_through_stand_for_utf8_lead_bytes() {
        for page in PAGES.iter() {
            for (&c, &b) in &page.to_byte {
                if (0xC2..=0xF4).contains(&b) {
                    assert!(matches!(c, '\u{C2}'..='\u{F4}' | '\u{412}'..='\u{444}'), "{} {c:?}", page.name);
                }
            }
        }
    }

    fn as_cp(s: &str, enc: &'static encoding_rs::Encoding) -> String {
        enc.decode(s.as_bytes()).0.into_owned()
    }

    #[test]
    fn latin1_and_cp1251_mojibake_is_repaired() {
        assert_eq!(as_cp("Токаев", encoding_rs::WINDOWS_1252), "Ð¢Ð¾ÐºÐ°ÐµÐ²");
        for (orig, enc) in [
            ("President Токаев said", encoding_rs::WINDOWS_1252),
            ("Касым-Жомарт Токаев заявил", encoding_rs::WINDOWS_1252),
            ("Касым-Жомарт Токаев заявил", encoding_rs::WINDOWS_1251),
            ("Kazakhstan’s president didn’t say", encoding_rs::WINDOWS_1252),
            ("the café in Almaty", encoding_rs::WINDOWS_1252),
            ("Nur-Sultan — the capital", encoding_rs::WINDOWS_1252),
        ] {
            let broken = as_cp(orig, enc);
            let text = format!("Intro.\n{broken}\n");
            let d = check(&Mojibake, &text);
            assert_eq!(d.len(), 1, "{broken}");
            assert!(d[0].fixes[0].safe);
            assert_eq!(apply_first_fix(&text, &d[0]), format!("Intro.\n{orig}\n"), "{broken}");
        }
    }

    #[test]
    fn genuine_text_is_clean() {
        for text in [
            "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин.",
            "Kül-Tegin stele, Zürich, São Paulo, Ørsted, naïve façade",
            "Қасым-Жомарт Тоқаев, Нұрсұлтан Назарбаев",
            "«Oreshnik» — “quoted” … 30 °C, № 5, €300",
            "Тільки Україна, Їжак, ґанок",
            "Ёлка Всё Её",
            "",
        ] {
            assert!(check(&Mojibake, text).is_empty(), "{text}");
        }
    }
}
