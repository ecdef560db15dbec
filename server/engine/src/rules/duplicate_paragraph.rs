//! `duplicate-paragraph`: a headline or paragraph that the page repeats.
//!
//! Scrapers pick up the headline twice (page title and article title), a photo caption twice,
//! and the teaser of the article ("On the first day of spring, the congress of the ruling
//! party "Nur...") that a listing or social card shows before the full text. The later copy is
//! flagged; related information points at the original.
//!
//! Two lines are the same paragraph when they agree after folding case, punctuation and
//! whitespace. A teaser ends in "..." or "…" and repeats the start of another paragraph; since
//! teaser and article are often translated separately, the test is on words: the teaser's
//! words open the other paragraph (a common prefix of at least five words and half the teaser),
//! or nearly all of them occur among the other paragraph's first words.

use super::{delete_line, is_ignored, trimmed, DocCtx, KeyMap, Mark, Rule, Scope};
use crate::chrome::{split_marker, Marker};
use crate::diag::Level;
use crate::diag::{Diagnostic, Related, Severity};
use crate::packed::{is_alphanumeric, put_char, Packed, BUF, CHUNK, LOWER_ALNUM_OR_SPACE, MASK};

pub struct DuplicateParagraph;

/// Lines shorter than this many folded characters are not compared ("Thank you!", "Share").
const MIN_CHARS: usize = 24;

/// Hash of the folded text (letters and digits, lowercased, runs of anything else as one space)
/// and its folded length; no allocation. The folded text is packed into 64-bit words (an ASCII
/// character as one byte, any other as three bytes starting with a byte below 0x20, so the
/// packing is unambiguous) and mixed a word at a time.
fn fold_hash(s: &str) -> (u64, usize) {
    let bytes = s.as_bytes();
    let mut h = Packed::new();
    // The folded bytes are gathered in `buf`: every character is written, a kept one over the
    // byte after the last kept one, and a character that is not kept as a space that is kept
    // only right after a kept character. A space so kept at the very end is dropped.
    let mut buf = [0u8; BUF];
    let mut k = 0usize;
    // 1 when the last character was kept
    let mut prev = 0usize;
    // bytes packed in all, and two for every non-ASCII character (three bytes, one character)
    let (mut total, mut wide) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + CHUNK).min(bytes.len());
        if bytes[i..end].is_ascii() {
            for &b in &bytes[i..end] {
                let f = LOWER_ALNUM_OR_SPACE[usize::from(b)];
                buf[k & MASK] = f;
                let keep = usize::from(f != b' ');
                k += keep | prev;
                prev = keep;
            }
            i = end;
        }
        while i < end {
            let b = bytes[i];
            if b < 0x80 {
                let f = LOWER_ALNUM_OR_SPACE[usize::from(b)];
                buf[k & MASK] = f;
                let keep = usize::from(f != b' ');
                k += keep | prev;
                prev = keep;
                i += 1;
                continue;
            }
            // (`i` is always at a character boundary)
            let c = s[i..].chars().next().unwrap_or(' ');
            if is_alphanumeric(c) {
                for l in c.to_lowercase() {
                    let w = put_char(&mut buf, k, l);
                    k += w;
                    wide += w - 1;
                }
                prev = 1;
            } else {
                buf[k & MASK] = b' ';
                k += prev;
                prev = 0;
            }
            i += c.len_utf8();
        }
        // After a character that is not kept, the last byte is a space that may end the text:
        // it is carried over to the next chunk.
        let held = usize::from(prev == 0 && k > 0);
        h.bytes(&buf[..(k - held).min(BUF)]);
        total += k - held;
        buf[0] = b' ';
        k = held;
    }
    (h.finish(), total - wide)
}

fn folded_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// The teaser text without its ellipsis, if the line is a teaser.
fn teaser_body(s: &str) -> Option<&str> {
    let body = s.strip_suffix("...").or_else(|| s.strip_suffix('…'))?;
    Some(body.trim_end())
}

/// Does `teaser` (words, the last possibly cut) repeat the start of `para`?
fn teaser_of(teaser: &[String], para: &[String]) -> bool {
    let n = teaser.len();
    if n < 5 || para.len() <= n / 2 {
        return false;
    }
    let prefix = teaser.iter().zip(para).take_while(|(a, b)| a == b).count();
    if prefix >= 5 && prefix * 2 >= n {
        return true;
    }
    // Separately translated: nearly all teaser words among the paragraph's opening words.
    let window = &para[..para.len().min(n + 6)];
    let whole = &teaser[..n - 1]; // the last word may be cut
    let hits = whole.iter().filter(|w| window.contains(w)).count();
    teaser[0] == para[0] && hits * 10 >= whole.len() * 8
}

