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
//! Incremental: [`EntityIndex::update`] derives the index of a changed corpus from a previous
//! one. Only the changed documents are linked again (plus, when the set of people sharing a
//! surname changed, the documents that mention that surname alone), and only the entities that
//! gained or lost a mention are recomputed; everything else is shared with the previous index.
//! [`EntityIndex::build`] is the same update from an empty index, so there is one linking code
//! path, and the result never depends on the order of updates (a property test compares
//! incremental indexes with fresh ones).
//!
//! Architecture invariant: queries only read per-document sorted mention vectors and
//! per-entity location lists built here, so `at` is a binary search and `references` a copy.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::graph::Network;
use super::keys::{key, person_key, surname_key, Key, KeyMap};
use super::names::{surname_keys, READINGS};
use super::recognize::Evidence;
use super::{Definition, DocInput, DocMentions, Entity, EntityId, Kind, Location, Mentions, Registry};
use crate::translit::{fold, has_cyrillic, transliterate};
use crate::DocId;

/// Where a linked mention comes from in its document's [`DocMentions`]: the index of a
/// recognised mention, or `LOOSE` + the index of a loose capitalised word.
pub(crate) const LOOSE: u32 = 1 << 31;

/// Work lists at least this long are spread over the thread pool (shorter ones, like the
/// relinking after a keystroke, run on the calling thread and never wait for a busy pool).
const PARALLEL: usize = 64;

/// Cluster keys: a registry entry, a person's folded full name, another kind's folded name, a
/// lone surname shared by several people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ClusterKey {
    Registry(u32),
    Person(Key),
    Name(Key),
    Surname(Key),
}

/// One mention of an entity: document, byte range, where it comes from in the document, and
/// what computing the entity reads of it (so that recomputing an entity with 100,000 mentions
/// scans one array instead of visiting 100,000 documents).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ref {
    pub doc: DocId,
    pub start: u32,
    pub end: u32,
    pub src: u32,
    /// Hash of the surface as written: distinct forms are told apart by it (32 bits keep a
    /// mention at 32 bytes; two forms of one entity colliding would only merge their counts).
    pub surface: u32,
    /// Hash of the mention's name, of its list of roles; 0 for none (read from the document
    /// once per distinct value).
    pub name: u32,
    pub roles: u32,
    pub kind: Kind,
    pub evidence: Evidence,
}

// about a hundred of these per article: their size is most of a linked index
const _: () = assert!(std::mem::size_of::<Ref>() == 32);

/// The 32-bit hash of a surface as written (eight bytes a step: every linked mention needs one).
fn surface_key(s: &str) -> u32 {
    crate::hash::bytes(s.as_bytes()) as u32
}

/// The 32-bit hash of a mention's name, or of its list of roles (never 0, which stands for none).
fn text_hash<'a>(texts: impl IntoIterator<Item = &'a str>) -> u32 {
    texts.into_iter().fold(0, |h, t| crate::hash::pair(h, crate::hash::bytes(t.as_bytes()))) as u32 | 1
}

impl Ref {
    fn mention(doc: DocId, text: &str, e: &DocMentions, i: usize) -> Ref {
        let m = &e.mentions[i];
        let (name, roles) = e.extra(i);
        let name = name.map_or(0, |n| text_hash([n]));
        let roles = match roles {
            [] => 0,
            roles => text_hash(roles.iter().map(String::as_str)),
        };
        Ref {
            doc,
            start: m.start,
            end: m.end,
            src: i as u32,
            surface: surface_key(text.get(m.start as usize..m.end as usize).unwrap_or_default()),
            kind: m.kind,
            name,
            roles,
            evidence: m.evidence,
        }
    }

    fn loose(doc: DocId, text: &str, j: usize, (s, e): (u32, u32)) -> Ref {
        Ref {
            doc,
            start: s,
            end: e,
            src: LOOSE | j as u32,
            surface: surface_key(text.get(s as usize..e as usize).unwrap_or_default()),
            name: 0,
            roles: 0,
            kind: Kind::Person,
            evidence: Evidence::Document,
        }
    }

    /// The reference of a linked mention (`src` as in [`Ref::src`]) of a document.
    fn of(d: &DocLinks, src: u32) -> Ref {
        if src >= LOOSE {
            let j = (src - LOOSE) as usize;
            let (s, e, _) = d.entities.loose[j];
            Ref::loose(d.id, &d.text, j, (s, e))
        } else {
            Ref::mention(d.id, &d.text, &d.entities, src as usize)
        }
    }

    fn location(&self) -> Location {
        Location { doc: self.doc, range: self.start as usize..self.end as usize }
    }
}

/// A value linking keeps that may not be read yet: an index read back from the index cache keeps
/// what it found in each document and each entity's mentions in their stored form until a query
/// first needs them (see [`crate::store`]). A value built here is its own deferred form.
pub(crate) trait Deferred<T>: Send + Sync + std::fmt::Debug {
    fn value(&self) -> &T;
}

impl Deferred<Found> for Found {
    fn value(&self) -> &Found {
        self
    }
}

impl Deferred<Vec<Ref>> for Vec<Ref> {
    fn value(&self) -> &Vec<Ref> {
        self
    }
}

/// An entity's mentions, and their numbers, known whether they are read yet or not (for hover
/// cards and symbol ranking).
#[derive(Clone, Debug)]
pub(crate) struct Refs {
    pub refs: Arc<dyn Deferred<Vec<Ref>>>,
    /// Mentions, and documents they are in.
    pub counts: (usize, usize),
}

impl Refs {
    fn built(refs: Vec<Ref>) -> Refs {
        let counts = (refs.len(), refs.chunk_by(|a, b| a.doc == b.doc).count());
        Refs { refs: Arc::new(refs), counts }
    }

    pub(crate) fn get(&self) -> &[Ref] {
        self.refs.value()
    }
}

/// One document as linked.
#[derive(Debug)]
pub(crate) struct DocLinks {
    pub id: DocId,
    pub name: Arc<str>,
    pub text: Arc<str>,
    pub entities: Arc<dyn Mentions>,
    pub found: Arc<dyn Deferred<Found>>,
}

/// What linking found in one document.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Found {
    /// The entities mentioned here, sorted.
    pub mentioned: Vec<EntityId>,
    /// The linked mentions by position, disjoint: what `at` and `mentions_in` read.
    pub placed: Vec<(u32, u32, EntityId)>,
    /// What this document adds to the corpus-wide surname tables: the surname of every person's
    /// full name (`known`), and (surname, cluster) of those that are not registry aliases.
    pub known: Vec<Key>,
    pub full_names: Vec<(Key, EntityId)>,
    /// Surnames mentioned alone (recognised mentions): their linking depends on the corpus.
    pub lone: Vec<Key>,
}

impl DocLinks {
    pub(crate) fn found(&self) -> &Found {
        self.found.value()
    }
}

/// One linked entity with everything the queries read.
#[derive(Clone, Debug)]
pub(crate) struct EntityData {
    pub entity: Entity,
    /// Sorted by document name, then position.
    pub refs: Refs,
    pub def: Option<Definition>,
    /// (document, file name, snippet) for the first mention in each of the first documents.
    pub snippets: Vec<(DocId, String, String)>,
}

/// Clusters by key.
pub(crate) type ClusterMap = crate::hash::FastMap<ClusterKey, EntityId>;

