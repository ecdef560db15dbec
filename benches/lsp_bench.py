#!/usr/bin/env python3
"""End-to-end benchmark of the real server over stdio, on a generated corpus.

    benches/lsp_bench.py [--articles N] [--seed S] [--server CMD] [--harper CMD] [--edits K]
                         [--first-start] [--no-open] [--index-only]

Builds the release binary and the corpus generator (unless --server is given), writes N generated
articles (default 20,000, about 4.5 KB each) plus three single documents of 10 KB, 300 KB and 1 MB
into a folder under $TMPDIR (kept between runs: the same bytes for the same N and seed), starts
`dossier lsp` on it and reports:

- time from `initialize` to the first answered cross-document `textDocument/references` and
  `workspace/symbol` (both sent right after `initialized`, so they measure index readiness).
  Like an editor, the client opens a document (the one the references are asked in) and asks
  for its semantic tokens right after `initialized`, while the corpus loads (`--no-open`: no
  document is opened). A run finds the index cache the previous run wrote (a restart) unless
  `--first-start` removes it first;
- peak RSS of the server (VmHWM), at index readiness and over the whole run (`--index-only`
  stops at index readiness);
- edit -> diagnostics latency: a one-character edit (insert, then delete) in the middle of the
  10 KB, 300 KB and 1 MB documents, timed until `publishDiagnostics` for that version arrives;
- hover and references round-trip latency p50/p99 at person mentions.

When harper-ls is available (--harper, or `harper-ls` on PATH), the same edit test runs against it
on the same three documents (as Markdown) and the ratio is printed.
All latencies are client-side round trips (they include JSON encoding and the pipe).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERSON = re.compile(r"\b[A-Z][a-z]+ ([A-Z][a-z]+(?:ov|ev|yev|in|uly|bayev|enko))\b")


class Client:
    """A minimal LSP client: one reader thread, responses and notifications with arrival times."""

    def __init__(self, cmd, cwd=None):
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd
        )
        self.next_id = 0
        self.cv = threading.Condition()
        self.responses = {}
        self.notes = []  # (time, method, params)
        self.write_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.cv:
                        self.cv.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
            body = out.read(length) if length is not None else b""
            now = time.perf_counter()
            if length is None or len(body) < length:
                # a header without a length, or the output closed in the middle of a message
                # (the server was stopped): nothing more to read
                with self.cv:
                    self.cv.notify_all()
                return
            msg = json.loads(body)
            if "method" in msg and "id" in msg:
                self._answer_server_request(msg)
                continue
            with self.cv:
                if "id" in msg:
                    self.responses[msg["id"]] = (now, msg)
                else:
                    self.notes.append((now, msg["method"], msg.get("params")))
                self.cv.notify_all()

    def _answer_server_request(self, msg):
        result = None
        if msg["method"] == "workspace/configuration":
            result = [None for _ in msg["params"]["items"]]
        self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def _send(self, msg):
        body = json.dumps(msg).encode()
        with self.write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        t = time.perf_counter()
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid, t

    def wait(self, rid, timeout=600):
        deadline = time.perf_counter() + timeout
        with self.cv:
            while rid not in self.responses:
                left = deadline - time.perf_counter()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"no answer to request {rid}")
                self.cv.wait(left)
            return self.responses.pop(rid)

    def call(self, method, params, timeout=600):
        rid, t = self.request(method, params)
        at, msg = self.wait(rid, timeout)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result"), at - t

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_note(self, pred, since_index, timeout=120):
        """The first notification at index >= since_index that satisfies pred: (time, params)."""
        deadline = time.perf_counter() + timeout
        with self.cv:
            i = since_index
            while True:
                while i < len(self.notes):
                    t, method, params = self.notes[i]
                    if pred(method, params):
                        return t, params
                    i += 1
                left = deadline - time.perf_counter()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError("expected notification did not arrive")
                self.cv.wait(left)

    def note_count(self):
        with self.cv:
            return len(self.notes)

    def peak_rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_s(self):
        """CPU time (user + system) the server has used so far, in seconds: steadier than wall
        time on a machine shared with other work."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def close(self):
        try:
            self.call("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def uri(path):
    return "file://" + os.path.abspath(path)


def initialize(client, folder, pull=False):
    caps = {
        "textDocument": {
            "synchronization": {"didSave": False},
            "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
        },
        "workspace": {"workspaceFolders": True, "configuration": False, "symbol": {}},
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": True},
    }
    if pull:
        caps["textDocument"]["diagnostic"] = {}
    params = {
        "processId": os.getpid(),
        "rootUri": uri(folder),
        "capabilities": caps,
        "workspaceFolders": [{"uri": uri(folder), "name": os.path.basename(folder)}],
    }
    result, dt = client.call("initialize", params)
    client.notify("initialized", {})
    return result, dt


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def ms(x):
    return f"{x * 1000:.2f} ms"


def full_sync(init_result):
    """Whether the server asked for whole documents on every change (TextDocumentSyncKind.Full)."""
    sync = ((init_result or {}).get("capabilities") or {}).get("textDocumentSync")
    kind = sync.get("change") if isinstance(sync, dict) else sync
    return kind == 1


def edit_latencies(client, path, language_id, edits, versioned, full=False):
    """Open `path`, then time `edits` one-character edits in its middle line until diagnostics
    (sent as a range change, or as the whole new text to a server that asked for full sync)."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    u = uri(path)
    mark = client.note_count()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": language_id, "version": 1, "text": text}})
    client.wait_note(lambda m, p: m == "textDocument/publishDiagnostics" and p["uri"] == u, mark, timeout=300)
    line = text.count("\n") // 2
    out = []
    for i in range(edits):
        version = i + 2
        if i % 2 == 0:
            change = {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "x"}
        else:
            change = {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 1}}, "text": ""}
        if full:
            lines[line] = ("x" + lines[line]) if i % 2 == 0 else lines[line][1:]
            change = {"text": "\n".join(lines)}
        mark = client.note_count()
        t = time.perf_counter()
        client.notify("textDocument/didChange", {"textDocument": {"uri": u, "version": version}, "contentChanges": [change]})

        def fresh(m, p, version=version):
            if m != "textDocument/publishDiagnostics" or p["uri"] != u:
                return False
            return not versioned or p.get("version") in (None, version)

        at, _ = client.wait_note(fresh, mark, timeout=300)
        out.append(at - t)
    client.notify("textDocument/didClose", {"textDocument": {"uri": u}})
    return out


def build():
    subprocess.run(["cargo", "build", "--release", "--bin", "dossier"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-p", "dossier-testgen", "--bin", "gen_corpus"], cwd=ROOT, check=True)


def target_dir():
    """Cargo's target directory for this workspace, as cargo resolves it."""
    try:
        meta = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )
        return json.loads(meta.stdout)["target_directory"]
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return os.path.abspath(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")))


def make_corpus(n, seed):
    base = os.path.join(tempfile.gettempdir(), f"dossier-lsp-bench-{n}-{seed}")
    corpus = os.path.join(base, "corpus")
    big = os.path.join(base, "big")
    done = os.path.join(base, ".complete")
    gen = os.path.join(target_dir(), "release", "gen_corpus")
    if not os.path.exists(done):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(big)
        subprocess.run([gen, corpus, str(n), str(seed)], check=True)
        for name, size in [("doc-10k", 10_000), ("doc-300k", 300_000), ("doc-1m", 1 << 20)]:
            subprocess.run([gen, "--article", os.path.join(corpus, name + ".txt"), str(size), "7"], check=True)
        open(done, "w").close()
    for name in ["doc-10k", "doc-300k", "doc-1m"]:
        shutil.copy(os.path.join(corpus, name + ".txt"), os.path.join(big, name + ".md"))
    return corpus, big


def bench_dossier(cmd, corpus, edits, samples, open_at_start=True, index_only=False):
    out = {}
    docs = sorted(f for f in os.listdir(corpus) if f.endswith(".txt") and not f.startswith("doc-"))
    probe_doc, probe_pos, probe_name = None, None, None
    for f in docs[:200]:
        text = open(os.path.join(corpus, f), encoding="utf-8").read()
        m = PERSON.search(text)
        if m:
            line = text.count("\n", 0, m.start(1))
            col = m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1)
            probe_doc, probe_pos, probe_name = os.path.join(corpus, f), {"line": line, "character": col}, m.group(1)
            break
    client = Client(cmd)
    t0 = time.perf_counter()
    _, t_init = initialize(client, corpus)
    if open_at_start:
        # what an editor does with the document it shows, while the corpus loads (its text as
        # it is on disk, line endings included)
        text = open(probe_doc, encoding="utf-8", newline="").read()
        doc = {"uri": uri(probe_doc), "languageId": "plaintext", "version": 1, "text": text}
        client.notify("textDocument/didOpen", {"textDocument": doc})
        client.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri(probe_doc)}})
    refs_id, _ = client.request(
        "textDocument/references",
        {"textDocument": {"uri": uri(probe_doc)}, "position": probe_pos, "context": {"includeDeclaration": True}},
    )
    sym_id, _ = client.request("workspace/symbol", {"query": probe_name})
    t_refs, refs = client.wait(refs_id)
    t_sym, syms = client.wait(sym_id)
    n_refs = len(refs.get("result") or [])
    n_syms = len(syms.get("result") or [])
    out["initialize"] = t_init
    out["first_references"] = t_refs - t0
    out["first_workspace_symbol"] = t_sym - t0
    print(f"  initialize answered                     {ms(t_init)}")
    print(f"  first cross-document references         {(t_refs - t0):.3f} s ({n_refs} locations of {probe_name})")
    print(f"  first workspace/symbol                  {(t_sym - t0):.3f} s ({n_syms} symbols)")
    if n_refs < 2:
        print("  warning: the references probe found fewer than 2 locations", file=sys.stderr)
    out["ready_rss_mb"] = client.peak_rss_mb()
    out["ready_cpu_s"] = client.cpu_s()
    print(f"  peak RSS at index readiness             {out['ready_rss_mb']:.0f} MB")
    print(f"  CPU time at index readiness             {out['ready_cpu_s']:.2f} s")
    if index_only:
        client.close()
        return out

    # hover and references at person mentions in ordinary documents
    positions = []
    for f in docs[: max(50, samples // 4)]:
        path = os.path.join(corpus, f)
        text = open(path, encoding="utf-8").read()
        for m in PERSON.finditer(text):
            line = text.count("\n", 0, m.start(1))
            col = len(text[text.rfind("\n", 0, m.start(1)) + 1 : m.start(1)].encode("utf-16-le")) // 2
            positions.append((uri(path), {"line": line, "character": col}))
    positions = positions[:samples]
    hovers, references = [], []
    for u, pos in positions:
        _, dt = client.call("textDocument/hover", {"textDocument": {"uri": u}, "position": pos})
        hovers.append(dt)
    for u, pos in positions[: max(20, samples // 5)]:
        _, dt = client.call(
            "textDocument/references",
            {"textDocument": {"uri": u}, "position": pos, "context": {"includeDeclaration": True}},
        )
        references.append(dt)
    out["hover"] = hovers
    out["references"] = references
    print(f"  hover ({len(hovers)} requests)                   p50 {ms(percentile(hovers, 50))}  p99 {ms(percentile(hovers, 99))}")
    print(
        f"  references ({len(references)} requests)               p50 {ms(percentile(references, 50))}  p99 {ms(percentile(references, 99))}"
    )
    # The edit test measures typing once the server has settled: in push mode it first publishes
    # the diagnostics of every unopened document, which competes for the cores.
    n_files = len([f for f in os.listdir(corpus) if f.endswith(".txt")])
    t_pub = time.perf_counter()
    while time.perf_counter() - t_pub < 600:
        published = {p["uri"] for _, m, p in list(client.notes) if m == "textDocument/publishDiagnostics"}
        if len(published) >= n_files:
            break
        time.sleep(0.5)
    out["all_published"] = time.perf_counter() - t0
    print(f"  diagnostics of all {n_files} documents pushed at {out['all_published']:.1f} s")
    for name in ["doc-10k", "doc-300k", "doc-1m"]:
        lat = edit_latencies(client, os.path.join(corpus, name + ".txt"), "plaintext", edits, versioned=True)
        out["edit:" + name] = lat
        print(f"  edit -> diagnostics, {name:9}             p50 {ms(percentile(lat, 50))}  p99 {ms(percentile(lat, 99))}")
    out["peak_rss_mb"] = client.peak_rss_mb()
    print(f"  peak RSS                                {out['peak_rss_mb']:.0f} MB")
    client.close()
    return out


HARPER_1M = False


def bench_harper(cmd, big, edits):
    out = {}
    client = Client(cmd, cwd=big)
    result, _ = initialize(client, big)
    full = full_sync(result)
    # harper-ls skips documents above 120,000 characters by default; check them like Dossier does
    client.notify("workspace/didChangeConfiguration", {"settings": {"harper-ls": {"maxFileLength": 1 << 30}}})
    # a 300 KB document takes harper-ls seconds per edit and a 1 MB one minutes: fewer edits there
    plan = [("doc-10k", edits), ("doc-300k", min(edits, 4)), ("doc-1m", min(edits, 1) if HARPER_1M else 0)]
    for name, n in plan:
        if n == 0:
            print(f"  edit -> diagnostics, {name:9}             skipped (minutes per edit; --harper-1m to run)")
            continue
        try:
            lat = edit_latencies(client, os.path.join(big, name + ".md"), "markdown", n, versioned=False, full=full)
        except RuntimeError as e:
            print(f"  harper-ls, {name}: {e}")
            continue
        out["edit:" + name] = lat
        print(f"  edit -> diagnostics, {name:9}             p50 {ms(percentile(lat, 50))}  p99 {ms(percentile(lat, 99))}")
    client.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--server", help="server command (default: the release build of this repository)")
    ap.add_argument("--harper", help="harper-ls command (default: harper-ls on PATH, if any)")
    ap.add_argument("--harper-1m", action="store_true", help="also time harper-ls on the 1 MB document (minutes)")
    ap.add_argument("--edits", type=int, default=20, help="edits per document size")
    ap.add_argument("--samples", type=int, default=500, help="hover requests")
    ap.add_argument("--first-start", action="store_true", help="remove the index cache first")
    ap.add_argument("--no-open", action="store_true", help="open no document while the corpus loads")
    ap.add_argument("--index-only", action="store_true", help="stop once the index is ready")
    args = ap.parse_args()

    if args.server:
        cmd = shlex.split(args.server)
        if not os.path.exists(os.path.join(target_dir(), "release", "gen_corpus")):
            build()
    else:
        build()
        cmd = [os.path.join(target_dir(), "release", "dossier"), "lsp"]
    corpus, big = make_corpus(args.articles, args.seed)
    size = sum(os.path.getsize(os.path.join(corpus, f)) for f in os.listdir(corpus))
    print(f"corpus: {args.articles} articles + 3 single documents, {size / 1e6:.1f} MB in {corpus}")
    print(f"machine: {os.cpu_count()} cores")
    if args.first_start:
        shutil.rmtree(os.path.join(corpus, ".dossier"), ignore_errors=True)
    print("dossier:" + (" first start" if args.first_start else ""))
    d = bench_dossier(cmd, corpus, args.edits, args.samples, not args.no_open, args.index_only)
    if args.index_only:
        return

    global HARPER_1M
    HARPER_1M = args.harper_1m
    harper = args.harper or shutil.which("harper-ls")
    if harper:
        print(f"harper-ls ({harper}), same edit test on the same documents as Markdown:")
        h = bench_harper(shlex.split(harper) + ([] if args.harper else ["--stdio"]), big, args.edits)
        for name in ["doc-10k", "doc-300k", "doc-1m"]:
            k = "edit:" + name
            if k in h:
                ratio = percentile(h[k], 50) / max(percentile(d[k], 50), 1e-9)
                print(f"  ratio harper-ls / dossier, {name:9}      {ratio:.0f}x (p50)")
    else:
        print("harper-ls not found (cargo install harper-ls --locked, or pass --harper CMD): comparison skipped")


if __name__ == "__main__":
    main()
