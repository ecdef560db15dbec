//! Diagnostics as the engine produces them: byte ranges, stable codes, fixes as plain edits.
//! The LSP layer converts them to protocol types; the CLI prints them. Neither adds meaning.

use std::ops::Range;

use crate::DocId;

/// How serious a diagnostic is (the LSP severities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Information,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Information => "information",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule's level: off, or on with the severity its findings get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// The names configuration accepts, in the order messages list them.
    pub const NAMES: [&'static str; 5] = ["off", "hint", "information", "warning", "error"];

    /// A level from its name; case is ignored and a few common synonyms (`info`, `warn`, `none`,
    /// `allow`, `deny`) are accepted.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" | "none" | "allow" => Level::Off,
            "hint" => Level::On(Severity::Hint),
            "information" | "info" => Level::On(Severity::Information),
            "warning" | "warn" => Level::On(Severity::Warning),
            "error" | "deny" => Level::On(Severity::Error),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        }
    }
}

/// One finding in one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Byte range in the document's text.
    pub range: Range<usize>,
    /// Stable rule code, e.g. `untranslated-caption`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Other places that explain this one (the original of a duplicate, other documents).
    pub related: Vec<Related>,
    /// Safe repairs, offered as quick fixes.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static str, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            range,
            code,
            severity: Severity::Warning,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    /// The same finding `by` bytes further into document `doc`: its range, and the ranges of its
    /// edits and related locations in `doc`, move; places in other documents stay.
    pub fn shifted(&self, doc: DocId, by: usize) -> Diagnostic {
        let mut d = self.clone();
        let shift = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
        shift(&mut d.range);
        for e in d.fixes.iter_mut().flat_map(|f| f.edits.iter_mut()).filter(|e| e.doc == doc) {
            shift(&mut e.range);
        }
        for r in d.related.iter_mut().filter(|r| r.doc == doc) {
            shift(&mut r.range);
        }
        d
    }
}

/// A related location, possibly in another document.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub doc: DocId,
    pub range: Range<usize>,
    pub message: String,
}

/// A repair: edits to apply together.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    /// Safe to apply in bulk ("Remove all scrape artifacts in this document").
    pub safe: bool,
}

/// Replace `range` of document `doc` with `new_text`.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub doc: DocId,
    pub range: Range<usize>,
    pub new_text: String,
}

impl Fix {
    /// A fix made of a single edit in one document.
    pub fn replace(title: impl Into<String>, doc: DocId, range: Range<usize>, new_text: impl Into<String>) -> Fix {
        Fix { title: title.into(), edits: vec![Edit { doc, range, new_text: new_text.into() }], safe: false }
    }

    pub fn safe(mut self) -> Fix {
        self.safe = true;
        self
    }
}

/// The fixes "fix all" applies to document `doc`: for each diagnostic its first safe fix whose
/// edits all lie in `doc` and overlap none already chosen. Diagnostics are taken by position,
/// and of two that start together the one that reaches further first, so that a block's
/// deletion is chosen rather than the deletion of a line inside it.
pub fn fix_all(diagnostics: &[Diagnostic], doc: DocId) -> Vec<&Fix> {
    fix_all_with(diagnostics, doc).into_iter().map(|(_, f)| f).collect()
}

/// [`fix_all`], each fix with its diagnostic.
pub fn fix_all_with<'a>(
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    doc: DocId,
) -> Vec<(&'a Diagnostic, &'a Fix)> {
    let mut order: Vec<&Diagnostic> = diagnostics.into_iter().collect();
    order.sort_by_key(|d| (d.range.start, std::cmp::Reverse(d.range.end)));
    let mut chosen: Vec<(&'a Diagnostic, &'a Fix)> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    for d in order {
        let overlaps = |r: &Range<usize>, taken: &[Range<usize>]| {
            taken.iter().any(|t| {
                (r.start < t.end && t.start < r.end) || (r.is_empty() && t.start <= r.start && r.start < t.end)
            })
        };
        let fix = d
            .fixes
            .iter()
            .filter(|f| f.safe && !f.edits.is_empty())
            .find(|f| f.edits.iter().all(|e| e.doc == doc) && !f.edits.iter().any(|e| overlaps(&e.range, &taken)));
        if let Some(fix) = fix {
            taken.extend(fix.edits.iter().map(|e| e.range.clone()));
            chosen.push((d, fix));
        }
    }
    chosen
}

