// OpenAI's tiktoken encoding cl100k_base (GPT-4, GPT-3.5) as a Hugging Face tokenizer.json,
// built from the ranks that the npm package js-tiktoken ships, so that the app's tokenizer
// pipeline (exact spans, chips, merge traces) shows it like the others. Written to
// static/models/tiktoken-cl100k/ at dev and build time (git-ignored); tests compare its ids
// with js-tiktoken's own encoder.
//
// tiktoken is byte-level BPE: the text is split by a regex, each piece's bytes are merged
// pairwise, always the adjacent pair whose merged bytes have the lowest rank, and a piece
// that is a token as a whole is taken as it is. In tokenizer.json terms: a Split
// pre-tokenizer with tiktoken's regex, ByteLevel without its own regex, a BPE model whose
// merges are every split of every token into two tokens, ordered by the merged token's rank,
// and `ignore_merges` (whole pieces first).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { bytesToByteLevel } from '../src/lib/tokenize/bytes.ts';

export const TIKTOKEN_ID = 'tiktoken-cl100k';

interface Ranks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** token bytes (as GPT-2 byte-level strings) → rank, from js-tiktoken's compact format. */
function vocabulary(ranks: Ranks): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((b64, i) => vocab.set(bytesToByteLevel(Buffer.from(b64, 'base64')), Number(offset) + i));
  }
  return vocab;
}

export function tiktokenTokenizerJson(ranks: Ranks = cl100k as Ranks): Record<string, unknown> {
  const vocab = vocabulary(ranks);
  const merges: { left: string; right: string; rank: number; l: number; r: number }[] = [];
  for (const [token, rank] of vocab) {
    const chars = Array.from(token);
    for (let i = 1; i < chars.length; i++) {
      const left = chars.slice(0, i).join('');
      const right = chars.slice(i).join('');
      const l = vocab.get(left);
      const r = vocab.get(right);
      if (l !== undefined && r !== undefined) merges.push({ left, right, rank, l, r });
    }
  }
  merges.sort((a, b) => a.rank - b.rank || a.l - b.l || a.r - b.r);
  const added = Object.entries(ranks.special_tokens).map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: ranks.pat_str }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: Object.fromEntries(vocab),
      merges: merges.map((m) => [m.left, m.right]),
    },
  };
}

const README = `# tiktoken-cl100k — tokenizer only (generated)

OpenAI's tiktoken encoding \`cl100k_base\` (GPT-4, GPT-3.5-turbo; 100,256 tokens), written at
build time as a Hugging Face tokenizer.json from the ranks shipped by the npm package
\`js-tiktoken\` (tools/tiktoken-tokenizer.ts), so the tokenization view shows it offline.

Licence: MIT (tiktoken, Copyright (c) 2022 OpenAI; js-tiktoken, MIT).
`;

/** Writes static/models/tiktoken-cl100k/ (tokenizer.json, README.md) under `modelsDir`. */
export function writeTiktokenTokenizer(modelsDir: string): void {
  const dir = join(modelsDir, TIKTOKEN_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tiktokenTokenizerJson()));
  writeFileSync(join(dir, 'README.md'), README);
}