/// All entities of the corpus, linked.
#[derive(Clone, Debug, Default)]
pub struct EntityIndex {
    /// By [`DocId`].
    pub(crate) docs: Vec<Option<Arc<DocLinks>>>,
    /// By [`EntityId`]: the cluster's key and the entity (`None` once it lost its last mention).
    pub(crate) entities: Vec<(ClusterKey, Option<Arc<EntityData>>)>,
    pub(crate) by_key: Arc<ClusterMap>,
    /// Folded registry names and aliases.
    pub(crate) reg_alias: Arc<KeyMap<EntityId>>,
    /// People by surname: (cluster, number of full-name mentions; `u32::MAX` for the registry).
    pub(crate) surnames: Arc<KeyMap<Vec<(EntityId, u32)>>>,
    /// Surnames of persons' full names anywhere, with their number of mentions: a loose
    /// capitalised word with one of these keys is a person mention.
    pub(crate) known: Arc<KeyMap<u32>>,
    pub(crate) registry: Option<Registry>,
    /// Which entities appear together, and the documents' dates: built on first use, then
    /// derived from the previous index's by [`EntityIndex::update`] (see [`Network`]).
    pub(crate) network: OnceLock<Arc<Network>>,
}

/// What the corpus-level views (co-occurrence, cards, the graph) read of one linked document.
pub(super) struct DocView<'a> {
    /// Normalised path.
    pub name: &'a str,
    pub text: &'a str,
    /// The linked mentions by position: (start, end, entity), disjoint.
    pub placed: &'a [(u32, u32, EntityId)],
}

/// What computing an entity reads from a mention's document.
struct View<'a> {
    surface: &'a str,
    name: Option<&'a str>,
    roles: &'a [String],
}

fn view(d: &DocLinks, src: u32) -> View<'_> {
    let (range, name, roles) = if src >= LOOSE {
        let (s, e, _) = d.entities.loose[(src - LOOSE) as usize];
        (s as usize..e as usize, None, &[][..])
    } else {
        let m = &d.entities.mentions[src as usize];
        let (name, roles) = d.entities.extra(src as usize);
        (m.start as usize..m.end as usize, name, roles)
    };
    View { surface: d.text.get(range).unwrap_or_default(), name, roles }
}

/// How a mention links before the corpus-wide surname tables are consulted.
#[derive(Clone, Copy)]
enum First {
    Entity(EntityId),
    Key(ClusterKey),
    /// A person's surname alone: the keys of its base forms (a Cyrillic surname can be read
    /// two ways: Назарбаева is Назарбаев in the genitive, or the woman Назарбаева).
    Lone(Readings),
}

/// The keys of a lone surname's base forms, the likeliest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Readings([Option<Key>; READINGS]);

impl Readings {
    fn keys(self) -> impl Iterator<Item = Key> {
        self.0.into_iter().flatten()
    }

    /// The key of the entity of the surname when it is ambiguous: the likeliest reading's.
    fn cluster(self) -> Key {
        self.0[0].unwrap_or_default()
    }
}

/// The first pass over one document: needs only the registry.
struct Pass1 {
    /// (mention index, how it links)
    links: Vec<(u32, First)>,
    known: Vec<Key>,
    full_names: Vec<(Key, ClusterKey)>,
}

fn first_pass(doc: &DocInput, reg_alias: &KeyMap<EntityId>) -> Pass1 {
    let (text, e) = (&*doc.text, &*doc.entities);
    let mut p = Pass1 { links: Vec::with_capacity(e.mentions.len()), known: Vec::new(), full_names: Vec::new() };
    // a person's full name, with its surname key, until short names are resolved
    let mut full: Vec<Option<Key>> = Vec::with_capacity(e.mentions.len());
    // generic institutions: (link, name key, whose it is when said)
    let mut generic: Vec<(usize, Key, Option<Key>)> = Vec::new();
    for (i, m) in e.mentions.iter().enumerate() {
        let Some(surface) = text.get(m.start as usize..m.end as usize) else { continue };
        let keys = e.keys(i);
        let person_key = keys.person.filter(|_| m.kind == Kind::Person);
        let reg = if reg_alias.is_empty() {
            None
        } else {
            reg_alias.get(&keys.surface).or_else(|| reg_alias.get(&keys.label)).copied()
        };
        let (first, surname) = match (reg, m.kind, person_key) {
            (Some(c), _, _) => (First::Entity(c), person_key.map(|_| keys.surname)),
            (None, Kind::Person, Some(k)) => (First::Key(ClusterKey::Person(k)), Some(keys.surname)),
            (None, Kind::Person, None) => {
                (First::Lone(Readings(lone_readings(text, m.start, m.end, keys.surname))), None)
            }
            (None, Kind::Organization, _) if m.evidence != Evidence::Gazetteer => {
                match institution(surface) {
                    Some((label, whose)) => {
                        // "Ministry of Foreign Affairs": whose it says it is, or is said next to
                        // it (else see below)
                        let whose = whose.or_else(|| qualifier(text, e, i));
                        generic.push((p.links.len(), label.unwrap_or(keys.label), whose));
                        (First::Key(ClusterKey::Name(keys.label)), None)
                    }
                    None => (First::Key(ClusterKey::Name(keys.label)), None),
                }
            }
            (None, _, _) => (First::Key(ClusterKey::Name(keys.label)), None),
        };
        p.links.push((i as u32, first));
        full.push(surname);
    }
    if !generic.is_empty() {
        let fallback = main_place(e).unwrap_or_else(|| crate::hash::bytes(doc.name.as_bytes()));
        scope_generic(fallback, &generic, &mut p.links);
    }
    resolve_short(text, e, &mut p.links, &mut full);
    join_middle_names(text, e, &mut p.links, &mut full);
    for (&(_, first), surname) in p.links.iter().zip(full) {
        let Some(surname) = surname else { continue };
        p.known.push(surname);
        if let First::Key(k @ ClusterKey::Person(_)) = first {
            p.full_names.push((surname, k));
        }
    }
    p
}

/// The keys of the base forms of a surname written alone at `start..end`, the likeliest first
/// (`likeliest`, as recognition stored it): a Latin surname has one; a Cyrillic one all its
/// readings, or the one a past-tense verb next to it agrees with.
fn lone_readings(text: &str, start: u32, end: u32, likeliest: Key) -> [Option<Key>; READINGS] {
    let mut readings = [None; READINGS];
    readings[0] = Some(likeliest);
    let (Some(word), Some(before), Some(after)) =
        (text.get(start as usize..end as usize), text.get(..start as usize), text.get(end as usize..))
    else {
        return readings;
    };
    if !has_cyrillic(word) {
        return readings;
    }
    // a few words around are enough
    let mut a = before.len().saturating_sub(40);
    while !before.is_char_boundary(a) {
        a += 1;
    }
    let mut b = after.len().min(40);
    while !after.is_char_boundary(b) {
        b -= 1;
    }
    if let Some(k) = super::names::surname_by_agreement(word, &before[a..], &after[..b]) {
        return [Some(k), None, None];
    }
    let mut all = surname_keys(word);
    all[0] = Some(likeliest);
    all
}

/// What an update changes, gathered phase by phase (see [`EntityIndex::apply`]).
struct Changes {
    /// The documents to link again.
    relink: Vec<Relink>,
    gone: Vec<DocId>,
    /// Per document to link again: (surname, cluster) of its full names.
    full_names: Vec<Vec<(Key, EntityId)>>,
    /// By document id: linked again (or gone).
    relinked: Vec<bool>,
    /// The entities to recompute.
    touched: Vec<EntityId>,
    changed_surnames: Vec<Key>,
    changed_known: Vec<Key>,
}

/// The items of `v` that occur once: what left a table or entered it, but not both (each item
/// leaves a table at most once and enters it at most once in an update). Sorted.
fn changed_once<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    let mut out = Vec::with_capacity(v.len());
    let mut it = v.into_iter().peekable();
    while let Some(x) = it.next() {
        if it.peek() == Some(&x) {
            it.next();
        } else {
            out.push(x);
        }
    }
    out
}

