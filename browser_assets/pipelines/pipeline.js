// A loaded model's way from inputs to outputs in the page: raw inputs
// (text, image, audio) through their preprocessing steps into feeds, the
// feeds through each part's session, then the postprocessing step.

import { splitOutput, stackFeeds } from './batch.js';
import { parseKeys, decodeCtc } from './ctc.js';
import { imageTensor } from './image.js';
import { similarityLogits } from './similarity.js';
import { decodeWav, encodeWav, frameWindows, resample } from './wav.js';
import { encode, parseVocab } from './wordpiece.js';

const RAW_INPUT_OF = { wordpiece: 'text', image: 'image', audio_frames: 'audio' };

function invalid(message) {
  const err = new Error(message);
  err.name = 'InvalidInput';
  return err;
}

function int64Tensor(name, values) {
  return { name, dtype: 'int64', shape: [1, values.length], data: BigInt64Array.from(values, BigInt) };
}

const asText = (bytes) => new TextDecoder().decode(bytes);

export class Pipeline {
  /**
   * steps: the load message's preprocessing steps; post: its postprocessing
   * step; files: a Map file ref url -> bytes (Uint8Array) already verified.
   */
  constructor(steps, post, files) {
    this.steps = new Map();
    for (const step of steps) {
      const prepared = { ...step };
      if (step.kind === 'wordpiece') prepared.vocabMap = parseVocab(asText(files.get(step.vocab.url)));
      this.steps.set(RAW_INPUT_OF[step.kind], prepared);
    }
    this.post = { ...post };
    if (post.kind === 'ctc') this.post.table = parseKeys(asText(files.get(post.keys.url)));
  }

  /** Raw input names this model takes. */
  rawInputs() {
    return [...this.steps.keys()];
  }

  /** Tensors ({name, dtype, shape, data}) of the request's raw inputs, and the audio if any. */
  async preprocess(raws) {
    const tensors = [];
    let audio = null;
    const seen = new Set();
    for (const raw of raws) {
      if (seen.has(raw.name)) throw invalid(`two raw '${raw.name}' inputs in one request`);
      seen.add(raw.name);
      const step = this.steps.get(raw.name);
      if (!step) {
        const takes = this.rawInputs();
        throw invalid(`this model takes no raw '${raw.name}' input (it takes ${takes.length ? takes.join(', ') : 'tensors only'})`);
      }
      if (step.kind === 'wordpiece') {
        const ids = encode(asText(raw.data), step.vocabMap, { maxLength: step.max_length, lowercase: step.lowercase });
        tensors.push(int64Tensor('input_ids', ids.inputIds), int64Tensor('attention_mask', ids.attentionMask),
          int64Tensor('token_type_ids', ids.tokenTypeIds));
      } else if (step.kind === 'image') {
        tensors.push(await imageTensor(raw, step));
      } else if (step.kind === 'audio_frames') {
        const wav = decodeWav(raw.data);
        audio = { step, samples: resample(wav.samples, wav.sampleRate, step.sample_rate || 16000) };
      }
    }
    return { tensors, audio };
  }

  /**
   * Runs the parts ({name, session, ort}) on tensors and raw inputs;
   * resolves to {outputs: [{name, dtype, shape, data}], computeMs}.
   */
  async run(parts, tensors, raws) {
    const pre = await this.preprocess(raws);
    const feeds = new Map();
    for (const t of [...tensors, ...pre.tensors]) feeds.set(t.name, t);
    let result;
    if (pre.audio) result = await this.runFrames(parts[0], pre.audio, feeds);
    else result = await this.runParts(parts, feeds);
    this.postprocess(result.outputs);
    return result;
  }

  /**
   * Runs `items` requests at once: one session run over their stacked
   * feeds where they can share a batch, else one run each. Outputs carry
   * their request's index as `item`.
   */
  async runBatch(parts, items, tensors, raws) {
    const perItem = [];
    let frames = false;
    for (let i = 0; i < items; i += 1) {
      const pre = await this.preprocess(raws.filter((r) => r.item === i));
      frames = frames || pre.audio !== null;
      const feeds = new Map();
      for (const t of [...tensors.filter((x) => x.item === i), ...pre.tensors]) feeds.set(t.name, t);
      perItem.push(feeds);
    }
    const stacked = frames ? null : stackFeeds(perItem);
    if (!stacked) {
      const outputs = [];
      let computeMs = 0;
      for (let i = 0; i < items; i += 1) {
        const one = await this.run(parts, tensors.filter((x) => x.item === i), raws.filter((r) => r.item === i));
        computeMs += one.computeMs;
        outputs.push(...one.outputs.map((o) => ({ ...o, item: i })));
      }
      return { outputs, computeMs };
    }
    const batch = await this.runParts(parts, stacked.feeds);
    const outputs = [];
    for (let i = 0; i < items; i += 1) {
      const own = batch.outputs.map((o) => splitOutput(o, i, stacked.lengths[i], stacked.padded));
      this.postprocess(own);
      outputs.push(...own.map((o) => ({ ...o, item: i })));
    }
    return { outputs, computeMs: batch.computeMs };
  }

