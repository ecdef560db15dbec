//! `repeated-line` (corpus-level): a line that many documents of the corpus share.
//!
//! Whatever a site's template prints on every page — its name, a slogan, a subscription
//! prompt, a list of rubrics — recurs verbatim across the articles scraped from it, while
//! article sentences almost never do. Counting lines across the corpus finds template text that
//! no pattern knows.
//!
//! The rule is split so the corpus index can keep it up to date incrementally:
//! - [`line_keys`] turns one document into a key per meaningful line (pure, per document);
//! - [`LineCensus`] counts, per key, the documents that contain it, with [`LineCensus::add`] and
//!   [`LineCensus::remove`] applied as documents change (a rebuild with [`LineCensus::build`]
//!   gives the same census);
//! - [`check`] reports a document's lines whose key is common enough.
//!
//! Keys fold case, digits, punctuation and whitespace, so "Views: 975" and "VIEWS 12" share a
//! key; lines with fewer than [`MIN_LETTERS`] letters are skipped.

use std::hash::Hasher;
use std::ops::Range;

use super::{trimmed, KeyMap, Origin, RuleInfo};
use crate::config::Config;
use crate::diag::Level;
use crate::diag::{Diagnostic, Fix, Related, Severity};
use crate::packed::{is_alphabetic, put_char, Packed, BUF, CHUNK, LOWER_ALPHA, MASK};
use crate::text::{lines, LineIndex};
use crate::DocId;

/// The rule's entry in the list of codes.
pub const INFO: RuleInfo = RuleInfo {
    code: "repeated-line",
    default_level: Level::On(Severity::Warning),
    summary: "A line repeated across many documents of the corpus: site template text.",
    ignorable: true,
    origin: Origin::Corpus,
};

/// Stable code of the rule.
pub const CODE: &str = INFO.code;

/// Level used when the configuration does not name the rule.
pub const DEFAULT_LEVEL: Level = INFO.default_level;

/// Lines with fewer letters than this carry too little to compare.
pub const MIN_LETTERS: usize = 6;

/// How many other places the related information lists (the last one says how many more): site
/// chrome repeats in thousands of documents, and every diagnostic travels to the editor.
const MAX_RELATED: usize = 5;

/// A key per meaningful line of `text`: the hash of its letters, lowercased, and the line's
/// trimmed byte range. Digits, punctuation and whitespace do not count.
pub fn line_keys(text: &str) -> Vec<(u64, Range<usize>)> {
    let mut out = Vec::new();
    line_keys_into(text, 0, &mut out);
    out
}

/// [`line_keys`] of `text` appended to `out`, ranges shifted by `offset` (for a part of a
/// larger text that starts there).
pub fn line_keys_into(text: &str, offset: usize, out: &mut Vec<(u64, Range<usize>)>) {
    for (_, r) in lines(text) {
        let t = trimmed(text, r);
        if t.is_empty() {
            continue;
        }
        let (h, letters) = letter_hash(&text[t.clone()]);
        if letters >= MIN_LETTERS {
            out.push((h, t.start + offset..t.end + offset));
        }
    }
}

/// Hash of the lowercased letters of `s`, and how many letters there were. The letters are
/// packed into 64-bit words (an ASCII letter as one byte, any other as three bytes starting with
/// a byte below 0x20, so the packing is unambiguous) and mixed a word at a time.
fn letter_hash(s: &str) -> (u64, usize) {
    let bytes = s.as_bytes();
    let mut h = Packed::new();
    // Every byte is written to `buf`, and a letter over the byte after the last letter, without
    // a branch per byte (whether a byte is a letter is as unpredictable as the text).
    let mut buf = [0u8; BUF];
    // bytes packed in all, bytes packed for non-ASCII letters, and those letters
    let (mut total, mut wide_bytes, mut wide_letters) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + CHUNK).min(bytes.len());
        let mut k = 0usize;
        if bytes[i..end].is_ascii() {
            for &b in &bytes[i..end] {
                let l = LOWER_ALPHA[usize::from(b)];
                buf[k & MASK] = l;
                k += usize::from(l != 0);
            }
            i = end;
        }
        while i < end {
            let b = bytes[i];
            if b < 0x80 {
                let l = LOWER_ALPHA[usize::from(b)];
                buf[k & MASK] = l;
                k += usize::from(l != 0);
                i += 1;
                continue;
            }
            // (`i` is always at a character boundary)
            let c = s[i..].chars().next().unwrap_or(' ');
            if is_alphabetic(c) {
                for l in c.to_lowercase() {
                    let w = put_char(&mut buf, k, l);
                    k += w;
                    wide_bytes += w;
                }
                wide_letters += 1;
            }
            i += c.len_utf8();
        }
        h.bytes(&buf[..k.min(BUF)]);
        total += k;
    }
    (h.finish(), total - wide_bytes + wide_letters)
}

