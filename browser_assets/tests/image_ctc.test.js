// Image sizing and normalization; CTC decoding; CLIP scores.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCtc, parseKeys } from '../pipelines/ctc.js';
import { normalize, targetSize } from '../pipelines/image.js';
import { similarityLogits } from '../pipelines/similarity.js';

test('target sizes follow the resize mode', () => {
  assert.deepEqual(targetSize(320, 48, { resize: 'stretch', width: 192, height: 48 }), [192, 48]);
  assert.deepEqual(targetSize(320, 48, { resize: 'fit_height', height: 48, max_width: 960 }), [320, 48]);
  assert.deepEqual(targetSize(3200, 48, { resize: 'fit_height', height: 48, max_width: 960 }), [960, 48]);
  assert.deepEqual(targetSize(320, 48, { resize: 'multiple_of_32', max_side: 960 }), [320, 64]);
  assert.deepEqual(targetSize(1920, 1080, { resize: 'multiple_of_32', max_side: 960 }), [960, 544]);
  assert.throws(() => targetSize(1, 1, { resize: 'crop' }), /unknown resize/);
});

test('pixels become channel planes, normalized, in the asked channel order', () => {
  const rgba = Uint8Array.from([255, 0, 51, 255]); // one pixel
  const rgb = normalize(rgba, 1, 1, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  assert.deepEqual(Array.from(rgb).map((v) => +v.toFixed(4)), [1, -1, -0.6]);
  const bgr = normalize(rgba, 1, 1, { channel_order: 'bgr' });
  assert.deepEqual(Array.from(bgr).map((v) => +v.toFixed(4)), [0.2, 0, 1]);
});

test('CTC merges repeats, drops blanks, and a blank separates doubled letters', () => {
  const table = parseKeys('a\nb\nl\n');
  assert.deepEqual(table, ['', 'a', 'b', 'l', ' ']);
  // classes: 0 blank, 1 a, 2 b, 3 l, 4 space; steps: a a l 0 l b
  const steps = [1, 1, 3, 0, 3, 2];
  const probs = new Float32Array(steps.length * 5);
  steps.forEach((c, t) => { probs[t * 5 + c] = 0.9; });
  const { text, confidence } = decodeCtc(probs, steps.length, 5, table);
  assert.equal(text, 'allb');
  assert.ok(Math.abs(confidence - 0.9) < 1e-6);
  assert.throws(() => decodeCtc(probs, 6, 6, table), /keys give 5 classes, the model 6/);
});

test('CLIP scores are scaled dot products of every image with every text', () => {
  const logits = similarityLogits(Float32Array.of(1, 0), 1, Float32Array.of(1, 0, 0, 1), 2, 2, 100);
  assert.deepEqual(Array.from(logits), [100, 0]);
});
