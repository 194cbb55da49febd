// The cases checked against PyTorch (see make-torch-fixtures.ts): tiny random checkpoints
// (reduced vocabulary so the committed logits stay small) and a few tokens each, chosen to
// exercise masks and position buckets: BERT/DistilBERT with padded keys and two segments;
// T5 with 12 encoder tokens (distances ≥ 8 reach the logarithmic buckets of the real
// 32/128 setting) and a padded encoder token; T5 v1.1 with 8/20 buckets so the short
// decoder reaches the logarithmic and the clamped buckets too.

import type { RandomCheckpointOptions } from '../helpers/random-checkpoint';

export interface TorchCaseInputs {
  ids?: number[];
  tokenTypeIds?: number[];
  attentionMask?: number[];
  encoderIds?: number[];
  decoderIds?: number[];
  encoderMask?: number[];
}

export interface TorchCase {
  name: string;
  options: RandomCheckpointOptions;
  inputs: TorchCaseInputs;
}

/** Small vocabulary for the fixtures: logits are [tokens, vocab] numbers in JSON. */
const VOCAB = 96;

export const TORCH_CASES: TorchCase[] = [
  {
    name: 'gpt2',
    options: { family: 'gpt2', seed: 101, layers: 2, dModel: 32, heads: 4, vocabSize: VOCAB, maxPositions: 16 },
    inputs: { ids: [5, 17, 93, 42, 0, 64, 77] },
  },
  {
    name: 'bert',
    options: { family: 'bert', seed: 102, layers: 2, dModel: 32, heads: 4, vocabSize: VOCAB, maxPositions: 16 },
    inputs: {
      ids: [2, 15, 3, 44, 61, 4, 0, 0],
      tokenTypeIds: [0, 0, 0, 1, 1, 1, 0, 0],
      attentionMask: [1, 1, 1, 1, 1, 1, 0, 0],
    },
  },
  {
    name: 'distilbert',
    options: { family: 'distilbert', seed: 103, layers: 3, dModel: 48, heads: 3, vocabSize: VOCAB, maxPositions: 16 },
    inputs: { ids: [2, 15, 3, 44, 61, 4, 0], attentionMask: [1, 1, 1, 1, 1, 1, 0] },
  },
  {
    name: 't5',
    options: { family: 't5', seed: 104, layers: 2, dModel: 32, heads: 4, vocabSize: VOCAB },
    inputs: {
      encoderIds: [11, 42, 7, 88, 23, 5, 61, 19, 70, 33, 1, 0],
      encoderMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
      decoderIds: [0, 7, 19, 33, 2],
    },
  },
  {
    name: 't5-v1_1',
    options: { family: 't5-v1_1', seed: 105, layers: 2, dModel: 48, heads: 3, vocabSize: VOCAB, buckets: [8, 20] },
    inputs: { encoderIds: [11, 42, 7, 88, 23, 5, 61, 19, 1], decoderIds: [0, 7, 19, 33, 2, 50, 9] },
  },
];
