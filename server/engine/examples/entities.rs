//! Print the mentions and linked entities of a folder of `.txt` files.
//!
//! `cargo run -p dossier-engine --example entities -- seeds`
//!
//! With `--scale N…` it instead times recognition, linking and relinking after one edit on the
//! first N articles of the generated corpus (`gen::corpus(N, 1)`), e.g.
//! `cargo run --release -p dossier-engine --example entities -- --scale 1000 4000 20000`.
//!
//! With `--once N` it recognises and links the first N generated articles once, on one thread:
//! a run to count instructions of (`valgrind --tool=callgrind`, then `callgrind_annotate
//! --inclusive=yes` gives `record` and `EntityIndex::build` apart), steady on a shared machine.

use std::sync::Arc;
use std::time::Instant;

use dossier_engine::config::Config;
use dossier_engine::corpus::Corpus;
use dossier_engine::entities::{analyze, record, DocInput, DocMentions, EntityIndex, Registry};
use dossier_engine::DocId;
use dossier_testgen as gen;

/// CPU time of this thread in seconds (from /proc, 10 ms resolution; 0 where unavailable): on a
/// machine shared with other work, CPU time is steadier than wall time.
fn cpu_time() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // fields 14 and 15 (utime, stime, in ticks of 10 ms) are the 12th and 13th after the name
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn scale(sizes: &[usize]) {
    for &n in sizes {
        let docs = gen::corpus(n, 1);
        let mb = docs.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / 1e6;
        let t = Instant::now();
        let c = cpu_time();
        // what the server keeps for each document
        let analyses: Vec<DocMentions> = docs.iter().map(|(_, t)| record(t)).collect();
        let recognise = t.elapsed().as_secs_f64();
        let recognise_cpu = cpu_time() - c;
        let shared: Vec<DocInput> = docs
            .iter()
            .zip(analyses)
            .enumerate()
            .map(|(i, ((n, t), a))| DocInput {
                id: DocId(i as u32),
                name: n.as_str().into(),
                text: t.as_str().into(),
                entities: a.into(),
            })
            .collect();
        let inputs = || shared.iter().cloned();
        let mut build = f64::MAX;
        let mut entities = 0;
        let c = cpu_time();
        for _ in 0..3 {
            let t = Instant::now();
            entities = EntityIndex::build(inputs(), None).all().count();
            build = build.min(t.elapsed().as_secs_f64());
        }
        let build_cpu = (cpu_time() - c) / 3.0;
        // the first entity query after an edit of one document (other analyses cached)
        let mut corpus = Corpus::new(Config::default());
        for (name, text) in &docs {
            corpus.upsert(&format!("/corpus/{name}"), Arc::from(text.as_str()), vec![]);
        }
        corpus.entities();
        let mut relink = f64::MAX;
        for k in 0..3 {
            let (name, text) = &docs[1 + k];
            corpus.upsert(&format!("/corpus/{name}"), Arc::from(format!("{text} ").as_str()), vec![]);
            let t = Instant::now();
            corpus.entities();
            relink = relink.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{n:>6} docs {mb:>6.1} MB  recognise {:>7.1} ms ({:>5.1} MB/s; CPU {:>5.1} MB/s)  build {:>7.1} ms \
             ({:>5.1} MB/s, {:.1} µs/doc; CPU {:>5.1} MB/s)  relink after one edit {:>6.1} ms  {entities} entities",
            recognise * 1e3,
            mb / recognise,
            mb / recognise_cpu,
            build * 1e3,
            mb / build,
            build * 1e6 / n as f64,
            mb / build_cpu,
            relink * 1e3,
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--memory") {
        memory(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000));
        return;
    }
    if args.get(1).is_some_and(|a| a == "--once") {
        once(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1_000));
        return;
    }
    if args.get(1).is_some_and(|a| a == "--scale") {
        let sizes: Vec<usize> = args[2..].iter().filter_map(|a| a.parse().ok()).collect();
        scale(if sizes.is_empty() { &[1_000, 4_000] } else { &sizes });
        return;
    }
    let dir = std::env::args().nth(1).unwrap_or_else(|| "seeds".into());
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let reg =
        std::fs::read_to_string(std::path::Path::new(&dir).join("entities.toml")).ok().map(|s| Registry::parse(&s).0);
    let analyses: Vec<_> = texts.iter().map(|(_, t)| analyze(t)).collect();
    let index = EntityIndex::build(
        texts.iter().zip(&analyses).enumerate().map(|(i, ((n, t), a))| DocInput {
            id: DocId(i as u32),
            name: n.as_str().into(),
            text: t.as_str().into(),
            entities: DocMentions::from(a.clone()).into(),
        }),
        reg.as_ref(),
    );
    let verbose = std::env::args().any(|a| a == "-v");
    for (i, (name, _)) in texts.iter().enumerate() {
        println!("== {name}");
        if verbose {
            for (r, id, k) in index.mentions_in(DocId(i as u32)) {
                let e = index.entity(id).map(|e| e.name.as_str()).unwrap_or("?");
                println!("  {:>6} {:<12} {:?} -> {}", r.start, k.as_str(), &texts[i].1[r.clone()], e);
            }
        }
    }
    for (id, e) in index.all() {
        let (m, d) = index.counts(id);
        println!(
            "{:<12} {:<40} {m}/{d} forms={:?} roles={:?} cand={:?}",
            e.kind.as_str(),
            e.name,
            e.forms,
            e.roles,
            e.candidates
        );
    }
    if let Some(q) = std::env::args().nth(2).filter(|a| a != "-v") {
        for id in index.search(&q, 1) {
            println!("{}", index.hover(id, DocId(u32::MAX)));
        }
    }
}