/// Where each line key occurs: per key, the documents holding it (once each, with the range of
/// the first occurrence in that document), kept sorted by document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineCensus {
    places: KeyMap<Places>,
}

/// The places of one key, sorted by document. Most lines of a corpus occur in one document
/// only, so one place is kept inline (no allocation per distinct line).
#[derive(Clone, Debug, PartialEq)]
enum Places {
    One([(DocId, u32, u32); 1]),
    Many(Vec<(DocId, u32, u32)>),
}

impl std::ops::Deref for Places {
    type Target = [(DocId, u32, u32)];

    fn deref(&self) -> &Self::Target {
        match self {
            Places::One(p) => p,
            Places::Many(v) => v,
        }
    }
}

impl LineCensus {
    /// A census of all `docs` (document id and its [`line_keys`]).
    pub fn build<'a>(docs: impl IntoIterator<Item = (DocId, &'a [(u64, Range<usize>)])>) -> LineCensus {
        let mut c = LineCensus::default();
        for (doc, keys) in docs {
            c.add(doc, keys);
        }
        c
    }

    /// Count a document's keys. Adding a document twice without removing it is a no-op for
    /// keys it already holds.
    pub fn add(&mut self, doc: DocId, keys: &[(u64, Range<usize>)]) {
        for (k, r) in keys {
            let place = (doc, r.start as u32, r.end as u32);
            match self.places.entry(*k) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(Places::One([place]));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let Err(i) = o.get().binary_search_by_key(&doc, |p| p.0) else { continue };
                    let places = o.get_mut();
                    if let Places::One([first]) = *places {
                        *places = Places::Many(vec![first]);
                    }
                    if let Places::Many(v) = places {
                        v.insert(i, place);
                    }
                }
            }
        }
    }

    /// Forget a document's keys (pass the keys it was added with).
    pub fn remove(&mut self, doc: DocId, keys: &[(u64, Range<usize>)]) {
        for (k, _) in keys {
            let Some(places) = self.places.get_mut(k) else { continue };
            let Ok(i) = places.binary_search_by_key(&doc, |p| p.0) else { continue };
            match places {
                Places::One(_) => {
                    self.places.remove(k);
                }
                Places::Many(v) => {
                    v.remove(i);
                    if let [only] = v[..] {
                        *places = Places::One([only]);
                    }
                }
            }
        }
    }

    /// Number of documents that contain `key`.
    pub fn docs_with(&self, key: u64) -> usize {
        self.places.get(&key).map_or(0, |p| p.len())
    }

    /// Number of distinct keys counted.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// The `repeated-line` diagnostics of document `doc` with keys `keys`, in a corpus of
/// `total_docs` documents. A line is reported when its key occurs in at least
/// `config.repeated_min_docs` documents and in at least `config.repeated_min_share` of all
/// documents. Severity follows the configured level; nothing is returned when the rule is off.
/// Lines whose key equals the key of an entry of `config.ignore_lines` are not reported.
/// Related information lists up to [`MAX_RELATED`] other documents. The diagnostics carry no fix because
/// the text is not at hand here; [`delete_fix`] builds one from the document's text.
pub fn check(
    census: &LineCensus,
    doc: DocId,
    keys: &[(u64, Range<usize>)],
    total_docs: usize,
    config: &Config,
) -> Vec<Diagnostic> {
    check_with(census, doc, keys, total_docs, config, true)
}

/// [`check`], with the related information (the other documents) only when `related` holds: a
/// report that never shows it need not build it.
pub fn check_with(
    census: &LineCensus,
    doc: DocId,
    keys: &[(u64, Range<usize>)],
    total_docs: usize,
    config: &Config,
    related: bool,
) -> Vec<Diagnostic> {
    let Level::On(severity) = config.level(CODE, DEFAULT_LEVEL) else { return Vec::new() };
    let mut out = Vec::new();
    for (_, r, places, n) in reported(census, doc, keys, total_docs, config) {
        let here = n == places.len();
        // Only the listed places are visited: a template line may be in thousands of documents.
        let n_others = places.len() - usize::from(here);
        let others = places.iter().filter(|p| p.0 != doc).take(MAX_RELATED);
        let mut d = Diagnostic::new(
            CODE,
            r.clone(),
            format!(
                "this line occurs in {n} of {total_docs} documents: site template text, not part of the article; delete it"
            ),
        );
        d.severity = severity;
        if !related {
            out.push(d);
            continue;
        }
        for p in others {
            d.related.push(Related { doc: p.0, range: p.1 as usize..p.2 as usize, message: "same line".into() });
        }
        if n_others > MAX_RELATED {
            if let Some(last) = d.related.last_mut() {
                last.message = format!("same line (and {} more documents)", n_others - MAX_RELATED);
            }
        }
        out.push(d);
    }
    out
}

