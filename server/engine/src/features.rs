//! What the editor features decide, computed from a corpus snapshot in byte offsets: the outline
//! of a document, which mentions a rename rewrites, the transliteration labels shown after
//! Cyrillic names, and which rules explain the diagnostics at a position. The LSP layer converts
//! positions and builds protocol values; nothing here knows the protocol.

use std::collections::HashMap;
use std::ops::Range;

use crate::corpus::Corpus;
use crate::diag::{Edit, Level};
use crate::entities::{EntityId, Kind};
use crate::rules::{self, RuleInfo};
use crate::translit;
use crate::DocId;

/// The entities of one kind mentioned in a document (one group of the outline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineGroup {
    pub kind: Kind,
    /// "People", "Organizations", "Places" or "Other".
    pub title: &'static str,
    /// By first mention.
    pub entries: Vec<OutlineEntry>,
}

/// One entity in a document's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineEntry {
    pub entity: EntityId,
    pub name: String,
    /// The first mention.
    pub first: Range<usize>,
    /// From the first mention to the end of the last.
    pub span: Range<usize>,
    pub mentions: usize,
}

impl OutlineEntry {
    /// "1 mention", "3 mentions".
    pub fn detail(&self) -> String {
        format!("{} mention{}", self.mentions, if self.mentions == 1 { "" } else { "s" })
    }
}

/// The outline of a document: its entities grouped by kind (in [`Kind::ALL`] order, empty groups
/// left out), each with its first mention, the span of its mentions and their number.
pub fn outline(corpus: &Corpus, doc: DocId) -> Vec<OutlineGroup> {
    let index = corpus.entities();
    let mut seen: HashMap<EntityId, OutlineEntry> = HashMap::new();
    let mut kinds: HashMap<EntityId, Kind> = HashMap::new();
    for (r, id, kind) in index.mentions_in(doc) {
        kinds.entry(id).or_insert(kind);
        seen.entry(id)
            .and_modify(|e| {
                e.span.end = e.span.end.max(r.end);
                e.mentions += 1;
            })
            .or_insert_with(|| OutlineEntry {
                entity: id,
                name: index.entity(id).map(|e| e.name.clone()).unwrap_or_default(),
                first: r.clone(),
                span: r,
                mentions: 1,
            });
    }
    Kind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut entries: Vec<OutlineEntry> =
                seen.values().filter(|e| kinds[&e.entity] == kind && !e.name.is_empty()).cloned().collect();
            entries.sort_by_key(|e| (e.first.start, e.entity));
            let title = match kind {
                Kind::Person => "People",
                Kind::Organization => "Organizations",
                Kind::Place => "Places",
                Kind::Other => "Other",
            };
            (!entries.is_empty()).then_some(OutlineGroup { kind, title, entries })
        })
        .collect()
}

/// The mention a rename at `offset` of `doc` would start from: its range and its spelling.
pub fn rename_target(corpus: &Corpus, doc: DocId, offset: usize) -> Option<(Range<usize>, String)> {
    let index = corpus.entities();
    let (id, range) = index.at(doc, offset)?;
    index.entity(id)?;
    let spelling = corpus.get(doc)?.text.get(range.clone())?.to_string();
    Some((range, spelling))
}

/// Rename rewrites one spelling of an entity across the corpus: every mention of the entity at
/// `offset` of `doc` that is written exactly like the mention there becomes `new_name`. Other
/// forms (a surname alone, a possessive, the Cyrillic spelling) are left as they are.
pub fn rename_edits(corpus: &Corpus, doc: DocId, offset: usize, new_name: &str) -> Option<Vec<Edit>> {
    let index = corpus.entities();
    let (id, _) = index.at(doc, offset)?;
    let (_, spelling) = rename_target(corpus, doc, offset)?;
    let edits = index
        .references(id)
        .into_iter()
        .filter(|loc| corpus.get(loc.doc).and_then(|e| e.text.get(loc.range.clone())) == Some(spelling.as_str()))
        .map(|loc| Edit { doc: loc.doc, range: loc.range, new_text: new_name.to_string() })
        .collect();
    Some(edits)
}

/// The label shown after a Cyrillic mention: its transliteration, and the entity's name when it
/// is spelled differently from that (compared folded: case, diacritics and spelling variants
/// aside), e.g. "(Tokaev = Kassym-Jomart Tokayev)".
pub fn transliteration_label(surface: &str, entity_name: &str) -> Option<String> {
    if !translit::has_cyrillic(surface) {
        return None;
    }
    let latin = translit::transliterate(surface);
    let other_name = !entity_name.is_empty()
        && !translit::has_cyrillic(entity_name)
        && translit::fold(entity_name) != translit::fold(&latin);
    Some(if other_name { format!("({latin} = {entity_name})") } else { format!("({latin})") })
}

/// Transliteration labels of the Cyrillic entity mentions of `doc` that touch `within`, each at
/// the end of its mention; none when the configuration turns them off.
pub fn transliteration_hints(corpus: &Corpus, doc: DocId, within: Range<usize>) -> Vec<(usize, String)> {
    let Some(entry) = corpus.get(doc).filter(|_| corpus.config().inlay_transliteration) else { return Vec::new() };
    let index = corpus.entities();
    index
        .mentions_in(doc)
        .into_iter()
        .filter(|(r, _, _)| r.end >= within.start && r.start <= within.end)
        .filter_map(|(r, id, _)| {
            let name = index.entity(id).map_or("", |e| e.name.as_str());
            Some((r.end, transliteration_label(entry.text.get(r)?, name)?))
        })
        .collect()
}

