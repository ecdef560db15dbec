//! The corpus at a glance: which entities appear together, and when.
//!
//! Two entities *appear together* when they are named in one paragraph. A paragraph ends at a
//! blank line, or at a line end after a sentence's final punctuation ('.', '!', '?', a closing
//! quote): scraped articles put one paragraph on a line, hard-wrapped text breaks lines inside
//! sentences. A paragraph naming more than [`MAX_PARAGRAPH_ENTITIES`] entities is a list (tags,
//! menus, a table) rather than prose, and counts for no pair.
//!
//! [`Network`] holds, for every entity, the entities it appears with, with the number of
//! paragraphs they share and of documents in which they share one, and every document's date
//! ([`crate::dates`]). It is built from the linked index in one parallel pass over the
//! documents' placed mentions (no text is read but the gaps between mentions and the date
//! lines), and an updated index derives its network from the previous one by taking out what the
//! changed documents contributed and putting in what they contribute now.
//!
//! Architecture invariant: a network derived after any sequence of updates equals the network
//! built from scratch for the same index (a property test checks it).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

mod render;

pub use render::{kind_colour, layout};

use super::keys::KeyMap;
use super::link::DocView;
use super::{Definition, EntityId, EntityIndex, Kind};
use crate::dates::{document_date, Date};
use crate::DocId;

/// A paragraph naming more distinct entities than this is a list: it counts for no pair.
pub const MAX_PARAGRAPH_ENTITIES: usize = 24;

/// Above this share of changed documents, a network is built again rather than derived.
const REBUILD_SHARE: usize = 4;

/// What two entities share: paragraphs naming both, documents with at least one such paragraph.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Shared {
    pub paragraphs: u32,
    pub documents: u32,
}

/// The co-occurrence network of a linked index, and the dates of its documents.
#[derive(Debug, Default)]
pub struct Network {
    /// By entity id: the entities it appears with, sorted by id.
    adj: Vec<Arc<[(EntityId, Shared)]>>,
    /// By document id.
    dates: Vec<Option<Date>>,
}

/// (a, b, paragraphs) with `a < b`: the pairs of one document, sorted, each once.
type Pairs = Vec<(EntityId, EntityId, u32)>;

impl Network {
    /// The network of `ix`, from all its documents, built from scratch (what
    /// [`EntityIndex::network`] keeps), in parallel: each thread adds up the pairs of its
    /// documents in a table of its own, then the tables are merged.
    pub fn build(ix: &EntityIndex) -> Network {
        let n = ix.doc_slots();
        let dates: Vec<Option<Date>> =
            (0..n).into_par_iter().map(|i| ix.doc_view(DocId(i as u32)).and_then(|v| document_date(v.text))).collect();
        let table = (0..n)
            .into_par_iter()
            .fold(EdgeTable::default, |mut t, i| {
                if let Some(v) = ix.doc_view(DocId(i as u32)) {
                    t.add_doc(i as u32, &v);
                }
                t
            })
            .reduce(EdgeTable::default, EdgeTable::merge);
        let mut edges: Vec<(EntityId, EntityId, Shared)> =
            table.edges.into_values().map(|(a, b, s, _)| (a, b, s)).collect();
        edges.par_sort_unstable_by_key(|&(a, b, _)| (a, b));
        Network { adj: adjacency(&edges, ix.entity_slots()), dates }
    }

