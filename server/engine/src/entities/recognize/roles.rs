//! Roles and descriptions of the people a text names, read from the words around each mention.
//!
//! News introduces people by what they are, in a handful of shapes that hold across sites and
//! languages:
//! - a title or role phrase right before the name: "Deputy Prime Minister X", "CSTO Secretary
//!   General X", "Kazakh political scientist X", "rector of the X University Y", and in
//!   Russian "министр обороны Беларуси Виктор Хренин", "Генсек ОДКБ Имангали Тасмагамбетов";
//! - an apposition after it: "X, director of the Risk Assessment Group", "X, the head of …",
//!   "X, a member of the Soviet Politburo who …";
//! - a clause that says it: "As Deputy Prime Minister, X …", "while serving as akim, X …",
//!   "X's tenure as akim", "X served as ambassador to …", "X was appointed minister of …";
//! - a possessive pronoun in the sentence of the name: "… X is compelled … due to his current
//!   role as CSTO Secretary General" (the nearest person named before it in the sentence).
//!
//! A role phrase must have a head: a role noun ("scientist", "akim"), a title ("Minister") or a
//! Russian role noun in any case form ("министра", "генсек"). A Russian role is given in English
//! when the caption glossary renders every word of it ("Генсек ОДКБ" → "CSTO Secretary
//! General"), else as written with its transliteration.
//!
//! Architecture invariant: like the rest of recognition, this reads tokens and text only and
//! never panics on any input; every range is a slice between token boundaries.

use std::borrow::Cow;

use super::super::gazetteer::{self, Entry, StopClass};
use super::{is_quote_gap, Rec};
use crate::entities::Kind;
use crate::rules::untranslated::english_phrase;
use crate::translit::{has_cyrillic, transliterate};

/// At most this many words in a role phrase before its complement ("former deputy prime minister").
const MAX_MODIFIERS: usize = 4;
/// At most this many words in a complement ("of the Central Committee of the Komsomol of Kazakhstan").
const MAX_COMPLEMENT: usize = 10;

