// Matmul FLOPs of one forward pass of the graphs in src/lib/graph/, per family, counting a
// multiply-add as 2 FLOPs (an [m,k]·[k,n] product is 2·m·k·n). Only matrix products are
// counted: layer norms, softmax, GELU, masking and gathers are a few per element of an
// activation and under 1 % of the total at these sizes. Attention is counted as the
// graphs compute it: the full T×T score matrix, masked afterwards (no causal saving).

import type { BertConfig, Gpt2Config, LlamaConfig, ModelConfig, T5Config } from '../src/lib/families';

export interface FlopShape {
  /** Tokens the (encoder) stack reads: GPT-2 and BERT positions, T5 source tokens. */
  tokens: number;
  /** T5: decoder tokens (start token + target). */
  decoderTokens?: number;
  /** Positions the LM head is computed at (GPT-2: 1 or all; BERT: [MASK]s or all; T5: every decoder position). */
  logitPositions: number;
}

export interface FlopCount {
  /** Q, K, V and output projections. */
  projections: number;
  /** q·kᵀ and p·v over all heads. */
  attention: number;
  ffn: number;
  /** Vocabulary projection (and BERT's transform dense) at the computed positions. */
  head: number;
  total: number;
}

const mm = (m: number, k: number, n: number) => 2 * m * k * n;

function total(c: Omit<FlopCount, 'total'>): FlopCount {
  return { ...c, total: c.projections + c.attention + c.ffn + c.head };
}

/** One self-attention block over T positions of width d (QKV + output, QKᵀ, PV). */
function selfAttention(T: number, d: number, inner: number): { projections: number; attention: number } {
  return { projections: 3 * mm(T, d, inner) + mm(T, inner, d), attention: mm(T, inner, T) + mm(T, T, inner) };
}

/**
 * GPT-2, per layer: fused QKV 2·T·d·3d, QKᵀ 2·T²·d, PV 2·T²·d, c_proj 2·T·d², MLP 2·2·T·d·d_inner;
 * LM head 2·P·d·V (tied to wte).
 */
export function gpt2Flops(c: Gpt2Config, s: FlopShape): FlopCount {
  return total({ ...layerStack(c, s.tokens), head: mm(s.logitPositions, c.dModel, c.vocabSize) });
}

/** The layers GPT-2 and BERT share: self-attention (d×d projections) and a two-matrix FFN. */
function layerStack(c: Pick<Gpt2Config, 'dModel' | 'dInner' | 'layers'>, tokens: number): { projections: number; attention: number; ffn: number } {
  const a = selfAttention(tokens, c.dModel, c.dModel);
  return { projections: c.layers * a.projections, attention: c.layers * a.attention, ffn: c.layers * 2 * mm(tokens, c.dModel, c.dInner) };
}

/**
 * BERT, per layer as GPT-2 (separate Q, K, V of d×d each); MLM head at P positions:
 * transform dense 2·P·d² and the tied decoder 2·P·d·V.
 */
export function bertFlops(c: BertConfig, s: FlopShape): FlopCount {
  return total({ ...layerStack(c, s.tokens), head: mm(s.logitPositions, c.dModel, c.dModel) + mm(s.logitPositions, c.dModel, c.vocabSize) });
}

/**
 * T5 (inner = heads·d_kv). Encoder layer over S: self-attention and FFN (2 matrices, 3 if
 * gated). Decoder layer over T: self-attention, cross-attention (q and o over T, k and v
 * over the S encoder states, QKᵀ and PV T×S), FFN. LM head 2·P·d·V. The encoder runs once
 * per forward (teacher forcing), as in ModelRunner.run.
 */
export function t5Flops(c: T5Config, s: FlopShape): FlopCount {
  const S = s.tokens;
  const T = s.decoderTokens ?? s.tokens;
  const inner = c.heads * c.dKv;
  const ffn = (n: number) => (c.gated ? 3 : 2) * mm(n, c.dModel, c.dFF);
  const enc = selfAttention(S, c.dModel, inner);
  const dec = selfAttention(T, c.dModel, inner);
  const crossProjections = 2 * mm(T, c.dModel, inner) + 2 * mm(S, c.dModel, inner);
  const crossAttention = mm(T, inner, S) + mm(T, S, inner);
  return total({
    projections: c.layers * enc.projections + c.decoderLayers * (dec.projections + crossProjections),
    attention: c.layers * enc.attention + c.decoderLayers * (dec.attention + crossAttention),
    ffn: c.layers * ffn(S) + c.decoderLayers * ffn(T),
    head: mm(s.logitPositions, c.dModel, c.vocabSize),
  });
}

/**
 * LLaMA, per layer: q and o 2·T·d·(H·dh), k and v 2·T·d·(H_kv·dh) each (grouped-query
 * attention shrinks them), QKᵀ and PV 2·T²·(H·dh) each, SwiGLU 3·2·T·d·d_inner; LM head 2·P·d·V.
 */
export function llamaFlops(c: LlamaConfig, s: FlopShape): FlopCount {
  const T = s.tokens;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  return total({
    projections: c.layers * (2 * mm(T, c.dModel, q) + 2 * mm(T, c.dModel, kv)),
    attention: c.layers * (mm(T, q, T) + mm(T, T, q)),
    ffn: c.layers * 3 * mm(T, c.dModel, c.dInner),
    head: mm(s.logitPositions, c.dModel, c.vocabSize),
  });
}

export function forwardFlops(c: ModelConfig, s: FlopShape): FlopCount {
  if (c.family === 'gpt2') return gpt2Flops(c, s);
  if (c.family === 'bert') return bertFlops(c, s);
  if (c.family === 'llama') return llamaFlops(c, s);
  // OPT's layers are GPT-2's (d×d projections, a two-matrix FFN); its head is tied.
  if (c.family === 'opt') return total({ ...layerStack(c, s.tokens), head: mm(s.logitPositions, c.dModel, c.vocabSize) });
  return t5Flops(c, s);
}