    /// The network of `new`, an update of `old` (whose network this is) in which the documents
    /// `changed` were added, changed, linked again or removed.
    pub(super) fn derive(&self, old: &EntityIndex, new: &EntityIndex, changed: &[DocId]) -> Network {
        if changed.len() * REBUILD_SHARE > new.doc_slots() {
            return Network::build(new);
        }
        // (a, b, paragraphs, documents) changes, both ways round
        let mut delta: Vec<(EntityId, EntityId, i64, i64)> = Vec::new();
        for &id in changed {
            for (ix, sign) in [(old, -1), (new, 1)] {
                if let Some(v) = ix.doc_view(id) {
                    for (a, b, p) in doc_pairs(&v) {
                        delta.push((a, b, sign * i64::from(p), sign));
                        delta.push((b, a, sign * i64::from(p), sign));
                    }
                }
            }
        }
        delta.sort_unstable_by_key(|&(a, b, _, _)| (a, b));
        let mut adj = self.adj.clone();
        adj.resize_with(new.entity_slots().max(adj.len()), || Arc::from(Vec::new()));
        for run in delta.chunk_by(|x, y| x.0 == y.0) {
            let mut changes: Vec<(EntityId, i64, i64)> = Vec::new();
            for same in run.chunk_by(|x, y| x.1 == y.1) {
                let (p, d) = same.iter().fold((0, 0), |(p, d), x| (p + x.2, d + x.3));
                if (p, d) != (0, 0) {
                    changes.push((same[0].1, p, d));
                }
            }
            if !changes.is_empty() {
                let slot = &mut adj[run[0].0 .0 as usize];
                *slot = merged(slot, &changes).into();
            }
        }
        let mut dates = self.dates.clone();
        dates.resize(new.doc_slots(), None);
        for &id in changed {
            dates[id.0 as usize] = new.doc_view(id).and_then(|v| document_date(v.text));
        }
        Network { adj, dates }
    }

    /// The entities `id` appears with, and what they share, sorted by id.
    pub fn neighbours(&self, id: EntityId) -> &[(EntityId, Shared)] {
        self.adj.get(id.0 as usize).map_or(&[], |a| a)
    }

    /// The date of a document (its date line), if it has one.
    pub fn date(&self, doc: DocId) -> Option<Date> {
        self.dates.get(doc.0 as usize).copied().flatten()
    }

    /// The `n` entities `id` appears with most: most shared paragraphs, then documents.
    pub fn top(&self, id: EntityId, n: usize) -> Vec<(EntityId, Shared)> {
        let mut all = self.neighbours(id).to_vec();
        let key = |x: &(EntityId, Shared)| (std::cmp::Reverse(x.1.paragraphs), std::cmp::Reverse(x.1.documents), x.0);
        if all.len() > n {
            all.select_nth_unstable_by_key(n, key);
            all.truncate(n);
        }
        all.sort_unstable_by_key(key);
        all
    }
}

/// Pairs added up over documents (one thread's share of a build): each pair with what it
/// shares and the last document that counted for it.
#[derive(Default)]
struct EdgeTable {
    edges: KeyMap<(EntityId, EntityId, Shared, u32)>,
    /// Scratch buffer of [`paragraph_sets`].
    para: Vec<EntityId>,
}

impl EdgeTable {
    fn add_doc(&mut self, doc: u32, v: &DocView<'_>) {
        let edges = &mut self.edges;
        paragraph_sets(v, &mut self.para, |set| {
            for (i, &a) in set.iter().enumerate() {
                for &b in &set[i + 1..] {
                    let e = edges.entry(pair_key(a, b)).or_insert((a, b, Shared::default(), u32::MAX));
                    e.2.paragraphs += 1;
                    if e.3 != doc {
                        e.2.documents += 1;
                        e.3 = doc;
                    }
                }
            }
        });
    }

    /// The tables of two threads (which saw different documents) added up.
    fn merge(self, other: EdgeTable) -> EdgeTable {
        let (mut big, small) = if self.edges.len() >= other.edges.len() { (self, other) } else { (other, self) };
        for (k, (a, b, s, last)) in small.edges {
            let e = big.edges.entry(k).or_insert((a, b, Shared::default(), last));
            e.2.paragraphs += s.paragraphs;
            e.2.documents += s.documents;
        }
        big
    }
}

