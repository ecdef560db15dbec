//! `glued-footnote`: an image or footnote index glued to the last word of a line.
//!
//! Pages number their photos and notes ("…30 октября 2024 года3", "…the 1916 uprising2"); the
//! scraper glues the index to the caption or sentence it belonged to. The rule looks at the end
//! of a line (a caption or a paragraph): a lowercase word of at least three letters followed
//! directly by one or two digits. Unit and model tokens ("km2", "m3", "CO2", "Su27", "MH17")
//! are left alone: they are short or carry capitals. The fix removes the digits.

use super::{trimmed, DocCtx, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Fix, Severity};

pub struct GluedFootnote;

/// Chemical and unit tokens written in lowercase that legitimately end in a digit.
const KEEP: &[&str] =
    &["mp3", "mp4", "h2o", "co2", "no2", "so2", "ch4", "km2", "cm2", "cm3", "mm2", "ft2", "sq2", "web3"];

/// Byte range (within `line`) of digits glued to a word at the end of the line, if any.
fn glued_digits(line: &str) -> Option<std::ops::Range<usize>> {
    let body = line.trim_end_matches(['.', ',', ';', ')']);
    let digits_start = body.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let ndigits = body.len() - digits_start;
    if !(1..=2).contains(&ndigits) {
        return None;
    }
    let word_part = &body[..digits_start];
    let word_start = word_part
        .rfind(|c: char| !c.is_alphabetic())
        .map_or(0, |i| i + word_part[i..].chars().next().map_or(1, char::len_utf8));
    let word = &word_part[word_start..];
    let mut letters = 0;
    for (i, c) in word.chars().enumerate() {
        // Capitals only as the first letter: "Kremlin4" yes, "MH17" / "iPhone15" no.
        if c.is_uppercase() && i > 0 {
            return None;
        }
        letters += 1;
    }
    if letters < 3 || !word.chars().last().is_some_and(char::is_lowercase) {
        return None;
    }
    let token = &body[word_start..];
    if KEEP.iter().any(|k| token.eq_ignore_ascii_case(k)) {
        return None;
    }
    Some(digits_start..body.len())
}

impl Rule for GluedFootnote {
    fn code(&self) -> &'static str {
        "glued-footnote"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn scope(&self) -> Scope {
        Scope::Block // line by line
    }
    fn summary(&self) -> &'static str {
        "An image or footnote index glued to the last word of a line (\"года3\")."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            let line = &cx.text[t.clone()];
            let Some(last) = line.as_bytes().last() else { continue };
            if !last.is_ascii_digit() && !matches!(last, b'.' | b',' | b';' | b')') {
                continue;
            }
            let Some(g) = glued_digits(line) else { continue };
            let range = t.start + g.start..t.start + g.end;
            let digits = &line[g.clone()];
            let word_end = &line[..g.start];
            let word = word_end.rsplit(|c: char| !c.is_alphabetic()).next().unwrap_or(word_end);
            out.push(
                Diagnostic::new(
                    self.code(),
                    range.clone(),
                    format!("index “{digits}” glued to the word “{word}” (an image or footnote number); remove it"),
                )
                .with_fix(Fix::replace(format!("Remove glued “{digits}”"), cx.doc, range, "").safe()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check};

    #[test]
    fn glued_digits_at_line_end_are_removed() {
        for (line, fixed) in [
            (
                "Генсек ОДКБ Имангали Тасмагамбетов (слева). Минск, 30 октября 2024 года3",
                "Генсек ОДКБ Имангали Тасмагамбетов (слева). Минск, 30 октября 2024 года",
            ),
            ("Минск, 30 октября 2024 года4", "Минск, 30 октября 2024 года"),
            (
                "The skull was returned to the homeland of the batyr12",
                "The skull was returned to the homeland of the batyr",
            ),
            ("President Tokayev at the congress in Astana2.", "President Tokayev at the congress in Astana."),
        ] {
            let text = format!("Intro.\n{line}\n");
            let d = check(&GluedFootnote, &text);
            assert_eq!(d.len(), 1, "{line}");
            assert!(d[0].fixes[0].safe);
            assert_eq!(apply_first_fix(&text, &d[0]), format!("Intro.\n{fixed}\n"));
        }
    }

    #[test]
    fn numbers_units_and_models_are_left_alone() {
        for line in [
            "Minsk, 30 October 2024",
            "The area is 500 km2",
            "Emissions of CO2",
            "The plane was an Su27",
            "Flight MH17",
            "He was sentenced to 10",
            "the G20",
            "in 2016",
            "the iPhone15",
            "Tokayev won 81.3",
            "go3",
            "",
            "7",
            "года123",
        ] {
            assert!(check(&GluedFootnote, line).is_empty(), "{line}");
        }
    }
}
