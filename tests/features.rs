//! End-to-end tests of the entity features and code actions over stdio, on a copy of the seeds.

mod common;

use std::path::{Path, PathBuf};

use common::{uri, Client};
use serde_json::{json, Value};

const FIRST: &str = "000_ed376fe458f0e54a.txt";
const SECOND: &str = "002_e2d909bfb0b5a3b3.txt";

/// A copy of the seeds (plus extra files) in a fresh folder.
fn seeds_copy(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [FIRST, SECOND] {
        std::fs::copy(common::seeds().join(name), dir.path().join(name)).unwrap();
    }
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// (line, UTF-16 column) of the first occurrence of `needle` in `text` at or after line `from`.
fn find(text: &str, needle: &str, from: usize) -> (usize, usize) {
    for (n, line) in text.split('\n').enumerate().skip(from) {
        if let Some(i) = line.find(needle) {
            return (n, line[..i].encode_utf16().count());
        }
    }
    panic!("{needle} not found");
}

fn pos(uri: &str, (line, col): (usize, usize)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col + 2}})
}

fn start(dir: &Path) -> (Client, PathBuf, String) {
    let mut caps = Client::caps();
    caps["textDocument"]["semanticTokens"] = json!({"requests": {"full": true, "range": true}, "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]});
    caps["workspace"]["workspaceEdit"] = json!({"documentChanges": true, "resourceOperations": ["create"]});
    let (mut c, _) = Client::start(dir, caps, None);
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 2 documents"), "{done}");
    let second = dir.join(SECOND);
    let text = std::fs::read_to_string(&second).unwrap();
    (c, second, text)
}

#[test]
fn hover_card_definition_across_files_and_references() {
    let dir = seeds_copy(&[]);
    let (mut c, second, text) = start(dir.path());
    let u = c.open(&second, &text);
    // "Nazarbayev" alone in the second seed: its card names the full name and the kind
    let at = find(&text, "Nazarbayev", 0);
    let h = c.request("textDocument/hover", pos(&u, at)).unwrap();
    let card = h["contents"]["value"].as_str().unwrap();
    assert!(card.contains("Nursultan Nazarbayev") && card.contains("person"), "{card}");
    assert!(card.contains("documents"), "mentions and documents are counted: {card}");
    // definition: the first mention of the fullest name, in the first (unopened) seed
    let d = c.request("textDocument/definition", pos(&u, at)).unwrap();
    let loc = if d.is_array() { d[0].clone() } else { d };
    assert_eq!(loc["uri"], uri(&dir.path().join(FIRST)));
    let first_text = std::fs::read_to_string(dir.path().join(FIRST)).unwrap();
    let line = first_text.split('\n').nth(loc["range"]["start"]["line"].as_u64().unwrap() as usize).unwrap();
    assert!(line.contains("Nursultan Nazarbayev"), "{line}");
    // references cover both documents
    let mut p = pos(&u, at);
    p["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", p).unwrap();
    let uris: std::collections::BTreeSet<&str> =
        refs.as_array().unwrap().iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert_eq!(uris.len(), 2, "{refs}");
    assert!(refs.as_array().unwrap().len() >= 5);
    // a Cyrillic form links to the Latin one
    let first_uri = c.open(&dir.path().join(FIRST), &first_text);
    let cyr = find(&first_text, "Тасмагамбетов", 0);
    let h = c.request("textDocument/hover", pos(&first_uri, cyr)).unwrap();
    let card = h["contents"]["value"].as_str().unwrap();
    assert!(card.contains("Imangali Tasmagambetov"), "{card}");
    assert!(c.shutdown().success());
}

#[test]
fn semantic_tokens_symbols_highlights_and_rename() {
    let dir = seeds_copy(&[]);
    let (mut c, second, text) = start(dir.path());
    let u = c.open(&second, &text);
    let legend = ["person", "organization", "place", "other"];
    let toks = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": u}})).unwrap();
    let data = toks["data"].as_array().unwrap();
    assert!(data.len() >= 5 * 20, "many entity tokens");
    // decode and check the token on "Tokayev" in the headline
    let lines: Vec<&str> = text.split('\n').collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut found = None;
    for t in data.chunks(5) {
        let (dl, dc, len, ty) =
            (t[0].as_u64().unwrap(), t[1].as_u64().unwrap(), t[2].as_u64().unwrap(), t[3].as_u64().unwrap());
        line += dl as usize;
        col = if dl == 0 { col + dc as usize } else { dc as usize };
        let word: String = lines[line]
            .encode_utf16()
            .skip(col)
            .take(len as usize)
            .collect::<Vec<u16>>()
            .iter()
            .map(|&u| u as u8 as char)
            .collect();
        if line == 0 && word == "Tokayev" {
            found = Some(legend[ty as usize]);
        }
    }
    assert_eq!(found, Some("person"));
    let range = c
        .request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}}),
        )
        .unwrap();
    assert!(!range["data"].as_array().unwrap().is_empty());
    assert!(range["data"].as_array().unwrap().len() < data.len());
    // document symbols grouped by kind
    let syms = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}})).unwrap();
    let groups: Vec<&str> = syms.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert!(groups.contains(&"People") && groups.contains(&"Places"), "{groups:?}");
    // workspace symbols
    let ws = c.request("workspace/symbol", json!({"query": "tasmag"})).unwrap();
    assert!(ws.as_array().unwrap().iter().any(|s| s["name"] == "Imangali Tasmagambetov"), "{ws}");
    // highlights of Tokayev in this document
    let at = find(&text, "Tokayev", 0);
    let hl = c.request("textDocument/documentHighlight", pos(&u, at)).unwrap();
    assert!(hl.as_array().unwrap().len() >= 5);
    // rename one spelling across the corpus
    let ed = c.request("textDocument/rename", {
        let mut p = pos(&u, at);
        p["newName"] = json!("Tokaev");
        p
    });
    let ed = ed.unwrap();
    let edits = ed["changes"][&u].as_array().unwrap();
    assert!(edits.len() >= 5);
    assert!(edits.iter().all(|e| e["newText"] == "Tokaev"));
    assert!(c.shutdown().success());
}

