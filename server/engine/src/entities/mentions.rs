//! What one document contributes to linking, kept compactly: [`DocMentions`].
//!
//! Linking reads a document's mentions through the [`Mentions`] trait, so that a document whose
//! mentions are not in memory yet (kept in the index cache's bytes by [`crate::store`], read on
//! first use) is linked like any other.

use std::any::Any;
use std::ops::Range;

use super::keys::{self, Key};
use super::recognize::Evidence;
use super::{DocEntities, Kind, Mention, MentionDetail, MentionKeys};

/// What one document contributes to the entity index, as kept in memory and in the index cache:
/// [`DocEntities`] without the copies of the text (a mention's surface is its range of the
/// text) and with the rare names, roles and differing keys kept aside. About a quarter of the
/// size.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocMentions {
    pub(crate) mentions: Vec<Recorded>,
    /// The keys of mentions that differ from their surface key, in mention order (see
    /// [`Recorded::flags`]).
    pub(crate) more: Vec<Key>,
    /// Names and roles of the mentions that have any, in mention order (see [`EXTRA`]).
    pub(crate) extras: Vec<Extra>,
    /// As [`DocEntities::loose`].
    pub(crate) loose: Vec<Loose>,
}

/// One recognised mention, compactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Recorded {
    pub start: u32,
    pub end: u32,
    pub surface: Key,
    pub kind: Kind,
    pub evidence: Evidence,
    /// Which of the mention's other keys differ from its surface key and follow in
    /// [`DocMentions::more`] ([`LABEL`], [`PERSON`], [`SURNAME`], in that order), and whether it
    /// has a name or roles ([`EXTRA`]).
    pub flags: u8,
    /// Where this mention's other keys start in [`DocMentions::more`] (follows from the flags of
    /// the mentions before it: see [`DocMentions::index`]).
    pub more: u32,
    /// Index of the mention's name and roles in [`DocMentions::extras`], or `u32::MAX` (follows
    /// from the flags of the mentions before it).
    pub extra: u32,
}

/// A mention's name (when it differs from its surface) and roles.
pub(crate) type Extra = (Option<String>, Vec<String>);

/// A capitalised word outside every mention: start, end, folded key.
pub(crate) type Loose = (u32, u32, Key);

pub(crate) const LABEL: u8 = 1;
pub(crate) const PERSON: u8 = 2;
pub(crate) const SURNAME: u8 = 4;
pub(crate) const EXTRA: u8 = 8;

impl From<DocEntities> for DocMentions {
    fn from(e: DocEntities) -> DocMentions {
        let mut out = DocMentions {
            mentions: Vec::with_capacity(e.mentions.len()),
            more: Vec::new(),
            extras: Vec::new(),
            loose: e.loose,
        };
        let mut details = e.details.into_iter();
        for (i, m) in e.mentions.into_iter().enumerate() {
            let det = details.next().unwrap_or_default();
            let keys = e.keys.get(i).copied().unwrap_or_else(|| {
                super::names::mention_keys(
                    &m.surface,
                    super::keys::key(&m.surface),
                    m.kind,
                    det.evidence,
                    det.name.as_deref(),
                )
            });
            out.add(&m, det, keys);
        }
        out.shrink_to_fit();
        out
    }
}

impl DocMentions {
    /// Record a mention, its name and roles aside when it has any.
    pub(super) fn add(&mut self, m: &Mention, det: MentionDetail, k: MentionKeys) {
        let mut flags = 0;
        let more = self.more.len() as u32;
        let mut other = |bit: u8, key: Option<Key>| {
            if let Some(key) = key {
                flags |= bit;
                self.more.push(key);
            }
        };
        other(LABEL, Some(k.label).filter(|&l| l != k.surface));
        other(PERSON, k.person);
        other(SURNAME, Some(k.surname).filter(|&s| s != k.surface));
        let extra = if det.name.is_some() || !det.roles.is_empty() {
            flags |= EXTRA;
            self.extras.push((det.name, det.roles));
            (self.extras.len() - 1) as u32
        } else {
            u32::MAX
        };
        let (start, end) = (m.range.start as u32, m.range.end as u32);
        let evidence = det.evidence;
        self.mentions.push(Recorded { start, end, surface: k.surface, kind: m.kind, evidence, flags, more, extra });
    }

