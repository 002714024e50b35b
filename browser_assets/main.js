// Entry point of the worker page: opens the bridge with the one-time token
// from the URL, says hello with the probed capabilities, then serves load,
// infer and ping.
import { probeCapabilities } from './capability_probe.js';
import { ModelRunner } from './model_runner.js';
import { decodeBinary, encodeBinary, errorMessage } from './protocol.js';

const status = (text) => { document.getElementById('status').textContent = `webaccel worker: ${text}`; };
const token = new URLSearchParams(location.search).get('token') || '';
const runner = new ModelRunner();
const ws = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
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

async function onInfer(buffer) {
  const received = performance.now();
  let id = 0;
  try {
    const { header, tensors, raws } = decodeBinary(buffer);
    id = header.id;
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
    const pageMs = performance.now() - received;
    const reply = { type: 'result', id, compute_ms: computeMs, page_ms: pageMs };
    if (header.items) reply.items = header.items;
    ws.send(encodeBinary(reply, outputs));
  } catch (err) {
    ws.send(errorMessage(id, err));
  }
}

ws.onopen = async () => {
  status('probing');
  ws.send(JSON.stringify({ type: 'hello', capabilities: await probeCapabilities() }));
  status('ready');
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
  } else {
    onInfer(event.data);
  }
};
ws.onclose = (event) => status(`bridge closed (${event.code})`);
