//! The checks every fuzz target runs, shared with the regression test of the engine
//! (`server/engine/tests/fuzz_regressions.rs` includes this file), so that a saved input is
//! replayed through exactly the same code on stable Rust.
//!
//! Each check panics when an invariant breaks: output ranges inside the text and on character
//! boundaries, position conversions that clamp and round-trip.

#![allow(dead_code)]

use dossier_engine::config::Config;
use dossier_engine::decode::{decode, Decoded};
use dossier_engine::text::{byte_to_col, col_to_byte, LineIndex, Pos, PosEncoding};
use dossier_engine::DocId;

/// Bytes → text: never panics; text results carry a notice unless they are plain UTF-8.
pub fn check_decode(data: &[u8]) {
    let d = decode(data);
    let notice = d.notice();
    match &d {
        Decoded::Text { encoding, replaced, text, .. } => {
            assert_eq!(notice.is_none(), *encoding == "UTF-8" && *replaced == 0, "{d:?}");
            if std::str::from_utf8(data).is_ok() && !data.starts_with(b"\xEF\xBB\xBF") && *encoding == "UTF-8" {
                assert_eq!(text.as_bytes(), data, "valid UTF-8 is kept as is");
            }
        }
        Decoded::Binary { reason } => assert!(!reason.is_empty()),
    }
    check_stored_mentions(data);
    check_stored_index(data);
}

/// The bytes read as a stored mention record (index cache): refused, or read back into records
/// that store again to the same bytes' meaning; kept unread exactly when they read, and then
/// read as reading them at once does.
fn check_stored_mentions(data: &[u8]) {
    use dossier_engine::store::mentions;
    let decoded = mentions::decode(data);
    if let Ok(m) = &decoded {
        let mut again = Vec::new();
        mentions::write(m, &mut again);
        assert_eq!(mentions::decode(&again).as_ref(), Ok(m));
    }
    let kept = mentions::keep_copy(data);
    assert_eq!(kept.is_ok(), decoded.is_ok());
    if let (Ok(kept), Ok(m)) = (kept, &decoded) {
        let mut out = Vec::new();
        mentions::write_any(&*kept, &mut out);
        assert_eq!(out, data, "stored bytes are kept as they are");
        assert_eq!(kept.get(), m);
    }
    // the same, kept as a range of a larger file's bytes
    let mut file = vec![0x5a; 3];
    file.extend_from_slice(data);
    let file: dossier_engine::store::SharedBytes = std::sync::Arc::new(file);
    let in_file = mentions::keep(&file, 3..3 + data.len());
    assert_eq!(in_file.is_ok(), decoded.is_ok());
    if let (Ok(in_file), Ok(m)) = (in_file, &decoded) {
        let mut out = Vec::new();
        mentions::write_any(&*in_file, &mut out);
        assert_eq!(out, data, "stored bytes in a file are kept as they are");
        in_file.copy_out();
        assert_eq!(std::sync::Arc::strong_count(&file), 1, "copied out of the file");
        assert_eq!(in_file.get(), m);
    }
}

/// Documents as read back: name, text, recognised mentions in their stored form.
type SampleDocs = Vec<(String, std::sync::Arc<str>, Vec<u8>)>;

/// A few generated articles, recognised, and their linked index in its stored form.
fn stored_sample() -> &'static (SampleDocs, Vec<u8>) {
    static SAMPLE: std::sync::OnceLock<(SampleDocs, Vec<u8>)> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut corpus = dossier_engine::corpus::Corpus::new(Config::default());
        for (name, text) in dossier_testgen::corpus(4, 7) {
            corpus.upsert(&format!("/c/{name}"), text.into(), Vec::new());
        }
        let mut stored = Vec::new();
        dossier_engine::store::index::write(&corpus.entities(), None, &mut stored).expect("writing to memory");
        let encoded = |e: &dossier_engine::corpus::DocEntry| {
            let mut out = Vec::new();
            dossier_engine::store::mentions::write_any(&**e.entities(), &mut out);
            out
        };
        let docs = corpus.docs().iter().map(|e| (e.name.to_string(), e.text.clone(), encoded(e))).collect();
        (docs, stored)
    })
}

/// The sample's stored linked index with the input written over it at an offset the input
/// chooses (and the input alone): read back onto the sample's documents, it is refused or gives
/// an index every query of which answers without panic.
fn check_stored_index(data: &[u8]) {
    let (docs, stored) = stored_sample();
    let mut damaged = stored.clone();
    if let Some((at, patch)) = data.split_first_chunk::<4>() {
        let at = u32::from_le_bytes(*at) as usize % (stored.len() + 1);
        damaged.truncate(at);
        damaged.extend_from_slice(patch);
        if at + patch.len() < stored.len() && patch.len() % 2 == 0 {
            damaged.extend_from_slice(&stored[at + patch.len()..]); // overwritten, not cut
        }
    }
    use dossier_engine::store::restore::{read_links, StoredDoc};
    for bytes in [&damaged[..], data] {
        let mut corpus = dossier_engine::corpus::Corpus::new(Config::default());
        let mut stored = Vec::new();
        for (name, text, mentions) in docs {
            let mentions = dossier_engine::store::mentions::keep_copy(mentions).expect("stored mentions read");
            stored.push(StoredDoc { name: name.as_str().into(), text: text.clone(), mentions: mentions.clone() });
            corpus.insert(dossier_engine::corpus::NewDoc::new(name, text.clone(), Vec::new()).with_mentions(mentions));
        }
        let bytes: dossier_engine::store::SharedBytes = std::sync::Arc::new(bytes.to_vec());
        let Ok(base) = read_links(&corpus, &stored, &bytes, 0..bytes.bytes().len()) else { continue };
        corpus.link_from(std::sync::Arc::new(base));
        let index = corpus.entities();
        for (id, _) in index.all() {
            let _ = (index.references(id), index.definition(id), index.counts(id));
        }
        for e in corpus.docs() {
            for (range, id, _) in index.mentions_in(e.id) {
                assert!(range.end <= e.text.len());
                let _ = (index.at(e.id, range.start), index.entity(id));
            }
        }
    }
}

