//! Scoring entity linking against gold identities: which mentions name one entity, and does
//! `references` return them together.
//!
//! Two sources of gold:
//! - a corpus folder with a gold file in the format of `seeds.gold.json` (entities with their
//!   surfaces per document; every whole-word occurrence of a surface is a mention, longest first);
//! - FactRuEval-2016 standoff files (`.txt .spans .objects .coref`): each object of a
//!   coreference chain is a mention, its name spans as the source marks them.
//!
//! Measures, each a share of pairs of gold mentions of one entity that `references` from the
//! first (probed in the middle of its last word, as an editor user would) returns the second:
//! within a document, across scripts (one Cyrillic, one Latin mention) and across documents.
//! Also how many gold mentions are recognised at all, how many linked pairs join mentions of
//! different gold entities (false links), and whether `definition` lands on a full-name mention.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use dossier_engine::entities::{
    self, Definition, DocEntities, DocInput, DocMentions, EntityId, EntityIndex, Kind, Location,
};
use dossier_engine::DocId;

/// One gold mention: byte spans in its document (the name may be in pieces), the entity it
/// names, its kind and its text.
#[derive(Clone, Debug)]
pub struct GoldMention {
    pub doc: usize,
    pub spans: Vec<Range<usize>>,
    pub entity: String,
    pub kind: Kind,
    pub surface: String,
    /// A full-name mention: where `definition` should land.
    pub full: bool,
}

impl GoldMention {
    /// The span probed: the longest.
    fn main(&self) -> Range<usize> {
        self.spans.iter().max_by_key(|s| (s.len(), std::cmp::Reverse(s.start))).cloned().unwrap_or(0..0)
    }

    fn cyrillic(&self) -> bool {
        dossier_engine::translit::has_cyrillic(&self.surface)
    }

    fn overlaps(&self, doc: usize, r: &Range<usize>) -> bool {
        doc == self.doc && self.spans.iter().any(|s| s.start < r.end && r.start < s.end)
    }
}

/// Documents (name, text) and their gold mentions.
#[derive(Default)]
pub struct Gold {
    pub docs: Vec<(String, String)>,
    pub mentions: Vec<GoldMention>,
    /// Identities are known within each document only (FactRuEval): mentions of two documents
    /// linked together are not counted as a false link.
    pub doc_scoped: bool,
}

/// Which documents of FactRuEval to read, by the rule of `ner_eval.py` (a document is in the
/// development part when int(sha1(id), 16) % 100 < 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Train,
    Dev,
    All,
}

/// The FactRuEval-2016 documents of `part` in `dir` (its `devset` folder).
pub fn factrueval(dir: &Path, part: Part) -> Result<Gold, String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".coref").map(str::to_string))
        .collect();
    ids.sort();
    let mut gold = Gold { doc_scoped: true, ..Gold::default() };
    for id in ids {
        let dev = sha1_percent(&id) < 20;
        if part == Part::Dev && !dev || part == Part::Train && dev {
            continue;
        }
        let read = |ext: &str| {
            std::fs::read_to_string(dir.join(format!("{id}.{ext}"))).map_err(|e| format!("{id}.{ext}: {e}"))
        };
        let text = read("txt")?;
        let doc = gold.docs.len();
        gold.mentions.extend(factrueval_doc(doc, &id, &text, &read("spans")?, &read("objects")?, &read("coref")?)?);
        gold.docs.push((format!("{id}.txt"), text));
    }
    Ok(gold)
}