impl Rule for DuplicateParagraph {
    fn code(&self) -> &'static str {
        "duplicate-paragraph"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "A headline or paragraph repeated in the same document, or a teaser repeating a paragraph's start."
    }
    fn scope(&self) -> Scope {
        Scope::Split
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        super::rest_of_whole(self, cx, out);
    }
    fn check_block(&self, _cx: &DocCtx<'_>, _out: &mut Vec<Diagnostic>) {}
    /// Every line long enough to compare: `key` is the hash of its folded text, `aux` has
    /// [`TEASER`] set for a teaser and otherwise holds a hash of its first folded word.
    fn marks(&self, cx: &DocCtx<'_>, out: &mut Vec<Mark>) {
        for (n, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            let s = &cx.text[t.clone()];
            // Folding never lengthens a text (each character gives at most as many characters
            // as it has bytes), so a line shorter in bytes is too short.
            if s.len() < MIN_CHARS {
                continue;
            }
            let (h, len) = fold_hash(s);
            if len < MIN_CHARS {
                continue;
            }
            let aux = if teaser_body(s).is_some() { TEASER } else { first_word_hash(s) & !TEASER };
            out.push(Mark { line: n, range: t, key: h, aux });
        }
    }
    fn check_rest(&self, cx: &DocCtx<'_>, marks: &[Mark], out: &mut Vec<Diagnostic>) {
        let teasers = self.copies(cx, marks, out);
        if teasers.is_empty() {
            return;
        }
        // A teaser's original starts with the teaser's first word (both tests of `teaser_of`
        // need it), so candidates are looked up by (a hash of) first word, in document order.
        let mut by_first: KeyMap<Vec<usize>> = KeyMap::default();
        for (i, m) in marks.iter().enumerate() {
            if m.aux != TEASER {
                by_first.entry(m.aux).or_default().push(i);
            }
        }
        // Each candidate's words, folded once however many teasers it is compared with.
        let mut folded: Vec<Option<Vec<String>>> = vec![None; marks.len()];
        for tm in teasers {
            let (n, t) = (tm.line, &tm.range);
            let s = &cx.text[t.clone()];
            let Some(body) = teaser_body(s) else { continue };
            let tw = folded_words(body);
            let candidates =
                tw.first().and_then(|w| by_first.get(&(word_hash(w) & !TEASER))).map_or(&[][..], Vec::as_slice);
            let original = candidates
                .iter()
                .find(|&&i| {
                    let m = &marks[i];
                    m.line != n
                        && teaser_of(&tw, folded[i].get_or_insert_with(|| folded_words(&cx.text[m.range.clone()])))
                })
                .map(|&i| &marks[i]);
            let Some(orig) = original else { continue };
            if is_ignored(cx.config, s) {
                continue;
            }
            let line = cx.lines.line_of(orig.range.start) + 1;
            let mut d = Diagnostic::new(
                self.code(),
                t.clone(),
                format!("teaser that repeats the start of the paragraph on line {line}; delete it"),
            )
            .with_fix(delete_line(cx, n, "Delete teaser line").safe());
            d.related.push(Related { doc: cx.doc, range: orig.range.clone(), message: "the full paragraph".into() });
            out.push(d);
        }
    }
}

impl DuplicateParagraph {
    /// Flags exact copies; returns the teaser lines among the first occurrences.
    ///
    /// A copy inside the article (between its first and last paragraphs of prose) is a
    /// refrain, a question put to several people, a quote set apart or an item two lists
    /// share, and stays, unless it is a long paragraph printed twice in a row. At the head
    /// and the tail of the page it is chrome: a headline printed again, a story in a list. Of
    /// two copies of a headline above the article that stand apart, the earlier one (in the
    /// page's header or a list of stories) is the one flagged: the later is the article's own
    /// headline. So is a copy that is a list item when the other is not.
    fn copies<'m>(&self, cx: &DocCtx<'_>, marks: &'m [Mark], out: &mut Vec<Diagnostic>) -> Vec<&'m Mark> {
        let mut seen: KeyMap<&Mark> = KeyMap::with_capacity_and_hasher(marks.len(), Default::default());
        let mut teasers: Vec<&Mark> = Vec::new();
        // The lines where the article's prose starts and ends, found when first needed.
        let mut body: Option<(usize, usize)> = None;
        let mut flagged: KeyMap<()> = KeyMap::default();
        for m in marks {
            let Some(&first) = seen.get(&m.key) else {
                seen.insert(m.key, m);
                if m.aux == TEASER {
                    teasers.push(m);
                }
                continue;
            };
            let s = &cx.text[m.range.clone()];
            if is_ignored(cx.config, s) {
                continue;
            }
            let (start, end) = *body.get_or_insert_with(|| prose_bounds(cx.text, marks));
            let in_a_row = (first.line + 1..m.line).all(|l| cx.text[cx.lines.line_range(cx.text, l)].trim().is_empty());
            let long = || s.split_whitespace().nth(LONG_WORDS - 1).is_some();
            if (start..=end).contains(&m.line) && !(in_a_row && long()) {
                continue;
            }
            let listed = |x: &Mark| split_marker(&cx.text[x.range.clone()]).0 != Marker::None;
            let earlier = (listed(first) && !listed(m)) || (m.line < start && !in_a_row);
            let (copy, other) = if earlier { (first, m) } else { (m, first) };
            if flagged.insert(copy.line as u64, ()).is_some() {
                continue;
            }
            let other_line = other.line + 1;
            let mut d = Diagnostic::new(
                self.code(),
                copy.range.clone(),
                format!("this paragraph repeats line {other_line} of the same document; delete the copy"),
            )
            .with_fix(delete_line(cx, copy.line, "Delete duplicate line").safe());
            let message = if earlier { "the copy that stays" } else { "first occurrence" };
            d.related.push(Related { doc: cx.doc, range: other.range.clone(), message: message.into() });
            out.push(d);
        }
        teasers
    }
}

