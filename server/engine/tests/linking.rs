//! Linking measured on the repository's linking corpus (`tests/fixtures/linking/`): English
//! texts with untranslated Russian lines and Russian news, with gold identities. The floors are
//! what the method reaches today on this corpus; `examples/link_eval.rs` prints the full report,
//! also on FactRuEval-2016.

mod linkeval;

use std::path::PathBuf;

use dossier_engine::entities::{analyze, DocEntities, DocInput, DocMentions, EntityIndex, Kind};
use dossier_engine::DocId;

fn corpus() -> linkeval::Gold {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/linking");
    linkeval::corpus(&root, &root.join("gold.json")).expect("the linking corpus and its gold")
}

#[test]
fn mentions_of_one_entity_are_found_together() {
    let gold = corpus();
    let rep = linkeval::score(&gold, &linkeval::index(&gold, false));
    let report = format!("{}\n{}", rep.summary(), rep.missed.join("\n"));
    assert!(rep.within_doc.value() >= 0.85, "{report}");
    assert!(rep.cross_script.value() >= 0.85, "{report}");
    assert!(rep.cross_doc.value() >= 0.85, "{report}");
    assert!(rep.definition.value() >= 0.80, "{report}");
    assert_eq!(rep.linked_wrong, 0, "{}", rep.wrong.join("\n"));
}

#[test]
fn linking_alone_given_the_gold_mentions() {
    let gold = corpus();
    let rep = linkeval::score(&gold, &linkeval::index(&gold, true));
    assert!(rep.within_doc.value() >= 0.90, "{}", rep.summary());
    assert!(rep.cross_script.value() >= 0.80, "{}", rep.summary());
    assert_eq!(rep.linked_wrong, 0, "{}", rep.wrong.join("\n"));
}

fn index(texts: &[(&str, &str)]) -> EntityIndex {
    EntityIndex::build(
        texts.iter().enumerate().map(|(i, (n, t))| DocInput {
            id: DocId(i as u32),
            name: (*n).into(),
            text: (*t).into(),
            entities: DocMentions::from(analyze(t)).into(),
        }),
        None,
    )
}

/// The entity at the first occurrence of `needle` in document `doc`: (name, kind, candidates).
fn at(ix: &EntityIndex, texts: &[(&str, &str)], doc: usize, needle: &str) -> Option<(String, Kind, Vec<String>)> {
    let off = texts[doc].1.find(needle)? + needle.len() / 2;
    let (id, _) = ix.at(DocId(doc as u32), off)?;
    let e = ix.entity(id)?;
    Some((e.name.clone(), e.kind, e.candidates.clone()))
}

#[test]
fn case_forms_genders_and_the_pronoun_on() {
    let texts = [
        ("a.txt", "Нурсултана Назарбаева встретили в Астане. Он заявил, что Назарбаеву понравилось.\nДарига Назарбаева с ним не согласилась.\n"),
        ("b.txt", "Президент Нурсултан Назарбаев выступил в ООН.\n"),
    ];
    let ix = index(&texts);
    let name = |doc, needle| at(&ix, &texts, doc, needle).map(|e| e.0);
    // a full name in the genitive is shown and linked in its base form
    assert_eq!(name(0, "Нурсултана"), Some("Nursultan Nazarbayev".into()));
    assert_eq!(name(0, "Нурсултана"), name(1, "Нурсултан Назарбаев"));
    // the woman stays apart
    assert_eq!(name(0, "Дарига"), Some("Dariga Nazarbayeva".into()));
    // "Назарбаеву" is Назарбаев's dative or Назарбаева's accusative: both are in the document,
    // so it is not linked, and its card lists them
    let (_, kind, cands) = at(&ix, &texts, 0, "Назарбаеву").expect("a mention");
    assert_eq!(kind, Kind::Person);
    assert_eq!(cands, ["Dariga Nazarbayeva", "Nursultan Nazarbayev"]);
    // the pronoun is not the UN
    assert_eq!(at(&ix, &texts, 0, "Он заявил"), None);
}

#[test]
fn a_verb_next_to_a_surname_tells_the_man_from_the_woman() {
    let texts = [(
        "a.txt",
        "Нурсултан Назарбаев и Дарига Назарбаева приехали в Астану.\nНазарбаева заявила, что визит важен.\nПотом встреча Назарбаева прошла спокойно.\n",
    )];
    let ix = index(&texts);
    let name = |needle| at(&ix, &texts, 0, needle).map(|e| e.0);
    assert_eq!(name("Назарбаева заявила"), Some("Dariga Nazarbayeva".into()));
    // after a noun it is the genitive of either: not linked
    let (_, _, cands) = at(&ix, &texts, 0, "Назарбаева прошла").expect("a mention");
    assert_eq!(cands, ["Dariga Nazarbayeva", "Nursultan Nazarbayev"]);
}

