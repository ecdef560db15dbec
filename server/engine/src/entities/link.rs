//! Linking: the mentions of all documents (and the registry's entries) become entities.
//!
//! - Known places and organisations link by their canonical name; other organisations, places
//!   and things by their folded name (so "PolitNavigator" = "Politnavigator"), an acronym by the
//!   expansion it was defined with.
//! - A person's full name links by folded given name + surname, so the Cyrillic
//!   "Имангали Тасмагамбетов" meets "Imangali Tasmagambetov". A surname alone links to the one
//!   full name with that surname in the same document, else in the corpus; when several people
//!   share it, it is not linked and the card lists them. Folding keeps gender endings apart
//!   (Nazarbayev ≠ Nazarbayeva).
//! - The registry's names and aliases (any script) pull mentions into its entries.
//!
//! Architecture invariant: queries only read per-document sorted mention vectors and
//! per-entity location lists built here, so `at` is a binary search and `references` a copy.

use std::collections::HashMap;
use std::ops::Range;

use super::recognize::{tokenize, Evidence};
use super::{Definition, DocInput, Entity, EntityId, Kind, Location, Registry};
use crate::translit::{fold, has_cyrillic, transliterate};
use crate::DocId;

/// All entities of the corpus, linked.
#[derive(Debug, Default)]
pub struct EntityIndex {
    pub(super) entities: Vec<Entity>,
    pub(super) refs: Vec<Vec<Location>>,
    pub(super) defs: Vec<Option<Definition>>,
    /// Per entity: (document name, snippet) for the first mention in each document.
    pub(super) snippets: Vec<Vec<(DocId, String, String)>>,
    pub(super) docs: HashMap<DocId, Vec<(Range<usize>, EntityId, Kind)>>,
}

struct M {
    doc: usize,
    range: Range<usize>,
    kind: Kind,
    surface: String,
    name: Option<String>,
    roles: Vec<String>,
    gazetteer: bool,
    evidence: Evidence,
}