/// The known place a document names most (the first of those named most often): whose a
/// generic institution is when the text says nothing else.
fn main_place(e: &DocMentions) -> Option<Key> {
    let mut counts: Vec<(Key, usize)> = Vec::new();
    for (i, m) in e.mentions.iter().enumerate() {
        if m.kind == Kind::Place && m.evidence == Evidence::Gazetteer {
            let k = e.keys(i).label;
            match counts.iter_mut().find(|c| c.0 == k) {
                Some(c) => c.1 += 1,
                None => counts.push((k, 1)),
            }
        }
    }
    // the first of the most frequent
    let most = counts.iter().map(|c| c.1).max()?;
    counts.iter().find(|c| c.1 == most).map(|c| c.0)
}

/// The entity of a generic institution's name: the name with its country when the text says it
/// next to the name, or when the document says it once for that name; else with the place the
/// document names most, or in this document only.
fn scope_generic(fallback: Key, generic: &[(usize, Key, Option<Key>)], links: &mut [(u32, First)]) {
    for &(j, label, whose) in generic {
        let scope = whose.or_else(|| {
            let mut said = generic.iter().filter(|g| g.1 == label).filter_map(|g| g.2);
            let first = said.next()?;
            said.all(|k| k == first).then_some(first)
        });
        let scope = scope.unwrap_or(fallback);
        links[j].1 = First::Key(ClusterKey::Name(super::keys::pair_key(label, scope)));
    }
}

/// Is an organisation's name one that many countries have under the same name? The key it
/// links by (`None`: its own) and the country it names, when it names one: an institution read
/// by the lexicon ("Russian Foreign Ministry", "МИД России"), else a name of a generic head
/// ("Inspectorate of Labour").
fn institution(surface: &str) -> Option<(Option<Key>, Option<Key>)> {
    match super::knowledge::institution(surface) {
        Some(inst) => Some((Some(inst.key), inst.country)),
        None => super::names::generic(surface).then_some((None, None)),
    }
}

/// The country a generic institution's name belongs to, said next to it: "Ministry of Foreign
/// Affairs of Kazakhstan", "Kazakhstan's Ministry of Defence", "Министерство иностранных дел
/// Казахстана", "Russian Foreign Ministry": the key of that place.
fn qualifier(text: &str, e: &DocMentions, i: usize) -> Option<Key> {
    let m = &e.mentions[i];
    let place = |j: usize| {
        let q = e.mentions.get(j)?;
        (q.kind == Kind::Place).then(|| (q, e.keys(j).label))
    };
    if let Some((q, k)) = place(i + 1) {
        let gap = text.get(m.end as usize..q.start as usize)?;
        if matches!(gap, " of " | " of the " | " ") {
            return Some(k);
        }
    }
    if let Some((q, k)) = i.checked_sub(1).and_then(place) {
        let gap = text.get(q.end as usize..m.start as usize)?;
        if matches!(gap, "'s " | "’s ") {
            return Some(k);
        }
    }
    // a country's adjective right before the name
    let before = text.get(..m.start as usize)?.strip_suffix(' ')?;
    let start = (before.char_indices().rev())
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '.')
        .last()
        .map_or(before.len(), |(i, _)| i);
    let word = &before[start..];
    super::knowledge::demonym(word)
}

/// Short names of a document that stand for one longer name of it link as that name: a given
/// name and patronymic ("Бориса Николаевича" for Борис Николаевич Ельцин), an acronym of
/// capitals ("ФАС" for Федеральная антимонопольная служба, "WFC" for World Fashion Channel).
/// A person's name taken so is no full name of its own.
fn resolve_short(text: &str, e: &DocMentions, links: &mut [(u32, First)], full: &mut [Option<Key>]) {
    use super::names::{given_and_patronymic, parts, Parts};
    let surface = |i: u32| {
        let m = &e.mentions[i as usize];
        text.get(m.start as usize..m.end as usize).unwrap_or_default()
    };
    let mut shorts: Vec<(usize, Parts)> = Vec::new();
    for (j, &(i, first)) in links.iter().enumerate() {
        let m = &e.mentions[i as usize];
        let short = match (m.kind, first) {
            (Kind::Person, First::Key(_)) => given_and_patronymic(surface(i)),
            (_, First::Key(ClusterKey::Name(_))) if m.evidence != Evidence::Gazetteer => Parts::acronym(surface(i)),
            _ => None,
        };
        if let Some(p) = short {
            shorts.push((j, p));
        }
    }
    if shorts.is_empty() {
        return;
    }
    // the parts of only the kinds of longer names the short ones can stand for
    let persons = shorts.iter().any(|(_, p)| p.initials.is_none());
    let others = shorts.iter().any(|(_, p)| p.initials.is_some());
    let long: Vec<(Parts, First)> = (links.iter())
        .filter(|(i, _)| match e.mentions[*i as usize].kind {
            Kind::Person => persons,
            Kind::Other => false,
            _ => others,
        })
        .filter_map(|&(i, first)| Some((parts(surface(i), e.mentions[i as usize].kind)?, first)))
        .collect();
    for (j, want) in shorts {
        let mut hits = long.iter().filter(|(p, _)| p.stands_for(&want)).map(|&(_, f)| f);
        let Some(target) = hits.next() else { continue };
        if hits.all(|f| same(f, target)) && !same(target, links[j].1) {
            links[j].1 = target;
            full[j] = None;
        }
    }
}

/// Full names of one person in a document that differ because one leaves the given name out
/// ("Тайип Эрдоган" for "Recep Tayyip Erdogan": its given name is the longer name's middle
/// name, and the surname is the same) link as the longer name, and are no full names of their
/// own. Looked for only among full names that share a surname and are not one person already.
fn join_middle_names(text: &str, e: &DocMentions, links: &mut [(u32, First)], full: &mut [Option<Key>]) {
    use super::names::{middle_keys, parts};
    // (link, surname, cluster)
    let persons: Vec<(usize, Key, ClusterKey)> = (links.iter().enumerate())
        .filter_map(|(j, &(_, f))| match (f, full[j]) {
            (First::Key(k @ ClusterKey::Person(_)), Some(s)) => Some((j, s, k)),
            _ => None,
        })
        .collect();
    let shares = |a: &(usize, Key, ClusterKey)| persons.iter().any(|b| b.1 == a.1 && b.2 != a.2);
    if !persons.iter().any(shares) {
        return;
    }
    let surface = |j: usize| {
        let m = &e.mentions[links[j].0 as usize];
        text.get(m.start as usize..m.end as usize).unwrap_or_default()
    };
    let mut joins: Vec<(usize, ClusterKey)> = Vec::new();
    for a in persons.iter().filter(|a| shares(a)) {
        let Some(given) = parts(surface(a.0), Kind::Person).and_then(|p| p.given) else { continue };
        let mut longer = (persons.iter())
            .filter(|b| b.1 == a.1 && b.2 != a.2 && middle_keys(surface(b.0)).contains(&given))
            .map(|b| b.2);
        let Some(target) = longer.next() else { continue };
        if longer.all(|k| k == target) {
            joins.push((a.0, target));
        }
    }
    for (j, target) in joins {
        links[j].1 = First::Key(target);
        full[j] = None;
    }
}

fn same(a: First, b: First) -> bool {
    match (a, b) {
        (First::Entity(x), First::Entity(y)) => x == y,
        (First::Key(x), First::Key(y)) => x == y,
        _ => false,
    }
}

/// A document to link again: its input and, once resolved, its first pass.
struct Relink {
    input: DocInput,
    pass1: Pass1,
}

