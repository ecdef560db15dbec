//! `widget-residue`: the text of page widgets flattened into the article.
//!
//! A scraper that keeps every text node turns sidebar widgets into lines of their own:
//! - archive calendars: a month header ("May 2024", "« April"), a weekday row
//!   ("Mon Tues Wed Thurs Fri Sat Total", "Пн Вт Ср"), and day numbers, spaced or glued
//!   together ("6789101112");
//! - counters: "Views: 975", "1 204 views", "Comments: 3", "Reading time: 4 min";
//! - tag lists, empty or not: "Tags: , ,", "Tags: Kazakhstan, elections";
//! - bullet menus: short "• Item" lines and "Politics • Economy • Society" rows.
//!
//! Month headers are only widget residue next to a calendar row (a lone "May 2024" may be a
//! dateline) or when a menu bullet precedes them.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{delete_line, is_ignored, trimmed, DocCtx, Mark, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Severity};

pub struct WidgetResidue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    WeekdayRow,
    DayNumbers,
    MonthHeader,
    Counter,
    Tags,
    Menu,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::WeekdayRow => "calendar weekday row",
            Kind::DayNumbers => "calendar day numbers",
            Kind::MonthHeader => "calendar month header",
            Kind::Counter => "view/comment counter",
            Kind::Tags => "tag list",
            Kind::Menu => "bullet menu item",
        }
    }
    fn calendar(self) -> bool {
        matches!(self, Kind::WeekdayRow | Kind::DayNumbers)
    }
}

const WEEKDAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "weds",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "mo",
    "tu",
    "we",
    "th",
    "fr",
    "sa",
    "su",
    "пн",
    "вт",
    "ср",
    "чт",
    "пт",
    "сб",
    "вс",
    "дс",
    "сс",
    "ср",
    "бс",
    "жм",
    "сн",
    "жк",
];

pub(crate) use crate::chrome::MONTHS;

static COUNTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:views?|viewed|reads?|read|hits|просмотр\w*|прочитано|shows|comments?|likes?|shares?|reposts?)\s*[:\-]?\s*\d[\d\s,.]*[kкm]?|\d[\d\s,.]*[kкm]?\s+(?:views?|reads|просмотр\w*|comments?)|(?:reading time|read time|время чтения)\s*:?\s*\d+\s*(?:min|minutes?|мин)\.?|\d+\s*(?:min|minutes?|мин)\.? read)$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static TAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:tags?|keywords|теги|тэги|метки|хэштеги|hashtags)\s*:").unwrap_or_else(|e| panic!("{e}"))
});

fn is_bullet(c: char) -> bool {
    matches!(c, '•' | '▪' | '●' | '◦' | '‣' | '∙' | '·' | '►' | '▶')
}

fn words_of(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '/' | ';')).filter(|w| !w.is_empty())
}

/// Is `w`, lowercased, one of `list` (lowercase words)? No allocation for an ASCII word.
fn one_of(w: &str, list: &[&str]) -> bool {
    if w.is_ascii() {
        list.iter().any(|l| l.eq_ignore_ascii_case(w))
    } else {
        let lw = w.to_lowercase();
        list.contains(&lw.as_str())
    }
}

fn weekday_row(s: &str) -> bool {
    let (mut n, mut days) = (0, 0);
    for w in words_of(s) {
        let w = w.trim_matches(|c: char| c == '.');
        if one_of(w, WEEKDAYS) {
            days += 1;
        } else if !one_of(w, &["total", "week", "wk", "итого", "нед"]) {
            return false;
        }
        n += 1;
    }
    days >= 3 && n >= 4
}

/// Digits that read as consecutive day numbers of a month: "1 2 3 4", "12345", "6789101112".
fn day_numbers(s: &str) -> bool {
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b' ' || b == b'\t') {
        return false;
    }
    if s.contains([' ', '\t']) {
        let mut prev = None;
        let mut n = 0;
        for w in s.split_ascii_whitespace() {
            let Ok(v) = w.parse::<u32>() else { return false };
            if !(1..=31).contains(&v) || prev.is_some_and(|p| p + 1 != v) {
                return false;
            }
            prev = Some(v);
            n += 1;
        }
        return n >= 3;
    }
    glued_run(s.as_bytes())
}

