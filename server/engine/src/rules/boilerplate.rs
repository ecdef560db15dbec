//! `boilerplate`: site chrome scraped along with the article.
//!
//! News sites wrap every article in the same furniture: subscribe and share bars, cookie banners,
//! comment-policy notices, "select the error and press Ctrl+Enter", copyright and reprint terms,
//! advertising labels, "Read also" / "Latest news" headers, breadcrumbs and back links, a bare
//! domain line, loading placeholders and the thank-you text of feedback forms. None of it is the
//! article; a corpus cleaner deletes it.
//!
//! Patterns are grouped by family and written for the many ways sites (and machine translation)
//! phrase each notice. Two tiers keep the cost low and the precision high:
//! - *line* patterns must match the whole line (or its start) and are tried on every line; an
//!   anchored automaton rejects ordinary prose after a few bytes;
//! - *phrase* patterns may occur anywhere, so they only run on short lines (chrome is short;
//!   article paragraphs that merely discuss comments or cookies are long).
//!
//! The user's `boilerplate.patterns` regexes are matched against the trimmed line as well.

use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexSet};

use super::{delete_line, is_ignored, trimmed, DocCtx, Mark, Rule, Scope};
use crate::chrome;
use crate::diag::{Diagnostic, Fix, Level, Severity};

pub struct Boilerplate;

/// Lines longer than this (in bytes) are only tried against the anchored line patterns.
const PHRASE_MAX: usize = 420;

