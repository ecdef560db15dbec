//! Bad input end to end: the real `dossier lsp` binary over stdio is given huge, damaged,
//! unreadable, looping, vanishing and very many files, stale edits and a silent client. For each,
//! the test checks what the user sees (a log line, a diagnostic, the indexed count) and that the
//! server keeps answering afterwards.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{codes, corpus, pull_caps, uri, Client};
use serde_json::{json, Value};

const CAPTION: &str =
    "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск, 30 октября 2024 года";

/// Limit for indexing huge inputs in a debug build on a busy machine (a hang detector, not a
/// performance requirement).
const SLOW: Duration = Duration::from_secs(180);

/// A request that must be answered: the server is still serving.
fn still_serving(c: &mut Client) {
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r.is_ok(), "workspace/symbol after bad input: {r:?}");
    assert!(c.alive(), "server process is running");
}

fn workspace_items(c: &mut Client) -> Vec<Value> {
    let r = c.request("workspace/diagnostic", json!({"previousResultIds": []})).unwrap();
    r["items"].as_array().cloned().unwrap_or_default()
}

fn file_names(items: &[Value]) -> Vec<String> {
    let mut v: Vec<String> =
        items.iter().map(|i| i["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string()).collect();
    v.sort();
    v
}

#[test]
fn ten_megabyte_single_line_is_indexed_and_positions_reach_its_end() {
    // 10 MB on one line (a scraped data table), with one untranslated word at the very end.
    let mut line = "12:45 | rate 1 234 567 | up +0.5% | ".repeat(10 * 1024 * 1024 / 36);
    let col_utf16 = line.encode_utf16().count();
    line.push_str("Минск");
    let dir = corpus(&[("long.txt", line.as_bytes()), ("short.txt", b"Short note.\n")]);
    let path = dir.path().join("long.txt");
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed_within(SLOW);
    assert!(done.contains("Indexed 2 documents"), "{done}");
    let u = uri(&path);
    let d = c.request_within("textDocument/diagnostic", json!({"textDocument": {"uri": u}}), SLOW).unwrap();
    let d = d["items"].as_array().unwrap();
    let text_diag = d.iter().find(|d| d["code"] == "untranslated-text").expect("the Cyrillic word at the end");
    assert_eq!(text_diag["range"]["start"], json!({"line": 0, "character": col_utf16}), "{text_diag}");

    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": col_utf16 + 1}}),
        )
        .unwrap();
    assert!(h["contents"]["value"].as_str().unwrap_or_default().contains("Minsk"), "{h}");
    // Opened in the editor and edited at the end of the line: the text stays whole.
    c.open(&path, &line);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": 0, "character": col_utf16 + 5}, "end": {"line": 0, "character": col_utf16 + 5}},
            "text": "!"}]}),
    );
    let t = c.text(&u);
    let t = t.as_str().unwrap();
    assert_eq!(t.len(), line.len() + 1);
    assert!(t.ends_with("Минск!"));
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[test]
fn fifty_megabyte_file_is_skipped_with_a_message_and_the_rest_indexed() {
    let dir = corpus(&[("a.txt", CAPTION.as_bytes()), ("b.txt", b"Plain English.\n")]);
    let huge = dir.path().join("huge.txt");
    {
        let mut f = std::fs::File::create(&huge).unwrap();
        let block = "Huge scraped text. ".repeat(1 << 16);
        while f.metadata().unwrap().len() < 50 * 1024 * 1024 {
            f.write_all(block.as_bytes()).unwrap();
        }
    }
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 2 documents") && done.contains("1 files skipped"), "{done}");
    let log = c.wait_for("skipped-file log", |m| m["method"] == "window/logMessage");
    let msg = log["params"]["message"].as_str().unwrap();
    assert!(msg.contains("huge.txt") && msg.contains("above the size limit"), "{msg}");
    assert_eq!(log["params"]["type"], 2, "a warning");
    let items = workspace_items(&mut c);
    assert_eq!(file_names(&items), vec!["a.txt", "b.txt"]);
    let a = items.iter().find(|i| i["uri"].as_str().unwrap().ends_with("a.txt")).unwrap();
    assert!(codes(a["items"].as_array().unwrap()).contains(&"untranslated-caption".to_string()));
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[test]
fn nul_bytes_inside_text_are_kept_and_the_rest_analysed() {
    // A few NUL bytes in an article are scrape damage: the text is kept, NULs included.
    let body = "The delegation discussed trade, transit and the new customs rules in detail.\n".repeat(30);
    let text = format!("Opening line.\n\0\0Garbled\0 scrape.\n{CAPTION}\n{body}");
    // Mostly NUL bytes: a binary file, skipped with a message that says why.
    let mut blob = b"header".to_vec();
    blob.extend([0u8; 200]);
    let dir = corpus(&[("nul.txt", text.as_bytes()), ("blob.txt", &blob)]);
    let path = dir.path().join("nul.txt");
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed();
    assert!(done.contains("Indexed 1 document") && done.contains("1 files skipped"), "{done}");
    let log = c.wait_for("skipped-file log", |m| m["method"] == "window/logMessage");
    let msg = log["params"]["message"].as_str().unwrap();
    assert!(msg.contains("blob.txt") && msg.contains("NUL bytes"), "{msg}");
    let u = uri(&path);
    let d = c.pull(&u);
    let caption = d.iter().find(|d| d["code"] == "untranslated-caption").expect("caption after the NUL bytes");
    assert_eq!(caption["range"]["start"]["line"], 2);
    // Opened: nothing is lost, the NUL bytes included, and edits around them apply.
    c.open(&path, &text);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 2}}, "text": "X"}]}),
    );
    assert_eq!(c.text(&u), Value::String(text.replacen("\0\0G", "\0\0XG", 1)));
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_or_read_and_the_rest_indexed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = corpus(&[("locked.txt", CAPTION.as_bytes()), ("open.txt", b"Plain English.\n")]);
    let locked = dir.path().join("locked.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root (common in CI containers) permissions do not stop reading: then the file must be
    // indexed like any other; otherwise it must be skipped with a message naming it.
    let readable = std::fs::read(&locked).is_ok();
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed();
    let items = workspace_items(&mut c);
    if readable {
        assert!(done.contains("Indexed 2 documents") && !done.contains("skipped"), "{done}");
        assert_eq!(file_names(&items), vec!["locked.txt", "open.txt"]);
    } else {
        assert!(done.contains("Indexed 1 document") && done.contains("1 files skipped"), "{done}");
        let log = c.wait_for("skipped-file log", |m| m["method"] == "window/logMessage");
        let msg = log["params"]["message"].as_str().unwrap();
        assert!(msg.contains("locked.txt") && msg.contains("cannot read"), "{msg}");
        assert_eq!(file_names(&items), vec!["open.txt"]);
    }
    still_serving(&mut c);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(c.shutdown().success());
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_trap_the_walk() {
    use std::os::unix::fs::symlink;
    let dir = corpus(&[("a.txt", CAPTION.as_bytes()), ("sub/b.txt", b"Plain English.\n")]);
    let root = dir.path();
    symlink(root, root.join("sub/up")).unwrap(); // a folder loop
    symlink(root.join("x.txt"), root.join("y.txt")).unwrap(); // a file loop
    symlink(root.join("y.txt"), root.join("x.txt")).unwrap();
    symlink(root.join("self.txt"), root.join("self.txt")).unwrap_or(());
    symlink(root.join("a.txt"), root.join("alias.txt")).unwrap(); // a link to a corpus file
    let (mut c, _) = Client::start(root, pull_caps(), None);
    let done = c.wait_indexed();
    // Links are not followed: each real file once, no loop, no error.
    assert!(done.contains("Indexed 2 documents"), "{done}");
    assert_eq!(file_names(&workspace_items(&mut c)), vec!["a.txt", "b.txt"]);
    // A watched-file event for a looping link is harmless too.
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri(&root.join("x.txt")), "type": 1}]}));
    assert_eq!(file_names(&workspace_items(&mut c)), vec!["a.txt", "b.txt"]);
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[test]
fn file_deleted_while_open_keeps_its_text_until_closed_then_goes() {
    let dir = corpus(&[("gone.txt", CAPTION.as_bytes()), ("stay.txt", b"Plain English.\n")]);
    let path = dir.path().join("gone.txt");
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    c.wait_indexed();
    let u = c.open(&path, CAPTION);
    let d = c.wait_for("diagnostics of the open document", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u && m["params"]["version"] == 1
    });
    assert!(!d["params"]["diagnostics"].as_array().unwrap().is_empty());

    std::fs::remove_file(&path).unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": u, "type": 3}]}));
    // The editor's buffer still holds the text: the server keeps it.
    assert_eq!(c.text(&u), Value::String(CAPTION.into()));
    let h = c
        .request("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 2}}))
        .unwrap();
    assert!(h["contents"]["value"].as_str().unwrap_or_default().contains("Gensek"), "{h}");

    // Closed: the document is gone from the corpus and its diagnostics are cleared.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let cleared = c.wait_for("diagnostics cleared", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["diagnostics"].as_array().is_some_and(|a| a.is_empty())
    });
    assert_eq!(cleared["params"]["uri"], u);
    assert_eq!(c.text(&u), Value::Null);
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[test]
fn file_renamed_while_open_follows_the_new_name() {
    let text = "President Kassym-Jomart Tokayev visited Astana.\nTokayev spoke.\n";
    let dir = corpus(&[("old.txt", text.as_bytes()), ("other.txt", b"Tokayev again.\n")]);
    let (old, new) = (dir.path().join("old.txt"), dir.path().join("new.txt"));
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    c.wait_indexed();
    let old_u = c.open(&old, text);
    // The editor renames the file: willRename (unsupported: an error or null, never a crash),
    // the rename on disk, the watched-file events, close and open under the new name, didRename.
    let files = json!({"files": [{"oldUri": old_u, "newUri": uri(&new)}]});
    let _ = c.request("workspace/willRenameFiles", files.clone());
    std::fs::rename(&old, &new).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": old_u, "type": 3}, {"uri": uri(&new), "type": 1}]}),
    );
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": old_u}}));
    let new_u = c.open(&new, text);
    c.notify("workspace/didRenameFiles", files);
    assert_eq!(c.text(&old_u), Value::Null, "the old name is gone");
    assert_eq!(c.text(&new_u), Value::String(text.into()));
    assert_eq!(file_names(&workspace_items(&mut c)), vec!["new.txt", "other.txt"]);
    // Cross-file references name the new file, not the old one.
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": new_u}, "position": {"line": 1, "character": 2},
                   "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    let mut in_files = file_names(refs.as_array().unwrap());
    in_files.dedup();
    assert_eq!(in_files, vec!["new.txt", "other.txt"], "{refs}");
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

