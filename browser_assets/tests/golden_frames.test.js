// The wire format's golden frames (tests/transport/wire/golden/), which the
// runtime's C++ tests decode and encode too: the page decodes every one,
// and encodes again byte for byte the ones it sends (results, bundles, its
// text messages).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeBinary, decodeBundle, encodeBinary, encodeBundle, isBundle } from '../protocol.js';

const dir = new URL('../../tests/transport/wire/golden/', import.meta.url);

function bytes(name) {
  const b = readFileSync(new URL(name, dir));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

function text(name) {
  return readFileSync(new URL(name, dir), 'utf8');
}

function same(a, b) {
  assert.deepEqual(new Uint8Array(a), new Uint8Array(b));
}

test('the golden infer frame decodes to its tensors and raw input', () => {
  const { header, tensors, raws } = decodeBinary(bytes('infer.bin'));
  assert.equal(header.type, 'infer');
  assert.equal(header.id, 7);
  assert.equal(header.key, 'tiny_bert/fp32@wasm');
  assert.deepEqual(Array.from(tensors[0].data), [0.5, -1.25, 3]);
  assert.deepEqual(tensors[0].shape, [1, 3]);
  assert.equal(tensors[1].data[0], 16000n);
  assert.equal(raws[0].media_type, 'text/plain');
  assert.equal(new TextDecoder().decode(raws[0].data), 'hello world');
});

test('the golden result frame encodes again byte for byte', () => {
  const frame = bytes('result.bin');
  const { header, tensors } = decodeBinary(frame);
  assert.equal(header.id, 9);
  assert.deepEqual(tensors.map((t) => t.item), [0, 1]);
  same(encodeBinary(header, tensors), frame);
});

test('the golden bundle splits and packs again byte for byte', () => {
  const bundle = bytes('bundle.bin');
  assert.ok(isBundle(bundle));
  const frames = decodeBundle(bundle);
  assert.deepEqual(frames.map((f) => f.binary), [true, false]);
  same(encodeBundle(frames.map((f) => f.data)), bundle);
});

test('every golden text frame parses and prints again unchanged', () => {
  for (const name of ['loaded.json', 'error.json', 'ping.json', 'unload.json', 'fault.json']) {
    const t = text(name);
    assert.equal(JSON.stringify(JSON.parse(t)), t, name);
  }
  assert.equal(JSON.parse(text('error.json')).error.message, 'no such op');
});
