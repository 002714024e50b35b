// Reference outputs outside the browser: onnxruntime-node (CPU) runs a
// model's parts on the same inputs the page got, for the tests to compare
// against. Text is tokenized with the page's own WordPiece module (its ids
// are checked against known ones by the JS unit tests).
//
// Usage: node reference.mjs REQUEST.json OUTPUT.json
//   {"parts": ["a.onnx", ...], "text": "...", "vocab": "vocab.txt", "max_length": 128,
//    "tensors": [{"name", "dtype": "float32", "shape": [...], "data": [...]}]}
// Writes {"<output>": {"shape": [...], "data": [...]}, ...}.
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { encode, parseVocab } from '../../browser_assets/pipelines/wordpiece.js';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const feeds = {};
for (const t of request.tensors || []) {
  const data = t.dtype === 'int64' ? BigInt64Array.from(t.data, BigInt) : Float32Array.from(t.data);
  feeds[t.name] = new ort.Tensor(t.dtype, data, t.shape);
}
if (request.text !== undefined) {
  const vocab = parseVocab(readFileSync(request.vocab, 'utf8'));
  const ids = encode(request.text, vocab, { maxLength: request.max_length || 128 });
  const int64 = (values) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length]);
  feeds.input_ids = int64(ids.inputIds);
  feeds.attention_mask = int64(ids.attentionMask);
  feeds.token_type_ids = int64(ids.tokenTypeIds);
}
const out = {};
for (const path of request.parts) {
  const session = await ort.InferenceSession.create(path);
  if (!session.inputNames.every((n) => n in feeds)) continue;
  const partFeeds = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]]));
  const results = await session.run(partFeeds);
  for (const [name, t] of Object.entries(results)) out[name] = { shape: t.dims, data: Array.from(t.data, Number) };
}
writeFileSync(process.argv[3], JSON.stringify(out));
