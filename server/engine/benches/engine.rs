//! Engine benchmarks on generated, realistic articles (see `dossier_testgen`).
//!
//! `cargo bench -p dossier-engine --bench engine -- --warm-up-time 1 --measurement-time 3`
//!
//! Groups: `decode`, `text`, `translit`, `rules` (all rules, then one rule at a time as
//! `rules/<code>`), `entities` (recognition, linking), `corpus` (build), `query` (hover,
//! references of an entity with 10,000 mentions) and `edit` (one keystroke in a 1 MB document).
//! The corpus slices are the first articles of `gen::corpus(20_000, 1)`, the corpus that
//! `benches/check.sh` writes to disk.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use dossier_engine::config::Config;
use dossier_engine::corpus::Corpus;
use dossier_engine::entities::{self, DocInput, DocMentions, EntityIndex};
use dossier_engine::rules::{self, DocCtx, RULES};
use dossier_engine::text::{LineIndex, PosEncoding};
use dossier_engine::{decode, translit, DocId};
use dossier_testgen as gen;

/// Articles in the corpus slice used for throughput figures (about 4.5 MB).
const SLICE: usize = 1_000;
/// Size of the "large document".
const MB: usize = 1 << 20;

fn slice() -> Vec<(String, String)> {
    gen::corpus(SLICE, 1)
}

fn bytes(docs: &[(String, String)]) -> u64 {
    docs.iter().map(|(_, t)| t.len() as u64).sum()
}

fn decoding(c: &mut Criterion) {
    let text = gen::article(7, MB);
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    // A Russian-language page: the Cyrillic captions of many articles, as Windows-1251 bytes.
    let russian: String = slice()
        .iter()
        .flat_map(|(_, t)| t.lines().filter(|l| translit::has_cyrillic(l)).map(|l| format!("{l}\n")))
        .collect();
    let (russian_1251, _, _) = encoding_rs::WINDOWS_1251.encode(&russian);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("utf8_1mb", |b| b.iter(|| decode::decode(black_box(text.as_bytes()))));
    g.throughput(Throughput::Bytes(cp1251.len() as u64));
    g.bench_function("windows1251_1mb_mostly_latin", |b| b.iter(|| decode::decode(black_box(&cp1251))));
    g.throughput(Throughput::Bytes(russian_1251.len() as u64));
    g.bench_function("windows1251_cyrillic", |b| b.iter(|| decode::decode(black_box(&russian_1251))));
    g.finish();
}

fn text_model(c: &mut Criterion) {
    let text = gen::article(7, MB);
    let lines = LineIndex::new(&text);
    let offsets: Vec<usize> = (0..1_000).map(|i| (i * 7919 * 131) % text.len()).collect();
    let positions: Vec<_> = offsets.iter().map(|&o| lines.pos(&text, o, PosEncoding::Utf16)).collect();
    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("line_index_1mb", |b| b.iter(|| LineIndex::new(black_box(&text))));
    g.throughput(Throughput::Elements(offsets.len() as u64));
    g.bench_function("offset_to_utf16_pos", |b| {
        b.iter(|| offsets.iter().map(|&o| lines.pos(&text, o, PosEncoding::Utf16).line).sum::<u32>())
    });
    g.bench_function("utf16_pos_to_offset", |b| {
        b.iter(|| positions.iter().map(|&p| lines.offset(&text, p, PosEncoding::Utf16)).sum::<usize>())
    });
    g.finish();
}

fn transliteration(c: &mut Criterion) {
    let russian: String = slice()
        .iter()
        .flat_map(|(_, t)| t.lines().filter(|l| translit::has_cyrillic(l)).map(|l| format!("{l}\n")))
        .collect();
    let mut g = c.benchmark_group("translit");
    g.throughput(Throughput::Bytes(russian.len() as u64));
    g.bench_function("transliterate_captions", |b| b.iter(|| translit::transliterate(black_box(&russian))));
    g.bench_function("fold_captions", |b| b.iter(|| translit::fold(black_box(&russian))));
    g.finish();
}

