// Frames and bundles of frames, as the runtime's wire format has them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBinary, decodeBundle, encodeBinary, encodeBundle, isBundle } from '../protocol.js';

test('a bundle carries binary and text frames in order', () => {
  const result = encodeBinary({ type: 'result', id: 7 }, [{ name: 'y', dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2) }]);
  const error = JSON.stringify({ type: 'error', id: 8, error: { name: 'Error', message: 'boom' } });
  const bundle = encodeBundle([result, error]);
  assert.ok(isBundle(bundle));
  assert.ok(!isBundle(result));
  const frames = decodeBundle(bundle);
  assert.equal(frames.length, 2);
  assert.ok(frames[0].binary);
  const { header, tensors } = decodeBinary(frames[0].data);
  assert.equal(header.id, 7);
  assert.deepEqual(Array.from(tensors[0].data), [1.5, -2]);
  assert.equal(frames[1].binary, false);
  assert.equal(JSON.parse(frames[1].data).id, 8);
});

test('a bundle whose lengths run past its end is refused', () => {
  const bundle = new Uint8Array(encodeBundle(['{"type":"x"}']));
  assert.throws(() => decodeBundle(bundle.slice(0, bundle.length - 1).buffer), /runs past/);
  const longer = new Uint8Array(bundle.length + 1);
  longer.set(bundle);
  assert.throws(() => decodeBundle(longer.buffer), /follow/);
});