#[test]
fn registry_definitions_hover_and_malformed_entries() {
    let registry = "[[entity]]\nname = \"Imangali Tasmagambetov\"\nkind = \"person\"\naliases = [\"Тасмагамбетов\"]\ndescription = \"Kazakh statesman, CSTO Secretary General\"\n\n[[entity]]\nname = 42\n";
    let dir = seeds_copy(&[("entities.toml", registry)]);
    let (mut c, _, _) = start(dir.path());
    let d = c.diagnostics(&uri(&dir.path().join("entities.toml")));
    assert_eq!(d.len(), 1, "the malformed entry is reported: {d:?}");
    assert!(d[0]["range"]["start"]["line"].as_u64().unwrap() >= 6);
    let first = dir.path().join(FIRST);
    let text = std::fs::read_to_string(&first).unwrap();
    let u = c.open(&first, &text);
    let at = find(&text, "Tasmagambetov said", 0);
    let h = c.request("textDocument/hover", pos(&u, at)).unwrap();
    assert!(h["contents"]["value"].as_str().unwrap().contains("Kazakh statesman"), "{h}");
    let def = c.request("textDocument/definition", pos(&u, at)).unwrap();
    let loc = if def.is_array() { def[0].clone() } else { def };
    assert_eq!(loc["uri"], uri(&dir.path().join("entities.toml")));
    assert!(c.shutdown().success());
}

