'use strict';
const { test } = require('node:test');
const { definitionOfNazarbayev } = require('./definition');

// An editor may ask right after opening a file, while the corpus is still
// being indexed: the answer must still be the corpus-wide defining mention.
test('definition of "Nazarbayev" asked before indexing has finished', () => definitionOfNazarbayev(false));