impl Rec<'_> {
    /// The roles of every person mention of `self.out` (sorted by position), in its details.
    pub(super) fn roles(&mut self) {
        let mut person_tok = vec![false; self.toks.len()];
        let persons: Vec<(usize, usize, usize)> = (self.out.iter().enumerate())
            .filter(|(_, f)| f.m.kind == Kind::Person && f.a <= f.b && f.b < self.toks.len())
            .map(|(i, f)| (i, f.a, f.b))
            .collect();
        for &(_, a, b) in &persons {
            person_tok[a..=b].iter_mut().for_each(|p| *p = true);
        }
        for &(idx, a, b) in &persons {
            let mut roles = Vec::new();
            roles.extend(self.role_before(a));
            roles.extend(self.role_after(b, &person_tok));
            self.out[idx].d.roles = roles;
        }
        for (pronoun, role) in self.pronoun_roles(&person_tok) {
            // the nearest person named before the pronoun in its sentence
            let owner = persons.iter().rev().find(|&&(_, _, b)| b < pronoun);
            if let Some(&(idx, _, b)) = owner {
                if !(b + 1..=pronoun).any(|k| self.toks[k].sent) && !self.out[idx].d.roles.contains(&role) {
                    self.out[idx].d.roles.push(role);
                }
            }
        }
    }

    /// Token `k` then token `k + 1` are in one clause: no punctuation between them but quotes.
    fn clause_gap(&self, k: usize) -> bool {
        let t = self.toks[k];
        t.poss == t.e && is_quote_gap(self.gap_after(k))
    }

    /// Is token `k` one of these lowercase words, in any case ("As" is "as")?
    fn is_word(&self, k: usize, words: &[&str]) -> bool {
        let w = self.word(k);
        words.iter().any(|x| x.eq_ignore_ascii_case(w))
    }

    /// Token `k`'s word in lowercase (a copy only for a word with capitals).
    fn lower(&self, k: usize) -> Cow<'_, str> {
        let t = self.toks[k];
        let w = self.word(k);
        if t.cap || t.caps {
            Cow::Owned(w.to_lowercase())
        } else {
            Cow::Borrowed(w)
        }
    }

    fn is_title(&self, k: usize) -> bool {
        self.toks[k].cap && matches!(self.word_exact(k), Some(Entry::Stop(StopClass::Title)))
    }

    fn is_demonym(&self, k: usize) -> bool {
        self.toks[k].cap && matches!(self.word_exact(k), Some(Entry::Stop(StopClass::Demonym)))
    }

    /// A word that can head a role phrase: a role noun, or a title written with a capital.
    fn is_head(&self, k: usize) -> bool {
        self.is_title(k) || gazetteer::is_role_noun(&self.lower(k))
    }

    /// A word that can modify a head: an adjective, a title, a role noun, a demonym, an
    /// acronym or a portfolio ("Foreign", "Defence").
    fn is_modifier(&self, k: usize) -> bool {
        let t = self.toks[k];
        let lower = self.lower(k);
        self.is_head(k) || adjective_like(&lower) || is_portfolio(&lower) || self.is_demonym(k) || t.cap && t.caps
    }

    fn role_before(&self, a: usize) -> Option<String> {
        self.title_before(a)
            .or_else(|| self.role_noun_before(a))
            .or_else(|| self.as_clause_before(a))
            .or_else(|| self.cyrillic_title_before(a))
    }

    /// Titles right before the name, with what qualifies them: "Prime Minister X", "CSTO
    /// Secretary General X", "Russian Foreign Minister X".
    fn title_before(&self, a: usize) -> Option<String> {
        let mut k = a;
        while k > 0 && self.clause_gap(k - 1) && self.is_title(k - 1) {
            k -= 1;
        }
        if k == a {
            return None;
        }
        let mut start = k;
        while start > 0 && start + MAX_MODIFIERS > k && self.clause_gap(start - 1) {
            let t = self.toks[start - 1];
            if !(t.cap && (t.caps || is_portfolio(&self.lower(start - 1)) || self.is_demonym(start - 1))) {
                break;
            }
            start -= 1;
            if t.sent {
                break;
            }
        }
        Some(self.phrase(start, a - 1))
    }

    /// A role noun within the clause before the name: "Kazakh political scientist X", "rector
    /// of the X University Y".
    fn role_noun_before(&self, a: usize) -> Option<String> {
        let mut role = None;
        let mut k = a;
        for _ in 0..8 {
            if k == 0 || !self.clause_gap(k - 1) {
                break;
            }
            k -= 1;
            let t = self.toks[k];
            // lowercase, or capitalised as a sentence's first word ("Economist X said")
            if (!t.cap || t.sent) && gazetteer::is_role_noun(&self.lower(k)) {
                let direct = k + 1 == a;
                let of = self.lower_word(k + 1) == Some("of");
                if direct || of {
                    role = Some(k);
                }
                break;
            }
        }
        let role = role?;
        let mut start = role;
        while start > 0 && self.clause_gap(start - 1) && start + MAX_MODIFIERS > role {
            let w = self.word(start - 1);
            let t = self.toks[start - 1];
            let sentence_adjective = t.cap && t.sent && adjective_like(&self.lower(start - 1));
            if self.is_demonym(start - 1)
                || self.is_title(start - 1)
                || sentence_adjective
                || !t.cap && (gazetteer::is_role_noun(w) || adjective_like(w))
            {
                start -= 1;
            } else {
                break;
            }
        }
        Some(self.phrase(self.organisation_before(start), a - 1))
    }

    /// The start of the organisation's name right before a role noun ("KazMunayGas chairman",
    /// "Halyk Bank analyst"), else `start`: up to three capitalised words that are neither a
    /// function word nor a date word.
    fn organisation_before(&self, start: usize) -> usize {
        let mut k = start;
        while k > 0 && start - k < 3 && self.clause_gap(k - 1) {
            let t = self.toks[k - 1];
            let stop = matches!(self.word_exact(k - 1), Some(Entry::Stop(StopClass::Other)));
            if !t.cap || stop || t.cyr {
                break;
            }
            k -= 1;
            if t.sent {
                break;
            }
        }
        k
    }

    /// "As Deputy Prime Minister, X …", "while serving as akim, X …": a role phrase between
    /// "as" and the comma right before the name.
    fn as_clause_before(&self, a: usize) -> Option<String> {
        if a < 2 || self.gap_after(a - 1).trim() != "," {
            return None;
        }
        let end = a - 1;
        let mut k = end;
        while k > 0 && end - k < MAX_MODIFIERS + MAX_COMPLEMENT && self.clause_gap(k - 1) {
            if self.is_word(k - 1, &["as"]) {
                return self.role_phrase(k, end).filter(|&(_, e)| e == end).map(|(s, e)| self.phrase(s, e));
            }
            k -= 1;
        }
        None
    }

    /// A Russian role phrase right before the name: "министр обороны Беларуси X", "Генсек
    /// ОДКБ X", "казахстанский политолог X".
    fn cyrillic_title_before(&self, a: usize) -> Option<String> {
        let mut head = None;
        let mut k = a;
        while k > 0 && a - k < 5 && self.clause_gap(k - 1) && self.toks[k - 1].cyr {
            k -= 1;
            let w = self.lower(k);
            if is_cyrillic_role_noun(&w) {
                head = Some(k);
                break;
            }
            // between the role noun and the name: its complement ("обороны Беларуси"), no verb
            if !self.toks[k].cap && !is_cyrillic_complement(&w) {
                return None;
            }
        }
        let head = head?;
        let mut start = head;
        while start > 0 && head - start < 2 && self.clause_gap(start - 1) && self.toks[start - 1].cyr {
            if !is_cyrillic_adjective(&self.lower(start - 1)) {
                break;
            }
            start -= 1;
        }
        Some(self.phrase(start, a - 1))
    }

    fn role_after(&self, b: usize, person_tok: &[bool]) -> Option<String> {
        self.apposition_after(b, person_tok).or_else(|| self.as_after(b))
    }

    /// "X, director of the “Risk Assessment Group”", "X, the head of …", "X, another former
    /// prime minister who …".
    fn apposition_after(&self, b: usize, person_tok: &[bool]) -> Option<String> {
        let t = self.toks[b];
        let gap = self.gap_after(b);
        if !(gap == ", " || gap == " — " || gap == " - ") || t.poss != t.e {
            return None;
        }
        let mut k = b + 1;
        if matches!(self.lower_word(k), Some("the" | "a" | "an" | "another")) {
            k += 1;
        }
        let start = k;
        while self.lower_word(k).is_some_and(|w| adjective_like(w) || gazetteer::is_role_noun(w)) && k < start + 3 {
            if gazetteer::is_role_noun(self.word(k)) {
                break;
            }
            k += 1;
        }
        if !self.lower_word(k).is_some_and(gazetteer::is_role_noun) {
            return None;
        }
        let mut end = k;
        // the complement: "director of the “Risk Assessment Group.”"
        while end + 1 < self.toks.len() && end < k + MAX_COMPLEMENT {
            let gap = self.gap_after(end);
            if !is_quote_gap(gap) || self.toks[end].poss != self.toks[end].e {
                break;
            }
            end += 1;
            if person_tok.get(end).copied().unwrap_or(true) {
                // "X, head of the administration Y": the role is Y's
                return None;
            }
            if self.lower_word(end).is_some_and(|w| matches!(w, "who" | "which" | "that" | "said" | "says" | "and")) {
                end -= 1;
                break;
            }
        }
        Some(self.phrase(start, end))
    }

    /// "X's tenure as akim", "X served as ambassador to …", "X was appointed minister of …".
    fn as_after(&self, b: usize) -> Option<String> {
        let mut k = b + 1;
        if self.toks[b].poss == self.toks[b].e {
            // "X, who served as …", "X was appointed …"
            if self.gap_after(b) == ", " && self.lower_word(k) == Some("who") {
                k += 1;
            }
            if self.lower_word(k).is_some_and(|w| matches!(w, "was" | "is" | "has" | "had" | "been")) {
                k += 1;
            }
            if self.lower_word(k) == Some("been") {
                k += 1;
            }
        }
        if k >= self.toks.len() || !(b..k).all(|j| self.clause_gap(j) || j == b && self.toks[b].poss != self.toks[b].e)
        {
            return None;
        }
        let w = self.lower_word(k)?;
        let next = self.lower_word(k + 1);
        let from = if is_as_noun(w) || is_as_verb(w) {
            (next == Some("as") && self.clause_gap(k)).then_some(k + 2)?
        } else if matches!(w, "appointed" | "elected" | "named" | "became") {
            if next == Some("as") {
                k + 2
            } else {
                k + 1
            }
        } else {
            return None;
        };
        if from >= self.toks.len() || !self.clause_gap(from - 1) {
            return None;
        }
        self.role_phrase(from, self.toks.len() - 1).map(|(s, e)| self.phrase(s, e))
    }

    /// "his current role as CSTO Secretary General": (pronoun token, role).
    fn pronoun_roles(&self, person_tok: &[bool]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for p in 0..self.toks.len() {
            if !matches!(self.lower_word(p), Some("his" | "her")) {
                continue;
            }
            let mut k = p + 1;
            while k < p + 3 && self.lower_word(k).is_some_and(|w| adjective_like(w) || is_time_word(w)) {
                k += 1;
            }
            if !(p..k + 1).all(|j| j < self.toks.len() && self.clause_gap(j)) {
                continue;
            }
            let is_noun = self.lower_word(k).is_some_and(is_as_noun);
            if !is_noun || self.lower_word(k + 1) != Some("as") {
                continue;
            }
            if let Some((s, e)) = self.role_phrase(k + 2, self.toks.len() - 1) {
                if !person_tok[s..=e].iter().any(|&x| x) {
                    out.push((p, self.phrase(s, e)));
                }
            }
        }
        out
    }

    /// A role phrase starting at token `from` and ending at `limit` at the latest: an optional
    /// article, modifiers and a head ("Deputy Prime Minister", "the akim"), then an optional
    /// complement of names ("of the Central Committee of the Komsomol of Kazakhstan", "of
    /// Almaty"). The range of its words without the article, when it has a head.
    fn role_phrase(&self, from: usize, limit: usize) -> Option<(usize, usize)> {
        let mut k = from;
        if k <= limit && self.is_word(k, &["the", "a", "an"]) {
            k += 1;
        }
        let start = k;
        let (mut head, mut last) = (false, start);
        while k <= limit && k < start + MAX_MODIFIERS + 2 && self.is_modifier(k) {
            head |= self.is_head(k);
            last = k;
            if k == limit || !self.clause_gap(k) {
                break;
            }
            k += 1;
        }
        if !head {
            return None;
        }
        let mut end = last;
        // only names after "of": "of Almaty", "of the Komsomol of Kazakhstan"
        let mut j = end + 1;
        while j < limit && j <= end + MAX_COMPLEMENT && self.clause_gap(j - 1) {
            if self.lower_word(j) != Some("of") {
                break;
            }
            let mut n = j + 1;
            if self.lower_word(n) == Some("the") && n < limit && self.clause_gap(n) {
                n += 1;
            }
            if n > limit || !self.toks[n].cap || !self.clause_gap(j) {
                break;
            }
            let mut last = n;
            while last < limit && self.clause_gap(last) && self.toks[last + 1].cap {
                last += 1;
            }
            end = last;
            j = last + 1;
        }
        Some((start, end))
    }

    /// The words of tokens `s..=e` as a role: quotes dropped, single spaces; a Russian phrase in
    /// English when the glossary knows every word, else with its transliteration.
    fn phrase(&self, s: usize, e: usize) -> String {
        let text = clean_role(&self.text[self.toks[s].s..self.toks[e].e]);
        if !has_cyrillic(&text) {
            return text;
        }
        english_phrase(&text).unwrap_or_else(|| format!("{text} ({})", transliterate(&text)))
    }
}

