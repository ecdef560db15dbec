//! The rules: one file per rule behind the small [`Rule`] trait, each with a stable code and a
//! curated default level. A rule sees one document ([`DocCtx`]) and appends diagnostics; it
//! never does IO and never panics on any input.
//!
//! [`all`] is the one list of every code a diagnostic can carry, with its default level and
//! summary: configuration accepts exactly these codes, `dossier rules` prints them, and a test
//! keeps the editor settings (`editors/vscode/package.json`) and the README's table equal to it.
//!
//! To add a rule: write `rules/<code>.rs` with a unit struct implementing [`Rule`] and tests
//! taken from real text, list it in [`RULES`], then run the tests with `DOSSIER_BLESS=1` once to
//! regenerate the settings and the README table.

use std::ops::Range;

use crate::config::Config;
use crate::diag::{Diagnostic, Fix, Level, Severity};
use crate::text::LineIndex;
use crate::DocId;

mod boilerplate;
mod duplicate_paragraph;
mod glued_footnote;
mod markup_residue;
mod mixed_script_word;
mod mojibake;
pub(crate) mod page_metadata;
pub mod repeated_line;
mod truncated_ending;
pub(crate) mod untranslated;
mod widget_residue;

pub use boilerplate::{chrome_lines, Boilerplate};
pub use duplicate_paragraph::DuplicateParagraph;
pub use glued_footnote::GluedFootnote;
pub use markup_residue::MarkupResidue;
pub use mixed_script_word::MixedScriptWord;
pub use mojibake::Mojibake;
pub use page_metadata::PageMetadata;
pub use truncated_ending::TruncatedEnding;
pub use untranslated::{UntranslatedCaption, UntranslatedText};
pub use widget_residue::WidgetResidue;

/// What a rule sees of one document.
pub struct DocCtx<'a> {
    pub doc: DocId,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub config: &'a Config,
}

/// A per-document check.
pub trait Rule: Send + Sync {
    /// Stable code, kebab-case, shown to users and used in configuration.
    fn code(&self) -> &'static str;
    /// Level used when the configuration does not name this rule.
    fn default_level(&self) -> Level;
    /// One sentence for listings, settings and hovers (Markdown: literal text in backticks).
    fn summary(&self) -> &'static str;
    /// Whether a finding is a whole line whose text the user may add to `ignore.lines`
    /// ("Ignore this pattern"), which the rule then honours.
    fn ignorable(&self) -> bool {
        false
    }
    /// This rule's entry in the list of codes ([`all`]).
    fn info(&self) -> RuleInfo {
        RuleInfo {
            code: self.code(),
            default_level: self.default_level(),
            summary: self.summary(),
            ignorable: self.ignorable(),
            origin: Origin::Document,
        }
    }
    /// What this rule's findings depend on; see [`Scope`].
    fn scope(&self) -> Scope {
        Scope::Document
    }
    /// Append this rule's findings for one document. Severity is set by the caller.
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>);
    /// For a [`Scope::Split`] rule: the findings that depend on the block alone.
    fn check_block(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        self.check(cx, out)
    }
    /// For a [`Scope::Split`] rule: the lines of one block that [`Rule::check_rest`] must look
    /// at (a summary of the block that depends on its text alone, cached with its findings).
    fn marks(&self, _cx: &DocCtx<'_>, _out: &mut Vec<Mark>) {}
    /// For a [`Scope::Split`] rule: the findings that need the whole document, given the
    /// [`Rule::marks`] of all its blocks in document order (lines and ranges of the document).
    fn check_rest(&self, _cx: &DocCtx<'_>, _marks: &[Mark], _out: &mut Vec<Diagnostic>) {}
}

/// A line of a block that a [`Scope::Split`] rule's whole-document pass must look at, with
/// rule-specific keys. `line` and `range` are relative to the text the marks were taken from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub range: Range<usize>,
    pub key: u64,
    pub aux: u64,
}

impl Mark {
    /// The same mark in a text where the marked one starts at line `line` and byte `offset`.
    pub fn shifted(&self, line: usize, offset: usize) -> Mark {
        Mark {
            line: self.line + line,
            range: self.range.start + offset..self.range.end + offset,
            key: self.key,
            aux: self.aux,
        }
    }
}

/// The marks of `rule` on the whole of `cx`, then its rest pass; for [`Rule::check`].
pub(crate) fn rest_of_whole(rule: &dyn Rule, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
    let mut marks = Vec::new();
    rule.marks(cx, &mut marks);
    rule.check_rest(cx, &marks, out);
}