#[derive(Default)]
struct Cluster {
    mentions: Vec<usize>,
    registry: Option<usize>,
    candidates: Vec<usize>,
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

fn person_key(s: &str) -> Option<String> {
    let w = words(s);
    if w.len() < 2 {
        return None;
    }
    Some(format!("{}|{}", fold(w[0]), fold(w[w.len() - 1])))
}

fn surname_key(s: &str) -> String {
    fold(s.split_whitespace().last().unwrap_or(s))
}

fn is_all_caps(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !s.chars().any(char::is_lowercase)
}

impl EntityIndex {
    /// Link the mentions of every document (and the registry's entries) into entities.
    pub fn build<'a>(docs: impl IntoIterator<Item = DocInput<'a>>, registry: Option<&Registry>) -> EntityIndex {
        let docs: Vec<DocInput<'a>> = docs.into_iter().collect();
        let mut ms: Vec<M> = Vec::new();
        for (di, d) in docs.iter().enumerate() {
            for (i, m) in d.entities.mentions.iter().enumerate() {
                let det = d.entities.details.get(i);
                if d.text.get(m.range.clone()).is_none() {
                    continue;
                }
                ms.push(M {
                    doc: di,
                    range: m.range.clone(),
                    kind: m.kind,
                    surface: m.surface.clone(),
                    name: det.and_then(|x| x.name.clone()),
                    roles: det.map(|x| x.roles.clone()).unwrap_or_default(),
                    gazetteer: det.is_some_and(|x| x.evidence == Evidence::Gazetteer),
                    evidence: det.map_or(Evidence::Context, |x| x.evidence),
                });
            }
        }
        corpus_surnames(&docs, &mut ms);

        let mut clusters: Vec<Cluster> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut surnames: HashMap<String, Vec<usize>> = HashMap::new();
        let mut reg_alias: HashMap<String, usize> = HashMap::new();
        if let Some(reg) = registry {
            for (ri, e) in reg.entries.iter().enumerate() {
                let c = clusters.len();
                clusters.push(Cluster { registry: Some(ri), ..Default::default() });
                for a in std::iter::once(&e.name).chain(&e.aliases) {
                    reg_alias.entry(fold(a)).or_insert(c);
                    if e.kind == Kind::Person {
                        if let Some(k) = person_key(a) {
                            by_key.entry(k).or_insert(c);
                            let s = surnames.entry(surname_key(a)).or_default();
                            if !s.contains(&c) {
                                s.push(c);
                            }
                        }
                    }
                }
            }
        }
        // pass 1: full names and non-person names
        let mut pending = Vec::new();
        for (mi, m) in ms.iter().enumerate() {
            let label = m.name.as_deref().unwrap_or(&m.surface);
            if let Some(&c) = reg_alias.get(&fold(&m.surface)).or_else(|| reg_alias.get(&fold(label))) {
                clusters[c].mentions.push(mi);
                continue;
            }
            let key = if m.kind == Kind::Person {
                match person_key(&m.surface) {
                    Some(k) => k,
                    None => {
                        pending.push(mi);
                        continue;
                    }
                }
            } else {
                format!("n:{}", fold(label))
            };
            let c = *by_key.entry(key).or_insert_with(|| {
                clusters.push(Cluster::default());
                clusters.len() - 1
            });
            clusters[c].mentions.push(mi);
            if m.kind == Kind::Person {
                let s = surnames.entry(surname_key(&m.surface)).or_default();
                if !s.contains(&c) {
                    s.push(c);
                }
            }
        }
        // pass 2: surnames alone
        for mi in pending {
            let m = &ms[mi];
            let s = fold(&m.surface);
            let cands = surnames.get(&s).cloned().unwrap_or_default();
            let in_doc: Vec<usize> =
                cands.iter().copied().filter(|&c| clusters[c].mentions.iter().any(|&x| ms[x].doc == m.doc)).collect();
            let target = if in_doc.len() == 1 {
                Some(in_doc[0])
            } else if in_doc.is_empty() && cands.len() == 1 {
                Some(cands[0])
            } else {
                None
            };
            let c = match target {
                Some(c) => c,
                None => {
                    let c = *by_key.entry(format!("s:{s}")).or_insert_with(|| {
                        clusters.push(Cluster::default());
                        clusters.len() - 1
                    });
                    for x in cands {
                        if !clusters[c].candidates.contains(&x) {
                            clusters[c].candidates.push(x);
                        }
                    }
                    c
                }
            };
            clusters[c].mentions.push(mi);
        }

        // entities
        let mut index = EntityIndex::default();
        let mut cluster_entity = vec![None; clusters.len()];
        for (ci, cl) in clusters.iter_mut().enumerate() {
            if cl.mentions.is_empty() && cl.registry.is_none() {
                continue;
            }
            cl.mentions.sort_by_key(|&mi| (ms[mi].doc, ms[mi].range.start));
            cluster_entity[ci] = Some(index.entities.len());
            let reg = cl.registry.and_then(|r| registry.and_then(|g| g.entries.get(r)));
            let kind = reg.map(|r| r.kind).unwrap_or_else(|| vote_kind(&ms, &cl.mentions));
            let name = match reg {
                Some(r) => r.name.clone(),
                None => canonical(&ms, &cl.mentions, kind),
            };
            let mut forms: Vec<String> = Vec::new();
            let mut roles: Vec<String> = Vec::new();
            for &mi in &cl.mentions {
                let m = &ms[mi];
                if m.surface != name && !forms.contains(&m.surface) {
                    forms.push(m.surface.clone());
                }
                for r in &m.roles {
                    if !roles.iter().any(|x| x.eq_ignore_ascii_case(r)) {
                        roles.push(r.clone());
                    }
                }
            }
            if let Some(r) = reg {
                for a in &r.aliases {
                    if *a != name && !forms.contains(a) {
                        forms.push(a.clone());
                    }
                }
                for x in &r.roles {
                    if !roles.contains(x) {
                        roles.push(x.clone());
                    }
                }
            }
            let refs: Vec<Location> = cl
                .mentions
                .iter()
                .map(|&mi| Location { doc: docs[ms[mi].doc].id, range: ms[mi].range.clone() })
                .collect();
            let def = match reg {
                Some(r) => Some(Definition::Registry(r.range.clone())),
                None => {
                    let best = cl.mentions.iter().copied().find(|&mi| ms[mi].surface == name).or_else(|| {
                        cl.mentions
                            .iter()
                            .copied()
                            .max_by_key(|&mi| (words(&ms[mi].surface).len(), std::cmp::Reverse(mi)))
                    });
                    best.map(|mi| {
                        Definition::Mention(Location { doc: docs[ms[mi].doc].id, range: ms[mi].range.clone() })
                    })
                }
            };
            let mut snippets = Vec::new();
            let mut last_doc = None;
            for &mi in &cl.mentions {
                let m = &ms[mi];
                if last_doc == Some(m.doc) {
                    continue;
                }
                last_doc = Some(m.doc);
                if snippets.len() < 8 {
                    let d = &docs[m.doc];
                    snippets.push((d.id, d.name.to_string(), snippet(d.text, m.range.clone())));
                }
            }
            index.entities.push(Entity {
                name,
                kind,
                forms,
                roles,
                description: reg.and_then(|r| r.description.clone()),
                candidates: Vec::new(),
            });
            index.refs.push(refs);
            index.defs.push(def);
            index.snippets.push(snippets);
        }
        for (ci, cl) in clusters.iter().enumerate() {
            let Some(e) = cluster_entity[ci] else { continue };
            let names: Vec<String> = cl
                .candidates
                .iter()
                .filter_map(|&c| cluster_entity[c])
                .map(|x| index.entities[x].name.clone())
                .collect();
            index.entities[e].candidates = names;
            for &mi in &cl.mentions {
                let m = &ms[mi];
                let kind = index.entities[e].kind;
                index.docs.entry(docs[m.doc].id).or_default().push((m.range.clone(), EntityId(e as u32), kind));
            }
        }
        for v in index.docs.values_mut() {
            v.sort_by_key(|(r, _, _)| (r.start, r.end));
            // keep mentions disjoint
            v.dedup_by(|b, a| b.0.start < a.0.end);
        }
        index
    }

    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities.get(id.0 as usize)
    }

    /// Every entity, in a stable order.
    pub fn all(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities.iter().enumerate().map(|(i, e)| (EntityId(i as u32), e))
    }

    /// The entity mentioned at `offset` in `doc`, with the mention's range.
    pub fn at(&self, doc: DocId, offset: usize) -> Option<(EntityId, Range<usize>)> {
        let v = self.docs.get(&doc)?;
        let i = v.partition_point(|(r, _, _)| r.end < offset);
        let (r, id, _) = v.get(i)?;
        (r.start <= offset).then(|| (*id, r.clone()))
    }

    /// The linked mentions of one document, sorted by position (semantic tokens, symbols, highlights).
    pub fn mentions_in(&self, doc: DocId) -> Vec<(Range<usize>, EntityId, Kind)> {
        self.docs.get(&doc).cloned().unwrap_or_default()
    }

    /// Every mention of an entity in the corpus, sorted by document then position.
    pub fn references(&self, id: EntityId) -> Vec<Location> {
        self.refs.get(id.0 as usize).cloned().unwrap_or_default()
    }

    pub fn definition(&self, id: EntityId) -> Option<Definition> {
        self.defs.get(id.0 as usize).cloned().flatten()
    }

    /// Entities whose name or forms match a workspace-symbol query (fuzzy, case-insensitive).
    pub fn search(&self, query: &str, limit: usize) -> Vec<EntityId> {
        let q: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        let qf = fold(query);
        let mut scored: Vec<(u32, usize, usize)> = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            let mut best = 0u32;
            for f in std::iter::once(&e.name).chain(&e.forms) {
                best = best.max(match_score(f, &q, &qf));
            }
            if best > 0 {
                scored.push((best, self.refs[i].len(), i));
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        scored.into_iter().take(limit).map(|(_, _, i)| EntityId(i as u32)).collect()
    }

    /// Total mentions and number of documents of an entity.
    pub fn counts(&self, id: EntityId) -> (usize, usize) {
        let Some(r) = self.refs.get(id.0 as usize) else { return (0, 0) };
        let mut docs = 0;
        let mut last = None;
        for l in r {
            if last != Some(l.doc) {
                docs += 1;
                last = Some(l.doc);
            }
        }
        (r.len(), docs)
    }
}

