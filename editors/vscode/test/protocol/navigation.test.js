'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { P, Session, SEED_A, uriOf, positionOf, textAt } = require('./lsp');
const { definitionOfNazarbayev } = require('./definition');


test('definition of "Nazarbayev" in the second seed is the defining mention in the first (not open)', () =>
  definitionOfNazarbayev(true));


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