  async runParts(parts, feeds) {
    const outputs = [];
    let computeMs = 0;
    let ran = 0;
    for (const part of parts) {
      const names = part.session.inputNames;
      const present = names.filter((n) => feeds.has(n));
      if (present.length === 0 && parts.length > 1) continue; // e.g. CLIP's image tower for text alone
      const missing = names.filter((n) => !feeds.has(n));
      if (missing.length) throw invalid(`missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${parts.length > 1 ? ` of part '${part.name}'` : ''}`);
      const ortFeeds = {};
      for (const n of names) {
        const t = feeds.get(n);
        ortFeeds[n] = new part.ort.Tensor(t.dtype, t.data, t.shape);
      }
      const started = performance.now();
      const results = await part.session.run(ortFeeds);
      computeMs += performance.now() - started;
      for (const name of part.session.outputNames) {
        const r = results[name];
        outputs.push({ name, dtype: r.type, shape: r.dims, data: r.data });
      }
      ran += 1;
    }
    if (ran === 0) throw invalid('no part of the model got its inputs');
    return { outputs, computeMs };
  }

  /** Runs a recurrent frame model (Silero VAD) over the whole clip, state carried. */
  async runFrames(part, { step, samples }, feeds) {
    const rate = step.sample_rate || 16000;
    const frame = step.frame_samples || 512;
    const windows = frameWindows(samples, frame, step.context_samples || 0);
    if (windows.length === 0) throw invalid(`the audio is shorter than one frame (${frame} samples at ${rate} Hz)`);
    const { ort, session } = part;
    const stateShape = step.state_shape || [2, 1, 128];
    let state = new ort.Tensor('float32', new Float32Array(stateShape.reduce((a, b) => a * b, 1)), stateShape);
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(rate)]), []);
    const probabilities = new Float32Array(windows.length);
    let computeMs = 0;
    for (let i = 0; i < windows.length; i += 1) {
      const ortFeeds = { [step.input]: new ort.Tensor('float32', windows[i], [1, windows[i].length]), [step.state_input]: state };
      if (step.rate_input) ortFeeds[step.rate_input] = sr;
      for (const [name, t] of feeds) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
      const started = performance.now();
      const results = await session.run(ortFeeds);
      computeMs += performance.now() - started;
      probabilities[i] = results[step.output].data[0];
      state = results[step.state_output];
    }
    return {
      outputs: [{ name: step.output, dtype: 'float32', shape: [windows.length], data: probabilities },
        { name: step.state_output, dtype: 'float32', shape: state.dims, data: state.data }],
      computeMs,
    };
  }

  /** Adds the postprocessing step's outputs. */
  postprocess(outputs) {
    const post = this.post;
    const byName = (n) => outputs.find((o) => o.name === n);
    if (post.kind === 'ctc') {
      const probs = byName(post.input) || outputs[0];
      const [, time, classes] = probs.shape;
      const { text, confidence } = decodeCtc(probs.data, time, classes, post.table);
      const utf8 = new TextEncoder().encode(text);
      outputs.push({ name: 'text', dtype: 'uint8', shape: [utf8.length], data: utf8 },
        { name: 'confidence', dtype: 'float32', shape: [1], data: Float32Array.of(confidence) });
    } else if (post.kind === 'similarity') {
      const image = byName('image_embeds');
      const text = byName('text_embeds');
      if (!image || !text) return;
      const width = image.shape[1];
      const data = similarityLogits(image.data, image.shape[0], text.data, text.shape[0], width, post.scale ?? 100);
      outputs.push({ name: 'logits_per_image', dtype: 'float32', shape: [image.shape[0], text.shape[0]], data });
    }
  }

  /** A small input of each raw kind this model takes, for the warm-up run. */
  async warmupInputs() {
    const raws = [];
    for (const [name, step] of this.steps) {
      if (step.kind === 'wordpiece') {
        raws.push({ name, media_type: 'text/plain', data: new TextEncoder().encode('warm up') });
      } else if (step.kind === 'image') {
        const canvas = new OffscreenCanvas(step.width || 64, step.height || 64);
        canvas.getContext('2d').fillRect(0, 0, 8, 8);
        const blob = await canvas.convertToBlob({ type: 'image/png' });
        raws.push({ name, media_type: 'image/png', data: new Uint8Array(await blob.arrayBuffer()) });
      } else if (step.kind === 'audio_frames') {
        const rate = step.sample_rate || 16000;
        raws.push({ name, media_type: 'audio/wav', data: encodeWav(new Float32Array(step.frame_samples || 512), rate) });
      }
    }
    return raws;
  }
}
