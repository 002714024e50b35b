// WAV decoding and resampling, pure functions: RIFF/WAVE with PCM (8, 16,
// 24, 32-bit integers) or IEEE float (32, 64-bit) samples, mixed to mono.

function invalid(message) {
  const err = new Error(message);
  err.name = 'InvalidInput';
  return err;
}

/** Decodes a WAV file (ArrayBuffer or Uint8Array) to {sampleRate, samples: Float32Array}. */
export function decodeWav(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw invalid('not a RIFF/WAVE file');
  let format;
  let data;
  for (let at = 12; at + 8 <= bytes.byteLength;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.byteLength && id !== 'data') throw invalid(`WAV chunk '${id}' runs past the end`);
    if (id === 'fmt ') {
      if (size < 16) throw invalid('WAV fmt chunk is too short');
      let code = view.getUint16(body, true);
      if (code === 0xfffe && size >= 40) code = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
      format = {
        code, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      data = { offset: body, size: Math.min(size, bytes.byteLength - body) };
    }
    at = body + size + (size % 2);
  }
  if (!format) throw invalid('WAV file has no fmt chunk');
  if (!data) throw invalid('WAV file has no data chunk');
  const { code, channels, sampleRate, bits } = format;
  if (channels < 1 || sampleRate < 1) throw invalid(`WAV file has ${channels} channels at ${sampleRate} Hz`);
  const width = bits / 8;
  const read = {
    '1:8': (at) => (view.getUint8(at) - 128) / 128,
    '1:16': (at) => view.getInt16(at, true) / 32768,
    '1:24': (at) => ((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) / 2147483648,
    '1:32': (at) => view.getInt32(at, true) / 2147483648,
    '3:32': (at) => view.getFloat32(at, true),
    '3:64': (at) => view.getFloat64(at, true),
  }[`${code}:${bits}`];
  if (!read) throw invalid(`unsupported WAV sample format ${code} with ${bits} bits`);
  const frames = Math.floor(data.size / (width * channels));
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += read(data.offset + (i * channels + c) * width);
    samples[i] = sum / channels;
  }
  return { sampleRate, samples };
}

/** Linear-interpolation resampling to `rate` (as the runtime's C++ side does). */
export function resample(samples, fromRate, rate) {
  if (fromRate === rate || samples.length === 0) return samples;
  const n = Math.floor((samples.length * rate) / fromRate);
  const out = new Float32Array(n);
  const step = fromRate / rate;
  const last = samples.length - 1;
  for (let i = 0; i < n; i += 1) {
    const x = i * step;
    const j = Math.floor(x);
    const a = samples[Math.min(j, last)];
    const b = samples[Math.min(j + 1, last)];
    out[i] = a + (b - a) * (x - j);
  }
  return out;
}

/**
 * Windows of `context + frame` samples, one per whole frame: each starts
 * with the previous frame's last `context` samples (zeros before the first).
 */
export function frameWindows(samples, frame, context) {
  const count = Math.floor(samples.length / frame);
  const windows = [];
  for (let i = 0; i < count; i += 1) {
    const w = new Float32Array(context + frame);
    const start = i * frame;
    if (i > 0) w.set(samples.subarray(start - context, start), 0);
    w.set(samples.subarray(start, start + frame), context);
    windows.push(w);
  }
  return windows;
}

/** Encodes mono float samples as a 16-bit PCM WAV file (Uint8Array). */
export function encodeWav(samples, sampleRate) {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const put = (at, text) => { for (let i = 0; i < 4; i += 1) out[at + i] = text.charCodeAt(i); };
  put(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 32767, true));
  return out;
}