/// A table key for the pair `(a, b)`, its bits mixed (the table takes keys as their hash).
fn pair_key(a: EntityId, b: EntityId) -> u64 {
    ((u64::from(a.0) << 32) | u64::from(b.0)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Adjacency lists from edges `(a, b, shared)` with `a < b`, sorted by `(a, b)`: each list
/// comes out sorted (the edges `(x, b)` of an entity follow all its edges `(a, x)`).
fn adjacency(edges: &[(EntityId, EntityId, Shared)], slots: usize) -> Vec<Arc<[(EntityId, Shared)]>> {
    let mut degree = vec![0usize; slots];
    for &(a, b, _) in edges {
        degree[a.0 as usize] += 1;
        degree[b.0 as usize] += 1;
    }
    let mut lists: Vec<Vec<(EntityId, Shared)>> = degree.into_iter().map(Vec::with_capacity).collect();
    for &(a, b, s) in edges {
        lists[a.0 as usize].push((b, s));
        lists[b.0 as usize].push((a, s));
    }
    lists.into_iter().map(Arc::from).collect()
}

/// An adjacency list with changes `(other, paragraphs, documents)` (sorted by `other`) added;
/// pairs left with nothing shared are dropped.
fn merged(list: &[(EntityId, Shared)], changes: &[(EntityId, i64, i64)]) -> Vec<(EntityId, Shared)> {
    let mut out = Vec::with_capacity(list.len() + changes.len());
    let (mut i, mut j) = (0, 0);
    let add = |s: Shared, p: i64, d: i64| Shared {
        paragraphs: (i64::from(s.paragraphs) + p).max(0) as u32,
        documents: (i64::from(s.documents) + d).max(0) as u32,
    };
    while i < list.len() || j < changes.len() {
        let next = match (list.get(i), changes.get(j)) {
            (Some(&(a, s)), Some(&(b, _, _))) if a < b => {
                i += 1;
                (a, s)
            }
            (Some(&(a, s)), Some(&(b, p, d))) if a == b => {
                i += 1;
                j += 1;
                (a, add(s, p, d))
            }
            (_, Some(&(b, p, d))) => {
                j += 1;
                (b, add(Shared::default(), p, d))
            }
            (Some(&(a, s)), None) => {
                i += 1;
                (a, s)
            }
            (None, None) => break,
        };
        if next.1.documents > 0 {
            out.push(next);
        }
    }
    out
}

/// The pairs of entities that share a paragraph of one document, with the number of paragraphs.
pub(super) fn doc_pairs(v: &DocView<'_>) -> Pairs {
    let mut out = Pairs::new();
    doc_pairs_into(v, &mut Vec::new(), &mut out);
    out
}

/// [`doc_pairs`] into `out` (cleared first), with a scratch buffer.
fn doc_pairs_into(v: &DocView<'_>, para: &mut Vec<EntityId>, out: &mut Pairs) {
    out.clear();
    paragraph_sets(v, para, |set| {
        for (i, &a) in set.iter().enumerate() {
            out.extend(set[i + 1..].iter().map(|&b| (a, b, 1)));
        }
    });
    out.sort_unstable();
    out.dedup_by(|b, a| {
        let same = (a.0, a.1) == (b.0, b.1);
        if same {
            a.2 += b.2;
        }
        same
    });
}

/// The entities of each paragraph of a document that names two or more and at most
/// [`MAX_PARAGRAPH_ENTITIES`], sorted, each once; `para` is a scratch buffer.
fn paragraph_sets(v: &DocView<'_>, para: &mut Vec<EntityId>, mut each: impl FnMut(&[EntityId])) {
    let mut flush = |para: &mut Vec<EntityId>| {
        if para.len() > 1 {
            para.sort_unstable();
            para.dedup();
            if para.len() > 1 && para.len() <= MAX_PARAGRAPH_ENTITIES {
                each(para);
            }
        }
        para.clear();
    };
    para.clear();
    for (i, p) in v.placed.iter().enumerate() {
        if i > 0 {
            let gap = v.text.get(v.placed[i - 1].1 as usize..p.0 as usize).unwrap_or_default();
            if paragraph_break(gap) {
                flush(para);
            }
        }
        para.push(p.2);
    }
    flush(para);
}

/// The placed mentions of a document cut into paragraphs: ranges of indexes into `placed`.
pub(super) fn paragraphs(text: &str, placed: &[(u32, u32, EntityId)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..placed.len() {
        let gap = text.get(placed[i - 1].1 as usize..placed[i].0 as usize).unwrap_or_default();
        if paragraph_break(gap) {
            out.push((start, i));
            start = i;
        }
    }
    if start < placed.len() {
        out.push((start, placed.len()));
    }
    out
}

/// Does the text between two mentions end a paragraph: a blank line, or a line end after a
/// sentence's final punctuation?
fn paragraph_break(gap: &str) -> bool {
    let bytes = gap.as_bytes();
    let Some(first) = memchr::memchr2(b'\n', b'\r', bytes) else { return false };
    let before = gap[..first].trim_end();
    if before.ends_with(['.', '!', '?', '"', '”', '»', '…', '’']) {
        return true;
    }
    // a blank line: another line end with only white space before it
    let mut rest = &gap[first..];
    rest = rest.strip_prefix("\r\n").or_else(|| rest.get(1..)).unwrap_or_default();
    let line_end = memchr::memchr2(b'\n', b'\r', rest.as_bytes());
    line_end.is_some_and(|i| rest[..i].trim().is_empty())
}

/// Which part of the corpus a graph shows.
#[derive(Clone, Debug)]
pub struct GraphQuery {
    /// Edges need at least this many shared paragraphs.
    pub min_weight: u32,
    /// Only entities of these kinds (all when empty).
    pub kinds: Vec<Kind>,
    /// Only this entity and those it appears with.
    pub focus: Option<EntityId>,
    /// At most this many nodes, the most mentioned first (the focus always stays).
    pub max_nodes: usize,
}

impl Default for GraphQuery {
    fn default() -> Self {
        GraphQuery { min_weight: 1, kinds: Vec::new(), focus: None, max_nodes: 150 }
    }
}

/// An entity of a graph.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub id: EntityId,
    pub name: String,
    #[serde(serialize_with = "super::card::kind_word")]
    pub kind: Kind,
    pub mentions: usize,
    pub documents: usize,
    /// Mentions per document date, by date (documents without a date line are left out).
    pub timeline: Vec<TimePoint>,
    /// Where it is defined (registry entry or defining mention).
    #[serde(skip)]
    pub definition: Option<Definition>,
    /// With a focus: the first mention of this entity in a paragraph it shares with the focus.
    #[serde(skip)]
    pub together: Option<super::Location>,
}

/// Mentions of an entity in the documents of one date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TimePoint {
    pub date: Date,
    pub mentions: u32,
}

/// Mentions of an entity in the documents of one month, the month written `YYYY-MM`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MonthPoint {
    pub date: String,
    pub mentions: u32,
}

