// BERT's tokenizer: basic tokenization (clean up, lower-case, strip accents,
// split punctuation and CJK characters), then greedy longest-match-first
// WordPiece over a vocab.txt (one piece per line; its line number is its id;
// continuations start with "##"). Pure functions: the page and the Node
// tests both use them.

const MAX_WORD_CHARS = 100;

/** Parses a vocab.txt into a Map piece -> id. */
export function parseVocab(text) {
  const vocab = new Map();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((piece, id) => vocab.set(piece.replace(/\r$/, ''), id));
  for (const special of ['[CLS]', '[SEP]', '[UNK]', '[PAD]']) {
    if (!vocab.has(special)) throw new Error(`vocabulary lacks ${special}`);
  }
  return vocab;
}

function isPunctuation(ch) {
  const c = ch.codePointAt(0);
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return /\p{P}/u.test(ch);
}

function isCjk(c) {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df)
    || (c >= 0x2a700 && c <= 0x2ceaf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);
}

/** Splits text into words and punctuation as BERT's BasicTokenizer does. */
export function basicTokens(text, lowercase = true) {
  let cleaned = '';
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c === 0 || c === 0xfffd || (/\p{Cc}|\p{Cf}/u.test(ch) && !/\s/u.test(ch))) continue;
    cleaned += isCjk(c) ? ` ${ch} ` : (/\s/u.test(ch) ? ' ' : ch);
  }
  if (lowercase) cleaned = cleaned.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  const out = [];
  for (const word of cleaned.split(' ')) {
    let current = '';
    for (const ch of word) {
      if (isPunctuation(ch)) {
        if (current) out.push(current);
        out.push(ch);
        current = '';
      } else {
        current += ch;
      }
    }
    if (current) out.push(current);
  }
  return out;
}

/** WordPiece ids of one word. */
export function wordPieces(word, vocab) {
  const chars = Array.from(word);
  if (chars.length > MAX_WORD_CHARS) return [vocab.get('[UNK]')];
  const ids = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found;
    while (start < end) {
      const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
      found = vocab.get(piece);
      if (found !== undefined) break;
      end -= 1;
    }
    if (found === undefined) return [vocab.get('[UNK]')];
    ids.push(found);
    start = end;
  }
  return ids;
}

/**
 * Token ids of `text` as BERT expects them: [CLS] pieces [SEP], cut to
 * maxLength. Returns {inputIds, attentionMask, tokenTypeIds} as arrays.
 */
export function encode(text, vocab, { maxLength = 128, lowercase = true } = {}) {
  const ids = [vocab.get('[CLS]')];
  for (const word of basicTokens(text, lowercase)) ids.push(...wordPieces(word, vocab));
  const inputIds = ids.slice(0, maxLength - 1);
  inputIds.push(vocab.get('[SEP]'));
  return {
    inputIds,
    attentionMask: inputIds.map(() => 1),
    tokenTypeIds: inputIds.map(() => 0),
  };
}
