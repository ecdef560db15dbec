'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { P, Session, SEED_A, SEED_B, uriOf, positionOf, textAt } = require('./lsp');

test('definition of "Nazarbayev" in the second seed is the defining mention in the first (not open)', async () => {
  const s = new Session();
  try {
    await s.start();
    s.open(SEED_B);
    const position = positionOf(SEED_B, 'Nazarbayev', 2);
    const r = await s.request(P.DefinitionRequest.type, { textDocument: { uri: uriOf(SEED_B) }, position });
    const loc = Array.isArray(r) ? r[0] : r;
    assert.ok(loc, 'a location');
    const target = loc.targetUri ?? loc.uri;
    const range = loc.targetSelectionRange ?? loc.range;
    assert.equal(target, uriOf(SEED_A));
    const def = positionOf(SEED_A, 'Nursultan Nazarbayev');
    assert.equal(range.start.line, def.line);
    assert.match(textAt(SEED_A, range), /^(Nursultan Nazarbayev|Nazarbayev)$/);
  } finally {
    await s.stop();
  }
});

test('references of "Tasmagambetov" cover every mention in the corpus', async () => {
  const s = new Session();
  try {
    await s.start();
    s.open(SEED_A);
    const position = positionOf(SEED_A, 'capital, Tasmagambetov said', 'capital, '.length + 3);
    const locs = await s.request(P.ReferencesRequest.type,
      { textDocument: { uri: uriOf(SEED_A) }, position, context: { includeDeclaration: true } });
    assert.ok(Array.isArray(locs));
    // 21 Latin mentions in the seeds (+ Cyrillic ones in the two captions)
    assert.ok(locs.length >= 21, `at least 21 references, got ${locs.length}`);
    for (const l of locs) {
      assert.equal(l.uri, uriOf(SEED_A));
      assert.match(textAt(SEED_A, l.range), /^(Imangali |Имангали )?(Tasmagambetov|Тасмагамбетов)('s|’s)?$/);
    }
    const lines = new Set(locs.map((l) => l.range.start.line));
    assert.ok(lines.has(positionOf(SEED_A, 'capital, Tasmagambetov said').line), 'includes the hovered mention');
  } finally {
    await s.stop();
  }
});