/// Nouns that name an office held "as" something: "tenure as akim", "his role as …".
fn is_as_noun(w: &str) -> bool {
    matches!(
        w,
        "tenure" | "term" | "time" | "role" | "post" | "position" | "capacity" | "stint" | "career" | "work" | "years"
    )
}

/// Verbs of holding an office "as" something: "served as", "works as".
fn is_as_verb(w: &str) -> bool {
    matches!(w, "served" | "serves" | "serving" | "worked" | "works" | "working" | "acted" | "acts" | "acting")
}

fn is_time_word(w: &str) -> bool {
    matches!(w, "current" | "new" | "previous" | "short" | "long" | "brief" | "first" | "second" | "last")
}

/// Capitalised words that name a portfolio before a title: "Foreign Minister", "Defence Secretary".
fn is_portfolio(w: &str) -> bool {
    matches!(
        w,
        "foreign"
            | "defence"
            | "defense"
            | "interior"
            | "finance"
            | "justice"
            | "health"
            | "economy"
            | "education"
            | "energy"
            | "agriculture"
            | "culture"
            | "labour"
            | "labor"
            | "trade"
            | "transport"
            | "emergency"
            | "information"
            | "digital"
            | "ecology"
            | "security"
            | "state"
            | "home"
            | "first"
            | "deputy"
            | "former"
            | "acting"
    )
}