/// Recognise and link the first `n` generated articles once, on the calling thread.
fn once(n: usize) {
    let docs = gen::corpus(n, 1);
    let inputs: Vec<DocInput> = (docs.iter().enumerate())
        .map(|(i, (name, t))| DocInput {
            id: DocId(i as u32),
            name: name.as_str().into(),
            text: t.as_str().into(),
            entities: record(t).into(),
        })
        .collect();
    let index = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .expect("a pool of the calling thread")
        .install(|| EntityIndex::build(inputs, None));
    println!("{n} articles: {} entities", index.all().count());
}

/// Resident memory of this process in MB (from /proc; 0 where unavailable).
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(0.0, |k| k / 1024.0)
}

/// Memory after each stage of indexing the generated corpus of `n` articles.
pub fn memory(n: usize) {
    let docs = gen::corpus(n, 1);
    let texts: Vec<(String, Arc<str>)> =
        docs.into_iter().map(|(n, t)| (format!("/corpus/{n}"), Arc::from(t))).collect();
    let mb = texts.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / 1e6;
    println!("{n} articles, {mb:.1} MB of text: {:.0} MB resident", rss_mb());
    let mut corpus = Corpus::new(Config::default());
    for (name, text) in &texts {
        corpus.upsert(name, text.clone(), vec![]);
    }
    println!("documents inserted: {:.0} MB", rss_mb());
    let analyses: Vec<_> = corpus.docs().iter().map(|e| e.entities().clone()).collect();
    println!("entities recognised: {:.0} MB", rss_mb());
    let index = corpus.entities();
    let refs: usize = index.all().map(|(id, _)| index.counts(id).0).sum();
    let placed: usize = corpus.docs().iter().map(|e| index.mentions_in(e.id).len()).sum();
    let recognised: usize = analyses.iter().map(|a| a.len()).sum();
    println!(
        "linked ({} entities, {refs} mentions, {placed} shown; recognised {recognised}): {:.0} MB",
        index.all().count(),
        rss_mb()
    );
    drop(analyses);
    corpus.prepare_census();
    println!("line keys, blocks and census: {:.0} MB", rss_mb());
    extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    unsafe { malloc_trim(0) };
    println!("after malloc_trim: {:.0} MB", rss_mb());
    drop(index);
}
