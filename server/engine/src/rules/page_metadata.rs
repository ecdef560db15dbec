//! `page-metadata` (information): the page's metadata lines, kept apart from the article text.
//!
//! Not errors, but not prose either: the byline ("By Ainur Kurmanov", "Author: …", or a bare
//! name next to the date at the top), date/time lines ("02.03.2022 23:57", "March 2, 2022,
//! 10:15", "Updated: 2024-05-01"), the time-zone remnant of a split date line
//! ("(Moscow time), Moscow"), and rubric lines — comma- or pipe-separated category lists such
//! as "Author column, Denazification, Donbass, Kazakhstan, Policy".

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{is_ignored, trimmed, DocCtx, Mark, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Severity};

pub struct PageMetadata;

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)";

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let piece = format!(
        r"(?:\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}(?:T[\d:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?|\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s*[ap]\.?m\.?)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\.?|{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{4}}(?:\s*(?:year|г\.?|года))?|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|\d+\s+(?:minutes?|mins?|hours?|days?)\s+ago|today|yesterday|published|updated|posted|modified|created|last updated|date|time|at|on|\(?(?:msk|gmt|utc|cet|ast|almt|[a-z]+ time)\)?|[+-]\d{{2}}:?\d{{2}})"
    );
    Regex::new(&format!(r"(?i)^(?:{piece}[\s,|/–—:.-]*)+$")).unwrap_or_else(|e| panic!("{e}"))
});

static HAS_DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\d{{1,2}}[./:-]\d{{1,2}}|\d{{1,2}}\s+{MONTH}|{MONTH}\.?\s+\d{{1,2}}|\d{{4}}|\d+\s+(?:minutes?|mins?|hours?|days?)\s+ago"))
        .unwrap_or_else(|e| panic!("{e}"))
});

/// "(Moscow time), Moscow", "(Astana time)".
static TIMEZONE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\(\s*(?:\p{Lu}\p{Ll}+\s+)?[Tt]ime\s*\)(?:\s*,\s*\p{Lu}[\p{L}-]*(?:\s+\p{Lu}[\p{L}-]*)?)?\.?$")
        .unwrap_or_else(|e| panic!("{e}"))
});

static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:by|author|authors|text|written by|reporter|correspondent|editor|prepared by|автор|текст)\s*:?\s+\p{Lu}[\p{L}.'’-]*(?:[\s,&]+(?:and\s+)?\p{Lu}[\p{L}.'’-]*){0,5}\s*\.?$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

/// A bare personal name: two or three capitalised words, optionally closed by a full stop.
static BARE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)?(?:\s+\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)?){1,2}\.?$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// "Photo: press service of the ministry", "Source: Kazinform".
static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:photo|photos|photo credit|фото|source|источник|illustration|video|cover photo)\s*:\s*\S.*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

static RUBRIC_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:category|categories|rubric|rubrics|section|topic|topics|рубрика|раздел)\s*:\s*\S")
        .unwrap_or_else(|e| panic!("{e}"))
});

pub(crate) fn is_date_line(s: &str) -> bool {
    s.len() <= 90 && s.bytes().any(|b| b.is_ascii_digit()) && DATE_LINE.is_match(s) && HAS_DATE_OR_TIME.is_match(s)
}

/// Words allowed in lowercase inside a rubric item ("Story of the day", "War in Ukraine").
/// Can `s` start like [`BYLINE`] ("By", "Author", "Text", "Written by", "Reporter",
/// "Correspondent", "Editor", "Prepared by", or a Cyrillic word)? A cheap test before the regex.
fn may_be_byline(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|&b| !b.is_ascii() || b"bBaAtTwWrRcCeEpP".contains(&b))
}

const SMALL: &[&str] = &["of", "the", "and", "in", "on", "for", "a", "an", "to", "at", "day", "&"];

/// "Author column, Denazification, Donbass, Kazakhstan, Policy, Russia, Story of the day".
fn is_rubric_line(s: &str) -> bool {
    if s.len() <= 200 && s.contains(':') && RUBRIC_PREFIX.is_match(s) {
        return true;
    }
    if s.len() > 250 || s.ends_with(['.', '!', '?', ':', ';', '"', '”', '»']) {
        return false;
    }
    let sep = if s.contains('|') { '|' } else { ',' };
    let mut items = 0;
    for item in s.split(sep) {
        let item = item.trim();
        if item.is_empty() {
            return false;
        }
        let mut words = item.split_whitespace();
        let Some(first) = words.next() else { return false };
        if !first.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
            return false;
        }
        // At most four words, and at most one lowercase content word ("Author column").
        let (mut n, mut lower) = (1, 0);
        for w in words {
            n += 1;
            if w.chars().next().is_some_and(char::is_lowercase) && !SMALL.contains(&w) {
                lower += 1;
            }
            if n > 4 || lower > 1 {
                return false;
            }
        }
        if item.contains([':', '(', ')', '"', '“', '”', '«', '»']) {
            return false;
        }
        items += 1;
    }
    items >= 4 || (sep == '|' && items >= 3)
}