/// The lines of `doc` that [`check`] reports: key, range, the key's places and its document count.
fn reported<'a>(
    census: &'a LineCensus,
    doc: DocId,
    keys: &'a [(u64, Range<usize>)],
    total_docs: usize,
    config: &Config,
) -> impl Iterator<Item = (u64, &'a Range<usize>, &'a Places, usize)> + 'a {
    let ignored: Vec<u64> = config.ignore_lines.iter().flat_map(|l| line_keys(l)).map(|(k, _)| k).collect();
    let min_docs = config.repeated_min_docs.max(2);
    let min_share = config.repeated_min_share * total_docs as f64;
    keys.iter().filter_map(move |(k, r)| {
        let places = census.places.get(k)?;
        let here = places.binary_search_by_key(&doc, |p| p.0).is_ok();
        let n = places.len() + usize::from(!here);
        (n >= min_docs && n as f64 >= min_share && !ignored.contains(k)).then_some((*k, r, places, n))
    })
}

/// Which lines of `doc` are reported, as a hash (not their wording, which carries counts): it
/// changes exactly when a line starts or stops being reported, e.g. because another document
/// gained or lost it.
pub fn reported_fingerprint(
    census: &LineCensus,
    doc: DocId,
    keys: &[(u64, Range<usize>)],
    total_docs: usize,
    config: &Config,
) -> u64 {
    use std::hash::Hash;
    let mut h = crate::hash::StableHasher::default();
    if matches!(config.level(CODE, DEFAULT_LEVEL), Level::On(_)) {
        for (_, r, _, _) in reported(census, doc, keys, total_docs, config) {
            (r.start, r.end).hash(&mut h);
        }
    }
    h.finish()
}