/// Whole-line or line-start patterns: (family, regex). Matched case-insensitively against the
/// trimmed line with leading bullets removed.
const LINE_PATTERNS: &[(&str, &str)] = &[
    // subscribe / follow / share
    ("subscription prompt", r"^subscribe(?:\s|:|!|$)"),
    ("subscription prompt", r"^(?:follow|join|find|read|watch|like) us(?:\s|:|!|\.|$)"),
    (
        "subscription prompt",
        r"^(?:sign up|register|subscribe) (?:for|to) (?:our|the) (?:\w+ )?(?:newsletter|digest|mailing|news|channel)",
    ),
    (
        "subscription prompt",
        r"^(?:get|receive) (?:the |our )?(?:latest )?news (?:first|in your|by e-?mail|on telegram)",
    ),
    ("subscription prompt", r"^(?:enter|type|leave) (?:your )?e-?mail(?-u:\b)"),
    ("share bar", r"^share(?:\s*[:!]|\s+(?:this|the|on|via|in|with|to)(?-u:\b)|$)"),
    (
        "share bar",
        r"^(?:(?:facebook|twitter|x|vk|vkontakte|telegram|whatsapp|viber|odnoklassniki|ok|youtube|instagram|tiktok|linkedin|e-?mail|print|copy link|pinterest|reddit|livejournal|mail\.ru|yandex ?zen|dzen|rss|flipboard|messenger|skype|threads)[\s,|•·/]*)+$",
    ),
    // comment policy
    ("comment-policy notice", r"^dear (?:readers|users|visitors|subscribers|friends|commenters)(?-u:\b)"),
    (
        "comment-policy notice",
        r"^(?:leave|add|post|write|send) (?:a |an |your )?(?:comment|reply|review|opinion)s?(?-u:\b)",
    ),
    ("comment-policy notice", r"^comments?\s*(?:\(\d+\)|:\s*\d*|\d+)?$"),
    (
        "comment-policy notice",
        r"^(?:no comments?(?: yet)?|be the first to comment(?-u:\b).*|show (?:all )?comments?.*|hide comments?)\W*$",
    ),
    (
        "comment-policy notice",
        r"^(?:you must|you need to|please|only registered users can) (?:be )?(?:log(?:ged)? in|sign(?:ed)? in|registered|register|authori[sz]e)",
    ),
    (
        "comment-policy notice",
        r"^thank you for (?:your |the )?(?:understanding|feedback|your message|subscribing|comment)",
    ),
    // error-report prompt
    ("error-report prompt", r"^(?:found|noticed|spotted|see) an? (?:error|mistake|typo|inaccuracy)"),
    ("error-report prompt", r"^report (?:an? )?(?:error|typo|mistake|inaccuracy)"),
    // copyright / reprint
    ("copyright notice", r"^(?:©|\(c\)\s*\d{4}|copyright(?-u:\b))"),
    (
        "copyright notice",
        r"^when (?:using|copying|quoting|reprinting|citing) (?:our |the |site )?(?:materials|content|articles|information|texts)",
    ),
    // advertising
    (
        "advertising",
        r"^(?:advertising|advertisement|ads?|sponsored(?: content| post| material)?|partner(?:s'?)? (?:news|content|material|project)s?|promo(?:ted)?(?: content)?|on the rights of advertising|special project|реклама|erid\s*:?\s*\S+)\s*[:.]?$",
    ),
    ("advertising", r"^advertising (?:on|in) (?:the|our) (?:site|website|portal|newspaper)"),
    // read also / news lists
    ("\"read also\" block", r"^(?:read|see|watch|look|listen) (?:also|more|too)(?-u:\b)"),
    ("\"read also\" block", r"^also (?:read|see|on the topic)(?-u:\b)"),
    ("\"read also\" block", r"^(?:читайте|смотрите|слушайте|см\.)\s+(?:также|тоже|ещё|еще|по теме|больше)(?:\s|:|$)"),
    ("\"read also\" block", r"^(?:также|ещё|еще|больше)\s+(?:по теме|читайте|материалов)(?:\s|:|$)"),
    ("news-list header", r"^(?:по теме|новости по теме|другие новости|последние новости|главное|популярное)\s*:?$"),
    // a link set in the body: "[Related: …]", "(READ MORE: …)", «[Читайте также: …]»
    (
        "related link",
        r"^[\[(]\s*(?:related|see|watch|listen|more|read(?: also| more| next)?|also read|recommended|читайте(?: также)?|смотрите(?: также)?|по теме|см\. также)\s*(?::|-|–|—).*[\])]$",
    ),
    // agency and staff credits: "(Reporting by …; Editing by …)", «(Подготовила …)»
    (
        "agency credit",
        r"^\(\s*(?:additional |compiled |extra )?(?:reporting|writing|written|editing|edited|compiled|translated|translation|graphics|research|fact-checking|production)\s+by\s[^()]+\)$",
    ),
    (
        "agency credit",
        r"^(?:additional )?(?:reporting|writing|written) by [^.;]{2,80};\s*(?:additional )?(?:reporting|writing|editing|edited) by ",
    ),
    (
        "agency credit",
        r"^\(\s*(?:подготовил[аи]?|перевод(?:ла|ил|или)?|редактор|редактировал[аи]?|при участии|текст|автор)\s*:?\s[^()]{2,80}\)$",
    ),
    // the article's tags: a label and a list of words, no sentence (an empty list is left to the
    // classifier)
    (
        "tag list",
        r"^(?:tags|tagged(?: with| in)?|keywords|теги|метки|ключевые слова)\s*:\s*[^.!?:\pL]{0,20}\pL[^.!?:]{0,200}$",
    ),
    // newsletter and app promos
    ("subscription prompt", r"^(?:sign up|subscribe|register) (?:for|to) [^.!?]{0,60}newsletters?(?-u:\b)"),
    ("subscription prompt", r"^(?:подписывайтесь|подпишитесь|присоединяйтесь)\s+(?:на|к)\s"),
    (
        "app promo",
        r"^(?:download|get|install|try) (?:the |our )?(?:free |new |official )?(?:[\w'’&-]+ ){0,3}apps?(?-u:\b)(?: (?:for|on|from) [^.]{0,40})?\W*$",
    ),
    ("app promo", r"^(?:скачайте|установите|загрузите)\s+(?:наше\s+|наши\s+|бесплатное\s+)?(?:\S+\s+){0,3}приложени"),
    (
        "news-list header",
        r"^(?:related|similar|recommended|popular|latest|recent|top|other|more|main|last|fresh|hot|trending|breaking|most (?:read|popular|viewed|discussed|commented))(?: news| articles| stories| materials| posts| publications| topics| videos| headlines)?(?: on (?:this|the) topic| of the day| for today)?\s*:?$",
    ),
    (
        "news-list header",
        r"^(?:news feed|all news|news of the day|news by topic|editor'?s? (?:choice|picks)|on (?:this|the) topic|more on (?:this|the) topic|in other news|you may (?:also )?(?:like|be interested in)|we recommend|don'?t miss|recommended for you|also interesting)\s*:?$",
    ),
    (
        "\"read more\" link",
        r"^(?:click here|read more|continue reading|read the full (?:article|story|text)|full story|show more|load more|more details|details|more)\s*(?:…|\.\.\.|→|»|>|›)?$",
    ),
    // navigation
    ("back-navigation link", r"^(?:←|«|<|‹)?\s*(?:back|go back|return)(?: to (?:the )?[a-z ]{1,30})?\s*(?:→|»|›)?$"),
    (
        "navigation link",
        r"^(?:←\s*|«\s*)?(?:previous|next|prev)(?: (?:article|news|post|story|material|page|item))?\s*(?:→|»|›|:.*)?$",
    ),
    (
        "navigation link",
        r"^(?:to top|back to top|up|menu|main menu|search|close|cancel|send|submit|print|print version|version for the visually impaired|archive|news archive|log ?in|sign in|register|sign up|home|homepage|main page|главная)\s*↑?$",
    ),
    ("breadcrumb", r"^(?:home|main|main page|homepage|news|главная)\s*(?:/|»|>|›|→|\|)\s*\S"),
    // bare site name / domain
    (
        "site name",
        r"^(?:https?://)?(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|ru|kz|ua|by|kg|uz|tj|am|az|ge|md|news|media|tv|online|io|co|uk|de|eu|su|рф|today|press|site|world|asia|me|fm)(?:/\S*)?$",
    ),
    ("site name", r"^https?://\S+$"),
    (
        "cookie notice",
        r"^(?:accept|accept all|accept cookies|i agree|i accept|agree|got it|allow cookies|reject all)\s*!?$",
    ),
    // loading placeholders
    (
        "loading placeholder",
        r"^(?:loading|please wait|loading comments|loading video|video is loading|content is loading|загрузка)\s*(?:\.\.\.|…|\.)?$",
    ),
    // feedback-form chrome
    ("feedback-form text", r"^(?:thank you|thanks)\s*!?$"),
    (
        "feedback-form text",
        r"^(?:now )?the (?:editors?|editorial (?:staff|board|office)|moderators?) (?:are|is|have been|has been|were|was|will be) (?:aware|notified|informed)",
    ),
    (
        "feedback-form text",
        r"^(?:your )?(?:message|report|request|feedback|complaint) (?:has been|was|is) (?:sent|received|submitted)",
    ),
];

