// The warm-up model is a valid ONNX model: onnxruntime-web (its WebAssembly
// backend runs under Node too) loads and runs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as ort from 'onnxruntime-web';

import { identityModel, warmUpRuntime } from '../runtime_warmup.js';

test('the Identity model loads and answers its input', async () => {
  ort.env.wasm.numThreads = 1;
  const bytes = identityModel();
  assert.ok(bytes.length < 100);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  assert.deepEqual(session.inputNames, ['x']);
  assert.deepEqual(session.outputNames, ['y']);
  const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array([3.5]), [1]) });
  assert.deepEqual(Array.from(y.data), [3.5]);
  await session.release();
  await warmUpRuntime(ort);
});