/// A document given with its mentions: name, text and (surface, kind) of each mention.
type GivenDoc<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// An index of documents whose mentions are given (the first occurrence of each surface, with
/// its kind), as a recogniser would find them.
fn index_given(texts: &[GivenDoc]) -> EntityIndex {
    EntityIndex::build(
        texts.iter().enumerate().map(|(i, (n, t, given))| {
            let mentions: Vec<serde_json::Value> = given
                .iter()
                .map(|(s, kind)| {
                    let start = t.find(s).expect("a given mention in its text");
                    serde_json::json!({"range": {"start": start, "end": start + s.len()}, "kind": kind, "surface": s})
                })
                .collect();
            let details: Vec<serde_json::Value> =
                given.iter().map(|_| serde_json::json!({"name": null, "roles": [], "evidence": "Shape"})).collect();
            let e: DocEntities = serde_json::from_value(serde_json::json!({"mentions": mentions, "details": details}))
                .expect("mentions given as data");
            DocInput {
                id: DocId(i as u32),
                name: (*n).into(),
                text: (*t).into(),
                entities: DocMentions::from(e).into(),
            }
        }),
        None,
    )
}

#[test]
fn institutions_across_scripts_are_one_entity_per_country() {
    let texts: [GivenDoc; 3] = [
        (
            "a.txt",
            "The Russian Foreign Ministry summoned the ambassador.\nThe Ministry of Foreign Affairs said more.\nМИД России вызвал посла.\n",
            &[("Russian Foreign Ministry", "Organization"), ("Ministry of Foreign Affairs", "Organization"), ("МИД", "Organization"), ("России", "Place")],
        ),
        (
            "b.txt",
            "Министерство иностранных дел Казахстана сообщило о визите.\nThe Ministry of Foreign Affairs of Kazakhstan confirmed it.\n",
            &[("Министерство иностранных дел", "Organization"), ("Казахстана", "Place"), ("Ministry of Foreign Affairs", "Organization"), ("Kazakhstan", "Place")],
        ),
        (
            "c.txt",
            "Верховный суд Казахстана отклонил иск. The Supreme Court of Kazakhstan ruled on Monday.\n",
            &[("Верховный суд", "Organization"), ("Казахстана", "Place"), ("Supreme Court", "Organization"), ("Kazakhstan", "Place")],
        ),
    ];
    let ix = index_given(&texts);
    let id = |doc: usize, needle: &str| {
        let off = texts[doc].1.find(needle)? + 2;
        ix.at(DocId(doc as u32), off).map(|(id, _)| id)
    };
    let russia = id(0, "Russian Foreign Ministry");
    assert!(russia.is_some());
    assert_eq!(id(0, "Ministry of Foreign Affairs"), russia);
    assert_eq!(id(0, "МИД"), russia);
    let kazakhstan = id(1, "Ministry of Foreign Affairs");
    assert!(kazakhstan.is_some());
    assert_eq!(id(1, "Министерство иностранных дел"), kazakhstan);
    assert_ne!(russia, kazakhstan, "two countries' ministries");
    assert_eq!(id(2, "Верховный суд"), id(2, "Supreme Court"));
    assert_ne!(id(2, "Supreme Court"), kazakhstan);
    assert_eq!(id(1, "Казахстана"), id(2, "Kazakhstan"));
}

#[test]
fn a_surname_alone_joins_the_one_person_of_the_corpus() {
    let texts = [
        ("a.txt", "Uzbek President Shavkat Mirziyoyev arrived in Dushanbe.\n"),
        ("b.txt", "Mirziyoyev said the deal was final.\nС Мирзиёевым обсудили транзит.\n"),
    ];
    let ix = index(&texts);
    let person = at(&ix, &texts, 0, "Shavkat Mirziyoyev").map(|e| e.0);
    assert_eq!(person, Some("Shavkat Mirziyoyev".into()));
    assert_eq!(at(&ix, &texts, 1, "Mirziyoyev").map(|e| e.0), person);
    assert_eq!(at(&ix, &texts, 1, "Мирзиёевым").map(|e| e.0), person);
}

#[test]
fn two_countries_ministries_of_one_name_stay_apart() {
    let texts = [
        ("a.txt", "The Ministry of Foreign Affairs of Kazakhstan welcomed the vote.\nThe Ministry of Foreign Affairs said more.\n"),
        ("b.txt", "Moscow was calm. The Ministry of Foreign Affairs said the remarks were hostile.\n"),
    ];
    let ix = index(&texts);
    let id = |doc: usize, nth: usize| {
        let t = texts[doc].1;
        let off = t.match_indices("Ministry").nth(nth).expect("a ministry").0 + 2;
        ix.at(DocId(doc as u32), off).map(|(id, _)| id)
    };
    assert!(id(0, 0).is_some());
    assert_eq!(id(0, 0), id(0, 1), "one document, one ministry");
    assert_ne!(id(0, 0), id(1, 0), "two countries");
}
