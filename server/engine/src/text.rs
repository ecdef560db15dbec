//! Lines and positions.
//!
//! Architecture invariant: everything inside the engine speaks **byte offsets** into a `&str`.
//! Line/column positions exist only at the edge, in the encoding the client negotiated, and are
//! converted here and nowhere else. Lines end at `\n`, `\r\n` or a lone `\r` — exactly the LSP
//! definition; U+2028, NEL, VT and FF are ordinary characters.
//!
//! Conversions never fail: a line past the end clamps to the end of the text, a column past the
//! end of its line clamps to the end of that line (before its terminator), and a column that
//! falls inside a character (a UTF-16 surrogate pair, a UTF-8 sequence) snaps to the start of
//! that character.

use std::ops::Range;

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PosEncoding {
    /// Columns count UTF-8 bytes.
    Utf8,
    /// Columns count UTF-16 code units (the LSP default).
    Utf16,
}

impl PosEncoding {
    /// Width of `c` in this encoding's units.
    #[inline]
    pub fn width(self, c: char) -> u32 {
        match self {
            PosEncoding::Utf8 => c.len_utf8() as u32,
            PosEncoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// A zero-based line and column, the column counted in some [`PosEncoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }
}

/// Byte offset, inside `line` (its terminator excluded), of column `col` counted in `enc`.
/// Clamps to the end of the line; snaps into a character to its start.
pub fn col_to_byte(line: &str, col: u32, enc: PosEncoding) -> usize {
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        let w = enc.width(c);
        if units + w > col {
            return i;
        }
        units += w;
    }
    line.len()
}

/// Column, counted in `enc`, of byte offset `byte` inside `line`.
/// Clamps to the line's length and snaps down to a character boundary.
pub fn byte_to_col(line: &str, byte: usize, enc: PosEncoding) -> u32 {
    let mut b = byte.min(line.len());
    while !line.is_char_boundary(b) {
        b -= 1;
    }
    match enc {
        PosEncoding::Utf8 => b as u32,
        PosEncoding::Utf16 => {
            let bytes = &line.as_bytes()[..b];
            if bytes.is_ascii() {
                b as u32
            } else {
                // one unit per character (every byte but continuation bytes), two for those
                // outside the BMP (four-byte sequences, led by 0xF0..): no decoding
                bytes.iter().map(|&x| u32::from(x & 0xC0 != 0x80) + u32::from(x >= 0xF0)).sum()
            }
        }
    }
}

/// Length of the line terminator that starts at `bytes[i]`, if any.
#[inline]
pub(crate) fn terminator_at(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'\n' => 1,
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
        b'\r' => 1,
        _ => 0,
    }
}

/// Offset of the first `\n` or `\r` in `bytes` at or after `from`, or `bytes.len()` if none.
/// Looks at eight bytes at a time: most of a text is long runs of line content.
#[inline]
pub fn find_terminator(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        let (lf, cr) = (w ^ (ONES * u64::from(b'\n')), w ^ (ONES * u64::from(b'\r')));
        // a byte of `lf`/`cr` is zero where `w` has the terminator; the lowest flagged byte is exact
        let zero = (lf.wrapping_sub(ONES) & !lf | cr.wrapping_sub(ONES) & !cr) & HIGH;
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
        i += 1;
    }
    i.min(bytes.len())
}

/// Start offsets of every line of a text, for fast line/offset conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        let mut i = find_terminator(bytes, 0);
        while i < bytes.len() {
            i += terminator_at(bytes, i);
            starts.push(i as u32);
            i = find_terminator(bytes, i);
        }
        LineIndex { starts, len: bytes.len() as u32 }
    }

    /// Number of lines; a text ending in a terminator has an empty last line.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Total length in bytes of the indexed text.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte range of line `line` including its terminator. Clamped.
    pub fn line_range_with_terminator(&self, line: usize) -> Range<usize> {
        if line >= self.starts.len() {
            return self.len()..self.len();
        }
        let start = self.starts[line] as usize;
        let end = self.starts.get(line + 1).map_or(self.len(), |&s| s as usize);
        start..end
    }

    /// Byte range of line `line` without its terminator. Clamped.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let r = self.line_range_with_terminator(line);
        let bytes = text.as_bytes();
        let mut end = r.end;
        if end > r.start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > r.start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        r.start..end
    }

    /// The lines of the indexed `text` as `(line_number, byte_range_without_terminator)`: the
    /// same as [`lines`] without scanning the text again.
    pub fn lines<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, Range<usize>)> + 'a {
        (0..self.starts.len()).map(move |n| (n, self.line_range(text, n)))
    }

    /// The line that contains byte `offset` (clamped).
    pub fn line_of(&self, offset: usize) -> usize {
        let o = offset.min(self.len()) as u32;
        self.starts.partition_point(|&s| s <= o) - 1
    }

    /// Byte offset of a position. Never fails: see the module docs for the clamping rules.
    pub fn offset(&self, text: &str, pos: Pos, enc: PosEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len();
        }
        let r = self.line_range(text, line);
        r.start + col_to_byte(&text[r.clone()], pos.col, enc)
    }

    /// Position of byte `offset` (clamped, snapped down to a character boundary).
    pub fn pos(&self, text: &str, offset: usize, enc: PosEncoding) -> Pos {
        let offset = offset.min(self.len());
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        // An offset inside a terminator ("\r|\n") reports the end of the line's content.
        let content = self.line_range(text, line);
        let col = byte_to_col(&text[content.clone()], offset - start, enc);
        Pos { line: line as u32, col }
    }

    /// Positions of both ends of a byte range.
    pub fn range(&self, text: &str, range: Range<usize>, enc: PosEncoding) -> (Pos, Pos) {
        (self.pos(text, range.start, enc), self.pos(text, range.end, enc))
    }
}

