// shared by navigation.test.js and definition-during-indexing.test.js
'use strict';
const assert = require('node:assert/strict');
const { P, Session, SEED_A, SEED_B, uriOf, positionOf, textAt } = require('./lsp');

async function definitionOfNazarbayev(waitForIndex) {
  const s = new Session();
  try {
    await s.start();
    if (waitForIndex) await s.until(() => s.progress.find((p) => p.value?.kind === 'end'), 'indexing finished');
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
}

module.exports = { definitionOfNazarbayev };
