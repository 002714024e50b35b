// Image preprocessing: the size a model wants, and RGBA pixels to a
// normalized float32 NCHW tensor. Decoding and resizing use the browser's
// own image decoders and canvas (decodeAndResize); the rest is pure.

/** Target [width, height] for a source image under the step's options. */
export function targetSize(srcWidth, srcHeight, options) {
  const resize = options.resize || 'stretch';
  if (resize === 'stretch') return [options.width, options.height];
  if (resize === 'fit_height') {
    const width = Math.ceil((options.height * srcWidth) / srcHeight);
    return [Math.max(1, Math.min(options.max_width || width, width)), options.height];
  }
  if (resize === 'multiple_of_32') {
    const scale = Math.min(1, (options.max_side || 960) / Math.max(srcWidth, srcHeight));
    const round = (x) => Math.max(32, Math.round((x * scale) / 32) * 32);
    return [round(srcWidth), round(srcHeight)];
  }
  throw new Error(`unknown resize '${resize}'`);
}

function perChannel(value, fallback) {
  if (value === undefined) return [fallback, fallback, fallback];
  return Array.isArray(value) ? value : [value, value, value];
}

/**
 * RGBA bytes (width*height*4) to float32 [3*height*width], channel-major,
 * each value (v/255 - mean[c]) / std[c]; channel_order "bgr" puts blue first.
 */
export function normalize(rgba, width, height, options) {
  const mean = perChannel(options.mean, 0);
  const std = perChannel(options.std, 1);
  const order = options.channel_order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c += 1) {
    const src = order[c];
    const m = mean[c];
    const s = std[c];
    for (let i = 0; i < plane; i += 1) out[c * plane + i] = (rgba[i * 4 + src] / 255 - m) / s;
  }
  return out;
}

/** Decodes an encoded image and resizes it; resolves to {rgba, width, height, source}. */
export async function decodeAndResize(bytes, mediaType, options) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: mediaType || 'application/octet-stream' }));
  } catch (err) {
    const e = new Error(`cannot decode the image (${mediaType || 'unknown type'}, ${bytes.byteLength} bytes): ${err.message}`);
    e.name = 'InvalidInput';
    throw e;
  }
  const [width, height] = targetSize(bitmap.width, bitmap.height, options);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  const source = [bitmap.width, bitmap.height];
  bitmap.close();
  return { rgba: ctx.getImageData(0, 0, width, height).data, width, height, source };
}

/** The step: an encoded image to the model's float32 [1, 3, H, W] tensor. */
export async function imageTensor(raw, options) {
  const { rgba, width, height } = await decodeAndResize(raw.data, raw.media_type, options);
  return {
    name: options.input || 'pixel_values',
    dtype: 'float32',
    shape: [1, 3, height, width],
    data: normalize(rgba, width, height, options),
  };
}
