//! Property test: a corpus changed step by step (upserts, removes, renames, registry changes)
//! answers exactly like a corpus built from scratch with the same final texts — the same
//! diagnostics for every document and the same linked entities with the same references and
//! definitions. Document ids differ between the two, so everything is compared by document name.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use dossier_engine::config::Config;
use dossier_engine::corpus::{Corpus, NewDoc};
use dossier_engine::entities::Definition;
use dossier_engine::store::restore::{self, StoredDoc};
use dossier_engine::store::{self as stored, Refused, SharedBytes};
use dossier_engine::DocId;
use proptest::prelude::*;

/// Lines of realistic scraped articles: people and organisations in both scripts, captions,
/// site chrome shared by many documents (so corpus-level rules fire), artifacts.
const LINES: &[&str] = &[
    "CSTO Secretary General Imangali Tasmagambetov met Viktor Khrenin in Minsk on Tuesday.",
    "Tasmagambetov's visit was the first since the summit.",
    "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск, 30 октября 2024 года",
    "President Kassym-Jomart Tokayev said the Ministry of Defence of Kazakhstan would take part.",
    "Tokayev also met the head of Rosatom, Alexei Likhachev, in Astana.",
    "Subscribe to our Telegram channel to stay up to date with the latest news",
    "Read also: Kazakhstan and Russia sign new agreements",
    "© 2024 Kazinform. All rights reserved.",
    "Share this article on Facebook, Twitter, VKontakte",
    "If you find a mistake, select it and press Ctrl+Enter",
    "Views: 1234",
    "12:45, 30 October 2024",
    "The minister said that the talks in Moscow were constructive and открытые.",
    "Тhe word with a Cyrillic Т at its start.",
    "Ð¢Ð¾ÐºÐ°ÐµÐ² Ð¿Ñ€ÐµÐ·Ð¸Ð´ÐµÐ½Ñ‚",
    "Prices rose by 5&nbsp;percent <b>last</b> year.",
    "The agreement was signed in the presence of both delegations года3",
    "The Eurasian Development Bank will finance the project in Almaty",
    "Viktor Khrenin told reporters that the exercises would continue",
    "",
    "Akim of Almaty Yerbolat Dosaev opened the new metro station.",
    "Dosaev noted that the line would be extended by 2026.",
    "Новости Казахстана",
    // a second person with a known surname (ambiguous surname), a gender variant, a loose surname
    "Askar Tokayev, a businessman from Almaty, denied the reports.",
    "Madina Tokayeva opened the exhibition; later Tokayev spoke.",
    "Reporters asked Khrenin and Dosaev about it at the Ministry.",
    // case forms, genders, given names in several languages, short names, generic institutions
    "Нурсултана Назарбаева встретили в Астане, а Назарбаеву вручили орден.",
    "Дарига Назарбаева выступила в сенате; по словам Назарбаевой, решение принято.",
    "Nursultan Nazarbayev and Oleksandr Syrskyi met; Александр Сырский и Syrskyi спорили.",
    "Борис Николаевич Ельцин приехал в Алматы; Бориса Николаевича встретили у трапа.",
    "The World Fashion Channel said WFC would grow; Егора Свиридова и Егора видели там.",
    "The Ministry of Foreign Affairs of Kazakhstan said the Ministry of Foreign Affairs would reply.",
];

const NAMES: &[&str] = &["/c/a.txt", "/c/b.txt", "/c/news/c.txt", "/c/news/d.txt", "/c/z.txt"];
const REGISTRY: &str = "/c/entities.toml";
const REGISTRIES: &[&str] = &[
    "[[entity]]\nname = \"Imangali Tasmagambetov\"\nkind = \"person\"\naliases = [\"Тасмагамбетов\"]\ndescription = \"CSTO Secretary General\"\n",
    "[[entity]]\nname = \"Eurasian Development Bank\"\nkind = \"organization\"\naliases = [\"EDB\"]\n[[entity]]\nname = 42\n",
];

#[derive(Clone, Debug)]
enum Op {
    Upsert(usize, String),
    /// Replace one line of a document (a small edit, the common case while typing).
    EditLine(usize, usize, String),
    Remove(usize),
    Rename(usize, usize),
    Registry(Option<usize>),
}