/// A document after the second pass: its links by position, where an entity id with
/// [`PENDING`] set stands for the cluster of `pending[id - PENDING]`, made once the passes
/// are over (an ambiguous surname's, a short name's own).
struct Linked {
    input: DocInput,
    known: Vec<Key>,
    lone: Vec<Key>,
    /// (start, end, source, entity): the reference itself is made when the entity is computed.
    links: Vec<(u32, u32, u32, EntityId)>,
    pending: Vec<ClusterKey>,
}

const PENDING: u32 = 1 << 31;

/// The people a document names in full by the end of its first pass, for a word alone to find
/// the one whose given name it is: read from the text on first use.
struct DocNames<'a> {
    text: &'a str,
    /// (start, end, entity) of the full names of persons.
    people: Vec<(u32, u32, EntityId)>,
    entities: Vec<EntityId>,
    given: OnceLock<Vec<(Key, EntityId)>>,
}

impl<'a> DocNames<'a> {
    fn new(text: &'a str, e: &DocMentions, links: &[(u32, u32, u32, EntityId)]) -> DocNames<'a> {
        let mut entities: Vec<EntityId> = links.iter().map(|l| l.3).collect();
        entities.sort_unstable();
        entities.dedup();
        let people = (links.iter())
            .filter(|l| e.mentions.get(l.2 as usize).is_some_and(|m| m.kind == Kind::Person))
            .map(|&(s, e, _, c)| (s, e, c))
            .collect();
        DocNames { text, people, entities, given: OnceLock::new() }
    }

    fn has(&self, c: EntityId) -> bool {
        self.entities.binary_search(&c).is_ok()
    }

    /// The one person of the document whose given name `word` is ("Егора" for Егор Свиридов).
    fn given(&self, word: &str) -> Option<EntityId> {
        let given = self.given.get_or_init(|| {
            (self.people.iter())
                .filter_map(|&(s, e, c)| {
                    let p = super::names::parts(self.text.get(s as usize..e as usize)?, Kind::Person)?;
                    Some((p.given?, c))
                })
                .collect()
        });
        let keys = super::names::given_keys(word);
        let mut found = given.iter().filter(|(g, _)| keys.contains(g)).map(|&(_, c)| c);
        let first = found.next()?;
        found.all(|c| c == first).then_some(first)
    }
}

/// A relinked document's name, id and links.
type DocRefs = (Arc<str>, DocId, Vec<(u32, u32, u32, EntityId)>);

impl EntityIndex {
    /// Link the mentions of every document (and the registry's entries) into entities.
    ///
    /// Linear in the number of mentions: every comparison is between the folded keys that
    /// recognition stored with each mention; no document text is read again except to cut
    /// the few snippets shown in hover cards.
    pub fn build(docs: impl IntoIterator<Item = DocInput>, registry: Option<&Registry>) -> EntityIndex {
        EntityIndex::default().update(docs, registry)
    }

    /// The index of the corpus made of `docs` (every document, changed or not), derived from
    /// this one: documents with the same name and text as before keep their links unless a
    /// surname they mention alone changed meaning. Texts are compared as objects first, and by
    /// their contents only when the objects differ; a document's mentions must be those of its
    /// text.
    pub fn update(&self, docs: impl IntoIterator<Item = DocInput>, registry: Option<&Registry>) -> EntityIndex {
        let derived = self.registry.as_ref() == registry && !self.docs.is_empty();
        let (mut next, touched) = if derived {
            let mut next = self.clone();
            next.network = OnceLock::new();
            (next, Vec::new())
        } else {
            EntityIndex::with_registry(registry)
        };
        let changed = next.apply(docs.into_iter().collect(), touched);
        // the network of an index derived from this one follows from the changed documents
        if let (true, Some(network)) = (derived, self.network.get()) {
            let network =
                if changed.is_empty() { network.clone() } else { Arc::new(network.derive(self, &next, &changed)) };
            let _ = next.network.set(network);
        }
        next
    }

    /// An index with the registry's entries and no document (the entries still to compute).
    fn with_registry(registry: Option<&Registry>) -> (EntityIndex, Vec<EntityId>) {
        let mut ix = EntityIndex { registry: registry.cloned(), ..EntityIndex::default() };
        let mut touched = Vec::new();
        let Some(reg) = registry else { return (ix, touched) };
        let by_key = Arc::make_mut(&mut ix.by_key);
        let reg_alias = Arc::make_mut(&mut ix.reg_alias);
        let surnames = Arc::make_mut(&mut ix.surnames);
        for (ri, e) in reg.entries.iter().enumerate() {
            let c = EntityId(ix.entities.len() as u32);
            ix.entities.push((ClusterKey::Registry(ri as u32), None));
            by_key.insert(ClusterKey::Registry(ri as u32), c);
            touched.push(c);
            for a in std::iter::once(&e.name).chain(&e.aliases) {
                reg_alias.entry(key(a)).or_insert(c);
                if e.kind == Kind::Person {
                    if let Some(k) = person_key(a) {
                        by_key.entry(ClusterKey::Person(k)).or_insert(c);
                        let s = surnames.entry(surname_key(a)).or_default();
                        if !s.iter().any(|&(x, _)| x == c) {
                            s.push((c, u32::MAX));
                        }
                    }
                }
            }
        }
        (ix, touched)
    }

    /// Bring the index to `inputs` (every document), in seven phases: what changed, the first
    /// pass of the changed documents, the surname tables, the unchanged documents a surname
    /// change affects, the second pass, the new document links, the entities touched. Returns the
    /// documents linked again (added, changed, affected by a surname change, or gone).
    fn apply(&mut self, inputs: Vec<DocInput>, touched: Vec<EntityId>) -> Vec<DocId> {
        let Some(mut ch) = self.changes(inputs, touched) else { return Vec::new() };
        self.first_passes(&mut ch.relink);
        self.swap_surnames(&mut ch);
        self.relink_lone_surnames(&mut ch);
        let relink = std::mem::take(&mut ch.relink);
        let second = |r: Relink| self.second_pass(r);
        let linked: Vec<Linked> = if relink.len() >= PARALLEL {
            relink.into_par_iter().map(second).collect()
        } else {
            relink.into_iter().map(second).collect()
        };
        let mut new_links = self.place(linked, &mut ch);
        ch.touched.sort_unstable();
        ch.touched.dedup();
        new_links.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.recompute(&ch.touched, &ch.relinked, new_links);
        self.refresh_candidates(&ch.touched, &ch.changed_surnames);
        (ch.relinked.iter().enumerate()).filter(|(_, &r)| r).map(|(i, _)| DocId(i as u32)).collect()
    }

    /// Phase 1, what changed: the documents that are new or not the same objects as before,
    /// and those that are gone. `None` when nothing did.
    fn changes(&mut self, inputs: Vec<DocInput>, touched: Vec<EntityId>) -> Option<Changes> {
        let n_docs = inputs.iter().map(|d| d.id.0 as usize + 1).max().unwrap_or(0).max(self.docs.len());
        self.docs.resize_with(n_docs, || None);
        let mut present = vec![false; n_docs];
        let mut relink: Vec<Relink> = Vec::new();
        for d in inputs {
            let slot = &mut self.docs[d.id.0 as usize];
            present[d.id.0 as usize] = true;
            match slot.as_ref().filter(|o| o.name == d.name) {
                Some(o) if Arc::ptr_eq(&o.text, &d.text) && Arc::ptr_eq(&o.entities, &d.entities) => {}
                // the same text read again (a document opened or closed, an index read back):
                // the same links, kept with the new objects
                Some(o) if o.text == d.text => {
                    let found = o.found.clone();
                    let DocInput { id, name, text, entities } = d;
                    *slot = Some(Arc::new(DocLinks { id, name, text, entities, found }));
                }
                _ => {
                    let pass1 = Pass1 { links: Vec::new(), known: Vec::new(), full_names: Vec::new() };
                    relink.push(Relink { input: d, pass1 });
                }
            }
        }
        let gone: Vec<DocId> =
            (0..n_docs).filter(|&i| !present[i] && self.docs[i].is_some()).map(|i| DocId(i as u32)).collect();
        if relink.is_empty() && gone.is_empty() && touched.is_empty() {
            return None;
        }
        let relinked = vec![false; n_docs];
        let (changed_surnames, changed_known, full_names) = (Vec::new(), Vec::new(), Vec::new());
        Some(Changes { relink, gone, full_names, relinked, touched, changed_surnames, changed_known })
    }

