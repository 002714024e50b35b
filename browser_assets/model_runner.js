// Loads models into onnxruntime-web sessions and runs them. A model is one
// or more parts (a multimodal model's towers), each an ONNX file, plus the
// files its processing steps need; every file is fetched by its sha256 and
// checked before use. The WASM-only build is used for "wasm" (smaller,
// faster to start); the full build, with the WebGPU and WebNN execution
// providers, for the others.
import { Pipeline } from './pipelines/pipeline.js';
import { warmUpRuntime } from './runtime_warmup.js';

const ORT_BUILDS = {
  wasm: '/ort/ort.wasm.min.mjs',
  webgpu: '/ort/ort.all.min.mjs',
  webnn: '/ort/ort.all.min.mjs',
};

// Platforms whose sessions share one onnxruntime-web module that runs one
// session at a time: its WebGPU/WebNN (JSEP) runs are asynchronous, and a
// second session's run started while one is under way fails with "Session
// already started" or "Session mismatch". Their runs take turns page-wide;
// WASM sessions only take turns per session.
const SHARED_LANE = new Set(['webgpu', 'webnn']);

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function namedError(name, message) {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** Fetches a file ref ({url, sha256, size_bytes}) and checks size and hash. */
async function fetchVerified({ url, sha256, size_bytes: sizeBytes }) {
  const response = await fetch(url);
  if (!response.ok) throw namedError('ModelFetchError', `GET ${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  if (sizeBytes && bytes.byteLength !== sizeBytes) {
    throw namedError('ModelHashMismatch', `${url} has ${bytes.byteLength} bytes, expected ${sizeBytes}`);
  }
  const digest = hex(await crypto.subtle.digest('SHA-256', bytes));
  if (digest !== sha256) throw namedError('ModelHashMismatch', `sha256 of ${url} is ${digest}, expected ${sha256}`);
  return new Uint8Array(bytes);
}

/** Zero tensors shaped by a session's input metadata (symbolic dimensions = 1). */
function zeroFeeds(ort, session) {
  const feeds = {};
  const metadata = session.inputMetadata || [];
  for (const m of metadata) {
    if (!m.isTensor) continue;
    const shape = (m.shape || []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = shape.reduce((a, b) => a * b, 1);
    const data = m.type === 'int64' ? new BigInt64Array(n) : m.type === 'int32' ? new Int32Array(n) : new Float32Array(n);
    feeds[m.name] = new ort.Tensor(m.type === 'int64' || m.type === 'int32' ? m.type : 'float32', data, shape);
  }
  return metadata.length === session.inputNames.length ? feeds : null;
}

export class ModelRunner {
  constructor() {
    this.models = new Map(); // key -> {parts, pipeline, lane}
    this.ortBuilds = new Map(); // url -> module promise
    this.sharedLanes = new Map(); // url -> {tail}, see SHARED_LANE
  }

  /** Where runs of a session on `platform` queue (see SHARED_LANE). */
  laneFor(platform) {
    if (!SHARED_LANE.has(platform)) return { tail: Promise.resolve() };
    const url = ORT_BUILDS[platform];
    if (!this.sharedLanes.has(url)) this.sharedLanes.set(url, { tail: Promise.resolve() });
    return this.sharedLanes.get(url);
  }

  /** Runs `work` once the runs queued before it in `lane` are done. */
  static queue(lane, work) {
    const run = lane.tail.then(work);
    lane.tail = run.catch(() => {});
    return run;
  }

  ort(platform) {
    const url = ORT_BUILDS[platform];
    if (!url) throw namedError('UnsupportedPlatform', `unknown platform '${platform}'`);
    if (!this.ortBuilds.has(url)) this.ortBuilds.set(url, import(url));
    return this.ortBuilds.get(url);
  }

  /** Starts the runtime behind `platform` before the first load needs it. */
  async startRuntime(platform) {
    const ort = await this.ort(platform);
    ort.env.wasm.wasmPaths = '/ort/';
    await warmUpRuntime(ort);
  }

  /** Fetches, verifies and loads a model; resolves to the 'loaded' message. */
  async load(msg) {
    const { id, key, platform } = msg;
    const started = performance.now();
    const ignored = [];
    const ort = await this.ort(platform);
    ort.env.wasm.wasmPaths = '/ort/';
    const partNames = Object.keys(msg.parts);
    const parallel = msg.parallel_loading && partNames.length > 1;
    if (msg.parallel_loading && partNames.length === 1) ignored.push('parallel_loading: the model has one part');
    const loadPart = async (name) => {
      const bytes = await fetchVerified(msg.parts[name]);
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [platform],
        graphOptimizationLevel: 'all',
      });
      return { name, session, ort };
    };
    const parts = [];
    if (parallel) {
      parts.push(...await Promise.all(partNames.map(loadPart)));
    } else {
      for (const name of partNames) parts.push(await loadPart(name));
    }
    const files = new Map();
    const steps = [...msg.preprocessing, msg.postprocessing];
    for (const step of steps) {
      for (const value of Object.values(step)) {
        if (value && typeof value === 'object' && value.sha256) files.set(value.url, await fetchVerified(value));
      }
    }
    const pipeline = new Pipeline(msg.preprocessing, msg.postprocessing, files);
    const old = this.models.get(key);
    const entry = { parts, pipeline, lane: this.laneFor(platform) };
    const loadMs = performance.now() - started;
    let warmupMs = 0;
    if (msg.warmup && platform === 'wasm') {
      ignored.push('precompile_shaders: wasm runs no shaders');
    } else if (msg.warmup) {
      const warmStarted = performance.now();
      await ModelRunner.queue(entry.lane, () => this.warmUp(entry));
      warmupMs = performance.now() - warmStarted;
    }
    this.models.set(key, entry);
    if (old) await this.release(old);
    return {
      type: 'loaded',
      id,
      key,
      platform,
      execution_provider: platform,
      inputs: parts.flatMap((p) => p.session.inputNames),
      outputs: parts.flatMap((p) => p.session.outputNames),
      load_ms: loadMs,
      warmup_ms: warmupMs,
      ignored_options: ignored,
    };
  }

  /** One inference on small inputs, so the first real one finds shaders compiled. */
  async warmUp(entry) {
    const raws = await entry.pipeline.warmupInputs();
    if (raws.length) {
      await entry.pipeline.run(entry.parts, [], raws);
      return;
    }
    for (const { ort, session } of entry.parts) {
      const feeds = zeroFeeds(ort, session);
      if (feeds) await session.run(feeds);
    }
  }

  /**
   * Runs the model `key` on tensors and raw inputs; resolves to {outputs,
   * computeMs}. Runs on one model are serialized: onnxruntime-web does not
   * allow concurrent run() calls on a session (nor, on WebGPU and WebNN, on
   * two sessions: see SHARED_LANE).
   */
  infer(key, tensors, raws = []) {
    const entry = this.models.get(key);
    if (!entry) return Promise.reject(namedError('UnknownModel', `no model loaded under key '${key}'`));
    return ModelRunner.queue(entry.lane, () => entry.pipeline.run(entry.parts, tensors, raws));
  }

  /**
   * Runs `items` requests as one batch (inputs and raw inputs carry their
   * request's index as `item`); resolves to {outputs (each with its item),
   * computeMs}.
   */
  inferBatch(key, items, tensors, raws) {
    const entry = this.models.get(key);
    if (!entry) return Promise.reject(namedError('UnknownModel', `no model loaded under key '${key}'`));
    return ModelRunner.queue(entry.lane, () => entry.pipeline.runBatch(entry.parts, items, tensors, raws));
  }

  async release(entry) {
    await entry.lane.tail;
    for (const part of entry.parts) await part.session.release();
  }

  /** Releases the model `key` once the runs queued on it are done. */
  async unload(key) {
    const entry = this.models.get(key);
    if (!entry) return;
    this.models.delete(key);
    await this.release(entry);
  }
}