/// Patterns that may occur anywhere in a short line.
const PHRASE_PATTERNS: &[(&str, &str)] = &[
    (
        "cookie notice",
        r"cookies?(?-u:\b).*(?-u:\b)(?:use|using|accept|consent|agree|policy|settings|continu|improve|experience)",
    ),
    ("cookie notice", r"(?-u:\b)(?:we|this (?:site|website|portal)) uses? cookies"),
    (
        "comment-policy notice",
        r"rules (?:for|of) (?:publishing|posting|commenting|publication of|placing|writing) comments",
    ),
    ("comment-policy notice", r"(?-u:\b)comment(?:ing)? (?:rules|policy|moderation)(?-u:\b)"),
    (
        "comment-policy notice",
        r"(?:administration|moderators?|editors?|editorial (?:board|staff|office)|site owners?) (?:has|have|reserves?|retains?) the right to (?:delete|remove|edit|block|moderate|reject)",
    ),
    (
        "comment-policy notice",
        r"(?-u:\b)(?:links|linking|references) to third[- ]party (?:resources|sites|websites|pages)",
    ),
    (
        "comment-policy notice",
        r"(?-u:\b)comments? (?:containing|that contain|with|which contain)(?-u:\b).*(?-u:\b)(?:insult|obscen|extremis|profan|spam|links|offensive|abuse|hate)",
    ),
    (
        "comment-policy notice",
        r"(?-u:\b)(?:prohibited|forbidden|not allowed|banned|not permitted)(?-u:\b).*(?-u:\b)(?:publication|publishing|posting)(?-u:\b).*(?-u:\b)comments?(?-u:\b)",
    ),
    (
        "comment-policy notice",
        r"(?-u:\b)comments?(?-u:\b).*(?-u:\b)(?:will be (?:deleted|removed|moderated)|are moderated|are pre-moderated)",
    ),
    (
        "comment-policy notice",
        r"(?-u:\b)(?:to|in order to) (?:leave|post|add|write) (?:a )?comments?,? (?:please |you (?:must|need to) )?(?:log in|sign in|register|authori[sz]e)",
    ),
    (
        "error-report prompt",
        r"(?-u:\b)if you (?:find|found|notice|noticed|spot|see|have found|came across)(?: an?| any)? (?:error|mistake|typo|inaccuracy|misprint)",
    ),
    ("error-report prompt", r"(?-u:\b)ctrl\s*\+\s*enter(?-u:\b)"),
    (
        "error-report prompt",
        r"(?-u:\b)(?:select|highlight) (?:it|the (?:text|error|fragment|word)|a (?:piece|fragment) of (?:the )?text)(?-u:\b).*(?-u:\b)(?:press|click)",
    ),
    ("copyright notice", r"(?-u:\b)all rights (?:are )?reserved(?-u:\b)"),
    (
        "copyright notice",
        r"(?-u:\b)(?:reprint|reproduction|republication|copying|use|citing|quoting|distribution)(?:ing)? (?:of )?(?:any |the |our |site |editorial )?(?:materials|content|articles|texts|publications|information)(?-u:\b).*(?-u:\b)(?:link|permission|consent|prohibited|allowed|required|forbidden)",
    ),
    (
        "copyright notice",
        r"(?-u:\b)(?:active|direct|indexed|open|hyper)[\s-]*(?:hyper)?link(?-u:\b).*(?-u:\b)(?:is )?(?:required|mandatory|obligatory|necessary)",
    ),
    (
        "subscription prompt",
        r"(?-u:\b)our (?:official )?(?:telegram|whatsapp|viber|youtube|instagram|tiktok|facebook|vk|twitter|x|dzen|zen)[\s-]?(?:channel|account|page|group|chat|community)",
    ),
    (
        "subscription prompt",
        r"(?-u:\b)subscribe to (?:us|our|the)(?-u:\b).*(?-u:\b)(?:telegram|whatsapp|viber|youtube|instagram|tiktok|facebook|vk|twitter|zen|dzen|channel|newsletter)",
    ),
    (
        "loading placeholder",
        r"(?-u:\b)(?:enable javascript|javascript (?:is )?(?:disabled|required|must be enabled)|your browser does not support)(?-u:\b)",
    ),
];