    /// Phase 2: the first pass of the changed documents.
    fn first_passes(&self, relink: &mut [Relink]) {
        let reg_alias = &self.reg_alias;
        let first = |r: &mut Relink| r.pass1 = first_pass(&r.input, reg_alias);
        if relink.len() >= PARALLEL {
            relink.par_iter_mut().for_each(first);
        } else {
            relink.iter_mut().for_each(first);
        }
    }

    /// Phase 3, the surname tables: take out what the old versions of the changed and gone
    /// documents added, put in what the new versions add.
    fn swap_surnames(&mut self, ch: &mut Changes) {
        // what leaves and enters the tables: a surname or key that leaves and enters again (a
        // document linked again with the same people) has not changed meaning
        let (mut surnames, mut known) = (Vec::new(), Vec::new());
        for id in ch.relink.iter().map(|r| r.input.id).chain(ch.gone.iter().copied()) {
            ch.relinked[id.0 as usize] = true;
            let Some(old) = self.docs[id.0 as usize].clone() else { continue };
            ch.touched.extend_from_slice(&old.found().mentioned);
            self.forget(&old, &mut surnames, &mut known);
        }
        for id in &ch.gone {
            self.docs[id.0 as usize] = None;
        }
        ch.full_names.reserve(ch.relink.len());
        for r in &mut ch.relink {
            let mut names = Vec::with_capacity(r.pass1.full_names.len());
            for &(s, k) in &r.pass1.full_names {
                names.push((s, self.cluster(k, &mut ch.touched)));
            }
            for l in &mut r.pass1.links {
                if let First::Key(k) = l.1 {
                    l.1 = First::Entity(self.cluster(k, &mut ch.touched));
                }
            }
            self.learn(&r.pass1.known, &names, &mut surnames, &mut known);
            ch.full_names.push(names);
        }
        ch.changed_known = changed_once(known);
        ch.changed_surnames = changed_once(surnames).into_iter().map(|(s, _)| s).collect();
        ch.changed_surnames.dedup();
    }

    /// Phase 4: the unchanged documents that mention a surname alone whose meaning changed are
    /// linked again too.
    fn relink_lone_surnames(&mut self, ch: &mut Changes) {
        if ch.changed_surnames.is_empty() && ch.changed_known.is_empty() {
            return;
        }
        let surnames: KeyMap<()> = ch.changed_surnames.iter().map(|&k| (k, ())).collect();
        let any: KeyMap<()> = ch.changed_known.iter().chain(&ch.changed_surnames).map(|&k| (k, ())).collect();
        let hits: Vec<Arc<DocLinks>> = (self.docs.iter().enumerate())
            .filter(|&(i, _)| !ch.relinked[i])
            .filter_map(|(_, d)| d.clone())
            .filter(|d| {
                d.found().lone.iter().any(|k| surnames.contains_key(k))
                    || d.entities.any_loose_key(&|k| any.contains_key(&k))
            })
            .collect();
        for d in hits {
            ch.relinked[d.id.0 as usize] = true;
            ch.touched.extend_from_slice(&d.found().mentioned);
            let input = DocInput { id: d.id, name: d.name.clone(), text: d.text.clone(), entities: d.entities.clone() };
            let mut pass1 = first_pass(&input, &self.reg_alias);
            for l in &mut pass1.links {
                if let First::Key(k) = l.1 {
                    l.1 = First::Entity(self.cluster(k, &mut ch.touched));
                }
            }
            ch.full_names.push(d.found().full_names.clone());
            ch.relink.push(Relink { input, pass1 });
        }
    }

    /// Phase 6, the new links of the documents linked again (after their second pass, phase
    /// 5): each document's links by position, and (name, id, links) for recomputing the
    /// entities (phase 7).
    fn place(&mut self, linked: Vec<Linked>, ch: &mut Changes) -> Vec<DocRefs> {
        let mut new_links: Vec<DocRefs> = Vec::with_capacity(linked.len());
        for (mut l, full_names) in linked.into_iter().zip(std::mem::take(&mut ch.full_names)) {
            for (_, _, _, c) in &mut l.links {
                if c.0 >= PENDING {
                    *c = self.cluster(l.pending[(c.0 - PENDING) as usize], &mut ch.touched);
                }
            }
            let links = l.links;
            let mut mentioned: Vec<EntityId> = links.iter().map(|l| l.3).collect();
            mentioned.sort_unstable();
            mentioned.dedup();
            ch.touched.extend_from_slice(&mentioned);
            let mut placed: Vec<(u32, u32, EntityId)> = links.iter().map(|&(s, e, _, c)| (s, e, c)).collect();
            placed.dedup_by(|b, a| b.0 < a.1);
            new_links.push((l.input.name.clone(), l.input.id, links));
            let found = Found { mentioned, placed, known: l.known, full_names, lone: l.lone };
            self.docs[l.input.id.0 as usize] = Some(Arc::new(DocLinks {
                id: l.input.id,
                name: l.input.name,
                text: l.input.text,
                entities: l.input.entities,
                found: Arc::new(found),
            }));
        }
        new_links
    }

    /// The cluster of a key, created if new.
    fn cluster(&mut self, k: ClusterKey, touched: &mut Vec<EntityId>) -> EntityId {
        if let Some(&c) = self.by_key.get(&k) {
            return c;
        }
        let c = EntityId(self.entities.len() as u32);
        self.entities.push((k, None));
        Arc::make_mut(&mut self.by_key).insert(k, c);
        touched.push(c);
        c
    }

    /// Take a document's full names out of the surname tables. Pushes each key that leaves
    /// `known` and each (surname, cluster) that leaves `surnames`.
    fn forget(&mut self, d: &DocLinks, surnames_out: &mut Vec<(Key, EntityId)>, known_out: &mut Vec<Key>) {
        let d = d.found();
        if !d.known.is_empty() {
            let known = Arc::make_mut(&mut self.known);
            for k in &d.known {
                if let Some(n) = known.get_mut(k) {
                    *n -= 1;
                    if *n == 0 {
                        known.remove(k);
                        known_out.push(*k);
                    }
                }
            }
        }
        if !d.full_names.is_empty() {
            let surnames = Arc::make_mut(&mut self.surnames);
            for &(s, c) in &d.full_names {
                let Some(v) = surnames.get_mut(&s) else { continue };
                let Some(i) = v.iter().position(|&(x, _)| x == c) else { continue };
                if v[i].1 != u32::MAX {
                    v[i].1 -= 1;
                    if v[i].1 == 0 {
                        v.remove(i);
                        surnames_out.push((s, c));
                        if v.is_empty() {
                            surnames.remove(&s);
                        }
                    }
                }
            }
        }
    }

