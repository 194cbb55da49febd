// The GPT-2 family (gpt2, distilgpt2): decoder-only, learned absolute positions.

import type { FamilySpec } from '../types';
import { parseGpt2Config, type Gpt2Config } from './config';

export const gpt2 = {
  id: 'gpt2',
  label: 'GPT-2',
  note: 'Decoder-only (GPT-2 family): each token attends only to itself and the tokens before it (a causal mask).',
  compareNote: 'decoder-only: causal, each token sees only earlier tokens',
  modelTypes: ['gpt2'],
  kinds: ['self'],
  causalKinds: ['self'],
  positionEncoding: 'learned-absolute',
  scaled: true,
  task: 'continue',
  inputLabel: 'Text',
  reference: 'tests/reference/gpt2.ts',
  parseConfig: parseGpt2Config,
  shape: (c) => ({ layers: c.layers, heads: c.heads, headDim: c.dModel / c.heads, dModel: c.dModel, vocabSize: c.vocabSize, maxPositions: c.maxPositions, ffn: { dim: c.dInner, matrices: 2 } }),
  runtime: async () => (await import('./run')).gpt2Runtime,
} satisfies FamilySpec<'gpt2', Gpt2Config>;