    /// Give back the memory that growing the vectors left unused.
    pub(super) fn shrink_to_fit(&mut self) {
        self.mentions.shrink_to_fit();
        self.more.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.loose.shrink_to_fit();
    }

    /// Set each mention's [`Recorded::more`] and [`Recorded::extra`] from the flags of the
    /// mentions before it (for records read back, which do not keep them). A flag whose key or
    /// extra is missing is cleared, so every index set here is in range.
    pub(crate) fn index(&mut self) {
        let (mut more, mut extra) = (0u32, 0u32);
        for m in &mut self.mentions {
            m.flags &= LABEL | PERSON | SURNAME | EXTRA;
            let keys = (m.flags & (LABEL | PERSON | SURNAME)).count_ones();
            if (more + keys) as usize > self.more.len() {
                m.flags &= !(LABEL | PERSON | SURNAME);
            }
            m.more = more;
            more += (m.flags & (LABEL | PERSON | SURNAME)).count_ones();
            if m.flags & EXTRA != 0 && (extra as usize) < self.extras.len() {
                m.extra = extra;
                extra += 1;
            } else {
                m.flags &= !EXTRA;
                m.extra = u32::MAX;
            }
        }
    }

    /// The folded keys of mention `i`.
    pub(crate) fn keys(&self, i: usize) -> MentionKeys {
        let m = &self.mentions[i];
        let mut at = m.more as usize;
        let mut next = |bit: u8| {
            if m.flags & bit == 0 {
                return None;
            }
            at += 1;
            self.more.get(at - 1).copied()
        };
        let label = next(LABEL).unwrap_or(m.surface);
        let person = next(PERSON);
        let surname = next(SURNAME).unwrap_or(m.surface);
        MentionKeys { surface: m.surface, label, person, surname }
    }

    /// The recognised mentions: range and kind, in text order.
    pub fn mentions(&self) -> impl Iterator<Item = (Range<usize>, Kind)> + '_ {
        self.mentions.iter().map(|m| (m.start as usize..m.end as usize, m.kind))
    }

    pub fn len(&self) -> usize {
        self.mentions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mentions.is_empty()
    }

    /// Name and roles of mention `i`.
    pub(crate) fn extra(&self, i: usize) -> (Option<&str>, &[String]) {
        match self.extras.get(self.mentions[i].extra as usize) {
            Some((name, roles)) => (name.as_deref(), roles),
            None => (None, &[]),
        }
    }
}

/// A document's recognised mentions as linking reads them: in memory, or kept in their stored
/// form and read on first use.
pub trait Mentions: Send + Sync + std::fmt::Debug + 'static {
    /// The mentions (read now if they are still stored).
    fn read(&self) -> &DocMentions;

    /// Does any loose word have a key that `hit` accepts? A surname that changes meaning makes
    /// linking ask this of every document, which a stored form answers without being read.
    fn any_loose_key(&self, hit: &dyn Fn(keys::Key) -> bool) -> bool {
        self.read().loose.iter().any(|&(_, _, k)| hit(k))
    }

    /// For implementations that need to know the concrete type (writing a stored form back as
    /// it is).
    fn as_any(&self) -> &dyn Any;
}

impl Mentions for DocMentions {
    fn read(&self) -> &DocMentions {
        self
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl std::ops::Deref for dyn Mentions {
    type Target = DocMentions;

    fn deref(&self) -> &DocMentions {
        self.read()
    }
}

impl PartialEq for dyn Mentions {
    fn eq(&self, other: &dyn Mentions) -> bool {
        self.read() == other.read()
    }
}

impl From<DocMentions> for std::sync::Arc<dyn Mentions> {
    fn from(m: DocMentions) -> std::sync::Arc<dyn Mentions> {
        std::sync::Arc::new(m)
    }
}
