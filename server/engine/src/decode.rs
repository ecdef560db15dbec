//! Bytes → text, for corpus files read from disk.
//!
//! Scraped corpora mix UTF-8 with legacy code pages. The rule: valid UTF-8 (a BOM stripped) is
//! taken as is; UTF-16 with a BOM is decoded; otherwise the bytes are checked for binary content
//! and, if they are text, decoded as the legacy code page that explains them best (Windows-1251,
//! KOI8-R or Windows-1252). A file that is almost all UTF-8 with a few damaged bytes stays UTF-8
//! with the damage replaced by U+FFFD. The caller reports every non-UTF-8 decision to the user;
//! nothing is dropped silently.

use std::borrow::Cow;

use encoding_rs::{Encoding, KOI8_R, UTF_16BE, UTF_16LE, WINDOWS_1251, WINDOWS_1252};

/// The result of decoding a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// Text, and how it was obtained: borrowed from the bytes when they were valid UTF-8.
    Text {
        text: Cow<'a, str>,
        /// `"UTF-8"`, `"UTF-16LE"`, `"windows-1251"`, `"KOI8-R"`, `"windows-1252"`.
        encoding: &'static str,
        /// A byte-order mark was present and removed.
        bom: bool,
        /// Number of invalid byte sequences replaced by U+FFFD (UTF-8 with damage).
        replaced: usize,
    },
    /// Not text: the reason, for a log line.
    Binary { reason: String },
}

impl Decoded<'_> {
    /// A sentence for the user when decoding was not plain UTF-8, else `None`.
    pub fn notice(&self) -> Option<String> {
        match self {
            Decoded::Text { encoding: "UTF-8", replaced: 0, .. } => None,
            Decoded::Text { encoding: "UTF-8", replaced, .. } => Some(format!(
                "file is not valid UTF-8: {replaced} invalid byte sequence(s) shown as U+FFFD; \
                 re-save the file as UTF-8 to keep its text intact"
            )),
            Decoded::Text { encoding, .. } => Some(format!(
                "file is encoded as {encoding}, not UTF-8; it was decoded as {encoding} (convert it to UTF-8 \
                 with `iconv -f {encoding} -t UTF-8`)"
            )),
            Decoded::Binary { reason } => Some(format!("binary file skipped: {reason}")),
        }
    }
}

/// Decode a file's bytes. Pure; never fails.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, true);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, _, had_errors) = enc.decode(bytes);
        return Decoded::Text {
            text: Cow::Owned(text.into_owned()),
            encoding: enc.name(),
            bom: true,
            replaced: usize::from(had_errors),
        };
    }
    if let Some(reason) = binary_reason(bytes) {
        return Decoded::Binary { reason };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded::Text { text: Cow::Borrowed(s), encoding: "UTF-8", bom: false, replaced: 0 };
    }
    // Mostly UTF-8 with some damage, or a legacy code page?
    let (valid_multibyte, invalid) = utf8_census(bytes);
    if valid_multibyte > 0 && invalid * 4 <= valid_multibyte {
        return utf8(bytes, false);
    }
    let enc = guess_single_byte(bytes);
    let (text, _, _) = enc.decode(bytes);
    Decoded::Text { text: Cow::Owned(text.into_owned()), encoding: enc.name(), bom: false, replaced: 0 }
}

fn utf8(bytes: &[u8], bom: bool) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded::Text { text: Cow::Borrowed(s), encoding: "UTF-8", bom, replaced: 0 },
        Err(_) => {
            let (_, invalid) = utf8_census(bytes);
            Decoded::Text { text: String::from_utf8_lossy(bytes), encoding: "UTF-8", bom, replaced: invalid.max(1) }
        }
    }
}

/// Counts (valid multi-byte UTF-8 sequences, invalid sequences).
fn utf8_census(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good).map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len()).max(1);
                bytes = &rest[skip.min(rest.len())..];
                if bytes.is_empty() {
                    return (valid, invalid);
                }
            }
        }
    }
}

/// Why these bytes look binary, or `None` when they look like text.
/// A few NUL bytes in a long text are tolerated (scrapes contain them); many are not.
fn binary_reason(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.is_empty() {
        return None;
    }
    // One pass for both counts, in runs short enough for byte-wide counters (which vectorise).
    let (mut nul, mut control) = (0usize, 0usize);
    for run in head.chunks(255) {
        let (mut n, mut c) = (0u8, 0u8);
        for &b in run {
            n += u8::from(b == 0);
            c += u8::from(b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C | 0x0B | 0x1B | 0));
        }
        nul += usize::from(n);
        control += usize::from(c);
    }
    if nul * 100 > head.len() || nul > 64 {
        return Some(format!("{nul} NUL bytes in the first {} bytes", head.len()));
    }
    if (control + nul) * 10 > head.len() {
        return Some(format!("{} control bytes in the first {} bytes", control + nul, head.len()));
    }
    for (magic, what) in [
        (&b"%PDF-"[..], "PDF document"),
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1F\x8B", "gzip archive"),
        (b"\x7FELF", "executable"),
    ] {
        if bytes.starts_with(magic) {
            return Some(what.to_owned());
        }
    }
    None
}