/// A timeline (sorted by date) with its mentions summed by month.
pub fn by_month(timeline: &[TimePoint]) -> Vec<MonthPoint> {
    let mut out: Vec<MonthPoint> = Vec::new();
    let mut last = None;
    for t in timeline {
        let month = (t.date.year, t.date.month);
        match out.last_mut() {
            Some(m) if last == Some(month) => m.mentions += t.mentions,
            _ => {
                out.push(MonthPoint { date: format!("{:04}-{:02}", month.0, month.1), mentions: t.mentions });
                last = Some(month);
            }
        }
    }
    out
}

/// Two entities that appear together.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Edge {
    pub source: EntityId,
    pub target: EntityId,
    #[serde(flatten)]
    pub shared: Shared,
}

/// A co-occurrence graph with the timeline of its nodes.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Documents in the corpus, and how many of them have a date line.
    pub documents: usize,
    pub dated_documents: usize,
}

impl EntityIndex {
    /// The part of the co-occurrence graph a query asks for: nodes sized by mentions, edges
    /// weighted by shared paragraphs and documents, each node's mentions by document date.
    pub fn graph(&self, q: &GraphQuery) -> Graph {
        let net = self.network();
        let kind_ok = |id: EntityId| self.entity(id).is_some_and(|e| q.kinds.is_empty() || q.kinds.contains(&e.kind));
        let strong = |s: &Shared| s.paragraphs >= q.min_weight.max(1);
        let mut ids: Vec<EntityId> = match q.focus {
            Some(f) => std::iter::once(f)
                .chain(net.neighbours(f).iter().filter(|(o, s)| strong(s) && kind_ok(*o)).map(|x| x.0))
                .collect(),
            None => (self.all().map(|(id, _)| id))
                .filter(|&id| kind_ok(id) && net.neighbours(id).iter().any(|(o, s)| strong(s) && kind_ok(*o)))
                .collect(),
        };
        // the most mentioned, the focus first
        ids.sort_by_key(|&id| (Some(id) != q.focus, std::cmp::Reverse(self.counts(id).0), id));
        ids.truncate(q.max_nodes);
        let shown: HashMap<EntityId, ()> = ids.iter().map(|&id| (id, ())).collect();
        let mut edges = Vec::new();
        for &a in &ids {
            for &(b, s) in net.neighbours(a) {
                if a < b && strong(&s) && shown.contains_key(&b) {
                    edges.push(Edge { source: a, target: b, shared: s });
                }
            }
        }
        let together = q.focus.map(|f| self.together(f)).unwrap_or_default();
        let nodes = ids.iter().filter_map(|&id| self.node(id, net, together.get(&id).cloned())).collect();
        let documents = (0..self.doc_slots()).filter(|&i| self.doc_view(DocId(i as u32)).is_some()).count();
        let dated_documents = (0..self.doc_slots()).filter(|&i| net.date(DocId(i as u32)).is_some()).count();
        Graph { nodes, edges, documents, dated_documents }
    }