/// Which part of the rules' work [`check_part`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every rule on the whole document.
    Whole,
    /// The work that depends on one block alone; the context is the block as a document.
    Block,
    /// The work that needs the whole document.
    Rest,
}

/// How much of a document a rule needs to see, which decides how its findings are cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The findings on any run of whole lines are exactly the rule's findings on that run
    /// checked as a document of its own, shifted to its offset; no finding, fix or related
    /// location reaches outside the run. Such a rule runs per [`crate::blocks`] block and its
    /// findings are reused for unchanged blocks when the document is edited.
    Block,
    /// The rule needs the whole document (context across blank lines, positions, other
    /// paragraphs); it runs on the whole text each time and must stay cheap.
    Document,
    /// Most findings are block-local ([`Rule::check_block`], cached like [`Scope::Block`]); the
    /// rest need the whole document ([`Rule::check_rest`], run each time), which sees it through
    /// per-block [`Mark`]s (also cached) so that its cost follows the marked lines, not the
    /// document. Together they are exactly [`Rule::check`].
    Split,
}

/// Every per-document rule, in reporting order.
pub static RULES: &[&dyn Rule] = &[
    &UntranslatedCaption,
    &UntranslatedText,
    &MixedScriptWord,
    &Mojibake,
    &Boilerplate,
    &DuplicateParagraph,
    &WidgetResidue,
    &PageMetadata,
    &GluedFootnote,
    &MarkupResidue,
    &TruncatedEnding,
];

/// Where a code's findings come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A [`Rule`] of [`RULES`], run on each document.
    Document,
    /// A rule that compares documents (see [`CORPUS_RULES`]).
    Corpus,
    /// How the loader read a file (its encoding, damaged bytes).
    Loader,
    /// A problem in the user's own files (`dossier.toml`, the registry).
    Settings,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Document => "document",
            Origin::Corpus => "corpus",
            Origin::Loader => "loader",
            Origin::Settings => "settings",
        }
    }
}

/// What users see of one diagnostic code: its entry in the one list ([`all`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, kebab-case; the key in `[rules]`.
    pub code: &'static str,
    pub default_level: Level,
    /// One sentence (Markdown: literal text in backticks).
    pub summary: &'static str,
    /// See [`Rule::ignorable`].
    pub ignorable: bool,
    pub origin: Origin,
}

/// The rules that compare documents, run by the corpus on its line census.
pub const CORPUS_RULES: &[RuleInfo] = &[repeated_line::INFO];

/// The loader's notices on a file: the encoding it was decoded from, or damaged bytes.
pub const ENCODING: RuleInfo = RuleInfo {
    code: "encoding",
    default_level: Level::On(Severity::Information),
    summary: "The file is not UTF-8 (the encoding it was decoded from is named) or has damaged bytes.",
    ignorable: false,
    origin: Origin::Loader,
};

/// An invalid `dossier.toml`: reported on that file while the previous valid configuration stays
/// in force.
pub const CONFIG: RuleInfo = RuleInfo {
    code: "config",
    default_level: Level::On(Severity::Error),
    summary: "`dossier.toml` is invalid; the previous valid configuration stays in force.",
    ignorable: false,
    origin: Origin::Settings,
};

/// A malformed entry of the entity registry, reported on that file; the valid entries stay in use.
pub const REGISTRY: RuleInfo = RuleInfo {
    code: "registry",
    default_level: Level::On(Severity::Error),
    summary: "A malformed entry in the entity registry (`entities.toml`); the valid entries stay in use.",
    ignorable: false,
    origin: Origin::Settings,
};

/// Every code a diagnostic can carry, in reporting order: the per-document rules, the corpus
/// rules, then the loader's and the settings files' codes.
pub fn all() -> Vec<RuleInfo> {
    let mut v: Vec<RuleInfo> = RULES.iter().map(|r| r.info()).collect();
    v.extend_from_slice(CORPUS_RULES);
    v.extend([ENCODING, CONFIG, REGISTRY]);
    v
}

/// The codes of [`all`]: what `[rules]` in the configuration may name.
pub fn all_codes() -> Vec<&'static str> {
    all().iter().map(|r| r.code).collect()
}

/// The entry of `code` in [`all`].
pub fn info(code: &str) -> Option<RuleInfo> {
    all().into_iter().find(|r| r.code == code)
}

/// Run every enabled rule on one document; diagnostics come sorted by position.
pub fn check_document(cx: &DocCtx<'_>) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    check_part(cx, Part::Whole, &mut Vec::new(), &mut all);
    sort_findings(&mut all);
    all
}

