//! A digest of everything recognition returns, to check that a change to the recogniser keeps
//! its output byte for byte.
//!
//! `cargo run --release -p dossier-engine --example recognize_digest -- --gen 3000 1 seeds tests/fixtures`
//!
//! `--gen N SEED` analyses the generated corpus `gen::corpus(N, SEED)`; `--mutate N SEED` the same
//! articles with random edits (case changes, joiners, quotes, non-ASCII letters, line breaks) that
//! reach the rarer paths of the tokenizer and the rules; any other argument is a
//! folder (every `.txt` file under it, recursively) or a file (any name; read as lossy UTF-8).
//! Each group prints its document count and a digest over the `Debug` form of every document's
//! `DocEntities` (mentions, details, keys and loose words); the last line digests the groups.
//! With `--each`, the digest of every document is printed too.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use dossier_engine::entities::analyze;
use dossier_testgen as gen;

fn digest_of(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn txt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            txt_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
}

/// Pieces inserted by `--mutate`: joiners, quotes, possessives, letters outside ASCII (some
/// whose case mapping changes their length), Cyrillic words and names, line breaks.
const PIECES: &[&str] = &[
    "'",
    "’",
    "'s",
    "’s",
    "-",
    "‑",
    ".",
    ". ",
    "..",
    "\n",
    "\r\n",
    " ",
    "\u{a0}",
    "\t",
    "\"",
    "“",
    "”",
    "«",
    "»",
    "„",
    "(",
    ")",
    ",",
    " — ",
    " - ",
    ", ",
    "é",
    "É",
    "ß",
    "İ",
    "ı",
    "ǅ",
    "ﬁ",
    "Ё",
    "ё",
    "Қ",
    "ә",
    "Ж",
    "ъ",
    "1",
    "٣",
    "Ⅻ",
    "ᾈ",
    "Ω",
    "Москве",
    "ТОКАЕВ",
    "Тоқаев",
    "Беларуси",
    "U.S",
    "Vlast.kz",
    "O'Neil",
    "Kül-Tegin",
    "Keiki-batyr",
    " the ",
    " and ",
    " of ",
    " party",
    " region",
    "President ",
    "political scientist ",
    "(OCCRP)",
    " said",
    "Ministry",
    " University",
    "Kazakh ",
    "\u{200b}",
    "🙂",
];

fn mutate(text: &str, rng: &mut gen::Rng) -> String {
    let mut s = text.to_string();
    for _ in 0..rng.range(1, 40) {
        if s.is_empty() {
            break;
        }
        let mut at = rng.below(s.len());
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        let end = s[at..].char_indices().nth(rng.range(1, 30)).map_or(s.len(), |(k, _)| at + k);
        match rng.below(6) {
            0 => s.replace_range(at..end, &s[at..end].to_uppercase()),
            1 => s.replace_range(at..end, &s[at..end].to_lowercase()),
            2 => s.replace_range(at..end, ""),
            _ => s.insert_str(at, PIECES[rng.below(PIECES.len())]),
        }
    }
    s
}

fn group(label: &str, docs: &[(String, String)], each: bool) -> u64 {
    let mut total = DefaultHasher::new();
    let mut mentions = 0;
    for (name, text) in docs {
        let e = analyze(text);
        mentions += e.mentions.len();
        let d = digest_of(&format!("{e:?}"));
        if each {
            println!("  {d:016x}  {name}");
        }
        name.hash(&mut total);
        d.hash(&mut total);
    }
    let t = total.finish();
    println!("{t:016x}  {label}: {} docs, {mentions} mentions", docs.len());
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let each = args.iter().any(|a| a == "--each");
    let mut all = DefaultHasher::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--each" {
            continue;
        }
        if a == "--gen" {
            let n: usize = args.get(i).and_then(|x| x.parse().ok()).expect("--gen N SEED");
            let seed: u64 = args.get(i + 1).and_then(|x| x.parse().ok()).expect("--gen N SEED");
            i += 2;
            let docs = gen::corpus(n, seed);
            group(&format!("gen {n} seed {seed}"), &docs, each).hash(&mut all);
            continue;
        }
        if a == "--mutate" {
            let n: usize = args.get(i).and_then(|x| x.parse().ok()).expect("--mutate N SEED");
            let seed: u64 = args.get(i + 1).and_then(|x| x.parse().ok()).expect("--mutate N SEED");
            i += 2;
            let mut rng = gen::Rng::new(seed);
            let docs: Vec<(String, String)> =
                gen::corpus(n, seed).into_iter().map(|(name, text)| (name, mutate(&text, &mut rng))).collect();
            group(&format!("mutated {n} seed {seed}"), &docs, each).hash(&mut all);
            continue;
        }
        let p = Path::new(a);
        let mut files = Vec::new();
        if p.is_dir() {
            txt_files(p, &mut files);
        } else {
            files.push(p.to_path_buf());
        }
        files.sort();
        let docs: Vec<(String, String)> = files
            .iter()
            .map(|f| {
                let bytes = std::fs::read(f).unwrap_or_default();
                (f.display().to_string(), String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
        group(a, &docs, each).hash(&mut all);
    }
    println!("{:016x}  all", all.finish());
}