#[test]
fn code_actions_fix_ignore_fix_all_and_add_to_registry() {
    let dir = seeds_copy(&[]);
    let (mut c, second, text) = start(dir.path());
    let u = c.open(&second, &text);
    let diags = c.diagnostics(&u);
    let boiler = diags.iter().find(|d| d["code"] == "boilerplate").expect("a boilerplate line").clone();
    let acts = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": boiler["range"], "context": {"diagnostics": [boiler]}}),
        )
        .unwrap();
    let titles: Vec<&str> = acts.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(titles.iter().any(|t| t.starts_with("Ignore this pattern")), "{titles:?}");
    assert!(titles.iter().any(|t| t.starts_with("Remove all scrape artifacts")), "{titles:?}");
    let ignore = acts.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().starts_with("Ignore")).unwrap();
    // no dossier.toml yet: the edit creates it, then writes the [ignore] table
    let ops = ignore["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert!(ops[1]["edits"][0]["newText"].as_str().unwrap().contains("[ignore]"));
    // a quick fix deletes only its own line
    let fix =
        acts.as_array().unwrap().iter().find(|a| a["kind"] == "quickfix" && a["edit"]["changes"].is_object()).unwrap();
    let edits = fix["edit"]["changes"][&u].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], "");
    // "Add to registry" on an entity
    let at = find(&text, "Tokayev", 0);
    let acts = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": at.0, "character": at.1 + 1}, "end": {"line": at.0, "character": at.1 + 1}}, "context": {"diagnostics": []}}),
        )
        .unwrap();
    let add = acts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add “"))
        .expect("add to registry");
    let ops = add["edit"]["documentChanges"].as_array().unwrap();
    let entry = ops[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(
        entry.contains("[[entity]]") && entry.contains("Tokayev") && entry.contains("kind = \"person\""),
        "{entry}"
    );
    assert!(c.shutdown().success());
}

/// `text` with protocol edits applied (UTF-16 positions, non-overlapping).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let (line, col) = (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize);
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        start
            + rest
                .char_indices()
                .find(|(_, c)| {
                    units += c.len_utf16();
                    units > col
                })
                .map_or(rest.len(), |(i, _)| i)
    };
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_string();
    for (a, b, t) in ranges {
        out.replace_range(a..b, t);
    }
    out
}

#[test]
fn hover_on_a_diagnostic_explains_its_rule_and_ignoring_keeps_dossier_toml() {
    let toml = "# settings of this corpus\n[rules]\npage-metadata = \"off\"   # too noisy here\n";
    let dir = seeds_copy(&[("dossier.toml", toml)]);
    let (mut c, second, text) = start(dir.path());
    let u = c.open(&second, &text);
    let diags = c.diagnostics(&u);
    let boiler = diags.iter().find(|d| d["code"] == "boilerplate").expect("a boilerplate line").clone();
    let h = c.request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": boiler["range"]["start"]}));
    let value = h.unwrap()["contents"]["value"].as_str().unwrap().to_string();
    assert!(value.contains("**`boilerplate`** (warning): Site chrome"), "{value}");
    let acts = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": boiler["range"], "context": {"diagnostics": [boiler]}}),
        )
        .unwrap();
    let ignore = acts.as_array().unwrap().iter().find(|a| a["title"].as_str().unwrap().starts_with("Ignore")).unwrap();
    let toml_uri = uri(&dir.path().join("dossier.toml"));
    let edited = apply(toml, ignore["edit"]["changes"][&toml_uri].as_array().unwrap());
    assert!(edited.starts_with(toml), "the file is kept as written: {edited}");
    let config = dossier_engine::config::parse_toml(&edited, &dossier_engine::rules::all_codes()).unwrap().resolve();
    let line = text.lines().nth(boiler["range"]["start"]["line"].as_u64().unwrap() as usize).unwrap();
    assert_eq!(config.ignore_lines, [line.trim()]);
    assert!(c.shutdown().success());
}

