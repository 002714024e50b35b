// CLIP's scores: scale * cosine similarity of every image embedding with
// every text embedding. Embeddings arrive L2-normalized. Pure function.

/** logits [images, texts] from image [images, d] and text [texts, d] rows. */
export function similarityLogits(image, images, text, texts, width, scale) {
  const out = new Float32Array(images * texts);
  for (let i = 0; i < images; i += 1) {
    for (let j = 0; j < texts; j += 1) {
      let dot = 0;
      for (let k = 0; k < width; k += 1) dot += image[i * width + k] * text[j * width + k];
      out[i * texts + j] = scale * dot;
    }
  }
  return out;
}