fn factrueval_doc(
    doc: usize,
    id: &str,
    text: &str,
    spans: &str,
    objects: &str,
    coref: &str,
) -> Result<Vec<GoldMention>, String> {
    // char offsets to byte offsets
    let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(text.len());
    let mut span_of: HashMap<&str, (&str, Range<usize>)> = HashMap::new();
    for line in spans.lines() {
        let f: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        if f.len() < 4 {
            continue;
        }
        let (s, n): (usize, usize) = (f[2].parse().map_err(|_| line)?, f[3].parse().map_err(|_| line)?);
        let (Some(&a), Some(&b)) = (byte_at.get(s), byte_at.get(s + n)) else {
            return Err(format!("{id}: span out of the text: {line}"));
        };
        span_of.entry(f[0]).or_insert((f[1], a..b));
    }
    let mut object: HashMap<&str, (Kind, Vec<Range<usize>>)> = HashMap::new();
    for line in objects.lines() {
        let f: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        let Some((&oid, rest)) = f.split_first() else { continue };
        let Some((&ty, sids)) = rest.split_first() else { continue };
        let (kind, names): (Kind, &[&str]) = match ty {
            "Person" => (Kind::Person, &["name", "surname", "patronymic", "nickname"]),
            "Org" => (Kind::Organization, &["org_name"]),
            "Location" | "LocOrg" => (Kind::Place, &["loc_name"]),
            _ => continue,
        };
        let mut parts: Vec<Range<usize>> = sids
            .iter()
            .filter_map(|s| span_of.get(s))
            .filter(|(t, _)| names.contains(t))
            .map(|(_, r)| r.clone())
            .collect();
        if parts.is_empty() {
            continue;
        }
        parts.sort_by_key(|r| (r.start, r.end));
        parts.dedup();
        if kind == Kind::Person {
            // a person's whole extent, first to last name part
            let (a, b) = (parts[0].start, parts.iter().map(|r| r.end).max().unwrap_or(0));
            parts = std::iter::once(a..b).collect();
        }
        object.insert(oid, (kind, parts));
    }
    let mut out: Vec<GoldMention> = Vec::new();
    for block in coref.split("\n\n") {
        let Some(first) = block.lines().next() else { continue };
        let mut f = first.split_whitespace();
        let Some(chain) = f.next() else { continue };
        let entity = format!("{id}#{chain}");
        let mut seen: Vec<Vec<Range<usize>>> = Vec::new();
        for oid in f {
            let Some((kind, parts)) = object.get(oid) else { continue };
            // objects over the same words are one mention
            let overlapping =
                seen.iter().any(|p| p.iter().any(|a| parts.iter().any(|b| a.start < b.end && b.start < a.end)));
            if overlapping {
                continue;
            }
            seen.push(parts.clone());
            let surface = parts.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>().join(" ");
            out.push(GoldMention {
                doc,
                spans: parts.clone(),
                entity: entity.clone(),
                kind: *kind,
                surface,
                full: true,
            });
        }
    }
    Ok(out)
}

/// A corpus folder with a gold file in the format of `seeds.gold.json`.
pub fn corpus(dir: &Path, gold_file: &Path) -> Result<Gold, String> {
    let raw = std::fs::read_to_string(gold_file).map_err(|e| format!("{}: {e}", gold_file.display()))?;
    let json: serde_json::Value = serde_json::from_str(&raw).map_err(|e| format!("{}: {e}", gold_file.display()))?;
    let entities = json["entities"].as_array().ok_or("no entities")?;
    let mut surfaces: BTreeMap<String, Vec<(String, String, Kind)>> = BTreeMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for e in entities {
        let id = e["id"].as_str().ok_or("an entity without id")?.to_string();
        let kind = match e["kind"].as_str() {
            Some("person") => Kind::Person,
            Some("organization") => Kind::Organization,
            Some("place") => Kind::Place,
            _ => Kind::Other,
        };
        names.insert(id.clone(), e["name"].as_str().unwrap_or_default().to_string());
        for (doc, ss) in e["mentions"].as_object().into_iter().flatten() {
            for s in ss.as_array().into_iter().flatten().filter_map(|s| s.as_str()) {
                surfaces.entry(doc.clone()).or_default().push((s.to_string(), id.clone(), kind));
            }
        }
    }
    let mut gold = Gold::default();
    for (name, list) in surfaces {
        let text = std::fs::read_to_string(dir.join(&name)).map_err(|e| format!("{name}: {e}"))?;
        let doc = gold.docs.len();
        for (range, (surface, entity, kind)) in find_spans(&text, &list) {
            gold.mentions.push(GoldMention { doc, spans: vec![range], entity, kind, surface, full: false });
        }
        gold.docs.push((name, text));
    }
    // full-name mentions: the longest Latin form or the gold name; any form when all are Cyrillic
    let mut longest: HashMap<String, String> = HashMap::new();
    for m in gold.mentions.iter().filter(|m| !m.cyrillic()) {
        let l = longest.entry(m.entity.clone()).or_default();
        if m.surface.chars().count() > l.chars().count() {
            *l = m.surface.clone();
        }
    }
    for m in &mut gold.mentions {
        m.full = match longest.get(&m.entity) {
            Some(l) => m.surface == *l || names.get(&m.entity) == Some(&m.surface),
            None => true,
        };
    }
    Ok(gold)
}

/// Whole-word occurrences of the surfaces in each line, longest first, never overlapping.
fn find_spans<T: Clone>(text: &str, surfaces: &[(String, T, Kind)]) -> Vec<(Range<usize>, (String, T, Kind))> {
    let mut sorted: Vec<&(String, T, Kind)> = surfaces.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.0.chars().count()));
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric) || c == Some('_');
    let mut taken: Vec<(Range<usize>, (String, T, Kind))> = Vec::new();
    for s in sorted {
        let mut from = 0;
        while let Some(i) = text[from..].find(s.0.as_str()).map(|i| i + from) {
            let k = i + s.0.len();
            let before = text[..i].chars().next_back();
            let after = text[k..].chars().next();
            let ok = !(word(before) || word(after) && word(s.0.chars().next_back()));
            if ok && !taken.iter().any(|(r, _)| r.start < k && i < r.end) {
                taken.push((i..k, s.clone()));
            }
            from = i + s.0.chars().next().map_or(1, char::len_utf8);
        }
    }
    taken.sort_by_key(|(r, _)| r.start);
    taken
}

