//! End-to-end tests: the real `dossier lsp` binary over stdio.

mod common;

use common::{codes, corpus, uri, Client};
use serde_json::{json, Value};

const CAPTION: &str =
    "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск, 30 октября 2024 года";

fn pull_caps() -> Value {
    let mut c = Client::caps();
    c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    c["workspace"]["diagnostics"] = json!({"refreshSupport": false});
    c
}

/// Only the diagnostics of the Cyrillic rules (other rules may also speak about a fixture).
fn cyrillic(diags: &[Value]) -> Vec<Value> {
    diags.iter().filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("untranslated"))).cloned().collect()
}

/// Workspace diagnostics as (file name → codes).
fn workspace_report(c: &mut Client) -> std::collections::BTreeMap<String, Vec<String>> {
    let r = c.request("workspace/diagnostic", json!({"previousResultIds": []})).unwrap();
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let name = i["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (name, codes(i["items"].as_array().unwrap()))
        })
        .collect()
}

#[test]
fn lifecycle_capabilities_and_encoding_negotiation() {
    let dir = corpus(&[]);
    let (c, init) = Client::start(dir.path(), Client::caps(), None);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for k in
        ["hoverProvider", "definitionProvider", "referencesProvider", "semanticTokensProvider", "codeActionProvider"]
    {
        assert!(caps.get(k).is_some(), "{k} advertised");
    }
    assert!(caps.get("diagnosticProvider").is_none(), "no pull diagnostics for a client without them");
    assert_eq!(init["serverInfo"]["name"], "dossier");
    assert!(c.shutdown().success());

    let mut caps = Client::caps();
    caps["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    let (c, init) = Client::start(dir.path(), caps, None);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert!(c.shutdown().success());
}

#[test]
fn caption_diagnostic_with_positions_in_both_encodings() {
    let text = format!("Intro 😀 line.\r\nTikTok и Viber\r{CAPTION}\n");
    let dir = corpus(&[("a.txt", text.as_bytes())]);
    let path = dir.path().join("a.txt");
    for (enc, col) in [("utf-16", 7), ("utf-8", 7)] {
        let mut caps = Client::caps();
        caps["general"]["positionEncodings"] = json!([enc]);
        let (mut c, _) = Client::start(dir.path(), caps, None);
        let u = c.open(&path, &text);
        let d = cyrillic(&c.diagnostics(&u));
        assert_eq!(codes(&d), vec!["untranslated-text", "untranslated-caption"], "{enc}: {d:#?}");
        // "TikTok " is 7 units in both encodings; "и" is 1 UTF-16 unit and 2 UTF-8 bytes.
        assert_eq!(d[0]["range"]["start"], json!({"line": 1, "character": col}));
        let end = if enc == "utf-8" { col + 2 } else { col + 1 };
        assert_eq!(d[0]["range"]["end"], json!({"line": 1, "character": end}));
        assert!(d[0]["message"].as_str().unwrap().contains("(i)"));
        // the caption is line 2 (after a lone CR), and its message carries the transliteration
        assert_eq!(d[1]["range"]["start"]["line"], 2);
        assert!(d[1]["message"].as_str().unwrap().contains("Imangali Tasmagambetov"), "{}", d[1]["message"]);
        assert_eq!(d[1]["severity"], 2);
        assert_eq!(d[1]["source"], "dossier");
        // hover on a Cyrillic word shows its transliteration
        let h = c
            .request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 2}}))
            .unwrap();
        assert!(h["contents"]["value"].as_str().unwrap().contains("Gensek"), "{h}");
        assert!(c.shutdown().success());
    }
}

#[test]
fn rapid_edits_apply_in_arrival_order() {
    let dir = corpus(&[]);
    let path = dir.path().join("typing.txt");
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let u = c.open(&path, "");
    let mut expected = String::new();
    let alphabet: Vec<char> = "abcПривет😀 \n".chars().collect();
    for i in 0..200 {
        let ch = alphabet[i % alphabet.len()];
        // insert at the end; every 7th edit deletes the previous char instead
        let lines: Vec<&str> = expected.split('\n').collect();
        let line = lines.len() - 1;
        let col: usize = lines[line].chars().map(char::len_utf16).sum();
        if i % 7 == 6 && !expected.is_empty() && !expected.ends_with('\n') {
            let last = expected.pop().unwrap();
            let w = last.len_utf16();
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": u, "version": i + 2},
                       "contentChanges": [{"range": {"start": {"line": line, "character": col - w},
                                                     "end": {"line": line, "character": col}}, "text": ""}]}),
            );
        } else {
            expected.push(ch);
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": u, "version": i + 2},
                       "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                                     "end": {"line": line, "character": col}}, "text": ch.to_string()}]}),
            );
        }
    }
    let got = c.request("dossier/debug/text", json!({"uri": u})).unwrap();
    assert_eq!(got.as_str(), Some(expected.as_str()));
    assert!(c.shutdown().success());
}

