// BERT tokenization against ids of the real bert-base-uncased vocabulary.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { basicTokens, encode, parseVocab, wordPieces } from '../pipelines/wordpiece.js';

const vocab = parseVocab(readFileSync(new URL('../models/bert-base-uncased-vocab.txt', import.meta.url), 'utf8'));

test('known words get their standard ids, framed by [CLS] and [SEP]', () => {
  const { inputIds, attentionMask, tokenTypeIds } = encode('Hello world', vocab);
  assert.deepEqual(inputIds, [101, 7592, 2088, 102]);
  assert.deepEqual(attentionMask, [1, 1, 1, 1]);
  assert.deepEqual(tokenTypeIds, [0, 0, 0, 0]);
});

test('basic tokenization lower-cases, strips accents, splits punctuation and CJK', () => {
  assert.deepEqual(basicTokens('Héllo, WORLD!'), ['hello', ',', 'world', '!']);
  assert.deepEqual(basicTokens('a\tb\nc'), ['a', 'b', 'c']);
  assert.deepEqual(basicTokens('日本'), ['日', '本']);
  assert.deepEqual(basicTokens('Keep Case', false), ['Keep', 'Case']);
});

test('unknown words split into the longest known pieces, or [UNK]', () => {
  // "accelerators" is not one piece: accelerator + ##s.
  const pieces = wordPieces('accelerators', vocab);
  assert.ok(pieces.length >= 2);
  const back = [...vocab.entries()].filter(([, id]) => pieces.includes(id)).map(([p]) => p);
  assert.ok(back.some((p) => p.startsWith('##')));
  assert.deepEqual(wordPieces('x'.repeat(101), vocab), [vocab.get('[UNK]')]);
  assert.deepEqual(wordPieces('\u2603\u2603', vocab), [vocab.get('[UNK]')]);
});

test('long texts are cut to max_length, keeping [SEP] last', () => {
  const { inputIds } = encode('word '.repeat(500), vocab, { maxLength: 16 });
  assert.equal(inputIds.length, 16);
  assert.equal(inputIds[0], 101);
  assert.equal(inputIds[15], 102);
});

test('a vocabulary without the special pieces is refused', () => {
  assert.throws(() => parseVocab('a\nb\n'), /lacks \[CLS\]/);
});