fn match_score(form: &str, q: &[char], qf: &str) -> u32 {
    if q.is_empty() {
        return 1;
    }
    let lower = form.to_lowercase();
    let qs: String = q.iter().collect();
    if lower.starts_with(&qs) {
        return 4;
    }
    if lower.split_whitespace().any(|w| w.starts_with(&qs)) {
        return 3;
    }
    if !qf.is_empty() && fold(form).contains(qf) {
        return 2;
    }
    let mut it = q.iter().peekable();
    for c in lower.chars() {
        if it.peek() == Some(&&c) {
            it.next();
        }
    }
    u32::from(it.peek().is_none())
}

fn vote_kind(ms: &[M], mentions: &[usize]) -> Kind {
    if let Some(&g) = mentions.iter().find(|&&mi| ms[mi].gazetteer) {
        return ms[g].kind;
    }
    let mut counts = [0usize; 4];
    for &mi in mentions {
        counts[ms[mi].kind as usize] += match ms[mi].evidence {
            Evidence::Gazetteer => 100,
            Evidence::Head | Evidence::Cue | Evidence::Acronym => 10,
            Evidence::Shape => 5,
            Evidence::Document => 2,
            Evidence::Context => 1,
        };
    }
    let best = (0..4).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
    Kind::ALL[best]
}

