//! Request handlers: convert parameters, ask the engine, convert back. Each runs on a blocking
//! thread with a [`Snap`]; none touches shared mutable state.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use dossier_engine::config;
use dossier_engine::corpus::DocEntry;
use dossier_engine::diag;
use dossier_engine::entities::{self, registry, Definition, EntityId, Kind, Location};
use dossier_engine::features as engine_features;
use dossier_engine::rules;
use dossier_engine::text::LineIndex;
use dossier_engine::DocId;
use rayon::prelude::*;
use tower_lsp_server::ls_types as lsp;

use crate::convert::{self, key_of, TextPos};
use crate::state::Snap;

/// Semantic token types, in legend order (index = token type).
pub const TOKEN_TYPES: [Kind; 4] = Kind::ALL;

pub fn token_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|k| lsp::SemanticTokenType::new(k.as_str())).collect(),
        token_modifiers: vec![],
    }
}

/// A resolved document of the snapshot.
pub struct Doc {
    pub entry: Arc<DocEntry>,
    pub lines: Arc<LineIndex>,
    pub enc: dossier_engine::text::PosEncoding,
}

impl Doc {
    pub fn tp(&self) -> TextPos<'_> {
        TextPos { text: &self.entry.text, lines: &self.lines, enc: self.enc }
    }
}

impl Snap {
    pub fn doc(&self, uri: &lsp::Uri) -> Option<Doc> {
        let key = key_of(uri)?;
        self.doc_by_id(self.corpus.id(&key)?)
    }

    pub fn doc_by_id(&self, id: DocId) -> Option<Doc> {
        Some(Doc { entry: self.corpus.get(id)?.clone(), lines: self.corpus.lines(id)?, enc: self.enc })
    }

    pub fn location(&self, loc: &Location) -> Option<lsp::Location> {
        let d = self.doc_by_id(loc.doc)?;
        Some(lsp::Location { uri: self.uri(&d.entry.name)?, range: d.tp().range(loc.range.clone()) })
    }

    /// Protocol locations of many corpus locations (sorted by document, as references are):
    /// each document's URI and line index are looked up once per run of its locations.
    pub fn locations(&self, locs: &[Location]) -> Vec<lsp::Location> {
        let mut out = Vec::with_capacity(locs.len());
        for run in locs.chunk_by(|a, b| a.doc == b.doc) {
            let Some(d) = self.doc_by_id(run[0].doc) else { continue };
            let Some(uri) = self.uri(&d.entry.name) else { continue };
            let tp = d.tp();
            out.extend(run.iter().map(|l| lsp::Location { uri: uri.clone(), range: tp.range(l.range.clone()) }));
        }
        out
    }

    pub fn definition_location(&self, def: &Definition) -> Option<lsp::Location> {
        match def {
            Definition::Mention(loc) => self.location(loc),
            Definition::Registry(r) => {
                let reg = self.corpus.registry()?;
                let tp = TextPos { text: &reg.text, lines: &reg.lines, enc: self.enc };
                Some(lsp::Location { uri: self.uri(&reg.name)?, range: tp.range(r.clone()) })
            }
        }
    }

    /// The entity under a position.
    fn entity_at(&self, uri: &lsp::Uri, pos: lsp::Position) -> Option<(Doc, EntityId, Range<usize>)> {
        let d = self.doc(uri)?;
        let off = d.tp().offset(pos);
        let (id, r) = self.corpus.entities().at(d.entry.id, off)?;
        Some((d, id, r))
    }
}

/// The entity card (or the transliteration of a Cyrillic word) at a position, followed by what
/// the rules of the diagnostics there report and how to change their level.
pub fn hover(s: &Snap, p: lsp::HoverParams) -> Option<lsp::Hover> {
    let tdp = p.text_document_position_params;
    let d = s.doc(&tdp.text_document.uri)?;
    let off = d.tp().offset(tdp.position);
    let index = s.corpus.entities();
    let card = match index.at(d.entry.id, off) {
        Some((id, r)) => {
            let link = crate::graph::references_link(s, &tdp.text_document.uri, d.tp().range(r.clone()).start);
            Some((r, index.hover_with(id, d.entry.id, &link)))
        }
        None => entities::cyrillic_word_hover(&d.entry.text, off),
    };
    let notes = engine_features::rules_at(&s.corpus, d.entry.id, off);
    let mut parts: Vec<String> = card.iter().map(|(_, v)| v.clone()).filter(|v| !v.is_empty()).collect();
    parts.extend(notes.iter().map(|(info, level)| engine_features::rule_note(info, *level)));
    if parts.is_empty() {
        return None;
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: card.map(|(r, _)| d.tp().range(r)),
    })
}

