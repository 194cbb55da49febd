// The T5 family (t5, T5 v1.1, flan-t5): encoder-decoder with a learned relative position bias.

import type { FamilySpec } from '../types';
import { parseT5Config, type T5Config } from './config';

export const t5 = {
  id: 't5',
  label: 'T5',
  note: 'Encoder-decoder (T5 family): the encoder reads the source bidirectionally; the decoder writes the target causally and looks back at the source through cross-attention.',
  compareNote: 'encoder-decoder: shown is its bidirectional encoder',
  modelTypes: ['t5'],
  kinds: ['encoder', 'decoder', 'cross'],
  causalKinds: ['decoder'],
  positionEncoding: 't5-relative-bias',
  scaled: false,
  task: 'seq2seq',
  lengthLimit: { tokens: 512, why: 'T5 was pre-trained on inputs of 512 tokens, and its attention memory grows with the square of the length' },
  inputLabel: 'Source text (the encoder reads it)',
  reference: 'tests/reference/t5.ts',
  parseConfig: parseT5Config,
  configTokenIds: (c) => [
    ['decoder_start_token_id', c.decoderStartTokenId],
    ['pad_token_id', c.padTokenId],
  ],
  // Positions are relative, so there is no longest input.
  shape: (c) => ({ layers: c.layers, decoderLayers: c.decoderLayers, heads: c.heads, headDim: c.dKv, dModel: c.dModel, vocabSize: c.vocabSize, maxPositions: null, ffn: { dim: c.dFF, matrices: c.gated ? 3 : 2 } }),
  runtime: async () => (await import('./run')).t5Runtime,
} satisfies FamilySpec<'t5', T5Config>;