    /// Put a document's full names into the surname tables. Pushes each key that enters
    /// `known` and each (surname, cluster) that enters `surnames`.
    fn learn(
        &mut self,
        known: &[Key],
        full_names: &[(Key, EntityId)],
        surnames_in: &mut Vec<(Key, EntityId)>,
        known_in: &mut Vec<Key>,
    ) {
        if !known.is_empty() {
            let table = Arc::make_mut(&mut self.known);
            for &k in known {
                let n = table.entry(k).or_insert(0);
                if *n == 0 {
                    known_in.push(k);
                }
                *n += 1;
            }
        }
        if !full_names.is_empty() {
            let surnames = Arc::make_mut(&mut self.surnames);
            for &(s, c) in full_names {
                let v = surnames.entry(s).or_default();
                match v.iter_mut().find(|(x, _)| *x == c) {
                    Some((_, n)) => *n = n.saturating_add(1),
                    None => {
                        v.push((c, 1));
                        surnames_in.push((s, c));
                    }
                }
            }
        }
    }

    /// Lone surnames and loose words of one document: the one person with that surname in the
    /// document, else the one in the corpus, else the one person of the document with that
    /// given name, else an ambiguous-surname entity.
    fn second_pass(&self, r: Relink) -> Linked {
        let Relink { input, pass1 } = r;
        let (text, e) = (&*input.text, input.entities.read());
        let mut links = Vec::with_capacity(pass1.links.len() + 4);
        let mut lone: Vec<((u32, u32, u32), Readings)> = Vec::new();
        for &(i, f) in &pass1.links {
            let r = &e.mentions[i as usize];
            let m = (r.start, r.end, i);
            match f {
                First::Entity(c) => links.push((m.0, m.1, m.2, c)),
                // resolved before this pass (a key still unresolved would be an ambiguous link)
                First::Key(k) => match self.by_key.get(&k) {
                    Some(&c) => links.push((m.0, m.1, m.2, c)),
                    None => continue,
                },
                First::Lone(k) => lone.push((m, k)),
            }
        }
        let mut lone_keys: Vec<Key> = lone.iter().flat_map(|l| l.1.keys()).collect();
        lone_keys.sort_unstable();
        lone_keys.dedup();
        if !self.known.is_empty() {
            self.loose_persons(text, e, &mut lone);
        }
        let mut pending: Vec<ClusterKey> = Vec::new();
        let mut pend = |k: ClusterKey| {
            let j = pending.iter().position(|&x| x == k).unwrap_or_else(|| {
                pending.push(k);
                pending.len() - 1
            });
            EntityId(PENDING + j as u32)
        };
        if !lone.is_empty() {
            let here = DocNames::new(text, e, &links);
            for (m, k) in lone {
                let mut cands: Vec<EntityId> =
                    k.keys().flat_map(|k| self.surnames.get(&k).into_iter().flatten().map(|&(c, _)| c)).collect();
                cands.sort_unstable();
                cands.dedup();
                let mut in_doc = cands.iter().filter(|c| here.has(**c));
                let target = match (in_doc.next(), in_doc.next()) {
                    (Some(&c), None) => c,
                    (None, _) if cands.len() == 1 => cands[0],
                    (None, _) if cands.is_empty() => {
                        let word = text.get(m.0 as usize..m.1 as usize).unwrap_or_default();
                        here.given(word).unwrap_or_else(|| pend(ClusterKey::Surname(k.cluster())))
                    }
                    _ => pend(ClusterKey::Surname(k.cluster())),
                };
                links.push((m.0, m.1, m.2, target));
            }
        }
        // the first pass's links are in text order and the lone surnames came after them: a
        // stable sort finds that run and merges the rest into it
        links.sort_by_key(|&(s, e, src, _)| (s, e, src));
        Linked { input, known: pass1.known, lone: lone_keys, links, pending }
    }

    /// The loose words of a document that are surnames of full names elsewhere: a word can
    /// have several keys (its base forms), each a loose entry of the same span.
    fn loose_persons(&self, text: &str, e: &DocMentions, lone: &mut Vec<((u32, u32, u32), Readings)>) {
        let mut j = 0;
        while j < e.loose.len() {
            let (s, en, _) = e.loose[j];
            let mut n = 1;
            while e.loose.get(j + n).is_some_and(|l| (l.0, l.1) == (s, en)) {
                n += 1;
            }
            let keys = &e.loose[j..j + n];
            if keys.iter().any(|l| self.known.contains_key(&l.2)) && text.get(s as usize..en as usize).is_some() {
                // the readings in the order of the word's base forms, as for a recognised surname
                let mut readings = [None; READINGS];
                for (r, l) in readings.iter_mut().zip(keys) {
                    *r = Some(l.2);
                }
                lone.push(((s, en, LOOSE | j as u32), Readings(readings)));
            }
            j += n;
        }
    }

    /// Recompute the given entities from their mentions: the kept ones of documents not linked
    /// again, and the new ones of those that were.
    fn recompute(&mut self, touched: &[EntityId], relinked: &[bool], new_links: Vec<DocRefs>) {
        if touched.is_empty() {
            return;
        }
        let mut slot: Vec<u32> = vec![u32::MAX; self.entities.len()];
        for (i, c) in touched.iter().enumerate() {
            slot[c.0 as usize] = i as u32;
        }
        // new mentions, by entity, in document-name order
        let mut sizes = vec![0usize; touched.len()];
        for (_, _, links) in &new_links {
            for (_, _, _, c) in links {
                if let Some(n) = sizes.get_mut(slot[c.0 as usize] as usize) {
                    *n += 1;
                }
            }
        }
        let mut fresh: Vec<Vec<Ref>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (_, doc, links) in new_links {
            let Some(d) = self.docs[doc.0 as usize].as_deref() else { continue };
            for (_, _, src, c) in links {
                let i = slot[c.0 as usize];
                if i != u32::MAX {
                    fresh[i as usize].push(Ref::of(d, src));
                }
            }
        }
        let this = &*self;
        let compute = |(&c, fresh): (&EntityId, Vec<Ref>)| -> Option<Arc<EntityData>> {
            let (key, old) = &this.entities[c.0 as usize];
            let (key, old) = (*key, old.as_deref());
            let kept = old.map_or(&[][..], |o| o.refs.get());
            let refs = this.merge(kept, fresh, relinked);
            if refs.is_empty() && !matches!(key, ClusterKey::Registry(_)) {
                return None;
            }
            Some(Arc::new(this.entity_data(key, refs)))
        };
        let results: Vec<Option<Arc<EntityData>>> = if touched.len() >= PARALLEL {
            touched.par_iter().zip(fresh).map(compute).collect()
        } else {
            touched.iter().zip(fresh).map(compute).collect()
        };
        for (&c, data) in touched.iter().zip(results) {
            let slot = &mut self.entities[c.0 as usize];
            if data.is_none() && self.by_key.get(&slot.0) == Some(&c) {
                Arc::make_mut(&mut self.by_key).remove(&slot.0);
            }
            slot.1 = data;
        }
    }

    /// An entity's kept mentions (documents not linked again) merged with its new ones, both
    /// sorted by document name.
    fn merge(&self, kept: &[Ref], fresh: Vec<Ref>, relinked: &[bool]) -> Vec<Ref> {
        let keep = |r: &&Ref| !relinked.get(r.doc.0 as usize).copied().unwrap_or(false);
        let kept: Vec<Ref> = kept.iter().filter(keep).copied().collect();
        if fresh.is_empty() {
            return kept;
        }
        if kept.is_empty() {
            return fresh;
        }
        let name = |r: &Ref| self.docs[r.doc.0 as usize].as_deref().map_or("", |d| &*d.name);
        let mut out = Vec::with_capacity(kept.len() + fresh.len());
        let mut k = 0;
        for run in fresh.chunk_by(|a, b| a.doc == b.doc) {
            let n = name(&run[0]);
            let at = k + kept[k..].partition_point(|r| name(r) < n);
            out.extend_from_slice(&kept[k..at]);
            out.extend_from_slice(run);
            k = at;
        }
        out.extend_from_slice(&kept[k..]);
        out
    }

