'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { P, Session, SEED_A, uriOf, positionOf } = require('./lsp');

function markdown(h) {
  assert.ok(h, 'a hover');
  assert.equal(h.contents.kind, 'markdown');
  return h.contents.value;
}

test('hover cards', async (t) => {
  const s = new Session();
  try {
    await s.start();
    s.open(SEED_A);
    const textDocument = { uri: uriOf(SEED_A) };

    await t.test('surname-only mention shows the full name and kind on the first line', async () => {
      const position = positionOf(SEED_A, 'capital, Tasmagambetov said', 'capital, '.length + 3);
      const md = markdown(await s.request(P.HoverRequest.type, { textDocument, position }));
      const first = md.split('\n').find((l) => l.trim() !== '');
      assert.match(first, /Imangali Tasmagambetov/);
      assert.match(first, /\bperson\b/);
    });

    await t.test('a Cyrillic name shows its transliteration', async () => {
      const position = positionOf(SEED_A, 'Тасмагамбетов (слева)', 3);
      const md = markdown(await s.request(P.HoverRequest.type, { textDocument, position }));
      assert.match(md, /Tasmagambetov/);
    });

    await t.test('a plain English word has no hover', async () => {
      const position = positionOf(SEED_A, 'A week later', 3);
      assert.equal(await s.request(P.HoverRequest.type, { textDocument, position }), null);
    });
  } finally {
    await s.stop();
  }
});
