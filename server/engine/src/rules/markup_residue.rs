//! `markup-residue`: HTML entities and tags that survived the scrape as text.
//!
//! `&nbsp;`, `&quot;`, `&#8212;`, `&#x2014;`, `<br>`, `</p>`, `<a href="…">` in an article are
//! leftovers of HTML that a careless extractor did not decode. Entities are decoded by the fix
//! (`&nbsp;` becomes a plain space), tags are removed. Only known entity names and known HTML
//! element names count, so "AT&T" or "x < y > z" stay clean.

use std::sync::LazyLock;

use regex::Regex;

use super::{DocCtx, Rule};
use crate::diag::Level;
use crate::diag::{Diagnostic, Fix, Severity};

pub struct MarkupResidue;

/// Named entities that appear in scraped news, with their decoding.
const ENTITIES: &[(&str, &str)] = &[
    ("nbsp", " "),
    ("quot", "\""),
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("apos", "'"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("hellip", "…"),
    ("rsquo", "’"),
    ("lsquo", "‘"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("shy", ""),
    ("thinsp", " "),
    ("ensp", " "),
    ("emsp", " "),
    ("bull", "•"),
    ("middot", "·"),
    ("deg", "°"),
    ("euro", "€"),
    ("times", "×"),
    ("minus", "−"),
    ("numero", "№"),
    ("sect", "§"),
    ("zwnj", ""),
    ("zwj", ""),
];

static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)&(?:#(\d{2,7})|#x([0-9a-f]{2,6})|([a-z]{2,8}));|</?(?:p|br|div|span|a|b|i|u|s|strong|em|img|h[1-6]|ul|ol|li|table|tbody|thead|tr|td|th|blockquote|figure|figcaption|iframe|script|style|sup|sub|font|center|hr|section|article|noscript|picture|source|video|audio|small|big|header|footer|nav|aside|label|button|input|form|meta|link)(?:\s[^<>]*)?\s*/?>",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

fn decode_entity(caps: &regex::Captures<'_>) -> Option<String> {
    if let Some(d) = caps.get(1) {
        return char::from_u32(d.as_str().parse().ok()?).filter(|c| !c.is_control() || *c == '\t').map(String::from);
    }
    if let Some(h) = caps.get(2) {
        return char::from_u32(u32::from_str_radix(h.as_str(), 16).ok()?).filter(|c| !c.is_control()).map(String::from);
    }
    let name = caps.get(3)?.as_str();
    ENTITIES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| (*v).to_string())
}

impl Rule for MarkupResidue {
    fn code(&self) -> &'static str {
        "markup-residue"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "HTML entities or tags left in the text (`&nbsp;`, `&quot;`, `<br>`)."
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        let bytes = cx.text.as_bytes();
        // (`contains` on bytes looks at a word at a time)
        if !bytes.contains(&b'&') && !bytes.contains(&b'<') {
            return;
        }
        for caps in MARKUP.captures_iter(cx.text) {
            let Some(m) = caps.get(0) else { continue };
            let s = m.as_str();
            let (msg, fix) = if s.starts_with('&') {
                let Some(dec) = decode_entity(&caps) else { continue };
                let shown = if dec.trim().is_empty() { "a space".to_string() } else { format!("“{dec}”") };
                (
                    format!("HTML entity “{s}” left in the text; it stands for {shown}"),
                    Fix::replace(format!("Decode “{s}”"), cx.doc, m.range(), dec).safe(),
                )
            } else {
                (
                    format!("HTML tag “{s}” left in the text by the scraper; remove it"),
                    Fix::replace(format!("Remove “{s}”"), cx.doc, m.range(), "").safe(),
                )
            };
            out.push(Diagnostic::new(self.code(), m.range(), msg).with_fix(fix));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::{apply_first_fix, check};

    #[test]
    fn entities_are_decoded_and_tags_removed() {
        for (text, fixed) in [
            ("Tokayev&nbsp;said", "Tokayev said"),
            ("the &quot;Amanat&quot; party", "the \"Amanat&quot; party"),
            ("1991&#8212;2019", "1991—2019"),
            ("1991&#x2014;2019", "1991—2019"),
            ("First line.<br>Second", "First line.Second"),
            ("End of paragraph.</p>", "End of paragraph."),
            ("<a href=\"https://vlast.kz\">Vlast.kz</a> reported", "Vlast.kz</a> reported"),
        ] {
            let d = check(&MarkupResidue, text);
            assert!(!d.is_empty(), "{text}");
            assert!(d[0].fixes[0].safe);
            assert_eq!(apply_first_fix(text, &d[0]), fixed, "{text}");
        }
        assert_eq!(check(&MarkupResidue, "the &quot;Amanat&quot; party").len(), 2);
    }

    #[test]
    fn ordinary_ampersands_and_angles_are_clean() {
        for text in [
            "AT&T and Procter & Gamble",
            "if x < y and y > z",
            "R&D spending rose",
            "&unknownentity; stays",
            "<<Oreshnik>>",
            "a <b",
            "&#0;",
            "&#99999999;",
            "",
        ] {
            assert!(check(&MarkupResidue, text).is_empty(), "{text}");
        }
    }
}