    /// An entity computed from its mentions (and its registry entry). Reads the mentions'
    /// documents only for distinct surfaces, names, roles and snippets.
    fn entity_data(&self, key: ClusterKey, refs: Vec<Ref>) -> EntityData {
        let docs = &self.docs;
        let view = |r: &Ref| view(docs[r.doc.0 as usize].as_deref().expect("a mentioned document is linked"), r.src);
        let reg = match key {
            ClusterKey::Registry(ri) => self.registry.as_ref().and_then(|g| g.entries.get(ri as usize)),
            _ => None,
        };
        let kind = reg.map(|r| r.kind).unwrap_or_else(|| vote_kind(&refs));
        let distinct: Vec<(&str, usize, usize)> =
            distinct_surfaces(&refs).into_iter().map(|(_, n, first)| (view(&refs[first]).surface, n, first)).collect();
        let name = match reg {
            Some(r) => r.name.clone(),
            None => {
                // names by hash: their count, and where one of them is written
                let mut named: HashMap<u32, (usize, usize)> = HashMap::new();
                for (i, r) in refs.iter().enumerate().filter(|(_, r)| r.name != 0) {
                    named.entry(r.name).or_insert((0, i)).0 += 1;
                }
                let names: Vec<(&str, usize)> =
                    named.values().filter_map(|&(n, i)| Some((view(&refs[i]).name?, n))).collect();
                canonical(&names, &distinct, kind)
            }
        };
        let mut forms: Vec<String> =
            distinct.iter().filter(|(s, _, _)| *s != name).map(|(s, _, _)| s.to_string()).collect();
        let mut roles = ranked_roles(&refs, |r| view(r).roles);
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
        let def = match reg {
            Some(r) => Some(Definition::Registry(r.range.clone())),
            None => {
                // the first mention of the fullest form: of most words, the name itself, else
                // a Latin one, else the first
                let best = distinct.iter().max_by_key(|(s, _, first)| {
                    (word_count(s), *s == name, !has_cyrillic(s), std::cmp::Reverse(*first))
                });
                best.map(|&(_, _, first)| Definition::Mention(refs[first].location()))
            }
        };
        let mut snippets = Vec::new();
        for run in refs.chunk_by(|a, b| a.doc == b.doc).take(8) {
            let Some(d) = docs[run[0].doc.0 as usize].as_deref() else { continue };
            let file = d.name.rsplit(['/', '\\']).next().unwrap_or(&d.name).to_string();
            snippets.push((d.id, file, snippet(&d.text, run[0].start as usize..run[0].end as usize)));
        }
        let entity = Entity {
            name,
            kind,
            forms,
            roles,
            description: reg.and_then(|r| r.description.clone()),
            candidates: Vec::new(),
        };
        EntityData { entity, refs: Refs::built(refs), def, snippets }
    }

    /// The candidates listed on ambiguous surnames: the people sharing the surname, by name.
    /// Refreshed where the set of people changed or one of them was recomputed.
    fn refresh_candidates(&mut self, touched: &[EntityId], changed_surnames: &[Key]) {
        let mut hot = vec![false; self.entities.len()];
        for c in touched {
            hot[c.0 as usize] = true;
        }
        let changed: KeyMap<()> = changed_surnames.iter().map(|&k| (k, ())).collect();
        for i in 0..self.entities.len() {
            let (ClusterKey::Surname(_), Some(data)) = &self.entities[i] else { continue };
            // the surname's readings, as its mentions were read
            let readings: Vec<Key> = data.refs.get().first().map_or_else(Vec::new, |r| {
                let surface = self.docs[r.doc.0 as usize].as_deref().map_or("", |d| view(d, r.src).surface);
                surname_keys(surface).into_iter().flatten().collect()
            });
            let cands: Vec<EntityId> =
                (readings.iter()).flat_map(|k| self.surnames.get(k).into_iter().flatten().map(|&(c, _)| c)).collect();
            if !(hot[i] || readings.iter().any(|k| changed.contains_key(k)) || cands.iter().any(|c| hot[c.0 as usize]))
            {
                continue;
            }
            let mut names: Vec<String> = cands
                .iter()
                .filter_map(|c| self.entities[c.0 as usize].1.as_ref().map(|d| d.entity.name.clone()))
                .collect();
            names.sort();
            names.dedup();
            if let Some(data) = &mut self.entities[i].1 {
                if data.entity.candidates != names {
                    Arc::make_mut(data).entity.candidates = names;
                }
            }
        }
    }

    fn data(&self, id: EntityId) -> Option<&EntityData> {
        self.entities.get(id.0 as usize)?.1.as_deref()
    }

    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.data(id).map(|d| &d.entity)
    }

    /// One more than the highest entity id.
    pub(super) fn entity_slots(&self) -> usize {
        self.entities.len()
    }

    /// One more than the highest document id linked.
    pub(super) fn doc_slots(&self) -> usize {
        self.docs.len()
    }

    /// A linked document as the corpus-level views read it.
    pub(super) fn doc_view(&self, id: DocId) -> Option<DocView<'_>> {
        let d = self.docs.get(id.0 as usize)?.as_deref()?;
        Some(DocView { name: &d.name, text: &d.text, placed: &d.found().placed })
    }

    /// An entity's mentions, sorted by document name then position: (document, start, end).
    pub(super) fn spans(&self, id: EntityId) -> impl Iterator<Item = (DocId, u32, u32)> + '_ {
        self.data(id).map_or(&[][..], |d| d.refs.get()).iter().map(|r| (r.doc, r.start, r.end))
    }

    /// The co-occurrence network and the documents' dates (see [`Network`]): built now, in
    /// parallel, unless this index has it already (from the index it was updated from).
    pub fn network(&self) -> &Network {
        self.network.get_or_init(|| Arc::new(Network::build(self)))
    }

    /// [`EntityIndex::network`] if it is built (never builds).
    pub fn network_if_built(&self) -> Option<&Network> {
        self.network.get().map(|n| &**n)
    }

    /// Every entity, in a stable order.
    pub fn all(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities.iter().enumerate().filter_map(|(i, (_, d))| d.as_ref().map(|d| (EntityId(i as u32), &d.entity)))
    }

    /// The entity mentioned at `offset` in `doc`, with the mention's range.
    pub fn at(&self, doc: DocId, offset: usize) -> Option<(EntityId, Range<usize>)> {
        let v = &self.docs.get(doc.0 as usize)?.as_ref()?.found().placed;
        let i = v.partition_point(|&(_, end, _)| (end as usize) < offset);
        let &(start, end, id) = v.get(i)?;
        (start as usize <= offset).then_some((id, start as usize..end as usize))
    }

    /// The linked mentions of one document, sorted by position (semantic tokens, symbols, highlights).
    pub fn mentions_in(&self, doc: DocId) -> Vec<(Range<usize>, EntityId, Kind)> {
        let Some(Some(d)) = self.docs.get(doc.0 as usize) else { return Vec::new() };
        d.found()
            .placed
            .iter()
            .filter_map(|&(s, e, id)| Some((s as usize..e as usize, id, self.entity(id)?.kind)))
            .collect()
    }

    /// Every mention of an entity in the corpus, sorted by document then position.
    pub fn references(&self, id: EntityId) -> Vec<Location> {
        self.data(id).map_or_else(Vec::new, |d| d.refs.get().iter().map(Ref::location).collect())
    }

    pub fn definition(&self, id: EntityId) -> Option<Definition> {
        self.data(id)?.def.clone()
    }

    /// Entities whose name or forms match a workspace-symbol query (fuzzy, case-insensitive):
    /// best match first, then the most mentioned, then by name.
    pub fn search(&self, query: &str, limit: usize) -> Vec<EntityId> {
        let q: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
        let qf = fold(query);
        let mut scored: Vec<(u32, usize, &Entity, EntityId)> = Vec::new();
        for (id, e) in self.all() {
            let mut best = 0u32;
            for f in std::iter::once(&e.name).chain(&e.forms) {
                best = best.max(match_score(f, &q, &qf));
            }
            if best > 0 {
                scored.push((best, self.counts(id).0, e, id));
            }
        }
        scored.sort_by(|a, b| {
            (b.0.cmp(&a.0))
                .then(b.1.cmp(&a.1))
                .then_with(|| a.2.name.cmp(&b.2.name))
                .then(a.2.kind.cmp(&b.2.kind))
                .then(a.3.cmp(&b.3))
        });
        scored.into_iter().take(limit).map(|x| x.3).collect()
    }

    /// Total mentions and number of documents of an entity.
    pub fn counts(&self, id: EntityId) -> (usize, usize) {
        self.data(id).map_or((0, 0), |d| d.refs.counts)
    }

    /// Read every value still deferred (see [`Deferred`]), in parallel: what linking found in
    /// each document, each entity's mentions.
    pub fn read_deferred(&self) {
        self.docs.par_iter().flatten().for_each(|d| {
            d.found();
        });
        self.entities.par_iter().for_each(|(_, d)| {
            if let Some(d) = d {
                d.refs.get();
            }
        });
    }
}

