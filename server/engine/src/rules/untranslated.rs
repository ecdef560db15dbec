//! `untranslated-caption` and `untranslated-text`: Cyrillic left behind by machine translation.
//!
//! A line that is mostly Cyrillic and short, or carries caption cues ("(слева)", a place and a
//! date, no closing full stop), is an untranslated photo caption. Cyrillic words inside an
//! otherwise English line ("TikTok и Viber") are untranslated text; a long Cyrillic paragraph is
//! untranslated text too. Words that mix Latin and Cyrillic letters are left to
//! `mixed-script-word`. Every message carries the Latin transliteration.

use std::ops::Range;

use super::{on, DocCtx, Rule};
use crate::config::Level;
use crate::diag::{Diagnostic, Severity};
use crate::text::lines;
use crate::translit::{is_cyrillic, transliterate};

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

fn stats(line: &str) -> LineStats {
    let mut s = LineStats { cyr_letters: 0, letters: 0 };
    for c in line.chars() {
        if c.is_alphabetic() {
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

impl Rule for UntranslatedCaption {
    fn code(&self) -> &'static str {
        "untranslated-caption"
    }
    fn default_level(&self) -> Level {
        on(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "A photo caption left in Cyrillic by the translation."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in lines(cx.text) {
            let line = &cx.text[r.clone()];
            let trimmed = line.trim();
            if trimmed.is_empty() || !mostly_cyrillic(trimmed) || !caption_like(trimmed) {
                continue;
            }
            let lead = line.len() - line.trim_start().len();
            let range = r.start + lead..r.start + lead + trimmed.len();
            out.push(Diagnostic::new(
                self.code(),
                range,
                format!("untranslated Cyrillic caption: {}", quote(&transliterate(trimmed))),
            ));
        }
    }
}

impl Rule for UntranslatedText {
    fn code(&self) -> &'static str {
        "untranslated-text"
    }
    fn default_level(&self) -> Level {
        on(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "Cyrillic words inside English text, or a whole paragraph left untranslated."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        for (_, r) in lines(cx.text) {
            let line = &cx.text[r.clone()];
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
                let what = if run.words == 1 { "word" } else { "words" };
                out.push(Diagnostic::new(
                    self.code(),
                    r.start + run.range.start..r.start + run.range.end,
                    format!("untranslated Cyrillic {what} “{s}” ({})", transliterate(s)),
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
