//! Linking evaluation: pairs of mentions of one entity that `references` returns together.
//!
//! ```text
//! cargo run --release -p dossier-engine --example link_eval -- factrueval DIR [train|dev|all] [--oracle] [-v]
//! cargo run --release -p dossier-engine --example link_eval -- corpus DIR GOLD.json [--oracle] [-v]
//! ```
//!
//! `factrueval DIR`: the `devset` folder of FactRuEval-2016 (`.txt .spans .objects .coref`),
//! scored within each document; `train` (the default) and `dev` follow the split rule of the
//! shared NER evaluation. `corpus DIR GOLD.json`: a folder of documents and a gold file in the
//! format of `seeds.gold.json`. `--oracle` gives the linker the gold mentions as recognised ones,
//! so that linking is measured without recognition errors. `-v` lists the missed pairs and the
//! false links.

#[path = "../tests/linkeval/mod.rs"]
mod linkeval;

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let pos: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let gold = match pos.as_slice() {
        ["factrueval", dir, rest @ ..] => {
            let part = match rest.first().copied() {
                None | Some("train") => linkeval::Part::Train,
                Some("dev") => linkeval::Part::Dev,
                Some("all") => linkeval::Part::All,
                Some(p) => fail(&format!("unknown part {p} (train, dev or all)")),
            };
            linkeval::factrueval(Path::new(dir), part)
        }
        ["corpus", dir, gold] => linkeval::corpus(Path::new(dir), Path::new(gold)),
        _ => fail(
            "usage: link_eval factrueval DIR [train|dev|all] [--oracle] [-v] | corpus DIR GOLD.json [--oracle] [-v]",
        ),
    };
    let gold = gold.unwrap_or_else(|e| fail(&e));
    let t = Instant::now();
    let ix = linkeval::index(&gold, flag("--oracle"));
    let took = t.elapsed();
    let rep = linkeval::score(&gold, &ix);
    if flag("-v") {
        for m in &rep.missed {
            println!("missed  {m}");
        }
        for w in &rep.wrong {
            println!("wrong   {w}");
        }
        for d in &rep.bad_definitions {
            println!("definition  {d}");
        }
    }
    println!("{} documents, {} gold mentions, indexed in {:.0?}", gold.docs.len(), gold.mentions.len(), took);
    println!("{}", rep.summary());
}

fn fail(msg: &str) -> ! {
    eprintln!("link_eval: {msg}");
    std::process::exit(2)
}
