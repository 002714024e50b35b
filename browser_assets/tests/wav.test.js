// WAV decoding, resampling and framing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWav, encodeWav, frameWindows, resample } from '../pipelines/wav.js';

test('a 16-bit WAV round-trips within one quantization step', () => {
  const samples = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 5) * 0.8);
  const { sampleRate, samples: back } = decodeWav(encodeWav(samples, 22050));
  assert.equal(sampleRate, 22050);
  assert.equal(back.length, 100);
  back.forEach((v, i) => assert.ok(Math.abs(v - samples[i]) < 1 / 16384));
});

test('stereo is mixed to mono and 8-bit PCM is centred', () => {
  const wav = encodeWav(new Float32Array(4), 8000);
  // Rewrite as 2 channels of 8-bit: 4 bytes of data = 2 frames.
  const view = new DataView(wav.buffer);
  view.setUint16(22, 2, true);
  view.setUint16(34, 8, true);
  view.setUint32(40, 4, true);
  wav.set([255, 255, 128, 0], 44);
  const { samples } = decodeWav(wav.subarray(0, 48));
  assert.deepEqual(Array.from(samples), [127 / 128, -0.5]);
});

test('bad files are named as such', () => {
  assert.throws(() => decodeWav(new Uint8Array(8)), { name: 'InvalidInput', message: /not a RIFF\/WAVE/ });
  const wav = encodeWav(new Float32Array(2), 8000);
  new DataView(wav.buffer).setUint16(20, 2, true); // ADPCM
  assert.throws(() => decodeWav(wav), /unsupported WAV sample format 2/);
  assert.throws(() => decodeWav(wav.subarray(0, 36)), /no data chunk/);
});

test('resampling keeps the duration; frames carry the previous frame as context', () => {
  assert.equal(resample(new Float32Array(22050), 22050, 16000).length, 16000);
  const samples = Float32Array.from({ length: 10 }, (_, i) => i + 1);
  const windows = frameWindows(samples, 4, 2);
  assert.equal(windows.length, 2);
  assert.deepEqual(Array.from(windows[0]), [0, 0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(windows[1]), [3, 4, 5, 6, 7, 8]);
});
