//! Entity recognition and linking, tested on fixture articles (`tests/fixtures/entities/`) and
//! on the sample corpus (`seeds/`).

use std::path::PathBuf;

use dossier_engine::entities::{analyze, Definition, DocEntities, DocInput, DocMentions, EntityIndex, Kind, Registry};
use dossier_engine::DocId;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

struct Corpus {
    texts: Vec<(String, String)>,
    analyses: Vec<DocEntities>,
}

impl Corpus {
    fn new(files: &[&str]) -> Corpus {
        let texts: Vec<(String, String)> = files.iter().map(|f| (f.to_string(), read(f))).collect();
        let analyses = texts.iter().map(|(_, t)| analyze(t)).collect();
        Corpus { texts, analyses }
    }

    fn index(&self, registry: Option<&Registry>) -> EntityIndex {
        EntityIndex::build(
            self.texts.iter().zip(&self.analyses).enumerate().map(|(i, ((n, t), a))| DocInput {
                id: DocId(i as u32),
                name: n.as_str().into(),
                text: t.as_str().into(),
                entities: DocMentions::from(a.clone()).into(),
            }),
            registry,
        )
    }
}

/// The entity at the first occurrence of `surface` in document `doc`: (name, kind).
fn entity_at(c: &Corpus, idx: &EntityIndex, doc: usize, surface: &str) -> Option<(String, Kind)> {
    let off = c.texts[doc].1.find(surface)? + surface.len() / 2;
    let (id, _) = idx.at(DocId(doc as u32), off)?;
    let e = idx.entity(id)?;
    Some((e.name.clone(), e.kind))
}

fn mention_spans(c: &Corpus, doc: usize) -> Vec<(String, Kind)> {
    c.analyses[doc].mentions.iter().map(|m| (m.surface.clone(), m.kind)).collect()
}

