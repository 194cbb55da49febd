// BERT (bert-base-uncased, BertForMaskedLM naming) and DistilBERT as in Hugging Face:
// word + position (+ token type) embeddings, post-LayerNorm blocks, bidirectional
// self-attention with a padding mask, exact (erf) gelu, and the masked-LM head.

import { DataType } from '../../graph/onnx-proto';
import { GraphBuilder, type BuiltGraph } from '../../graph/builder';
import { attention, TapCollector } from '../../graph/attention';
import { AblationInput } from '../../graph/ablation';
import { emitLogitLens } from '../../graph/logit-lens';
import { emitPositionEmbedding } from '../../graph/position-embedding';
import { INPUT, OUTPUT, type TapRequest } from '../../graph/taps';
import type { BertConfig } from './config';
import type { Checkpoint } from '../../graph/weights';

/** Tensor names of one family variant, relative to the checkpoint root. */
interface BertNames {
  wordEmbeddings: string[];
  positionEmbeddings: string[];
  tokenTypeEmbeddings: string[] | null;
  embeddingNorm: [string[], string[]];
  layer(l: number): {
    q: string;
    k: string;
    v: string;
    o: string;
    attentionNorm: [string[], string[]];
    up: string;
    down: string;
    outputNorm: [string[], string[]];
  };
  /** The MLM head: transform dense, its norm, and the output bias. */
  head: { dense: string; norm: [string[], string[]]; bias: string[] } | null;
}

// Original BERT checkpoints call LayerNorm parameters gamma/beta; transformers renames them on load.
const norm = (prefix: string): [string[], string[]] => [
  [`${prefix}.weight`, `${prefix}.gamma`],
  [`${prefix}.bias`, `${prefix}.beta`],
];

function bertNames(checkpoint: Checkpoint): BertNames {
  // BertForMaskedLM checkpoints prefix the encoder with `bert.`; BertModel ones do not.
  const root = checkpoint.has('bert.embeddings.word_embeddings.weight') ? 'bert.' : '';
  const hasHead = checkpoint.has('cls.predictions.transform.dense.weight');
  return {
    wordEmbeddings: [`${root}embeddings.word_embeddings.weight`],
    positionEmbeddings: [`${root}embeddings.position_embeddings.weight`],
    tokenTypeEmbeddings: [`${root}embeddings.token_type_embeddings.weight`],
    embeddingNorm: norm(`${root}embeddings.LayerNorm`),
    layer: (l) => {
      const p = `${root}encoder.layer.${l}.`;
      return {
        q: p + 'attention.self.query',
        k: p + 'attention.self.key',
        v: p + 'attention.self.value',
        o: p + 'attention.output.dense',
        attentionNorm: norm(p + 'attention.output.LayerNorm'),
        up: p + 'intermediate.dense',
        down: p + 'output.dense',
        outputNorm: norm(p + 'output.LayerNorm'),
      };
    },
    head: hasHead
      ? {
          dense: 'cls.predictions.transform.dense',
          norm: norm('cls.predictions.transform.LayerNorm'),
          bias: ['cls.predictions.bias', 'cls.predictions.decoder.bias'],
        }
      : null,
  };
}

function distilbertNames(checkpoint: Checkpoint): BertNames {
  const hasHead = checkpoint.has('vocab_transform.weight');
  return {
    wordEmbeddings: ['distilbert.embeddings.word_embeddings.weight'],
    positionEmbeddings: ['distilbert.embeddings.position_embeddings.weight'],
    tokenTypeEmbeddings: null,
    embeddingNorm: norm('distilbert.embeddings.LayerNorm'),
    layer: (l) => {
      const p = `distilbert.transformer.layer.${l}.`;
      return {
        q: p + 'attention.q_lin',
        k: p + 'attention.k_lin',
        v: p + 'attention.v_lin',
        o: p + 'attention.out_lin',
        attentionNorm: norm(p + 'sa_layer_norm'),
        up: p + 'ffn.lin1',
        down: p + 'ffn.lin2',
        outputNorm: norm(p + 'output_layer_norm'),
      };
    },
    head: hasHead ? { dense: 'vocab_transform', norm: norm('vocab_layer_norm'), bias: ['vocab_projector.bias'] } : null,
  };
}