/// 100,000 tiny files; each thousandth mentions a person. Generating and indexing them is bounded
/// by the size of the files, not by a timer.
#[test]
fn a_hundred_thousand_files_are_indexed_and_searchable() {
    const N: usize = 100_000;
    // In memory when the machine has a tmpfs: creating 100,000 files on disk is slow.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    for d in 0..N / 1000 {
        let sub = dir.path().join(format!("d{d:03}"));
        std::fs::create_dir(&sub).unwrap();
        for i in 0..1000 {
            let body: &[u8] = if i == 0 { b"President Kassym-Jomart Tokayev visited Astana.\n" } else { b"" };
            std::fs::write(sub.join(format!("{i:04}.txt")), body).unwrap();
        }
    }
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    let done = c.wait_indexed_within(SLOW);
    assert!(done.contains(&format!("Indexed {N} documents")), "{done}");
    let r = c.request("workspace/symbol", json!({"query": "Tokayev"})).unwrap();
    let hits = r.as_array().unwrap();
    assert!(
        hits.iter().any(|s| s["name"].as_str().is_some_and(|n| n.contains("Tokayev"))),
        "workspace/symbol finds the person: {r}"
    );
    let first = dir.path().join("d000/0000.txt");
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri(&first)}, "position": {"line": 0, "character": 26},
                   "context": {"includeDeclaration": true}}),
        )
        .unwrap();
    assert_eq!(refs.as_array().unwrap().len(), N / 1000, "one mention in each of the files that have one");
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

