//! Words for what the classifier found: the kind of a chrome line, and a block's message,
//! which says why it was judged chrome (shown on hover by editors).

use super::{flag, Line, Marker, Shape};

/// What a chrome line looks like, for the message of a line found alone.
pub fn line_kind(s: Shape) -> &'static str {
    if s.has(flag::SYMBOLS_ONLY) {
        "empty list item or symbol line"
    } else if s.has(flag::NUMBERS_ONLY) {
        "counter or number line"
    } else if s.has(flag::SEPARATED) {
        "row of links"
    } else if s.marker() != Marker::None {
        "list item outside the article"
    } else if s.has(flag::LINK) {
        "link"
    } else if s.has(flag::TIME) && s.words() <= 12 {
        "date or time line outside the article"
    } else if s.words() <= 3 {
        "short label or button"
    } else if !s.has(flag::SENTENCE_END) {
        "headline or link outside the article"
    } else {
        "text outside the article"
    }
}

/// Where the article's prose is: the first and last lines (document line numbers) that read
/// as prose, if any.
#[derive(Clone, Copy, Debug)]
pub struct Prose {
    first: Option<usize>,
    last: Option<usize>,
}

impl Prose {
    pub fn of(lines: &[Line], chrome: &[bool]) -> Prose {
        let prose = |(l, c): (&Line, &bool)| (!c && l.shape.words() >= 8).then_some(l.line);
        Prose { first: lines.iter().zip(chrome).find_map(prose), last: lines.iter().zip(chrome).rev().find_map(prose) }
    }
}

/// The message of a block of chrome lines `first..=last` (0-based document lines): what it
/// is, how many lines, and what made them chrome.
pub fn block(first: usize, last: usize, run: &[Line], patterns: usize, prose: Prose) -> String {
    let (mut items, mut labels, mut headlines, mut rows, mut symbols, mut sentences) = (0, 0, 0, 0, 0, 0);
    for l in run {
        let s = l.shape;
        if s.has(flag::SYMBOLS_ONLY) || s.has(flag::NUMBERS_ONLY) {
            symbols += 1;
        } else if s.has(flag::SEPARATED) {
            rows += 1;
        } else if s.marker() != Marker::None {
            items += 1;
        } else if s.words() <= 3 {
            labels += 1;
        } else if s.has(flag::SENTENCE_END) && s.words() >= 8 {
            sentences += 1;
        } else {
            headlines += 1;
        }
    }
    let n = run.len();
    let where_ = match (prose.first, prose.last) {
        (Some(a), _) if last < a => "before the article",
        (_, Some(b)) if first > b => "after the article",
        (None, None) => "no article prose on the page",
        _ => "inside the article's flow",
    };
    let what = if items + labels + symbols >= n * 2 / 3 && first == 0 {
        "site navigation"
    } else if items + labels + symbols >= n * 2 / 3 {
        "menu or list of links"
    } else if headlines + items >= n / 2 {
        "related-link rail or list of headlines"
    } else if rows * 2 >= n {
        "footer links"
    } else if sentences * 2 >= n {
        "text around the article (teasers, promos, comments)"
    } else {
        "site chrome"
    };
    let mut parts = Vec::new();
    for (count, name) in [
        (items, "list items"),
        (labels, "short labels"),
        (headlines, "headline-like lines"),
        (rows, "rows of links"),
        (symbols, "symbol or number lines"),
        (sentences, "sentences"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {name}"));
        }
    }
    let matched = if patterns > 0 { format!("; {patterns} match chrome patterns") } else { String::new() };
    format!(
        "lines {}–{}: {what}, {n} lines ({}{matched}), {where_}; not part of the article, delete the block",
        first + 1,
        last + 1,
        parts.join(", ")
    )
}
