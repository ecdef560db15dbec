//! The card of an entity: what a reader wants to know about a name before reading on. The same
//! content is shown as the hover card (Markdown, [`Card::markdown`]), by `dossier show` in a
//! terminal ([`Card::text`]) and as JSON (the serde form of [`Card`]).
//!
//! Everything on a card is read from the linked index and its [`Network`]: names, forms and
//! roles were gathered when the entity was linked; the entities it appears with are the top of
//! its adjacency list; its documents are one pass over its mention array (one entry per
//! mention, sorted by document), so a card costs microseconds even for an entity with tens of
//! thousands of mentions. Only the few documents shown are read, for a sentence or a snippet.

use std::ops::Range;

use serde::{Serialize, Serializer};

use super::graph::{Network, Shared};
use super::link::snippet;
use super::{Definition, EntityId, EntityIndex, Kind};
use crate::dates::Date;
use crate::translit::{has_cyrillic, transliterate};
use crate::DocId;

/// Entities shown as appearing with this one.
pub const RELATED: usize = 5;
/// Documents listed on a card.
pub const DOCUMENTS: usize = 5;
/// A defining sentence longer than this is cut around the name.
const SENTENCE_MAX: usize = 320;
/// Up to this many documents, a card that is asked for before the network is built builds it
/// (a few milliseconds); above, it is drawn without it (see [`EntityIndex::card_now`]).
const BUILD_NETWORK_FOR_CARD: usize = 2_000;

/// The card of one entity.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    #[serde(skip)]
    pub id: EntityId,
    pub name: String,
    #[serde(serialize_with = "kind_word")]
    pub kind: Kind,
    /// The registry's description.
    pub description: Option<String>,
    /// Roles and descriptions, most frequent first.
    pub roles: Vec<String>,
    /// Other forms seen in the corpus.
    pub forms: Vec<Form>,
    /// For a surname shared by several people: who they are (the mentions are not linked).
    pub candidates: Vec<String>,
    pub mentions: usize,
    pub documents: usize,
    /// The sentence of the defining mention (the first of the full name).
    pub defined_in: Option<Passage>,
    /// The entities it appears with most (shared paragraphs, then documents).
    pub appears_with: Vec<Related>,
    /// The first and last document dates, over its documents that have a date line.
    pub dates: Option<DateSpan>,
    /// The documents with the most mentions of it (most first).
    pub in_documents: Vec<DocLine>,
    /// Drawn before the co-occurrence network was built: no one it appears with, no dates.
    #[serde(skip)]
    pub without_network: bool,
}

/// A form of a name, with its transliteration when it is Cyrillic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Form {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transliteration: Option<String>,
}

/// A sentence of a document.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Passage {
    #[serde(skip)]
    pub doc: DocId,
    /// The document's normalised path, and its file name.
    pub path: String,
    pub file: String,
    /// 1-based line of the mention.
    pub line: usize,
    pub date: Option<Date>,
    pub text: String,
    /// The mention in the document (bytes).
    #[serde(skip)]
    pub range: Range<usize>,
}

/// An entity another one appears with.
#[derive(Clone, Debug, Serialize)]
pub struct Related {
    #[serde(skip)]
    pub id: EntityId,
    pub name: String,
    #[serde(serialize_with = "kind_word")]
    pub kind: Kind,
    #[serde(flatten)]
    pub shared: Shared,
}

/// The first and last date of an entity's documents, and how many of them have one.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DateSpan {
    pub first: Date,
    pub last: Date,
    pub documents: usize,
}

/// One of an entity's documents.
#[derive(Clone, Debug, Serialize)]
pub struct DocLine {
    #[serde(skip)]
    pub doc: DocId,
    pub path: String,
    pub file: String,
    pub date: Option<Date>,
    pub mentions: usize,
    /// The line of its first mention, shortened around it.
    pub snippet: String,
}