/// Words one of which every phrase pattern needs; lines without any skip the phrase patterns.
const PHRASE_KEYWORDS: &[&str] = &[
    "cookie",
    "comment",
    "the right to",
    "third",
    "if you",
    "ctrl",
    "select",
    "highlight",
    "reserved",
    "material",
    "content",
    "article",
    "text",
    "publication",
    "information",
    "link",
    "telegram",
    "whatsapp",
    "viber",
    "youtube",
    "instagram",
    "tiktok",
    "facebook",
    "twitter",
    "vk ",
    "zen",
    "subscribe",
    "javascript",
    "browser",
];

struct Compiled {
    line: RegexSet,
    phrase: RegexSet,
    /// The phrase patterns as one alternation: whether any matches, answered sooner than by
    /// the set, which is asked only for the lines that match.
    any_phrase: Regex,
    keywords: AhoCorasick,
    /// The line patterns of the list-header families alone: a line none of them matches is no
    /// list header, which rejects most lines without running the whole set.
    list_header: RegexSet,
}

/// Families whose lines head a list of headlines.
const LIST_FAMILIES: &[&str] = &["news-list header", "\"read also\" block"];

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let build = |ps: &[(&str, &str)]| {
        RegexSet::new(ps.iter().map(|(_, p)| format!("(?i){p}")))
            .unwrap_or_else(|e| panic!("built-in boilerplate pattern: {e}"))
    };
    let keywords = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(PHRASE_KEYWORDS)
        .unwrap_or_else(|e| panic!("built-in boilerplate keywords: {e}"));
    let list: Vec<(&str, &str)> = LINE_PATTERNS.iter().copied().filter(|(f, _)| LIST_FAMILIES.contains(f)).collect();
    let alternation: Vec<String> = PHRASE_PATTERNS.iter().map(|(_, p)| format!("(?:{p})")).collect();
    let any_phrase = Regex::new(&format!("(?i){}", alternation.join("|")))
        .unwrap_or_else(|e| panic!("built-in boilerplate pattern: {e}"));
    Compiled {
        line: build(LINE_PATTERNS),
        phrase: build(PHRASE_PATTERNS),
        any_phrase,
        keywords,
        list_header: build(&list),
    }
});

/// The user's extra patterns, compiled once per distinct list.
type UserCache = Option<(Vec<String>, Arc<RegexSet>)>;
static USER: LazyLock<Mutex<UserCache>> = LazyLock::new(|| Mutex::new(None));

fn user_patterns(ps: &[String]) -> Option<Arc<RegexSet>> {
    if ps.is_empty() {
        return None;
    }
    let mut cache = USER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, set)) = cache.as_ref() {
        if k.as_slice() == ps {
            return Some(set.clone());
        }
    }
    // Configuration validated each pattern; a set that still fails to build is simply skipped.
    let set = Arc::new(RegexSet::new(ps).ok()?);
    *cache = Some((ps.to_vec(), set.clone()));
    Some(set)
}

/// Strip leading bullet and arrow characters that menus put before their items.
pub(crate) fn strip_bullets(s: &str) -> &str {
    s.trim_start_matches(|c: char| {
        matches!(c, '•' | '·' | '▪' | '●' | '◦' | '‣' | '∙' | '*' | '►' | '▶' | '>' | '»' | '›') || c.is_whitespace()
    })
}

/// Lines up to this long (in bytes) have their [`family`] remembered: chrome, headers and
/// headlines are short and recur from page to page of a site, and the rules ask about the same
/// line more than once (the headline walks of this rule and of `truncated-ending`).
const MEMO_MAX: usize = 160;

/// How many answers a thread remembers before it starts over (at most about 1 MB a thread).
const MEMO_CAP: usize = 1 << 12;

thread_local! {
    static MEMO: crate::hash::LineMemo<Option<&'static str>> = Default::default();
}

/// The chrome family of a (trimmed) line, if it is chrome.
pub(crate) fn family(line: &str) -> Option<&'static str> {
    let s = strip_bullets(line);
    if s.is_empty() {
        return None;
    }
    if s.len() > MEMO_MAX {
        return family_of(s);
    }
    crate::hash::remembered(&MEMO, MEMO_CAP, s, family_of)
}

/// [`family`] of a line without leading bullets, not remembered.
fn family_of(s: &str) -> Option<&'static str> {
    let c = &*COMPILED;
    // `is_match` stops at the first match or where no pattern can match any more; most lines
    // match nothing, and only the rare one that does pays for finding which pattern it was.
    if c.line.is_match(s) {
        if let Some(i) = c.line.matches(s).iter().next() {
            return Some(LINE_PATTERNS[i].0);
        }
    }
    if s.len() <= PHRASE_MAX && c.keywords.is_match(s) && c.any_phrase.is_match(s) {
        if let Some(i) = c.phrase.matches(s).iter().next() {
            return Some(PHRASE_PATTERNS[i].0);
        }
    }
    None
}

