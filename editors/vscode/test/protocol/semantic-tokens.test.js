'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { P, Session, SEED_A, uriOf, positionOf } = require('./lsp');

test('semantic tokens classify people, organisations and places', async () => {
  const s = new Session();
  try {
    const init = await s.start();
    const prov = init.capabilities.semanticTokensProvider;
    assert.ok(prov, 'semanticTokensProvider');
    const legend = prov.legend.tokenTypes;
    for (const t of ['person', 'organization', 'place', 'other']) assert.ok(legend.includes(t), `legend has ${t}`);
    s.open(SEED_A);
    const r = await s.request(P.SemanticTokensRequest.type, { textDocument: { uri: uriOf(SEED_A) } });
    const tokens = new Map();
    let line = 0; let ch = 0;
    for (let i = 0; i < r.data.length; i += 5) {
      line += r.data[i];
      ch = r.data[i] === 0 ? ch + r.data[i + 1] : r.data[i + 1];
      tokens.set(`${line}:${ch}`, { length: r.data[i + 2], type: legend[r.data[i + 3]] });
    }
    const at = (needle, offset = 0) => { const p = positionOf(SEED_A, needle, offset); return tokens.get(`${p.line}:${p.character}`); };
    assert.equal(at('capital, Tasmagambetov said', 'capital, '.length)?.type, 'person');
    assert.equal(at('Kazakh political scientist Dimash Alzhanov', 'Kazakh political scientist '.length)?.type, 'person');
    assert.equal(at('In the leadership of Kazakhstan', 'In the leadership of '.length)?.type, 'place');
    assert.equal(at('Secretary General of the CSTO also', 'Secretary General of the '.length)?.type, 'organization');
  } finally {
    await s.stop();
  }
});