pub(super) fn adjective_like(w: &str) -> bool {
    const ENDS: &[&str] = &["al", "ic", "ian", "ese", "ish", "ive", "ary", "ern", "ior", "ent"];
    ENDS.iter().any(|e| super::ends_ci(w, e))
        || matches!(
            w,
            "former"
                | "deputy"
                | "chief"
                | "general"
                | "senior"
                | "first"
                | "vice"
                | "acting"
                | "famous"
                | "well-known"
                | "leading"
                | "prominent"
                | "opposition"
                | "ex"
                | "prime"
        )
}

/// Russian role nouns, by stem: "министр", "министра", "министром" all match "министр".
const CYRILLIC_ROLES: &[&str] = &[
    "президент",
    "вице-президент",
    "премьер",
    "премьер-министр",
    "вице-премьер",
    "министр",
    "замминистр",
    "генсек",
    "секретар",
    "глав",
    "председател",
    "зампред",
    "директор",
    "гендиректор",
    "депутат",
    "сенатор",
    "спикер",
    "аким",
    "посол",
    "губернатор",
    "мэр",
    "заместител",
    "советник",
    "помощник",
    "политолог",
    "эксперт",
    "аналитик",
    "экономист",
    "историк",
    "социолог",
    "журналист",
    "корреспондент",
    "редактор",
    "главред",
    "лидер",
    "руководител",
    "командующ",
    "командир",
    "начальник",
    "представител",
    "пресс-секретар",
    "ректор",
    "профессор",
    "писател",
    "поэт",
    "генерал",
    "полковник",
    "канцлер",
    "патриарх",
    "основател",
    "член",
    "активист",
    "адвокат",
    "юрист",
    "судь",
    "прокурор",
    "бизнесмен",
    "олигарх",
    "дипломат",
    "консул",
    "блогер",
];