fn rule_checks(c: &mut Criterion) {
    let config = Config::default();
    let big = gen::article(7, MB);
    let big_lines = LineIndex::new(&big);
    let docs = slice();
    let indexed: Vec<(&str, LineIndex)> = docs.iter().map(|(_, t)| (t.as_str(), LineIndex::new(t))).collect();
    let total = bytes(&docs);
    let mut g = c.benchmark_group("rules");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("check_document_1mb", |b| {
        b.iter(|| {
            let cx = DocCtx { doc: DocId(0), text: &big, lines: &big_lines, config: &config };
            rules::check_document(&cx).len()
        })
    });
    g.throughput(Throughput::Bytes(total));
    g.bench_function("check_document_slice", |b| {
        b.iter(|| {
            indexed
                .iter()
                .map(|(t, l)| {
                    rules::check_document(&DocCtx { doc: DocId(0), text: t, lines: l, config: &config }).len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("line_index_and_check_document_slice", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| {
                    let l = LineIndex::new(t);
                    rules::check_document(&DocCtx { doc: DocId(0), text: t, lines: &l, config: &config }).len()
                })
                .sum::<usize>()
        })
    });
    for rule in RULES {
        g.bench_function(rule.code(), |b| {
            b.iter(|| {
                let mut out = Vec::new();
                for (t, l) in &indexed {
                    rule.check(&DocCtx { doc: DocId(0), text: t, lines: l, config: &config }, &mut out);
                }
                out.len()
            })
        });
    }
    g.bench_function("repeated-line_keys", |b| {
        b.iter(|| docs.iter().map(|(_, t)| rules::repeated_line::line_keys(t).len()).sum::<usize>())
    });
    g.finish();
}

fn entity_recognition(c: &mut Criterion) {
    let docs = slice();
    let total = bytes(&docs);
    let analyses: Vec<_> = docs.iter().map(|(_, t)| entities::analyze(t)).collect();
    let shared: Vec<DocInput> = docs
        .iter()
        .zip(&analyses)
        .enumerate()
        .map(|(i, ((n, t), a))| DocInput {
            id: DocId(i as u32),
            name: n.as_str().into(),
            text: t.as_str().into(),
            entities: DocMentions::from(a.clone()).into(),
        })
        .collect();
    let inputs = || shared.iter().cloned();
    let mut g = c.benchmark_group("entities");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(total));
    g.bench_function("recognize_slice", |b| {
        b.iter(|| docs.iter().map(|(_, t)| entities::analyze(t).mentions.len()).sum::<usize>())
    });
    g.bench_function("link_slice", |b| b.iter(|| EntityIndex::build(inputs(), None)));
    g.bench_function("recognize_and_link_slice", |b| {
        b.iter(|| {
            let index = EntityIndex::build(
                shared.iter().map(|d| DocInput { entities: entities::record(&d.text).into(), ..d.clone() }),
                None,
            );
            index.all().count()
        })
    });
    g.finish();
}

/// Articles in the corpus for the relink-after-edit figure (the 20,000-article corpus takes
/// minutes to generate and analyse; build time per document does not grow with corpus size,
/// so 20,000 articles cost about four times this).
const RELINK_DOCS: usize = 5_000;

fn entity_relink(c: &mut Criterion) {
    let docs = gen::corpus(RELINK_DOCS, 1);
    let corpus = build_corpus(&docs);
    corpus.entities();
    let mut g = c.benchmark_group("entities");
    g.sample_size(10);
    g.bench_function(format!("relink_after_one_edit_{}k", RELINK_DOCS / 1000), |b| {
        // the first entity query after an edit: the edited document is recognised again, all
        // others come from their cached analyses, and the index is linked anew
        let mut k = 0;
        b.iter_batched(
            || {
                k = (k + 1) % docs.len();
                let mut c2 = corpus.clone();
                let (n, t) = &docs[k];
                c2.upsert(&format!("/corpus/{n}"), Arc::from(format!("{t} ").as_str()), vec![]);
                c2
            },
            |c2| {
                let n = c2.entities().all().count();
                (c2, n)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn build_corpus(docs: &[(String, String)]) -> Corpus {
    let mut corpus = Corpus::new(Config::default());
    for (n, t) in docs {
        corpus.upsert(&format!("/corpus/{n}"), Arc::from(t.as_str()), vec![]);
    }
    corpus
}

fn analyse_all(corpus: &Corpus) {
    corpus.check_all();
    black_box(corpus.entities());
}

fn corpus_build(c: &mut Criterion) {
    let docs = slice();
    let mut g = c.benchmark_group("corpus");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.bench_function("upsert_slice", |b| b.iter(|| build_corpus(&docs).len()));
    g.bench_function(format!("upsert_analyse_link_slice_{}_threads", rayon::current_num_threads()), |b| {
        b.iter(|| {
            let corpus = build_corpus(&docs);
            analyse_all(&corpus);
            corpus.len()
        })
    });
    g.finish();
}

fn queries(c: &mut Criterion) {
    // hover on an ordinary corpus
    let docs = slice();
    let corpus = build_corpus(&docs);
    analyse_all(&corpus);
    let index = corpus.entities();
    let id = corpus.id(&format!("/corpus/{}", docs[0].0)).expect("document");
    let mentions = index.mentions_in(id);
    let offsets: Vec<usize> = mentions.iter().map(|(r, _, _)| r.start + (r.end - r.start) / 2).collect();
    assert!(!offsets.is_empty(), "the first article mentions entities");

    // an entity with about 10,000 mentions: 500 articles mentioning one person 21 times each (a few
    // surname mentions are not linked)
    let (hot_corpus, hot_doc, at) = featuring(500);
    let hot_index = hot_corpus.entities();
    let (hot, _) = hot_index.at(hot_doc, at).expect("featured person is an entity");
    let n_refs = hot_index.references(hot).len();
    eprintln!("queries: the featured person has {n_refs} mentions in {} documents", hot_index.counts(hot).1);

    let mut g = c.benchmark_group("query");
    g.bench_function("hover_at_and_card", |b| {
        let mut k = 0;
        b.iter(|| {
            k = (k + 1) % offsets.len();
            let (e, _) = index.at(id, offsets[k]).expect("mention");
            index.hover(e, id).len()
        })
    });
    g.bench_function(format!("hover_entity_with_{n_refs}_mentions"), |b| {
        b.iter(|| {
            let (e, _) = hot_index.at(hot_doc, at).expect("mention");
            hot_index.hover(e, hot_doc).len()
        })
    });
    g.bench_function(format!("references_{n_refs}_mentions"), |b| b.iter(|| hot_index.references(hot).len()));
    // who appears with whom in the slice, from scratch (what a first hover card or graph waits for)
    g.bench_function("network_build_slice", |b| {
        b.iter(|| entities::Network::build(&index).neighbours(entities::EntityId(0)).len())
    });
    // the card of an entity as often named as the most named one of 20,000 generated articles
    // (about 50,000 mentions): what its hover costs grows with its mentions and documents
    let (big_corpus, big_doc, big_at) = featuring(2_400);
    let big_index = big_corpus.entities();
    big_index.network();
    let (big, _) = big_index.at(big_doc, big_at).expect("featured person is an entity");
    g.bench_function(format!("hover_entity_with_{}_mentions", big_index.references(big).len()), |b| {
        b.iter(|| {
            let (e, _) = big_index.at(big_doc, big_at).expect("mention");
            big_index.hover(e, big_doc).len()
        })
    });
    g.sample_size(10);
    g.bench_function("entity_index_rebuild_after_change_slice", |b| {
        // what the first entity query after an edit pays: a new snapshot links all cached analyses
        b.iter_batched(
            || {
                let mut c2 = corpus.clone();
                let (n, t) = &docs[1];
                c2.upsert(&format!("/corpus/{n}"), Arc::from(format!("{t} ").as_str()), vec![]);
                c2
            },
            |c2| c2.entities().all().count(),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// `n` articles naming "Dosym Satpaev" 21 times each, linked: the corpus, its first document and
/// an offset inside the first full-name mention there.
fn featuring(n: u64) -> (Corpus, DocId, usize) {
    let featured: Vec<(String, String)> = (0..n)
        .map(|i| (format!("f{i:04}.txt"), gen::article_featuring(1_000 + i, 3_000, "Dosym", "Satpaev", 21)))
        .collect();
    let corpus = build_corpus(&featured);
    analyse_all(&corpus);
    let doc = corpus.id("/corpus/f0000.txt").expect("document");
    let at = featured[0].1.find("Dosym Satpaev").expect("featured name") + 6;
    (corpus, doc, at)
}

fn keystroke(c: &mut Criterion) {
    // a 1 MB document among 1,000 ordinary ones (the line census is shared with them)
    let docs = slice();
    let mut corpus = build_corpus(&docs);
    let big = gen::article(7, MB);
    let mut mid = big.len() / 2;
    while !big.is_char_boundary(mid) {
        mid += 1;
    }
    let mut edited = big.clone();
    edited.insert(mid, 'x');
    let versions: [Arc<str>; 2] = [Arc::from(big.as_str()), Arc::from(edited.as_str())];
    let name = "/corpus/big.txt";
    let id = corpus.upsert(name, versions[0].clone(), vec![]);
    corpus.diagnostics(id);
    let mut g = c.benchmark_group("edit");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(big.len() as u64));
    let mut k = 0;
    g.bench_function("keystroke_1mb_upsert_and_diagnostics", |b| {
        b.iter(|| {
            k += 1;
            corpus.upsert(name, versions[k % 2].clone(), vec![]);
            corpus.diagnostics(id).len()
        })
    });
    g.bench_function("keystroke_1mb_upsert_only", |b| {
        b.iter(|| {
            k += 1;
            corpus.upsert(name, versions[k % 2].clone(), vec![])
        })
    });
    g.bench_function("keystroke_1mb_rules_only", |b| {
        let e = corpus.get(id).expect("document").clone();
        b.iter(|| {
            let cx = DocCtx { doc: id, text: &e.text, lines: e.lines(), config: corpus.config() };
            rules::check_document(&cx).len()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = decoding, text_model, transliteration, rule_checks, entity_recognition, entity_relink, corpus_build, queries, keystroke
}
criterion_main!(benches);
