//! A small LSP client over the real `dossier lsp` binary's stdio, for end-to-end tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen so far, in order.
    pub seen: Vec<Value>,
}

pub fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => s.push(b as char),
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    /// Start the server; `init` extends the initialize params (capabilities, options).
    pub fn start(root: &Path, capabilities: Value, options: Option<Value>) -> (Client, Value) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
        cmd.arg("lsp");
        Client::start_command(cmd, root, capabilities, options)
    }

    /// Default capabilities: UTF-16 only, push diagnostics, progress.
    pub fn caps() -> Value {
        json!({
            "general": {"positionEncodings": ["utf-16"]},
            "window": {"workDoneProgress": true},
            "workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {"publishDiagnostics": {"relatedInformation": true}}
        })
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).unwrap();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len());
        let _ = self.stdin.write_all(&body);
        let _ = self.stdin.flush();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let _ = self.stdin.write_all(bytes);
        let _ = self.stdin.flush();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Handle one incoming message that is not the awaited response.
    fn handle(&mut self, msg: Value) {
        if msg.get("method").is_some() && msg.get("id").is_some() {
            // a request from the server: answer like an editor would
            let result = match msg["method"].as_str() {
                Some("workspace/configuration") => {
                    let n = msg["params"]["items"].as_array().map_or(1, |a| a.len());
                    Value::Array(vec![Value::Null; n])
                }
                _ => Value::Null,
            };
            let id = msg["id"].clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
        self.seen.push(msg);
    }

    /// Send a request and wait for its answer: `Ok(result)` or `Err(error object)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.request_within(method, params, TIMEOUT)
    }

    /// Wait for a notification (among those already seen or new) matching `pred`.
    pub fn wait_for(&mut self, what: &str, pred: impl FnMut(&Value) -> bool) -> Value {
        self.wait_for_within(what, TIMEOUT, pred)
    }

    /// The next diagnostics published for `uri` (after any already seen are consumed).
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for("publishDiagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Wait until indexing has finished (the `$/progress` end report).
    pub fn wait_indexed(&mut self) -> String {
        let m = self.wait_for("indexing end", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
        m["params"]["value"]["message"].as_str().unwrap_or_default().to_string()
    }

    pub fn open(&mut self, path: &Path, text: &str) -> String {
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "plaintext", "version": 1, "text": text}}),
        );
        u
    }

    pub fn try_wait(&mut self) -> std::io::Result<Option<std::process::ExitStatus>> {
        self.child.try_wait()
    }

    pub fn shutdown(mut self) -> std::process::ExitStatus {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit after shutdown/exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh corpus folder with the given files.
pub fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

/// The repository's seeds folder.
pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect()
}

/// Capabilities of a client that pulls diagnostics (no pushes for open documents).
pub fn pull_caps() -> Value {
    let mut c = Client::caps();
    c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    c["workspace"]["diagnostics"] = json!({"refreshSupport": false});
    c
}

impl Client {
    /// The server's process id (for /proc and tracing tools).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Is the server process still running?
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Pull the diagnostics of one document (`textDocument/diagnostic`).
    pub fn pull(&mut self, uri: &str) -> Vec<Value> {
        let r = self.request("textDocument/diagnostic", json!({"textDocument": {"uri": uri}})).expect("diagnostic");
        r["items"].as_array().cloned().unwrap_or_default()
    }

    /// The server's current text of a document (debug builds only).
    pub fn text(&mut self, uri: &str) -> Value {
        self.request("dossier/debug/text", json!({"uri": uri})).expect("debug text")
    }

    /// Every `window/logMessage` and `window/showMessage` text seen so far.
    pub fn messages(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage" || m["method"] == "window/showMessage")
            .filter_map(|m| m["params"]["message"].as_str().map(str::to_string))
            .collect()
    }
}

impl Client {
    /// Send a request without waiting; returns its id (for [`Client::take_response`]).
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The answer to a request sent with [`Client::send_request`], in any order: answers that
    /// arrive while waiting for another id are kept for later.
    pub fn take_response(&mut self, id: i64) -> Result<Value, Value> {
        let is_answer = |m: &Value, id: i64| m.get("method").is_none() && m["id"] == json!(id);
        let m = match self.seen.iter().position(|m| is_answer(m, id)) {
            Some(i) => self.seen.remove(i),
            None => self.wait_for(&format!("answer to request {id}"), |m| is_answer(m, id)),
        };
        match m.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(m.get("result").cloned().unwrap_or(Value::Null)),
        }
    }
}

impl Client {
    /// Like [`Client::start`], with the server started by `cmd` (for example under a tracer).
    pub fn start_command(
        mut cmd: Command,
        root: &Path,
        capabilities: Value,
        options: Option<Value>,
    ) -> (Client, Value) {
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut c = Client { child, stdin, rx, next_id: 0, seen: Vec::new() };
        let mut params = json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "corpus"}],
            "capabilities": capabilities,
        });
        if let Some(o) = options {
            params["initializationOptions"] = o;
        }
        let init = c.request("initialize", params).expect("initialize");
        c.notify("initialized", json!({}));
        (c, init)
    }
}

impl Client {
    /// Like [`Client::wait_for`] with its own time limit, for work that takes long in a debug
    /// build on a busy machine.
    pub fn wait_for_within(&mut self, what: &str, limit: Duration, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&mut pred) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(m) => self.handle(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out after {limit:?} waiting for {what}; seen: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited while waiting for {what}"),
            }
        }
    }

    /// Like [`Client::wait_indexed`] with its own time limit.
    pub fn wait_indexed_within(&mut self, limit: Duration) -> String {
        let m = self.wait_for_within("indexing end", limit, |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        });
        m["params"]["value"]["message"].as_str().unwrap_or_default().to_string()
    }

    /// Like [`Client::request`] with its own time limit.
    pub fn request_within(&mut self, method: &str, params: Value, limit: Duration) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        let m = self.wait_for_within(&format!("answer to {method}"), limit, |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        });
        match m.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(m.get("result").cloned().unwrap_or(Value::Null)),
        }
    }
}
