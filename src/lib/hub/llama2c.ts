// llama2.c checkpoints (Karpathy's TinyStories models, `stories15M.bin` …) and their
// `tokenizer.bin`, converted in memory to the Hugging Face LLaMA layout (config.json,
// tokenizer.json, model.safetensors), so the rest of the app runs them as any LLaMA.
//
// Checkpoint, as llama2.c's run.c reads it (legacy, version 0): 7 int32 — dim,
// hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: the classifier is not
// shared with the embeddings), seq_len — then float32 tensors: token embeddings, attention
// norms, wq, wk, wv, wo, ffn norms, w1, w2, w3, final norm, two legacy RoPE tables
// (seq_len × head_size/2 each, skipped), and the classifier when not shared. Version 1
// (export.py): magic "ak42", int32 version, the 7 int32, a uint8 "shared classifier" flag,
// zero padding to 256 bytes, then norms first (attention, ffn, final), embeddings, wq, wk,
// wv, wo, w1, w2, w3, and the classifier when not shared. Version 2 is int8-quantized.
//
// RoPE: llama2.c rotates interleaved pairs (dims 2i, 2i+1 of each head); Hugging Face's
// LLaMA rotates the two halves (dims i, i + d/2). The same model in HF's layout has each
// head's rows of wq and wk permuted: HF row c·(d/2) + i = llama2.c row 2i + c (c ∈ {0, 1}),
// which is what transformers' convert_llama_weights_to_hf.py does. θ is 10000.
//
// tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length and
// the UTF-8 bytes of the piece with '▁' written as ' ' (and <s>, </s> as "\n<s>\n", "\n</s>\n").
// Its encoder is SentencePiece BPE: a leading '▁', characters (bytes as <0xNN> where the
// vocabulary lacks one), then repeatedly the adjacent pair whose merge has the highest score.

import { AtlasError } from '../errors';
import { writeSafetensors } from './safetensors';

const MAGIC = 0x616b3432; // "ak42"
const V1_HEADER_BYTES = 256;
const ROPE_THETA = 10000;

export interface Llama2cParams {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
  version: 0 | 1;
}

// Checkpoint faults are reported like broken safetensors (the weights file), tokenizer faults as tokenizer errors.
const bad = (what: string, hint = 'Use a checkpoint written by llama2.c (export.py, legacy or version 1) with its tokenizer.bin.') =>
  new AtlasError('bad-safetensors', what, hint);
const badTokenizer = (what: string, hint?: string) => new AtlasError('bad-tokenizer', what, hint);

