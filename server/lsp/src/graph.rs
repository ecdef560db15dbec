//! The corpus at a glance over the protocol: the custom request `dossier/graph`, answered from
//! the linked index (no file is read), and the hover card's link to every reference.
//!
//! Request `dossier/graph`, params (every field optional):
//! ```json
//! { "minWeight": 1, "kinds": ["person", "place"], "maxNodes": 150,
//!   "focus": { "textDocument": { "uri": "file:///…" }, "position": { "line": 3, "character": 7 } },
//!   "focusName": "Tasmagambetov", "format": "json", "timeline": "day" }
//! ```
//! Result: `{ nodes: [{ id, name, kind, mentions, documents, timeline: [{ date, mentions }],
//! location, together }], edges: [{ source, target, paragraphs, documents }], documents,
//! datedDocuments, focus }`, where `location` is where the entity is defined and `together`
//! (with a focus) its first mention in a paragraph it shares with the focus. With
//! `"format": "html"` the result also has `html`, the page `dossier graph --format html` writes.
//! With `"timeline": "month"` each node's timeline sums its mentions by month (`date` is then
//! `YYYY-MM`): a far smaller answer for a corpus of many dates.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::ls_types as lsp;

use dossier_engine::entities::{by_month, GraphQuery, Kind, MonthPoint, ReferencesLink, REFERENCES_HINT};

use crate::state::{Snap, SHOW_REFERENCES};

pub const METHOD: &str = "dossier/graph";

/// The parameters of [`METHOD`].
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphParams {
    pub min_weight: Option<u32>,
    pub kinds: Vec<String>,
    pub max_nodes: Option<usize>,
    /// The entity at a position.
    pub focus: Option<lsp::TextDocumentPositionParams>,
    /// The entity a name finds (as workspace symbols do).
    pub focus_name: Option<String>,
    pub format: Option<String>,
    /// `"day"` (the default) or `"month"`.
    pub timeline: Option<String>,
}

/// Answer [`METHOD`]. Unknown kinds are an error; a focus that names no entity gives an empty
/// graph.
pub fn graph(s: &Snap, p: GraphParams) -> Result<Value, String> {
    let kinds = (p.kinds.iter())
        .map(|k| match k.to_lowercase().as_str() {
            "organisation" => Ok(Kind::Organization),
            w => Kind::ALL.into_iter().find(|x| x.as_str() == w).ok_or_else(|| format!("unknown kind “{k}”")),
        })
        .collect::<Result<Vec<Kind>, String>>()?;
    let monthly = match p.timeline.as_deref() {
        None | Some("day") => false,
        Some("month") => true,
        Some(t) => return Err(format!("unknown timeline “{t}” (day or month)")),
    };
    let index = s.corpus.entities();
    let focus = match (&p.focus, &p.focus_name) {
        (Some(at), _) => {
            let d = s.doc(&at.text_document.uri);
            let found = d.and_then(|d| index.at(d.entry.id, d.tp().offset(at.position)));
            match found {
                Some((id, _)) => Some(id),
                None => return Ok(json!({ "nodes": [], "edges": [], "focus": null })),
            }
        }
        (None, Some(name)) => match index.search(name, 1).first() {
            Some(&id) => Some(id),
            None => return Ok(json!({ "nodes": [], "edges": [], "focus": null })),
        },
        (None, None) => None,
    };
    let defaults = GraphQuery::default();
    let q = GraphQuery {
        min_weight: p.min_weight.unwrap_or(defaults.min_weight),
        kinds,
        focus,
        max_nodes: p.max_nodes.unwrap_or(defaults.max_nodes),
    };
    let mut g = index.graph(&q);
    let html = (p.format.as_deref() == Some("html")).then(|| {
        let name = s.roots.first().and_then(|r| r.file_name()).map(|n| n.to_string_lossy().into_owned());
        g.to_html(&format!("Dossier: {}", name.as_deref().unwrap_or("corpus")))
    });
    let months: Vec<Vec<MonthPoint>> = match monthly {
        true => g.nodes.iter_mut().map(|n| by_month(&std::mem::take(&mut n.timeline))).collect(),
        false => Vec::new(),
    };
    let mut out = serde_json::to_value(&g).map_err(|e| e.to_string())?;
    if let Some(nodes) = out.get_mut("nodes").and_then(Value::as_array_mut) {
        for (i, (v, n)) in nodes.iter_mut().zip(&g.nodes).enumerate() {
            if let Some(m) = months.get(i) {
                v["timeline"] = json!(m);
            }
            let location = n.definition.as_ref().and_then(|d| s.definition_location(d));
            v["location"] = serde_json::to_value(location).unwrap_or_default();
            v["together"] = serde_json::to_value(n.together.as_ref().and_then(|l| s.location(l))).unwrap_or_default();
        }
    }
    out["focus"] = json!(focus.map(|f| f.0));
    if let Some(html) = html {
        out["html"] = json!(html);
    }
    Ok(out)
}

/// How a hover card offers every reference: a link running [`SHOW_REFERENCES`] at the
/// mention's position when the client has the command, else a hint.
pub fn references_link(s: &Snap, uri: &lsp::Uri, at: lsp::Position) -> ReferencesLink {
    if !s.flags.show_references {
        return ReferencesLink::Hint(REFERENCES_HINT);
    }
    let args = json!([uri.as_str(), { "line": at.line, "character": at.character }]).to_string();
    ReferencesLink::Target(format!("command:{SHOW_REFERENCES}?{}", utf8_percent_encode(&args, NON_ALPHANUMERIC)))
}
