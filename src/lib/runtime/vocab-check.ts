// The model's embedding table against its tokenizer. A config.json whose vocab_size is
// smaller than the tokenizer's vocabulary used to load, then fail in onnxruntime with
// "Gather … idx=1444 must be within [-100,99]" and the hint "Try a shorter text" — or, on
// a GPU, read past the table without a word. Both sizes are named instead.

import { AtlasError } from '../errors';
import type { LoadedTokenizer } from '../tokenize/load';
import { familySpec } from '../families';
import type { ModelConfig } from '../families';

/** The tokenizer's largest id from its model vocabulary (added tokens aside) and from all of it. */
export function tokenizerIdRange(tokenizer: LoadedTokenizer): { baseMax: number; allMax: number } {
  const added = new Set([...tokenizer.added.byContent.values()].map((t) => t.id));
  let baseMax = -1;
  let allMax = -1;
  for (const id of tokenizer.lib.get_vocab(true).values()) {
    if (id > allMax) allMax = id;
    if (!added.has(id) && id > baseMax) baseMax = id;
  }
  return { baseMax, allMax };
}

const hint = 'Use config.json and tokenizer.json of the same model (vocab_size must be at least the tokenizer\'s vocabulary).';

/**
 * At load: refused when the tokenizer's own vocabulary does not fit the embedding table
 * (ordinary text would fail). Added tokens past the table (a pad token added without
 * resizing) are allowed and refused at run time only if the text uses them.
 */
export function checkVocabulary(tokenizer: LoadedTokenizer, vocabSize: number, modelId: string, config?: ModelConfig): void {
  if (config) checkConfigIds(config, modelId);
  const { baseMax, allMax } = tokenizerIdRange(tokenizer);
  if (baseMax >= vocabSize)
    throw new AtlasError(
      'bad-config',
      `${modelId}'s config.json says vocab_size ${vocabSize}, but its tokenizer has ${allMax + 1} tokens (ids up to ${allMax}): the embedding table has no rows for ids ${vocabSize} and above.`,
      hint,
    );
}

/**
 * The ids config.json itself feeds the model (T5's decoder start token, BERT's [PAD]) must
 * have rows too: T5 runs its start token before any text, so a bad one fails every run.
 */
export function checkConfigIds(config: ModelConfig, modelId: string): void {
  const ids = familySpec(config.family).configTokenIds?.(config) ?? [];
  for (const [key, id] of ids)
    if (typeof id === 'number' && !(Number.isInteger(id) && id >= 0 && id < config.vocabSize))
      throw new AtlasError('bad-config', `${modelId}'s config.json says ${key} ${id}, but its embedding table has ${config.vocabSize} rows (vocab_size ${config.vocabSize}).`, hint);
}

/** At run: every id must have a row in the embedding table. */
export function checkTokenIds(tokens: readonly { id: number; piece: string }[], vocabSize: number, modelId: string): void {
  const bad = tokens.find((t) => !(t.id >= 0 && t.id < vocabSize));
  if (bad)
    throw new AtlasError(
      'bad-config',
      `The token "${bad.piece.slice(0, 40)}" has id ${bad.id}, but ${modelId}'s embedding table has ${vocabSize} rows (vocab_size ${vocabSize}): the tokenizer and config.json do not match.`,
      hint,
    );
}