/// `text` with the edits of `fixes` (which must not overlap) applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        let start = e.range.start.clamp(at, text.len());
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = e.range.end.clamp(start, text.len());
    }
    out.push_str(&text[at..]);
    out
}

/// The smallest single replacement that turns `old` into `new`: the byte range of `old` to
/// replace and its replacement (the common start and end are kept, on character boundaries).
pub fn replacement(old: &str, new: &str) -> (Range<usize>, String) {
    let prefix: usize = old.chars().zip(new.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let suffix: usize = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    (prefix..old.len() - suffix, new[prefix..new.len() - suffix].to_string())
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // lists of edit ranges that happen to hold one
mod tests {
    use super::*;

    fn delete(code: &'static str, range: Range<usize>) -> Diagnostic {
        Diagnostic::new(code, range.clone(), "x").with_fix(Fix::replace("Delete", DocId(0), range, "").safe())
    }

    #[test]
    fn a_block_wins_over_the_lines_inside_it() {
        let text = "a\nb\nc\nd\ne\n";
        let line = delete("boilerplate", 0..2);
        let block = delete("boilerplate", 0..6);
        let inside = delete("widget-residue", 4..6);
        let later = delete("duplicate-paragraph", 8..10);
        let unsafe_fix = Diagnostic::new("mojibake", 6..8, "x").with_fix(Fix::replace("Repair", DocId(0), 6..8, "D\n"));
        let found = [line, block, inside, unsafe_fix, later];
        let fixes = fix_all(&found, DocId(0));
        assert_eq!(fixes.len(), 2);
        assert_eq!(apply(text, &fixes), "d\n");
    }

    fn fix(doc: u32, ranges: &[Range<usize>], safe: bool) -> Fix {
        let edits =
            ranges.iter().map(|r| Edit { doc: DocId(doc), range: r.clone(), new_text: String::new() }).collect();
        Fix { title: format!("{ranges:?}"), edits, safe }
    }

    #[test]
    fn fix_all_takes_safe_fixes_in_the_document_without_overlaps() {
        let mut a = Diagnostic::new("a", 0..5, "a");
        a.fixes = vec![fix(0, &[0..5], true), fix(0, &[0..9], true)];
        let mut b = Diagnostic::new("b", 3..8, "b");
        b.fixes = vec![fix(0, &[3..8], true)];
        let mut c = Diagnostic::new("c", 10..12, "c");
        c.fixes = vec![fix(0, &[10..12], false), fix(0, &[10..11, 20..21], true)];
        let mut d = Diagnostic::new("d", 30..31, "d");
        d.fixes = vec![fix(0, &[30..31, 0..1], true), fix(1, &[40..41], true), fix(0, &[5..6], true)];
        let all = [a, b, c, d];
        let chosen: Vec<&str> = fix_all(&all, DocId(0)).iter().map(|f| f.title.as_str()).collect();
        // 0..9 and 3..8 overlap 0..5; the unsafe fix is left out; 30..31 + 0..1 overlaps 0..5;
        // an edit in another document keeps a fix out; 5..6 touches 0..5 without overlapping
        assert_eq!(chosen, ["[0..5]", "[10..11, 20..21]", "[5..6]"]);
    }

    #[test]
    fn replacement_keeps_the_common_start_and_end() {
        let (r, t) = replacement("[ignore]\nlines = []\n", "[ignore]\nlines = [\"x\"]\n");
        assert_eq!((r, t.as_str()), (18..18, "\"x\""));
        let (r, t) = replacement("Токаев", "Тонаев");
        assert_eq!((r, t.as_str()), (4..6, "н"), "character boundaries");
        assert_eq!(replacement("same", "same"), (4..4, String::new()));
        assert_eq!(replacement("", "new"), (0..0, "new".to_string()));
        assert_eq!(replacement("aaa", "aa"), (2..3, String::new()));
    }
}