/// A repeated line of at least this many words is a duplicated paragraph wherever it is.
const LONG_WORDS: usize = 25;

/// Does the line read as a paragraph of prose: twenty words or more ending like a sentence (a
/// headline is shorter)?
fn is_prose(s: &str) -> bool {
    s.trim_end_matches(['"', '\'', '”', '’', '»', ')']).ends_with(['.', '!', '?'])
        && s.split_whitespace().nth(19).is_some()
}

/// The first and last lines of prose among the marked lines that are no copy of an earlier
/// line; the whole text when there is none (a text of short lines, such as a listing or
/// verse, has no head or tail to tell apart).
fn prose_bounds(text: &str, marks: &[Mark]) -> (usize, usize) {
    let mut keys: KeyMap<()> = KeyMap::with_capacity_and_hasher(marks.len(), Default::default());
    let first: Vec<bool> = marks.iter().map(|m| keys.insert(m.key, ()).is_none()).collect();
    // Only the first and the last such line are wanted: each is looked for from its end.
    let prose = |i: &usize| first[*i] && is_prose(&text[marks[*i].range.clone()]);
    match ((0..marks.len()).find(prose), (0..marks.len()).rev().find(prose)) {
        (Some(a), Some(b)) => (marks[a].line, marks[b].line),
        _ => (0, usize::MAX),
    }
}

/// [`Mark::aux`] of a teaser line (never the hash of a first word, whose top bit is cleared).
const TEASER: u64 = 1 << 63;

