// Greedy CTC decoding (PaddleOCR's recogniser): per time step the most
// probable class; repeats merged, blanks (class 0) dropped. Classes 1..n
// are the lines of the keys file, class n+1 a space. Pure functions.

/** Parses a keys file (one character per line) into the class table. */
export function parseKeys(text) {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ' '];
}

/**
 * Decodes probabilities [time, classes] (row-major Float32Array) to
 * {text, confidence}: the mean probability of the characters kept.
 */
export function decodeCtc(probs, time, classes, table) {
  if (table.length !== classes) {
    throw new Error(`the keys give ${table.length} classes, the model ${classes}`);
  }
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < time; t += 1) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < classes; c += 1) {
      const p = probs[t * classes + c];
      if (p > bestP) { bestP = p; best = c; }
    }
    if (best !== 0 && best !== previous) {
      text += table[best];
      sum += bestP;
      kept += 1;
    }
    previous = best;
  }
  return { text, confidence: kept ? sum / kept : 0 };
}
