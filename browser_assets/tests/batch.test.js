// Stacking requests into a batch and splitting the outputs back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitOutput, stackFeeds } from '../pipelines/batch.js';

const ids = (values) => ({ dtype: 'int64', shape: [1, values.length], data: BigInt64Array.from(values, BigInt) });

test('sequences of different lengths are padded with zeros and split back', () => {
  const a = new Map([['input_ids', ids([101, 7592, 102])], ['attention_mask', ids([1, 1, 1])]]);
  const b = new Map([['input_ids', ids([101, 102])], ['attention_mask', ids([1, 1])]]);
  const { feeds, lengths, padded } = stackFeeds([a, b]);
  assert.deepEqual(feeds.get('input_ids').shape, [2, 3]);
  assert.deepEqual(Array.from(feeds.get('input_ids').data, Number), [101, 7592, 102, 101, 102, 0]);
  assert.deepEqual(Array.from(feeds.get('attention_mask').data, Number), [1, 1, 1, 1, 1, 0]);
  assert.deepEqual(lengths, [3, 2]);
  assert.equal(padded, 3);
  // A [2, 3, 2] hidden state: item 1 keeps its 2 real positions.
  const hidden = { name: 'h', dtype: 'float32', shape: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) };
  const one = splitOutput(hidden, 1, 2, 3);
  assert.deepEqual(one.shape, [1, 2, 2]);
  assert.deepEqual(Array.from(one.data), [6, 7, 8, 9]);
  const pooled = { name: 'e', dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) };
  assert.deepEqual(Array.from(splitOutput(pooled, 1, 2, 3).data), [3, 4]);
});

test('requests that cannot share a batch are refused', () => {
  const img = (h) => new Map([['x', { dtype: 'float32', shape: [1, 3, h, 4], data: new Float32Array(12 * h) }]]);
  assert.equal(stackFeeds([img(2), img(3)]), null);
  assert.notEqual(stackFeeds([img(2), img(2)]), null);
  assert.equal(stackFeeds([new Map([['a', ids([1])]]), new Map([['b', ids([1])]])]), null);
  const floats = (n) => new Map([['f', { dtype: 'float32', shape: [1, n], data: new Float32Array(n) }]]);
  assert.equal(stackFeeds([floats(2), floats(3)]), null);
});