/// The roles of an entity's mentions, most frequent first (ties: first seen first), each
/// written as where it was first seen; spellings that differ only in ASCII case are one role.
/// Each distinct list of roles is read from its document once.
fn ranked_roles<'a>(refs: &[Ref], roles_of: impl Fn(&Ref) -> &'a [String]) -> Vec<String> {
    // distinct role lists by hash: (mentions carrying it, first of them)
    let mut lists: HashMap<u32, (usize, usize)> = HashMap::new();
    for (i, r) in refs.iter().enumerate().filter(|(_, r)| r.roles != 0) {
        lists.entry(r.roles).or_insert((0, i)).0 += 1;
    }
    let mut lists: Vec<(usize, usize)> = lists.into_values().collect();
    lists.sort_unstable_by_key(|&(_, first)| first);
    // (role, mentions, first)
    let mut ranked: Vec<(&'a str, usize, usize)> = Vec::new();
    for (n, first) in lists {
        for x in roles_of(&refs[first]) {
            match ranked.iter_mut().find(|y| y.0.eq_ignore_ascii_case(x)) {
                Some(y) => y.1 += n,
                None => ranked.push((x, n, first)),
            }
        }
    }
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    ranked.into_iter().map(|(r, _, _)| r.to_string()).collect()
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

fn is_all_caps(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !s.chars().any(char::is_lowercase)
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

fn vote_kind(ms: &[Ref]) -> Kind {
    if let Some(g) = ms.iter().find(|m| m.evidence == Evidence::Gazetteer) {
        return g.kind;
    }
    let mut counts = [0usize; 4];
    for m in ms {
        counts[m.kind as usize] += match m.evidence {
            Evidence::Gazetteer => 100,
            Evidence::Head | Evidence::Cue | Evidence::Acronym => 10,
            Evidence::Shape | Evidence::Model => 5,
            Evidence::Document => 2,
            Evidence::Context => 1,
        };
    }
    let best = (0..4).max_by_key(|&k| (counts[k], std::cmp::Reverse(k))).unwrap_or(0);
    Kind::ALL[best]
}

/// The distinct surfaces of a cluster's mentions in order of first occurrence:
/// (surface hash, number of mentions, position of the first one).
fn distinct_surfaces(ms: &[Ref]) -> Vec<(u64, usize, usize)> {
    let mut at: crate::hash::FastMap<u64, usize> = Default::default();
    let mut out: Vec<(u64, usize, usize)> = Vec::new();
    let mut last: Option<(u64, usize)> = None;
    for (i, m) in ms.iter().enumerate() {
        // spread over 64 bits for the table
        let s = u64::from(m.surface).wrapping_mul(0x9e37_79b9_7f4a_7c15);
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
fn canonical(named: &[(&str, usize)], distinct: &[(&str, usize, usize)], kind: Kind) -> String {
    if let Some((n, _)) = named.iter().max_by_key(|(n, c)| (*c, n.len(), std::cmp::Reverse(*n))) {
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
        // the base form: "Нурсултана Назарбаева" is shown as Nursultan Nazarbayev
        let others: Vec<&str> = distinct.iter().map(|d| d.0).collect();
        let latin = transliterate(&super::names::display_base(s, kind, &others));
        // letters with no Latin spelling ("Ъ") keep the name as written
        if latin.trim().is_empty() {
            s.to_string()
        } else {
            latin
        }
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

/// One line of context around a mention, cut at char boundaries: up to 60 bytes on each side,
/// with an ellipsis where the line goes on.
pub(super) fn snippet(text: &str, range: Range<usize>) -> String {
    const SIDE: usize = 60;
    let bytes = text.as_bytes();
    let newline = |b: &u8| matches!(b, b'\n' | b'\r');
    // the line's ends, looked for in the bytes shown only
    let from = range.start.saturating_sub(SIDE);
    let mut a = bytes[from..range.start].iter().rposition(newline).map_or(from, |i| from + i + 1);
    let to = (range.end + SIDE).min(text.len());
    let mut b = bytes[range.end..to].iter().position(newline).map_or(to, |i| range.end + i);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    while !text.is_char_boundary(b) {
        b += 1;
    }
    let cut_before = a > 0 && !newline(&bytes[a - 1]);
    let cut_after = b < text.len() && !newline(&bytes[b]);
    let mut s = String::new();
    if cut_before {
        s.push('…');
    }
    s.push_str(text[a..b].trim());
    if cut_after {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_the_line_cut_around_the_mention() {
        let text = "first line\nAlpha met Beta.\nlast";
        let at = |w: &str| text.find(w).unwrap()..text.find(w).unwrap() + w.len();
        assert_eq!(snippet(text, at("Beta")), "Alpha met Beta.");
        let long = format!("{}Name{}", "x ".repeat(50), " y".repeat(50));
        let r = long.find("Name").unwrap()..long.find("Name").unwrap() + 4;
        let s = snippet(&long, r);
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("Name"), "{s}");
        // a line that ends exactly where the window does has no ellipsis
        let exact = format!("{}\n{}Name{}\nz", "a".repeat(5), "b".repeat(60), "c".repeat(60));
        let r = exact.find("Name").unwrap()..exact.find("Name").unwrap() + 4;
        assert_eq!(snippet(&exact, r), format!("{}Name{}", "b".repeat(60), "c".repeat(60)));
        // char boundaries
        let cyr = format!("{}Имя{}", "ж".repeat(40), "ж".repeat(40));
        let r = cyr.find("Имя").unwrap()..cyr.find("Имя").unwrap() + "Имя".len();
        assert!(snippet(&cyr, r).contains("Имя"));
    }

    #[test]
    fn what_leaves_a_table_and_enters_it_again_has_not_changed() {
        assert_eq!(changed_once(vec![3, 1, 2, 1]), vec![2, 3]);
        assert_eq!(changed_once(vec![(7u64, EntityId(1)), (7, EntityId(2)), (7, EntityId(1))]), vec![(7, EntityId(2))]);
        assert_eq!(changed_once(Vec::<u64>::new()), Vec::<u64>::new());
    }
}