/// The rules of the diagnostics of `doc` that cover `offset`, once each, with the level in force
/// (of the diagnostics known without waiting: [`Corpus::diagnostics_now`]).
pub fn rules_at(corpus: &Corpus, doc: DocId, offset: usize) -> Vec<(RuleInfo, Level)> {
    let mut out: Vec<(RuleInfo, Level)> = Vec::new();
    for d in corpus.diagnostics_now(doc) {
        if d.range.start <= offset && offset <= d.range.end && out.iter().all(|(r, _)| r.code != d.code) {
            if let Some(info) = rules::info(d.code) {
                out.push((info, corpus.config().level(info.code, info.default_level)));
            }
        }
    }
    out
}

/// A short Markdown note on what a rule reports and how to change its level, for a hover.
pub fn rule_note(info: &RuleInfo, level: Level) -> String {
    format!(
        "**`{}`** ({}): {} Set `{}` under `[rules]` in `dossier.toml` to change its level (`off` to silence it).",
        info.code,
        level.as_str(),
        info.summary,
        info.code
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;

    const A: &str = "Kassym-Jomart Tokayev met Vladimir Putin in Astana.\n\
                     Tokayev said the talks in Astana went well. Tokayev left.\n";
    const B: &str = "President Tokayev arrived in Moscow.\nТокаев прибыл в Москву.\n";

    fn corpus() -> (Corpus, DocId, DocId) {
        let mut c = Corpus::new(Config::default());
        let a = c.upsert("/c/a.txt", Arc::from(A), vec![]);
        let b = c.upsert("/c/b.txt", Arc::from(B), vec![]);
        (c, a, b)
    }

    #[test]
    fn outline_groups_entities_by_kind_with_counts_and_spans() {
        let (c, a, _) = corpus();
        let groups = outline(&c, a);
        let titles: Vec<&str> = groups.iter().map(|g| g.title).collect();
        assert_eq!(titles, ["People", "Places"]);
        let people = &groups[0].entries;
        assert_eq!(
            people.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["Kassym-Jomart Tokayev", "Vladimir Putin"]
        );
        let tokayev = &people[0];
        assert_eq!((tokayev.mentions, tokayev.detail()), (3, "3 mentions".to_string()));
        assert_eq!(&A[tokayev.first.clone()], "Kassym-Jomart Tokayev");
        assert_eq!(tokayev.span.start, 0);
        assert_eq!(tokayev.span.end, A.rfind("Tokayev").unwrap() + "Tokayev".len());
        assert_eq!(people[1].detail(), "1 mention");
        let astana = &groups[1].entries[0];
        assert_eq!((astana.name.as_str(), astana.mentions), ("Astana", 2));
        assert!(outline(&c, DocId(99)).is_empty());
    }

    #[test]
    fn rename_rewrites_the_same_spelling_only_across_documents() {
        let (c, a, b) = corpus();
        let at = A.find("Tokayev said").unwrap();
        assert_eq!(rename_target(&c, a, at), Some((at..at + 7, "Tokayev".to_string())));
        let mut edits = rename_edits(&c, a, at + 2, "Tokaev").unwrap();
        edits.sort_by_key(|e| (e.doc, e.range.start));
        let places: Vec<(DocId, &str)> =
            edits.iter().map(|e| (e.doc, &[A, B][e.doc.0 as usize][e.range.clone()])).collect();
        // the full name and the Cyrillic form stay; every "Tokayev" alone, in both documents, changes
        assert_eq!(places, [(a, "Tokayev"), (a, "Tokayev"), (b, "Tokayev")]);
        assert!(edits.iter().all(|e| e.new_text == "Tokaev"));
        assert_eq!(rename_edits(&c, a, A.find("met").unwrap(), "x"), None, "no entity there");
    }

    #[test]
    fn transliteration_labels_name_the_entity_only_when_spelled_differently() {
        let latin = translit::transliterate("Токаев");
        let label = |name: &str| transliteration_label("Токаев", name);
        assert_eq!(label("Kassym-Jomart Tokayev"), Some(format!("({latin} = Kassym-Jomart Tokayev)")));
        assert_eq!(label(&latin), Some(format!("({latin})")));
        assert_eq!(label(&latin.to_uppercase()), Some(format!("({latin})")), "folded comparison");
        assert_eq!(label("Токаев"), Some(format!("({latin})")), "a Cyrillic name adds nothing");
        assert_eq!(transliteration_label("Tokayev", "Tokayev"), None, "Latin mentions get no label");
        let (c, _, b) = corpus();
        let hints = transliteration_hints(&c, b, 0..B.len());
        // "Токаев" and, whatever else is recognised, only Cyrillic mentions (of the second line)
        assert_eq!(hints[0].0, B.find("Токаев").unwrap() + "Токаев".len(), "{hints:?}");
        assert!(hints.iter().all(|(at, _)| *at > B.find('\n').unwrap()), "{hints:?}");
        assert!(hints[0].1.starts_with(&format!("({latin}")), "{hints:?}");
        assert!(transliteration_hints(&c, b, 0..5).is_empty(), "outside the range");
        let mut c = c;
        c.set_config(Config { inlay_transliteration: false, ..Config::default() });
        assert!(transliteration_hints(&c, b, 0..B.len()).is_empty(), "turned off");
    }

    #[test]
    fn rules_at_a_position_explain_its_diagnostics() {
        let mut c = Corpus::new(Config::default());
        let text = "The talks went well и ended.\n";
        let d = c.upsert("/c/a.txt", Arc::from(text), vec![]);
        let found = rules_at(&c, d, text.find('и').unwrap());
        assert_eq!(found.len(), 1);
        let (info, level) = found[0];
        assert_eq!((info.code, level), ("untranslated-text", info.default_level));
        let note = rule_note(&info, level);
        assert!(note.starts_with("**`untranslated-text`** (warning): Cyrillic words"), "{note}");
        assert!(rules_at(&c, d, 1).is_empty());
    }
}
