'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Session } = require('./lsp');

test('initialize advertises the features and negotiates UTF-16 with a UTF-16-only client', async () => {
  const s = new Session();
  try {
    const init = await s.start({ encodings: ['utf-16'] });
    const caps = init.capabilities;
    assert.equal(init.serverInfo?.name, 'dossier');
    assert.equal(caps.positionEncoding ?? 'utf-16', 'utf-16');
    assert.ok(caps.textDocumentSync, 'textDocumentSync');
    assert.ok(caps.hoverProvider, 'hoverProvider');
    assert.ok(caps.definitionProvider, 'definitionProvider');
    assert.ok(caps.referencesProvider, 'referencesProvider');
  } finally {
    assert.equal(await s.stop(), 0, 'exit code after shutdown/exit');
  }
});

test('UTF-8 is chosen when the client offers it', async () => {
  const s = new Session();
  try {
    const init = await s.start({ encodings: ['utf-8', 'utf-16'] });
    assert.equal(init.capabilities.positionEncoding, 'utf-8');
  } finally {
    await s.stop();
  }
});

test('indexing reports work-done progress ending with the document count', async () => {
  const s = new Session();
  try {
    await s.start();
    const end = await s.until(() => s.progress.find((p) => p.value?.kind === 'end'), 'progress end');
    assert.ok(s.progress.some((p) => p.token === end.token && p.value.kind === 'begin'), 'a begin before the end');
    assert.match(end.value.message ?? '', /Indexed 2 documents/);
  } finally {
    await s.stop();
  }
});
