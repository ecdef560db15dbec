//! The date of a document: read from its date line, the line the `page-metadata` rule reports
//! as a date or time ("02.03.2022 23:57", "March 2, 2022, 10:15", "Updated: 2024-05-01",
//! "30 октября 2024"). Scraped pages put it near the top, below the headline and byline, and
//! some sites at the bottom; a date inside the article's prose or a photo caption is not the
//! document's date.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::rules::page_metadata::is_date_line;

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A valid date, or `None` ("31.02.2024").
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=days).contains(&day) && (1900..=2199).contains(&year)).then_some(Date { year, month, day })
    }
}

/// ISO 8601: "2024-10-30".
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Lines looked at from the top of a document, and from the bottom.
const HEAD_LINES: usize = 25;
const TAIL_LINES: usize = 8;

/// The date of the first date line near the top of `text`, else near the bottom.
pub fn document_date(text: &str) -> Option<Date> {
    let lines = || text.lines().map(str::trim).filter(|l| !l.is_empty());
    let head = lines().take(HEAD_LINES).find_map(date_of_line);
    // the bottom, when the document is longer than what the top looked at
    let long = || lines().nth(HEAD_LINES).is_some();
    head.or_else(|| lines().rev().take(TAIL_LINES).filter(|_| long()).find_map(date_of_line))
}

/// The date a date line gives, if it is one and names a day.
pub fn date_of_line(line: &str) -> Option<Date> {
    if !is_date_line(line) {
        return None;
    }
    let words: Vec<&str> = line
        .split(|c: char| !c.is_alphanumeric() && c != '.' && c != '/' && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(d) = numeric_date(w) {
            return Some(d);
        }
        // "30 October 2024", "October 30, 2024", "30 октября 2024 года"
        if let Some(month) = month_number(w) {
            let day =
                |k: usize| words.get(k).and_then(|x| number(x.trim_end_matches(['.', 's', 't', 'n', 'd', 'r', 'h'])));
            let year = |k: usize| words.get(k).and_then(|x| number(x.trim_end_matches('.'))).filter(|&y| y >= 1900);
            // "1st of March 2019"
            let before = if i >= 2 && words[i - 1].eq_ignore_ascii_case("of") { i - 2 } else { i.wrapping_sub(1) };
            let found = match (day(before), day(i + 1)) {
                (Some(d), _) if d <= 31 => year(i + 1).and_then(|y| Date::new(y as u16, month, d as u8)),
                (_, Some(d)) if d <= 31 => year(i + 2).and_then(|y| Date::new(y as u16, month, d as u8)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
}

/// "02.03.2022", "2/3/22", "2024-05-01", "2024-05-01T10:15:00Z": day first, unless the second
/// number cannot be a month.
fn numeric_date(w: &str) -> Option<Date> {
    let w = w.split('T').next()?.trim_end_matches('.');
    let sep = w.chars().find(|c| matches!(c, '.' | '/' | '-'))?;
    let parts: Vec<u32> = w.split(sep).map(number).collect::<Option<_>>()?;
    let [a, b, c] = parts[..] else { return None };
    let year = |y: u32| if y < 100 { y + 2000 } else { y };
    let date = |y: u32, m: u32, d: u32| Date::new(u16::try_from(y).ok()?, u8::try_from(m).ok()?, u8::try_from(d).ok()?);
    if a >= 1000 {
        return date(a, b, c);
    }
    date(year(c), b, a).or_else(|| date(year(c), a, b))
}

fn number(w: &str) -> Option<u32> {
    (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse().ok())?
}

/// English month names and abbreviations, Russian months in the genitive.
fn month_number(w: &str) -> Option<u8> {
    const MONTHS: [[&str; 3]; 12] = [
        ["january", "jan", "января"],
        ["february", "feb", "февраля"],
        ["march", "mar", "марта"],
        ["april", "apr", "апреля"],
        ["may", "may", "мая"],
        ["june", "jun", "июня"],
        ["july", "jul", "июля"],
        ["august", "aug", "августа"],
        ["september", "sep", "сентября"],
        ["october", "oct", "октября"],
        ["november", "nov", "ноября"],
        ["december", "dec", "декабря"],
    ];
    let w = w.trim_end_matches('.').to_lowercase();
    let w = if w == "sept" { "sep".to_string() } else { w };
    MONTHS.iter().position(|m| m.contains(&w.as_str())).map(|i| i as u8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Option<Date> {
        Some(Date { year: y, month: m, day })
    }

    #[test]
    fn date_lines_of_many_sites() {
        let cases = [
            ("02.03.2022 23:57", d(2022, 3, 2)),
            ("March 2, 2022, 10:15", d(2022, 3, 2)),
            ("Updated: 2024-05-01", d(2024, 5, 1)),
            ("2024-05-01T10:15:00+03:00", d(2024, 5, 1)),
            ("30 октября 2024", d(2024, 10, 30)),
            ("12/25/2023", d(2023, 12, 25)),
            ("Sept. 4, 2021", d(2021, 9, 4)),
            ("Published 14 Feb 2020 at 09:00", d(2020, 2, 14)),
            ("1st of March 2019", d(2019, 3, 1)),
        ];
        for (line, want) in cases {
            assert_eq!(date_of_line(line), want, "{line}");
        }
    }

    #[test]
    fn not_dates() {
        for line in ["23:57", "31.02.2022", "The talks on March 2, 2022 failed.", "2022", "Views: 1024", "Monday"] {
            assert_eq!(date_of_line(line), None, "{line}");
        }
    }

    #[test]
    fn the_document_date_is_its_date_line_not_a_caption() {
        let text = "site.kz\n\nHeadline of the day\n\nBy Ainur Kurmanov\nNovember 12, 2024, 10:15\n\nText. Минск, 30 октября 2024 года\n";
        assert_eq!(document_date(text), d(2024, 11, 12));
        assert_eq!(document_date("Headline\n\nNo date here, only 2024 in prose.\n"), None);
        let bottom = format!("Headline\n\n{}\n\n15.01.2023\n", "A paragraph.\n".repeat(40));
        assert_eq!(document_date(&bottom), d(2023, 1, 15));
        assert_eq!(Date::new(2024, 2, 29).map(|d| d.to_string()), Some("2024-02-29".into()));
        assert_eq!(Date::new(2023, 2, 29), None);
    }
}