/** Reads and checks the header; the file's size must be exactly what the header implies. */
export function llama2cParams(bytes: Uint8Array, name = 'the checkpoint'): { params: Llama2cParams; dataOffset: number } {
  if (bytes.byteLength < 28) throw bad(`${name} is ${bytes.byteLength} bytes, too short for a llama2.c header (28 bytes).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: 0 | 1 = 0;
  let at = 0;
  if (view.getUint32(0, true) === MAGIC) {
    const v = view.getInt32(4, true);
    if (v === 2) throw bad(`${name} is a llama2.c version 2 file (int8-quantized weights), which is not supported.`, 'Export the float32 model (version 0 or 1) with llama2.c export.py.');
    if (v !== 1) throw bad(`${name} is a llama2.c file of version ${v}; this app reads versions 0 (legacy) and 1.`);
    if (bytes.byteLength < V1_HEADER_BYTES) throw bad(`${name} is too short for a llama2.c version 1 header (256 bytes).`);
    version = 1;
    at = 8;
  }
  const ints = Array.from({ length: 7 }, (_, i) => view.getInt32(at + 4 * i, true));
  const [dim, hiddenDim, layers, heads, kvHeads, vocab, seqLen] = ints;
  const shared = version === 1 ? view.getUint8(at + 28) === 1 : vocab > 0;
  const params: Llama2cParams = { dim, hiddenDim, layers, heads, kvHeads, vocabSize: Math.abs(vocab), seqLen, sharedClassifier: shared, version };
  const sane = (v: number, max: number) => Number.isInteger(v) && v > 0 && v <= max;
  if (!sane(dim, 65536) || !sane(hiddenDim, 1 << 20) || !sane(layers, 1024) || !sane(heads, 1024) || !sane(kvHeads, 1024) || !sane(params.vocabSize, 1 << 22) || !sane(seqLen, 1 << 20))
    throw bad(`${name} does not start with a llama2.c header: dim ${dim}, hidden ${hiddenDim}, layers ${layers}, heads ${heads}, kv heads ${kvHeads}, vocab ${vocab}, seq_len ${seqLen}.`);
  if (dim % heads !== 0 || heads % kvHeads !== 0 || (dim / heads) % 2 !== 0)
    throw bad(`${name}'s header is inconsistent: dim ${dim}, ${heads} heads, ${kvHeads} KV heads (dim must split into heads of even size, and heads into KV groups).`);
  const dataOffset = version === 1 ? V1_HEADER_BYTES : 28;
  const expected = dataOffset + 4 * floatCount(params);
  if (bytes.byteLength !== expected)
    throw bad(`${name} is ${bytes.byteLength} bytes, but a llama2.c ${version === 1 ? 'version 1' : 'legacy'} checkpoint with this header (dim ${dim}, ${layers} layers, vocab ${params.vocabSize}) is ${expected} bytes.`, 'The file is truncated or not a llama2.c float32 checkpoint.');
  return { params, dataOffset };
}

function tensorShapes(p: Llama2cParams): Record<string, number[]> {
  const headSize = p.dim / p.heads;
  const kvDim = p.kvHeads * headSize;
  return {
    embed: [p.vocabSize, p.dim],
    attentionNorm: [p.layers, p.dim],
    wq: [p.layers, p.dim, p.dim],
    wk: [p.layers, kvDim, p.dim],
    wv: [p.layers, kvDim, p.dim],
    wo: [p.layers, p.dim, p.dim],
    ffnNorm: [p.layers, p.dim],
    w1: [p.layers, p.hiddenDim, p.dim],
    w2: [p.layers, p.dim, p.hiddenDim],
    w3: [p.layers, p.hiddenDim, p.dim],
    finalNorm: [p.dim],
    ropeTables: p.version === 0 ? [2, p.seqLen, headSize / 2] : [0],
    classifier: p.sharedClassifier ? [0] : [p.vocabSize, p.dim],
  };
}

const ORDER: Record<0 | 1, string[]> = {
  0: ['embed', 'attentionNorm', 'wq', 'wk', 'wv', 'wo', 'ffnNorm', 'w1', 'w2', 'w3', 'finalNorm', 'ropeTables', 'classifier'],
  1: ['attentionNorm', 'ffnNorm', 'finalNorm', 'embed', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3', 'classifier'],
};

function floatCount(p: Llama2cParams): number {
  const shapes = tensorShapes(p);
  return ORDER[p.version].reduce((a, k) => a + shapes[k].reduce((x, y) => x * y, 1), 0);
}

/** Each head's rows, interleaved pairs (llama2.c) → halves (Hugging Face). */
export function interleavedToHalves(w: Float32Array, heads: number, headSize: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headSize / 2;
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let c = 0; c < 2; c++) {
        const from = (h * headSize + 2 * i + c) * cols;
        const to = (h * headSize + c * half + i) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
  return out;
}

/** The checkpoint as Hugging Face LLaMA tensors (float32) and config. */
export function convertLlama2cWeights(bytes: Uint8Array, name?: string): { config: Record<string, unknown>; safetensors: Uint8Array } {
  const { params: p, dataOffset } = llama2cParams(bytes, name);
  const shapes = tensorShapes(p);
  // Copy the floats out (the file's data may not be 4-byte aligned in its buffer).
  const floats = new Float32Array(bytes.slice(dataOffset).buffer);
  const parts: Record<string, Float32Array> = {};
  let at = 0;
  for (const key of ORDER[p.version]) {
    const n = shapes[key].reduce((x, y) => x * y, 1);
    parts[key] = floats.subarray(at, at + n);
    at += n;
  }
  const headSize = p.dim / p.heads;
  const kvDim = p.kvHeads * headSize;
  const layer = (key: string, l: number, size: number) => parts[key].subarray(l * size, (l + 1) * size);
  const tensors: { name: string; dtype: 'F32'; shape: number[]; data: Float32Array }[] = [];
  const add = (n: string, shape: number[], data: Float32Array) => tensors.push({ name: n, dtype: 'F32', shape, data });
  add('model.embed_tokens.weight', [p.vocabSize, p.dim], parts.embed);
  for (let l = 0; l < p.layers; l++) {
    const pre = `model.layers.${l}.`;
    add(pre + 'input_layernorm.weight', [p.dim], layer('attentionNorm', l, p.dim));
    add(pre + 'self_attn.q_proj.weight', [p.dim, p.dim], interleavedToHalves(layer('wq', l, p.dim * p.dim), p.heads, headSize, p.dim));
    add(pre + 'self_attn.k_proj.weight', [kvDim, p.dim], interleavedToHalves(layer('wk', l, kvDim * p.dim), p.kvHeads, headSize, p.dim));
    add(pre + 'self_attn.v_proj.weight', [kvDim, p.dim], layer('wv', l, kvDim * p.dim));
    add(pre + 'self_attn.o_proj.weight', [p.dim, p.dim], layer('wo', l, p.dim * p.dim));
    add(pre + 'post_attention_layernorm.weight', [p.dim], layer('ffnNorm', l, p.dim));
    add(pre + 'mlp.gate_proj.weight', [p.hiddenDim, p.dim], layer('w1', l, p.hiddenDim * p.dim));
    add(pre + 'mlp.down_proj.weight', [p.dim, p.hiddenDim], layer('w2', l, p.dim * p.hiddenDim));
    add(pre + 'mlp.up_proj.weight', [p.hiddenDim, p.dim], layer('w3', l, p.hiddenDim * p.dim));
  }
  add('model.norm.weight', [p.dim], parts.finalNorm);
  if (!p.sharedClassifier) add('lm_head.weight', [p.vocabSize, p.dim], parts.classifier);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: p.dim,
    intermediate_size: p.hiddenDim,
    num_hidden_layers: p.layers,
    num_attention_heads: p.heads,
    num_key_value_heads: p.kvHeads,
    vocab_size: p.vocabSize,
    max_position_embeddings: p.seqLen,
    // llama2.c's rmsnorm adds 1e-5 inside the square root.
    rms_norm_eps: 1e-5,
    rope_theta: ROPE_THETA,
    hidden_act: 'silu',
    tie_word_embeddings: p.sharedClassifier,
    bos_token_id: 1,
    eos_token_id: 2,
  };
  return { config, safetensors: writeSafetensors(tensors, { format: 'pt', converted_from: `llama2.c version ${p.version}` }) };
}

export interface Llama2cVocab {
  pieces: string[];
  scores: number[];
}

/** Reads tokenizer.bin; `vocabSize` comes from the checkpoint, which the file must match. */
export function readLlama2cTokenizer(bytes: Uint8Array, vocabSize: number, name = 'tokenizer.bin'): Llama2cVocab {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  if (bytes.byteLength < 4) throw badTokenizer(`${name} is too short to be a llama2.c tokenizer.`);
  const maxLen = view.getInt32(0, true);
  if (!(maxLen > 0 && maxLen < 1 << 16)) throw badTokenizer(`${name} does not start like a llama2.c tokenizer.bin (max token length ${maxLen}).`);
  const pieces: string[] = [];
  const scores: number[] = [];
  let at = 4;
  while (at < bytes.byteLength) {
    if (at + 8 > bytes.byteLength) throw badTokenizer(`${name} ends inside token ${pieces.length}.`);
    const score = view.getFloat32(at, true);
    const len = view.getInt32(at + 4, true);
    at += 8;
    if (len < 0 || len > maxLen || at + len > bytes.byteLength) throw badTokenizer(`${name}: token ${pieces.length} has length ${len}.`);
    pieces.push(decoder.decode(bytes.subarray(at, at + len)));
    scores.push(score);
    at += len;
  }
  if (pieces.length !== vocabSize)
    throw badTokenizer(`${name} has ${pieces.length} tokens, but the checkpoint's vocabulary has ${vocabSize}.`, 'Use the tokenizer.bin the model was trained with (stories15M/42M/110M: the 32,000-token Llama 2 tokenizer; stories260K: tok512.bin).');
  return { pieces, scores };
}

/**
 * A tokenizer.json (Hugging Face tokenizers) that encodes as llama2.c does: SentencePiece
 * BPE with byte fallback, merges ranked by the merged piece's score.
 */
export function llama2cTokenizerJson({ pieces, scores }: Llama2cVocab): Record<string, unknown> {
  const special = new Map([['\n<s>\n', '<s>'], ['\n</s>\n', '</s>']]);
  const vocab: Record<string, number> = {};
  const names = pieces.map((p) => special.get(p) ?? p.replaceAll(' ', '\u2581'));
  names.forEach((n, id) => {
    if (!(n in vocab)) vocab[n] = id;
  });
  // Every way a piece splits into two pieces is a merge; higher-scored results merge first.
  const merges: { pair: [string, string]; score: number; id: number }[] = [];
  names.forEach((n, id) => {
    if (id < 3 || /^<0x[0-9A-F]{2}>$/.test(n)) return;
    const chars = Array.from(n);
    for (let i = 1; i < chars.length; i++) {
      const a = chars.slice(0, i).join('');
      const b = chars.slice(i).join('');
      if (a in vocab && b in vocab) merges.push({ pair: [a, b], score: scores[id], id });
    }
  });
  merges.sort((x, y) => y.score - x.score || x.id - y.id);
  const added = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    added_tokens: [added(0, names[0]), added(1, '<s>'), added(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', dropout: null, unk_token: names[0], continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: merges.map((m) => m.pair) },
  };
}

/** Whether dropped files are a llama2.c checkpoint with its tokenizer (and no HF config). */
export function llama2cPair(files: Record<string, Uint8Array>): { model: string; tokenizer: string } | null {
  if (files['config.json']) return null;
  const bins = Object.keys(files).filter((f) => f.endsWith('.bin'));
  const tokenizer = bins.find((f) => /tok/i.test(f));
  const model = bins.find((f) => f !== tokenizer);
  return model && tokenizer ? { model, tokenizer } : null;
}

/** A llama2.c checkpoint and tokenizer as the Hugging Face files the loader takes. */
export function llama2cToHfFiles(model: Uint8Array, tokenizer: Uint8Array, names = { model: 'model.bin', tokenizer: 'tokenizer.bin' }): Record<string, Uint8Array> {
  const { config, safetensors } = convertLlama2cWeights(model, names.model);
  const vocab = readLlama2cTokenizer(tokenizer, config.vocab_size as number, names.tokenizer);
  const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return { 'config.json': encode(config), 'tokenizer.json': encode(llama2cTokenizerJson(vocab)), 'model.safetensors': safetensors };
}
