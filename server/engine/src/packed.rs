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

    /// A (folded) character: one byte if ASCII, else three.
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

/// An ASCII letter lowercased; 0 for any other byte.
pub(crate) static LOWER_ALPHA: [u8; 256] = ascii_table(false);