/// Run one part of the enabled rules' work on `cx`, in [`RULES`] order, appending findings with
/// the configured severity (unsorted). `marks` has one list per rule of [`RULES`]: [`Part::Block`]
/// fills it with the block's marks, [`Part::Rest`] reads the document's; [`Part::Whole`] ignores it.
pub fn check_part(cx: &DocCtx<'_>, part: Part, marks: &mut Vec<Vec<Mark>>, all: &mut Vec<Diagnostic>) {
    if part != Part::Whole && marks.len() < RULES.len() {
        marks.resize(RULES.len(), Vec::new());
    }
    for (i, rule) in RULES.iter().enumerate() {
        let Level::On(sev) = cx.config.level(rule.code(), rule.default_level()) else {
            continue;
        };
        let start = all.len();
        match (part, rule.scope()) {
            (Part::Whole, _) | (Part::Block, Scope::Block) | (Part::Rest, Scope::Document) => rule.check(cx, all),
            (Part::Block, Scope::Split) => {
                rule.check_block(cx, all);
                rule.marks(cx, &mut marks[i]);
            }
            (Part::Rest, Scope::Split) => rule.check_rest(cx, &marks[i], all),
            (Part::Block, Scope::Document) | (Part::Rest, Scope::Block) => {}
        }
        for d in &mut all[start..] {
            // the level in force is the one of the code the finding carries
            debug_assert_eq!(d.code, rule.code(), "a rule reports under its own code");
            d.severity = sev;
        }
    }
}

/// Sort findings by position; findings at the same position keep [`RULES`] order, and one rule's
/// findings at the same position keep the order the rule gave them.
pub fn sort_findings(all: &mut [Diagnostic]) {
    let rank = |code: &str| RULES.iter().position(|r| r.code() == code).unwrap_or(RULES.len());
    all.sort_by_cached_key(|d| (d.range.start, d.range.end, rank(d.code)));
}

/// A map keyed by hashes (line keys, paragraph hashes), which need no further hashing.
pub(crate) type KeyMap<V> = crate::hash::FastMap<u64, V>;

/// The content of a line without surrounding whitespace (NBSP and BOM included), as a byte range
/// into the document.
#[inline]
pub(crate) fn trimmed(text: &str, r: Range<usize>) -> Range<usize> {
    let line = &text[r.clone()];
    // Most lines start and end with a visible ASCII character: nothing to trim.
    let visible = |b: u8| b > b' ' && b < 0x80;
    match line.as_bytes() {
        [] => return r,
        [first, .., last] if visible(*first) && visible(*last) => return r,
        [only] if visible(*only) => return r,
        _ => {}
    }
    let is_space = |c: char| c.is_whitespace() || c == '\u{feff}';
    let start = line.len() - line.trim_start_matches(is_space).len();
    let end = line.trim_end_matches(is_space).len().max(start);
    r.start + start..r.start + end
}

/// A fix that deletes line `line` of the document together with its terminator.
pub(crate) fn delete_line(cx: &DocCtx<'_>, line: usize, title: &str) -> Fix {
    Fix::replace(title, cx.doc, cx.lines.line_range_with_terminator(line), "")
}

/// Has the user asked (configuration `ignore.lines`) not to flag this line's text?
/// Comparison ignores case and runs of whitespace.
pub(crate) fn is_ignored(config: &Config, line: &str) -> bool {
    config.ignore_lines.iter().any(|i| same_line(i, line))
}

fn same_line(a: &str, b: &str) -> bool {
    fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
        s.split_whitespace().flat_map(|w| w.chars().flat_map(char::to_lowercase).chain([' ']))
    }
    folded(a).eq(folded(b))
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Running one rule on a text, for the rules' unit tests.
    use super::*;

    /// Findings of `rule` on `text` with the default configuration.
    pub fn check(rule: &dyn Rule, text: &str) -> Vec<Diagnostic> {
        check_with(rule, text, &Config::default())
    }

    pub fn check_with(rule: &dyn Rule, text: &str, config: &Config) -> Vec<Diagnostic> {
        let lines = LineIndex::new(text);
        let cx = DocCtx { doc: DocId(0), text, lines: &lines, config };
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        out
    }

    /// 1-based line numbers that carry a finding.
    pub fn flagged_lines(rule: &dyn Rule, text: &str) -> Vec<usize> {
        let lines = LineIndex::new(text);
        let mut v: Vec<usize> = check(rule, text).iter().map(|d| lines.line_of(d.range.start) + 1).collect();
        v.dedup();
        v
    }

    /// The text after applying every edit of the first fix of `d` (edits must not overlap).
    pub fn apply_first_fix(text: &str, d: &Diagnostic) -> String {
        let mut edits = d.fixes[0].edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.range, &e.new_text);
        }
        out
    }
}