/// The entity index of the gold documents: recognised by the engine, or (`oracle`) with the
/// gold mentions given as recognised, so that linking is measured alone.
pub fn index(gold: &Gold, oracle: bool) -> EntityIndex {
    let inputs = gold.docs.iter().enumerate().map(|(i, (name, text))| {
        let mentions: DocMentions = if oracle {
            let mut ms: Vec<&GoldMention> = gold.mentions.iter().filter(|m| m.doc == i).collect();
            // a recogniser gives no nested mentions: the longest of overlapping ones
            ms.sort_by_key(|m| (std::cmp::Reverse(m.main().len()), m.main().start));
            let mut kept: Vec<&GoldMention> = Vec::new();
            for m in ms {
                let r = m.main();
                if !kept.iter().any(|k| k.main().start < r.end && r.start < k.main().end) {
                    kept.push(m);
                }
            }
            let mut ms = kept;
            ms.sort_by_key(|m| (m.main().start, m.main().end));
            let list: Vec<serde_json::Value> = ms
                .iter()
                .map(|m| {
                    let r = m.main();
                    serde_json::json!({"range": {"start": r.start, "end": r.end}, "kind": m.kind,
                                       "surface": &text[r]})
                })
                .collect();
            let details: Vec<serde_json::Value> =
                ms.iter().map(|_| serde_json::json!({"name": null, "roles": [], "evidence": "Shape"})).collect();
            let e: DocEntities = serde_json::from_value(serde_json::json!({"mentions": list, "details": details}))
                .expect("gold mentions as recognised ones");
            DocMentions::from(e)
        } else {
            entities::record(text)
        };
        DocInput {
            id: DocId(i as u32),
            name: name.as_str().into(),
            text: text.as_str().into(),
            entities: mentions.into(),
        }
    });
    EntityIndex::build(inputs, None)
}

/// Found / asked, as a share.
#[derive(Clone, Copy, Debug, Default)]
pub struct Share {
    pub found: usize,
    pub total: usize,
}

impl Share {
    pub fn add(&mut self, ok: bool) {
        self.found += usize::from(ok);
        self.total += 1;
    }

    pub fn value(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.found as f64 / self.total as f64
        }
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} ({}/{})", self.value(), self.found, self.total)
    }
}

#[derive(Debug, Default)]
pub struct Report {
    /// Gold mentions where a probe finds an entity.
    pub recognised: Share,
    pub within_doc: Share,
    pub within_doc_by_kind: BTreeMap<&'static str, Share>,
    pub cross_script: Share,
    pub cross_script_by_kind: BTreeMap<&'static str, Share>,
    pub cross_doc: Share,
    /// Pairs of gold mentions linked together: of one entity, and of two.
    pub linked_right: usize,
    pub linked_wrong: usize,
    pub definition: Share,
    /// Failures, for reading: "doc: a → b".
    pub missed: Vec<String>,
    pub wrong: Vec<String>,
    /// Mentions whose definition is not a full-name mention: "doc: mention → where it lands".
    pub bad_definitions: Vec<String>,
}

impl Report {
    /// Linked pairs that join mentions of one gold entity.
    pub fn precision(&self) -> f64 {
        let all = self.linked_right + self.linked_wrong;
        if all == 0 {
            1.0
        } else {
            self.linked_right as f64 / all as f64
        }
    }

    pub fn summary(&self) -> String {
        let kinds =
            |m: &BTreeMap<&str, Share>| m.iter().map(|(k, s)| format!("{k} {s}")).collect::<Vec<_>>().join(", ");
        format!(
            "recognised {}\nwithin-document pairs {} [{}]\ncross-script pairs {} [{}]\ncross-document pairs {}\n\
             link precision {:.3} ({} right, {} wrong)\ndefinition on a full-name mention {}",
            self.recognised,
            self.within_doc,
            kinds(&self.within_doc_by_kind),
            self.cross_script,
            kinds(&self.cross_script_by_kind),
            self.cross_doc,
            self.precision(),
            self.linked_right,
            self.linked_wrong,
            self.definition
        )
    }
}

