//! A fast hash of a stream of folded characters, packed eight bytes to a 64-bit word and mixed a
//! word at a time: the paragraph keys of `duplicate-paragraph` and the line keys of
//! `repeated-line`. An ASCII character is one byte, any other three bytes starting with a byte
//! below 0x20, so the packing is unambiguous. Values live in memory only.

/// The state of one hash.
#[derive(Clone, Copy)]
pub(crate) struct Packed {
    h: u64,
    acc: u64,
    k: u32,
}

impl Packed {
    pub(crate) const fn new() -> Packed {
        Packed { h: 0xcbf2_9ce4_8422_2325, acc: 0, k: 0 }
    }

    #[inline(always)]
    pub(crate) fn byte(&mut self, b: u8) {
        self.acc = (self.acc << 8) | u64::from(b);
        self.k += 1;
        if self.k == 8 {
            self.h = mix(self.h, self.acc);
            self.acc = 0;
            self.k = 0;
        }
    }

    /// Many bytes: the same state as [`Packed::byte`] on each in turn, eight bytes a step once
    /// the word is aligned.
    #[inline]
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while self.k != 0 {
            let Some((&b, tail)) = rest.split_first() else { return };
            self.byte(b);
            rest = tail;
        }
        let mut words = rest.chunks_exact(8);
        for w in &mut words {
            // the first byte packed is the most significant, as `byte` shifts it up
            self.h = mix(self.h, u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]));
        }
        for &b in words.remainder() {
            self.byte(b);
        }
    }

    /// A (folded) character: one byte if ASCII, else three.
    #[cfg(test)]
    #[inline(always)]
    pub(crate) fn char(&mut self, c: char) {
        let l = u32::from(c);
        if l < 0x80 {
            self.byte(l as u8);
        } else {
            self.byte((l >> 16) as u8);
            self.byte((l >> 8) as u8);
            self.byte(l as u8);
        }
    }

    #[inline(always)]
    pub(crate) fn finish(self) -> u64 {
        if self.k > 0 {
            mix(self.h, self.acc | u64::from(self.k) << 60)
        } else {
            self.h
        }
    }
}

/// Input bytes folded into a buffer between two [`Packed::bytes`] calls: the folding loops write
/// every byte and advance only past the kept ones, without a branch per byte (whether a byte is
/// kept is as unpredictable as the text).
pub(crate) const CHUNK: usize = 128;

/// Size of that buffer. A folded input byte gives at most two bytes (a space and itself), a
/// non-ASCII character at most a space and three characters of three bytes each, and a
/// character may run three bytes past the chunk: the buffer holds any chunk.
pub(crate) const BUF: usize = 512;

/// Buffer indexes are masked with this, which keeps them in bounds without a check.
pub(crate) const MASK: usize = BUF - 1;

/// Write `c` at `buf[k..]` as [`Packed::char`] packs it; returns the number of bytes written.
#[inline]
pub(crate) fn put_char(buf: &mut [u8; BUF], k: usize, c: char) -> usize {
    let l = u32::from(c);
    if l < 0x80 {
        buf[k & MASK] = l as u8;
        1
    } else {
        buf[k & MASK] = (l >> 16) as u8;
        buf[(k + 1) & MASK] = (l >> 8) as u8;
        buf[(k + 2) & MASK] = l as u8;
        3
    }
}

#[inline(always)]
fn mix(h: u64, acc: u64) -> u64 {
    let h = (h ^ acc).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

const fn ascii_table(alnum: bool) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || (alnum && c.is_ascii_digit()) {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
}

/// An ASCII letter or digit lowercased; 0 for any other byte.
pub(crate) static LOWER_ALNUM: [u8; 256] = ascii_table(true);

/// [`char::is_alphabetic`] and [`char::is_alphanumeric`] of the characters that scraped news
/// text has besides ASCII, read from tables made once from the standard library's answers:
/// two-byte UTF-8 (Latin-1, Cyrillic, Greek…) and General Punctuation (dashes, quotes). Other
/// characters ask the standard library, whose lookup costs a few hundred instructions.
struct CharClasses {
    /// Bit 0: alphabetic; bit 1: alphanumeric. Indexed by code point below U+0800.
    two_byte: [u8; 0x800],
    /// The same for U+2000..U+2070.
    punctuation: [u8; 0x70],
}

static CHAR_CLASSES: std::sync::LazyLock<Box<CharClasses>> = std::sync::LazyLock::new(|| {
    let class =
        |c: u32| char::from_u32(c).map_or(0, |c| u8::from(c.is_alphabetic()) | u8::from(c.is_alphanumeric()) << 1);
    let mut t = Box::new(CharClasses { two_byte: [0; 0x800], punctuation: [0; 0x70] });
    for c in 0..0x800u32 {
        t.two_byte[c as usize] = class(c);
    }
    for c in 0..0x70u32 {
        t.punctuation[c as usize] = class(0x2000 + c);
    }
    t
});

#[inline]
fn char_class(c: char) -> Option<u8> {
    let l = u32::from(c);
    if l < 0x800 {
        Some(CHAR_CLASSES.two_byte[l as usize])
    } else if (0x2000..0x2070).contains(&l) {
        Some(CHAR_CLASSES.punctuation[(l - 0x2000) as usize])
    } else {
        None
    }
}

/// [`char::is_alphabetic`], faster for the common non-ASCII characters.
#[inline]
pub(crate) fn is_alphabetic(c: char) -> bool {
    char_class(c).map_or_else(|| c.is_alphabetic(), |k| k & 1 != 0)
}

/// [`char::is_alphanumeric`], faster for the common non-ASCII characters.
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    char_class(c).map_or_else(|| c.is_alphanumeric(), |k| k & 2 != 0)
}

/// An ASCII letter or digit lowercased; a space for any other byte.
pub(crate) static LOWER_ALNUM_OR_SPACE: [u8; 256] = {
    let mut t = ascii_table(true);
    let mut b = 0;
    while b < 256 {
        if t[b] == 0 {
            t[b] = b' ';
        }
        b += 1;
    }
    t
};

/// An ASCII letter lowercased; 0 for any other byte.
pub(crate) static LOWER_ALPHA: [u8; 256] = ascii_table(false);

/// Texts that exercise the folding hashes' fast and general paths: empty and blank, characters
/// whose case mapping changes their length, a line longer than the fold buffer, real lines.
#[cfg(test)]
pub(crate) fn folding_samples() -> Vec<String> {
    let mut texts: Vec<String> = ["", " ", "a", "  ab, cd  ", "\u{130}stanbul \u{212a}elvin", "Ж—ж , 12"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    texts.push("x".repeat(300) + " \u{2014} " + &"Дж ".repeat(200));
    for seed in 0..20 {
        texts.extend(dossier_testgen::article(seed, 6000).lines().map(str::to_string));
    }
    texts
}

#[cfg(test)]
mod tests {
    #[test]
    fn character_classes_agree_with_the_standard_library() {
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(super::is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