pub(super) fn kind_word<S: Serializer>(k: &Kind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl EntityIndex {
    /// The card of an entity (`None` for an id without one). Builds the network if this index
    /// has none yet.
    pub fn card(&self, id: EntityId) -> Option<Card> {
        self.card_with(id, Some(self.network()))
    }

    /// The card as it can be drawn at once, for a hover: on a large corpus whose network is
    /// still being built (the first seconds after a load), without who it appears with and
    /// without dates, rather than waiting for it.
    pub fn card_now(&self, id: EntityId) -> Option<Card> {
        self.card_building_up_to(id, BUILD_NETWORK_FOR_CARD)
    }

    /// [`EntityIndex::card_now`], building the network only for at most `documents`.
    fn card_building_up_to(&self, id: EntityId, documents: usize) -> Option<Card> {
        let net = match self.network_if_built() {
            Some(net) => Some(net),
            None if self.docs.len() <= documents => Some(self.network()),
            None => None,
        };
        self.card_with(id, net)
    }

    fn card_with(&self, id: EntityId, net: Option<&Network>) -> Option<Card> {
        let e = self.entity(id)?;
        let (mentions, documents) = self.counts(id);
        let forms = (e.forms.iter().take(12))
            .map(|f| Form { text: f.clone(), transliteration: has_cyrillic(f).then(|| transliterate(f)) })
            .collect();
        let appears_with = (net.map(|n| n.top(id, RELATED)).unwrap_or_default().into_iter())
            .filter_map(|(other, shared)| {
                let o = self.entity(other)?;
                Some(Related { id: other, name: o.name.clone(), kind: o.kind, shared })
            })
            .collect();
        let (dates, in_documents) = self.documents_of(id, net);
        Some(Card {
            id,
            name: e.name.clone(),
            kind: e.kind,
            description: e.description.clone(),
            roles: e.roles.clone(),
            forms,
            candidates: e.candidates.clone(),
            mentions,
            documents,
            defined_in: self.defining_passage(id, net),
            appears_with,
            dates,
            in_documents,
            without_network: net.is_none(),
        })
    }

    /// The span of an entity's document dates, and its documents with the most mentions.
    fn documents_of(&self, id: EntityId, net: Option<&Network>) -> (Option<DateSpan>, Vec<DocLine>) {
        let date = |doc: DocId| net.and_then(|n| n.date(doc));
        let mut span: Option<DateSpan> = None;
        // (mentions, first mention's range) per document, in document-name order
        let mut per_doc: Vec<(DocId, usize, Range<usize>)> = Vec::new();
        for (doc, start, end) in self.spans(id) {
            match per_doc.last_mut() {
                Some(last) if last.0 == doc => last.1 += 1,
                _ => {
                    per_doc.push((doc, 1, start as usize..end as usize));
                    if let Some(d) = date(doc) {
                        let s = span.get_or_insert(DateSpan { first: d, last: d, documents: 0 });
                        s.first = s.first.min(d);
                        s.last = s.last.max(d);
                        s.documents += 1;
                    }
                }
            }
        }
        let key = |x: &(DocId, usize, Range<usize>)| std::cmp::Reverse(x.1);
        if per_doc.len() > DOCUMENTS {
            per_doc.select_nth_unstable_by_key(DOCUMENTS, key);
            per_doc.truncate(DOCUMENTS);
        }
        // most mentions first, then by date, then in document order
        per_doc.sort_by_key(|x| (std::cmp::Reverse(x.1), date(x.0).is_none(), date(x.0), x.0));
        let lines = (per_doc.into_iter())
            .filter_map(|(doc, mentions, range)| {
                let v = self.doc_view(doc)?;
                Some(DocLine {
                    doc,
                    path: v.name.to_string(),
                    file: file_name(v.name).to_string(),
                    date: date(doc),
                    mentions,
                    snippet: snippet(v.text, range),
                })
            })
            .collect();
        (span, lines)
    }

    /// The sentence of the entity's defining mention; for a registry entry, of its first mention.
    fn defining_passage(&self, id: EntityId, net: Option<&Network>) -> Option<Passage> {
        let (doc, range) = match self.definition(id) {
            Some(Definition::Mention(l)) => (l.doc, l.range),
            _ => self.spans(id).next().map(|(d, s, e)| (d, s as usize..e as usize))?,
        };
        let v = self.doc_view(doc)?;
        v.text.get(range.clone())?;
        Some(Passage {
            doc,
            path: v.name.to_string(),
            file: file_name(v.name).to_string(),
            line: line_number(v.text, range.start),
            date: net.and_then(|n| n.date(doc)),
            text: sentence_around(v.text, range.clone()),
            range,
        })
    }
}

/// 1-based line of a byte offset (lines end at `\n`, `\r\n` or `\r`).
fn line_number(text: &str, offset: usize) -> usize {
    let head = &text.as_bytes()[..offset.min(text.len())];
    let lf = memchr::memchr_iter(b'\n', head).count();
    let lone_cr = memchr::memchr_iter(b'\r', head).filter(|&i| head.get(i + 1) != Some(&b'\n')).count();
    lf + lone_cr + 1
}

/// The sentence around a range: from the end of the previous sentence (or the line's start) to
/// the end of this one (or the line's end), cut to about [`SENTENCE_MAX`] bytes around the
/// range.
pub(super) fn sentence_around(text: &str, range: Range<usize>) -> String {
    let bytes = text.as_bytes();
    let line_start = memchr::memrchr2(b'\n', b'\r', &bytes[..range.start]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr2(b'\n', b'\r', &bytes[range.end..]).map_or(text.len(), |i| range.end + i);
    let ends_sentence =
        |i: usize| matches!(bytes[i], b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
    let start = (line_start..range.start).rev().find(|&i| ends_sentence(i)).map_or(line_start, |i| i + 1);
    let end = (range.end..line_end).find(|&i| ends_sentence(i)).map_or(line_end, |i| i + 1);
    let (start, end) = (start.max(range.start.saturating_sub(SENTENCE_MAX / 2)), end.min(range.end + SENTENCE_MAX / 2));
    let (start, end) = (floor_char(text, start), ceil_char(text, end));
    let mut out = String::new();
    if start > line_start && !ends_sentence(start.saturating_sub(1)) {
        out.push('…');
    }
    out.push_str(text[start..end].trim());
    if end < line_end && !ends_sentence(end - 1) {
        out.push('…');
    }
    out
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// How a card offers the list of every reference.
#[derive(Clone, Debug)]
pub enum ReferencesLink {
    /// A Markdown link target that opens them (a command the editor runs).
    Target(String),
    /// Words telling how to list them ("find references").
    Hint(&'static str),
}

impl Card {
    /// The hover card in Markdown. `from` is the document being read (left out of the document
    /// list); `references` how to list every mention.
    pub fn markdown(&self, from: Option<DocId>, references: &ReferencesLink) -> String {
        let mut out = format!("**{}** — {}\n", self.name, self.kind.as_str());
        if !self.roles.is_empty() {
            let roles: Vec<&str> = self.roles.iter().take(6).map(String::as_str).collect();
            out.push_str(&format!("\nRoles: {}\n", roles.join(" · ")));
        }
        if let Some(d) = &self.description {
            out.push_str(&format!("\n{d}\n"));
        }
        if !self.forms.is_empty() {
            let forms: Vec<String> = self.forms.iter().map(Form::shown).collect();
            out.push_str(&format!("\nAlso: {}\n", forms.join(" · ")));
        }
        if !self.candidates.is_empty() {
            out.push_str(&format!("\nAmbiguous surname, not linked; possibly: {}\n", self.candidates.join(", ")));
        }
        if let Some(p) = &self.defined_in {
            let date = p.date.map(|d| format!(", {d}")).unwrap_or_default();
            out.push_str(&format!("\n> {}\n>\n> — `{}`{date}\n", p.text, p.file));
        }
        if !self.appears_with.is_empty() {
            let with: Vec<String> =
                self.appears_with.iter().map(|r| format!("{} {}", r.name, r.shared.paragraphs)).collect();
            out.push_str(&format!("\nAppears with (shared paragraphs): {}\n", with.join(" · ")));
        } else if self.without_network {
            out.push_str("\nAppears with: still being worked out for this corpus\n");
        }
        out.push_str(&format!("\n{}", self.counts_line()));
        match references {
            ReferencesLink::Target(t) => out.push_str(&format!(" · [All references]({t})\n")),
            ReferencesLink::Hint(h) => out.push_str(&format!(" · {h}\n")),
        }
        let docs: Vec<&DocLine> = self.in_documents.iter().filter(|d| Some(d.doc) != from).collect();
        if !docs.is_empty() {
            out.push('\n');
            for d in docs {
                let date = d.date.map(|d| format!(" {d}")).unwrap_or_default();
                out.push_str(&format!("- `{}`{date} ({}): {}\n", d.file, plural(d.mentions, "mention"), d.snippet));
            }
        }
        out
    }

    /// "23 mentions in 1 document, 2023-03-02 to 2024-11-30".
    fn counts_line(&self) -> String {
        let mut s = format!("{} in {}", plural(self.mentions, "mention"), plural(self.documents, "document"));
        if let Some(d) = self.dates {
            if d.first == d.last {
                s.push_str(&format!(", {}", d.first));
            } else {
                s.push_str(&format!(", {} to {}", d.first, d.last));
            }
        }
        s
    }

    /// The card as plain text for a terminal; `shown_path` turns a document's path into what is
    /// printed (relative to the current folder, say).
    pub fn text(&self, shown_path: impl Fn(&str) -> String) -> String {
        let mut out = format!("{} ({})\n", self.name, self.kind.as_str());
        let mut field = |label: &str, value: String| out.push_str(&format!("  {label:<13} {value}\n"));
        if !self.roles.is_empty() {
            field("roles", self.roles.join(" · "));
        }
        if let Some(d) = &self.description {
            field("description", d.clone());
        }
        if !self.forms.is_empty() {
            field("also", self.forms.iter().map(Form::shown).collect::<Vec<_>>().join(" · "));
        }
        if !self.candidates.is_empty() {
            field("possibly", self.candidates.join(", "));
        }
        if let Some(p) = &self.defined_in {
            let date = p.date.map(|d| format!(" ({d})")).unwrap_or_default();
            field("defined in", format!("{}:{}{date}: {}", shown_path(&p.path), p.line, p.text));
        }
        if !self.appears_with.is_empty() {
            let with: Vec<String> = (self.appears_with.iter())
                .map(|r| {
                    let (p, d) = (r.shared.paragraphs, r.shared.documents);
                    format!("{} ({}, {} paragraph{}, {} document{})", r.name, r.kind.as_str(), p, s(p), d, s(d))
                })
                .collect();
            field("appears with", with.join(" · "));
        }
        field("mentions", self.counts_line());
        for (i, d) in self.in_documents.iter().enumerate() {
            let date = d.date.map(|d| format!(" {d}")).unwrap_or_default();
            let label = if i == 0 { "documents" } else { "" };
            field(label, format!("{}{date} ({}): {}", shown_path(&d.path), plural(d.mentions, "mention"), d.snippet));
        }
        out
    }
}

impl Form {
    fn shown(&self) -> String {
        match &self.transliteration {
            Some(t) => format!("{} ({t})", self.text),
            None => self.text.clone(),
        }
    }
}

fn s(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn plural(k: usize, w: &str) -> String {
    if k == 1 {
        format!("{k} {w}")
    } else {
        format!("{k} {w}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_around_a_name() {
        let text = "Headline of the day\n\nFirst sentence here. Then Imangali Tasmagambetov spoke at length. After that, nothing.\n";
        let at = text.find("Imangali").unwrap();
        let range = at..at + "Imangali Tasmagambetov".len();
        assert_eq!(sentence_around(text, range), "Then Imangali Tasmagambetov spoke at length.");
        let text = "From the Secretary of the Komsomol to the CSTO: the journey of Imangali Tasmagambetov\nNext";
        let at = text.find("Imangali").unwrap();
        assert_eq!(sentence_around(text, at..at + 8), &text[..text.find('\n').unwrap()]);
        // a long line is cut around the name, at char boundaries
        let long = format!("{}Тасмагамбетов{}", "слово ".repeat(100), " и слово".repeat(100));
        let at = long.find("Тасмагамбетов").unwrap();
        let s = sentence_around(&long, at..at + "Тасмагамбетов".len());
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("Тасмагамбетов") && s.len() < 400, "{s}");
        assert_eq!(line_number("a\r\nb\rc\nd", 7), 4);
    }

    #[test]
    fn a_card_drawn_before_the_network_is_built() {
        use crate::entities::{analyze, DocInput, DocMentions};
        let texts = [
            "Imangali Tasmagambetov met Kassym-Jomart Tokayev in Astana on Monday.\n",
            "Tasmagambetov spoke in Almaty.\n",
        ];
        let idx = EntityIndex::build(
            texts.iter().enumerate().map(|(i, t)| DocInput {
                id: DocId(i as u32),
                name: format!("/c/{i}.txt").into(),
                text: (*t).into(),
                entities: DocMentions::from(analyze(t)).into(),
            }),
            None,
        );
        let id = idx.search("Tasmagambetov", 1)[0];
        // too large a corpus to build the network for a card: drawn without it, not built
        let early = idx.card_building_up_to(id, 1).unwrap();
        assert!(early.without_network && early.appears_with.is_empty(), "{early:?}");
        assert!(idx.network_if_built().is_none());
        let md = early.markdown(None, &ReferencesLink::Hint("…"));
        assert!(
            md.contains("Appears with: still being worked out") && md.contains("2 mentions in 2 documents"),
            "{md}"
        );
        // small enough: built for the card, and used from then on
        let now = idx.card_now(id).unwrap();
        assert!(!now.without_network && idx.network_if_built().is_some());
        let names = |c: &Card| c.appears_with.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert!(names(&now).contains(&"Kassym-Jomart Tokayev".to_string()), "{:?}", names(&now));
        let later = idx.card_building_up_to(id, 1).unwrap();
        assert_eq!((later.without_network, names(&later)), (false, names(&idx.card(id).unwrap())));
    }
}
