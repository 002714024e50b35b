// Starts onnxruntime-web's WebAssembly runtime as soon as the page is up,
// before any model is asked for: fetching and compiling the runtime and
// starting its threads is most of a first load (about 2 of 2.5 s for tiny
// BERT here), and a browser that takes over from a crashed one should spend
// only the model's own load. The runtime starts with its first session, so
// this creates one on a one-node model (Identity), encoded here as ONNX
// protobuf bytes, and runs it once.

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A varint field (wire type 0). */
const int = (number, value) => [...varint(number * 8), ...varint(value)];

/** A length-delimited field (wire type 2): bytes, a string or a message. */
function message(number, payload) {
  const bytes = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : payload;
  return [...varint(number * 8 + 2), ...varint(bytes.length), ...bytes];
}

/** ValueInfoProto: a float tensor of shape [1]. */
function floatScalar(name) {
  const shape = message(2, message(1, int(1, 1))); // shape { dim { dim_value: 1 } }
  const tensorType = message(1, [...int(1, 1), ...shape]); // elem_type FLOAT
  return [...message(1, name), ...message(2, tensorType)];
}

/** ModelProto of y = Identity(x), IR version 8, opset 13. */
export function identityModel() {
  const node = [...message(1, 'x'), ...message(2, 'y'), ...message(4, 'Identity')];
  const graph = [...message(1, node), ...message(2, 'warmup'),
    ...message(11, floatScalar('x')), ...message(12, floatScalar('y'))];
  return new Uint8Array([...int(1, 8), ...message(7, graph), ...message(8, int(2, 13))]);
}

/** Creates, runs and releases a session on the Identity model. */
export async function warmUpRuntime(ort) {
  const session = await ort.InferenceSession.create(identityModel(), { executionProviders: ['wasm'] });
  try {
    const x = new ort.Tensor('float32', new Float32Array([1]), [1]);
    const { y } = await session.run({ x });
    if (y.data[0] !== 1) throw new Error(`the warm-up model answered ${y.data[0]}, not 1`);
  } finally {
    await session.release();
  }
}