/// A header after which a site lists headlines ("Read also:", "Latest news").
pub(crate) fn is_list_header(line: &str) -> bool {
    let s = strip_bullets(line);
    COMPILED.list_header.is_match(s)
        && matches!(family(s), Some("news-list header") | Some("\"read also\" block"))
        && (s.ends_with(':') || s.split_whitespace().count() <= 4)
}

/// Could this line be an item of a headline list: short, one sentence, no closing punctuation?
pub(crate) fn headline_like(line: &str) -> bool {
    let words = line.split_whitespace().count();
    (1..=25).contains(&words)
        && !line.ends_with(['.', '!', '?', ';', ':', '"', '”', '»', '…', ','])
        && !line.contains(". ")
        && family(line).is_none()
}

/// Most headline items listed after one header.
const MAX_LIST_ITEMS: usize = 12;

impl Rule for Boilerplate {
    fn code(&self) -> &'static str {
        "boilerplate"
    }
    fn default_level(&self) -> Level {
        Level::On(Severity::Warning)
    }
    fn summary(&self) -> &'static str {
        "Site chrome scraped with the article: menus, link rails, subscribe/share bars, cookie and comment notices, \"Read also\", navigation, footers."
    }
    fn ignorable(&self) -> bool {
        true
    }
    fn scope(&self) -> Scope {
        Scope::Split
    }
    fn check(&self, cx: &DocCtx<'_>, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        super::rest_of_whole(self, cx, out);
        out[start..].sort_by_key(|d| (d.range.start, std::cmp::Reverse(d.range.end)));
    }
    /// Nothing: every finding needs the whole document (a line that matches a pattern may be
    /// part of a block of chrome lines), and the marks carry what each line is.
    fn check_block(&self, _cx: &DocCtx<'_>, _out: &mut Vec<Diagnostic>) {}
    /// Every non-empty line: `key` is a hash of its text, `aux` its [`chrome::Shape`] (which
    /// says whether it matches a pattern or heads a list).
    fn marks(&self, cx: &DocCtx<'_>, out: &mut Vec<Mark>) {
        let user = user_patterns(&cx.config.boilerplate_patterns);
        for (n, r) in cx.lines.lines(cx.text) {
            let t = trimmed(cx.text, r);
            if t.is_empty() {
                continue;
            }
            let line = &cx.text[t.clone()];
            let l = chrome_line(n, line, user.as_deref());
            out.push(Mark { line: n, range: t, key: l.key, aux: l.shape.0 });
        }
    }
    /// Lines that match a pattern, headlines listed after a list header, and the chrome lines
    /// the classifier finds, each run of them as one block.
    fn check_rest(&self, cx: &DocCtx<'_>, marks: &[Mark], out: &mut Vec<Diagnostic>) {
        if marks.is_empty() {
            return;
        }
        let lines: Vec<chrome::Line> =
            marks.iter().map(|m| chrome::Line { line: m.line, shape: chrome::Shape(m.aux), key: m.key }).collect();
        let mut why = vec![Why::Article; marks.len()];
        let user = user_patterns(&cx.config.boilerplate_patterns);
        for (i, m) in marks.iter().enumerate() {
            if lines[i].shape.has(chrome::flag::PATTERN) {
                let line = &cx.text[m.range.clone()];
                why[i] = Why::Pattern(family(line).unwrap_or("configured pattern"));
            }
        }
        self.listed_headlines(cx, marks, &mut why, user.as_deref());
        if lines.len() >= chrome::MIN_LINES {
            let mut classified = chrome::classify(&lines);
            chrome::keep_listings(&lines, &mut classified, |i| chrome::code_like(&cx.text[marks[i].range.clone()]));
            for (w, chrome) in why.iter_mut().zip(classified) {
                if chrome && *w == Why::Article {
                    *w = Why::Classified;
                }
            }
        }
        for (w, m) in why.iter_mut().zip(marks) {
            if *w != Why::Article && is_ignored(cx.config, &cx.text[m.range.clone()]) {
                *w = Why::Article;
            }
        }
        self.report_all(cx, marks, &lines, &why, out);
    }
}

/// Why a line is chrome, if it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    Article,
    /// It matches a pattern family (named).
    Pattern(&'static str),
    /// A headline listed after a "Read also:" / "Latest news" header.
    Listed,
    /// The classifier says so.
    Classified,
}

/// A line as the chrome classifier sees it.
pub(crate) fn chrome_line(n: usize, line: &str, user: Option<&RegexSet>) -> chrome::Line {
    let pattern = (family(line).is_some() && !glued_to_prose(line)) || user.is_some_and(|u| u.is_match(line));
    let shape = chrome::shape(line, pattern, pattern && is_list_header(line));
    chrome::Line { line: n, shape, key: crate::hash::bytes(line.as_bytes()) }
}

