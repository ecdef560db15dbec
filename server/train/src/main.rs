//! `dossier-train`: trains the name tagger that the engine embeds, and scores it.
//!
//! ```sh
//! cargo run --release -p dossier-train -- train --data ../shared/data --out server/engine/data/ner.model
//! cargo run --release -p dossier-train -- eval --data ../shared/data
//! ```
//!
//! Training reads the train part of every annotated dataset (never a document that the
//! evaluation's split rule puts in dev or test), rebuilds each document as running text, cuts it
//! into words with the engine's own tokenizer and projects the gold names onto those words; it
//! is deterministic (a fixed order and a seeded shuffle).

mod data;
mod perceptron;
mod places;
mod score;
mod train;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dossier_engine::entities::tagger::{self, Model, Scorer};

use data::{Dataset, Document, Part, Type};
use score::Counts;

#[derive(Parser)]
#[command(about = "Train and score Dossier's name tagger")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Train on the train part and write the model.
    Train {
        /// The staged data folder (with `ner/` and `gazetteers/`).
        #[arg(long)]
        data: PathBuf,
        /// Where to write the model.
        #[arg(long)]
        out: PathBuf,
        /// Passes over the training data.
        #[arg(long, default_value_t = 12)]
        epochs: usize,
        /// Features seen fewer times than this in training are left out.
        #[arg(long, default_value_t = 1)]
        min_count: usize,
        /// Averaged weights smaller than this (in absolute value) are left out of the model.
        #[arg(long, default_value_t = 0.5)]
        prune: f32,
        /// Passes over a dataset per epoch, as NAME=N: news-like gold sets count more (default:
        /// factrueval2016_devset=3, wikigold=2, gum_ne=2, every other set 1).
        #[arg(long, value_parser = parse_weight)]
        weight: Vec<(String, usize)>,
        /// Datasets left out of training.
        #[arg(long)]
        skip: Vec<String>,
        /// Parts of the training documents for the second pass (0: no second pass).
        #[arg(long, default_value_t = 4)]
        folds: usize,
    },
    /// Score a model (the embedded one by default) on the dev part.
    Eval {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        model: Option<PathBuf>,
        /// Score this part instead: train, dev or test.
        #[arg(long, default_value = "dev")]
        part: String,
        /// Print the misses and false names of these datasets.
        #[arg(long)]
        errors: Vec<String>,
    },
    /// How precise each kind of evidence of the recogniser is, on one part of every dataset.
    Evidence {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value = "train")]
        part: String,
    },
    /// Show what the rules, the tagger and the whole recogniser find in a text file.
    Show {
        file: PathBuf,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Time recognition on the generated corpus (after a warm-up; best of five).
    Bench {
        #[arg(long, default_value_t = 1000)]
        docs: usize,
        /// Time only this: record, rules or tagger.
        #[arg(long)]
        only: Option<String>,
    },
    /// Build the open gazetteer of places that the engine bundles.
    Gazetteer {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write every document's text and gold names as JSON lines (to compare with the evaluation).
    Dump {
        #[arg(long)]
        data: PathBuf,
    },
}

fn parse_weight(s: &str) -> Result<(String, usize), String> {
    let (n, w) = s.split_once('=').ok_or("expected NAME=N")?;
    Ok((n.to_string(), w.parse().map_err(|e| format!("{e}"))?))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.cmd {
        Cmd::Train { data, out, epochs, min_count, prune, mut weight, skip, folds } => {
            for (name, w) in [("factrueval2016_devset", 3), ("wikigold", 2), ("gum_ne", 2)] {
                if !weight.iter().any(|(n, _)| n == name) {
                    weight.push((name.to_string(), w));
                }
            }
            train(&data, &out, &train::Options { epochs, min_count, prune, passes: weight, skip, folds })
        }
        Cmd::Eval { data, model, part, errors } => eval(&data, model.as_deref(), &part, &errors),
        Cmd::Dump { data } => dump(&data),
        Cmd::Evidence { data, part } => evidence(&data, &part),
        Cmd::Show { file, model } => show(&file, model.as_deref()),
        Cmd::Bench { docs, only } => bench(docs, only.as_deref()),
        Cmd::Gazetteer { data, out } => gazetteer(&data, &out),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dossier-train: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<(), Box<dyn std::error::Error>>;

fn load(data: &std::path::Path) -> Result<Vec<Dataset>, Box<dyn std::error::Error>> {
    let dir = data.join("ner");
    data::load(&dir).map_err(|e| format!("{}: {e}", dir.display()).into())
}

fn part_of(s: &str) -> Result<Part, String> {
    Ok(match s {
        "train" => Part::Train,
        "dev" => Part::Dev,
        "test" => Part::Test,
        _ => return Err(format!("unknown part {s:?} (train, dev or test)")),
    })
}

fn train(data: &std::path::Path, out: &std::path::Path, o: &train::Options) -> Res {
    let sets = load(data)?;
    let w = train::train(&sets, o);
    let bytes = Model::to_bytes(&w);
    std::fs::write(out, &bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {} ({} features, {} bytes)", out.display(), w.features.len(), bytes.len());
    let model: &'static Model = Box::leak(Box::new(Model::from_bytes(&bytes)?));
    tagger::use_on_this_thread(model);
    println!("the tagger alone, dev part:");
    report(&sets, model, Part::Dev, false, &[], false);
    println!("\nthe recogniser, dev part:");
    report(&sets, model, Part::Dev, false, &[], true);
    println!("\nthe recogniser, train documents kept aside:");
    report(&sets, model, Part::Train, true, &[], true);
    Ok(())
}

/// Score `model` on one part of every dataset (on the kept-aside documents only for `check`).
fn report(sets: &[Dataset], model: &Model, part: Part, check: bool, errors: &[String], whole: bool) {
    let mut scorer = Scorer::new(model);
    let mut rows = Vec::new();
    for ds in sets {
        let mut c = Counts::default();
        for d in ds.docs.iter().filter(|d| d.part == part && (!check || train::is_check(d))) {
            let pred: Vec<(usize, usize, Type)> = if whole {
                let a = dossier_engine::entities::analyze(&d.text);
                a.mentions.iter().map(|m| (m.range.start, m.range.end, score::type_of(m.kind))).collect()
            } else {
                scorer.tag(&d.text).into_iter().map(|(r, k)| (r.start, r.end, score::type_of(k))).collect()
            };
            if errors.contains(&ds.name) {
                print_errors(d, &pred);
            }
            c.add(&d.gold, &pred);
        }
        if c.gold(&Type::ALL) > 0 {
            rows.push((ds.name.clone(), ds.lang.clone(), c));
        }
    }
    score::report(&rows);
}

/// Print a document's misses (gold names not predicted exactly) and false names, in context.
fn print_errors(d: &Document, pred: &[(usize, usize, Type)]) {
    let t = &d.text;
    let ctx = |s: usize, e: usize| {
        let ls = t[..s].rfind('\n').map_or(0, |x| x + 1);
        let le = t[e..].find('\n').map_or(t.len(), |x| e + x);
        let left: String = t[ls..s].chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
        let right: String = t[e..le].chars().take(40).collect();
        format!("{left}[{}]{right}", &t[s..e])
    };
    for g in &d.gold {
        if !pred.contains(&(g.start, g.end, g.ty)) {
            let got: Vec<String> = pred
                .iter()
                .filter(|p| p.0 < g.end && g.start < p.1)
                .map(|p| format!("{}:{}", &t[p.0..p.1], p.2.name()))
                .collect();
            println!("MISS {} {} | got {}", g.ty.name(), ctx(g.start, g.end), got.join(", "));
        }
    }
    for p in pred {
        if !d.gold.iter().any(|g| (g.start, g.end, g.ty) == *p) {
            let gold: Vec<String> = d
                .gold
                .iter()
                .filter(|g| g.start < p.1 && p.0 < g.end)
                .map(|g| format!("{}:{}", &t[g.start..g.end], g.ty.name()))
                .collect();
            println!("FALSE {} {} | gold {}", p.2.name(), ctx(p.0, p.1), gold.join(", "));
        }
    }
}

fn eval(data: &std::path::Path, model: Option<&std::path::Path>, part: &str, errors: &[String]) -> Res {
    let sets = load(data)?;
    let part = part_of(part)?;
    let model = load_model(model)?;
    println!("the tagger alone:");
    report(&sets, model, part, false, &[], false);
    println!("\nthe recogniser:");
    report(&sets, model, part, false, errors, true);
    Ok(())
}

/// How precise the rules' mentions are, by language, evidence, type and relation to the
/// tagger's names (same span, none overlapping, overlapping otherwise).
fn evidence(data: &std::path::Path, part: &str) -> Res {
    use std::collections::BTreeMap;
    let sets = load(data)?;
    let part = part_of(part)?;
    let model = tagger::embedded().ok_or("the embedded model does not read")?;
    let mut scorer = Scorer::new(model);
    // (language, evidence, type, relation to the tagger) → (mentions, exact, span right)
    type Row<'a> = (String, String, String, &'a str);
    let mut table: BTreeMap<Row, (usize, usize, usize)> = BTreeMap::new();
    for ds in &sets {
        let misc = ds.has_misc();
        for d in ds.docs.iter().filter(|d| d.part == part) {
            let tagged = scorer.tag(&d.text);
            for (r, kind, ev) in dossier_engine::entities::rule_mentions(&d.text) {
                let ty = score::type_of(kind);
                if ty == Type::Misc && !misc {
                    continue;
                }
                let (s, e) = (r.start, r.end);
                let rel = if tagged.iter().any(|(t, k)| (t.start, t.end) == (s, e) && *k == kind) {
                    "same"
                } else if tagged.iter().any(|(t, _)| (t.start, t.end) == (s, e)) {
                    "kind"
                } else if tagged.iter().any(|(t, _)| t.start < e && s < t.end) {
                    "overlap"
                } else {
                    "alone"
                };
                let exact = d.gold.iter().any(|g| (g.start, g.end, g.ty) == (s, e, ty));
                let span = d.gold.iter().any(|g| (g.start, g.end) == (s, e));
                if std::env::var("SHOW").is_ok_and(|v| v == format!("{ev:?}")) && rel != "same" {
                    let gold: Vec<String> = d
                        .gold
                        .iter()
                        .filter(|g| g.start < e && s < g.end)
                        .map(|g| format!("{}:{}", &d.text[g.start..g.end], g.ty.name()))
                        .collect();
                    let tg: Vec<String> = tagged
                        .iter()
                        .filter(|(t, _)| t.start < e && s < t.end)
                        .map(|(t, k)| format!("{}:{k:?}", &d.text[t.clone()]))
                        .collect();
                    println!(
                        "{rel} {} {:?} | gold {} | tagger {}",
                        &d.text[s..e],
                        kind,
                        gold.join(", "),
                        tg.join(", ")
                    );
                }
                let key = (ds.lang.clone(), format!("{ev:?}"), ty.name().to_string(), rel);
                let c = table.entry(key).or_default();
                c.0 += 1;
                c.1 += usize::from(exact);
                c.2 += usize::from(span);
            }
        }
    }
    println!("{:4} {:10} {:5} {:8} {:>6} {:>7} {:>7}", "lang", "evidence", "type", "tagger", "n", "P", "span P");
    for ((lang, ev, ty, rel), (n, ex, sp)) in &table {
        println!(
            "{lang:4} {ev:10} {ty:5} {rel:8} {n:>6} {:>7.3} {:>7.3}",
            *ex as f64 / *n as f64,
            *sp as f64 / *n as f64
        );
    }
    Ok(())
}

fn load_model(path: Option<&std::path::Path>) -> Result<&'static Model, Box<dyn std::error::Error>> {
    let model: &'static Model = match path {
        Some(p) => {
            let m = Model::from_bytes(&std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?)?;
            Box::leak(Box::new(m))
        }
        None => tagger::embedded().ok_or("the embedded model does not read")?,
    };
    tagger::use_on_this_thread(model);
    Ok(model)
}

fn show(file: &std::path::Path, model: Option<&std::path::Path>) -> Res {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let model = load_model(model)?;
    let rules = dossier_engine::entities::rule_mentions(&text);
    let tagged = Scorer::new(model).tag(&text);
    let all = dossier_engine::entities::analyze(&text);
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    let mut rows: Vec<(usize, usize, String)> = Vec::new();
    for (r, k, ev) in &rules {
        rows.push((r.start, 0, format!("rules  {:?}/{ev:?}", k)));
    }
    for (r, k) in &tagged {
        rows.push((r.start, 1, format!("tagger {k:?}")));
    }
    for (m, d) in all.mentions.iter().zip(&all.details) {
        rows.push((
            m.range.start,
            2,
            format!("final  {:?}/{:?} {}", m.kind, d.evidence, d.name.as_deref().unwrap_or("")),
        ));
    }
    rows.sort();
    let mut spans: HashMap<(usize, usize), usize> = HashMap::new();
    for (r, _, _) in &rules {
        spans.insert((r.start, 0), r.end);
    }
    for (r, _) in &tagged {
        spans.insert((r.start, 1), r.end);
    }
    for m in &all.mentions {
        spans.insert((m.range.start, 2), m.range.end);
    }
    for (s, which, what) in rows {
        let e = spans[&(s, which)];
        println!("{:4} {what:40} {}", line_of(s), &text[s..e]);
    }
    Ok(())
}

fn bench(n: usize, only: Option<&str>) -> Res {
    use std::time::Instant;
    let docs = dossier_testgen::corpus(n, 1);
    let mb = docs.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / 1e6;
    let model = tagger::embedded().ok_or("the embedded model does not read")?;
    let time = |f: &dyn Fn(&str)| {
        (0..6)
            .map(|_| {
                let t = Instant::now();
                for (_, text) in &docs {
                    f(text);
                }
                t.elapsed().as_secs_f64()
            })
            .skip(1)
            .fold(f64::MAX, f64::min)
    };
    if let Some(what) = only {
        let t = match what {
            "record" => time(&|t| drop(dossier_engine::entities::record(t))),
            "rules" => time(&|t| drop(dossier_engine::entities::rule_mentions(t))),
            _ => {
                let scorer = std::cell::RefCell::new(Scorer::new(model));
                time(&|t| drop(scorer.borrow_mut().tag(t)))
            }
        };
        println!("{what}: {:.1} MB/s", mb / t);
        return Ok(());
    }
    let all = time(&|t| drop(dossier_engine::entities::record(t)));
    let rules = time(&|t| drop(dossier_engine::entities::rule_mentions(t)));
    let scorer = std::cell::RefCell::new(Scorer::new(model));
    let tagged = time(&|t| drop(scorer.borrow_mut().tag(t)));
    let (mut toks, mut active, mut runs, mut single) = (0, 0, 0, 0);
    for (_, t) in docs.iter().take(100) {
        let s = tagger::sample(t);
        toks += s.tokens.len();
        active += s.active.iter().filter(|&&a| a).count();
        runs += s.runs.len();
        single += s.runs.iter().filter(|r| r.len() == 1).count();
    }
    println!("first 100 documents: {toks} words, {active} looked at, {runs} runs ({single} of one word)");
    println!("{n} documents, {mb:.2} MB: recognition {:.1} MB/s ({:.0} ms); rules alone {:.1} MB/s; tagger with its rules {:.1} MB/s", mb / all, all * 1e3, mb / rules, mb / tagged);
    Ok(())
}

fn gazetteer(data: &std::path::Path, out: &std::path::Path) -> Res {
    let sets = load(data)?;
    let text = places::build(data, &sets)?;
    std::fs::write(out, &text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} places, {} bytes)",
        out.display(),
        text.lines().filter(|l| !l.starts_with('#')).count(),
        text.len()
    );
    Ok(())
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn dump(data: &std::path::Path) -> Res {
    use std::io::Write;
    let sets = load(data)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for ds in &sets {
        for d in &ds.docs {
            let gold: Vec<String> = d
                .gold
                .iter()
                .map(|g| {
                    format!(
                        "[{},{},\"{}\"]",
                        d.text[..g.start].chars().count(),
                        d.text[..g.end].chars().count(),
                        g.ty.name()
                    )
                })
                .collect();
            let part = match d.part {
                Part::Train => "train",
                Part::Dev => "dev",
                Part::Test => "test",
            };
            writeln!(
                out,
                "{{\"ds\":{},\"id\":{},\"part\":\"{part}\",\"text\":{},\"gold\":[{}]}}",
                json_str(&ds.name),
                json_str(&d.id),
                json_str(&d.text),
                gold.join(",")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The micro exact F1 without MISC of the whole recogniser (or of its rules alone) on one
    /// language of the committed dev sample (`dev_sample/README.md`).
    fn sample_f1(lang: &str, rules_alone: bool) -> f64 {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dev_sample/ner");
        let sets = data::load(&dir).expect("the dev sample reads");
        let mut c = Counts::default();
        for ds in sets.iter().filter(|ds| ds.lang == lang) {
            for d in &ds.docs {
                assert_eq!(d.part, Part::Dev, "{} is a dev document", d.id);
                let pred: Vec<(usize, usize, Type)> = if rules_alone {
                    let rules = dossier_engine::entities::rule_mentions(&d.text);
                    rules.into_iter().map(|(r, k, _)| (r.start, r.end, score::type_of(k))).collect()
                } else {
                    let a = dossier_engine::entities::analyze(&d.text);
                    a.mentions.iter().map(|m| (m.range.start, m.range.end, score::type_of(m.kind))).collect()
                };
                c.add(&d.gold, &pred);
            }
        }
        assert!(c.gold(&Type::ALL) > 200, "the {lang} sample has its names");
        c.prf(&[Type::Per, Type::Org, Type::Loc]).2
    }

    #[test]
    fn the_embedded_model_loads() {
        let m = tagger::embedded().expect("the embedded model reads");
        assert!(m.len() > 100_000, "{} features", m.len());
    }

    // At the time of writing: English 0.66 (rules alone 0.40), Russian 0.79 (rules alone 0.47).
    #[test]
    fn the_recogniser_scores_above_a_floor_on_dev_text() {
        for (lang, floor) in [("en", 0.60), ("ru", 0.75)] {
            let (whole, rules) = (sample_f1(lang, false), sample_f1(lang, true));
            assert!(whole >= floor, "{lang}: F1 {whole:.3} below {floor}");
            assert!(whole >= rules + 0.15, "{lang}: F1 {whole:.3}, rules alone {rules:.3}");
        }
    }
}