/// The canonical name: the gazetteer's or an acronym's expansion, else for a person the fullest
/// Latin form, else the most frequent form.
fn canonical(ms: &[M], mentions: &[usize], kind: Kind) -> String {
    let mut named: HashMap<&str, usize> = HashMap::new();
    for &mi in mentions {
        if let Some(n) = &ms[mi].name {
            *named.entry(n.as_str()).or_default() += 1;
        }
    }
    if let Some((n, _)) = named.iter().max_by_key(|(n, c)| (**c, n.len(), std::cmp::Reverse(**n))) {
        return n.to_string();
    }
    type Score = (usize, usize, usize, usize);
    let mut best: Option<(&str, Score)> = None;
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for &mi in mentions {
        *freq.entry(ms[mi].surface.as_str()).or_default() += 1;
    }
    for (i, &mi) in mentions.iter().enumerate() {
        let s = ms[mi].surface.as_str();
        let latin = !has_cyrillic(s);
        let score = if kind == Kind::Person {
            (words(s).len(), usize::from(latin), usize::from(!is_all_caps(s)), freq[s] * 1000 + s.len())
        } else {
            (usize::from(latin), usize::from(!is_all_caps(s) || s.len() <= 6), freq[s], usize::MAX - i)
        };
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((s, score));
        }
    }
    let s = best.map(|(s, _)| s).unwrap_or_default();
    if has_cyrillic(s) {
        transliterate(s)
    } else if kind == Kind::Person && is_all_caps(s) {
        titlecase(s)
    } else {
        s.to_string()
    }
}

fn titlecase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

/// One line of context around a mention, cut at char boundaries.
pub(super) fn snippet(text: &str, range: Range<usize>) -> String {
    let ls = text[..range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let le = text[range.end..].find(['\n', '\r']).map_or(text.len(), |i| range.end + i);
    let mut a = ls.max(range.start.saturating_sub(60));
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = le.min(range.end + 60);
    while !text.is_char_boundary(b) {
        b += 1;
    }
    let mut s = String::new();
    if a > ls {
        s.push('…');
    }
    s.push_str(text[a..b].trim());
    if b < le {
        s.push('…');
    }
    s
}

/// A surname seen in a full name anywhere in the corpus makes its lone occurrences in other
/// documents person mentions too.
fn corpus_surnames(docs: &[DocInput<'_>], ms: &mut Vec<M>) {
    let mut known: HashMap<String, ()> = HashMap::new();
    for m in ms.iter() {
        if m.kind == Kind::Person && words(&m.surface).len() >= 2 {
            known.insert(surname_key(&m.surface), ());
        }
    }
    if known.is_empty() {
        return;
    }
    let mut added = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        let mut taken: Vec<Range<usize>> = ms.iter().filter(|m| m.doc == di).map(|m| m.range.clone()).collect();
        taken.sort_by_key(|r| r.start);
        for t in tokenize(d.text) {
            if !t.cap || t.e - t.s < 4 {
                continue;
            }
            let i = taken.partition_point(|r| r.end <= t.s);
            if taken.get(i).is_some_and(|r| r.start < t.e) {
                continue;
            }
            let w = &d.text[t.s..t.e];
            if known.contains_key(&fold(w)) {
                added.push(M {
                    doc: di,
                    range: t.s..t.e,
                    kind: Kind::Person,
                    surface: w.to_string(),
                    name: None,
                    roles: Vec::new(),
                    gazetteer: false,
                    evidence: Evidence::Document,
                });
            }
        }
    }
    ms.extend(added);
}