impl Rule for PageMetadata {
    fn code(&self) -> &'static str {
        "page-metadata"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Information)
    }
    fn summary(&self) -> &'static str {
        "Byline, date/time and rubric lines of the page, not article text."
    }
    fn ignorable(&self) -> bool {
        true
    }
    fn scope(&self) -> Scope {
        Scope::Split
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        self.check_block(cx, out);
        self.check_rest(cx, &[], out);
        out[start..].sort_by_key(|d| d.range.start);
    }
    /// Lines that are metadata by themselves.
    fn check_block(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            if t.is_empty() {
                continue;
            }
            let s = &cx.text[t.clone()];
            if let Some(what) = own_kind(s) {
                self.report(cx, t, what, out);
            } else if is_rubric_line(s) {
                // (a bare name, judged in `check_rest`, is never a rubric line)
                self.report(cx, t, "rubric line", out);
            }
        }
    }
    /// A bare name among the first lines, next to a date line, is a byline.
    fn check_rest(&self, cx: &DocCtx<'_>, _marks: &[Mark], out: &mut Vec<Diagnostic>) {
        // The first non-empty lines: names are judged among the first 15, with two lines after.
        let head: Vec<Range<usize>> = cx
            .lines
            .lines(cx.text)
            .map(|(_, r)| trimmed(cx.text, r))
            .filter(|t| !t.is_empty())
            .take(BYLINE_HEAD + 2)
            .collect();
        let dated: Vec<bool> = head.iter().map(|t| is_date_line(&cx.text[t.clone()])).collect();
        for (i, t) in head.iter().enumerate().take(BYLINE_HEAD) {
            let s = &cx.text[t.clone()];
            if s.len() <= 60
                && BARE_NAME.is_match(s)
                && own_kind(s).is_none()
                && dated[i.saturating_sub(2)..(i + 3).min(dated.len())].iter().any(|&d| d)
            {
                self.report(cx, t.clone(), "byline", out);
            }
        }
    }
}

/// How many of the first non-empty lines may hold a bare-name byline.
const BYLINE_HEAD: usize = 15;

/// The kind of metadata a line is by itself, before bare names and rubrics are considered.
fn own_kind(s: &str) -> Option<&'static str> {
    if is_date_line(s) {
        Some("date/time line")
    } else if s.starts_with('(') && TIMEZONE_LINE.is_match(s) {
        Some("time-zone remnant of the date line")
    } else if s.len() <= 120 && may_be_byline(s) && BYLINE.is_match(s) {
        Some("byline")
    } else if s.len() <= 140 && s.contains(':') && CREDIT.is_match(s) {
        Some("photo or source credit")
    } else {
        None
    }
}

impl PageMetadata {
    fn report(&self, cx: &DocCtx<'_>, t: Range<usize>, what: &str, out: &mut Vec<Diagnostic>) {
        if is_ignored(cx.config, &cx.text[t.clone()]) {
            return;
        }
        out.push(Diagnostic::new(
            self.code(),
            t,
            ["page metadata (", what, "), not article text; keep it apart when cleaning"].concat(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{check, flagged_lines};

    #[test]
    fn header_block_of_a_page() {
        let text = "Kazakhstan: Tokayev is in a hurry to strengthen power\n\nAinur Kurmanov.\u{a0}\u{a0}\n02.03.2022 23:57\n\u{a0}\u{a0}(Moscow time), Moscow\nViews: 975\n\u{a0}\nAuthor column, Denazification, Donbass, Kazakhstan, Policy, Russia, Story of the day, Ukraine\n\nOn the first day of spring, the congress took place.";
        assert_eq!(flagged_lines(&PageMetadata, text), vec![3, 4, 5, 8]);
    }

    #[test]
    fn dates_bylines_rubrics_in_other_styles() {
        for line in [
            "March 2, 2022, 10:15",
            "2 March 2022",
            "Updated: 2024-05-01 14:02",
            "Published: 12.11.2023 | 09:41",
            "14:35, 5 June 2024",
            "Tuesday, 28 May 2024",
            "Updated 2 hours ago",
            "May 14, 2024 at 12:30 pm",
            "By John Smith",
            "Author: Aigerim Seitkali",
            "Category: Politics",
            "Photo: press service of the Ministry of Emergency Situations",
            "Politics | Kazakhstan | Elections",
            "Society, Economy, Kazakhstan, Central Asia",
        ] {
            let text = format!("Headline\n{line}\nArticle text begins here.");
            assert_eq!(flagged_lines(&PageMetadata, &text), vec![2], "{line}");
        }
    }

    #[test]
    fn prose_and_headings_stay_clean() {
        for line in [
            "Kazakhstan, Kyrgyzstan, Tajikistan and Russia signed the agreement in Minsk.",
            "In the leadership of Kazakhstan, one of the CSTO members (the organization also includes Belarus, Kyrgyzstan, Tajikistan, and Russia), such formulations are not used.",
            "“PRODUCT OF NAZARBAYEV”",
            "Dimash Alzhanov agrees.",
            "By 2030, the government plans to double exports.",
            "The time has come, Tokayev said.",
            "Almaty, Astana and Shymkent are cities of republican significance.",
            "Imangali Tasmagambetov",
            "On December 4, 2024 he spoke in Moscow.",
        ] {
            let text = format!("Headline\n{line}\nArticle text begins here.");
            assert!(flagged_lines(&PageMetadata, &text).is_empty(), "{line}");
        }
    }

    #[test]
    fn severity_is_information_and_no_fix() {
        assert_eq!(PageMetadata.default_level(), Level::On(Severity::Information));
        let d = check(&PageMetadata, "02.03.2022 23:57");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        for s in ["", "\u{a0}", "(", "1", "|||", ",,,,"] {
            let _ = check(&PageMetadata, s);
        }
    }
}
