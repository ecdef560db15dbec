//! Stress: 10,000 interleaved edits and requests on several open documents over stdio, with
//! requests pipelined (up to 32 in flight). A watchdog ends the server if no answer arrives for a
//! long time, so a deadlock fails the test instead of hanging it. At the end the server's texts
//! equal the client's and its resident memory is within a generous bound.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{corpus, pull_caps, Client};
use serde_json::{json, Value};

const OPS: usize = 10_000;
const IN_FLIGHT: usize = 32;
/// No answer for this long means a deadlock (a generous limit: nothing here takes a second).
const STALL: Duration = Duration::from_secs(60);
/// Resident memory bound for a handful of small documents after 10,000 operations.
const MAX_RSS_KB: u64 = 1024 * 1024;

const DOCS: &[&str] = &[
    "CSTO Secretary General Imangali Tasmagambetov met Viktor Khrenin in Minsk.\nTasmagambetov's visit was the first since the summit.\n",
    "Генсек ОДКБ Имангали Тасмагамбетов (слева) и министр обороны Беларуси Виктор Хренин. Минск, 30 октября 2024 года\r\nSubscribe to our Telegram channel\r\n",
    "President Kassym-Jomart Tokayev said the Ministry of Defence would take part 😀.\nTokayev also met Alexei Likhachev in Astana.\n",
    "Akim of Almaty Yerbolat Dosaev opened the station.\rDosaev noted the line would be extended by 2026.\r",
];

const WORDS: &[&str] =
    &["Tokayev ", "Минск ", "😀", "\n", "\r\n", "Khrenin", " и ", "Subscribe to our Telegram channel", "x"];

/// A small deterministic generator (xorshift), so every run does the same.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Lines of a text as (start, content end) byte offsets, split like LSP.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push((start, i));
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    out.push((start, b.len()));
    out
}

/// A random position on a character boundary: (line, UTF-16 column, byte offset).
fn position(text: &str, rng: &mut Rng) -> (usize, usize, usize) {
    let ls = lines(text);
    let line = rng.below(ls.len());
    let (s, e) = ls[line];
    let bounds: Vec<usize> = text[s..e].char_indices().map(|(i, _)| i).chain([e - s]).collect();
    let b = bounds[rng.below(bounds.len())];
    (line, text[s..s + b].encode_utf16().count(), s + b)
}

#[test]
fn ten_thousand_interleaved_edits_and_requests() {
    let files: Vec<(String, &[u8])> =
        DOCS.iter().enumerate().map(|(i, t)| (format!("d{i}.txt"), t.as_bytes())).collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = corpus(&refs);
    let (mut c, _) = Client::start(dir.path(), pull_caps(), None);
    c.wait_indexed();
    let mut models: Vec<String> = DOCS.iter().map(|t| t.to_string()).collect();
    let uris: Vec<String> = (0..DOCS.len()).map(|i| c.open(&dir.path().join(format!("d{i}.txt")), DOCS[i])).collect();
    let mut versions = vec![1i64; DOCS.len()];

    // Watchdog: progress is the time of the last answer; a long stall kills the server, which
    // makes the waiting test thread fail with "server exited".
    let start = Instant::now();
    let progress = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let stalled = Arc::new(AtomicBool::new(false));
    {
        let (progress, done, stalled, pid) = (progress.clone(), done.clone(), stalled.clone(), c.pid());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(500));
                let last = Duration::from_millis(progress.load(Ordering::SeqCst));
                if start.elapsed().saturating_sub(last) > STALL && !done.load(Ordering::SeqCst) {
                    stalled.store(true, Ordering::SeqCst);
                    eprintln!("watchdog: no answer for {STALL:?}; killing the server");
                    let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
                    return;
                }
            }
        });
    }
    let tick = |p: &AtomicU64| p.store(start.elapsed().as_millis() as u64, Ordering::SeqCst);

    let mut rng = Rng(0x5eed_d055_1e55);
    let mut pending: std::collections::VecDeque<(i64, &'static str)> = Default::default();
    let mut answered = 0usize;
    for op in 0..OPS {
        let d = rng.below(DOCS.len());
        if op % 4 == 3 {
            let (line, col, _) = position(&models[d], &mut rng);
            let td = json!({"uri": uris[d]});
            let pos = json!({"line": line, "character": col});
            let (method, params) = match (op / 4) % 4 {
                0 => ("textDocument/hover", json!({"textDocument": td, "position": pos})),
                1 => (
                    "textDocument/references",
                    json!({"textDocument": td, "position": pos, "context": {"includeDeclaration": true}}),
                ),
                2 => ("textDocument/semanticTokens/full", json!({"textDocument": td})),
                _ => ("textDocument/diagnostic", json!({"textDocument": td})),
            };
            pending.push_back((c.send_request(method, params), method));
        } else {
            // An insertion, a deletion, or a replacement, at random places.
            let (l1, c1, o1) = position(&models[d], &mut rng);
            let (l2, c2, o2) = if rng.below(3) == 0 { (l1, c1, o1) } else { position(&models[d], &mut rng) };
            let ((sl, sc, so), (el, ec, eo)) =
                if o1 <= o2 { ((l1, c1, o1), (l2, c2, o2)) } else { ((l2, c2, o2), (l1, c1, o1)) };
            // Keep documents small: delete more when they grow.
            let text = if models[d].len() > 4000 || rng.below(3) == 0 { "" } else { WORDS[rng.below(WORDS.len())] };
            models[d].replace_range(so..eo, text);
            versions[d] += 1;
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uris[d], "version": versions[d]}, "contentChanges": [{
                    "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": text}]}),
            );
        }
        while pending.len() > IN_FLIGHT {
            let (id, method) = pending.pop_front().unwrap();
            let r = c.take_response(id);
            assert!(r.is_ok() || !stalled.load(Ordering::SeqCst), "watchdog fired");
            assert!(r.is_ok(), "{method} failed: {r:?}");
            answered += 1;
            tick(&progress);
        }
    }
    while let Some((id, method)) = pending.pop_front() {
        let r = c.take_response(id);
        assert!(r.is_ok(), "{method} failed: {r:?}");
        answered += 1;
        tick(&progress);
    }
    assert_eq!(answered, OPS / 4);
    for (d, u) in uris.iter().enumerate() {
        assert_eq!(c.text(u), Value::String(models[d].clone()), "document {d} after {OPS} operations");
        tick(&progress);
    }
    done.store(true, Ordering::SeqCst);
    if cfg!(target_os = "linux") {
        let status = std::fs::read_to_string(format!("/proc/{}/status", c.pid())).expect("/proc/<pid>/status");
        let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).expect("VmRSS in /proc/<pid>/status");
        let kb: u64 = kb.trim().trim_end_matches("kB").trim().parse().unwrap();
        eprintln!("server resident memory after {OPS} operations: {kb} kB");
        assert!(kb < MAX_RSS_KB, "resident memory {kb} kB after {OPS} operations");
    }
    assert!(c.shutdown().success());
}