/// A `didChange` whose version is lower than the current one. LSP delivers notifications in
/// order, so, like rust-analyzer, the server applies every change in arrival order against its
/// current text and takes the version it is given (the client's numbering wins); it never drops
/// or reorders edits, which would leave its text different from the editor's.
#[test]
fn stale_version_edits_apply_in_arrival_order_without_corruption() {
    let dir = corpus(&[]);
    let path = dir.path().join("v.txt");
    let (mut c, _) = Client::start(dir.path(), Client::caps(), None);
    let u = c.open(&path, "abc\n");
    let change = |c: &mut Client, version: i64, col: u32, text: &str| {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{
                "range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col}}, "text": text}]}),
        );
    };
    change(&mut c, 10, 3, "d");
    change(&mut c, 3, 0, "Минск ");
    change(&mut c, 3, 0, ">");
    change(&mut c, 2, 99, "!");
    assert_eq!(c.text(&u), Value::String(">Минск abcd!\n".into()));
    // The diagnostics follow the last text and carry the version the client sent with it.
    let d = c.wait_for("diagnostics of the last text", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u && m["params"]["version"] == 2
    });
    assert_eq!(codes(d["params"]["diagnostics"].as_array().unwrap()), vec!["untranslated-text"]);
    assert_eq!(d["params"]["diagnostics"][0]["range"]["start"], json!({"line": 0, "character": 1}));
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

