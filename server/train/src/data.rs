//! The annotated data: `.bio` files read into documents, each rebuilt as running text the way
//! Dossier's evaluation rebuilds it (one sentence a line, tokens joined by the usual spacing
//! rules), with the gold names as byte ranges of that text, and the split of every document
//! into the train and dev parts.
//!
//! The split rule: a dataset whose files are named by split keeps it; a dataset with only a test
//! file is wholly dev; a dataset in one unsplit file puts a document in dev when the SHA-1 of its
//! id, read as a number, is below 20 modulo 100. Pseudo-documents of more than 150 sentences (a
//! whole file or section without document boundaries) are cut into chunks of 40 sentences.

use std::fs;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

/// A gold name: byte range in the document's text and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gold {
    pub start: usize,
    pub end: usize,
    pub ty: Type,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Per,
    Org,
    Loc,
    Misc,
}

impl Type {
    pub const ALL: [Type; 4] = [Type::Per, Type::Org, Type::Loc, Type::Misc];

    fn parse(s: &str) -> Option<Type> {
        Some(match s {
            "PER" => Type::Per,
            "ORG" => Type::Org,
            "LOC" => Type::Loc,
            "MISC" => Type::Misc,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Type::Per => "PER",
            Type::Org => "ORG",
            Type::Loc => "LOC",
            Type::Misc => "MISC",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Train,
    Dev,
    Test,
}

/// One document (or chunk) of a dataset, as text with its gold names.
#[derive(Clone, Debug)]
pub struct Document {
    pub id: String,
    pub part: Part,
    pub text: String,
    pub gold: Vec<Gold>,
}

/// A dataset directory: `<data>/<lang>/<name>/*.bio`.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub lang: String,
    pub docs: Vec<Document>,
}

impl Dataset {
    /// Does the dataset annotate other named things (MISC)? Those that do not leave them outside.
    pub fn has_misc(&self) -> bool {
        self.docs.iter().any(|d| d.gold.iter().any(|g| g.ty == Type::Misc))
    }
}

const PSEUDO_DOC_SENTENCES: usize = 150;
const CHUNK: usize = 40;
const DEV_PERCENT: u32 = 20;

type Sentence = Vec<(String, String)>;

/// `(doc id, sentences)` of a `.bio` file, in file order.
fn read_bio(path: &Path) -> std::io::Result<Vec<(String, Vec<Sentence>)>> {
    let text = fs::read_to_string(path)?;
    let mut docs: Vec<(String, Vec<Sentence>)> = Vec::new();
    let mut sent: Sentence = Vec::new();
    let base = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let flush = |docs: &mut Vec<(String, Vec<Sentence>)>, sent: &mut Sentence| {
        if !sent.is_empty() {
            if docs.is_empty() {
                docs.push((base.clone(), Vec::new()));
            }
            if let Some(d) = docs.last_mut() {
                d.1.push(std::mem::take(sent));
            }
        }
    };
    for line in text.split('\n') {
        if let Some(id) = line.strip_prefix("# doc:") {
            flush(&mut docs, &mut sent);
            docs.push((id.trim().to_string(), Vec::new()));
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut docs, &mut sent);
            continue;
        }
        let (tok, tag) = line.rsplit_once('\t').unwrap_or(("", line));
        let tag = tag.trim();
        sent.push((tok.to_string(), if tag.is_empty() { "O".to_string() } else { tag.to_string() }));
    }
    flush(&mut docs, &mut sent);
    docs.retain(|(_, s)| !s.is_empty());
    Ok(docs)
}

/// Is the unit with this id in the dev part of an unsplit dataset?
pub fn hashed_dev(id: &str) -> bool {
    let digest = Sha1::digest(id.as_bytes());
    let rem = digest.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % 100);
    rem < DEV_PERCENT
}

fn split_of(file: &str) -> Option<Part> {
    let stem = file.strip_suffix(".bio")?;
    for (name, part) in [("train", Part::Train), ("dev", Part::Dev), ("test", Part::Test)] {
        if let Some(rest) = stem.strip_suffix(name) {
            if rest.ends_with(['_', '-']) {
                return Some(part);
            }
        }
    }
    None
}

/// Every dataset under `data` (the `ner` directory), sorted by language and name.
pub fn load(data: &Path) -> std::io::Result<Vec<Dataset>> {
    let mut out = Vec::new();
    for lang in sorted_dirs(data)? {
        for dir in sorted_dirs(&lang)? {
            let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "bio"))
                .collect();
            files.sort();
            if files.is_empty() {
                continue;
            }
            let name = file_name(&dir);
            let splits: Vec<Option<Part>> = files.iter().map(|f| split_of(&file_name(f))).collect();
            let test_only = splits.iter().all(|s| *s == Some(Part::Test));
            let ud = name.starts_with("gum_ne") || name.starts_with("uner_");
            let mut docs = Vec::new();
            for (path, split) in files.iter().zip(&splits) {
                for (doc_id, sents) in read_bio(path)? {
                    for (id, chunk) in units(&doc_id, sents) {
                        let part = match split {
                            None if hashed_dev(&id) => Part::Dev,
                            None => Part::Train,
                            Some(_) if test_only => Part::Dev,
                            Some(p) => *p,
                        };
                        let (text, gold) = build_doc(&chunk, ud);
                        docs.push(Document { id, part, text, gold });
                    }
                }
            }
            out.push(Dataset { name, lang: file_name(&lang), docs });
        }
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

