//! `untranslated-caption` and `untranslated-text`: Cyrillic left behind by machine translation.
//!
//! A line that is mostly Cyrillic and short, or carries caption cues ("(слева)", a place and a
//! date, no closing full stop), is an untranslated photo caption. Cyrillic words inside an
//! otherwise English line ("TikTok и Viber") are untranslated text; a long Cyrillic paragraph is
//! untranslated text too. Words that mix Latin and Cyrillic letters are left to
//! `mixed-script-word`. Every message carries the Latin transliteration.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use super::{delete_line, DocCtx, Rule, Scope};
use crate::diag::Level;
use crate::diag::{Diagnostic, Fix, Severity};
use crate::translit::{is_cyrillic, transliterate};

/// What a glossary entry is, which decides where it goes in the English caption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gloss {
    /// A title or office: "министр обороны" → "Defence Minister".
    Title(&'static str),
    /// An organisation acronym, placed before a title: "ОДКБ" → "CSTO".
    Org(&'static str),
    /// A country in the genitive, rendered as an adjective before a title: "Беларуси" → "Belarusian".
    Demonym(&'static str),
    /// A month in the genitive: "октября" → "October".
    Month(&'static str),
    /// Any other word or phrase.
    Word(&'static str),
    /// A word English drops: "года" after a year.
    Drop,
}

/// The bundled caption glossary: lowercase Cyrillic phrase (one to three words) → rendering.
const GLOSSARY: &[(&str, Gloss)] = &[
    ("генсек", Gloss::Title("Secretary General")),
    ("генеральный секретарь", Gloss::Title("Secretary General")),
    ("министр обороны", Gloss::Title("Defence Minister")),
    ("министр иностранных дел", Gloss::Title("Foreign Minister")),
    ("глава мид", Gloss::Title("Foreign Minister")),
    ("министр", Gloss::Title("Minister")),
    ("президент", Gloss::Title("President")),
    ("премьер-министр", Gloss::Title("Prime Minister")),
    ("вице-премьер", Gloss::Title("Deputy Prime Minister")),
    ("председатель", Gloss::Title("Chairman")),
    ("спикер", Gloss::Title("Speaker")),
    ("посол", Gloss::Title("Ambassador")),
    ("аким", Gloss::Title("akim")),
    ("депутат", Gloss::Title("deputy")),
    ("глава", Gloss::Title("head")),
    ("лидер", Gloss::Title("leader")),
    ("ОДКБ", Gloss::Org("CSTO")),
    ("ЕС", Gloss::Org("EU")),
    ("СНГ", Gloss::Org("CIS")),
    ("НАТО", Gloss::Org("NATO")),
    ("ООН", Gloss::Org("UN")),
    ("ШОС", Gloss::Org("SCO")),
    ("ЕАЭС", Gloss::Org("EAEU")),
    ("ОБСЕ", Gloss::Org("OSCE")),
    ("МИД", Gloss::Org("Foreign Ministry")),
    ("США", Gloss::Demonym("US")),
    ("РФ", Gloss::Demonym("Russian")),
    ("РК", Gloss::Demonym("Kazakh")),
    ("беларуси", Gloss::Demonym("Belarusian")),
    ("белоруссии", Gloss::Demonym("Belarusian")),
    ("россии", Gloss::Demonym("Russian")),
    ("казахстана", Gloss::Demonym("Kazakh")),
    ("кыргызстана", Gloss::Demonym("Kyrgyz")),
    ("киргизии", Gloss::Demonym("Kyrgyz")),
    ("узбекистана", Gloss::Demonym("Uzbek")),
    ("таджикистана", Gloss::Demonym("Tajik")),
    ("туркменистана", Gloss::Demonym("Turkmen")),
    ("украины", Gloss::Demonym("Ukrainian")),
    ("армении", Gloss::Demonym("Armenian")),
    ("азербайджана", Gloss::Demonym("Azerbaijani")),
    ("китая", Gloss::Demonym("Chinese")),
    ("кнр", Gloss::Demonym("Chinese")),
    ("января", Gloss::Month("January")),
    ("февраля", Gloss::Month("February")),
    ("марта", Gloss::Month("March")),
    ("апреля", Gloss::Month("April")),
    ("мая", Gloss::Month("May")),
    ("июня", Gloss::Month("June")),
    ("июля", Gloss::Month("July")),
    ("августа", Gloss::Month("August")),
    ("сентября", Gloss::Month("September")),
    ("октября", Gloss::Month("October")),
    ("ноября", Gloss::Month("November")),
    ("декабря", Gloss::Month("December")),
    ("года", Gloss::Drop),
    ("г", Gloss::Drop),
    ("слева", Gloss::Word("left")),
    ("справа", Gloss::Word("right")),
    ("в центре", Gloss::Word("centre")),
    ("на фото", Gloss::Word("pictured")),
    ("фото", Gloss::Word("photo")),
    ("и", Gloss::Word("and")),
    ("во время", Gloss::Word("during")),
    ("встречи", Gloss::Word("meeting")),
    ("встреча", Gloss::Word("meeting")),
    ("саммит", Gloss::Word("summit")),
    ("в", Gloss::Word("in")),
    ("на", Gloss::Word("at")),
    ("с", Gloss::Word("with")),
    ("москва", Gloss::Word("Moscow")),
    ("киев", Gloss::Word("Kyiv")),
    ("астана", Gloss::Word("Astana")),
    ("алматы", Gloss::Word("Almaty")),
];

/// Where each glossary key is: acronyms (all capitals) by exact text, others by lowercase text;
/// the first entry of a key wins.
static GLOSSARY_INDEX: LazyLock<[HashMap<&'static str, usize>; 2]> = LazyLock::new(|| {
    let mut maps = [HashMap::new(), HashMap::new()];
    for (i, &(k, _)) in GLOSSARY.iter().enumerate() {
        let acronym = k.chars().all(|c| !c.is_lowercase());
        maps[usize::from(acronym)].entry(k).or_insert(i);
    }
    maps
});

/// Case-sensitive entries are acronyms (all capitals); others match any case. The first
/// matching entry of [`GLOSSARY`] wins.
fn lookup(phrase: &str) -> Option<Gloss> {
    let [by_lower, by_exact] = &*GLOSSARY_INDEX;
    let exact = by_exact.get(phrase).copied();
    let lower = if phrase.is_ascii() {
        None // every key is Cyrillic
    } else if phrase.chars().all(|c| matches!(c, 'а'..='я' | 'ё' | ' ' | '-')) {
        by_lower.get(phrase).copied() // lowercase already
    } else {
        by_lower.get(phrase.to_lowercase().as_str()).copied()
    };
    let i = match (exact, lower) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(GLOSSARY[i].1)
}

/// The English gloss of a single Cyrillic word, if the glossary has one.
pub(crate) fn gloss(word: &str) -> Option<&'static str> {
    match lookup(word)? {
        Gloss::Title(e) | Gloss::Org(e) | Gloss::Demonym(e) | Gloss::Month(e) | Gloss::Word(e) => Some(e),
        Gloss::Drop => None,
    }
}

/// Render a Cyrillic caption in English: glossary words and phrases, transliterated names, a
/// date in English order ("30 October 2024"), titles after their organisation or country
/// ("CSTO Secretary General", "Belarusian Defence Minister"), a glued footnote digit dropped.
pub(crate) fn english_caption(line: &str) -> String {
    // Tokens: words (letters, inner hyphens), numbers, single punctuation characters.
    let mut tokens: Vec<&str> = Vec::new();
    let mut it = line.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = i + c.len_utf8();
        let letter = is_letter(c);
        if c.is_alphanumeric() {
            while let Some(&(j, d)) = it.peek() {
                let joins = d == '-' && line[j + 1..].chars().next().is_some_and(char::is_alphabetic) && letter;
                // a word ends where digits begin (a glued footnote "года3") and vice versa
                if !(joins || (letter && is_letter(d)) || (!letter && d.is_ascii_digit())) {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
        }
        tokens.push(&line[i..end]);
    }
    // A glued footnote index: digits right after the last word at the end of the line.
    if tokens.len() >= 2 {
        let (last, prev) = (tokens[tokens.len() - 1], tokens[tokens.len() - 2]);
        if last.len() <= 2 && last.bytes().all(|b| b.is_ascii_digit()) && prev.chars().all(char::is_alphabetic) {
            let prev_end = prev.as_ptr() as usize + prev.len();
            if prev_end == last.as_ptr() as usize {
                tokens.pop();
            }
        }
    }
    render(glossed(&tokens))
}

/// A Russian phrase (a title, an office) in English when the glossary knows every word of it:
/// "Генсек ОДКБ" → "CSTO Secretary General", "министр обороны Беларуси" → "Belarusian Defence
/// Minister"; `None` when a word would only be transliterated.
pub(crate) fn english_phrase(phrase: &str) -> Option<String> {
    let tokens: Vec<&str> = phrase.split_whitespace().collect();
    let items = glossed(&tokens);
    let known = !items.is_empty() && items.iter().all(|(g, _)| g.is_some_and(|g| g != Gloss::Drop));
    known.then(|| render(items))
}

/// The tokens of a caption matched against the glossary, longest phrase first: each item is a
/// glossary entry, or a word transliterated.
fn glossed(tokens: &[&str]) -> Vec<(Option<Gloss>, String)> {
    let mut items: Vec<(Option<Gloss>, String)> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = None;
        for len in (1..=3).rev() {
            if i + len > tokens.len() || !tokens[i..i + len].iter().all(|t| t.chars().all(is_letter) || t.contains('-'))
            {
                continue;
            }
            let joined;
            let phrase = if len == 1 {
                tokens[i]
            } else {
                joined = tokens[i..i + len].join(" ");
                &joined
            };
            if let Some(g) = lookup(phrase) {
                matched = Some((len, g));
                break;
            }
        }
        match matched {
            Some((len, g)) => {
                items.push((Some(g), String::new()));
                i += len;
            }
            None => {
                items.push((None, transliterate(tokens[i])));
                i += 1;
            }
        }
    }
    items
}

/// Glossary items in English order ("Title Org/Demonym" → "Org/Demonym Title"), joined.
fn render(items: Vec<(Option<Gloss>, String)>) -> String {
    let mut words: Vec<String> = Vec::with_capacity(items.len());
    let mut k = 0;
    while k < items.len() {
        match (items[k].0, items.get(k + 1).and_then(|x| x.0)) {
            (Some(Gloss::Title(t)), Some(Gloss::Org(m) | Gloss::Demonym(m))) => {
                words.push(format!("{m} {t}"));
                k += 2;
                continue;
            }
            (Some(Gloss::Drop), _) => {
                // "2023 г." loses its abbreviation point with the word
                if items.get(k + 1).is_some_and(|x| x.0.is_none() && x.1 == ".") {
                    k += 1;
                }
            }
            (Some(Gloss::Title(e) | Gloss::Org(e) | Gloss::Demonym(e) | Gloss::Month(e) | Gloss::Word(e)), _) => {
                words.push(e.to_string())
            }
            (None, _) => words.push(items[k].1.clone()),
        }
        k += 1;
    }
    // Join: no space before closing punctuation or after an opening bracket.
    let mut out = String::new();
    for w in words {
        let closing = w.starts_with(['.', ',', ')', ':', ';', '!', '?', '»', '”']);
        if !out.is_empty() && !closing && !out.ends_with(['(', '«', '“']) {
            out.push(' ');
        }
        out.push_str(&w);
    }
    let out = out.trim_end_matches([',', ' ']).to_string();
    let mut chars = out.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

pub struct UntranslatedCaption;
pub struct UntranslatedText;

/// A maximal run of purely-Cyrillic words (with the spaces and punctuation between them).
#[derive(Debug, PartialEq)]
struct Run {
    range: Range<usize>,
    words: usize,
}

/// Words of a line as (byte range, has_cyrillic, has_latin).
fn words(line: &str) -> impl Iterator<Item = (Range<usize>, bool, bool)> + '_ {
    let mut it = line.char_indices().peekable();
    std::iter::from_fn(move || {
        // skip to the next letter or digit
        let (start, _) = loop {
            let &(i, c) = it.peek()?;
            if c.is_alphanumeric() {
                break (i, c);
            }
            it.next();
        };
        let (mut cyr, mut lat) = (false, false);
        let mut end = start;
        while let Some(&(i, c)) = it.peek() {
            // hyphen or apostrophe inside a word keeps it together
            let joins = (c == '-' || c == '\'' || c == '’')
                && line[i + c.len_utf8()..].chars().next().is_some_and(char::is_alphanumeric);
            if !(c.is_alphanumeric() || joins) {
                break;
            }
            cyr |= is_cyrillic(c);
            lat |= c.is_ascii_alphabetic();
            end = i + c.len_utf8();
            it.next();
        }
        Some((start..end, cyr, lat))
    })
}

/// Runs of purely Cyrillic words; a run continues across digits and punctuation but not across
/// a Latin word.
fn cyrillic_runs(line: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut open = false;
    for (r, cyr, lat) in words(line) {
        if cyr && !lat {
            match runs.last_mut() {
                Some(run) if open => {
                    run.range.end = r.end;
                    run.words += 1;
                }
                _ => runs.push(Run { range: r, words: 1 }),
            }
            open = true;
        } else if lat {
            open = false;
        }
    }
    runs
}

struct LineStats {
    cyr_letters: usize,
    letters: usize,
}

/// [`char::is_alphabetic`] with the basic Cyrillic alphabet answered without table lookups.
fn is_letter(c: char) -> bool {
    matches!(c, '\u{0410}'..='\u{044F}' | 'ё' | 'Ё') || c.is_alphabetic()
}

fn stats(line: &str) -> LineStats {
    let mut s = LineStats { cyr_letters: 0, letters: 0 };
    for c in line.chars() {
        if is_letter(c) {
            s.letters += 1;
            if is_cyrillic(c) {
                s.cyr_letters += 1;
            }
        }
    }
    s
}

const CAPTION_CUES: &[&str] =
    &["(слева)", "(справа)", "(в центре)", "фото:", "фото ", "на фото", "(сол жақта)", "(оң жақта)"];

/// Is this predominantly-Cyrillic line a photo caption rather than a paragraph?
fn caption_like(line: &str) -> bool {
    let lower = line.to_lowercase();
    if CAPTION_CUES.iter().any(|c| lower.contains(c)) {
        return true;
    }
    let chars = line.chars().count();
    let sentences = line.matches(". ").count() + 1;
    let ends_like_prose = line.trim_end().ends_with(['.', '!', '?', '»', '"', '”']);
    chars <= 300 && (sentences <= 3 || !ends_like_prose)
}

/// Is the line Cyrillic through and through (at least three letters in four), with enough
/// letters to matter? An English sentence quoting a Cyrillic phrase is not.
fn mostly_cyrillic(line: &str) -> bool {
    let s = stats(line);
    s.cyr_letters >= 4 && s.cyr_letters * 4 >= s.letters * 3
}

fn quote(s: &str) -> String {
    const MAX: usize = 160;
    let t: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        format!("“{t}…”")
    } else {
        format!("“{t}”")
    }
}

/// Offset of the first byte at or after `from` that may lead a Cyrillic letter (0xD0–0xD4),
/// scanning 32 bytes at a time.
fn next_cyrillic_byte(bytes: &[u8], from: usize) -> Option<usize> {
    let lead = |b: &u8| b.wrapping_sub(0xD0) < 5;
    let mut i = from;
    while i + 32 <= bytes.len() {
        // no early exit inside a chunk, so the test is vectorised
        if bytes[i..i + 32].iter().fold(false, |a, b| a | lead(b)) {
            break;
        }
        i += 32;
    }
    bytes[i..].iter().position(lead).map(|p| i + p)
}

/// The lines of `text` that hold any Cyrillic, with their ranges (without terminators); lines
/// without a Cyrillic lead byte are skipped by a byte scan.
fn cyrillic_lines(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> + '_ {
    let bytes = text.as_bytes();
    let is_end = |b: &u8| *b == b'\n' || *b == b'\r';
    let mut from = 0;
    std::iter::from_fn(move || {
        let p = next_cyrillic_byte(bytes, from)?;
        let start = bytes[..p].iter().rposition(is_end).map_or(0, |i| i + 1);
        let end = bytes[p..].iter().position(is_end).map_or(bytes.len(), |i| p + i);
        from = end;
        Some((start..end, &text[start..end]))
    })
}

impl Rule for UntranslatedCaption {
    fn code(&self) -> &'static str {
        "untranslated-caption"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn scope(&self) -> Scope {
        Scope::Block // line by line
    }
    fn summary(&self) -> &'static str {
        "A photo caption left in Cyrillic by the translation."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (r, line) in cyrillic_lines(cx.text) {
            let trimmed = line.trim();
            if trimmed.is_empty() || !mostly_cyrillic(trimmed) || !caption_like(trimmed) {
                continue;
            }
            let lead = line.len() - line.trim_start().len();
            let range = r.start + lead..r.start + lead + trimmed.len();
            let english = english_caption(trimmed);
            let n = cx.lines.line_of(r.start);
            out.push(
                Diagnostic::new(
                    self.code(),
                    range.clone(),
                    format!(
                        "untranslated Cyrillic caption: {}; in English: {}",
                        quote(&transliterate(trimmed)),
                        quote(&english)
                    ),
                )
                .with_fix(Fix::replace("Replace with English rendering", cx.doc, range, english))
                .with_fix(delete_line(cx, n, "Delete caption line")),
            );
        }
    }
}