pub fn definition(s: &Snap, p: lsp::GotoDefinitionParams) -> Option<lsp::GotoDefinitionResponse> {
    let tdp = p.text_document_position_params;
    let (_, id, _) = s.entity_at(&tdp.text_document.uri, tdp.position)?;
    let def = s.corpus.entities().definition(id)?;
    Some(lsp::GotoDefinitionResponse::Scalar(s.definition_location(&def)?))
}

pub fn references(s: &Snap, p: lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let tdp = p.text_document_position;
    let (_, id, _) = s.entity_at(&tdp.text_document.uri, tdp.position)?;
    let index = s.corpus.entities();
    let mut out: Vec<lsp::Location> = s.locations(&index.references(id));
    if p.context.include_declaration {
        if let Some(Definition::Registry(r)) = index.definition(id) {
            out.extend(s.definition_location(&Definition::Registry(r)));
        }
    }
    Some(out)
}

pub fn highlight(s: &Snap, p: lsp::DocumentHighlightParams) -> Option<Vec<lsp::DocumentHighlight>> {
    let tdp = p.text_document_position_params;
    let (d, id, _) = s.entity_at(&tdp.text_document.uri, tdp.position)?;
    let out = s
        .corpus
        .entities()
        .mentions_in(d.entry.id)
        .into_iter()
        .filter(|(_, e, _)| *e == id)
        .map(|(r, _, _)| lsp::DocumentHighlight {
            range: d.tp().range(r),
            kind: Some(lsp::DocumentHighlightKind::TEXT),
        })
        .collect();
    Some(out)
}

fn symbol_kind(k: Kind) -> lsp::SymbolKind {
    match k {
        Kind::Person => lsp::SymbolKind::OBJECT,
        Kind::Organization => lsp::SymbolKind::NAMESPACE,
        Kind::Place => lsp::SymbolKind::PACKAGE,
        Kind::Other => lsp::SymbolKind::CONSTANT,
    }
}

/// Entities of a document, grouped by kind (one group per kind, its entities as children).
#[allow(deprecated)] // `deprecated` is a required field of the protocol struct
pub fn document_symbols(s: &Snap, p: lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
    let d = s.doc(&p.text_document.uri)?;
    let tp = d.tp();
    let groups = engine_features::outline(&s.corpus, d.entry.id)
        .into_iter()
        .map(|g| {
            let children: Vec<lsp::DocumentSymbol> = g
                .entries
                .iter()
                .map(|e| lsp::DocumentSymbol {
                    name: e.name.clone(),
                    detail: Some(e.detail()),
                    kind: symbol_kind(g.kind),
                    tags: None,
                    deprecated: None,
                    range: tp.range(e.span.clone()),
                    selection_range: tp.range(e.first.clone()),
                    children: None,
                })
                .collect();
            let start = children.first().map(|c| c.range.start).unwrap_or_default();
            let end = children.iter().map(|c| c.range.end).max().unwrap_or(start);
            lsp::DocumentSymbol {
                name: g.title.into(),
                detail: Some(children.len().to_string()),
                kind: lsp::SymbolKind::NAMESPACE,
                tags: None,
                deprecated: None,
                range: lsp::Range::new(start, end),
                selection_range: lsp::Range::new(start, start),
                children: Some(children),
            }
        })
        .collect();
    Some(lsp::DocumentSymbolResponse::Nested(groups))
}

#[allow(deprecated)]
pub fn workspace_symbols(s: &Snap, p: lsp::WorkspaceSymbolParams) -> Option<lsp::WorkspaceSymbolResponse> {
    let index = s.corpus.entities();
    let out = index
        .search(&p.query, 200)
        .into_iter()
        .filter_map(|id| {
            let e = index.entity(id)?;
            let loc = s.definition_location(&index.definition(id)?)?;
            Some(lsp::SymbolInformation {
                name: e.name.clone(),
                kind: symbol_kind(e.kind),
                tags: None,
                deprecated: None,
                location: loc,
                container_name: Some(e.kind.as_str().into()),
            })
        })
        .collect();
    Some(lsp::WorkspaceSymbolResponse::Flat(out))
}

