//! Conversion at the edge: engine byte offsets ↔ protocol positions in the negotiated encoding,
//! engine diagnostics → protocol diagnostics, paths ↔ URIs. Nothing else in the server knows
//! about UTF-16.

use std::ops::Range;
use std::path::Path;

use dossier_engine::corpus::Corpus;
use dossier_engine::diag::{self, Severity};
use dossier_engine::text::{col_to_byte, LineIndex, Pos, PosEncoding};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

/// The encoding to use given what the client offers: UTF-8 when offered, else UTF-16.
pub fn negotiate(caps: &lsp::ClientCapabilities) -> PosEncoding {
    let offered = caps.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|v| v.contains(&lsp::PositionEncodingKind::UTF8)) {
        PosEncoding::Utf8
    } else {
        PosEncoding::Utf16
    }
}

pub fn encoding_kind(enc: PosEncoding) -> lsp::PositionEncodingKind {
    match enc {
        PosEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PosEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
    }
}

/// A text with its line index: everything needed to convert positions.
#[derive(Clone, Copy)]
pub struct TextPos<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub enc: PosEncoding,
}

impl TextPos<'_> {
    pub fn offset(&self, p: lsp::Position) -> usize {
        self.lines.offset(self.text, Pos::new(p.line, p.character), self.enc)
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let p = self.lines.pos(self.text, offset, self.enc);
        lsp::Position::new(p.line, p.col)
    }

    pub fn range(&self, r: Range<usize>) -> lsp::Range {
        lsp::Range::new(self.position(r.start), self.position(r.end))
    }

    pub fn offsets(&self, r: lsp::Range) -> Range<usize> {
        let (a, b) = (self.offset(r.start), self.offset(r.end));
        a.min(b)..a.max(b)
    }
}

/// Byte offset of a protocol position in a rope (for applying incremental edits). Clamped like
/// [`LineIndex::offset`].
pub fn rope_offset(rope: &Rope, p: lsp::Position, enc: PosEncoding) -> usize {
    let line = p.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    // the line's content without its terminator
    let mut content = String::with_capacity(slice.len_bytes());
    for chunk in slice.chunks() {
        content.push_str(chunk);
    }
    let trimmed = content.trim_end_matches(['\n', '\r']);
    start + col_to_byte(trimmed, p.character, enc)
}

/// Apply one content change to a rope, in place.
pub fn apply_change(rope: &mut Rope, change: &lsp::TextDocumentContentChangeEvent, enc: PosEncoding) {
    match change.range {
        None => *rope = Rope::from_str(&change.text),
        Some(r) => {
            let a = rope_offset(rope, r.start, enc);
            let b = rope_offset(rope, r.end, enc);
            let (a, b) = (a.min(b), a.max(b));
            let (ca, cb) = (rope.byte_to_char(a), rope.byte_to_char(b));
            rope.remove(ca..cb);
            rope.insert(ca, &change.text);
        }
    }
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
    }
}

pub fn uri_of(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

/// The document key (normalised path) of a URI, for `file:` URIs.
pub fn key_of(uri: &lsp::Uri) -> Option<String> {
    let p = uri.to_file_path()?;
    Some(crate::loader::key(&p))
}

/// Protocol diagnostic for an engine diagnostic of document `doc_text`.
pub fn diagnostic(corpus: &Corpus, at: TextPos<'_>, d: &diag::Diagnostic) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let e = corpus.get(r.doc)?;
            let tp = TextPos { text: &e.text, lines: e.lines(), enc: at.enc };
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location { uri: uri_of(Path::new(&*e.name))?, range: tp.range(r.range.clone()) },
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: at.range(d.range.clone()),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("dossier".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: r.map(|(a, b)| lsp::Range::new(lsp::Position::new(a.0, a.1), lsp::Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn rope_edits_in_both_encodings() {
        let mut rope = Rope::from_str("Тас 😀 x\r\nline2\rline3");
        // UTF-16: after the emoji (Т а с space = 4, emoji = 2, space = 1) → column 7 is "x"
        apply_change(&mut rope, &change(Some(((0, 7), (0, 8))), "y"), PosEncoding::Utf16);
        assert_eq!(rope.to_string(), "Тас 😀 y\r\nline2\rline3");
        // UTF-8: byte column 7 is after "Тас " (6+1 bytes)
        apply_change(&mut rope, &change(Some(((0, 7), (0, 7))), "!"), PosEncoding::Utf8);
        assert_eq!(rope.to_string(), "Тас !😀 y\r\nline2\rline3");
        // lone CR is a line break; positions past the end clamp
        apply_change(&mut rope, &change(Some(((2, 0), (2, 99))), "L3"), PosEncoding::Utf16);
        assert_eq!(rope.to_string(), "Тас !😀 y\r\nline2\rL3");
        apply_change(&mut rope, &change(Some(((9, 0), (9, 0))), "+"), PosEncoding::Utf16);
        assert_eq!(rope.to_string(), "Тас !😀 y\r\nline2\rL3+");
        // column past the end of a CRLF line inserts before the terminator
        apply_change(&mut rope, &change(Some(((0, 50), (0, 50))), "?"), PosEncoding::Utf16);
        assert_eq!(rope.to_string(), "Тас !😀 y?\r\nline2\rL3+");
        apply_change(&mut rope, &change(None, "fresh"), PosEncoding::Utf16);
        assert_eq!(rope.to_string(), "fresh");
    }
}
