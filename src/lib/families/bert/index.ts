// The BERT family (bert, distilbert): encoder-only, bidirectional, learned absolute positions.

import type { FamilySpec } from '../types';
import { parseBertConfig, type BertConfig } from './config';

export const bert = {
  id: 'bert',
  label: 'BERT',
  note: 'Encoder-only (BERT family): every token attends to every other token, before and after it (bidirectional).',
  compareNote: 'encoder-only: bidirectional, each token sees every token',
  modelTypes: ['bert', 'distilbert'],
  kinds: ['self'],
  causalKinds: [],
  positionEncoding: 'learned-absolute',
  scaled: true,
  task: 'fill-mask',
  inputLabel: 'Text',
  reference: 'tests/reference/bert.ts',
  parseConfig: parseBertConfig,
  configTokenIds: (c) => [['pad_token_id', c.padTokenId]],
  shape: (c) => ({ layers: c.layers, heads: c.heads, headDim: c.dModel / c.heads, dModel: c.dModel, vocabSize: c.vocabSize, maxPositions: c.maxPositions, ffn: { dim: c.dInner, matrices: 2 } }),
  runtime: async () => (await import('./run')).bertRuntime,
} satisfies FamilySpec<'bert', BertConfig>;
