// Text that a given tokenizer splits into exactly N tokens (its special tokens included),
// so the benchmarks time the app's real path (text → tokens → graph) at chosen lengths.

const WORDS = 'the cat sat on a mat while the dog ran to the big red house in the park and we saw it there'.split(' ');
/** Short fillers tried when the next word would overshoot (one token in most vocabularies). */
const FILLERS = ['a', 'I', 'the', 'to', 'and', 'x', '.', ','];

/**
 * Appends words to `prefix` until `count(text) === n`. Throws if the tokenizer cannot hit n
 * exactly (it always can for GPT-2, BERT and T5 vocabularies, which hold single letters).
 */
export function textWithTokens(count: (text: string) => number, n: number, prefix = ''): string {
  let text = prefix;
  let have = text ? count(text) : 0;
  for (let i = 0; have < n; i++) {
    let advanced = false;
    for (const w of [WORDS[i % WORDS.length], ...FILLERS]) {
      const next = text ? `${text} ${w}` : w;
      const c = count(next);
      if (c > have && c <= n) {
        text = next;
        have = c;
        advanced = true;
        break;
      }
    }
    if (!advanced) throw new Error(`cannot make a text of exactly ${n} tokens (stuck at ${have})`);
  }
  if (have !== n) throw new Error(`text has ${have} tokens, wanted ${n}`);
  return text;
}