/// A fix deleting the reported line (range as given by [`check`]) with its terminator; `lines`
/// is the line index of the document's text.
pub fn delete_fix(doc: DocId, lines: &LineIndex, range: &Range<usize>) -> Fix {
    let li = lines;
    let line = li.line_of(range.start);
    Fix::replace("Delete repeated line", doc, li.line_range_with_terminator(line), "").safe()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`letter_hash`] one character at a time, straight from its definition.
    fn letter_hash_reference(s: &str) -> (u64, usize) {
        let (mut h, mut letters) = (Packed::new(), 0usize);
        for c in s.chars().filter(|c| c.is_alphabetic()) {
            c.to_lowercase().for_each(|l| h.char(l));
            letters += 1;
        }
        (h.finish(), letters)
    }

    #[test]
    fn gathered_letters_equal_the_definition() {
        for t in &crate::packed::folding_samples() {
            assert_eq!(letter_hash(t), letter_hash_reference(t), "{t:?}");
        }
    }

    #[test]
    fn ascii_and_general_letter_hashes_agree() {
        assert_eq!(letter_hash("Views: 975, today"), letter_hash("Views\u{2014}: 975, today\u{bb}"));
        assert_ne!(letter_hash("Views"), letter_hash("Viewz"));
    }

    const TEMPLATE: &str = "otenge.com\n\nSubscribe to our channel in Telegram\n";

    fn doc(body: &str) -> String {
        format!("{TEMPLATE}{body}\nViews: {}\n", body.len())
    }

    fn corpus(n: usize) -> Vec<String> {
        (0..n).map(|i| doc(&format!("Article number {i} about a different event in the region."))).collect()
    }

    #[test]
    fn template_lines_are_found_and_articles_are_not() {
        let texts = corpus(5);
        let keys: Vec<_> = texts.iter().map(|t| line_keys(t)).collect();
        let census = LineCensus::build(keys.iter().enumerate().map(|(i, k)| (DocId(i as u32), k.as_slice())));
        let cfg = Config::default();
        let d = check(&census, DocId(0), &keys[0], texts.len(), &cfg);
        let got: Vec<&str> = d.iter().map(|d| &texts[0][d.range.clone()]).collect();
        // "Article number N …" differ only in digits, so they share a key too: digits fold.
        assert_eq!(
            got,
            vec![
                "otenge.com",
                "Subscribe to our channel in Telegram",
                "Article number 0 about a different event in the region."
            ]
        );
        assert_eq!(d[0].related.len(), 4);
        assert!(d[0].message.contains("5 of 5 documents"));
        assert_eq!(d[0].severity, Severity::Warning);
    }

    #[test]
    fn thresholds_levels_and_ignores() {
        let texts = corpus(3);
        let keys: Vec<_> = texts.iter().map(|t| line_keys(t)).collect();
        let census = LineCensus::build(keys.iter().enumerate().map(|(i, k)| (DocId(i as u32), k.as_slice())));
        let mut cfg = Config::default();
        assert_eq!(check(&census, DocId(1), &keys[1], 3, &cfg).len(), 3);
        cfg.repeated_min_share = 0.5;
        assert!(check(&census, DocId(1), &keys[1], 10, &cfg).is_empty(), "3 of 10 is under half");
        cfg.repeated_min_share = 0.01;
        cfg.repeated_min_docs = 4;
        assert!(check(&census, DocId(1), &keys[1], 3, &cfg).is_empty());
        cfg.repeated_min_docs = 3;
        cfg.ignore_lines = vec!["OTENGE.COM".into()];
        assert_eq!(check(&census, DocId(1), &keys[1], 3, &cfg).len(), 2);
        cfg.rules.insert(CODE.into(), Level::On(Severity::Information));
        assert!(check(&census, DocId(1), &keys[1], 3, &cfg).iter().all(|d| d.severity == Severity::Information));
        cfg.rules.insert(CODE.into(), Level::Off);
        assert!(check(&census, DocId(1), &keys[1], 3, &cfg).is_empty());
    }

    #[test]
    fn incremental_updates_equal_a_rebuild() {
        let mut texts = corpus(6);
        let mut keys: Vec<_> = texts.iter().map(|t| line_keys(t)).collect();
        let mut inc = LineCensus::build(keys.iter().enumerate().map(|(i, k)| (DocId(i as u32), k.as_slice())));
        // change document 2, remove document 4
        inc.remove(DocId(2), &keys[2]);
        texts[2] = "A completely new text.\nWith two lines of prose.".into();
        keys[2] = line_keys(&texts[2]);
        inc.add(DocId(2), &keys[2]);
        inc.remove(DocId(4), &keys[4]);
        let rebuilt = LineCensus::build(
            keys.iter().enumerate().filter(|(i, _)| *i != 4).map(|(i, k)| (DocId(i as u32), k.as_slice())),
        );
        assert_eq!(inc, rebuilt);
        assert_eq!(inc.docs_with(line_keys("otenge.com")[0].0), 4);
    }

    #[test]
    fn census_counts_follow_adds_and_removes() {
        let keys = |ks: &[u64]| ks.iter().map(|&k| (k, 0..1)).collect::<Vec<_>>();
        let mut c = LineCensus::default();
        c.add(DocId(2), &keys(&[1, 2]));
        c.add(DocId(0), &keys(&[1]));
        c.add(DocId(0), &keys(&[1]));
        c.add(DocId(1), &keys(&[1]));
        assert_eq!((c.docs_with(1), c.docs_with(2), c.len()), (3, 1, 2));
        let docs = |c: &LineCensus| c.places[&1].iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(docs(&c), [DocId(0), DocId(1), DocId(2)], "sorted by document");
        c.remove(DocId(1), &keys(&[1, 2, 9]));
        c.remove(DocId(2), &keys(&[1, 2]));
        assert_eq!((c.docs_with(1), c.docs_with(2), c.len()), (1, 0, 1));
        assert!(matches!(c.places[&1], Places::One(_)), "back to one inline place");
        c.remove(DocId(0), &keys(&[1]));
        assert!(c.is_empty());
        let mut again = LineCensus::default();
        again.add(DocId(5), &keys(&[1]));
        c.add(DocId(5), &keys(&[1]));
        assert_eq!(c, again);
    }

    #[test]
    fn many_places_are_capped() {
        let texts = corpus(30);
        let keys: Vec<_> = texts.iter().map(|t| line_keys(t)).collect();
        let census = LineCensus::build(keys.iter().enumerate().map(|(i, k)| (DocId(i as u32), k.as_slice())));
        let d = check(&census, DocId(0), &keys[0], 30, &Config::default());
        assert_eq!(d[0].related.len(), 5);
        assert!(d[0].related[4].message.contains("and 24 more"), "{}", d[0].related[4].message);
        let f = delete_fix(DocId(0), &LineIndex::new(&texts[0]), &d[0].range);
        assert_eq!(f.edits[0].range, 0..11);
    }

    #[test]
    fn keys_skip_short_and_empty_lines() {
        assert!(line_keys("").is_empty());
        assert!(line_keys("Tags: , ,\n12345\n\u{a0}\nВсё\n").is_empty());
        let k = line_keys("Views: 975\r\nVIEWS 12\rotenge.com");
        assert_eq!(k.len(), 1, "'views' has five letters");
        assert_eq!(line_keys("Subscribe!")[0].0, line_keys("  SUBSCRIBE ")[0].0);
    }
}
