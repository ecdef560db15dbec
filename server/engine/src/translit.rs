//! Cyrillic → Latin transliteration (Russian and Kazakh letters) and a folding key that makes
//! the common English spellings of one name compare equal.
//!
//! The scheme follows what English-language news uses for Russian and Kazakh names (close to
//! BGN/PCGN without diacritics): `Тасмагамбетов → Tasmagambetov`, `Хренин → Khrenin`,
//! `Ельцин → Yeltsin`. Kazakh-only letters map to their nearest plain Latin letter
//! (`қ → k`, `ғ → g`, `ә → a`, `ң → ng`, `ө → o`, `ұ/ү → u`, `һ → h`, `і → i`), which is how
//! Kazakh names reach English through Russian.
//!
//! [`fold`] then erases the differences between spellings of the same name that the press uses
//! interchangeably (Tokaev/Tokayev, Kh/H, -iy/-y, Kassym/Kasym, Zh/J), so that the Cyrillic and
//! Latin forms of a name meet on one key.

/// Is `c` a Cyrillic letter (basic block and supplement)?
#[inline]
pub fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

/// Does `s` contain any Cyrillic letter?
pub fn has_cyrillic(s: &str) -> bool {
    !s.is_ascii() && s.chars().any(is_cyrillic)
}

/// `c.to_lowercase().next()`, without the table search for ASCII and Russian letters.
#[inline]
pub(crate) fn lower_of(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        // А..Я → а..я, Ѐ..Џ → ѐ..џ
        '\u{410}'..='\u{42F}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        '\u{400}'..='\u{40F}' => char::from_u32(c as u32 + 0x50).unwrap_or(c),
        '\u{430}'..='\u{45F}' => c,
        _ if c.is_ascii() => c,
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// `c.is_alphabetic()`, without the table search for ASCII and Russian letters.
#[inline]
pub(crate) fn is_alpha(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{400}'..='\u{45F}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphabetic(),
    }
}

/// `c.is_uppercase()`, without the table search for ASCII and Russian letters.
#[inline]
pub(crate) fn is_upper(c: char) -> bool {
    match c {
        'A'..='Z' | '\u{400}'..='\u{42F}' => true,
        '\u{430}'..='\u{45F}' => false,
        _ if c.is_ascii() => false,
        _ => c.is_uppercase(),
    }
}

/// `c.is_lowercase()`, without the table search for ASCII and Russian letters.
#[inline]
pub(crate) fn is_lower(c: char) -> bool {
    match c {
        'a'..='z' | '\u{430}'..='\u{45F}' => true,
        '\u{400}'..='\u{42F}' => false,
        _ if c.is_ascii() => false,
        _ => c.is_lowercase(),
    }
}

fn vowel_like(c: char) -> bool {
    matches!(
        lower_of(c),
        'а' | 'е'
            | 'ё'
            | 'и'
            | 'о'
            | 'у'
            | 'ы'
            | 'э'
            | 'ю'
            | 'я'
            | 'ә'
            | 'ө'
            | 'ұ'
            | 'ү'
            | 'і'
            | 'ъ'
            | 'ь'
            | 'й'
    )
}

/// Latin rendering of one lowercase Cyrillic letter; `None` for a non-Cyrillic char.
/// `word_start`/`after_vowel` select the iotated form of `е` (`ye`).
fn letter(c: char, word_start: bool, after_vowel: bool) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' if word_start || after_vowel => "ye",
        'е' => "e",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        // Kazakh
        'ә' => "a",
        'ғ' => "g",
        'қ' => "k",
        'ң' => "ng",
        'ө' => "o",
        'ұ' => "u",
        'ү' => "u",
        'һ' => "h",
        'і' => "i",
        // Ukrainian / Belarusian letters that appear in names
        'є' => "ye",
        'ї' => "yi",
        'ў' => "u",
        'ґ' => "g",
        _ => return None,
    })
}

