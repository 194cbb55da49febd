// The LLaMA family (llama, mistral, qwen2): decoder-only with rotary position embeddings,
// RMSNorm, SwiGLU and grouped-query attention.

import type { FamilySpec } from '../types';
import { inverseFrequencies, parseLlamaConfig, type LlamaConfig } from './config';

export const llama = {
  id: 'llama',
  label: 'LLaMA',
  note: 'Decoder-only (LLaMA family): a causal mask like GPT-2, but positions enter as a rotation of each query and key (RoPE), and several query heads share one key/value head (grouped-query attention).',
  compareNote: 'decoder-only with RoPE: causal, each token sees only earlier tokens',
  modelTypes: ['llama', 'mistral', 'qwen2'],
  kinds: ['self'],
  causalKinds: ['self'],
  positionEncoding: 'rope',
  scaled: true,
  task: 'continue',
  inputLabel: 'Text',
  reference: 'tests/reference/llama.ts',
  parseConfig: parseLlamaConfig,
  shape: (c) => ({
    layers: c.layers,
    heads: c.heads,
    kvHeads: c.kvHeads,
    headDim: c.headDim,
    dModel: c.dModel,
    vocabSize: c.vocabSize,
    maxPositions: c.maxPositions,
    ropeTheta: c.ropeTheta,
    ropeFrequencies: Array.from(inverseFrequencies(c)),
    // SwiGLU: gate, up and down projections.
    ffn: { dim: c.dInner, matrices: 3 },
  }),
  runtime: async () => (await import('./run')).llamaRuntime,
} satisfies FamilySpec<'llama', LlamaConfig>;