fn sorted_dirs(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> =
        fs::read_dir(p)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    v.sort();
    Ok(v)
}

/// A document, or the 40-sentence chunks of a long pseudo-document, with their ids.
fn units(doc_id: &str, sents: Vec<Sentence>) -> Vec<(String, Vec<Sentence>)> {
    if sents.len() <= PSEUDO_DOC_SENTENCES {
        return vec![(doc_id.to_string(), sents)];
    }
    sents.chunks(CHUNK).enumerate().map(|(k, c)| (format!("{doc_id}#{k:04}"), c.to_vec())).collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ends_word(s: &str) -> bool {
    s.chars().next_back().is_some_and(is_word_char)
}

fn starts_word(s: &str) -> bool {
    s.chars().next().is_some_and(is_word_char)
}

fn is_number(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_numeric()) && cs.all(|c| c.is_numeric() || c == '.' || c == ',')
}

fn glue_before(tok: &str) -> bool {
    const CONTRACTIONS: &[&str] =
        &["'s", "'re", "'ve", "'ll", "'d", "'m", "n't", "’s", "’re", "’ve", "’ll", "’d", "’m", "n’t"];
    const CLOSERS: &[&str] = &[")", "]", "}", "»", "%", "”", "''"];
    CONTRACTIONS.contains(&tok.to_lowercase().as_str())
        || CLOSERS.contains(&tok)
        || !tok.is_empty() && tok.chars().all(|c| ",.;:!?…".contains(c))
}

/// Open quotation marks carried across the sentences of one document.
#[derive(Default)]
pub struct QuoteState {
    low: bool,
    dq: bool,
    sq: bool,
}

/// Lay tokens out as running text: the text and each token's byte range in it.
pub fn detok_sentence(tokens: &[&str], state: &mut QuoteState, ud_hyphens: bool) -> (String, Vec<(usize, usize)>) {
    const OPENERS: &[&str] = &["(", "[", "{", "«", "„", "``", "“", "‘"];
    const CLITICS: &[&str] = &["s", "ve", "re", "ll", "d", "m", "t"];
    let mut out = String::new();
    let mut offs = Vec::with_capacity(tokens.len());
    let mut glue_next = false;
    for (k, &tok) in tokens.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| tokens[p]);
        let nxt = tokens.get(k + 1).copied();
        let mut space = !out.is_empty() && !glue_next;
        let mut glue_after = false;
        let between_numbers = prev.is_some_and(is_number) && nxt.is_some_and(is_number);
        let low = tok.to_lowercase();
        if (tok == ":" || tok == "-") && between_numbers {
            space = false;
            glue_after = true;
        } else if glue_before(tok) {
            space = false;
        } else if OPENERS.contains(&tok) {
            glue_after = true;
            if tok == "„" {
                state.low = true;
            } else if tok == "“" && state.low {
                state.low = false;
                space = false;
                glue_after = false;
            }
        } else if tok == "\"" {
            if state.dq {
                space = false;
            } else {
                glue_after = true;
            }
            state.dq = !state.dq;
        } else if matches!(tok, "'" | "’" | "´")
            && prev.is_some_and(ends_word)
            && nxt.is_some_and(|x| CLITICS.contains(&x.to_lowercase().as_str()))
        {
            space = false;
            glue_after = true;
        } else if CLITICS.contains(&low.as_str())
            && prev
                .is_some_and(|p| p.chars().count() > 1 && p.ends_with(['\'', '’', '´']) && p.chars().any(is_word_char))
        {
            space = false;
        } else if matches!(tok, "'" | "’") {
            if state.sq && prev.is_some() {
                space = false;
                state.sq = false;
            } else if prev.is_some_and(|p| p.ends_with(['s', 'S']) || matches!(p, "." | "," | "?" | "!")) {
                space = false;
            } else {
                glue_after = true;
                state.sq = true;
            }
        } else if matches!(tok, "$" | "£" | "€" | "#" | "@") {
            glue_after = nxt.is_some_and(starts_word);
        } else if ud_hyphens && tok == "-" && prev.is_some_and(ends_word) && nxt.is_some_and(starts_word) {
            space = false;
            glue_after = true;
        } else if matches!(low.as_str(), "na" | "ta")
            && prev.is_some_and(|p| matches!(p.to_lowercase().as_str(), "gon" | "wan" | "got"))
        {
            space = false;
        }
        if space {
            out.push(' ');
        }
        let start = out.len();
        out.push_str(tok);
        offs.push((start, out.len()));
        glue_next = glue_after;
    }
    (out, offs)
}