fn glued_run(d: &[u8]) -> bool {
    // Try a first number of one or two digits, then expect each successor in turn.
    for first_len in 1..=2 {
        if d.len() < first_len {
            break;
        }
        let Some(mut v) = parse(&d[..first_len]) else { continue };
        if v == 0 || v > 31 {
            continue;
        }
        let mut i = first_len;
        let mut count = 1;
        loop {
            if i == d.len() {
                if count >= 3 {
                    return true;
                }
                break;
            }
            let next = v + 1;
            if next > 31 {
                break;
            }
            let len = if next >= 10 { 2 } else { 1 };
            if i + len > d.len() || parse(&d[i..i + len]) != Some(next) {
                break;
            }
            v = next;
            i += len;
            count += 1;
        }
    }
    false
}

fn parse(d: &[u8]) -> Option<u32> {
    std::str::from_utf8(d).ok()?.parse().ok()
}

/// "May 2024", "« April", "April »", "« Oct   Dec »", "Май 2024".
fn month_header(s: &str) -> bool {
    let mut months = 0;
    let mut tokens = 0;
    let sep = |c: char| {
        if c.is_ascii() {
            matches!(c, ' ' | '\t'..='\r' | '"' | '\'' | '<' | '>' | '.' | ',' | '|')
        } else {
            c.is_whitespace() || matches!(c, '«' | '»' | '‹' | '›' | '←' | '→')
        }
    };
    for w in s.split(sep).filter(|w| !w.is_empty()) {
        tokens += 1;
        if one_of(w, MONTHS) {
            months += 1;
        } else if !(w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())) {
            return false;
        }
    }
    months >= 1 && tokens <= 3
}

/// A row of short menu items separated by bullets or pipes: "Politics • Economy • Society".
fn menu_row(s: &str) -> bool {
    if s.len() > 200 || s.ends_with(['.', '!', '?']) {
        return false;
    }
    let seps = s.matches(['•', '|', '·']).count();
    if seps < 2 {
        return false;
    }
    s.split(['•', '|', '·']).map(str::trim).filter(|i| !i.is_empty()).all(|i| i.split_whitespace().count() <= 4)
}

/// A short "• Item" line (menus), not a bulleted sentence of the article.
fn bullet_item(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if !is_bullet(first) {
        return false;
    }
    let rest = s[first.len_utf8()..].trim();
    !rest.is_empty() && rest.split_whitespace().count() <= 8 && !rest.ends_with(['.', ';', ':', ','])
}

fn classify(s: &str) -> Option<Kind> {
    if s.len() > 400 {
        return None;
    }
    let first = s.chars().next()?;
    let body = if is_bullet(first) { s[first.len_utf8()..].trim() } else { s };
    if body.contains(':') && TAGS.is_match(body) {
        return Some(Kind::Tags);
    }
    if body.len() > 120 {
        return menu_row(s).then_some(Kind::Menu);
    }
    if first.is_ascii_digit() && day_numbers(s) {
        return Some(Kind::DayNumbers);
    }
    if weekday_row(body) {
        return Some(Kind::WeekdayRow);
    }
    // every alternative has a digit (`\d` also takes non-ASCII digits)
    if body.bytes().any(|b| b.is_ascii_digit() || !b.is_ascii()) && COUNTER.is_match(body) {
        return Some(Kind::Counter);
    }
    if is_bullet(first) && month_header(body) {
        return Some(Kind::MonthHeader);
    }
    if bullet_item(s) || menu_row(s) {
        return Some(Kind::Menu);
    }
    None
}

/// Is this trimmed line widget residue on its own (without calendar context)?
pub(crate) fn is_widget_line(s: &str) -> bool {
    classify(s).is_some()
}

impl Rule for WidgetResidue {
    fn code(&self) -> &'static str {
        "widget-residue"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "Text of page widgets: calendars, view counters, tag lists, bullet menus."
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
        super::rest_of_whole(self, cx, out);
        out[start..].sort_by_key(|d| d.range.start);
    }
    /// Lines that are widgets by themselves.
    fn check_block(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (n, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            if t.is_empty() {
                continue;
            }
            if let Some(kind) = classify(&cx.text[t.clone()]) {
                self.report(cx, n, t, kind, out);
            }
        }
    }
    /// Month headers that are not widget lines by themselves.
    fn marks(&self, cx: &DocCtx<'_>, out: &mut Vec<Mark>) {
        for (n, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            let line = &cx.text[t.clone()];
            if !t.is_empty() && month_header(line) && classify(line).is_none() {
                out.push(Mark { line: n, range: t, key: 0, aux: 0 });
            }
        }
    }
    /// Month headers, which count only within three non-empty lines of a calendar row (blank
    /// lines may come between).
    fn check_rest(&self, cx: &DocCtx<'_>, marks: &[Mark], out: &mut Vec<Diagnostic>) {
        let calendar = |n: usize| {
            let t = trimmed(cx.text, cx.lines.line_range(cx.text, n));
            (!t.is_empty()).then(|| classify(&cx.text[t]).is_some_and(Kind::calendar))
        };
        for m in marks {
            // Three non-empty lines before and three after.
            let before = (0..m.line).rev().filter_map(calendar).take(3);
            let after = (m.line + 1..cx.lines.line_count()).filter_map(calendar).take(3);
            if before.chain(after).any(|c| c) {
                self.report(cx, m.line, m.range.clone(), Kind::MonthHeader, out);
            }
        }
    }
}

