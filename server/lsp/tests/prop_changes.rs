//! Property test of incremental document sync: random sequences of LSP content changes applied
//! to the server's rope-based document ([`dossier_lsp::convert::apply_change`]) give the same
//! text as a plain-string model written straight from the protocol's definition (lines end at
//! `\n`, `\r\n` or `\r`; columns count UTF-16 code units or UTF-8 bytes; a line past the end means
//! the end of the text, a column past the end of its line means the end of that line, a column
//! inside a character means that character's start).

use dossier_engine::text::PosEncoding;
use dossier_lsp::convert::apply_change;
use proptest::prelude::*;
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

/// Byte offset of a protocol position in `text`, computed without any shared code.
fn model_offset(text: &str, line: u32, col: u32, enc: PosEncoding) -> usize {
    // Split into (start, content end) pairs by hand.
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                lines.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push((start, b.len()));
    let Some(&(s, e)) = lines.get(line as usize) else { return text.len() };
    let mut units = 0u32;
    for (off, c) in text[s..e].char_indices() {
        let w = match enc {
            PosEncoding::Utf16 => c.len_utf16() as u32,
            PosEncoding::Utf8 => c.len_utf8() as u32,
        };
        if units + w > col {
            return s + off;
        }
        units += w;
    }
    e
}

fn model_apply(text: &mut String, c: &lsp::TextDocumentContentChangeEvent, enc: PosEncoding) {
    match c.range {
        None => *text = c.text.clone(),
        Some(r) => {
            let a = model_offset(text, r.start.line, r.start.character, enc);
            let b = model_offset(text, r.end.line, r.end.character, enc);
            let (a, b) = (a.min(b), a.max(b));
            text.replace_range(a..b, &c.text);
        }
    }
}

/// Pieces that exercise every line terminator, Cyrillic, astral characters and long lines.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("Привет".to_string()),
        Just("Тасмагамбетов ".to_string()),
        Just("😀".to_string()),
        Just("𝕏y".to_string()),
        Just("é".to_string()),
        Just("\u{2028}".to_string()),
        "[a-z ]{0,6}",
        // a long line, so that ropey's chunk boundaries fall inside lines and CRLF pairs
        (1usize..40).prop_map(|n| "Минск, 30 октября 2024 года. ".repeat(n)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..12).prop_map(|v| v.concat())
}

/// A change as positions chosen relative to the current text when applied (so most land inside
/// the text), with occasional positions past the end of lines and of the text.
#[derive(Clone, Debug)]
struct ChangeSeed {
    full: bool,
    start: (u32, u32),
    end: (u32, u32),
    text: String,
}

fn change_seed() -> impl Strategy<Value = ChangeSeed> {
    (prop::bool::weighted(0.03), (0u32..14, 0u32..90), (0u32..14, 0u32..90), text())
        .prop_map(|(full, start, end, text)| ChangeSeed { full, start, end, text })
}

fn line_count(text: &str) -> u32 {
    let b = text.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
        i += 1;
    }
    n
}

fn to_change(seed: &ChangeSeed, current: &str) -> lsp::TextDocumentContentChangeEvent {
    if seed.full {
        return lsp::TextDocumentContentChangeEvent { range: None, range_length: None, text: seed.text.clone() };
    }
    // Mostly existing lines; one line past the end is allowed (and sometimes more).
    let n = line_count(current) + 1;
    let pos = |(l, c): (u32, u32)| lsp::Position::new(if l < 12 { l % n } else { l }, c);
    lsp::TextDocumentContentChangeEvent {
        range: Some(lsp::Range::new(pos(seed.start), pos(seed.end))),
        range_length: None,
        text: seed.text.clone(),
    }
}

fn check(initial: &str, seeds: &[ChangeSeed], enc: PosEncoding) -> Result<(), TestCaseError> {
    let mut rope = Rope::from_str(initial);
    let mut model = initial.to_string();
    for (i, s) in seeds.iter().enumerate() {
        let change = to_change(s, &model);
        apply_change(&mut rope, &change, enc);
        model_apply(&mut model, &change, enc);
        prop_assert_eq!(rope.to_string(), model.clone(), "after change {} ({:?})", i, change);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rope_sync_matches_string_model_utf16(initial in text(), seeds in proptest::collection::vec(change_seed(), 1..25)) {
        check(&initial, &seeds, PosEncoding::Utf16)?;
    }

    #[test]
    fn rope_sync_matches_string_model_utf8(initial in text(), seeds in proptest::collection::vec(change_seed(), 1..25)) {
        check(&initial, &seeds, PosEncoding::Utf8)?;
    }
}

#[test]
fn crlf_pair_is_one_terminator_and_columns_clamp_before_it() {
    let mut rope = Rope::from_str("ab\r\ncd");
    let c = lsp::TextDocumentContentChangeEvent {
        range: Some(lsp::Range::new(lsp::Position::new(0, 99), lsp::Position::new(0, 99))),
        range_length: None,
        text: "X".into(),
    };
    apply_change(&mut rope, &c, PosEncoding::Utf16);
    assert_eq!(rope.to_string(), "abX\r\ncd");
}
