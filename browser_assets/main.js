// Entry point of the worker page: opens the bridge with the one-time token
// from the URL, says hello with the probed capabilities, then serves load,
// infer and ping (and, in tests, fault).
import { probeCapabilities } from './capability_probe.js';
import { FaultHooks } from './fault_hooks.js';
import { ModelRunner } from './model_runner.js';
import {
  decodeBinary, decodeBundle, encodeBinary, encodeBundle, errorMessage, isBundle,
} from './protocol.js';

const status = (text) => { document.getElementById('status').textContent = `webaccel worker: ${text}`; };
const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
const runner = new ModelRunner();
const faults = new FaultHooks(params.get('faults') === '1');
// wss:// when the page came over https (a remote page needs that for WebGPU).
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const ws = new WebSocket(`${scheme}://${location.host}/bridge?token=${encodeURIComponent(token)}`);
ws.binaryType = 'arraybuffer';

async function onControl(msg) {
  switch (msg.type) {
    case 'ping':
      // performance.memory exists in Chromium only; 0 means "cannot tell".
      ws.send(JSON.stringify({
        type: 'pong', id: msg.id, heap_bytes: performance.memory?.usedJSHeapSize ?? 0,
      }));
      break;
    case 'unload':
      await runner.unload(msg.key);
      status(`unloaded ${msg.key}`);
      break;
    case 'fault':
      if (!faults.command(msg, ws)) {
        ws.send(errorMessage(0, new Error(`fault '${msg.fault}' refused: faults are off or unknown`)));
      }
      break;
    case 'load':
      try {
        ws.send(JSON.stringify(await runner.load(msg)));
        status(`loaded ${msg.key}`);
      } catch (err) {
        ws.send(errorMessage(msg.id, err));
      }
      break;
    default:
      ws.send(errorMessage(msg.id || 0, new Error(`unknown message type '${msg.type}'`)));
  }
}

/**
 * Runs one inference frame; resolves to its reply ({header, outputs}) or an
 * error message (a string), never rejects.
 */
async function runInfer(buffer) {
  let id = 0;
  try {
    const { header, tensors, raws } = decodeBinary(buffer);
    id = header.id;
    await faults.beforeInfer(header.key);
    const runOnce = () => (header.items
      ? runner.inferBatch(header.key, header.items, tensors, raws)
      : runner.infer(header.key, tensors, raws));
    // "repeat" (benchmarks): the same request in the page's own loop.
    let { outputs, computeMs } = await runOnce();
    for (let i = 1; i < (header.repeat || 1); i += 1) {
      const next = await runOnce();
      outputs = next.outputs;
      computeMs += next.computeMs;
    }
    const reply = { type: 'result', id, compute_ms: computeMs };
    if (header.items) reply.items = header.items;
    return { header: reply, outputs };
  } catch (err) {
    return errorMessage(id, err);
  }
}

const encodeReply = (reply, pageMs) => (typeof reply === 'string'
  ? reply : encodeBinary({ ...reply.header, page_ms: pageMs }, reply.outputs));

async function onInfer(buffer) {
  const received = performance.now();
  const reply = await runInfer(buffer);
  ws.send(encodeReply(reply, performance.now() - received));
}

// Replies to a bundle go back bundled too, up to this size per message (a
// larger reply goes alone, as it would unbundled).
const maxReplyBundleBytes = 1 << 20;

/** Runs the requests of a bundle (in order per model) and answers them. */
async function onBundle(buffer) {
  const received = performance.now();
  let frames;
  try {
    frames = decodeBundle(buffer);
  } catch (err) {
    ws.send(errorMessage(0, err));
    return;
  }
  const replies = await Promise.all(frames.map((f) => (f.binary
    ? runInfer(f.data) : errorMessage(0, new Error('a bundle from the runtime holds only inference frames')))));
  const pageMs = performance.now() - received;
  let batch = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length === 1) ws.send(batch[0]);
    else if (batch.length > 1) ws.send(encodeBundle(batch));
    batch = [];
    bytes = 0;
  };
  for (const reply of replies) {
    const frame = encodeReply(reply, pageMs);
    const size = typeof frame === 'string' ? frame.length * 3 : frame.byteLength;
    if (bytes + size > maxReplyBundleBytes) flush();
    batch.push(frame);
    bytes += size;
  }
  flush();
}

ws.onopen = async () => {
  status('probing');
  ws.send(JSON.stringify({ type: 'hello', capabilities: await probeCapabilities() }));
  status('ready');
  // The WebAssembly runtime, which every platform list can fall back to,
  // starts now: a load then costs only the model's own session.
  runner.startRuntime('wasm').catch((err) => console.warn(`webaccel: runtime warm-up failed: ${err}`));
};
ws.onmessage = (event) => {
  if (typeof event.data === 'string') {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch (err) {
      ws.send(errorMessage(0, err));
      return;
    }
    onControl(msg);
  } else if (isBundle(event.data)) {
    onBundle(event.data);
  } else {
    onInfer(event.data);
  }
};
ws.onclose = (event) => status(`bridge closed (${event.code})`);