impl WidgetResidue {
    fn report(&self, cx: &DocCtx<'_>, n: usize, t: Range<usize>, kind: Kind, out: &mut Vec<Diagnostic>) {
        if is_ignored(cx.config, &cx.text[t.clone()]) {
            return;
        }
        out.push(
            Diagnostic::new(
                self.code(),
                t,
                ["page widget residue (", kind.what(), "), not part of the article; delete it"].concat(),
            )
            .with_fix(delete_line(cx, n, "Delete widget line").safe()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check, flagged_lines};

    #[test]
    fn calendar_block_is_flagged_line_by_line() {
        let text = "Last paragraph of the article.\n\n  • May 2024\n    Mon Tues Wed Thurs Fri Sat Total\n    \" April    \n     12345\n    6789101112\n    13141516171819\n    20212223242526\n    2728293031  \n";
        assert_eq!(flagged_lines(&WidgetResidue, text), vec![3, 4, 5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn other_calendar_styles() {
        let text = "Article.\nАпрель 2024\nПн Вт Ср Чт Пт Сб Вс\n1 2 3 4 5 6 7\n8 9 10 11 12 13 14\n« March\n";
        assert_eq!(flagged_lines(&WidgetResidue, text), vec![2, 3, 4, 5, 6]);
        let text = "Article.\nMo Tu We Th Fr Sa Su\n1 2 3 4 5\n« Oct   Dec »\n";
        assert_eq!(flagged_lines(&WidgetResidue, text), vec![2, 3, 4]);
        let text = "Article.\nMo Tu We Th Fr Sa Su\n";
        assert_eq!(flagged_lines(&WidgetResidue, text), vec![2]);
    }

    #[test]
    fn counters_tags_and_menus() {
        for line in [
            "Views: 975",
            "1 204 views",
            "Просмотров: 12",
            "Comments: 3",
            "Reading time: 4 min",
            "Tags: , ,",
            "Tags: Kazakhstan, elections, Tokayev",
            "Keywords: CSTO",
            "  • Subscribe to Politnavigator news",
            "Politics • Economy • Society • Sport",
            "Home | News | Regions | Contacts",
        ] {
            let text = format!("Article.\n{line}\nMore.");
            assert_eq!(flagged_lines(&WidgetResidue, &text), vec![2], "{line}");
        }
    }

    #[test]
    fn prose_dates_and_numbers_stay_clean() {
        for line in [
            "May 2024",
            "In May 2024 the parliament was dissolved.",
            "2024",
            "1991",
            "12 345 people took part.",
            "• The state will build 15 new schools in the Turkestan region by the end of the year.",
            "• increase pensions by 12%;",
            "He viewed the results as a success.",
            "Views of the experts differ: some call it a reform, others a rebranding.",
            "Tasmagambetov said on December 4.",
            "The committee met on Monday, Tuesday and Wednesday.",
            "Kazakhstan | Politics",
        ] {
            let text = format!("Article.\n{line}\nMore.");
            assert!(flagged_lines(&WidgetResidue, &text).is_empty(), "{line}");
        }
    }

    #[test]
    fn fix_deletes_line() {
        let text = "A.\nViews: 975\nB.";
        let d = check(&WidgetResidue, text);
        assert_eq!(apply_first_fix(text, &d[0]), "A.\nB.");
        assert!(d[0].fixes[0].safe);
    }

    #[test]
    fn glued_runs() {
        assert!(glued_run(b"12345"));
        assert!(glued_run(b"2728293031"));
        assert!(!glued_run(b"2024"));
        assert!(!glued_run(b"12"));
        assert!(!glued_run(b"3032"));
        for s in ["", "•", "0", "9999999999999999999999", "\u{a0}"] {
            let _ = check(&WidgetResidue, s);
        }
    }
}