/// Is a line that starts like chrome longer than any notice ([`PHRASE_MAX`]) and prose (ten
/// words or more ending like a sentence, a quarter of them stop words)? Then the article's
/// text is glued to the notice on one line, and deleting the line would lose it.
fn glued_to_prose(line: &str) -> bool {
    if line.len() <= PHRASE_MAX {
        return false;
    }
    let s = chrome::shape(line, false, false);
    chrome::is_prose(s) && s.stops() * 4 >= s.words()
}

/// The lines of `text` as the chrome classifier sees them (default configuration).
pub fn chrome_lines(text: &str) -> Vec<chrome::Line> {
    crate::text::lines(text)
        .filter_map(|(n, r)| {
            let line = text[r].trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            (!line.is_empty()).then(|| chrome_line(n, line, None))
        })
        .collect()
}

impl Boilerplate {
    /// Headlines listed after a "Read also:" / "Latest news" header, which may be separated from
    /// it by blank lines. A header is chrome, so a list ends at the next header, which starts
    /// its own list.
    fn listed_headlines(&self, cx: &DocCtx<'_>, marks: &[Mark], why: &mut [Why], user: Option<&RegexSet>) {
        for (h, m) in marks.iter().enumerate() {
            if !chrome::Shape(m.aux).has(chrome::flag::LIST_HEADER) {
                continue;
            }
            // Headline items still expected after the header.
            let mut list_left = MAX_LIST_ITEMS;
            for i in h + 1..marks.len() {
                let line = &cx.text[marks[i].range.clone()];
                match family(line) {
                    Some(_) => break,
                    None if user.is_some_and(|u| u.is_match(line)) => {}
                    None if headline_like(line) => {
                        list_left -= 1;
                        why[i] = Why::Listed;
                        if list_left == 0 {
                            break;
                        }
                    }
                    None => break,
                }
            }
        }
    }

