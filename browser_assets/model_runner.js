// Loads models into onnxruntime-web sessions and runs them. The WASM-only
// build is used for "wasm" (smaller, faster to start); the full build, with
// the WebGPU and WebNN execution providers, for the others.

const ORT_BUILDS = {
  wasm: '/ort/ort.wasm.min.mjs',
  webgpu: '/ort/ort.all.min.mjs',
  webnn: '/ort/ort.all.min.mjs',
};

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function namedError(name, message) {
  const err = new Error(message);
  err.name = name;
  return err;
}

export class ModelRunner {
  constructor() {
    this.sessions = new Map(); // key -> {ort, session, tail}
    this.ortBuilds = new Map(); // url -> module promise
  }

  ort(platform) {
    const url = ORT_BUILDS[platform];
    if (!url) throw namedError('UnsupportedPlatform', `unknown platform '${platform}'`);
    if (!this.ortBuilds.has(url)) this.ortBuilds.set(url, import(url));
    return this.ortBuilds.get(url);
  }

  /** Fetches, verifies and loads a model; resolves to the 'loaded' message. */
  async load({ id, key, url, sha256, size_bytes: sizeBytes, platform }) {
    const started = performance.now();
    const response = await fetch(url);
    if (!response.ok) throw namedError('ModelFetchError', `GET ${url}: HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    if (sizeBytes && bytes.byteLength !== sizeBytes) {
      throw namedError('ModelHashMismatch', `${url} has ${bytes.byteLength} bytes, expected ${sizeBytes}`);
    }
    const digest = hex(await crypto.subtle.digest('SHA-256', bytes));
    if (digest !== sha256) {
      throw namedError('ModelHashMismatch', `sha256 of ${url} is ${digest}, expected ${sha256}`);
    }
    const ort = await this.ort(platform);
    ort.env.wasm.wasmPaths = '/ort/';
    const session = await ort.InferenceSession.create(new Uint8Array(bytes), {
      executionProviders: [platform],
      graphOptimizationLevel: 'all',
    });
    const old = this.sessions.get(key);
    if (old) await old.session.release();
    this.sessions.set(key, { ort, session, tail: Promise.resolve() });
    return {
      type: 'loaded',
      id,
      key,
      platform,
      execution_provider: platform,
      inputs: session.inputNames,
      outputs: session.outputNames,
      load_ms: performance.now() - started,
    };
  }

  /**
   * Runs the session `key` on tensors; resolves to {outputs, computeMs}.
   * Runs on one session are serialized: onnxruntime-web does not allow
   * concurrent run() calls on a session.
   */
  infer(key, tensors) {
    const entry = this.sessions.get(key);
    if (!entry) return Promise.reject(namedError('UnknownModel', `no model loaded under key '${key}'`));
    const run = entry.tail.then(async () => {
      const feeds = {};
      for (const t of tensors) feeds[t.name] = new entry.ort.Tensor(t.dtype, t.data, t.shape);
      const started = performance.now();
      const results = await entry.session.run(feeds);
      const computeMs = performance.now() - started;
      const outputs = entry.session.outputNames.map((name) => {
        const r = results[name];
        return { name, dtype: r.type, shape: r.dims, data: r.data };
      });
      return { outputs, computeMs };
    });
    entry.tail = run.catch(() => {});
    return run;
  }

  /** Releases the session `key` once the runs queued on it are done. */
  async unload(key) {
    const entry = this.sessions.get(key);
    if (!entry) return;
    this.sessions.delete(key);
    await entry.tail;
    await entry.session.release();
  }
}
