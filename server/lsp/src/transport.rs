//! A guard in front of the protocol reader.
//!
//! tower-lsp-server reads stdin through a framed decoder that stops for good at the first body
//! that is not a JSON-RPC message, which would end the session on one malformed frame. This
//! module reads the raw frames on a plain thread, passes every well-formed message through
//! unchanged, and replaces a malformed one by a request to [`PARSE_ERROR_METHOD`] with a null id,
//! which the server answers with the JSON-RPC parse error (-32700) — so the client gets the
//! error and the session goes on. Headers without a usable `Content-Length` are skipped up to
//! the next header block.
//!
//! An `initialize` request whose client capabilities do not match the protocol types (clients
//! send incomplete objects, e.g. semantic-token capabilities without `tokenTypes`) would be
//! refused with -32602 and no session at all; the guard drops the capability entries that do not
//! decode, logs them, and lets the session start with the rest.
//!
//! It also guarantees that `exit` ends the process: once an `exit` notification has passed
//! through, a watchdog ends the process after a grace period even if some task is still waiting.
//!
//! On the output side, one thread writes whole frames to stdout in the order they are queued:
//! tower-lsp-server's (cut into frames as it writes them) and the diagnostics the server
//! publishes through [`Output`], which serialises them straight from the protocol types instead
//! of through a `serde_json::Value` tree (a third of the time of an edit in a 1 MB document).
//! Published diagnostics wait for room in a small window, so a client that reads slowly holds
//! back the publishing of a whole corpus instead of letting it pile up in memory.
//!
//! Answers come first: the output thread writes tower-lsp-server's frames before any queued
//! publishing, and the publishing of a whole corpus pauses while the client is asking (see
//! [`Output::yield_to_requests`]), so a hover sent while 20,000 documents' diagnostics are pushed
//! waits behind what is already in the pipe at most once, not behind the whole stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::time::Instant;

/// The method a malformed frame is replaced with.
pub const PARSE_ERROR_METHOD: &str = "dossier/parseError";

/// Largest frame accepted (bigger bodies are drained and answered with a parse error).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// Is `body` a JSON-RPC message tower-lsp-server can decode?
fn well_formed(body: &[u8]) -> Option<Value> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let o = v.as_object()?;
    if o.get("jsonrpc")?.as_str()? != "2.0" {
        return None;
    }
    let id_ok = o.get("id").is_none_or(|i| i.is_null() || i.is_string() || i.is_i64() || i.is_u64());
    let is_msg = match o.get("method") {
        Some(m) => m.is_string(),
        None => o.contains_key("id") && (o.contains_key("result") || o.contains_key("error")),
    };
    (id_ok && is_msg).then_some(v)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn parse_error_frame() -> Vec<u8> {
    frame(format!(r#"{{"jsonrpc":"2.0","id":null,"method":"{PARSE_ERROR_METHOD}"}}"#).as_bytes())
}

/// Read one header block; returns the content length if there was one, `None` at end of input.
fn read_headers(r: &mut impl BufRead) -> Option<Option<usize>> {
    let mut len = None;
    let mut any = false;
    loop {
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if any {
                return Some(len);
            }
            continue; // stray blank line between frames
        }
        any = true;
        if let Some((k, v)) = text.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok();
            }
        }
    }
}

/// When the client last sent a request, seen by the input side and read by the publishing (on
/// tokio's clock, which tests can pause).
#[derive(Clone)]
pub struct Activity(Arc<(Instant, AtomicU64)>);

impl Default for Activity {
    fn default() -> Activity {
        Activity(Arc::new((Instant::now(), AtomicU64::new(u64::MAX))))
    }
}