#[test]
fn seeds_yield_the_expected_entities() {
    let c = Corpus::new(&["seeds/000_ed376fe458f0e54a.txt", "seeds/002_e2d909bfb0b5a3b3.txt"]);
    let idx = c.index(None);
    let expect = [
        (0, "Tasmagambetov's", "Imangali Tasmagambetov", Kind::Person),
        (0, "Имангали Тасмагамбетов", "Imangali Tasmagambetov", Kind::Person),
        (0, "Виктор Хренин", "Viktor Khrenin", Kind::Person),
        (0, "Минск", "Minsk", Kind::Place),
        (0, "NAZARBAYEV", "Nursultan Nazarbayev", Kind::Person),
        (0, "Risk Assessment Group", "Risk Assessment Group", Kind::Organization),
        (0, "Kül-Tegin", "Kül-Tegin stele", Kind::Other),
        (0, "Oreshnik", "Oreshnik", Kind::Other),
        (0, "Keiki-batyr", "Keiki-batyr", Kind::Person),
        (0, "UK", "United Kingdom", Kind::Place),
        (1, "Tokayev", "Kassym-Jomart Tokayev", Kind::Person),
        (1, "OCCRP", "Organized Crime and Corruption Research Center", Kind::Organization),
        (1, "Nur Otan", "Nur Otan", Kind::Organization),
        (1, "Minsk agreements", "Minsk agreements", Kind::Other),
        (1, "Ministry of Internal Affairs", "Ministry of Internal Affairs", Kind::Organization),
        (1, "Murat Nurtleu", "Murat Nurtleu", Kind::Person),
        (1, "Nazarbayev’s", "Nursultan Nazarbayev", Kind::Person),
    ];
    for (doc, surface, name, kind) in expect {
        assert_eq!(entity_at(&c, &idx, doc, surface), Some((name.to_string(), kind)), "{surface}");
    }
    // the possessive ending is outside the mention
    let text = &c.texts[0].1;
    let off = text.find("Tasmagambetov's").unwrap();
    let (_, r) = idx.at(DocId(0), off).unwrap();
    assert_eq!(&text[r], "Tasmagambetov");
    // titles, demonyms, months and sentence-initial words are not entities ("Classmates" in
    // "at ThereThere, Yandex Zen, Telegram, Classmates, …" is: the social network Odnoklassniki,
    // translated)
    for not in ["Secretary General", "Russian", "Kazakh", "November", "President", "However"] {
        let spans = mention_spans(&c, 0).into_iter().chain(mention_spans(&c, 1));
        assert!(spans.clone().all(|(s, _)| s != not), "{not} recognised");
    }
    // linked across documents and scripts
    let id = idx.at(DocId(1), c.texts[1].1.find("Nursultan Nazarbayev").unwrap() + 12).unwrap().0;
    assert_eq!(idx.counts(id), (6, 2));
    match idx.definition(id) {
        Some(Definition::Mention(l)) => assert_eq!((l.doc, &c.texts[0].1[l.range]), (DocId(0), "Nursultan Nazarbayev")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_sites_and_countries() {
    let c = Corpus::new(&["tests/fixtures/entities/kyrgyz_energy.txt", "tests/fixtures/entities/rusnews.txt"]);
    let idx = c.index(None);
    let expect = [
        (0, "Садыр Жапаров", "Sadyr Japarov", Kind::Person),
        (0, "Japarov said", "Sadyr Japarov", Kind::Person),
        (0, "Mirziyoyev’s", "Shavkat Mirziyoyev", Kind::Person),
        (0, "Шавкат Мирзиёев", "Shavkat Mirziyoyev", Kind::Person),
        (0, "Ташкент", "Tashkent", Kind::Place),
        (0, "Kubat Rakhimov", "Kubat Rakhimov", Kind::Person),
        (0, "Rakhimov,", "Kubat Rakhimov", Kind::Person),
        (0, "Asian Development Bank", "ADB", Kind::Organization),
        (0, "EDF", "Eurasian Development Fund", Kind::Organization),
        (0, "Naryn River", "Naryn River", Kind::Place),
        (0, "Chui", "Chui", Kind::Place),
        // the ministry's name includes its country, as annotated news has it
        (0, "Ministry of Energy", "Ministry of Energy of Kyrgyzstan", Kind::Organization),
        (0, "Institute for Strategic Analysis", "Institute for Strategic Analysis", Kind::Organization),
        (1, "Denis Pasler", "Denis Pasler", Kind::Person),
        (1, "Orenskaya Pravda", "Orenskaya Pravda", Kind::Organization),
        (1, "ORENBURG", "Orenburg", Kind::Place),
        (1, "Дмитрий Песков", "Dmitriy Peskov", Kind::Person),
        (1, "Peskov did", "Dmitriy Peskov", Kind::Person),
        (1, "The Pasler", "Denis Pasler", Kind::Person),
    ];
    for (doc, surface, name, kind) in expect {
        assert_eq!(entity_at(&c, &idx, doc, surface), Some((name.to_string(), kind)), "{surface}");
    }
    for (doc, not) in
        [(0, "Tuesday"), (0, "However"), (0, "April"), (0, "Uzbek"), (1, "Home"), (1, "Read"), (1, "GOVERNOR")]
    {
        assert!(mention_spans(&c, doc).iter().all(|(s, _)| s != not), "{not} recognised");
    }
    let id = idx.at(DocId(0), c.texts[0].1.find("Kubat").unwrap()).unwrap().0;
    let e = idx.entity(id).unwrap();
    assert!(e.roles.iter().any(|r| r == "Kyrgyz economist"), "{:?}", e.roles);
    assert!(e.roles.iter().any(|r| r == "director of the Institute for Strategic Analysis"), "{:?}", e.roles);
    // a Russian caption's title, in English
    let id = idx.at(DocId(0), c.texts[0].1.find("Japarov said").unwrap()).unwrap().0;
    assert!(idx.entity(id).unwrap().roles.iter().any(|r| r == "President"), "{:?}", idx.entity(id).unwrap().roles);
}

#[test]
fn roles_come_most_frequent_first() {
    let texts = [
        ("a.txt", "Economist Aigerim Saparova spoke first. Later, Saparova, the head of the Fiscal Council, added more."),
        ("b.txt", "Aigerim Saparova, head of the Fiscal Council, disagreed. Saparova was appointed head of the Fiscal Council in May."),
        ("c.txt", "As head of the Fiscal Council, Aigerim Saparova signed the report."),
    ];
    let idx = EntityIndex::build(
        texts.iter().enumerate().map(|(i, (n, t))| DocInput {
            id: DocId(i as u32),
            name: (*n).into(),
            text: (*t).into(),
            entities: DocMentions::from(analyze(t)).into(),
        }),
        None,
    );
    let id = idx.search("Saparova", 1)[0];
    let e = idx.entity(id).unwrap();
    assert_eq!(e.name, "Aigerim Saparova");
    assert_eq!(e.roles, ["head of the Fiscal Council", "Economist"]);
}

#[test]
fn gender_and_ambiguous_surnames() {
    let c = Corpus::new(&["tests/fixtures/entities/family.txt"]);
    let idx = c.index(None);
    // Nazarbayeva is Dariga, Nazarbayev is Nursultan
    let text = &c.texts[0].1;
    let at = |needle: &str| {
        let off = text.find(needle).unwrap();
        idx.entity(idx.at(DocId(0), off + 2).unwrap().0).unwrap().name.clone()
    };
    assert_eq!(at("Nazarbayeva said"), "Dariga Nazarbayeva");
    assert_eq!(at("Nazarbayev resigned"), "Nursultan Nazarbayev");
    // two Zhumabekovs: the surname alone is not linked, and the card lists both
    let id = idx.at(DocId(0), text.find("Zhumabekov said").unwrap() + 2).unwrap().0;
    let e = idx.entity(id).unwrap();
    assert_eq!(e.name, "Zhumabekov");
    assert_eq!(e.candidates, ["Marat Zhumabekov", "Serik Zhumabekov"]);
    assert!(idx.hover(id, DocId(0)).contains("possibly: Marat Zhumabekov, Serik Zhumabekov"));
    let dariga = idx.at(DocId(0), 3).unwrap().0;
    assert!(idx.entity(dariga).unwrap().roles.iter().any(|r| r == "Former senator"));
}

#[test]
fn hover_card() {
    let c = Corpus::new(&["seeds/000_ed376fe458f0e54a.txt", "seeds/002_e2d909bfb0b5a3b3.txt"]);
    let idx = c.index(None);
    let id = idx.search("nazarbayev", 1)[0];
    expect_test::expect![[r#"
        **Nursultan Nazarbayev** — person

        Roles: member of the Soviet Politburo

        Also: NAZARBAYEV · Nazarbayev

        > However, challenging Nursultan Nazarbayev, a member of the Soviet Politburo who had been at the helm of Kazakhstan since before the collapse of the USSR, was dangerous: Akzhan Kazhegeldin, another ener…
        >
        > — `000_ed376fe458f0e54a.txt`

        Appears with (shared paragraphs): Imangali Tasmagambetov 2 · Kassym-Jomart Tokayev 2 · Akzhan Kazhegeldin 1 · Kazakhstan 1 · USSR 1

        6 mentions in 2 documents, 2022-03-02 · “Find references” lists them all

        - `002_e2d909bfb0b5a3b3.txt` 2022-03-02 (2 mentions): …tually been launched. The party got rid of the influence of Nursultan Nazarbayev and is now completely Tokayev.
    "#]]
    .assert_eq(&idx.hover(id, DocId(0)));
}

/// The card of the seeds' main person: roles from the whole article, the defining sentence,
/// who he appears with.
#[test]
fn card_of_the_seeds_main_person() {
    let c = Corpus::new(&["seeds/000_ed376fe458f0e54a.txt", "seeds/002_e2d909bfb0b5a3b3.txt"]);
    let idx = c.index(None);
    let id = idx.search("Tasmagambetov", 1)[0];
    let card = idx.card(id).unwrap();
    assert_eq!(card.name, "Imangali Tasmagambetov");
    for role in ["CSTO Secretary General", "Deputy Prime Minister", "akim"] {
        assert!(card.roles.iter().any(|r| r == role), "{role}: {:?}", card.roles);
    }
    let defined = card.defined_in.as_ref().unwrap();
    assert_eq!((defined.file.as_str(), defined.line), ("000_ed376fe458f0e54a.txt", 3));
    assert!(defined.text.ends_with("the journey of Imangali Tasmagambetov."), "{}", defined.text);
    let with: Vec<&str> = card.appears_with.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(with.len(), 5);
    assert_eq!(with[0], "CSTO", "{with:?}");
    assert!(card.appears_with.windows(2).all(|w| w[0].shared.paragraphs >= w[1].shared.paragraphs));
    assert_eq!((card.mentions, card.documents, card.in_documents.len()), (23, 1, 1));
    let hover = idx.hover(id, DocId(1));
    assert!(hover.contains("Roles: CSTO Secretary General · Deputy Prime Minister") && hover.contains("Appears with"));
}

/// Cards and the network on articles of other kinds: sport, business, a Russian wire story,
/// with date lines in several styles.
#[test]
fn cards_and_network_on_other_articles() {
    let texts = [
        (
            "/c/sport.txt",
            "Astana beat Kairat 2-1\n\nMarch 3, 2024, 21:40\n\nHead coach Grigori Babayan praised the team. Babayan said the league was tough.\n\nKairat captain Yan Vorogovskiy, a defender of the national team, disagreed with the referee.\n",
        ),
        (
            "/c/business.txt",
            "KazMunayGas sells a stake\n\n12.04.2024 09:15\n\nKazMunayGas chairman Magzum Mirzagaliyev met investors in London. Mirzagaliyev said the sale would close in May.\n\nAnalyst Grigori Babayan, an economist at Halyk Bank, doubted it.\n",
        ),
        (
            "/c/wire.txt",
            "Визит в Астану\n\n5 мая 2024\n\nМинистр энергетики Казахстана Алмасадам Саткалиев и Magzum Mirzagaliyev обсудили поставки.\n",
        ),
    ];
    let build = || {
        EntityIndex::build(
            texts.iter().enumerate().map(|(i, (n, t))| DocInput {
                id: DocId(i as u32),
                name: (*n).into(),
                text: (*t).into(),
                entities: DocMentions::from(analyze(t)).into(),
            }),
            None,
        )
    };
    let idx = build();
    let net = idx.network();
    let dates: Vec<String> = (0..3).map(|i| net.date(DocId(i)).map(|d| d.to_string()).unwrap_or_default()).collect();
    assert_eq!(dates, ["2024-03-03", "2024-04-12", "2024-05-05"]);
    let id = idx.search("Mirzagaliyev", 1)[0];
    let card = idx.card(id).unwrap();
    assert_eq!((card.name.as_str(), card.mentions, card.documents), ("Magzum Mirzagaliyev", 3, 2), "{card:?}");
    assert!(card.roles.iter().any(|r| r == "KazMunayGas chairman"), "{:?}", card.roles);
    let span = card.dates.unwrap();
    assert_eq!(
        (span.first.to_string(), span.last.to_string(), span.documents),
        ("2024-04-12".into(), "2024-05-05".into(), 2)
    );
    // the documents with the most mentions first
    let docs: Vec<(&str, usize)> = card.in_documents.iter().map(|d| (d.file.as_str(), d.mentions)).collect();
    assert_eq!(docs, [("business.txt", 2), ("wire.txt", 1)]);
    // who appears with whom: the paragraph, not the document
    let with: Vec<&str> = card.appears_with.iter().map(|r| r.name.as_str()).collect();
    assert!(with.contains(&"KazMunayGas") && with.contains(&"London"), "{with:?}");
    assert!(!with.contains(&"Grigori Babayan"), "another paragraph: {with:?}");
    // the graph: a focus and its neighbours, kinds, weights
    let babayan = idx.search("Babayan", 1)[0];
    let g = idx.graph(&dossier_engine::entities::GraphQuery { focus: Some(babayan), ..Default::default() });
    assert_eq!(g.nodes[0].name, "Grigori Babayan");
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert!(names.contains(&"Halyk Bank") && !names.contains(&"Magzum Mirzagaliyev"), "{names:?}");
    let people = idx.graph(&dossier_engine::entities::GraphQuery { kinds: vec![Kind::Person], ..Default::default() });
    assert!(people.nodes.iter().all(|n| n.kind == Kind::Person));
    let all = idx.graph(&Default::default());
    assert_eq!((all.documents, all.dated_documents), (3, 3));
    assert!(all.edges.iter().all(|e| e.shared.paragraphs >= 1 && e.shared.documents >= 1));
    let strong = idx.graph(&dossier_engine::entities::GraphQuery { min_weight: 2, ..Default::default() });
    assert!(strong.edges.iter().all(|e| e.shared.paragraphs >= 2));
}

#[test]
fn registry_entries_link_and_define() {
    let src = r#"# hand-kept
[[entity]]
name = "Imangali Tasmagambetov"
kind = "person"
aliases = ["Тасмагамбетов"]
description = "Kazakh politician"
roles = ["akim of Almaty"]

[[entity]]
name = 42

[[entity]]
name = "Collective Security Treaty Organization"
kind = "organisation"
aliases = ["CSTO", "ОДКБ"]
"#;
    let (reg, errors) = Registry::parse(src);
    assert_eq!(reg.entries.len(), 2);
    assert_eq!(errors.len(), 1);
    assert!(src[errors[0].range.clone()].contains("name = 42"));
    let c = Corpus::new(&["seeds/000_ed376fe458f0e54a.txt"]);
    let idx = c.index(Some(&reg));
    let text = &c.texts[0].1;
    let id = idx.at(DocId(0), text.find("Tasmagambetov's").unwrap() + 3).unwrap().0;
    assert_eq!(idx.definition(id), Some(Definition::Registry(reg.entries[0].range.clone())));
    let card = idx.hover(id, DocId(0));
    assert!(card.contains("Kazakh politician") && card.contains("akim of Almaty"), "{card}");
    let csto = idx.at(DocId(0), text.find("ОДКБ").unwrap()).unwrap().0;
    assert_eq!(idx.entity(csto).unwrap().name, "Collective Security Treaty Organization");
    assert_eq!(idx.at(DocId(0), text.find("CSTO").unwrap()).unwrap().0, csto);
}

#[test]
fn broken_input_never_panics() {
    for s in [
        "",
        "'s",
        "A",
        "Ä’s-",
        "U.S.",
        "X (",
        "Мин-",
        "\r\r\n",
        "(ABC)",
        "Tokayev'",
        "of the and",
        "É.é.É",
        "Ministry of",
        "РЅРѕРІРѕСЃС‚Рё Р±РµР»Р°СЂСѓСЃРё",
    ] {
        let a = analyze(s);
        let idx = EntityIndex::build(
            [DocInput {
                id: DocId(0),
                name: "x".into(),
                text: s.into(),
                entities: DocMentions::from(a.clone()).into(),
            }],
            None,
        );
        for i in 0..=s.len() + 1 {
            let _ = idx.at(DocId(0), i);
        }
        for m in &a.mentions {
            assert!(s.get(m.range.clone()).is_some());
        }
    }
    let (_, errs) = Registry::parse("[[entity]\nname=");
    assert_eq!(errs.len(), 1);
}

#[test]
fn a_name_after_the_that_stands_in_a_known_place_is_something_there() {
    let text = "The paintings were shown for years at the Prado in Madrid.\n\
                The manuscript is kept in the Matenadaran in Yerevan.\n\
                Nobody expected the Foo in";
    let found: Vec<(String, Kind)> = analyze(text).mentions.iter().map(|m| (m.surface.clone(), m.kind)).collect();
    for (name, kind) in [("Prado", Kind::Organization), ("Madrid", Kind::Place), ("Matenadaran", Kind::Organization)] {
        assert!(found.contains(&(name.into(), kind)), "{name}: {found:?}");
    }
}
