// Issue 19, item 4: the tokenizer.json regexes found and probed one by one, each on the text
// it will meet, inside its own watch phase (what the page's watchdog times).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../../src/lib/tokenize/load';
import { normalizerOf, probePatterns, tokenizerPatterns, type WatchPhase } from '../../src/lib/tokenize/patterns';

function hostile() {
  const json = JSON.parse(readFileSync('static/models/tiny-gpt2/tokenizer.json', 'utf8'));
  json.normalizer = { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: 'x+' }, content: 'y' }, { type: 'Lowercase' }] };
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, json.pre_tokenizer] };
  return loadTokenizer('hostile', json, {});
}

describe('tokenizer patterns', () => {
  it('finds the Replace and Split regexes in nested sequences, in the order they run', () => {
    const found = tokenizerPatterns(hostile().lib).map((p) => [p.where, p.source]);
    expect(found).toEqual([
      ['normalizer Replace', 'x+'],
      ['pre_tokenizer Split', '(a+)+$'],
    ]);
    // The shipped tokenizers' own patterns (if any) take no time on ordinary text.
    for (const id of ['tiny-gpt2', 'tiny-bert', 'tiny-t5']) {
      const lib = loadTokenizer(id, JSON.parse(readFileSync(`static/models/${id}/tokenizer.json`, 'utf8')), {}).lib;
      const t0 = performance.now();
      probePatterns(tokenizerPatterns(lib), 'The quick brown fox. '.repeat(5000), { begin: () => {}, end: () => {} }, normalizerOf(lib));
      expect(performance.now() - t0, id).toBeLessThan(500);
    }
  });

  it('probes each inside its own phase, the pre-tokenizer one on the normalized text', () => {
    const tok = hostile();
    const phases: (WatchPhase | null)[] = [];
    const seen: string[] = [];
    // Record which text each pattern is matched against.
    const match = String.prototype.match;
    String.prototype.match = function (this: string, r: RegExp) {
      seen.push(this.toString());
      return match.call(this, r as never);
    } as typeof String.prototype.match;
    try {
      probePatterns(tokenizerPatterns(tok.lib), 'AxxA', { begin: (p) => phases.push(p), end: () => phases.push(null) }, normalizerOf(tok.lib));
    } finally {
      String.prototype.match = match;
    }
    expect(phases.map((p) => p && p.label)).toEqual([
      "the tokenizer's pattern x+ (normalizer Replace)",
      null,
      "the tokenizer's pattern (a+)+$ (pre_tokenizer Split)",
      null,
    ]);
    expect(seen).toEqual(['AxxA', 'aya']);
  });
});
