//! `dossier show` (the card of one entity) and `dossier graph` (the corpus at a glance): the
//! engine's card and graph written for a terminal, as JSON, DOT or an HTML page.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use dossier_engine::corpus::Corpus;
use dossier_engine::entities::{EntityId, GraphQuery, Kind};

/// Output of `dossier show`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    Human,
    Json,
}

/// Output of `dossier graph`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    Json,
    Dot,
    Html,
}

/// The entity a name asks for: the best match of a workspace-symbol search.
fn find(corpus: &Corpus, name: &str) -> Result<EntityId, ExitCode> {
    let index = corpus.entities();
    index.search(name, 1).first().copied().ok_or_else(|| {
        eprintln!("dossier: no entity matches “{name}”");
        ExitCode::from(1)
    })
}

/// A kind word ("person", "organization", "organisation", "place", "other").
pub fn parse_kind(s: &str) -> Result<Kind, String> {
    match s.trim().to_lowercase().as_str() {
        "organisation" => Ok(Kind::Organization),
        w => Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == w)
            .ok_or_else(|| format!("unknown kind “{s}” (person, organization, place, other)")),
    }
}

/// `dossier show NAME [PATH]`: the card, and with `references` every mention.
pub fn show(
    corpus: &Corpus,
    name: &str,
    format: ShowFormat,
    references: bool,
    shown: impl Fn(&str) -> String,
) -> ExitCode {
    let id = match find(corpus, name) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let index = corpus.entities();
    let Some(card) = index.card(id) else {
        eprintln!("dossier: no card for “{name}”");
        return ExitCode::from(1);
    };
    let refs: Vec<Reference> = if references { reference_lines(corpus, id) } else { Vec::new() };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = match format {
        ShowFormat::Json => {
            let mut v = serde_json::to_value(&card).unwrap_or_default();
            if references {
                v["references"] = refs
                    .iter()
                    .map(|r| serde_json::json!({"path": r.path, "line": r.line, "column": r.column, "text": r.text}))
                    .collect();
            }
            writeln!(out, "{v}")
        }
        ShowFormat::Human => {
            let mut text = card.text(&shown);
            if references {
                for r in &refs {
                    text.push_str(&format!("{}:{}:{}: {}\n", shown(&r.path), r.line, r.column, r.text));
                }
            } else {
                let exact = if card.name.contains(' ') { format!("\"{}\"", card.name) } else { card.name.clone() };
                text.push_str(&format!("  {:<13} dossier show {exact} [PATH] --references\n", "references"));
            }
            write!(out, "{text}")
        }
    };
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// One mention, as `path:line:column: line text`.
struct Reference {
    path: String,
    line: usize,
    column: usize,
    text: String,
}

fn reference_lines(corpus: &Corpus, id: EntityId) -> Vec<Reference> {
    let index = corpus.entities();
    let mut out = Vec::new();
    for run in index.references(id).chunk_by(|a, b| a.doc == b.doc) {
        let (Some(doc), Some(lines)) = (corpus.get(run[0].doc), corpus.lines(run[0].doc)) else { continue };
        for l in run {
            let line = lines.line_of(l.range.start);
            let span = lines.line_range(&doc.text, line);
            let column = doc.text[span.start..l.range.start.max(span.start)].chars().count() + 1;
            let text: String = doc.text[span].chars().take(200).collect();
            out.push(Reference { path: doc.name.to_string(), line: line + 1, column, text });
        }
    }
    out
}

/// Options of `dossier graph`.
pub struct GraphArgs {
    pub format: GraphFormat,
    pub min_weight: u32,
    pub kinds: Vec<Kind>,
    pub focus: Option<String>,
    pub max_nodes: usize,
}

/// `dossier graph [PATH]`: the co-occurrence network and the timeline.
pub fn graph(corpus: &Corpus, root: &Path, args: GraphArgs) -> ExitCode {
    let focus = match &args.focus {
        Some(name) => match find(corpus, name) {
            Ok(id) => Some(id),
            Err(code) => return code,
        },
        None => None,
    };
    let q = GraphQuery { min_weight: args.min_weight, kinds: args.kinds, focus, max_nodes: args.max_nodes };
    let t = std::time::Instant::now();
    let index = corpus.entities();
    tracing::debug!("recognised and linked in {:.3} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    index.network();
    tracing::debug!("co-occurrence network built in {:.3} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let g = index.graph(&q);
    tracing::debug!(
        "graph of {} nodes and {} edges in {:.3} s",
        g.nodes.len(),
        g.edges.len(),
        t.elapsed().as_secs_f64()
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = match args.format {
        GraphFormat::Json => {
            serde_json::to_writer(&mut out, &g).map_err(std::io::Error::from).and_then(|_| writeln!(out))
        }
        GraphFormat::Dot => write!(out, "{}", g.to_dot()),
        GraphFormat::Html => {
            let name =
                root.file_name().map_or_else(|| root.display().to_string(), |n| n.to_string_lossy().into_owned());
            write!(out, "{}", g.to_html(&format!("Dossier: {name}")))
        }
    };
    let _ = out.flush();
    ExitCode::SUCCESS
}
