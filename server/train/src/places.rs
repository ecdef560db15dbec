//! The open gazetteer of places the engine bundles (`server/engine/data/places.txt`), built from
//! GeoNames cities and countries (CC BY) and CLDR country names (umpirsky/country-list, MIT).
//!
//! GeoNames' alternate names carry no language tag and include airport codes and odd
//! transliterations, so they are filtered: Latin names must look like names (a capital first,
//! letters, spaces, hyphens, apostrophes and dots, not all capitals, at most four words), and
//! only the main name is kept for small places outside the region Dossier's news is about;
//! Cyrillic names must be written in Russian letters. A single-word name that is a common
//! lowercase word of the training text ("Mobile", "Split", "Мир") is left out unless it is a
//! country or a city of a million people.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use crate::data::{Dataset, Part};

/// Countries whose smaller places keep every alternate name (the region of Dossier's news).
const REGION: &[&str] =
    &["RU", "KZ", "KG", "UZ", "TJ", "TM", "AF", "MN", "CN", "AZ", "AM", "GE", "UA", "BY", "MD", "IR", "PK", "TR"];

fn latin_name(n: &str) -> bool {
    let mut chars = n.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_uppercase() && c.is_alphabetic());
    first_ok
        && n.chars().all(|c| c.is_alphabetic() && !crate_is_cyrillic(c) || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
        && n.chars().any(char::is_lowercase)
        && n.split(' ').count() <= 4
        && n.chars().count() >= 3
        && !n.contains("  ")
}

fn crate_is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{052F}')
}

fn russian_name(n: &str) -> bool {
    let russian = |c: char| matches!(c, 'А'..='я' | 'Ё' | 'ё');
    n.chars().next().is_some_and(|c| russian(c) && c.is_uppercase())
        && n.chars().all(|c| russian(c) || matches!(c, ' ' | '-'))
        && n.chars().count() >= 3
        && n.split(' ').count() <= 4
}

/// Lowercase words of the training text and how often each appears.
fn lowercase_words(sets: &[Dataset]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for d in sets.iter().flat_map(|s| &s.docs).filter(|d| d.part == Part::Train) {
        for w in d.text.split(|c: char| !c.is_alphabetic()) {
            if w.chars().next().is_some_and(char::is_lowercase) {
                *out.entry(w.to_string()).or_default() += 1;
            }
        }
    }
    out
}

fn read_tsv(path: &Path) -> std::io::Result<Vec<Vec<String>>> {
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(path)?;
    }
    Ok(text.lines().skip(1).map(|l| l.split('\t').map(str::to_string).collect()).collect())
}

/// The class of a place: `c` country, `1` a city of a million or more, `2` of 100,000 or more,
/// `3` smaller.
fn city_class(pop: u64) -> char {
    match pop {
        1_000_000.. => '1',
        100_000.. => '2',
        _ => '3',
    }
}

/// Build the list: one place a line, `class<TAB>name|name|…`.
pub fn build(data: &Path, sets: &[Dataset]) -> Result<String, Box<dyn std::error::Error>> {
    let g = data.join("gazetteers");
    let common = lowercase_words(sets);
    let is_common = |n: &str| !n.contains([' ', '-']) && common.get(&n.to_lowercase()).is_some_and(|&c| c >= 3);
    // (class, sort key) → names, in a stable order
    let mut places: BTreeMap<(char, String), Vec<String>> = BTreeMap::new();
    let mut add = |class: char, key: String, names: Vec<String>, keep_common: bool| {
        let mut names: Vec<String> = names
            .into_iter()
            .filter(|n| latin_name(n) || russian_name(n))
            .filter(|n| keep_common || !is_common(n))
            .collect();
        names.dedup();
        if !names.is_empty() {
            let e = places.entry((class, key)).or_default();
            for n in names {
                if !e.contains(&n) {
                    e.push(n);
                }
            }
        }
    };
    for r in read_tsv(&g.join("countries_cldr_en_ru_ca.tsv"))? {
        let names = r.iter().skip(1).map(|n| n.trim().to_string()).collect();
        add('c', r[0].clone(), names, true);
    }
    for r in read_tsv(&g.join("geonames_countries.tsv"))? {
        if r.len() >= 6 {
            add('c', r[0].clone(), vec![r[3].clone()], true);
            let pop: u64 = r[5].parse().unwrap_or(0);
            add(city_class(pop.max(100_000)), format!("capital {}", r[0]), vec![r[4].clone()], false);
        }
    }
    for r in read_tsv(&g.join("geonames_cities.tsv.gz"))? {
        if r.len() < 7 {
            continue;
        }
        let pop: u64 = r[4].parse().unwrap_or(0);
        let class = city_class(pop);
        let mut names = vec![r[1].clone()];
        if pop >= 100_000 || REGION.contains(&r[2].as_str()) {
            names.extend(r[6].split('|').filter(|n| !n.is_empty()).map(str::to_string));
        }
        names.extend(r[5].split('|').filter(|n| !n.is_empty()).map(str::to_string));
        add(class, r[0].clone(), names, pop >= 1_000_000);
    }
    let mut out = String::from(
        "# Places known to the recogniser's features (not overrides): one place a line, `class<TAB>names`.\n\
         # class: c country or territory, 1 a city of 1,000,000 people or more, 2 of 100,000 or more, 3 smaller.\n\
         # Generated by `dossier-train gazetteer` from GeoNames (geonames.org, CC BY) and CLDR country\n\
         # names (umpirsky/country-list, MIT); see README.md in this folder.\n",
    );
    for ((class, _), names) in &places {
        out.push(*class);
        out.push('\t');
        out.push_str(&names.join("|"));
        out.push('\n');
    }
    Ok(out)
}