impl Activity {
    fn request_received(&self) {
        let (base, last) = &*self.0;
        last.store(base.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Time since the last request, `None` before the first.
    fn since_last_request(&self) -> Option<Duration> {
        let (base, last) = &*self.0;
        let at = last.load(Ordering::Relaxed);
        (at != u64::MAX).then(|| base.elapsed().saturating_sub(Duration::from_micros(at)))
    }
}

/// Is this well-formed message a request (a method and an id)?
fn is_request(v: &Value) -> bool {
    v.get("method").is_some() && v.get("id").is_some()
}

/// The frame a well-formed message is passed on as: unchanged, but for `exit` (which starts the
/// watchdog) and `initialize` (whose capabilities that do not decode are dropped).
fn pass_through(body: &[u8], mut v: Value) -> Vec<u8> {
    match v.get("method").and_then(Value::as_str) {
        Some("exit") => {
            exit_watchdog();
            frame(body)
        }
        Some("initialize") => {
            let dropped = lenient_initialize(&mut v);
            if dropped.is_empty() {
                frame(body)
            } else {
                tracing::warn!(
                    "initialize: ignored client capabilities that do not match the protocol: {}",
                    dropped.join(", ")
                );
                frame(v.to_string().as_bytes())
            }
        }
        _ => frame(body),
    }
}

/// Start the guard: returns the stream tower-lsp-server should read instead of stdin. Every
/// request that passes through is noted in `activity`.
pub fn guarded_stdin(activity: Activity) -> DuplexStream {
    let (reader, mut writer) = tokio::io::duplex(1 << 20);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("dossier-stdin".into())
        .spawn(move || {
            let mut input = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
            while let Some(len) = read_headers(&mut input) {
                let Some(len) = len else {
                    tracing::warn!("protocol: header block without Content-Length skipped");
                    if tx.send(parse_error_frame()).is_err() {
                        break;
                    }
                    continue;
                };
                let mut body = vec![0u8; len.min(MAX_FRAME)];
                if input.read_exact(&mut body).is_err() {
                    break;
                }
                if len > MAX_FRAME {
                    let _ = std::io::copy(&mut (&mut input).take((len - MAX_FRAME) as u64), &mut std::io::sink());
                }
                let out = match well_formed(&body).filter(|_| len <= MAX_FRAME) {
                    Some(v) => {
                        if is_request(&v) {
                            activity.request_received();
                        }
                        pass_through(&body, v)
                    }
                    None => {
                        tracing::warn!("protocol: malformed message ({len} bytes) answered with a parse error");
                        parse_error_frame()
                    }
                };
                if tx.send(out).is_err() {
                    break;
                }
            }
        })
        .ok();
    tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
        // end of input: dropping the writer ends the session
    });
    reader
}

/// What the output thread is given besides tower-lsp-server's frames: a published frame, or a
/// request to report once everything queued before it is written.
enum Out {
    Published(Vec<u8>),
    Flushed(std::sync::mpsc::Sender<()>),
}

/// Published frames queued and not yet written, at most.
const WINDOW: usize = 32;

/// The publishing of many documents pauses until the client has sent no request for this long...
const QUIET: Duration = Duration::from_millis(30);

/// ...but for no longer than this per document, so that a client asking all the time still
/// gets every document's diagnostics.
const MAX_PAUSE: Duration = Duration::from_millis(250);

/// A handle for publishing to the client from any task.
#[derive(Clone)]
pub struct Output {
    tx: crossbeam_channel::Sender<Out>,
    window: Arc<tokio::sync::Semaphore>,
    activity: Activity,
    /// Whether publishing is still open: [`Output::close`] ends it before `shutdown` is answered.
    open: Arc<std::sync::RwLock<bool>>,
}

impl Output {
    /// Send a notification, serialised from `params` directly; waits while the window is full.
    pub async fn notify<P: serde::Serialize>(&self, method: &str, params: &P) {
        #[derive(serde::Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let Ok(permit) = self.window.acquire().await else { return };
        let body = match serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params }) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!("{method} not sent: {e}");
                return;
            }
        };
        // checked and sent under the lock, so that nothing is queued after `close` has flushed
        let open = self.open.read().unwrap_or_else(|p| p.into_inner());
        if !*open {
            return;
        }
        permit.forget();
        if self.tx.send(Out::Published(frame(&body))).is_err() {
            self.window.add_permits(1);
        }
    }

    /// Publish nothing more, and wait (at most `limit`) until what was published is written:
    /// answers are written before queued publishing, so the answer to `shutdown` must wait for
    /// it, or the client would read diagnostics after that answer (Neovim warns of a message
    /// from a client that has shut down).
    pub fn close(&self, limit: Duration) {
        *self.open.write().unwrap_or_else(|p| p.into_inner()) = false;
        self.flush(limit);
    }

    /// Before publishing one of many documents: wait while the client is asking (no request for
    /// [`QUIET`]), at most [`MAX_PAUSE`]. Hover, tokens and the like are answered at once; a
    /// corpus's diagnostics go on in the pauses between them.
    pub async fn yield_to_requests(&self) {
        let start = Instant::now();
        while let Some(since) = self.activity.since_last_request() {
            let waited = start.elapsed();
            if since >= QUIET || waited >= MAX_PAUSE {
                break;
            }
            tokio::time::sleep((QUIET - since).min(MAX_PAUSE - waited)).await;
        }
    }

    /// Wait (at most `limit`) until everything queued so far is written.
    pub fn flush(&self, limit: Duration) {
        let (tx, rx) = std::sync::mpsc::channel();
        if self.tx.send(Out::Flushed(tx)).is_ok() {
            let _ = rx.recv_timeout(limit);
        }
    }
}

