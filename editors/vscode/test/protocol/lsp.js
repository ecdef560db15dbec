// Minimal LSP session over stdio built on vscode-jsonrpc and
// vscode-languageserver-protocol (the libraries under vscode-languageclient).
// Environment: DOSSIER_BIN (server binary), CORPUS (a scratch copy of seeds/).
'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const rpc = require('vscode-languageserver-protocol/node'); // same vscode-jsonrpc as P
const P = require('vscode-languageserver-protocol');

const TIMEOUT = Number(process.env.LSP_TIMEOUT_MS || 15000);
const SEED_A = '000_ed376fe458f0e54a.txt';
const SEED_B = '002_e2d909bfb0b5a3b3.txt';

function corpusDir() {
  const c = process.env.CORPUS;
  if (!c) throw new Error('CORPUS is not set (a scratch copy of seeds/)');
  return c;
}
const uriOf = (f) => pathToFileURL(path.join(corpusDir(), f)).href;
const textOf = (f) => fs.readFileSync(path.join(corpusDir(), f), 'utf8');
const linesOf = (f) => textOf(f).split(/\r\n|\r|\n/);

/** 0-based {line, character} (UTF-16) of the nth occurrence of needle, plus offset. */
function positionOf(file, needle, offset = 0, nth = 1) {
  const lines = linesOf(file);
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i].indexOf(needle);
    if (c >= 0 && ++seen === nth) return { line: i, character: c + offset };
  }
  throw new Error(`not found in ${file}: ${needle}`);
}

/** Text covered by an LSP range (UTF-16 positions) in a corpus file. */
function textAt(file, range) {
  const lines = linesOf(file);
  if (range.start.line === range.end.line) {
    return lines[range.start.line].slice(range.start.character, range.end.character);
  }
  return lines[range.start.line].slice(range.start.character);
}

class Session {
  constructor() {
    this.diagnostics = new Map();
    this.progress = [];
    this.waiters = [];
    this.stderr = '';
  }

  async start({ encodings = ['utf-16'], initializationOptions } = {}) {
    const bin = process.env.DOSSIER_BIN;
    if (!bin) throw new Error('DOSSIER_BIN is not set');
    this.proc = cp.spawn(bin, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-20000); });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve(sig || code)));
    this.proc.on('error', () => {});
    this.proc.stdin.on('error', () => {}); // EPIPE when the server is gone: reported via this.exited
    const conn = rpc.createMessageConnection(
      new rpc.StreamMessageReader(this.proc.stdout), new rpc.StreamMessageWriter(this.proc.stdin));
    this.conn = conn;
    conn.onNotification(P.PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this._wake();
    });
    conn.onNotification('$/progress', (p) => { this.progress.push(p); this._wake(); });
    conn.onRequest(P.RegistrationRequest.type, () => null);
    conn.onRequest(P.UnregistrationRequest.type, () => null);
    conn.onRequest(P.WorkDoneProgressCreateRequest.type, () => null);
    conn.onRequest(P.ConfigurationRequest.type, (p) =>
      p.items.map((it) => (it.section === 'dossier' ? (initializationOptions ?? null) : null)));
    conn.onRequest(P.SemanticTokensRefreshRequest.type, () => null);
    conn.onRequest(P.InlayHintRefreshRequest.type, () => null);
    conn.onRequest(P.DiagnosticRefreshRequest.type, () => null);
    conn.onNotification(P.LogMessageNotification.type, () => {});
    conn.onNotification(P.ShowMessageNotification.type, () => {});
    conn.onError(() => {});
    conn.listen();

    const root = pathToFileURL(corpusDir()).href;
    this.init = await this.within(conn.sendRequest(P.InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'dossier-protocol-test', version: '1' },
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'corpus' }],
      initializationOptions,
      capabilities: {
        general: { positionEncodings: encodings },
        window: { workDoneProgress: true },
        workspace: { workspaceFolders: true, configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          definition: { linkSupport: false },
          references: {},
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
          semanticTokens: {
            requests: { full: true, range: true },
            tokenTypes: ['person', 'organization', 'place', 'other'],
            tokenModifiers: [],
            formats: ['relative'],
          },
        },
      },
    }), 'initialize');
    conn.sendNotification(P.InitializedNotification.type, {});
    return this.init;
  }

  _wake() {
    for (const w of this.waiters.splice(0)) {
      const v = w.probe();
      if (v) w.resolve(v); else this.waiters.push(w);
    }
  }

  /** Resolve with probe()'s first truthy value (re-evaluated on every notification). */
  until(probe, what, ms = TIMEOUT) {
    const v = probe();
    if (v) return Promise.resolve(v);
    return this.within(new Promise((resolve) => this.waiters.push({ probe, resolve })), what, ms);
  }

  within(promise, what, ms = TIMEOUT) {
    let t;
    return Promise.race([
      promise,
      new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
      this.exited.then((c) => { throw new Error(`server exited (${c}) during ${what}\n${this.stderr.slice(-2000)}`); }),
    ]).finally(() => clearTimeout(t));
  }

  open(file) {
    this.conn.sendNotification(P.DidOpenTextDocumentNotification.type, {
      textDocument: { uri: uriOf(file), languageId: 'plaintext', version: 1, text: textOf(file) },
    });
  }

  request(type, params, what) {
    return this.within(this.conn.sendRequest(type, params), what || type.method);
  }

  async stop() {
    if (!this.conn) return undefined;
    let code;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
      this.conn.dispose();
      return this.proc.exitCode ?? this.proc.signalCode;
    }
    try {
      await this.within(this.conn.sendRequest(P.ShutdownRequest.type), 'shutdown', 5000);
      this.conn.sendNotification(P.ExitNotification.type);
      code = await this.within(this.exited, 'exit', 5000).catch(() => 'no exit');
    } finally {
      this.conn.dispose();
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    }
    return code;
  }
}

module.exports = { P, Session, SEED_A, SEED_B, uriOf, textOf, linesOf, positionOf, textAt, TIMEOUT };