/// The response with `id`, skipping notifications and answering server requests with null.
fn response(r: &mut impl BufRead, w: &mut impl Write, id: i64) -> Value {
    loop {
        let m = common::read_message(r).expect("server output");
        if m.get("method").is_some() {
            if let Some(rid) = m.get("id") {
                w.write_all(&frame(&json!({"jsonrpc": "2.0", "id": rid, "result": null}))).unwrap();
                w.flush().unwrap();
            }
            continue;
        }
        if m["id"] == json!(id) {
            return m;
        }
    }
}

/// A client that goes quiet after `initialize` (no `initialized`, nothing) for a while: the
/// server waits, answers when the client resumes, and ends when the client closes the pipe.
#[test]
fn silent_client_is_waited_for_and_closing_stdin_ends_the_server() {
    let dir = corpus(&[("a.txt", CAPTION.as_bytes())]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut w = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    // Read on a thread so that a hung server fails the test instead of hanging it.
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Some(m) = common::read_message(&mut r) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    struct Chan(std::sync::mpsc::Receiver<Value>, Vec<u8>, usize);
    impl Read for Chan {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.2 >= self.1.len() {
                match self.0.recv_timeout(common::TIMEOUT) {
                    Ok(v) => {
                        self.1 = frame(&v);
                        self.2 = 0;
                    }
                    Err(_) => return Ok(0),
                }
            }
            let n = buf.len().min(self.1.len() - self.2);
            buf[..n].copy_from_slice(&self.1[self.2..self.2 + n]);
            self.2 += n;
            Ok(n)
        }
    }
    let mut r = BufReader::new(Chan(rx, Vec::new(), 0));
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": uri(dir.path()), "capabilities": {}}});
    w.write_all(&frame(&init)).unwrap();
    w.flush().unwrap();
    let m = response(&mut r, &mut w, 1);
    assert_eq!(m["result"]["serverInfo"]["name"], "dossier");

    // Silence. The server must neither exit nor time the client out.
    std::thread::sleep(Duration::from_secs(3));
    assert!(child.try_wait().unwrap().is_none(), "server alive while the client is silent");

    // The client resumes: initialized, then a request that needs the index.
    w.write_all(&frame(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))).unwrap();
    let hover = json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": uri(&dir.path().join("a.txt"))}, "position": {"line": 0, "character": 20}}});
    w.write_all(&frame(&hover)).unwrap();
    w.flush().unwrap();
    let m = response(&mut r, &mut w, 2);
    assert!(m.get("error").is_none(), "{m}");
    let sym = json!({"jsonrpc": "2.0", "id": 3, "method": "workspace/symbol", "params": {"query": "Tasmagambetov"}});
    w.write_all(&frame(&sym)).unwrap();
    w.flush().unwrap();
    let m = response(&mut r, &mut w, 3);
    assert!(m["result"].as_array().is_some_and(|a| !a.is_empty()), "{m}");

    // The client goes away without shutdown/exit: the server ends (with an error code, as after
    // `exit` without `shutdown`) instead of lingering.
    drop(w);
    let deadline = Instant::now() + common::TIMEOUT;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("server still running after its stdin closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1), "{status:?}");
}