/// Token spans `(first, end exclusive, type)` of IOB2 tags; a stray I-X starts a name.
pub fn bio_spans(tags: &[String]) -> Vec<(usize, usize, Type)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, &str)> = None;
    for i in 0..=tags.len() {
        let t = tags.get(i).map_or("O", String::as_str);
        let (bio, ty) = match t.split_once('-') {
            Some((b, ty)) if t != "O" => (b, Some(ty)),
            _ => ("O", None),
        };
        let begins = ty.is_some() && (bio == "B" || ty != cur.map(|c| c.1));
        if let Some((s, cty)) = cur {
            if ty != Some(cty) || begins {
                if let Some(k) = Type::parse(cty) {
                    out.push((s, i, k));
                }
                cur = None;
            }
        }
        if let (true, Some(ty)) = (begins, ty) {
            cur = Some((i, ty));
        }
    }
    out
}

/// "@" or "#" tagged B-X before a token of type X: the sigil is outside, the name after it.
fn drop_sigils(toks: &[&str], tags: &mut [String]) {
    for k in 0..toks.len().saturating_sub(1) {
        if matches!(toks[k], "@" | "#")
            && tags[k].starts_with("B-")
            && tags[k + 1].get(2..) == tags[k].get(2..)
            && (tags[k + 1].starts_with("B-") || tags[k + 1].starts_with("I-"))
        {
            let b = format!("B-{}", &tags[k][2..]);
            tags[k] = "O".to_string();
            tags[k + 1] = b;
        }
    }
}

/// A document's text (one sentence a line, each line ended by `\n`) and gold names.
pub fn build_doc(sents: &[Sentence], ud_hyphens: bool) -> (String, Vec<Gold>) {
    let mut body = String::new();
    let mut gold = Vec::new();
    let mut state = QuoteState::default();
    for sent in sents {
        let toks: Vec<&str> = sent.iter().map(|(t, _)| t.as_str()).collect();
        let (text, offs) = detok_sentence(&toks, &mut state, ud_hyphens);
        let mut tags: Vec<String> = sent.iter().map(|(_, g)| g.clone()).collect();
        drop_sigils(&toks, &mut tags);
        let pos = body.len();
        for (i, j, ty) in bio_spans(&tags) {
            gold.push(Gold { start: pos + offs[i].0, end: pos + offs[j - 1].1, ty });
        }
        body.push_str(&text);
        body.push('\n');
    }
    (body, gold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_laid_out_as_running_text() {
        let cases: &[(&[&str], &str)] = &[
            (&["He", "said", "\"", "hi", "\"", "."], "He said \"hi\"."),
            (&["Это", "«", "Газпром", "»", ",", "а", "не", "„", "Лукойл", "“", "."], "Это «Газпром», а не „Лукойл“."),
            (
                &["I", "do", "n't", "know", "Bitar", "'s", "plan", "(", "yet", ")", "..."],
                "I don't know Bitar's plan (yet)...",
            ),
            (&["the", "Champions", "'", "League", "won", "1", ":", "0"], "the Champions' League won 1:0"),
            (&["#", "Gateshead", "and", "@", "BBC", ":)"], "#Gateshead and @BBC :)"),
            (
                &["the", "Kremlin", "'", "s", "boy", ",", "I", "'", "ve", "seen", "it"],
                "the Kremlin's boy, I've seen it",
            ),
        ];
        for (toks, want) in cases {
            let (got, offs) = detok_sentence(toks, &mut QuoteState::default(), false);
            assert_eq!(&got, want);
            for ((s, e), t) in offs.iter().zip(toks.iter()) {
                assert_eq!(&got[*s..*e], *t);
            }
        }
        assert_eq!(detok_sentence(&["al", "-", "Sadr"], &mut QuoteState::default(), true).0, "al-Sadr");
        assert_eq!(detok_sentence(&["al", "-", "Sadr"], &mut QuoteState::default(), false).0, "al - Sadr");
    }

    #[test]
    fn tags_become_spans_and_sigils_stay_outside() {
        let tags: Vec<String> =
            ["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"].iter().map(|s| s.to_string()).collect();
        assert_eq!(bio_spans(&tags), vec![(0, 2, Type::Per), (3, 4, Type::Loc), (4, 5, Type::Loc), (5, 6, Type::Org)]);
        let toks = ["@", "Bob", "@", "CNN"];
        let mut tags: Vec<String> = ["B-PER", "B-PER", "O", "B-ORG"].iter().map(|s| s.to_string()).collect();
        drop_sigils(&toks, &mut tags);
        assert_eq!(tags, ["O", "B-PER", "O", "B-ORG"]);
    }

    #[test]
    fn split_rule() {
        assert_eq!(split_of("gum_ne_train.bio"), Some(Part::Train));
        assert_eq!(split_of("en_ewt-ud-dev.bio"), Some(Part::Dev));
        assert_eq!(split_of("wikigold.bio"), None);
        // int(sha1(id), 16) % 100 < 20, as the evaluation computes it
        let digest = Sha1::digest(b"abc");
        assert_eq!(format!("{digest:x}"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        // int("a9993e…d89d", 16) % 100
        let rem = digest.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % 100);
        assert_eq!(rem, 17);
    }
}
