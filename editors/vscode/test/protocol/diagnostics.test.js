'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { P, Session, SEED_A, uriOf, linesOf, positionOf } = require('./lsp');

test('the Cyrillic caption line gets an untranslated-caption warning; removing it clears it', async () => {
  const s = new Session();
  try {
    await s.start();
    s.open(SEED_A);
    const uri = uriOf(SEED_A);
    const caption = positionOf(SEED_A, 'Генсек ОДКБ Имангали Тасмагамбетов (слева)').line;
    assert.equal(caption, 28);
    const onCaption = (ds) => (ds ?? []).find((d) => d.range.start.line === caption && d.code === 'untranslated-caption');
    const d = await s.until(() => onCaption(s.diagnostics.get(uri)), 'caption diagnostic');
    assert.equal(d.severity, P.DiagnosticSeverity.Warning);
    assert.equal(d.source, 'dossier');
    assert.match(d.message, /Tasmagambetov/, 'message carries the transliteration');
    assert.ok(d.range.end.line > caption || d.range.end.character > d.range.start.character, 'non-empty range');

    // replace the caption line by English text (incremental when the server asks for it)
    const sync = s.init.capabilities.textDocumentSync;
    const kind = typeof sync === 'number' ? sync : sync?.change;
    const lines = linesOf(SEED_A);
    const english = 'CSTO Secretary General Imangali Tasmagambetov (left) and Belarusian Defence Minister Viktor Khrenin.';
    const change = kind === P.TextDocumentSyncKind.Incremental
      ? { range: { start: { line: caption, character: 0 }, end: { line: caption, character: lines[caption].length } }, text: english }
      : { text: lines.map((l, i) => (i === caption ? english : l)).join('\n') };
    s.conn.sendNotification(P.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 }, contentChanges: [change],
    });
    await s.until(() => {
      const ds = s.diagnostics.get(uri);
      return ds && !onCaption(ds) && ds !== undefined ? ds : undefined;
    }, 'caption diagnostic cleared after the edit');
    // the second caption (line 59) is still flagged
    const second = positionOf(SEED_A, 'Генсек ОДКБ', 0, 2).line;
    assert.ok(s.diagnostics.get(uri).some((x) => x.range.start.line === second && x.code === 'untranslated-caption'),
      `second caption (line ${second + 1}) still flagged`);
  } finally {
    await s.stop();
  }
});