/// Case endings a Russian noun stem can take.
const CYRILLIC_ENDINGS: &[&str] = &[
    "", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "я", "ю", "ем", "и", "ей", "ь", "ем", "ой", "ий", "его",
    "ему", "им", "ие", "их", "ими", "ая", "ую", "ям", "ями", "ях",
];

/// A Russian role noun in any case form ("министра", "генсек", "главы").
fn is_cyrillic_role_noun(w: &str) -> bool {
    CYRILLIC_ROLES.iter().any(|stem| w.strip_prefix(stem).is_some_and(|rest| CYRILLIC_ENDINGS.contains(&rest)))
}

/// A lowercase Russian word that can follow a role noun in its complement: a noun or adjective
/// in the genitive ("обороны", "иностранных дел"), not a verb ("сказал", "встретит").
fn is_cyrillic_complement(w: &str) -> bool {
    const VERB_ENDS: &[&str] = &["л", "ла", "ло", "ли", "ть", "ет", "ит", "ют", "ят", "ат", "ся", "сь"];
    w == "дел" || !VERB_ENDS.iter().any(|e| w.ends_with(e))
}

/// A Russian adjective before a role noun: "бывший", "казахстанский", "первого".
fn is_cyrillic_adjective(w: &str) -> bool {
    const ENDS: &[&str] = &["ый", "ий", "ой", "ая", "яя", "ое", "ее", "ого", "его", "ому", "ему", "ым", "им", "ую"];
    w.chars().count() > 3 && ENDS.iter().any(|e| w.ends_with(e))
}

