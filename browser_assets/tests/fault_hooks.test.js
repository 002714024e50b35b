// The test-only fault hooks of the worker page.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FaultHooks } from '../fault_hooks.js';

const fakeSocket = () => ({ closed: null, close(code, reason) { this.closed = { code, reason }; } });

test('faults are refused unless the page was launched with them on', async () => {
  const hooks = new FaultHooks(false);
  assert.equal(hooks.command({ type: 'fault', fault: 'oom', count: 1 }, fakeSocket()), false);
  await hooks.beforeInfer(); // No fault: returns.
});

test('oom and unsupported throw the errors a real failure throws, count times', async () => {
  const hooks = new FaultHooks(true);
  assert.equal(hooks.command({ fault: 'oom', count: 2 }, fakeSocket()), true);
  assert.equal(hooks.command({ fault: 'unsupported' }, fakeSocket()), true);
  await assert.rejects(hooks.beforeInfer(), { name: 'RangeError', message: 'Array buffer allocation failed' });
  await assert.rejects(hooks.beforeInfer(), RangeError);
  await assert.rejects(hooks.beforeInfer(), /is not a registered function\/op/);
  await hooks.beforeInfer();
});

test('hang never settles; close closes the bridge; unknown faults are refused', async () => {
  const hooks = new FaultHooks(true);
  hooks.command({ fault: 'hang' }, fakeSocket());
  const settled = await Promise.race([
    hooks.beforeInfer().then(() => 'settled'),
    new Promise((resolve) => { setTimeout(() => resolve('pending'), 50); }),
  ]);
  assert.equal(settled, 'pending');
  const ws = fakeSocket();
  assert.equal(hooks.command({ fault: 'close' }, ws), true);
  assert.equal(ws.closed.code, 4000);
  assert.equal(hooks.command({ fault: 'explode' }, ws), false);
});

const pending = async (promise) => Promise.race([
  promise.then(() => 'settled', () => 'rejected'),
  new Promise((resolve) => { setTimeout(() => resolve('pending'), 50); }),
]);

test('counted faults skip the canary; a wedged page hangs every inference, the canary too', async () => {
  const hooks = new FaultHooks(true);
  hooks.command({ fault: 'oom' }, fakeSocket());
  await hooks.beforeInfer('webaccel_canary/fp32@wasm'); // Not the canary's fault.
  await assert.rejects(hooks.beforeInfer('tiny_bert/fp32@wasm'), RangeError);
  assert.equal(hooks.command({ fault: 'wedge' }, fakeSocket()), true);
  assert.equal(await pending(hooks.beforeInfer('webaccel_canary/fp32@wasm')), 'pending');
  assert.equal(await pending(hooks.beforeInfer('tiny_bert/fp32@wasm')), 'pending');
  assert.equal(await pending(hooks.beforeInfer('tiny_bert/fp32@wasm')), 'pending');
});