#[test]
fn workspace_diagnostics_cover_unopened_files_and_follow_watched_deletes() {
    let dir = corpus(&[
        ("a.txt", format!("Title\n\n{CAPTION}\n").as_bytes()),
        ("sub/b.txt", b"Clean English text.\n"),
        ("ignored/c.txt", CAPTION.as_bytes()),
        (".gitignore", b"ignored/\n"),
        ("notes.md", CAPTION.as_bytes()),
    ]);
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 2 documents"), "{done}");
    let report = workspace_report(&mut c);
    assert_eq!(report.get("a.txt"), Some(&vec!["untranslated-caption".to_string()]));
    assert_eq!(report.get("b.txt"), Some(&vec![]));
    assert_eq!(report.len(), 2, ".gitignore and the include glob are honoured: {report:?}");

    // unchanged documents are not resent
    let r = c.request("workspace/diagnostic", json!({"previousResultIds": []})).unwrap();
    let prev: Vec<Value> =
        r["items"].as_array().unwrap().iter().map(|i| json!({"uri": i["uri"], "value": i["resultId"]})).collect();
    let r = c.request("workspace/diagnostic", json!({"previousResultIds": prev})).unwrap();
    assert!(r["items"].as_array().unwrap().iter().all(|i| i["kind"] == "unchanged"), "{r}");

    // a watched-file delete removes the document
    std::fs::remove_file(dir.path().join("a.txt")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join("a.txt")), "type": 3}]}),
    );
    let report = workspace_report(&mut c);
    assert_eq!(report.keys().collect::<Vec<_>>(), vec!["b.txt"]);

    // a created file appears
    std::fs::write(dir.path().join("new.txt"), CAPTION).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join("new.txt")), "type": 1}]}),
    );
    let report = workspace_report(&mut c);
    assert_eq!(report.get("new.txt"), Some(&vec!["untranslated-caption".to_string()]));
    assert!(c.shutdown().success());
}

#[test]
fn unopened_files_are_pushed_to_clients_without_pull() {
    let dir = corpus(&[("a.txt", CAPTION.as_bytes())]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let d = c.diagnostics(&uri(&dir.path().join("a.txt")));
    assert_eq!(codes(&cyrillic(&d)), vec!["untranslated-caption"]);
    assert!(c.shutdown().success());
}

#[test]
fn legacy_encodings_binary_and_oversized_files() {
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(CAPTION);
    let mut big = b"word ".repeat(300);
    big.push(b'\n');
    let dir = corpus(&[
        ("cp1251.txt", &cp1251),
        ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"),
        ("big.txt", &big),
        ("empty.txt", b""),
        ("bom.txt", "\u{feff}Clean.\n".as_bytes()),
    ]);
    let (mut c, _) = Client::start(dir.path(), pull_caps(), Some(json!({"corpus": {"maxFileSize": 1000}})));
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 3 documents") && done.contains("2 files skipped"), "{done}");
    let r = c.request("workspace/diagnostic", json!({"previousResultIds": []})).unwrap();
    let item =
        r["items"].as_array().unwrap().iter().find(|i| i["uri"].as_str().unwrap().ends_with("cp1251.txt")).unwrap();
    let items = item["items"].as_array().unwrap();
    assert_eq!(codes(items), vec!["encoding", "untranslated-caption"]);
    assert!(items[0]["message"].as_str().unwrap().contains("windows-1251"));
    assert_eq!(items[0]["severity"], 3);
    assert!(items[1]["message"].as_str().unwrap().contains("Tasmagambetov"), "decoded correctly");
    let log = c.wait_for("skip log", |m| m["method"] == "window/logMessage");
    let msg = log["params"]["message"].as_str().unwrap();
    assert!(msg.contains("binary") && msg.contains("size limit"), "{msg}");
    assert!(c.shutdown().success());
}

#[test]
fn configuration_errors_are_diagnostics_and_the_previous_config_stays() {
    let dir = corpus(&[("dossier.toml", b"[rules]\nuntranslated-caption = \"loud\"\n"), ("a.txt", CAPTION.as_bytes())]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let d = c.diagnostics(&uri(&dir.path().join("dossier.toml")));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["range"]["start"]["line"], 1);
    assert!(d[0]["message"].as_str().unwrap().contains("previous valid configuration"));
    // defaults stay: the caption is still a warning
    let a = c.diagnostics(&uri(&dir.path().join("a.txt")));
    assert_eq!(a[0]["severity"], 2);

    // fix the file: the rule level applies and the config diagnostic clears
    std::fs::write(dir.path().join("dossier.toml"), "[rules]\nuntranslated-caption = \"error\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join("dossier.toml")), "type": 2}]}),
    );
    let d = c.diagnostics(&uri(&dir.path().join("dossier.toml")));
    assert!(d.is_empty(), "{d:?}");
    let a = c.wait_for("error-level caption", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["diagnostics"][0]["severity"] == 1
    });
    assert_eq!(a["params"]["diagnostics"][0]["code"], "untranslated-caption");
    assert!(c.shutdown().success());
}