/// Semantic tokens of the entity mentions, optionally only those overlapping `within`. While the
/// corpus is being linked after an edit, they come from this document's own recognition (the
/// linked index may add surname-only mentions and settle kinds; the client is asked to refresh
/// once it is built), so highlighting never waits for the whole corpus.
pub fn semantic_tokens(s: &Snap, uri: &lsp::Uri, within: Option<lsp::Range>) -> Option<lsp::SemanticTokens> {
    let d = s.doc(uri)?;
    let tp = d.tp();
    let bounds = within.map(|r| tp.offsets(r));
    let mut data = Vec::new();
    let (mut pl, mut pc) = (0u32, 0u32);
    let mut mentions: Vec<(Range<usize>, Kind)> = match s.corpus.entities_if_built() {
        Some(index) => index.mentions_in(d.entry.id).into_iter().map(|(r, _, k)| (r, k)).collect(),
        None => d.entry.entities().mentions().collect(),
    };
    mentions.sort_by_key(|(r, _)| (r.start, r.end));
    for (r, kind) in mentions {
        if bounds.as_ref().is_some_and(|b| r.end <= b.start || r.start >= b.end) {
            continue;
        }
        let (a, b) = (tp.position(r.start), tp.position(r.end));
        if a.line != b.line || b.character <= a.character {
            continue; // tokens never span lines
        }
        let dl = a.line - pl;
        let dc = if dl == 0 { a.character - pc } else { a.character };
        let ty = TOKEN_TYPES.iter().position(|k| *k == kind).unwrap_or(3) as u32;
        data.push(lsp::SemanticToken {
            delta_line: dl,
            delta_start: dc,
            length: b.character - a.character,
            token_type: ty,
            token_modifiers_bitset: 0,
        });
        (pl, pc) = (a.line, a.character);
    }
    Some(lsp::SemanticTokens { result_id: None, data })
}

pub fn prepare_rename(s: &Snap, p: lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
    let d = s.doc(&p.text_document.uri)?;
    let (range, placeholder) = engine_features::rename_target(&s.corpus, d.entry.id, d.tp().offset(p.position))?;
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range: d.tp().range(range), placeholder })
}

/// Rename rewrites one spelling of an entity across the corpus (see
/// [`engine_features::rename_edits`]).
pub fn rename(s: &Snap, p: lsp::RenameParams) -> Option<lsp::WorkspaceEdit> {
    let tdp = p.text_document_position;
    let d = s.doc(&tdp.text_document.uri)?;
    let edits = engine_features::rename_edits(&s.corpus, d.entry.id, d.tp().offset(tdp.position), &p.new_name)?;
    Some(workspace_edit(s, edits.iter()))
}

/// Inlay hints: the Latin form after each Cyrillic entity mention.
pub fn inlay_hints(s: &Snap, p: lsp::InlayHintParams) -> Option<Vec<lsp::InlayHint>> {
    let d = s.doc(&p.text_document.uri)?;
    let tp = d.tp();
    let hints = engine_features::transliteration_hints(&s.corpus, d.entry.id, tp.offsets(p.range));
    let out = hints
        .into_iter()
        .map(|(at, label)| lsp::InlayHint {
            position: tp.position(at),
            label: lsp::InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect();
    Some(out)
}

/// Kind of the bulk source action.
pub const FIX_ALL_KIND: &str = "source.fixAll.dossier";

/// A workspace edit of engine edits in corpus documents.
fn workspace_edit<'a>(s: &Snap, edits: impl IntoIterator<Item = &'a diag::Edit>) -> lsp::WorkspaceEdit {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in edits {
        let Some(doc) = s.doc_by_id(e.doc) else { continue };
        let Some(uri) = s.uri(&doc.entry.name) else { continue };
        changes
            .entry(uri)
            .or_default()
            .push(lsp::TextEdit { range: doc.tp().range(e.range.clone()), new_text: e.new_text.clone() });
    }
    lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }
}