/// The stream tower-lsp-server writes to: cut into whole frames and queued for the output thread.
pub struct FrameSplitter {
    buf: Vec<u8>,
    tx: crossbeam_channel::Sender<Vec<u8>>,
}

/// Length of the first complete frame at the start of `buf`, if there is one. A header block
/// without a length is passed on as it is (never held back).
fn complete_frame(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let header = String::from_utf8_lossy(&buf[..end]);
    let len = header.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok()).flatten()
    });
    match len {
        Some(n) => (buf.len() >= end + n).then_some(end + n),
        None => Some(end),
    }
}

impl tokio::io::AsyncWrite for FrameSplitter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        this.buf.extend_from_slice(data);
        while let Some(n) = complete_frame(&this.buf) {
            let rest = this.buf.split_off(n);
            let whole = std::mem::replace(&mut this.buf, rest);
            if this.tx.send(whole).is_err() {
                return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
            }
        }
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Start the output thread: returns the stream tower-lsp-server should write to instead of
/// stdout, and the handle that publishes through the same thread.
pub fn guarded_stdout(activity: Activity) -> (FrameSplitter, Output) {
    let (answers, answers_rx) = crossbeam_channel::unbounded::<Vec<u8>>();
    let (tx, rx) = crossbeam_channel::unbounded::<Out>();
    let window = Arc::new(tokio::sync::Semaphore::new(WINDOW));
    let freed = window.clone();
    std::thread::Builder::new()
        .name("dossier-stdout".into())
        .spawn(move || write_frames(&mut std::io::stdout().lock(), answers_rx, rx, &freed))
        .ok();
    let open = Arc::new(std::sync::RwLock::new(true));
    (FrameSplitter { buf: Vec::new(), tx: answers }, Output { tx, window, activity, open })
}

/// The output thread: tower-lsp-server's frames (answers, its own notifications) before any
/// queued publishing, each queue in its order, until both are closed. After a write error the
/// client is gone: what comes is drained, so nobody waits.
fn write_frames(
    out: &mut impl Write,
    answers: crossbeam_channel::Receiver<Vec<u8>>,
    published: crossbeam_channel::Receiver<Out>,
    freed: &tokio::sync::Semaphore,
) {
    let mut broken = false;
    let mut write = |bytes: &[u8]| broken = broken || out.write_all(bytes).and_then(|()| out.flush()).is_err();
    /// What the output thread takes next.
    enum Next {
        Answer(Vec<u8>),
        Queued(Out),
        AnswersClosed,
        QueueClosed,
    }
    let answer = |m: Result<Vec<u8>, _>| m.map_or(Next::AnswersClosed, Next::Answer);
    let other = |m: Result<Out, _>| m.map_or(Next::QueueClosed, Next::Queued);
    let (mut answers, mut published) = (Some(answers), Some(published));
    loop {
        let next = match (&answers, &published) {
            (Some(a), Some(p)) => crossbeam_channel::select_biased! {
                recv(a) -> m => answer(m),
                recv(p) -> m => other(m),
            },
            (Some(a), None) => answer(a.recv()),
            (None, Some(p)) => other(p.recv()),
            (None, None) => return,
        };
        match next {
            Next::Answer(bytes) => write(&bytes),
            Next::Queued(Out::Published(bytes)) => {
                write(&bytes);
                freed.add_permits(1);
            }
            Next::Queued(Out::Flushed(done)) => {
                let _ = done.send(());
            }
            Next::AnswersClosed => answers = None,
            Next::QueueClosed => published = None,
        }
    }
}