/// Transliterate `s`: Cyrillic letters become Latin, everything else is kept as is.
/// Capitalisation is kept: `Жанна → Zhanna`, `ЖАННА → ZHANNA`, `ОДКБ → ODKB`.
pub fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    let mut chars = s.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        // only Cyrillic letters change
        if !is_cyrillic(c) {
            out.push(c);
            prev = Some(c);
            continue;
        }
        let lower = lower_of(c);
        let word_start = prev.is_none_or(|p| !is_alpha(p));
        let after_vowel = prev.is_some_and(|p| is_cyrillic(p) && vowel_like(p));
        match letter(lower, word_start, after_vowel) {
            None => out.push(c),
            Some(lat) => {
                if c == lower || lat.is_empty() {
                    out.push_str(lat);
                } else {
                    // Uppercase: all caps when a neighbour is also an uppercase letter.
                    let next = chars.peek().copied();
                    let caps_word =
                        next.is_some_and(is_upper) || (next.is_none_or(|n| !is_alpha(n)) && prev.is_some_and(is_upper));
                    if caps_word {
                        out.push_str(&lat.to_uppercase());
                    } else {
                        let mut it = lat.chars();
                        if let Some(f) = it.next() {
                            out.extend(f.to_uppercase());
                            out.push_str(it.as_str());
                        }
                    }
                }
            }
        }
        prev = Some(c);
    }
    out
}

