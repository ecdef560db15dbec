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
