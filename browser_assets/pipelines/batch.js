// Dynamic batching in the page: the feeds of several requests stacked along
// the batch dimension (sequences padded with zeros to the longest, as BERT's
// attention mask expects), and the outputs split back, each trimmed to its
// request's sequence length. Pure functions.

const size = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Stacks per-request feeds (Maps name -> {dtype, shape, data}, batch 1
 * each) into one batch. Returns {feeds: Map, lengths, padded}, or null when
 * the requests cannot share a batch (different inputs, dtypes or shapes).
 */
export function stackFeeds(perItem) {
  const names = [...perItem[0].keys()].sort();
  for (const feeds of perItem) {
    const own = [...feeds.keys()].sort();
    if (own.length !== names.length || own.some((n, i) => n !== names[i])) return null;
  }
  const lengths = perItem.map(() => 0);
  let padded = 0;
  const out = new Map();
  for (const name of names) {
    const first = perItem[0].get(name);
    const rank = first.shape.length;
    if (rank === 0) return null;
    const all = perItem.map((f) => f.get(name));
    if (all.some((t) => t.dtype !== first.dtype || t.shape.length !== rank || t.shape[0] !== 1)) return null;
    // Only the second dimension of a [1, sequence] input may differ: padded.
    const padding = rank === 2 && all.some((t) => t.shape[1] !== first.shape[1]);
    if (!padding && all.some((t) => t.shape.some((d, k) => d !== first.shape[k]))) return null;
    if (padding && first.dtype !== 'int64') return null;
    const width = padding ? Math.max(...all.map((t) => t.shape[1])) : first.shape[1];
    const shape = [all.length, ...(rank > 1 ? [width, ...first.shape.slice(2)] : [])];
    const per = size(shape.slice(1));
    const data = new first.data.constructor(all.length * per);
    all.forEach((t, i) => {
      data.set(t.data, i * per);
      if (rank === 2) {
        lengths[i] = Math.max(lengths[i], t.shape[1]);
        padded = Math.max(padded, width);
      }
    });
    out.set(name, { name, dtype: first.dtype, shape, data });
  }
  return { feeds: out, lengths, padded };
}

/**
 * The part of a batched output {name, dtype, shape, data} that belongs to
 * request `item`; a [batch, padded, ...] output is cut to `length`.
 */
export function splitOutput(output, item, length, padded) {
  const [, ...rest] = output.shape;
  const per = size(rest);
  let shape = [1, ...rest];
  let data = output.data.slice(item * per, (item + 1) * per);
  if (rest.length >= 2 && rest[0] === padded && length < padded) {
    const row = size(rest.slice(1));
    data = data.slice(0, length * row);
    shape = [1, length, ...rest.slice(1)];
  }
  return { name: output.name, dtype: output.dtype, shape, data, item };
}