/// A comparison key under which the usual spellings of one name are equal.
///
/// Lowercases, strips diacritics, maps Cyrillic through [`transliterate`], then applies
/// [`fold_letters`]'s spelling rules. Hyphens, apostrophes and spaces are removed.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let lat = transliterate(s);
    let mut base = String::with_capacity(lat.len());
    for c in lat.nfd() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if c.is_alphabetic() && !c.is_ascii() {
            // A letter outside ASCII with no decomposition (e.g. ı, ø): keep it.
            base.extend(c.to_lowercase());
        }
        // combining marks, punctuation and spaces are dropped
    }
    let mut bytes = base.into_bytes();
    let n = fold_letters(&mut bytes);
    bytes.truncate(n);
    // the rules rewrite ASCII bytes only and copy every other byte in order
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`fold`] of an ASCII string of at most `out.len()` bytes, without allocating: its letters
/// and digits, lowercased, with [`fold_letters`]'s rules; the length. `None` for a longer string
/// or one with a byte outside ASCII.
pub fn fold_ascii(s: &[u8], out: &mut [u8]) -> Option<usize> {
    if s.len() > out.len() || !s.is_ascii() {
        return None;
    }
    // letters and digits lowercased, without branches: every byte is written, and kept by
    // moving on when it is one
    let mut n = 0;
    for &b in s {
        let c = crate::packed::LOWER_ALNUM[b as usize];
        out[n] = c;
        n += usize::from(c != 0);
    }
    Some(fold_letters(&mut out[..n]))
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The spelling rules of [`fold`], in place over lowercase letters and digits (other bytes, such
/// as those of letters outside ASCII, are kept as they are); returns the new length. The
/// output is never longer than the input.
///
/// 1. Letter groups that spell one sound: `dzh`, `zh` → `j`; `kh` → `h`; `ks` → `x`; `ts`,
///    `tz` → `z` (Merz = Мерц); and the Latin spellings of Western names: `sch` → `sh`, `ph` →
///    `f`, `th` → `t`, `ck` → `k`, `c` → `s` before e, i, y and `k` elsewhere (but `ch`),
///    `w` → `v`, `q` → `k`.
/// 2. `y`: an initial `ye` is `e` (Yerlan = Erlan), `yo` after a consonant is `e` (Pyotr = Petr,
///    Gorbachyov = Gorbachev), `y` between vowels is dropped (Tokayev = Tokaev), `y` before a
///    vowel is kept (Yuri), and any other `y` is `i` (Mykola = Mikola, Dmitriy = Dmitrii).
/// 3. An `h` after a vowel is silent before a consonant and at the end (Johnson = Джонсон,
///    Akhmetov = Ahmetov = Ametov).
/// 4. Doubled letters collapse (Kassym = Kasym, Dmitrii = Dmitri) except the vowels a, e, o, u,
///    so that "ООН" (the UN) keeps apart from the pronoun "Он".
pub fn fold_letters(b: &mut [u8]) -> usize {
    // most words have nothing to rewrite: no c, h, q, w, y, no doubled letter, no ks, ts or tz
    let mut prev = 0u8;
    let mut rewrite = false;
    for &c in b.iter() {
        rewrite |= matches!(c, b'c' | b'h' | b'q' | b'w' | b'y')
            || c == prev
            || c == b's' && matches!(prev, b'k' | b't')
            || c == b'z' && prev == b't';
        prev = c;
    }
    if !rewrite {
        return b.len();
    }
    let n = latin_letters(b);
    let n = groups(&mut b[..n]);
    let n = y_rules(b, n);
    let n = silent_h(b, n);
    collapse(b, n)
}

/// Rule 3 of [`fold_letters`] over `b[..n]`: an `h` after a vowel and before a consonant or at
/// the end is dropped.
fn silent_h(b: &mut [u8], n: usize) -> usize {
    let mut w = 0;
    for i in 0..n {
        let c = b[i];
        if c == b'h' && w > 0 && is_vowel(b[w - 1]) {
            let next = if i + 1 < n { b[i + 1] } else { 0 };
            if next == 0 || next.is_ascii_lowercase() && !is_vowel(next) && next != b'y' {
                continue;
            }
        }
        b[w] = c;
        w += 1;
    }
    w
}

/// The Latin letters of rule 1 of [`fold_letters`] that stand for one Russian letter: `c`, `w`,
/// `q` (first, so that the groups they make are found: Qazaqstan = Казакстан).
fn latin_letters(b: &mut [u8]) -> usize {
    let n = b.len();
    let mut w = 0;
    for i in 0..n {
        let next = b.get(i + 1).copied().unwrap_or(0);
        let out = match b[i] {
            b'c' if next == b'k' => continue,
            b'c' if next == b'h' => b'c',
            b'c' if matches!(next, b'e' | b'i' | b'y') => b's',
            b'c' => b'k',
            b'w' => b'v',
            b'q' => b'k',
            c => c,
        };
        b[w] = out;
        w += 1;
    }
    w
}

/// The letter groups of rule 1 of [`fold_letters`].
fn groups(b: &mut [u8]) -> usize {
    let n = b.len();
    let at = |b: &[u8], i: usize| b.get(i).copied().unwrap_or(0);
    let (mut i, mut w) = (0, 0);
    while i < n {
        let (c, d, e) = (b[i], at(b, i + 1), at(b, i + 2));
        let (out, used): (&[u8], usize) = match (c, d, e) {
            (b'd', b'z', b'h') => (b"j", 3),
            (b's', b'c', b'h') => (b"sh", 3),
            (b'z', b'h', _) => (b"j", 2),
            (b'k', b'h', _) => (b"h", 2),
            (b'k', b's', _) => (b"x", 2),
            (b'p', b'h', _) => (b"f", 2),
            (b't', b'h', _) => (b"t", 2),
            (b't', b's' | b'z', _) => (b"z", 2),
            _ => {
                b[w] = c;
                w += 1;
                i += 1;
                continue;
            }
        };
        b[w..w + out.len()].copy_from_slice(out);
        w += out.len();
        i += used;
    }
    w
}

/// Rule 2 of [`fold_letters`] over `b[..n]`.
fn y_rules(b: &mut [u8], n: usize) -> usize {
    let mut i = 0;
    let mut w = 0;
    if b[..n].starts_with(b"ye") {
        i = 1;
    }
    while i < n {
        let c = b[i];
        if c != b'y' {
            b[w] = c;
            w += 1;
            i += 1;
            continue;
        }
        let next = if i + 1 < n { b[i + 1] } else { 0 };
        let prev = if w > 0 { b[w - 1] } else { 0 };
        if next == b'o' && prev.is_ascii_lowercase() && !is_vowel(prev) {
            // "yo" after a consonant: e
            b[w] = b'e';
            w += 1;
            i += 2;
        } else if matches!(next, b'a' | b'e' | b'o' | b'u') {
            if !is_vowel(prev) {
                b[w] = b'y';
                w += 1;
            }
            i += 1;
        } else {
            b[w] = b'i';
            w += 1;
            i += 1;
        }
    }
    w
}

/// Rule 4 of [`fold_letters`] over `b[..n]`.
fn collapse(b: &mut [u8], n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut w = 1;
    for i in 1..n {
        let c = b[i];
        if c == b[w - 1] && c.is_ascii_lowercase() && !matches!(c, b'a' | b'e' | b'o' | b'u') {
            continue;
        }
        b[w] = c;
        w += 1;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Russian and Kazakh letter, lowercase and capital (word-initial), with its rendering.
    const LETTERS: &[(&str, &str)] = &[
        ("а", "a"),
        ("б", "b"),
        ("в", "v"),
        ("г", "g"),
        ("д", "d"),
        ("е", "ye"),
        ("ё", "yo"),
        ("ж", "zh"),
        ("з", "z"),
        ("и", "i"),
        ("й", "y"),
        ("к", "k"),
        ("л", "l"),
        ("м", "m"),
        ("н", "n"),
        ("о", "o"),
        ("п", "p"),
        ("р", "r"),
        ("с", "s"),
        ("т", "t"),
        ("у", "u"),
        ("ф", "f"),
        ("х", "kh"),
        ("ц", "ts"),
        ("ч", "ch"),
        ("ш", "sh"),
        ("щ", "shch"),
        ("ъ", ""),
        ("ы", "y"),
        ("ь", ""),
        ("э", "e"),
        ("ю", "yu"),
        ("я", "ya"),
        ("ә", "a"),
        ("ғ", "g"),
        ("қ", "k"),
        ("ң", "ng"),
        ("ө", "o"),
        ("ұ", "u"),
        ("ү", "u"),
        ("һ", "h"),
        ("і", "i"),
    ];

    #[test]
    fn char_class_shortcuts_agree_with_std() {
        for c in (0..=0x2FFFFu32).filter_map(char::from_u32) {
            assert_eq!(lower_of(c), c.to_lowercase().next().unwrap_or(c), "{c:?}");
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_upper(c), c.is_uppercase(), "{c:?}");
            assert_eq!(is_lower(c), c.is_lowercase(), "{c:?}");
        }
    }

    /// The first implementation of [`transliterate`] (over a `Vec<char>`, std case tables).
    fn transliterate_reference(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let word_start = prev.is_none_or(|p| !p.is_alphabetic());
            let after_vowel = prev.is_some_and(|p| is_cyrillic(p) && vowel_like(p));
            match letter(lower, word_start, after_vowel) {
                None => out.push(c),
                Some(lat) => {
                    if c == lower || lat.is_empty() {
                        out.push_str(lat);
                    } else {
                        let next = chars.get(i + 1).copied();
                        let caps_word = next.is_some_and(|n| n.is_uppercase())
                            || (next.is_none_or(|n| !n.is_alphabetic()) && prev.is_some_and(|p| p.is_uppercase()));
                        if caps_word {
                            out.push_str(&lat.to_uppercase());
                        } else {
                            let mut it = lat.chars();
                            if let Some(f) = it.next() {
                                out.extend(f.to_uppercase());
                                out.push_str(it.as_str());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn transliterate_agrees_with_the_reference_on_every_short_string() {
        let alphabet: Vec<char> = "аеЕёЁжЖйЙъЬыюЮяЯщҚқӘәіІєЇўA a-'1 .ǅ".chars().collect();
        let mut words = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.chars().count() == words.last().map_or(0, |l| l.chars().count()))
                .flat_map(|w| alphabet.iter().map(move |&c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        for w in words {
            assert_eq!(transliterate(&w), transliterate_reference(&w), "{w:?}");
        }
    }

    #[test]
    fn every_russian_and_kazakh_letter() {
        for &(cyr, lat) in LETTERS {
            assert_eq!(transliterate(cyr), lat, "lowercase {cyr}");
            let up: String = cyr.to_uppercase();
            let mut want = String::new();
            let mut it = lat.chars();
            if let Some(f) = it.next() {
                want.extend(f.to_uppercase());
                want.push_str(it.as_str());
            }
            assert_eq!(transliterate(&up), want, "capital {up}");
            // inside a word, after a consonant: plain form (е → e)
            let inner = format!("б{cyr}");
            let want_inner = format!("b{}", if cyr == "е" { "e" } else { lat });
            assert_eq!(transliterate(&inner), want_inner, "inner {cyr}");
        }
    }

    #[test]
    fn names_as_the_press_writes_them() {
        for (cyr, lat) in [
            ("Имангали Тасмагамбетов", "Imangali Tasmagambetov"),
            ("Виктор Хренин", "Viktor Khrenin"),
            ("Минск", "Minsk"),
            ("ОДКБ", "ODKB"),
            ("Ельцин", "Yeltsin"),
            ("Касым-Жомарт Токаев", "Kasym-Zhomart Tokayev"),
            ("Қасым-Жомарт Тоқаев", "Kasym-Zhomart Tokayev"),
            ("Нұрсұлтан Назарбаев", "Nursultan Nazarbayev"),
            ("(слева)", "(sleva)"),
            ("30 октября 2024 года", "30 oktyabrya 2024 goda"),
        ] {
            assert_eq!(transliterate(cyr), lat);
        }
    }

    #[test]
    fn folding_joins_spelling_variants() {
        for (a, b) in [
            ("Tokaev", "Tokayev"),
            ("Токаев", "Tokayev"),
            ("Kassym", "Kasym"),
            ("Khrenin", "Hrenin"),
            ("Dmitriy", "Dmitry"),
            ("Zhomart", "Jomart"),
            ("Тасмагамбетов", "Tasmagambetov"),
            ("Назарбаев", "Nazarbayev"),
            ("Kül-Tegin", "Kul-Tegin"),
            ("Yerlan", "Erlan"),
            ("Ерлан", "Erlan"),
            ("Mykola", "Микола"),
            ("Pyotr", "Petr"),
            ("Пётр", "Петр"),
            ("Gorbachyov", "Gorbachev"),
            ("Zelenskyy", "Zelensky"),
            ("Zelenskyi", "Зеленский"),
            ("Kazakhtelecom", "Казахтелеком"),
            ("Thomas", "Томас"),
            ("Wagner", "Вагнер"),
            ("Qazaqstan", "Казакстан"),
            ("Aleksandr", "Alexandr"),
            ("Aidar", "Aydar"),
            ("Merz", "Мерц"),
            ("Schultz", "Шульц"),
            ("Johnson", "Джонсон"),
            ("Rahmon", "Рахмон"),
        ] {
            assert_eq!(fold(a), fold(b), "{a} ~ {b}");
        }
        for (a, b) in [
            ("Nazarbayev", "Nazarbayeva"),
            ("Putin", "Puting"),
            ("Satpaev", "Saparov"),
            // doubled vowels stay: the UN is not the pronoun "he"
            ("ООН", "Он"),
            ("Saadat", "Sadat"),
        ] {
            assert_ne!(fold(a), fold(b), "{a} !~ {b}");
        }
    }
}