/// The card's link to every reference runs the client's command when the client has it, and
/// `dossier/graph` answers from the index: a focus, its neighbours, their locations.
#[test]
fn card_links_references_and_the_graph_request() {
    let dir = seeds_copy(&[]);
    let mut caps = Client::caps();
    caps["experimental"] = json!({"commands": {"commands": ["dossier.showReferences"]}});
    let (mut c, _) = Client::start(dir.path(), caps, None);
    c.wait_indexed();
    let first = dir.path().join(FIRST);
    let text = std::fs::read_to_string(&first).unwrap();
    let u = c.open(&first, &text);
    let at = find(&text, "Tasmagambetov said", 0);
    let h = c.request("textDocument/hover", pos(&u, at)).unwrap();
    let card = h["contents"]["value"].as_str().unwrap();
    assert!(card.contains("Roles: CSTO Secretary General · Deputy Prime Minister"), "{card}");
    assert!(card.contains("Appears with (shared paragraphs): CSTO 6"), "{card}");
    let link = card.split("[All references](").nth(1).and_then(|r| r.split(')').next()).expect("a link");
    let args = link.strip_prefix("command:dossier.showReferences?").expect("the command");
    let args: Value = serde_json::from_str(&percent_decode(args)).unwrap();
    assert_eq!(args, json!([u, {"line": at.0, "character": at.1}]));

    // focus by position, people only
    let g = c.request("dossier/graph", json!({"focus": pos(&u, at), "kinds": ["person"], "minWeight": 1})).unwrap();
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["name"], "Imangali Tasmagambetov");
    assert_eq!(g["focus"], nodes[0]["id"]);
    assert!(nodes.iter().all(|n| n["kind"] == "person"), "{nodes:?}");
    let naz = nodes.iter().find(|n| n["name"] == "Nursultan Nazarbayev").expect("Nazarbayev appears with him");
    assert!(naz["location"]["uri"].as_str().unwrap().ends_with(FIRST));
    // the paragraph they share: its line names both
    let line = naz["together"]["range"]["start"]["line"].as_u64().unwrap() as usize;
    let shared = text.split('\n').nth(line).unwrap();
    assert!(shared.contains("Nazarbayev") && shared.contains("Tasmagambetov"), "{shared}");
    assert!(g["edges"].as_array().unwrap().iter().all(|e| e["paragraphs"].as_u64() >= Some(1)));
    // the whole corpus, as a page too
    let g = c.request("dossier/graph", json!({"format": "html", "maxNodes": 10})).unwrap();
    assert_eq!(g["nodes"].as_array().unwrap().len(), 10);
    assert!(g["html"].as_str().unwrap().starts_with("<!DOCTYPE html>"));
    // timelines by day, and summed by month
    let days = c.request("dossier/graph", json!({"maxNodes": 40})).unwrap();
    let months = c.request("dossier/graph", json!({"maxNodes": 40, "timeline": "month"})).unwrap();
    let sum =
        |n: &Value| n["timeline"].as_array().unwrap().iter().map(|t| t["mentions"].as_u64().unwrap()).sum::<u64>();
    let mut dated = 0;
    for (d, m) in days["nodes"].as_array().unwrap().iter().zip(months["nodes"].as_array().unwrap()) {
        assert_eq!((&d["id"], sum(d)), (&m["id"], sum(m)), "{d} {m}");
        assert!(m["timeline"].as_array().unwrap().iter().all(|t| t["date"].as_str().unwrap().len() == 7), "{m}");
        dated += usize::from(sum(d) > 0);
    }
    assert!(dated > 0, "an entity of the dated document has a timeline");
    // bad parameters are an error, not a crash
    let e = c.request("dossier/graph", json!({"timeline": "year"})).unwrap_err();
    assert_eq!(e["code"], -32602, "{e}");
    let e = c.request("dossier/graph", json!({"kinds": ["animal"]})).unwrap_err();
    assert_eq!(e["code"], -32602, "{e}");
    let e = c.request("dossier/graph", json!({"minWeight": "two"})).unwrap_err();
    assert_eq!(e["code"], -32602, "{e}");
    // a client without the command gets a hint instead of a link
    let (mut plain, _) = Client::start(dir.path(), Client::caps(), None);
    plain.wait_indexed();
    let u = plain.open(&first, &text);
    let h = plain.request("textDocument/hover", pos(&u, at)).unwrap();
    let card = h["contents"]["value"].as_str().unwrap();
    assert!(!card.contains("command:") && card.contains("“Find references” lists them all"), "{card}");
    plain.shutdown();
    c.shutdown();
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