/// Pick the single-byte code page that makes the most sense of `bytes`.
///
/// Cyrillic text in a legacy code page has its high bytes in runs (whole words); Western text in
/// Windows-1252 has isolated high bytes (é, ü) between ASCII letters. Between the two Cyrillic
/// code pages, the one whose decoding has more common Russian lowercase letters wins (they sit
/// at E0–FF in Windows-1251 and at C0–DF in KOI8-R, so the wrong choice yields mostly capitals).
fn guess_single_byte(bytes: &[u8]) -> &'static Encoding {
    let high: Vec<usize> = bytes.iter().enumerate().filter(|(_, &b)| b >= 0x80).map(|(i, _)| i).collect();
    if high.is_empty() {
        return WINDOWS_1252;
    }
    let in_run = high
        .iter()
        .filter(|&&i| (i > 0 && bytes[i - 1] >= 0x80) || bytes.get(i + 1).is_some_and(|&b| b >= 0x80))
        .count();
    if in_run * 2 < high.len() {
        return WINDOWS_1252;
    }
    let score = |enc: &'static Encoding| -> usize {
        let (t, _, _) = enc.decode(bytes);
        t.chars().filter(|c| "оеаинтсрвлкмдпуяыгзбч".contains(*c)).count()
    };
    if score(KOI8_R) > score(WINDOWS_1251) {
        KOI8_R
    } else {
        WINDOWS_1251
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc_of(d: &Decoded) -> &'static str {
        match d {
            Decoded::Text { encoding, .. } => encoding,
            Decoded::Binary { .. } => "binary",
        }
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("\u{feff}Минск".as_bytes());
        assert_eq!(d, Decoded::Text { text: "Минск".into(), encoding: "UTF-8", bom: true, replaced: 0 });
        assert_eq!(d.notice(), None);
        assert_eq!(enc_of(&decode(b"plain")), "UTF-8");
        assert_eq!(enc_of(&decode(b"")), "UTF-8");
    }

    #[test]
    fn legacy_code_pages_are_detected() {
        let text = "Генсек ОДКБ Имангали Тасмагамбетов и министр обороны Беларуси Виктор Хренин";
        let (cp1251, _, _) = WINDOWS_1251.encode(text);
        let d = decode(&cp1251);
        assert_eq!(enc_of(&d), "windows-1251");
        assert!(matches!(&d, Decoded::Text { text: t, .. } if t == text));
        assert!(d.notice().unwrap().contains("windows-1251"));
        let (koi, _, _) = KOI8_R.encode(text);
        let d = decode(&koi);
        assert_eq!(enc_of(&d), "KOI8-R");
        assert!(matches!(&d, Decoded::Text { text: t, .. } if t == text));
        let (w, _, _) = WINDOWS_1252.encode("Café au lait, naïve résumé, Zürich");
        assert_eq!(enc_of(&decode(&w)), "windows-1252");
    }

    #[test]
    fn damaged_utf8_keeps_its_text() {
        let mut b = "Тасмагамбетов сказал, что Минск и Астана".as_bytes().to_vec();
        b.insert(4, 0xFF); // between two letters
        let d = decode(&b);
        match &d {
            Decoded::Text { encoding, replaced, text, .. } => {
                assert_eq!(*encoding, "UTF-8");
                assert_eq!(*replaced, 1);
                assert!(text.contains("Минск и Астана"));
            }
            Decoded::Binary { .. } => panic!("damaged text treated as binary"),
        }
        assert!(d.notice().unwrap().contains("not valid UTF-8"));
    }

    #[test]
    fn binary_is_recognised() {
        assert_eq!(enc_of(&decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")), "binary");
        assert_eq!(enc_of(&decode(&[0u8; 300])), "binary");
        assert_eq!(enc_of(&decode(&(0u8..=255).cycle().take(4096).collect::<Vec<_>>())), "binary");
        // a stray NUL in a long text is not binary
        let mut t = "word ".repeat(1000).into_bytes();
        t[10] = 0;
        assert_eq!(enc_of(&decode(&t)), "UTF-8");
        let d = decode(b"\xFF\xFEh\0i\0");
        assert!(matches!(d, Decoded::Text { ref text, bom: true, .. } if text == "hi"));
    }
}