/// Drop the client capability entries of an `initialize` request that do not decode; returns
/// their paths. Everything else is left as the client sent it.
fn lenient_initialize(msg: &mut Value) -> Vec<String> {
    use tower_lsp_server::ls_types::{ClientCapabilities, InitializeParams};
    let mut dropped = Vec::new();
    let Some(params) = msg.get_mut("params") else { return dropped };
    if serde_json::from_value::<InitializeParams>(params.clone()).is_ok() {
        return dropped;
    }
    let Some(caps) = params.get_mut("capabilities").and_then(Value::as_object_mut) else { return dropped };
    let groups: Vec<String> = caps.keys().cloned().collect();
    for group in groups {
        let decodes = |v: &Value| {
            let mut one = serde_json::Map::new();
            one.insert(group.clone(), v.clone());
            serde_json::from_value::<ClientCapabilities>(Value::Object(one)).is_ok()
        };
        if decodes(&caps[&group]) {
            continue;
        }
        match caps.get_mut(&group).and_then(Value::as_object_mut) {
            Some(members) => {
                let keys: Vec<String> = members.keys().cloned().collect();
                for k in keys {
                    let mut alone = serde_json::Map::new();
                    alone.insert(k.clone(), members[&k].clone());
                    if !decodes(&Value::Object(alone)) {
                        members.remove(&k);
                        dropped.push(format!("{group}.{k}"));
                    }
                }
            }
            None => {
                caps.remove(&group);
                dropped.push(group);
            }
        }
    }
    dropped
}

