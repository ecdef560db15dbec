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

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::keys::{key, person_key, surname_key, Key, KeyHasher, KeyMap, KeySet};
use super::recognize::Evidence;
use super::{Definition, DocInput, Entity, EntityId, Kind, Location, MentionKeys, Registry};
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

struct M<'a> {
    doc: usize,
    range: Range<usize>,
    kind: Kind,
    surface: &'a str,
    name: Option<&'a str>,
    roles: &'a [String],
    gazetteer: bool,
    evidence: Evidence,
    keys: MentionKeys,
}

#[derive(Default)]
struct Cluster {
    mentions: Vec<usize>,
    registry: Option<usize>,
    candidates: Vec<usize>,
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

fn is_all_caps(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !s.chars().any(char::is_lowercase)
}

/// A linked mention of a document with its position in its entity's mention list.
type Placed = (Range<usize>, EntityId, Kind, u32);

/// Cluster keys: a person's folded full name, another kind's folded name, a lone surname.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ClusterKey {
    Person(Key),
    Name(Key),
    Surname(Key),
}

impl EntityIndex {
    /// Link the mentions of every document (and the registry's entries) into entities.
    ///
    /// Linear in the number of mentions: every comparison is between the folded keys that
    /// recognition stored with each mention; no document text is read again except to cut
    /// the few snippets shown in hover cards.
    pub fn build<'a>(docs: impl IntoIterator<Item = DocInput<'a>>, registry: Option<&Registry>) -> EntityIndex {
        let docs: Vec<DocInput<'a>> = docs.into_iter().collect();
        let mut ms: Vec<M<'a>> = Vec::with_capacity(docs.iter().map(|d| d.entities.mentions.len()).sum());
        for (di, d) in docs.iter().enumerate() {
            let e = d.entities;
            for (i, m) in e.mentions.iter().enumerate() {
                let det = e.details.get(i);
                if d.text.get(m.range.clone()).is_none() {
                    continue;
                }
                ms.push(M {
                    doc: di,
                    range: m.range.clone(),
                    kind: m.kind,
                    surface: &m.surface,
                    name: det.and_then(|x| x.name.as_deref()),
                    roles: det.map_or(&[], |x| x.roles.as_slice()),
                    gazetteer: det.is_some_and(|x| x.evidence == Evidence::Gazetteer),
                    evidence: det.map_or(Evidence::Context, |x| x.evidence),
                    keys: e
                        .keys
                        .get(i)
                        .copied()
                        .unwrap_or_else(|| mention_keys(&m.surface, det.and_then(|x| x.name.as_deref()))),
                });
            }
        }
        corpus_surnames(&docs, &mut ms);

        let mut clusters: Vec<Cluster> = Vec::new();
        let mut by_key: HashMap<ClusterKey, usize, BuildHasherDefault<KeyHasher>> = HashMap::default();
        let mut surnames: KeyMap<Vec<usize>> = KeyMap::default();
        let mut reg_alias: KeyMap<usize> = KeyMap::default();
        // (cluster, document) pairs that have a mention
        let mut present: HashSet<(usize, usize), BuildHasherDefault<KeyHasher>> = HashSet::default();
        if let Some(reg) = registry {
            for (ri, e) in reg.entries.iter().enumerate() {
                let c = clusters.len();
                clusters.push(Cluster { registry: Some(ri), ..Default::default() });
                for a in std::iter::once(&e.name).chain(&e.aliases) {
                    reg_alias.entry(key(a)).or_insert(c);
                    if e.kind == Kind::Person {
                        if let Some(k) = person_key(a) {
                            by_key.entry(ClusterKey::Person(k)).or_insert(c);
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
            if !reg_alias.is_empty() {
                if let Some(&c) = reg_alias.get(&m.keys.surface).or_else(|| reg_alias.get(&m.keys.label)) {
                    clusters[c].mentions.push(mi);
                    present.insert((c, m.doc));
                    continue;
                }
            }
            let key = if m.kind == Kind::Person {
                match m.keys.person {
                    Some(k) => ClusterKey::Person(k),
                    None => {
                        pending.push(mi);
                        continue;
                    }
                }
            } else {
                ClusterKey::Name(m.keys.label)
            };
            let c = *by_key.entry(key).or_insert_with(|| {
                clusters.push(Cluster::default());
                clusters.len() - 1
            });
            clusters[c].mentions.push(mi);
            present.insert((c, m.doc));
            if m.kind == Kind::Person {
                let s = surnames.entry(m.keys.surname).or_default();
                if s.last() != Some(&c) && !s.contains(&c) {
                    s.push(c);
                }
            }
        }
        // pass 2: surnames alone
        let no_cands = Vec::new();
        for mi in pending {
            let m = &ms[mi];
            let s = m.keys.surface;
            let cands = surnames.get(&s).unwrap_or(&no_cands);
            let mut in_doc = cands.iter().copied().filter(|&c| present.contains(&(c, m.doc)));
            let first_in_doc = in_doc.next();
            let target = match (first_in_doc, in_doc.next()) {
                (Some(c), None) => Some(c),
                (None, _) if cands.len() == 1 => Some(cands[0]),
                _ => None,
            };
            let c = match target {
                Some(c) => c,
                None => {
                    let c = *by_key.entry(ClusterKey::Surname(s)).or_insert_with(|| {
                        clusters.push(Cluster::default());
                        clusters.len() - 1
                    });
                    // every mention of this surname has the same candidates: add them once
                    if clusters[c].candidates.is_empty() {
                        for &x in cands {
                            if !clusters[c].candidates.contains(&x) {
                                clusters[c].candidates.push(x);
                            }
                        }
                    }
                    c
                }
            };
            clusters[c].mentions.push(mi);
            present.insert((c, m.doc));
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
            let distinct = distinct_surfaces(&ms, &cl.mentions);
            let name = match reg {
                Some(r) => r.name.clone(),
                None => canonical(&ms, &cl.mentions, &distinct, kind),
            };
            let mut forms: Vec<String> =
                distinct.iter().filter(|(s, _, _)| *s != name).map(|(s, _, _)| s.to_string()).collect();
            let mut roles: Vec<String> = Vec::new();
            for &mi in &cl.mentions {
                for r in ms[mi].roles {
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
                            .max_by_key(|&mi| (word_count(ms[mi].surface), std::cmp::Reverse(mi)))
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
        // entity and position in its cluster of every mention, then the per-document lists in
        // one pass in mention order (a pass in cluster order jumps around memory)
        let mut slot: Vec<(u32, u32)> = vec![(u32::MAX, 0); ms.len()];
        for (ci, cl) in clusters.iter().enumerate() {
            let Some(e) = cluster_entity[ci] else { continue };
            let names: Vec<String> = cl
                .candidates
                .iter()
                .filter_map(|&c| cluster_entity[c])
                .map(|x| index.entities[x].name.clone())
                .collect();
            index.entities[e].candidates = names;
            for (pos, &mi) in cl.mentions.iter().enumerate() {
                slot[mi] = (e as u32, pos as u32);
            }
        }
        let mut per_doc: Vec<Vec<Placed>> = vec![Vec::new(); docs.len()];
        for (m, &(e, pos)) in ms.iter().zip(&slot) {
            if let Some(entity) = index.entities.get(e as usize) {
                per_doc[m.doc].push((m.range.clone(), EntityId(e), entity.kind, pos));
            }
        }
        index.docs.reserve(docs.len());
        let mut merged: HashMap<DocId, Vec<Placed>> = HashMap::new();
        for (d, mut v) in docs.iter().zip(per_doc) {
            if v.is_empty() {
                continue;
            }
            match merged.entry(d.id) {
                std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().append(&mut v),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(v);
                }
            }
        }
        for (id, mut v) in merged {
            // by position; equal ranges in entity order, then in the order of the entity's mentions
            v.sort_unstable_by_key(|(r, e, _, pos)| (r.start, r.end, *e, *pos));
            // keep mentions disjoint
            v.dedup_by(|b, a| b.0.start < a.0.end);
            index.docs.insert(id, v.into_iter().map(|(r, e, k, _)| (r, e, k)).collect());
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

/// The distinct surfaces of a cluster's mentions in order of first occurrence:
/// (surface, number of mentions, position of the first one in `mentions`).
fn distinct_surfaces<'a>(ms: &[M<'a>], mentions: &[usize]) -> Vec<(&'a str, usize, usize)> {
    let mut at: HashMap<&str, usize, BuildHasherDefault<KeyHasher>> = HashMap::default();
    let mut out: Vec<(&'a str, usize, usize)> = Vec::new();
    let mut last: Option<(&str, usize)> = None;
    for (i, &mi) in mentions.iter().enumerate() {
        let s = ms[mi].surface;
        // runs of one surface are common: skip the lookup
        let slot = match last {
            Some((l, slot)) if l == s => slot,
            _ => *at.entry(s).or_insert_with(|| {
                out.push((s, 0, i));
                out.len() - 1
            }),
        };
        out[slot].1 += 1;
        last = Some((s, slot));
    }
    out
}

/// The canonical name: the gazetteer's or an acronym's expansion, else for a person the fullest
/// Latin form, else the most frequent form.
fn canonical(ms: &[M], mentions: &[usize], distinct: &[(&str, usize, usize)], kind: Kind) -> String {
    let mut named: HashMap<&str, usize, BuildHasherDefault<KeyHasher>> = HashMap::default();
    for &mi in mentions {
        if let Some(n) = ms[mi].name {
            *named.entry(n).or_default() += 1;
        }
    }
    if let Some((n, _)) = named.iter().max_by_key(|(n, c)| (**c, n.len(), std::cmp::Reverse(**n))) {
        return n.to_string();
    }
    type Score = (usize, usize, usize, usize);
    // the first surface (in mention order) with the highest score
    let mut best: Option<(&str, Score)> = None;
    for &(s, freq, first) in distinct {
        let latin = !has_cyrillic(s);
        let score = if kind == Kind::Person {
            (word_count(s), usize::from(latin), usize::from(!is_all_caps(s)), freq * 1000 + s.len())
        } else {
            (usize::from(latin), usize::from(!is_all_caps(s) || s.len() <= 6), freq, usize::MAX - first)
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
/// documents person mentions too (the candidates are the documents' loose capitalised words).
fn corpus_surnames<'a>(docs: &[DocInput<'a>], ms: &mut Vec<M<'a>>) {
    let known: KeySet =
        ms.iter().filter(|m| m.kind == Kind::Person && m.keys.person.is_some()).map(|m| m.keys.surname).collect();
    if known.is_empty() {
        return;
    }
    for (di, d) in docs.iter().enumerate() {
        for &(s, e, k) in &d.entities.loose {
            let range = s as usize..e as usize;
            let Some(surface) = d.text.get(range.clone()) else { continue };
            if known.contains(&k) {
                ms.push(M {
                    doc: di,
                    range,
                    kind: Kind::Person,
                    surface,
                    name: None,
                    roles: &[],
                    gazetteer: false,
                    evidence: Evidence::Document,
                    keys: MentionKeys { surface: k, label: k, person: None, surname: k },
                });
            }
        }
    }
}

/// Keys for a mention that came without them.
fn mention_keys(surface: &str, name: Option<&str>) -> MentionKeys {
    let s = key(surface);
    MentionKeys { surface: s, label: name.map_or(s, key), person: person_key(surface), surname: surname_key(surface) }
}