impl Rule for UntranslatedText {
    fn code(&self) -> &'static str {
        "untranslated-text"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn scope(&self) -> Scope {
        Scope::Block // line by line
    }
    fn summary(&self) -> &'static str {
        "Cyrillic words inside English text, or a whole paragraph left untranslated."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (r, line) in cyrillic_lines(cx.text) {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            if mostly_cyrillic(trimmed) {
                if caption_like(trimmed) {
                    continue; // untranslated-caption's
                }
                let lead = line.len() - line.trim_start().len();
                out.push(Diagnostic::new(
                    self.code(),
                    r.start + lead..r.start + lead + trimmed.len(),
                    format!("untranslated Cyrillic paragraph: {}", quote(&transliterate(trimmed))),
                ));
                continue;
            }
            for run in cyrillic_runs(line) {
                let s = &line[run.range.clone()];
                if super::mojibake::repair(s).is_some() {
                    continue; // encoding damage, reported by `mojibake`
                }
                let what = if run.words == 1 { "word" } else { "words" };
                let meaning = gloss(s).map(|g| format!(" — ‘{g}’")).unwrap_or_default();
                out.push(Diagnostic::new(
                    self.code(),
                    r.start + run.range.start..r.start + run.range.end,
                    format!("untranslated Cyrillic {what} “{s}” ({}){meaning}", transliterate(s)),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::text::LineIndex;
    use crate::DocId;

    fn run(rule: &dyn Rule, text: &str) -> Vec<(String, String)> {
        let lines = LineIndex::new(text);
        let config = Config::default();
        let cx = DocCtx { doc: DocId(0), text, lines: &lines, config: &config };
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        out.into_iter().map(|d| (text[d.range].to_string(), d.message)).collect()
    }

    const CAPTION: &str = "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск, 30 октября 2024 года3";

    #[test]
    fn caption_line_is_flagged_with_transliteration() {
        let text = format!("English paragraph.\n\n{CAPTION}\n\nMore text.");
        let got = run(&UntranslatedCaption, &text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, CAPTION);
        assert!(
            got[0].1.contains("Gensek ODKB Imangali Tasmagambetov (sleva) i ministr oborony Belarusi Viktor Khrenin"),
            "{}",
            got[0].1
        );
        assert!(run(&UntranslatedText, &text).is_empty(), "a caption is not also untranslated text");
    }

    #[test]
    fn caption_is_rendered_in_english_with_fixes() {
        let text = format!("English paragraph.\n{CAPTION}\nMore text.");
        let lines = LineIndex::new(&text);
        let config = Config::default();
        let cx = DocCtx { doc: DocId(0), text: &text, lines: &lines, config: &config };
        let mut out = Vec::new();
        UntranslatedCaption.check(&cx, &mut out);
        let want = "CSTO Secretary General Imangali Tasmagambetov (left) and Belarusian Defence Minister Viktor Khrenin. Minsk, 30 October 2024";
        assert!(out[0].message.contains(want), "{}", out[0].message);
        let [replace, delete] = &out[0].fixes[..] else { panic!("two fixes") };
        assert!(!replace.safe);
        assert_eq!(replace.edits[0].new_text, want);
        assert_eq!(&text[replace.edits[0].range.clone()], CAPTION);
        assert_eq!(delete.edits[0].range, lines.line_range_with_terminator(1));
    }

    #[test]
    fn english_rendering_of_other_captions() {
        for (cyr, en) in [
            (
                "Президент РФ Владимир Путин и генсек НАТО. Москва, 5 мая 2023 г.",
                "Russian President Vladimir Putin and NATO Secretary General. Moscow, 5 May 2023",
            ),
            (
                "Министр иностранных дел Казахстана Мурат Нуртлеу (справа). Астана, 12 января 2024 года",
                "Kazakh Foreign Minister Murat Nurtleu (right). Astana, 12 January 2024",
            ),
            ("Касым-Жомарт Токаев", "Kasym-Zhomart Tokayev"),
            ("", ""),
            ("(", "("),
        ] {
            assert_eq!(english_caption(cyr), en);
        }
    }

    #[test]
    fn mojibake_is_not_untranslated_text() {
        let broken = encoding_rs::WINDOWS_1251.decode("Токаев".as_bytes()).0.into_owned();
        let text = format!("President {broken} said.");
        assert!(run(&UntranslatedText, &text).is_empty(), "{text}");
        let got = run(&UntranslatedText, "TikTok и Viber");
        assert!(got[0].1.contains("— ‘and’"), "{}", got[0].1);
    }

    #[test]
    fn short_caption_without_cues() {
        let got = run(&UntranslatedCaption, "Касым-Жомарт Токаев. Астана, 2022\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("Kasym-Zhomart Tokayev"));
    }

    #[test]
    fn cyrillic_words_inside_english() {
        let text = "channels YouTube, TikTok и Viber.\nAnd «Минские соглашения» were signed.";
        let got = run(&UntranslatedText, text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "и");
        assert!(got[0].1.contains("“и” (i)"));
        assert_eq!(got[1].0, "Минские соглашения");
        assert!(got[1].1.contains("Minskiye soglasheniya"), "{}", got[1].1);
        assert!(run(&UntranslatedCaption, text).is_empty());
    }

    #[test]
    fn long_cyrillic_paragraph_is_text_not_caption() {
        let para = "Это длинный абзац. В нём много предложений. Он не переведён. Его стоит перевести. Конец абзаца.";
        assert!(run(&UntranslatedCaption, para).is_empty());
        let got = run(&UntranslatedText, para);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.starts_with("untranslated Cyrillic paragraph"));
    }

    #[test]
    fn negatives() {
        for text in [
            "Tasmagambetov said on December 4 that there are no analogues.",
            "Mixed wоrd with a Cyrillic o is another rule's.",
            "Ð¢Ð¾ÐºÐ°ÐµÐ² is mojibake, not Cyrillic.",
            "",
            "  \t ",
        ] {
            assert!(run(&UntranslatedText, text).is_empty(), "{text}");
            assert!(run(&UntranslatedCaption, text).is_empty(), "{text}");
        }
    }
}