#[test]
fn empty_settings_are_no_settings_and_mistakes_are_reported() {
    let dir = corpus(&[("a.txt", CAPTION.as_bytes())]);
    // Neovim sends Lua's empty table as `[]`
    for empty in [json!([]), json!({}), Value::Null, json!({"dossier": []})] {
        let (mut c, _) = Client::start(dir.path(), Client::caps(), Some(empty.clone()));
        c.wait_indexed();
        let a = c.diagnostics(&uri(&dir.path().join("a.txt")));
        assert_eq!(a[0]["severity"], 2, "defaults apply");
        assert!(c.messages().iter().all(|m| !m.contains("invalid")), "{empty}: {:?}", c.messages());
        assert!(c.shutdown().success());
    }
    let wrong = json!({"dossier": {"rules": {"untranslated-caption": "loud"}}});
    let (mut c, _) = Client::start(dir.path(), Client::caps(), Some(wrong));
    let m = c.wait_for("a warning", |m| m["method"] == "window/showMessage");
    let text = m["params"]["message"].as_str().unwrap();
    assert!(text.contains("invalid initializationOptions: `rules.untranslated-caption`: must be one of"), "{text}");
    assert!(c.shutdown().success());
}

#[test]
fn the_settings_files_codes_have_levels_too() {
    let dir = corpus(&[("dossier.toml", b"[rules\n"), ("a.txt", b"Plain.\n")]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), Some(json!({"rules": {"config": "warning"}})));
    let d = c.diagnostics(&uri(&dir.path().join("dossier.toml")));
    assert_eq!((d[0]["code"].as_str(), d[0]["severity"].as_i64()), (Some("config"), Some(2)), "{d:?}");
    assert!(c.shutdown().success());
    let (mut c, _) = Client::start(dir.path(), Client::caps(), Some(json!({"rules": {"config": "off"}})));
    let d = c.diagnostics(&uri(&dir.path().join("dossier.toml")));
    assert!(d.is_empty(), "{d:?}");
    assert!(c.shutdown().success());
}

#[test]
fn a_panicking_request_is_an_error_and_the_server_lives_on() {
    let dir = corpus(&[("a.txt", b"Plain.\n")]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let e = c.request("dossier/debug/panic", json!({})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("fault trigger"), "{e}");
    let u = c.open(&dir.path().join("a.txt"), "Plain и.\n");
    let d = c.wait_for("diagnostics of the edited text", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u && m["params"]["version"] == 1
    });
    assert_eq!(d["params"]["diagnostics"][0]["code"], "untranslated-text");
    assert!(c.shutdown().success());
}

#[test]
fn bad_protocol_input_gets_errors_not_crashes() {
    let dir = corpus(&[]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let e = c.request("no/such/method", json!({})).unwrap_err();
    assert_eq!(e["code"], -32601);
    let e = c.request("textDocument/hover", json!({"wrong": "shape"})).unwrap_err();
    assert_eq!(e["code"], -32602);
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let err = c.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(err["id"], Value::Null);
    // positions far out of range are clamped
    let u = c.open(&dir.path().join("x.txt"), "short и\n");
    let h = c
        .request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 9999}}))
        .unwrap();
    assert!(h.is_null() || h["contents"].is_object());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 5}, "end": {"line": 120, "character": 0}}, "text": "!"}]}),
    );
    let t = c.request("dossier/debug/text", json!({"uri": u})).unwrap();
    assert_eq!(t, "short и\n!");
    // a change to a document that is not open is ignored
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&dir.path().join("none.txt")), "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    assert!(c.request("dossier/debug/text", json!({"uri": u})).is_ok());
    assert!(c.shutdown().success());
}

#[test]
fn exit_without_shutdown_ends_the_process() {
    let dir = corpus(&[]);
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    c.notify("exit", Value::Null);
    // The server must end on its own; `shutdown` afterwards would find it gone.
    let st = {
        let deadline = std::time::Instant::now() + common::TIMEOUT;
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                break st;
            }
            assert!(std::time::Instant::now() < deadline, "server still running after exit");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    assert!(!st.success(), "exit without shutdown exits with an error code");
}