fn doc_text() -> impl Strategy<Value = String> {
    (proptest::collection::vec(0..LINES.len(), 0..10), prop::bool::ANY).prop_map(|(ix, crlf)| {
        let lines: Vec<&str> = ix.iter().map(|&i| LINES[i]).collect();
        lines.join(if crlf { "\r\n" } else { "\n" })
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..NAMES.len(), doc_text()).prop_map(|(n, t)| Op::Upsert(n, t)),
        4 => (0..NAMES.len(), 0usize..10, (0..LINES.len()).prop_map(|i| LINES[i].to_string()))
            .prop_map(|(n, l, t)| Op::EditLine(n, l, t)),
        2 => (0..NAMES.len()).prop_map(Op::Remove),
        2 => (0..NAMES.len(), 0..NAMES.len()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => proptest::option::of(0..REGISTRIES.len()).prop_map(Op::Registry),
    ]
}

fn config() -> Config {
    // Corpus-level rules need fewer documents in a small corpus.
    let layer = serde_json::json!({"repeatedLine": {"minDocuments": 2, "minShare": 0.01}});
    dossier_engine::config::build(&[layer], &dossier_engine::rules::all_codes()).expect("valid configuration")
}

/// Apply the operations to an incrementally maintained corpus and to a plain model of the texts.
fn run(ops: &[Op], query_between: bool) -> (Corpus, BTreeMap<String, String>, Option<usize>) {
    let mut corpus = Corpus::new(config());
    let mut model: BTreeMap<String, String> = BTreeMap::new();
    let mut registry = None;
    apply(&mut corpus, &mut model, &mut registry, ops, query_between);
    (corpus, model, registry)
}

fn apply(
    corpus: &mut Corpus,
    model: &mut BTreeMap<String, String>,
    registry: &mut Option<usize>,
    ops: &[Op],
    query_between: bool,
) {
    for op in ops {
        match op {
            Op::Upsert(n, t) => {
                corpus.upsert(NAMES[*n], Arc::from(t.as_str()), Vec::new());
                model.insert(NAMES[*n].to_string(), t.clone());
            }
            Op::EditLine(n, l, t) => {
                let Some(old) = model.get(NAMES[*n]) else { continue };
                let sep = if old.contains("\r\n") { "\r\n" } else { "\n" };
                let mut lines: Vec<String> = old.split(sep).map(str::to_string).collect();
                let i = l % lines.len();
                lines[i] = t.clone();
                let new = lines.join(sep);
                corpus.upsert(NAMES[*n], Arc::from(new.as_str()), Vec::new());
                model.insert(NAMES[*n].to_string(), new);
            }
            Op::Remove(n) => {
                let had = model.remove(NAMES[*n]).is_some();
                assert_eq!(corpus.remove(NAMES[*n]).is_some(), had);
            }
            Op::Rename(a, b) => {
                let r = corpus.rename(NAMES[*a], NAMES[*b]);
                if a == b {
                    continue;
                }
                match model.remove(NAMES[*a]) {
                    Some(t) => {
                        assert!(r.is_some());
                        model.insert(NAMES[*b].to_string(), t);
                    }
                    None => assert!(r.is_none()),
                }
            }
            Op::Registry(r) => {
                *registry = *r;
                corpus.set_registry(REGISTRY, r.map(|i| Arc::from(REGISTRIES[i])));
            }
        }
        if query_between {
            // Fill the caches of this snapshot so that later snapshots can reuse (or wrongly keep) them.
            let _ = corpus.entities().network();
            for e in corpus.docs() {
                let _ = corpus.diagnostics(e.id);
            }
        }
    }
}

fn scratch(model: &BTreeMap<String, String>, registry: Option<usize>) -> Corpus {
    let mut corpus = Corpus::new(config());
    for (name, text) in model {
        corpus.upsert(name, Arc::from(text.as_str()), Vec::new());
    }
    if let Some(i) = registry {
        corpus.set_registry(REGISTRY, Some(Arc::from(REGISTRIES[i])));
    }
    corpus
}

type Loc = (String, Range<usize>);
/// A fix with its edits' documents by name: (title, safe, edits).
type Fix = (String, bool, Vec<(Loc, String)>);

fn name_of(c: &Corpus, id: DocId) -> String {
    c.get(id).map_or_else(|| format!("<missing {id:?}>"), |e| e.name.to_string())
}

/// Every document's diagnostics, with document ids replaced by names.
fn diagnostics(c: &Corpus) -> BTreeMap<String, Vec<String>> {
    c.docs()
        .iter()
        .map(|e| {
            let ds = c
                .diagnostics(e.id)
                .into_iter()
                .map(|d| {
                    // Related locations are compared as a set: their order follows document ids,
                    // which depend on the order documents were added.
                    let mut related: Vec<(Loc, String)> =
                        d.related.iter().map(|r| ((name_of(c, r.doc), r.range.clone()), r.message.clone())).collect();
                    related.sort_by(|a, b| (&a.0 .0, a.0 .1.start, &a.1).cmp(&(&b.0 .0, b.0 .1.start, &b.1)));
                    let fixes: Vec<Fix> = d
                        .fixes
                        .iter()
                        .map(|f| {
                            let edits = f
                                .edits
                                .iter()
                                .map(|x| ((name_of(c, x.doc), x.range.clone()), x.new_text.clone()))
                                .collect();
                            (f.title.clone(), f.safe, edits)
                        })
                        .collect();
                    format!("{:?} {} {:?} {:?} {:?} {:?}", d.range, d.code, d.severity, d.message, related, fixes)
                })
                .collect();
            (e.name.to_string(), ds)
        })
        .collect()
}

/// The linked entities as comparable values: everything about each, with locations by name,
/// sorted (entity ids are an order of construction, not an identity).
fn entities(c: &Corpus) -> Vec<String> {
    let index = c.entities();
    let mut out: Vec<String> = index
        .all()
        .map(|(id, e)| {
            let mut refs: Vec<Loc> = index.references(id).iter().map(|l| (name_of(c, l.doc), l.range.clone())).collect();
            refs.sort_by_key(|(n, r)| (n.clone(), r.start, r.end));
            let def = match index.definition(id) {
                Some(Definition::Mention(l)) => format!("mention {} {:?}", name_of(c, l.doc), l.range),
                Some(Definition::Registry(r)) => format!("registry {r:?}"),
                None => "none".into(),
            };
            let mut forms = e.forms.clone();
            forms.sort();
            let mut roles = e.roles.clone();
            roles.sort();
            let mut candidates = e.candidates.clone();
            candidates.sort();
            format!(
                "{} {:?} forms={forms:?} roles={roles:?} desc={:?} candidates={candidates:?} counts={:?} def={def} refs={refs:?}",
                e.name,
                e.kind,
                e.description,
                index.counts(id)
            )
        })
        .collect();
    out.sort();
    // The mentions of each document as the editor sees them (semantic tokens, highlights).
    for e in c.docs() {
        let ms: Vec<String> = index
            .mentions_in(e.id)
            .into_iter()
            .map(|(r, id, kind)| format!("{r:?} {kind:?} {}", index.entity(id).map_or("?", |x| &x.name)))
            .collect();
        out.push(format!("{}: {ms:?}", e.name));
    }
    // Who appears with whom (derived along the updates, or built), and the documents' dates.
    let net = index.network();
    let mut appears: Vec<String> = (index.all())
        .map(|(id, e)| {
            let mut with: Vec<String> = (net.neighbours(id).iter())
                .map(|(o, s)| format!("{}:{}:{}", index.entity(*o).map_or("?", |x| &x.name), s.paragraphs, s.documents))
                .collect();
            with.sort();
            format!("{} {:?} appears with {with:?}", e.name, e.kind)
        })
        .collect();
    appears.sort();
    out.extend(appears);
    for e in c.docs() {
        out.push(format!("{} dated {:?}", e.name, net.date(e.id)));
    }
    out
}

fn check(ops: &[Op], query_between: bool) -> Result<(), TestCaseError> {
    let (inc, model, registry) = run(ops, query_between);
    let fresh = scratch(&model, registry);
    let texts: BTreeMap<String, String> = inc.docs().iter().map(|e| (e.name.to_string(), e.text.to_string())).collect();
    prop_assert_eq!(&texts, &model, "texts");
    prop_assert_eq!(diagnostics(&inc), diagnostics(&fresh), "diagnostics");
    prop_assert_eq!(entities(&inc), entities(&fresh), "entities");
    let (a, b) = (inc.entities(), fresh.entities());
    for q in ["Tasmagambetov", "tokayev", "Хренин", "EDB", "Almaty"] {
        let names = |c: &Corpus, ix: &dossier_engine::entities::EntityIndex| -> Vec<String> {
            let _ = c;
            ix.search(q, 20).into_iter().filter_map(|id| ix.entity(id).map(|e| e.name.clone())).collect()
        };
        prop_assert_eq!(names(&inc, &a), names(&fresh, &b), "search {}", q);
    }
    Ok(())
}

/// The same texts read again (other document ids, in reverse order), each with its mentions in
/// their stored form as `c` recognised them: a restart from the index cache. Returns the corpus
/// and its documents as the cache stored them.
fn reread(c: &Corpus, registry: Option<usize>) -> (Corpus, Vec<StoredDoc>) {
    let mut corpus = Corpus::new(config());
    let mut docs = Vec::new();
    for e in c.docs().iter().rev() {
        let mut bytes = Vec::new();
        stored::mentions::write_any(&**e.entities(), &mut bytes);
        let mentions = stored::mentions::keep_copy(&bytes).expect("stored mentions");
        docs.push(StoredDoc { name: e.name.clone(), text: e.text.clone(), mentions: mentions.clone() });
        corpus.insert(NewDoc::new(&e.name, e.text.clone(), Vec::new()).with_mentions(mentions));
    }
    if let Some(i) = registry {
        corpus.set_registry(REGISTRY, Some(Arc::from(REGISTRIES[i])));
    }
    (corpus, docs)
}

/// The linked index of `c` in its stored form.
fn store_links(c: &Corpus) -> SharedBytes {
    let mut bytes = Vec::new();
    let text = c.registry().map(|r| &*r.text);
    stored::index::write(&c.entities(), text, &mut bytes).expect("writing to memory");
    Arc::new(bytes)
}

/// Read `links` back onto `docs` for `c`, and link `c` from it.
fn restore(c: &mut Corpus, docs: &[StoredDoc], links: &SharedBytes) -> Result<(), Refused> {
    let base = restore::read_links(c, docs, links, 0..links.bytes().len())?;
    c.link_from(Arc::new(base));
    Ok(())
}

/// A corpus whose linked index is stored after `ops`, read back onto the same texts read again
/// (other document ids, mentions kept stored), then changed by `more` (before or after it is
/// read back: an editor changes documents while a restart loads), answers like a corpus built
/// from scratch.
fn check_restored(ops: &[Op], more: &[Op], before: bool) -> Result<(), TestCaseError> {
    let (inc, model, registry) = run(ops, false);
    let links = store_links(&inc);
    let (mut restored, docs) = reread(&inc, registry);
    let linked_with = registry;
    let (mut model, mut registry) = (model, registry);
    if before {
        // the registry is read back as stored: changes to it are applied after
        let more: Vec<Op> = more.iter().filter(|o| !matches!(o, Op::Registry(_))).cloned().collect();
        apply(&mut restored, &mut model, &mut registry, &more, false);
    }
    prop_assert_eq!(restore(&mut restored, &docs, &links), Ok(()), "the stored index fits the stored documents");
    if !before {
        prop_assert_eq!(entities(&restored), entities(&scratch(&model, registry)), "restored entities");
        apply(&mut restored, &mut model, &mut registry, more, false);
    }
    prop_assert_eq!(entities(&restored), entities(&scratch(&model, registry)), "restored and changed");
    // refused for other documents or another registry
    let registry = linked_with;
    let (mut fewer, mut docs) = reread(&inc, registry);
    if docs.pop().is_some() {
        prop_assert!(
            matches!(restore(&mut fewer, &docs, &links), Err(Refused::OtherDocuments(_))),
            "one document fewer"
        );
    }
    let (mut other, docs) = reread(&inc, if registry == Some(0) { Some(1) } else { Some(0) });
    prop_assert_eq!(restore(&mut other, &docs, &links), Err(Refused::OtherRegistry), "another registry");
    // a corpus linked already keeps its index
    let (mut same, docs) = reread(&inc, registry);
    let linked = same.entities();
    restore(&mut same, &docs, &links).expect("the same documents again");
    prop_assert!(Arc::ptr_eq(&linked, &same.entities()), "already linked");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn restored_index_equals_rebuild(
        ops in proptest::collection::vec(op(), 1..30),
        more in proptest::collection::vec(op(), 0..8),
        before in any::<bool>(),
    ) {
        check_restored(&ops, &more, before)?;
    }

    #[test]
    fn incremental_corpus_equals_rebuild(ops in proptest::collection::vec(op(), 1..30)) {
        check(&ops, false)?;
    }

    #[test]
    fn incremental_corpus_with_cached_snapshots_equals_rebuild(ops in proptest::collection::vec(op(), 1..30)) {
        check(&ops, true)?;
    }
}