    /// One diagnostic per line that matches a pattern or is a listed headline, and one per run
    /// of two or more chrome lines that the classifier found some of; a lone line that only
    /// the classifier found gets one of its own.
    fn report_all(
        &self,
        cx: &DocCtx<'_>,
        marks: &[Mark],
        lines: &[chrome::Line],
        why: &[Why],
        out: &mut Vec<Diagnostic>,
    ) {
        let chrome: Vec<bool> = why.iter().map(|w| *w != Why::Article).collect();
        let prose = chrome::describe::Prose::of(lines, &chrome);
        let mut i = 0;
        while i < marks.len() {
            if why[i] == Why::Article {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < marks.len() && why[j] != Why::Article {
                j += 1;
            }
            let classified = why[i..j].contains(&Why::Classified);
            for k in i..j {
                match why[k] {
                    Why::Pattern(fam) => self.report(cx, marks[k].line, marks[k].range.clone(), fam, out),
                    Why::Listed => {
                        self.report(cx, marks[k].line, marks[k].range.clone(), "headline of a news list", out)
                    }
                    Why::Classified if j - i == 1 => {
                        let what = chrome::describe::line_kind(lines[k].shape);
                        self.report(cx, marks[k].line, marks[k].range.clone(), what, out)
                    }
                    _ => {}
                }
            }
            if classified && j - i >= 2 {
                out.push(self.block(cx, &marks[i..j], &lines[i..j], &why[i..j], prose));
            }
            i = j;
        }
    }

    /// The diagnostic of a run of chrome lines, with the fix that deletes them all.
    fn block(
        &self,
        cx: &DocCtx<'_>,
        marks: &[Mark],
        run: &[chrome::Line],
        why: &[Why],
        prose: chrome::describe::Prose,
    ) -> Diagnostic {
        let (first, last) = (&marks[0], &marks[marks.len() - 1]);
        let patterns = why.iter().filter(|w| matches!(w, Why::Pattern(_) | Why::Listed)).count();
        let message = chrome::describe::block(first.line, last.line, run, patterns, prose);
        let start = cx.lines.line_range_with_terminator(first.line).start;
        let end = cx.lines.line_range_with_terminator(last.line).end;
        Diagnostic::new(self.code(), first.range.start..last.range.end, message)
            .with_fix(Fix::replace("Delete this block of site chrome", cx.doc, start..end, "").safe())
    }

    fn report(&self, cx: &DocCtx<'_>, n: usize, t: std::ops::Range<usize>, fam: &str, out: &mut Vec<Diagnostic>) {
        out.push(
            Diagnostic::new(
                self.code(),
                t,
                ["site chrome (", fam, "), not part of the article; delete it from the corpus"].concat(),
            )
            .with_fix(delete_line(cx, n, "Delete boilerplate line").safe()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::testutil::{apply_first_fix, check, check_with, flagged_lines};
    use crate::text::LineIndex;

    /// Chrome lines in the phrasings of many sites, each of which must be flagged.
    const CHROME: &[&str] = &[
        "otenge.com",
        "www.inform.kz",
        "https://tengrinews.kz/kazakhstan_news/",
        "Subscribe to PolitNavigator news at ThereThere, Yandex Zen, Telegram, Classmates, In contact with, channels YouTube, TikTok и Viber.",
        "Subscribe to our Telegram channel",
        "Follow us on Facebook and Instagram",
        "Tags: Almaty, ecology, smog",
        "Теги: Астана, пенсии",
        "Join our WhatsApp group for the latest news",
        "Read us on Telegram",
        "Share:",
        "Share this article",
        "Facebook Twitter VK Telegram WhatsApp",
        "This site uses cookies to improve your experience. By continuing to browse, you agree to our cookie policy.",
        "We use cookies. Accept",
        "Dear Readers, At the request of Roskomnadzor, the rules for publishing comments are being tightened.",
        "Prohibited from publication comments from knowingly false information on the conduct of the operation, comments containing extremist statements, insults, fakes.",
        "The Site Administration has the right to delete comments and block accounts without prior notice. Thank you for understanding!",
        "The editors reserve the right to remove comments that violate these rules.",
        "Placing links to third-party resources prohibited!",
        "Comments (12)",
        "Leave a comment",
        "You must be logged in to post a comment.",
        "If you find an error, please select a piece of text and press Ctrl + Enter.",
        "Noticed a typo? Highlight it and press Ctrl+Enter",
        "Found a mistake? Select it and press Ctrl+Enter to let us know.",
        "© 2024 Kazinform. All rights reserved.",
        "Copyright 2023 Vlast.kz",
        "Any use of materials is allowed only with a hyperlink to the source.",
        "When using materials, an active hyperlink to the site is required.",
        "Reprinting of materials without the consent of the editorial office is prohibited.",
        "Advertising",
        "ADVERTISEMENT",
        "Read also:",
        "Read also: Tokayev signs a decree on early elections",
        "See also",
        "Latest news",
        "Most read",
        "Related articles:",
        "More on this topic",
        "Read more…",
        "Home / News / Politics",
        "Main » Kazakhstan » Society",
        "← Back to news",
        "Back",
        "Next article",
        "Loading...",
        "Please wait…",
        "Thank you!",
        "  • Thank you!",
        "Now the editors are aware.",
        "The editors have been notified.",
        "Your message has been sent",
        "Accept all",
        "Telegram",
        "Enter your email",
        "Click here",
        "Archive",
    ];

    /// Ordinary article lines, including ones that mention the same words.
    const PROSE: &[&str] = &[
        "Share prices on the Kazakhstan Stock Exchange fell by 3% on Monday.",
        "Subscribers of the state broadcaster complained about the new tariffs.",
        "The ministry said it reserves the right to respond to the sanctions in kind.",
        "He did not comment on the reports, which appeared in Vlast.kz last week.",
        "The decision to ban comments under the president's posts was widely criticised by journalists and activists, who said that the administration had used the new rules to silence dissent and that the courts would have to decide whether it had the right to delete comments at all.",
        "Thank you for the question, the minister replied, and moved on.",
        "Read the statement in full on the ministry's website, officials said at the briefing in Astana on Tuesday.",
        "Back in 2016, the remains were returned to Kazakhstan.",
        "Next year, the government plans to raise pensions.",
        "Home prices in Almaty rose by 12% over the year.",
        "Advertising revenue of regional newspapers has been falling for a decade.",
        "More than 300 people attended the rally.",
        "The cookies baked for the festival were sold out by noon.",
        "Latest polls show that the party remains popular among rural voters.",
        "Follow-up inspections found no violations.",
        "“PRODUCT OF NAZARBAYEV”",
        "On the first day of spring, the XXII extraordinary congress of the ruling Nur Otan party took place in Nur-Sultan.",
        "Tasmagambetov thanked the editors of the newspaper for their support.",
    ];

    #[test]
    fn chrome_lines_are_flagged() {
        for line in CHROME {
            let text = format!("An article paragraph.\n{line}\nAnother paragraph.");
            assert_eq!(flagged_lines(&Boilerplate, &text), vec![2], "should flag: {line}");
        }
    }

    /// A notice with a paragraph of the article glued to it on one line is not taken for
    /// chrome by its pattern; the notice alone, or glued to a list of names, still is.
    #[test]
    fn a_notice_glued_to_the_article_keeps_the_article() {
        let prose = "The council voted on the budget after a long debate that lasted well into the night, and the opposition walked out before the final reading. ".repeat(4);
        let glued = format!("Subscribe to LWN        {}", prose.trim());
        assert!(glued.len() > PHRASE_MAX);
        assert!(!chrome_line(0, &glued, None).shape.has(chrome::flag::PATTERN), "{glued}");
        assert!(chrome_line(0, "Subscribe to LWN", None).shape.has(chrome::flag::PATTERN));
        let names =
            format!("Subscribe to a magazine: {}", "Allure Architectural Digest Vogue Wired Glamour ".repeat(12));
        assert!(names.len() > PHRASE_MAX);
        assert!(chrome_line(0, names.trim(), None).shape.has(chrome::flag::PATTERN));
    }

    #[test]
    fn article_prose_is_not_flagged() {
        for line in PROSE {
            assert!(check(&Boilerplate, line).is_empty(), "false positive: {line}");
        }
    }

    /// Links, credits and promos set inside the body, between two paragraphs of prose, where
    /// the classifier leaves a line alone: flagged by their shape, in English and Russian.
    #[test]
    fn in_body_links_credits_and_promos() {
        let before = "The council voted on the budget after a long debate that lasted well into the night, and the opposition walked out before the final reading.";
        let after = "The mayor said the roads would be repaired in spring, as the contract with the road company allows, and that the money was set aside.";
        let chrome = [
            ("[Related: Council to vote on the budget in December]", "related link"),
            ("(READ MORE: Why the roads are not repaired)", "related link"),
            ("[Читайте также: Совет проголосует по бюджету в декабре]", "related link"),
            ("ALSO READ: Council to vote on the budget in December", "read also"),
            ("READ MORE: Why the roads are not repaired", "read also"),
            ("Читайте также: Совет проголосует по бюджету", "read also"),
            ("Смотрите также:", "read also"),
            ("(Reporting by Jane Doe in Astana; Editing by John Roe)", "agency credit"),
            ("(Additional reporting by Jane Doe)", "agency credit"),
            ("Reporting by Jane Doe; editing by John Roe and Mary Major", "agency credit"),
            ("(Подготовила Анна Иванова)", "agency credit"),
            ("Sign up for The Daily Brief newsletter", "subscription prompt"),
            ("Подписывайтесь на наш канал в Telegram", "subscription prompt"),
            ("Download the Example News app for iPhone and Android", "app promo"),
            ("Get our free app", "app promo"),
            ("Скачайте наше приложение для iOS и Android", "app promo"),
        ];
        for (line, family) in chrome {
            let text = format!("{before}\n\n{line}\n\n{after}\n");
            let d = check(&Boilerplate, &text);
            assert_eq!(d.len(), 1, "should flag: {line}");
            assert_eq!(LineIndex::new(&text).line_of(d[0].range.start), 2, "{line}");
            assert!(d[0].message.contains(family), "{line}: {}", d[0].message);
        }
        let prose = [
            "[The mayor later said he had been misquoted.]",
            "(The budget was adopted by 21 votes to 9.)",
            "Reporting by the local newspaper showed that the contract had been signed in 2019.",
            "Related questions were put to the minister, who declined to comment on the roads.",
            "Download speeds in the regions remain far below those in the capital, the report says.",
            "Подписывайтесь, говорил он, только на то, что прочитали.",
            "Читайте внимательно: в договоре нет ни слова о сроках ремонта.",
            "Get the app developers to fix the bug, the minister told his staff.",
        ];
        for line in prose {
            let text = format!("{before}\n\n{line}\n\n{after}\n");
            assert!(check(&Boilerplate, &text).is_empty(), "false positive: {line}");
        }
    }

    #[test]
    fn headline_lists_after_a_header() {
        let text = "Article ends here.\n\nLatest news\n\n14:25 Tokayev signs law on pensions\n13:50 Snowfall expected in northern regions\n\nRead also:\nAkimat explains the fuel shortage\nThe next paragraph of the article is prose, as it should be.\nA short heading\nAnd the article goes on after the heading with another paragraph of prose, as articles do.";
        assert_eq!(flagged_lines(&Boilerplate, text), vec![3, 5, 6, 8, 9]);
        let text = "Read also: Tokayev signs a decree\nA heading of the article\n";
        assert_eq!(flagged_lines(&Boilerplate, text), vec![1]);
    }

    #[test]
    fn fix_deletes_the_whole_line() {
        let text = "Para one.\r\nRead also:\r\nPara two.";
        let d = check(&Boilerplate, text);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes[0].safe);
        assert_eq!(apply_first_fix(text, &d[0]), "Para one.\r\nPara two.");
        assert!(d[0].message.contains("read also"), "{}", d[0].message);
    }

    #[test]
    fn user_patterns_and_ignored_lines() {
        let mut cfg = Config { boilerplate_patterns: vec!["^Our partners:".into()], ..Config::default() };
        let text = "Our partners: Kazinform, Tengri\nRead also:";
        assert_eq!(check_with(&Boilerplate, text, &cfg).len(), 2);
        cfg.ignore_lines = vec!["read   ALSO:".into()];
        let d = check_with(&Boilerplate, text, &cfg);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("configured pattern"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in ["", "\n\r\n\r", "•", "\u{feff}", "\u{a0}\u{a0}", "©", "ǅ\u{300}x"] {
            let _ = check(&Boilerplate, text);
        }
    }
}