fn sha1_percent(id: &str) -> u32 {
    // int(sha1(id).hexdigest(), 16) % 100 == the 160-bit value mod 100, digit by digit
    sha1(id.as_bytes()).iter().fold(0u32, |acc, &b| (acc * 256 + u32::from(b)) % 100)
}

/// SHA-1 (only to reproduce the split rule of the shared tools).
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([chunk[4 * i], chunk[4 * i + 1], chunk[4 * i + 2], chunk[4 * i + 3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Person => "person",
        Kind::Organization => "organization",
        Kind::Place => "place",
        Kind::Other => "other",
    }
}

/// The position probed in a mention: the middle of the last word of its main span.
fn probe(text: &str, m: &GoldMention) -> usize {
    let r = m.main();
    let s = &text[r.clone()];
    let last = s.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &s[last..];
    let mut mid = r.start + last + word.len() / 2;
    while !text.is_char_boundary(mid) {
        mid -= 1;
    }
    mid
}

/// Score an index built from `gold`'s documents.
pub fn score(gold: &Gold, ix: &EntityIndex) -> Report {
    let mut rep = Report::default();
    let at: Vec<Option<EntityId>> = gold
        .mentions
        .iter()
        .map(|m| ix.at(DocId(m.doc as u32), probe(&gold.docs[m.doc].1, m)).map(|(id, _)| id))
        .collect();
    let mut refs: HashMap<EntityId, Vec<Location>> = HashMap::new();
    for id in at.iter().flatten() {
        refs.entry(*id).or_insert_with(|| ix.references(*id));
    }
    let returned = |a: usize, b: &GoldMention| {
        at[a].is_some_and(|id| refs[&id].iter().any(|l| b.overlaps(l.doc.0 as usize, &l.range)))
    };
    for ok in &at {
        rep.recognised.add(ok.is_some());
    }
    let ms = &gold.mentions;
    for (i, a) in ms.iter().enumerate() {
        for (j, b) in ms.iter().enumerate().skip(i + 1) {
            let same = a.entity == b.entity;
            if !same {
                // a false link: two gold entities behind one entity
                if at[i].is_some() && at[i] == at[j] && (a.doc == b.doc || !gold.doc_scoped) {
                    rep.linked_wrong += 1;
                    if rep.wrong.len() < 400 {
                        rep.wrong.push(format!(
                            "{}: {} ~ {}: {}",
                            gold.docs[a.doc].0, a.surface, gold.docs[b.doc].0, b.surface
                        ));
                    }
                }
                continue;
            }
            let ok = returned(i, b);
            rep.linked_right += usize::from(ok);
            if a.doc == b.doc {
                rep.within_doc.add(ok);
                rep.within_doc_by_kind.entry(kind_word(a.kind)).or_default().add(ok);
            } else {
                rep.cross_doc.add(ok);
            }
            if a.cyrillic() != b.cyrillic() {
                rep.cross_script.add(ok);
                rep.cross_script_by_kind.entry(kind_word(a.kind)).or_default().add(ok);
            }
            if !ok && rep.missed.len() < 2000 {
                let why = if at[i].is_none() {
                    " (first not recognised)"
                } else if at[j].is_none() {
                    " (second not recognised)"
                } else {
                    ""
                };
                let name = at[i].and_then(|id| ix.entity(id)).map_or(String::new(), |e| format!(" [{}]", e.name));
                rep.missed.push(format!("{}: {}{name} → {}{why}", gold.docs[a.doc].0, a.surface, b.surface));
            }
        }
    }
    // definition, from every recognised mention of an entity that has two mentions or more
    let mut count: HashMap<&str, usize> = HashMap::new();
    for m in ms {
        *count.entry(&m.entity).or_default() += 1;
    }
    for (i, m) in ms.iter().enumerate() {
        if count[m.entity.as_str()] < 2 {
            continue;
        }
        let ok = at[i].and_then(|id| ix.definition(id)).is_some_and(|d| match d {
            Definition::Mention(l) => {
                ms.iter().any(|f| f.entity == m.entity && f.full && f.overlaps(l.doc.0 as usize, &l.range))
            }
            Definition::Registry(_) => true,
        });
        rep.definition.add(ok);
        if !ok && rep.bad_definitions.len() < 400 {
            let lands = match at[i].and_then(|id| ix.definition(id)) {
                Some(Definition::Mention(l)) => {
                    let (name, text) = &gold.docs[l.doc.0 as usize];
                    format!("{name}: {}", &text[l.range])
                }
                Some(Definition::Registry(_)) => "the registry".to_string(),
                None => "nothing".to_string(),
            };
            rep.bad_definitions.push(format!("{}: {} → {lands}", gold.docs[m.doc].0, m.surface));
        }
    }
    rep
}