/// Iterate over the lines of `text` as `(line_number, byte_range_without_terminator)`.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut n = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let i = find_terminator(bytes, start);
        if i < bytes.len() {
            let r = start..i;
            start = i + terminator_at(bytes, i);
            n += 1;
            return Some((n - 1, r));
        }
        done = true;
        n += 1;
        Some((n - 1, start..bytes.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use PosEncoding::*;

    /// (text, offset, utf8 pos, utf16 pos)
    type Case = (&'static str, usize, (u32, u32), (u32, u32));
    const CASES: &[Case] = &[
        ("abc", 0, (0, 0), (0, 0)),
        ("abc", 3, (0, 3), (0, 3)),
        ("Тас", 2, (0, 2), (0, 1)),
        ("Тас", 6, (0, 6), (0, 3)),
        ("a😀b", 5, (0, 5), (0, 3)),
        ("a😀b", 6, (0, 6), (0, 4)),
        ("a\r\nb", 3, (1, 0), (1, 0)),
        ("a\rb", 2, (1, 0), (1, 0)),
        ("a\rб\nc", 4, (1, 2), (1, 1)),
        ("a\n\nb", 2, (1, 0), (1, 0)),
        ("a\n", 2, (1, 0), (1, 0)),
    ];

    #[test]
    fn offsets_to_positions_and_back() {
        for &(text, off, p8, p16) in CASES {
            let li = LineIndex::new(text);
            assert_eq!(li.pos(text, off, Utf8), Pos::new(p8.0, p8.1), "{text:?}@{off} utf8");
            assert_eq!(li.pos(text, off, Utf16), Pos::new(p16.0, p16.1), "{text:?}@{off} utf16");
            assert_eq!(li.offset(text, Pos::new(p8.0, p8.1), Utf8), off, "{text:?} back utf8");
            assert_eq!(li.offset(text, Pos::new(p16.0, p16.1), Utf16), off, "{text:?} back utf16");
        }
    }

    #[test]
    fn utf16_columns_count_like_the_characters() {
        let lines = ["", "plain ascii", "Токаев сказал", "a😀b𝔸c", "日本語 mixed é\u{301}", "\u{10FFFF}x\u{7F}\u{80}"];
        for line in lines {
            for b in 0..=line.len() + 2 {
                let mut at = b.min(line.len());
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                let want: u32 = line[..at].chars().map(|c| c.len_utf16() as u32).sum();
                assert_eq!(byte_to_col(line, b, PosEncoding::Utf16), want, "{line:?} at {b}");
                assert_eq!(byte_to_col(line, b, PosEncoding::Utf8), at as u32);
            }
        }
    }

    #[test]
    fn clamps_out_of_range_positions() {
        let text = "ab\r\nвг";
        let li = LineIndex::new(text);
        assert_eq!(li.offset(text, Pos::new(0, 99), Utf16), 2, "past end of line -> before terminator");
        assert_eq!(li.offset(text, Pos::new(7, 0), Utf16), text.len(), "past last line -> end");
        assert_eq!(li.offset(text, Pos::new(1, 99), Utf8), text.len());
        assert_eq!(li.pos(text, 999, Utf16), Pos::new(1, 2));
        // inside a surrogate pair / inside a multi-byte sequence: snap to the char start
        let e = "x😀";
        let li = LineIndex::new(e);
        assert_eq!(li.offset(e, Pos::new(0, 2), Utf16), 1);
        assert_eq!(li.offset(e, Pos::new(0, 3), Utf8), 1);
        assert_eq!(li.pos(e, 3, Utf16), Pos::new(0, 1));
    }

    #[test]
    fn terminator_search_finds_the_first_one() {
        let text = "0123456789abcdef\r0123456789\n0123456789ab\u{2028}\n\n";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let naive = (from..bytes.len()).find(|&i| matches!(bytes[i], b'\n' | b'\r')).unwrap_or(bytes.len());
            assert_eq!(find_terminator(bytes, from), naive, "from {from}");
        }
    }

    #[test]
    fn lines_split_only_on_lsp_terminators() {
        let text = "a\u{2028}b\u{85}c\u{b}d\u{c}e\r\nf\rg\nh";
        let got: Vec<&str> = lines(text).map(|(_, r)| &text[r]).collect();
        assert_eq!(got, vec!["a\u{2028}b\u{85}c\u{b}d\u{c}e", "f", "g", "h"]);
        let li = LineIndex::new(text);
        assert_eq!(li.line_count(), 4);
        for (n, r) in lines(text) {
            assert_eq!(li.line_range(text, n), r);
        }
        assert!(li.lines(text).eq(lines(text)));
        assert_eq!(lines("").count(), 1);
        assert_eq!(lines("x\n").map(|(_, r)| r).collect::<Vec<_>>(), vec![0..1, 2..2]);
    }
}