/// An edit that inserts `text` at the end of (or creates) the file at `path`.
fn append_to_file(s: &Snap, path: &Path, current: Option<&str>, text: String) -> Option<lsp::WorkspaceEdit> {
    let Some(cur) = current else { return create_file(s, path, text) };
    let uri = s.uri(&crate::loader::key(path))?;
    let lines = LineIndex::new(cur);
    let end = TextPos { text: cur, lines: &lines, enc: s.enc }.position(cur.len());
    let sep = if cur.is_empty() {
        ""
    } else if cur.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let edit = lsp::TextEdit { range: lsp::Range::new(end, end), new_text: format!("{sep}{text}") };
    Some(lsp::WorkspaceEdit { changes: Some(HashMap::from([(uri, vec![edit])])), ..Default::default() })
}

/// An edit that creates the file at `path` with `text`, when the client can create files.
fn create_file(s: &Snap, path: &Path, text: String) -> Option<lsp::WorkspaceEdit> {
    if !(s.flags.resource_create && s.flags.document_changes) {
        return None;
    }
    let uri = s.uri(&crate::loader::key(path))?;
    let create = lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
        uri: uri.clone(),
        options: Some(lsp::CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
        annotation_id: None,
    }));
    let edit = lsp::DocumentChangeOperation::Edit(lsp::TextDocumentEdit {
        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![lsp::OneOf::Left(lsp::TextEdit {
            range: lsp::Range::new(lsp::Position::new(0, 0), lsp::Position::new(0, 0)),
            new_text: text,
        })],
    });
    Some(lsp::WorkspaceEdit {
        document_changes: Some(lsp::DocumentChanges::Operations(vec![create, edit])),
        ..Default::default()
    })
}

/// "Ignore this pattern": add the line to `[ignore] lines` in `dossier.toml` (not offered while
/// that file is not valid TOML).
fn ignore_action(s: &Snap, line: &str, diag: lsp::Diagnostic) -> Option<lsp::CodeAction> {
    let root = s.roots.first()?;
    let path = root.join(crate::loader::CONFIG_FILE);
    let current = crate::loader::read_text(&path);
    let new = config::with_ignored_line(current.as_deref().unwrap_or_default(), line.trim())?;
    let edit = match current {
        Some(cur) => {
            let (range, new_text) = diag::replacement(&cur, &new);
            let lines = LineIndex::new(&cur);
            let range = TextPos { text: &cur, lines: &lines, enc: s.enc }.range(range);
            let uri = s.uri(&crate::loader::key(&path))?;
            let edit = lsp::TextEdit { range, new_text };
            lsp::WorkspaceEdit { changes: Some(HashMap::from([(uri, vec![edit])])), ..Default::default() }
        }
        None => create_file(s, &path, new)?,
    };
    Some(lsp::CodeAction {
        title: "Ignore this pattern (dossier.toml)".into(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag]),
        edit: Some(edit),
        command: None,
        is_preferred: Some(false),
        disabled: None,
        data: None,
    })
}

/// "Add to registry": append an `[[entity]]` entry for the entity under the cursor.
fn registry_action(s: &Snap, d: &Doc, at: Range<usize>) -> Option<lsp::CodeAction> {
    let index = s.corpus.entities();
    let (id, _) = index.at(d.entry.id, at.start)?;
    if matches!(index.definition(id), Some(Definition::Registry(_))) {
        return None; // already there
    }
    let e = index.entity(id)?;
    let path = crate::loader::registry_path(&s.roots, s.corpus.config())?;
    let current = crate::loader::read_text(&path);
    let edit = append_to_file(s, &path, current.as_deref(), registry::entry_for(e))?;
    Some(lsp::CodeAction {
        title: format!("Add “{}” to the registry", e.name),
        kind: Some(lsp::CodeActionKind::new("refactor.dossier.registry")),
        diagnostics: None,
        edit: Some(edit),
        command: None,
        is_preferred: None,
        disabled: None,
        data: None,
    })
}