/// After `exit`, make sure the process ends even if a task is stuck.
fn exit_watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(2));
        let clean = crate::SHUTDOWN_REQUESTED.load(std::sync::atomic::Ordering::SeqCst);
        tracing::warn!("exit: ending the process");
        std::process::exit(if clean { 0 } else { 1 });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_matches_what_the_decoder_accepts() {
        assert!(well_formed(br#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#).is_some());
        assert!(well_formed(br#"{"jsonrpc":"2.0","method":"x"}"#).is_some());
        assert!(well_formed(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_some());
        assert!(well_formed(b"{not json").is_none());
        assert!(well_formed(b"[]").is_none());
        assert!(well_formed(br#"{"jsonrpc":"1.0","method":"x"}"#).is_none());
        assert!(well_formed(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#).is_none());
        assert!(well_formed(br#"{"jsonrpc":"2.0","id":1}"#).is_none());
    }

    #[test]
    fn initialize_keeps_the_capabilities_that_decode() {
        let mut v: Value = serde_json::from_str(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,
            "capabilities":{"textDocument":{"semanticTokens":{"requests":{}},"hover":{"contentFormat":["markdown"]}},
            "general":{"positionEncodings":["utf-16"]},"window":7}}}"#,
        )
        .unwrap();
        let dropped = lenient_initialize(&mut v);
        assert_eq!(dropped, vec!["textDocument.semanticTokens".to_string(), "window".to_string()]);
        let caps = &v["params"]["capabilities"];
        assert_eq!(caps["textDocument"]["hover"]["contentFormat"][0], "markdown");
        assert_eq!(caps["general"]["positionEncodings"][0], "utf-16");
        let params = v["params"].clone();
        assert!(serde_json::from_value::<tower_lsp_server::ls_types::InitializeParams>(params).is_ok());
        // a valid request is left alone
        let mut ok: Value = serde_json::from_str(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#,
        )
        .unwrap();
        assert!(lenient_initialize(&mut ok).is_empty());
    }

    #[test]
    fn written_bytes_become_whole_frames() {
        use tokio::io::AsyncWrite;
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut w = FrameSplitter { buf: Vec::new(), tx };
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut write = |b: &[u8]| {
            let r = Pin::new(&mut w).poll_write(&mut cx, b);
            assert!(matches!(r, Poll::Ready(Ok(n)) if n == b.len()));
        };
        let two = b"Content-Length: 2\r\n\r\n{}Content-Length: 4\r\nContent-Type: x\r\n\r\nnull";
        // byte by byte, then all at once: the same frames
        for b in two.chunks(1) {
            write(b);
        }
        write(two);
        write(b"Content-Length: 3\r\n\r\n[1");
        let frames: Vec<Vec<u8>> = rx.try_iter().collect();
        let (a, b) = two.split_at(23);
        assert_eq!(frames, vec![a.to_vec(), b.to_vec(), a.to_vec(), b.to_vec()], "the incomplete third is held");
        assert_eq!(complete_frame(b"X-Other: 1\r\n\r\nrest"), Some(14), "no length: the header block alone");
    }

    #[test]
    fn answers_are_written_before_queued_publishing() {
        let (answers, answers_rx) = crossbeam_channel::unbounded();
        let (published, published_rx) = crossbeam_channel::unbounded();
        let window = tokio::sync::Semaphore::new(0);
        published.send(Out::Published(b"p1".to_vec())).unwrap();
        published.send(Out::Published(b"p2".to_vec())).unwrap();
        answers.send(b"a1".to_vec()).unwrap();
        let (done, flushed) = std::sync::mpsc::channel();
        published.send(Out::Flushed(done)).unwrap();
        answers.send(b"a2".to_vec()).unwrap();
        drop((answers, published));
        let mut out = Vec::new();
        write_frames(&mut out, answers_rx, published_rx, &window);
        assert_eq!(out, b"a1a2p1p2", "answers first, each queue in its order");
        assert_eq!(window.available_permits(), 2, "each published frame gives its place back");
        assert!(flushed.try_recv().is_ok(), "a flush is reported once what came before it is written");
    }

    #[tokio::test(start_paused = true)]
    async fn publishing_pauses_while_the_client_asks() {
        let activity = Activity::default();
        let (tx, _rx) = crossbeam_channel::unbounded();
        let window = Arc::new(tokio::sync::Semaphore::new(WINDOW));
        let open = Arc::new(std::sync::RwLock::new(true));
        let output = Output { tx, window, activity: activity.clone(), open };
        let paused = || async {
            let t = Instant::now();
            output.yield_to_requests().await;
            t.elapsed()
        };
        assert_eq!(paused().await, Duration::ZERO, "no request yet");
        activity.request_received();
        assert_eq!(paused().await, QUIET, "a request just now");
        tokio::time::sleep(QUIET).await;
        assert_eq!(paused().await, Duration::ZERO, "the client is quiet");
        // a client that asks all the time still gets its diagnostics
        let asking = activity.clone();
        let asker = tokio::spawn(async move {
            loop {
                asking.request_received();
                tokio::time::sleep(QUIET / 3).await;
            }
        });
        tokio::task::yield_now().await;
        assert_eq!(paused().await, MAX_PAUSE);
        asker.abort();
    }

    #[tokio::test]
    async fn nothing_is_published_once_closed() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let window = Arc::new(tokio::sync::Semaphore::new(WINDOW));
        let output = Output { tx, window, activity: Activity::default(), open: Arc::new(std::sync::RwLock::new(true)) };
        output.notify("x/before", &1).await;
        // the flush marker is answered by hand: no output thread here
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for item in rx {
                match item {
                    Out::Published(f) => got.push(String::from_utf8(f).unwrap()),
                    Out::Flushed(done) => {
                        let _ = done.send(());
                    }
                }
            }
            got
        });
        output.close(Duration::from_secs(5));
        output.notify("x/after", &2).await;
        drop(output);
        let got = reader.join().unwrap();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("x/before"));
    }

    #[test]
    fn requests_are_told_from_other_messages() {
        let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        assert!(is_request(&v(r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover"}"#)));
        assert!(!is_request(&v(r#"{"jsonrpc":"2.0","method":"textDocument/didChange"}"#)));
        assert!(!is_request(&v(r#"{"jsonrpc":"2.0","id":1,"result":null}"#)));
    }

    #[test]
    fn headers_are_parsed_leniently() {
        let mut r = BufReader::new(&b"content-length: 5\r\nContent-Type: x\r\n\r\nhello"[..]);
        assert_eq!(read_headers(&mut r), Some(Some(5)));
        let mut r = BufReader::new(&b"garbage\r\n\r\n"[..]);
        assert_eq!(read_headers(&mut r), Some(None));
        let mut r = BufReader::new(&b""[..]);
        assert_eq!(read_headers(&mut r), None);
    }
}
