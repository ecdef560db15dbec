//! The rules: one file per rule behind the small [`Rule`] trait, each with a stable code and a
//! curated default level. A rule sees one document ([`DocCtx`]) and appends diagnostics; it
//! never does IO and never panics on any input.
//!
//! To add a rule: write `rules/<code>.rs` with a unit struct implementing [`Rule`] and tests
//! taken from real text, then list it in [`RULES`].

use crate::config::{Config, Level};
use crate::diag::{Diagnostic, Severity};
use crate::text::LineIndex;
use crate::DocId;

mod untranslated;

pub use untranslated::{UntranslatedCaption, UntranslatedText};

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
    /// One sentence for `--help`-style listings and documentation.
    fn summary(&self) -> &'static str;
    /// Append this rule's findings for one document. Severity is set by the caller.
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>);
}

/// Every per-document rule, in reporting order.
pub static RULES: &[&dyn Rule] = &[&UntranslatedCaption, &UntranslatedText];

/// Codes that configuration may name: the rules above plus corpus-level rules.
pub fn all_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = RULES.iter().map(|r| r.code()).collect();
    v.extend(crate::corpus::CORPUS_RULE_CODES);
    v
}

pub fn is_known_code(code: &str) -> bool {
    all_codes().contains(&code)
}

/// Run every enabled rule on one document; diagnostics come sorted by position.
pub fn check_document(cx: &DocCtx<'_>) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    for rule in RULES {
        let Level::On(sev) = cx.config.level(rule.code(), rule.default_level()) else {
            continue;
        };
        let start = all.len();
        rule.check(cx, &mut all);
        for d in &mut all[start..] {
            d.severity = sev;
        }
    }
    all.sort_by_key(|d| (d.range.start, d.range.end));
    all
}

/// Severity of a level, for rules that are on by default.
pub const fn on(sev: Severity) -> Level {
    Level::On(sev)
}
