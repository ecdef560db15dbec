//! `truncated-ending` (information): the article stops mid-sentence.
//!
//! Paywalls, "read more" cut-offs and scraper limits leave a document whose text ends in the
//! middle of a sentence ("…Two years later, he became akim"). The rule looks at the last line of
//! the article — the last non-empty line that is not site chrome or widget residue — and reports
//! it when it is prose (several words, not a heading) that lacks a closing punctuation mark.
//! A one-line document is not an article and is not judged.

use std::ops::Range;

use super::{boilerplate, trimmed, widget_residue, DocCtx, Rule};
use crate::diag::Level;
use crate::diag::{Diagnostic, Severity};

pub struct TruncatedEnding;

/// Characters that may close a complete sentence or paragraph.
const CLOSERS: &[char] = &['.', '!', '?', '…', '"', '”', '»', '’', '\'', ')', ']', '*'];

/// Fewer words than this on the last line: a heading, a name, a signature — not judged.
const MIN_WORDS: usize = 6;

impl Rule for TruncatedEnding {
    fn code(&self) -> &'static str {
        "truncated-ending"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Information)
    }
    fn summary(&self) -> &'static str {
        "The document's text stops in the middle of a sentence."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        // The non-empty lines from the end, read only as far back as the walk goes.
        let mut rev = (0..cx.lines.line_count())
            .rev()
            .map(|n| trimmed(cx.text, cx.lines.line_range(cx.text, n)))
            .filter(|t| !t.is_empty());
        let mut tail: Vec<Range<usize>> = Vec::new();
        // The `k`-th non-empty line counted from the end (0 is the last).
        let mut at = |k: usize| -> Option<Range<usize>> {
            while tail.len() <= k {
                tail.push(rev.next()?);
            }
            Some(tail[k].clone())
        };
        if at(1).is_none() {
            return;
        }
        // Walk back from the end over chrome, widgets and headline lists.
        let chrome = |t: &Range<usize>| {
            let s = &cx.text[t.clone()];
            boilerplate::family(s).is_some() || widget_residue::is_widget_line(s)
        };
        let headline = |t: &Range<usize>| boilerplate::headline_like(&cx.text[t.clone()]);
        let mut k = 0;
        let last = loop {
            let Some(t) = at(k) else { return };
            if chrome(&t) {
                k += 1;
                continue;
            }
            if headline(&t) {
                // the tail of a headline list when a list header precedes the run
                let mut m = k;
                while at(m + 1).is_some_and(|p| headline(&p)) {
                    m += 1;
                }
                if at(m + 1).is_some_and(|h| boilerplate::is_list_header(&cx.text[h])) {
                    k = m + 2;
                    continue;
                }
            }
            break t;
        };
        let t = last;
        let s = &cx.text[t.clone()];
        if s.ends_with(CLOSERS) || s.split_whitespace().count() < MIN_WORDS {
            return;
        }
        // Prose has lowercase words; an all-caps heading or a title-cased list does not.
        let lower_words = s.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_lowercase)).count();
        if lower_words * 3 < s.split_whitespace().count() {
            return;
        }
        let tail: String = {
            let cut = s.char_indices().rev().nth(39).map_or(0, |(i, _)| i);
            s[cut..].to_string()
        };
        out.push(Diagnostic::new(
            self.code(),
            t,
            format!("the document stops mid-sentence (“…{tail}”); the rest of the article was not scraped"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{check, flagged_lines};

    #[test]
    fn cut_off_article_is_reported_on_its_last_line() {
        let text = "Headline\n\nFirst paragraph of the article.\n\nBut these events did not affect Tasmagambetov's career. Two years later, he became akim";
        assert_eq!(flagged_lines(&TruncatedEnding, text), vec![5]);
        let text = "Headline\n\nAt the same time, the president himself puts his own symbols into the name:\n\n\n";
        assert_eq!(flagged_lines(&TruncatedEnding, text), vec![3]);
    }

    #[test]
    fn chrome_after_the_article_is_skipped() {
        let text = "Headline\n\nThe article ends, as it should.\n\nTags: , ,\nShare:\n";
        assert!(check(&TruncatedEnding, text).is_empty());
        let text = "Headline\n\nThe article ends in the middle of a long\n\nRead also:\nLatest news\n";
        assert_eq!(flagged_lines(&TruncatedEnding, text), vec![3]);
        let text = "Headline\n\nThe article ends, as it should.\n\nLatest news\n\n14:25 Tokayev signs law on pensions and taxes\n";
        assert!(check(&TruncatedEnding, text).is_empty());
    }

    #[test]
    fn complete_endings_headings_and_tiny_documents_are_clean() {
        for text in [
            "Headline\n\nIt ended well.",
            "Headline\n\n“We will continue,” he said.”",
            "Headline\n\nHe asked whether it was over?",
            "Headline\n\nText.\n\nAinur Kurmanov",
            "Headline\n\nText.\n\nKAZAKHSTAN AND RUSSIA SIGN NEW AGREEMENT ON OIL TRANSIT",
            "Hello и world without end here at all",
            "",
            "\n\n",
        ] {
            assert!(check(&TruncatedEnding, text).is_empty(), "{text}");
        }
    }
}