    fn node(&self, id: EntityId, net: &Network, together: Option<super::Location>) -> Option<Node> {
        let e = self.entity(id)?;
        let (mentions, documents) = self.counts(id);
        // mentions come sorted by document: one date look-up per document
        let mut timeline: Vec<TimePoint> = Vec::new();
        let mut last: Option<(DocId, Option<Date>)> = None;
        for (doc, _, _) in self.spans(id) {
            let date = match last {
                Some((d, date)) if d == doc => date,
                _ => net.date(doc),
            };
            last = Some((doc, date));
            if let Some(date) = date {
                timeline.push(TimePoint { date, mentions: 1 });
            }
        }
        timeline.sort_unstable();
        timeline.dedup_by(|b, a| {
            let same = a.date == b.date;
            if same {
                a.mentions += b.mentions;
            }
            same
        });
        Some(Node {
            id,
            name: e.name.clone(),
            kind: e.kind,
            mentions,
            documents,
            timeline,
            definition: self.definition(id),
            together,
        })
    }

    /// For each entity that shares a paragraph with `focus`: its first mention in the first
    /// such paragraph (documents by name, then position).
    pub fn together(&self, focus: EntityId) -> HashMap<EntityId, super::Location> {
        let mut out: HashMap<EntityId, super::Location> = HashMap::new();
        let mut docs: Vec<DocId> = self.spans(focus).map(|s| s.0).collect();
        docs.dedup();
        for doc in docs {
            let Some(v) = self.doc_view(doc) else { continue };
            for (s, e) in paragraphs(v.text, v.placed) {
                let para = &v.placed[s..e];
                if !para.iter().any(|p| p.2 == focus) {
                    continue;
                }
                for &(start, end, id) in para {
                    if id != focus {
                        out.entry(id).or_insert(super::Location { doc, range: start as usize..end as usize });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_end_at_blank_lines_and_sentence_ends() {
        for (gap, want) in [
            (" met ", false),
            (" said.\n\nThen ", true),
            (" said.\r\nThen ", true),
            ("\n\n", true),
            (" and\n", false),
            (" and\nthe ", false),
            (" and\n  \nthe ", true),
            (" and\r\n\r\nthe ", true),
            ("” \nThe ", true),
            (" (left) and ", false),
        ] {
            assert_eq!(paragraph_break(gap), want, "{gap:?}");
        }
    }

    #[test]
    fn merging_changes_into_a_list() {
        let s = |p, d| Shared { paragraphs: p, documents: d };
        let e = EntityId;
        let list = [(e(1), s(3, 2)), (e(4), s(1, 1)), (e(9), s(2, 1))];
        let changes = [(e(0), 2, 1), (e(4), -1, -1), (e(9), 1, 0), (e(12), 1, 1)];
        assert_eq!(merged(&list, &changes), [(e(0), s(2, 1)), (e(1), s(3, 2)), (e(9), s(3, 1)), (e(12), s(1, 1))]);
    }

    #[test]
    fn timelines_by_month_add_up_the_days_of_each_month() {
        let at = |y, m, d, n| TimePoint { date: Date::new(y, m, d).unwrap(), mentions: n };
        let days = [at(2023, 12, 31, 1), at(2024, 1, 2, 2), at(2024, 1, 30, 3), at(2024, 3, 1, 4), at(2025, 3, 1, 5)];
        let months: Vec<(String, u32)> = by_month(&days).into_iter().map(|m| (m.date, m.mentions)).collect();
        let want = [("2023-12", 1), ("2024-01", 5), ("2024-03", 4), ("2025-03", 5)];
        assert_eq!(months, want.map(|(d, n)| (d.to_string(), n)));
        assert!(by_month(&[]).is_empty());
    }
}