/// The role without quotation marks, its words joined by single spaces, without a final '.'
/// or ','.
fn clean_role(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().filter(|c| !matches!(c, '"' | '“' | '”' | '«' | '»' | '„')) {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    let kept = out.trim_end_matches(['.', ',']).len();
    out.truncate(kept);
    out
}

#[cfg(test)]
mod tests {
    use crate::entities::{analyze, Kind};

    /// The roles found for the person mention whose surface is `name`.
    fn roles_of(text: &str, name: &str) -> Vec<String> {
        let e = analyze(text);
        let i = (e.mentions.iter())
            .position(|m| m.kind == Kind::Person && m.surface == name)
            .unwrap_or_else(|| panic!("{name} is not a person mention of {text:?}: {:?}", e.mentions));
        e.details[i].roles.clone()
    }

    #[test]
    fn titles_before_the_name() {
        let cases = [
            ("The talks were led by Prime Minister Alikhan Smailov on Monday.", "Alikhan Smailov", "Prime Minister"),
            (
                "CSTO Secretary General Imangali Tasmagambetov arrived in Minsk.",
                "Imangali Tasmagambetov",
                "CSTO Secretary General",
            ),
            (
                "Yesterday Russian Foreign Minister Sergei Lavrov flew to Ankara.",
                "Sergei Lavrov",
                "Russian Foreign Minister",
            ),
            ("Kyrgyz economist Kubat Rakhimov disagrees.", "Kubat Rakhimov", "Kyrgyz economist"),
            ("Yesterday Halyk Bank analyst Marat Serikov said so.", "Marat Serikov", "Halyk Bank analyst"),
            ("On Monday chairman Marat Serikov resigned.", "Marat Serikov", "chairman"),
            (
                "The rector of the Astana Medical University Marat Shaikenov resigned.",
                "Marat Shaikenov",
                "rector of the Astana Medical University",
            ),
        ];
        for (text, name, role) in cases {
            assert_eq!(roles_of(text, name), [role], "{text}");
        }
    }

    #[test]
    fn appositions_after_the_name() {
        let cases = [
            (
                "Denis Pasler, governor of the Orenburg region, asked for help.",
                "Denis Pasler",
                "governor of the Orenburg region",
            ),
            (
                "The club sacked Oleg Kononov, the head coach of the team, on Sunday.",
                "Oleg Kononov",
                "head coach of the team",
            ),
            (
                "Akzhan Kazhegeldin, another energetic former prime minister who declared his ambitions, left.",
                "Akzhan Kazhegeldin",
                "energetic former prime minister",
            ),
        ];
        for (text, name, role) in cases {
            assert_eq!(roles_of(text, name), [role], "{text}");
        }
    }

    #[test]
    fn clauses_that_say_the_role() {
        let cases = [
            ("As Deputy Prime Minister, Serik Akhmetov proposed a new law.", "Serik Akhmetov", "Deputy Prime Minister"),
            (
                "In 2017, while serving as finance minister, Bakhyt Sultanov cut the budget.",
                "Bakhyt Sultanov",
                "finance minister",
            ),
            ("Hans Weber served as ambassador of Germany until 2019.", "Hans Weber", "ambassador of Germany"),
            (
                "Anna Kowalska was appointed chief executive of Orlen in May.",
                "Anna Kowalska",
                "chief executive of Orlen",
            ),
            (
                "During Rustam Minnikhanov's tenure as president of Tatarstan, Kazan grew.",
                "Rustam Minnikhanov",
                "president of Tatarstan",
            ),
        ];
        for (text, name, role) in cases {
            assert!(roles_of(text, name).contains(&role.to_string()), "{text}: {:?}", roles_of(text, name));
        }
    }

    #[test]
    fn a_possessive_pronoun_gives_the_role_to_the_person_named_before_it() {
        let text = "Analyst Dana Omarova says that Kairat Bekov must follow Moscow due to his current role as CIS Executive Secretary.";
        assert!(
            roles_of(text, "Kairat Bekov").contains(&"CIS Executive Secretary".to_string()),
            "{:?}",
            roles_of(text, "Kairat Bekov")
        );
        assert!(!roles_of(text, "Dana Omarova").iter().any(|r| r.contains("Secretary")));
        // not across sentences
        let text = "Kairat Bekov arrived. The minister praised his role as host.";
        assert!(roles_of(text, "Kairat Bekov").is_empty());
    }

    #[test]
    fn russian_titles_in_english_or_transliterated() {
        let cases = [
            (
                "Генсек ОДКБ Имангали Тасмагамбетов (слева) в Минске.",
                "Имангали Тасмагамбетов",
                "CSTO Secretary General",
            ),
            ("и министр обороны Беларуси Виктор Хренин.", "Виктор Хренин", "Belarusian Defence Minister"),
            ("Президент Садыр Жапаров (справа) и гости.", "Садыр Жапаров", "President"),
            (
                "Заявил казахстанский политолог Досым Сатпаев.",
                "Досым Сатпаев",
                "казахстанский политолог (kazakhstanskiy politolog)",
            ),
        ];
        for (text, name, role) in cases {
            assert_eq!(roles_of(text, name), [role], "{text}");
        }
    }

    #[test]
    fn no_role_without_a_head() {
        for (text, name) in [
            ("Yesterday Marat Zhumabekov said nothing.", "Marat Zhumabekov"),
            ("As expected, Marat Zhumabekov won.", "Marat Zhumabekov"),
            ("Marat Zhumabekov, who lives in Almaty, won.", "Marat Zhumabekov"),
            ("Marat Zhumabekov's time as a child was short.", "Marat Zhumabekov"),
            ("Встреча, Марат Жумабеков (справа).", "Марат Жумабеков"),
        ] {
            assert!(roles_of(text, name).is_empty(), "{text}: {:?}", roles_of(text, name));
        }
    }
}