/// Hash of the first word of `s` folded like [`folded_words`] (0 if there is none).
fn first_word_hash(s: &str) -> u64 {
    let Some(w) = s.split(|c: char| !is_alphanumeric(c)).find(|w| !w.is_empty()) else { return 0 };
    if w.is_ascii() {
        word_hash_of(w.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        word_hash(&w.to_lowercase())
    }
}

/// Hash of an already folded word.
fn word_hash(w: &str) -> u64 {
    word_hash_of(w.bytes())
}

fn word_hash_of(bytes: impl Iterator<Item = u8>) -> u64 {
    const PRIME: u64 = 0x100_0000_01b3;
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check, flagged_lines};

    /// [`fold_hash`] one character at a time, straight from its definition.
    fn fold_hash_reference(s: &str) -> (u64, usize) {
        let (mut h, mut n, mut gap) = (Packed::new(), 0usize, false);
        for c in s.chars() {
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    if gap && n > 0 {
                        h.byte(b' ');
                        n += 1;
                    }
                    gap = false;
                    h.char(l);
                    n += 1;
                }
            } else {
                gap = true;
            }
        }
        (h.finish(), n)
    }

    #[test]
    fn gathered_folding_equals_the_definition() {
        for t in &crate::packed::folding_samples() {
            assert_eq!(fold_hash(t), fold_hash_reference(t), "{t:?}");
        }
    }

    #[test]
    fn ascii_and_general_folding_agree() {
        // a non-ASCII character that folds away takes the general path to the same folded text
        assert_eq!(fold_hash("Tokayev signs law, 12 pensions"), fold_hash("Tokayev signs law,\u{2014} 12 pensions"));
        assert_eq!(fold_hash("  Read: more.."), fold_hash("\u{ab} Read: more..\u{bb}"));
        assert_ne!(fold_hash("Tokayev signs law"), fold_hash("Tokayev signs laws"));
    }

    #[test]
    fn repeated_headline_flags_the_copy_and_points_at_the_original() {
        let text = "site.kz\n\nFrom the Secretary of the Komsomol to the Secretary of the CSTO.\n\nFrom the secretary of the Komsomol to the Secretary of the CSTO\n\nRussia was compelled to conduct tests of the new system, stated the secretary general at the end of November, explaining the strike as the first combat use of this type of weapon.";
        let d = check(&DuplicateParagraph, text);
        assert_eq!(d.len(), 1);
        assert_eq!(LineIndexExt::line(text, d[0].range.start), 5);
        assert_eq!(LineIndexExt::line(text, d[0].related[0].range.start), 3);
        assert_eq!(
            apply_first_fix(text, &d[0]),
            "site.kz\n\nFrom the Secretary of the Komsomol to the Secretary of the CSTO.\n\n\nRussia was compelled to conduct tests of the new system, stated the secretary general at the end of November, explaining the strike as the first combat use of this type of weapon."
        );
    }

    struct LineIndexExt;
    impl LineIndexExt {
        fn line(text: &str, off: usize) -> usize {
            crate::text::LineIndex::new(text).line_of(off) + 1
        }
    }

    #[test]
    fn teasers_exact_and_retranslated() {
        let para = "On the first day of spring, the XXII extraordinary congress of the ruling Nur Otan party took place in Nur-Sultan. The result was a name change.";
        let text = format!("{para}\n\nSecond paragraph of the article text.\n\nOn the first day of spring, the XXII extraordinary congress of the ruling party \"Nur...\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![5]);
        let text = format!("{para}\n\nOn the first day of spring, the XXII extraordinary congress of…\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![3]);
    }

    #[test]
    fn refrains_inside_the_article_are_clean_but_long_copies_are_not() {
        let para = "The council voted on the budget after a long debate that lasted well into the night, and the opposition walked out before the final reading of the text.";
        let text = format!(
            "The mayor answered questions from the press.\n\nWhat will you do about the roads now?\n\nThe first deputy said the repairs would start in spring, as the contract with the road company allows, and not a day later.\n\nWhat will you do about the roads now?\n\nThe second deputy said that nothing could be done before the elections in the autumn.\n\n{para}\n\n{para}\n\nThe session ends the year for the council, which meets again in January to hear the report of the mayor on the roads.\n\nWhat will you do about the roads now?\n"
        );
        // the question asked twice inside the article stays; the paragraph printed twice and
        // the copy of the question after the article are flagged
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![13, 17]);
    }

    #[test]
    fn of_two_headlines_above_the_article_the_one_apart_from_it_is_flagged() {
        let para = "The council voted on the budget after a long debate that lasted well into the night, and the opposition walked out before the final reading.";
        // the header's copy (line 3) goes, the article's headline (line 9) stays
        let text = format!("site.example\n\nCouncil votes the budget after a long night\nSign in\nSubscribe\nPolitics\n\n\nCouncil votes the budget after a long night\n\n{para}\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![3]);
        // a list item repeating the headline goes, wherever it is
        let text = format!("Council votes the budget after a long night\n\n{para}\n\nMore stories\n* Council votes the budget after a long night\n* Roads to be repaired in spring, deputy says\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![6]);
        let text = format!("* Council votes the budget after a long night\nWorld\n\nCouncil votes the budget after a long night\n\n{para}\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![1]);
    }

    #[test]
    fn a_long_paragraph_repeated_apart_inside_the_article_stays() {
        let a = "The council voted on the budget after a long debate that lasted well into the night, and the opposition walked out before the final reading of the text.";
        let b = "The mayor said the roads would be repaired in spring, as the contract with the road company allows, and that the money was already set aside for it.";
        let c = "The session ends the year for the council, which meets again in January to hear the report of the mayor on the state of the roads and the budget.";
        let text = format!("{a}\n\n{b}\n\n{a}\n\n{c}\n");
        assert!(flagged_lines(&DuplicateParagraph, &text).is_empty());
        // after the article, the copy is flagged
        let text = format!("{a}\n\n{b}\n\n{c}\n\nRead next\n{a}\n");
        assert_eq!(flagged_lines(&DuplicateParagraph, &text), vec![8]);
    }

    #[test]
    fn distinct_paragraphs_and_short_lines_are_clean() {
        let text = "Thank you!\n\nThank you!\n\nThe president said the reform would continue...\n\nThe president said nothing about the elections, the budget or the reshuffle in the government.\n\nTasmagambetov said that there are no analogues.\nTasmagambetov said that there are no analogues to the missile.";
        assert!(flagged_lines(&DuplicateParagraph, text).is_empty());
        for s in ["", "...", "…", "a...", "\u{a0}…"] {
            let _ = check(&DuplicateParagraph, s);
        }
    }
}
