// Turns a Hugging Face tokenizer.json (+ tokenizer_config.json) into a LoadedTokenizer:
// the library's own Tokenizer plus the few facts the span alignment and the views need
// (which algorithm, which markers, which added tokens), read once here.

import {
  Tokenizer,
  BPE,
  WordPiece,
  Unigram,
  ByteLevelPreTokenizer,
  MetaspacePreTokenizer,
  SequencePreTokenizer,
  type PreTokenizer,
} from '@huggingface/tokenizers';
import { AtlasError } from '../errors';
import type { TokenizerAlgorithm } from './types';
import { AddedTokenTable, type AddedTokenSpec } from './added-tokens';

/** The parts of tokenizer.json this module reads itself (the library reads the rest). */
export interface TokenizerJson {
  added_tokens?: AddedTokenSpec[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: unknown;
  decoder?: unknown;
  model: {
    type?: string;
    unk_token?: string | null;
    continuing_subword_prefix?: string | null;
    continuing_subword_suffix?: string | null;
    end_of_word_suffix?: string | null;
    byte_fallback?: boolean;
    ignore_merges?: boolean;
    merges?: Array<string | [string, string]>;
    vocab?: Record<string, number> | Array<[string, number]>;
  };
}

/** tokenizer_config.json: only flags that change how text is encoded matter here. */
export interface TokenizerConfigJson {
  remove_space?: boolean;
  do_lowercase_and_remove_accent?: boolean;
  eos_token?: string | { content: string };
  [key: string]: unknown;
}

export interface LoadedTokenizer {
  id: string;
  lib: Tokenizer;
  json: TokenizerJson;
  config: TokenizerConfigJson;
  algorithm: TokenizerAlgorithm;
  /** The model works on bytes written in GPT-2's byte alphabet (Ġ = space). */
  byteLevel: boolean;
  /** Byte-level pre-tokenizer adds a space before the text (RoBERTa style). */
  addPrefixSpace: boolean;
  /** SentencePiece's word marker (`▁`) when a Metaspace pre-tokenizer is used. */
  metaspace: string | null;
  /** WordPiece's continuation marker (`##`). */
  continuingPrefix: string | null;
  /** BPE end-of-word suffix (e.g. `</w>`) and continuation suffix, if any. */
  endOfWordSuffix: string | null;
  continuingSuffix: string | null;
  byteFallback: boolean;
  unkToken: string | null;
  unkId: number | null;
  added: AddedTokenTable;
  vocabSize: number;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Walks a (possibly nested Sequence) pre-tokenizer. */
function* preTokenizerSteps(p: PreTokenizer | null): Generator<PreTokenizer> {
  if (!p) return;
  if (p instanceof SequencePreTokenizer) {
    for (const q of p.tokenizers) yield* preTokenizerSteps(q);
  } else yield p;
}

export function loadTokenizer(id: string, json: unknown, config: unknown = {}): LoadedTokenizer {
  if (!isObject(json) || !isObject(json.model)) {
    throw new AtlasError(
      'bad-tokenizer',
      `The tokenizer of “${id}” is not a Hugging Face tokenizer.json (it has no "model" object).`,
      'Use the tokenizer.json file saved by the 🤗 tokenizers library or transformers.',
    );
  }
  const cfg: TokenizerConfigJson = isObject(config) ? (config as TokenizerConfigJson) : {};
  // The library reads eos_token as a plain string (Unigram uses it for its lattice).
  const libConfig: Record<string, unknown> = { ...cfg };
  if (isObject(cfg.eos_token)) libConfig.eos_token = (cfg.eos_token as { content: string }).content;
  const full = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json };
  let lib: Tokenizer;
  try {
    lib = new Tokenizer(full, libConfig);
  } catch (e) {
    throw new AtlasError(
      'bad-tokenizer',
      `The tokenizer of “${id}” could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
      'Check that tokenizer.json is complete and was written by a recent 🤗 tokenizers version.',
    );
  }
  const tj = full as unknown as TokenizerJson;
  const model = lib.model;
  if (!model) throw new AtlasError('bad-tokenizer', `The tokenizer of “${id}” has no model.`);

  let byteLevel = false;
  let addPrefixSpace = false;
  let metaspace: string | null = null;
  for (const step of preTokenizerSteps(lib.pre_tokenizer)) {
    if (step instanceof ByteLevelPreTokenizer) {
      byteLevel = true;
      addPrefixSpace ||= step.add_prefix_space;
    } else if (step instanceof MetaspacePreTokenizer) {
      metaspace = step.str_rep;
    }
  }
  if (isObject(tj.decoder) && tj.decoder.type === 'ByteLevel') byteLevel = true;
  // LLaMA-style SentencePiece BPE has no pre-tokenizer: its normalizer writes spaces as "▁".
  if (!metaspace && replacesSpaceWith(tj.normalizer) === '\u2581') metaspace = '\u2581';

  let algorithm: TokenizerAlgorithm;
  if (model instanceof BPE) algorithm = byteLevel ? 'byte-level-bpe' : 'bpe';
  else if (model instanceof WordPiece) algorithm = 'wordpiece';
  else if (model instanceof Unigram) algorithm = 'unigram';
  else {
    throw new AtlasError(
      'bad-tokenizer',
      `The tokenizer of “${id}” uses a model type this view does not explain (${tj.model.type ?? 'unknown'}).`,
      'BPE, WordPiece and Unigram tokenizers are supported.',
    );
  }
  if (algorithm !== 'byte-level-bpe') byteLevel = false;

  const m = tj.model;
  const nonEmpty = (s: string | null | undefined): string | null => (s ? s : null);
  return {
    id,
    lib,
    json: tj,
    config: cfg,
    algorithm,
    byteLevel,
    addPrefixSpace,
    metaspace,
    continuingPrefix: algorithm === 'wordpiece' ? (m.continuing_subword_prefix ?? '##') : null,
    endOfWordSuffix: algorithm === 'bpe' || algorithm === 'byte-level-bpe' ? nonEmpty(m.end_of_word_suffix) : null,
    continuingSuffix: algorithm === 'bpe' || algorithm === 'byte-level-bpe' ? nonEmpty(m.continuing_subword_suffix) : null,
    byteFallback: !!m.byte_fallback,
    unkToken: model.unk_token ?? null,
    unkId: model.unk_token_id ?? null,
    added: new AddedTokenTable(tj.added_tokens ?? [], lib.normalizer ? (s) => lib.normalizer!(s) : null),
    vocabSize: lib.get_vocab(true).size,
  };
}

/** The string a normalizer (or one step of a Sequence) writes for a space, if it has such a Replace step. */
function replacesSpaceWith(normalizer: unknown): string | null {
  if (!isObject(normalizer)) return null;
  if (normalizer.type === 'Sequence' && Array.isArray(normalizer.normalizers)) {
    for (const n of normalizer.normalizers) {
      const r = replacesSpaceWith(n);
      if (r) return r;
    }
    return null;
  }
  const pattern = normalizer.pattern;
  return normalizer.type === 'Replace' && isObject(pattern) && pattern.String === ' ' && typeof normalizer.content === 'string' ? normalizer.content : null;
}
