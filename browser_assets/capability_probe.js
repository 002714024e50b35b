// Probes what this browser can really accelerate: WebGPU (adapter and its
// info, whether it is a software fallback), WebNN (createContext per device
// type, with the exact error), WebAssembly (SIMD, threads). Nothing here is
// assumed from the user agent.

// Minimal modules that use a SIMD and an atomics instruction (from
// wasm-feature-detect); validate() is true only if the engine supports them.
const SIMD_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3,
  2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const THREADS_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2,
  1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11]);

/// Why an API the browser has is hidden here: WebGPU and WebNN exist only in
/// secure contexts (https://, or http:// on loopback).
export function missingApiReason(api, context = globalThis) {
  if (context.isSecureContext === false) {
    const origin = context.location ? context.location.origin : 'this origin';
    return `${api} is undefined: the page is not a secure context (${origin}; serve it over https)`;
  }
  return `${api} is undefined`;
}

function describe(err) {
  return err && err.name ? `${err.name}: ${err.message}` : String(err);
}

async function probeWebGpu() {
  if (!('gpu' in navigator)) return { available: false, reason: missingApiReason('navigator.gpu') };
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { available: false, reason: 'navigator.gpu.requestAdapter() returned null' };
    const info = adapter.info || {};
    const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
    // An adapter is not enough: make sure a device can be created.
    const device = await adapter.requestDevice();
    device.destroy();
    return {
      available: true,
      reason: '',
      adapter: {
        vendor: info.vendor || '',
        architecture: info.architecture || '',
        device: info.device || '',
        description: info.description || '',
        fallback,
      },
    };
  } catch (err) {
    return { available: false, reason: describe(err) };
  }
}

async function probeWebNn() {
  if (!('ml' in navigator)) return { available: false, reason: missingApiReason('navigator.ml') };
  const failures = [];
  for (const deviceType of ['cpu', 'gpu', 'npu']) {
    try {
      await navigator.ml.createContext({ deviceType });
      return { available: true, reason: '', device_type: deviceType };
    } catch (err) {
      failures.push(`${deviceType}: ${describe(err)}`);
    }
  }
  return { available: false, reason: `createContext failed: ${failures.join('; ')}` };
}

function probeWasm() {
  if (typeof WebAssembly !== 'object') {
    return { available: false, reason: 'WebAssembly is undefined', simd: false, threads: false };
  }
  const simd = WebAssembly.validate(SIMD_MODULE);
  const threads = typeof SharedArrayBuffer !== 'undefined' && self.crossOriginIsolated === true
    && WebAssembly.validate(THREADS_MODULE);
  return { available: true, reason: '', simd, threads };
}

/**
 * The user agent with the full browser version: Chromium reduces its user
 * agent to "Chrome/156.0.0.0"; its client hints still tell the real one.
 */
async function fullUserAgent() {
  const ua = navigator.userAgent;
  if (!navigator.userAgentData) return ua;
  try {
    const { fullVersionList } = await navigator.userAgentData.getHighEntropyValues(['fullVersionList']);
    const brand = (fullVersionList || []).find((b) => /Chrom|Edge/.test(b.brand));
    return brand ? ua.replace(/Chrome\/[\d.]+/, `Chrome/${brand.version}`) : ua;
  } catch (err) {
    return ua;
  }
}

/** Everything the hello message reports. */
export async function probeCapabilities() {
  const [webgpu, webnn, userAgent] = await Promise.all([probeWebGpu(), probeWebNn(), fullUserAgent()]);
  return {
    user_agent: userAgent,
    cross_origin_isolated: self.crossOriginIsolated === true,
    hardware_concurrency: navigator.hardwareConcurrency || 0,
    webgpu,
    webnn,
    wasm: probeWasm(),
  };
}