pub fn code_actions(s: &Snap, p: lsp::CodeActionParams) -> Option<lsp::CodeActionResponse> {
    let d = s.doc(&p.text_document.uri)?;
    let tp = d.tp();
    let want = tp.offsets(p.range);
    let only = p.context.only.clone();
    let allowed =
        |k: &lsp::CodeActionKind| only.as_ref().is_none_or(|o| o.iter().any(|w| k.as_str().starts_with(w.as_str())));
    let diags = s.corpus.diagnostics(d.entry.id);
    let mut out = Vec::new();
    if allowed(&lsp::CodeActionKind::QUICKFIX) {
        for dg in diags.iter().filter(|dg| dg.range.start <= want.end && want.start <= dg.range.end) {
            let lsp_diag = convert::diagnostic(&s.corpus, tp, dg);
            if rules::info(dg.code).is_some_and(|r| r.ignorable) {
                let line_no = d.lines.line_of(dg.range.start);
                let line = &d.entry.text[d.lines.line_range(&d.entry.text, line_no)];
                out.extend(ignore_action(s, line, lsp_diag.clone()).map(lsp::CodeActionOrCommand::CodeAction));
            }
            for (i, fix) in dg.fixes.iter().enumerate() {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: fix.title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(workspace_edit(s, &fix.edits)),
                    command: None,
                    is_preferred: Some(i == 0),
                    disabled: None,
                    data: None,
                }));
            }
        }
    }
    if allowed(&lsp::CodeActionKind::new("refactor.dossier.registry")) {
        out.extend(registry_action(s, &d, want.clone()).map(lsp::CodeActionOrCommand::CodeAction));
    }
    let fix_all = lsp::CodeActionKind::new(FIX_ALL_KIND);
    if allowed(&fix_all) {
        let chosen = diag::fix_all(&diags, d.entry.id);
        if !chosen.is_empty() {
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Remove all scrape artifacts in this document ({} fixes)", chosen.len()),
                kind: Some(fix_all),
                diagnostics: None,
                edit: Some(workspace_edit(s, chosen.iter().flat_map(|f| &f.edits))),
                command: None,
                is_preferred: None,
                disabled: None,
                data: None,
            }));
        }
    }
    Some(out)
}

/// Protocol diagnostics of one document of the snapshot. The findings of documents that are not
/// open are not kept once published (they are recomputed if asked for again).
pub fn document_diagnostics(s: &Snap, id: DocId) -> Vec<lsp::Diagnostic> {
    let Some(d) = s.doc_by_id(id) else { return vec![] };
    let mut out = Vec::new();
    let convert = |dg: &dossier_engine::diag::Diagnostic| out.push(convert::diagnostic(&s.corpus, d.tp(), dg));
    if s.uris.contains_key(&*d.entry.name) {
        s.corpus.for_each_diagnostic(id, convert);
    } else {
        s.corpus.for_each_diagnostic_transient(id, convert);
    }
    out
}

/// The answer to `textDocument/diagnostic`: "unchanged" when the client's result id is current.
pub fn document_report(s: &Snap, p: lsp::DocumentDiagnosticParams) -> lsp::DocumentDiagnosticReportResult {
    let id = key_of(&p.text_document.uri).and_then(|k| s.corpus.id(&k));
    let result_id = id.and_then(|id| s.corpus.result_id(id));
    let report = match id {
        Some(_) if result_id.is_some() && result_id == p.previous_result_id => {
            lsp::DocumentDiagnosticReport::Unchanged(lsp::RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                    result_id: result_id.unwrap_or_default(),
                },
            })
        }
        _ => lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                items: id.map(|id| document_diagnostics(s, id)).unwrap_or_default(),
                result_id,
            },
        }),
    };
    lsp::DocumentDiagnosticReportResult::Report(report)
}

/// The answer to `workspace/diagnostic`: every document of the corpus, "unchanged" for those whose
/// result id the client has.
pub fn workspace_report(s: &Snap, p: lsp::WorkspaceDiagnosticParams) -> lsp::WorkspaceDiagnosticReportResult {
    let previous: HashMap<String, String> =
        p.previous_result_ids.into_iter().filter_map(|r| Some((key_of(&r.uri)?, r.value))).collect();
    let items = s
        .corpus
        .docs()
        .par_iter()
        .filter_map(|e| {
            let uri = s.uri(&e.name)?;
            let result_id = s.corpus.result_id(e.id)?;
            Some(if previous.get(&*e.name) == Some(&result_id) {
                lsp::WorkspaceDocumentDiagnosticReport::Unchanged(lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                    uri,
                    version: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport { result_id },
                })
            } else {
                lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: None,
                    full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                        result_id: Some(result_id),
                        items: document_diagnostics(s, e.id),
                    },
                })
            })
        })
        .collect();
    lsp::WorkspaceDiagnosticReportResult::Report(lsp::WorkspaceDiagnosticReport { items })
}