export function buildBert(config: BertConfig, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const g = new GraphBuilder(config.variant, checkpoint);
  const { dModel: d, heads, dInner, eps } = config;
  const dHead = d / heads;
  const names = config.variant === 'distilbert' ? distilbertNames(checkpoint) : bertNames(checkpoint);
  const linear = (x: string, name: string, out: number, inp: number) =>
    g.linear(x, g.weight(`${name}.weight`, [out, inp]), g.weight(`${name}.bias`, [out]));
  const layerNorm = (x: string, [gamma, beta]: [string[], string[]]) => g.layerNorm(x, g.weight(gamma, [d]), g.weight(beta, [d]), eps);

  const ids = g.input(INPUT.ids, DataType.INT64, ['T']);
  const positions = g.input(INPUT.positions, DataType.INT64, ['T']);
  const keep = g.input(INPUT.mask, DataType.BOOL, [1, 'T']);
  const logitPositions = g.input(INPUT.logitPositions, DataType.INT64, ['P']);

  const wordEmbeddings = g.weight(names.wordEmbeddings, [config.vocabSize, d]);
  const positionTable = g.weight(names.positionEmbeddings, [config.maxPositions, d]);
  const tokenVectors = g.op('Gather', [wordEmbeddings, ids]);
  const positionVectors = g.op('Gather', [positionTable, positions]);
  let e = g.op('Add', [tokenVectors, positionVectors]);
  if (names.tokenTypeEmbeddings) {
    const types = g.input(INPUT.tokenTypes, DataType.INT64, ['T']);
    e = g.op('Add', [e, g.op('Gather', [g.weight(names.tokenTypeEmbeddings, [config.typeVocabSize, d]), types])]);
  }
  // The sum before the embedding LayerNorm is what the position vector is a part of.
  if (request.positionEmbedding) emitPositionEmbedding(g, { token: tokenVectors, position: positionVectors, input: e, table: positionTable, offset: 0 });
  let h = layerNorm(e, names.embeddingNorm);
  const hidden = [h];
  const taps = new TapCollector('self', request.taps);
  const ablate = new AblationInput(g, 'self', config.layers, heads, !!request.ablation);

  for (let l = 0; l < config.layers; l++) {
    const n = names.layer(l);
    const att = attention(g, {
      q: linear(h, n.q, d, d),
      k: linear(h, n.k, d, d),
      v: linear(h, n.v, d, d),
      heads,
      dHead,
      scale: 1 / Math.sqrt(dHead),
      mask: keep,
      output: taps.outputFor(g.weight(`${n.o}.weight`, [d, d]), 'out-in', d),
      ablation: ablate.forLayer(l),
    });
    taps.add(att);
    h = layerNorm(g.op('Add', [linear(att.merged, n.o, d, d), h]), n.attentionNorm);
    const up = g.activation(linear(h, n.up, dInner, d), config.activation);
    h = layerNorm(g.op('Add', [linear(up, n.down, d, dInner), h]), n.outputNorm);
    hidden.push(h);
  }

  if (names.head) {
    const mlm = names.head;
    // The MLM head: dense, activation, LayerNorm, then the decoder tied to the word embeddings (only its bias is stored).
    const toLogits = (x: string) =>
      g.op('Gemm', [layerNorm(g.activation(linear(x, mlm.dense, d, d), config.activation), mlm.norm), wordEmbeddings, g.weight(mlm.bias, [config.vocabSize])], { transB: 1 }, 'logits');
    g.output(toLogits(g.op('Gather', [h, logitPositions], { axis: 0 }, 'selected')), OUTPUT.logits, ['P', config.vocabSize]);
    // BERT has no final norm: each layer's output goes straight into the MLM head, which was trained on the last layer's only.
    if (request.logitLens) emitLogitLens(g, hidden, toLogits);
  }
  taps.emit(g);
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [config.layers + 1, 'T', d]);
  return g.build();
}
