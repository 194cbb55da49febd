// The OPT family (facebook/opt-*): decoder-only with learned absolute positions (read at
// an offset of 2), the course's example of absolute positions next to LLaMA's RoPE.

import type { FamilySpec } from '../types';
import { parseOptConfig, type OptConfig } from './config';

export const opt = {
  id: 'opt',
  label: 'OPT',
  note: 'Decoder-only (OPT family): a causal mask like GPT-2, with learned absolute position embeddings (OPT reads them at position + 2).',
  compareNote: 'decoder-only: causal, each token sees only earlier tokens',
  modelTypes: ['opt'],
  kinds: ['self'],
  causalKinds: ['self'],
  positionEncoding: 'learned-absolute',
  scaled: true,
  task: 'continue',
  inputLabel: 'Text',
  reference: 'tests/reference/opt.ts',
  parseConfig: parseOptConfig,
  shape: (c) => ({ layers: c.layers, heads: c.heads, headDim: c.dModel / c.heads, dModel: c.dModel, vocabSize: c.vocabSize, maxPositions: c.maxPositions, ffn: { dim: c.dInner, matrices: 2 } }),
  runtime: async () => (await import('./run')).optRuntime,
} satisfies FamilySpec<'opt', OptConfig>;