/// The text of a fuzz input: its UTF-8 reading, damage replaced.
pub fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Line index and position conversion: every offset maps to a position and back; every
/// position, however far out of range, maps to an offset on a character boundary.
pub fn check_text(data: &[u8]) {
    // The first four bytes choose a probe position; the rest is the text.
    let (probe, rest) = data.split_at(data.len().min(4));
    // Every offset is checked, and a conversion walks its line: keep the text short.
    let text = text_of(&rest[..rest.len().min(512)]);
    let lines = LineIndex::new(&text);
    assert_eq!(lines.len(), text.len());
    let mut probe_pos = Pos::new(0, 0);
    if let [a, b, c, d] = *probe {
        probe_pos = Pos::new(u32::from(a) | (u32::from(b) << 8), u32::from(c) | (u32::from(d) << 8));
    }
    for enc in [PosEncoding::Utf8, PosEncoding::Utf16] {
        let o = lines.offset(&text, probe_pos, enc);
        assert!(o <= text.len() && text.is_char_boundary(o), "offset {o} of {probe_pos:?}");
        let mut last = Pos::new(0, 0);
        for (off, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = lines.pos(&text, off, enc);
            assert!(p >= last, "positions grow with offsets: {last:?} then {p:?} at {off}");
            last = p;
            let inside_crlf = off > 0 && text.as_bytes()[off - 1] == b'\r' && text.as_bytes().get(off) == Some(&b'\n');
            if !inside_crlf {
                assert_eq!(lines.offset(&text, p, enc), off, "round trip of {off} via {p:?} ({enc:?})");
            }
        }
        assert_eq!(lines.line_count() as u32, last.line + 1);
        // Columns inside a line clamp to its end and snap to character starts.
        for line in 0..lines.line_count().min(64) {
            let r = lines.line_range(&text, line);
            let s = &text[r];
            for col in 0..(s.len() as u32 + 3).min(256) {
                let b = col_to_byte(s, col, enc);
                assert!(b <= s.len() && s.is_char_boundary(b));
                assert!(byte_to_col(s, b, enc) <= col);
            }
        }
    }
}

/// Entity recognition: mentions inside the text, on character boundaries, sorted.
pub fn check_entities(data: &[u8]) {
    let text = text_of(data);
    let found = dossier_engine::entities::analyze(&text);
    let mut last = 0;
    for m in &found.mentions {
        assert!(m.range.start <= m.range.end && m.range.end <= text.len(), "{m:?}");
        assert!(text.is_char_boundary(m.range.start) && text.is_char_boundary(m.range.end), "{m:?}");
        assert!(m.range.start >= last, "mentions sorted: {m:?}");
        last = m.range.start;
    }
    // link the text as two documents, then update with the second one cut in half, and ask
    // every query on both (no panic, ranges inside the texts)
    use dossier_engine::entities::{DocInput, DocMentions, EntityIndex};
    use std::sync::Arc;
    let full: Arc<str> = Arc::from(text.as_str());
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let half: Arc<str> = Arc::from(&text[..cut]);
    let doc = |id: u32, name: &str, t: &Arc<str>| DocInput {
        id: DocId(id),
        name: Arc::from(name),
        text: t.clone(),
        entities: DocMentions::from(dossier_engine::entities::analyze(t)).into(),
    };
    let a = doc(0, "/c/a.txt", &full);
    let index = EntityIndex::build([a.clone(), doc(1, "/c/b.txt", &full)], None);
    let index = index.update([a, doc(1, "/c/b.txt", &half)], None);
    for (id, e) in index.all() {
        assert!(!e.name.is_empty() || index.counts(id).0 == 0, "{e:?}");
        for l in index.references(id) {
            let t = if l.doc == DocId(0) { &full } else { &half };
            assert!(t.get(l.range.clone()).is_some(), "{l:?}");
        }
        let _ = index.hover(id, DocId(0));
    }
    for off in (0..=text.len()).step_by(7) {
        if let Some((_, r)) = index.at(DocId(0), off) {
            assert!(full.get(r).is_some());
        }
    }
}

/// Every rule, with every rule switched on: findings and their fixes inside the text, on
/// character boundaries.
pub fn check_rules(data: &[u8]) {
    let text = text_of(data);
    let lines = LineIndex::new(&text);
    let mut config = Config::default();
    for code in dossier_engine::rules::all_codes() {
        config.rules.insert(code.to_string(), dossier_engine::diag::Level::parse("hint").expect("a level"));
    }
    let cx = dossier_engine::rules::DocCtx { doc: DocId(0), text: &text, lines: &lines, config: &config };
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    for d in dossier_engine::rules::check_document(&cx) {
        assert!(ok(&d.range), "{}: range {:?} in a text of {} bytes", d.code, d.range, text.len());
        for f in &d.fixes {
            for e in &f.edits {
                assert!(ok(&e.range), "{}: fix range {:?}", d.code, e.range);
            }
        }
    }
}
