// The page's side of the bridge protocol (mirror of transport/wire/wire_format).
// Text frames are JSON control messages; binary frames are a 4-byte
// little-endian header length, a JSON header describing each tensor, then
// the raw little-endian tensor bytes.

const TYPED_ARRAYS = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  float16: Uint16Array,
};

/** Splits a binary frame into its header object and tensors. */
export function decodeBinary(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 4) throw new Error('binary frame too short');
  const headLen = view.getUint32(0, true);
  if (headLen > buffer.byteLength - 4) throw new Error('header runs past the frame');
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, headLen)));
  const payload = 4 + headLen;
  const tensors = (header.tensors || []).map((t) => {
    const Ctor = TYPED_ARRAYS[t.dtype];
    if (!Ctor) throw new Error(`unknown dtype '${t.dtype}' of tensor '${t.name}'`);
    // slice() copies into a fresh, aligned buffer.
    const bytes = buffer.slice(payload + t.offset, payload + t.offset + t.length);
    return { name: t.name, dtype: t.dtype, shape: t.shape, data: new Ctor(bytes), item: t.item };
  });
  // Raw inputs (text, an encoded image, a WAV file) for the model's preprocessing.
  const raws = (header.raw || []).map((r) => ({
    name: r.name,
    media_type: r.media_type,
    data: new Uint8Array(buffer.slice(payload + r.offset, payload + r.offset + r.length)),
    item: r.item,
  }));
  return { header, tensors, raws };
}

/** Packs a header object and tensors ({name, dtype, shape, data}) into a frame. */
export function encodeBinary(header, tensors) {
  let offset = 0;
  const specs = tensors.map((t) => {
    const length = t.data.byteLength;
    // Keys in the order the runtime writes them (sorted), so that a frame
    // encodes to the same bytes on both sides (the golden frames test).
    const spec = { dtype: t.dtype };
    if (t.item !== undefined) spec.item = t.item; // which request of a batch
    Object.assign(spec, { length, name: t.name, offset, shape: t.shape });
    offset += length;
    return spec;
  });
  const head = new TextEncoder().encode(JSON.stringify({ ...header, tensors: specs }));
  const out = new Uint8Array(4 + head.byteLength + offset);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  let at = 4 + head.byteLength;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out.buffer;
}

/** A JSON error message for request `id` from a caught exception. */
export function errorMessage(id, err) {
  const name = (err && err.name) || 'Error';
  const message = (err && err.message) || String(err);
  return JSON.stringify({ type: 'error', id, error: { name, message } });
}

// Bundles: several frames in one message (mirror of transport/wire/wire_bundle).
// A u32 0 where a plain binary frame has its header length, a u32 count,
// then per frame a u8 kind (0 binary, 1 text), a u32 length and the bytes.

/** Whether a binary message is a bundle of frames. */
export function isBundle(buffer) {
  return buffer.byteLength >= 8 && new DataView(buffer).getUint32(0, true) === 0;
}

/** Splits a bundle into [{binary: true, data: ArrayBuffer} | {binary: false, data: string}]. */
export function decodeBundle(buffer) {
  const view = new DataView(buffer);
  const count = view.getUint32(4, true);
  const frames = [];
  let at = 8;
  for (let i = 0; i < count; i += 1) {
    if (buffer.byteLength - at < 5) throw new Error(`bundle frame ${i} runs past the message end`);
    const kind = view.getUint8(at);
    const length = view.getUint32(at + 1, true);
    at += 5;
    if (kind > 1) throw new Error(`bundle frame ${i} has unknown kind ${kind}`);
    if (length > buffer.byteLength - at) throw new Error(`bundle frame ${i} runs past the message end`);
    const bytes = buffer.slice(at, at + length);
    frames.push(kind === 0 ? { binary: true, data: bytes } : { binary: false, data: new TextDecoder().decode(bytes) });
    at += length;
  }
  if (at !== buffer.byteLength) throw new Error(`${buffer.byteLength - at} bytes follow the bundle's last frame`);
  return frames;
}

/** Packs frames (ArrayBuffer for binary, string for text) into one bundle. */
export function encodeBundle(frames) {
  const parts = frames.map((f) => (typeof f === 'string'
    ? { kind: 1, bytes: new TextEncoder().encode(f) }
    : { kind: 0, bytes: new Uint8Array(f) }));
  const total = parts.reduce((n, p) => n + 5 + p.bytes.byteLength, 8);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0, true);
  view.setUint32(4, parts.length, true);
  let at = 8;
  for (const p of parts) {
    view.setUint8(at, p.kind);
    view.setUint32(at + 1, p.bytes.byteLength, true);
    out.set(p.bytes, at + 5);
    at += 5 + p.bytes.byteLength;
  }
  return out.buffer;
}
