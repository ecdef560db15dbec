//! Blocks: the units of incremental analysis.
//!
//! A text is cut into blocks of whole lines, each ending after a blank line (a paragraph and the
//! blank line that closes it) or after [`MAX_LINES`] lines, whichever comes first; the last block
//! ends with the text. Every block starts at the start of a line, so a `\r\n` pair is never cut.
//! Each block carries a hash of its bytes: when a document changes, a block whose hash and
//! length are unchanged has the same text, and what was computed from it alone (block-scoped rule
//! findings, repeated-line keys) is reused, shifted to the block's new offset.
//!
//! Architecture invariant: anything cached per block must depend on the block's text alone
//! (and the configuration), never on its position or its neighbours.

use std::ops::Range;

use crate::text::{find_terminator, terminator_at};

/// Longest block in lines, so that a document without blank lines still gets small blocks.
pub const MAX_LINES: usize = 64;

/// One block of a text: its byte range (terminators included) and a key of its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub range: Range<usize>,
    pub key: BlockKey,
}

/// Identity of a block's text: a 64-bit hash of its bytes and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockKey {
    hash: u64,
    len: u32,
}

impl BlockKey {
    pub fn of(text: &str) -> BlockKey {
        BlockKey { hash: crate::hash::bytes(text.as_bytes()), len: text.len() as u32 }
    }
}

/// The blocks of `text`, in order, covering it exactly (an empty text has one empty block).
pub fn blocks(text: &str) -> Vec<Block> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 400 + 1);
    let mut start = 0usize;
    let mut lines = 0usize;
    let mut line_start = 0usize;
    loop {
        let i = find_terminator(bytes, line_start);
        if i >= bytes.len() {
            break;
        }
        let blank = bytes[line_start..i].iter().all(|&b| matches!(b, b' ' | b'\t'));
        let next = i + terminator_at(bytes, i);
        lines += 1;
        if blank || lines >= MAX_LINES {
            out.push(Block { range: start..next, key: BlockKey::of(&text[start..next]) });
            start = next;
            lines = 0;
        }
        line_start = next;
    }
    if start < bytes.len() || out.is_empty() {
        out.push(Block { range: start..bytes.len(), key: BlockKey::of(&text[start..]) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_after_blank_lines_and_cover_the_text() {
        let text = "Title\r\n\r\nPara one\nstill one\n  \nPara two\rend";
        let got: Vec<&str> = blocks(text).iter().map(|b| &text[b.range.clone()]).collect();
        assert_eq!(got, vec!["Title\r\n\r\n", "Para one\nstill one\n  \n", "Para two\rend"]);
        assert_eq!(blocks("").len(), 1);
        assert_eq!(blocks("a\n\n").iter().map(|b| b.range.clone()).collect::<Vec<_>>(), vec![0..3]);
        let long = "line\n".repeat(MAX_LINES * 2 + 1);
        assert_eq!(blocks(&long).len(), 3);
    }

    #[test]
    fn equal_text_equal_key() {
        assert_eq!(BlockKey::of("Para one\n"), BlockKey::of("Para one\n"));
        assert_ne!(BlockKey::of("Para one\n"), BlockKey::of("Para onx\n"));
    }
}
