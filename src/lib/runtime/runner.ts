// Runs a loaded model: text → graph inputs → onnxruntime session → Trace.
// The same class runs in the browser's worker and in Node (CLI, tests, benchmarks).

import { AtlasError } from '../errors';
import { headDim, type ModelConfig, type T5Config } from '../graph/config';
import { buildGpt2 } from '../graph/gpt2';
import { buildBert } from '../graph/bert';
import { buildT5Decoder, buildT5Encoder, bucketMatrix } from '../graph/t5';
import { INPUT, OUTPUT, type TapRequest } from '../graph/taps';
import type { BuiltGraph } from '../graph/builder';
import type { Checkpoint } from '../graph/weights';
import type { AttentionKind, AttentionTaps, Backend, ModelInfo, Prediction, TapName, Tensor, Trace, TraceToken } from '../trace/types';
import { TAP_NAMES } from '../trace/types';
import { ort, sessionOptions } from './backend';
import { generatedTokens, requireText, toTraceTokens, type TextCodec } from './codec';
import { estimateTraceBytes, TRACE_MEMORY_LIMIT } from './memory';
import { mulberry32 } from './random';

export interface RunOptions {
  taps?: TapName[];
  hidden?: boolean;
  /** Top-k predictions to report (GPT-2: next token; BERT: masked positions; T5: each decoder step). */
  topK?: number;
  /** Cut the input to the model's longest sequence instead of failing. */
  truncate?: boolean;
  /** BERT: pad the input with [PAD] to this length (padded keys are masked). */
  padTo?: number;
  /** BERT: predict at every position, not only at [MASK]s. GPT-2: logits at every position, not only the last. */
  predictAll?: boolean;
  /** Keep the raw logits in the trace (for research and tests; they are vocabulary-sized per position). */
  keepLogits?: boolean;
}

export interface GenerateOptions extends RunOptions {
  /** New tokens to generate. */
  steps: number;
  /** 1 = greedy; k > 1 samples from the top k. */
  sampleTopK?: number;
  temperature?: number;
  seed?: number;
  /** Called with the trace after each generated token (T5: watch the alignment grow). */
  onStep?: (trace: Trace) => void;
  /** Checked between steps; a superseded run stops early. */
  cancelled?: () => boolean;
}

type Feeds = Record<string, ort.Tensor>;
type Outputs = ort.InferenceSession.ReturnType;
type GraphPart = 'main' | 'encoder' | 'decoder';

const i64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [values.length]);
const bools = (values: Uint8Array, dims: number[]) => new ort.Tensor('bool', values, dims);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function causalKeep(n: number): Uint8Array {
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) keep.fill(1, i * n, i * n + i + 1);
  return keep;
}

function tensorOf(t: ort.Tensor): Tensor {
  return { shape: t.dims.map(Number), data: t.data as Float32Array };
}

function softmaxTopK(logits: Float32Array, k: number, piece: (id: number) => string): Prediction['candidates'] {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const top: { id: number; logit: number }[] = [];
  for (let id = 0; id < logits.length; id++) {
    const logit = logits[id];
    if (top.length < k || logit > top[top.length - 1].logit) {
      top.push({ id, logit });
      top.sort((a, b) => b.logit - a.logit);
      if (top.length > k) top.pop();
    }
  }
  return top.map(({ id, logit }) => ({ id, text: piece(id), prob: Math.exp(logit - max) / sum }));
}

/**
 * BERT's segment (token type) ids: 0 up to and including the first [SEP], 1 after it,
 * as for a sentence pair "A [SEP] B" — so typing [SEP] between two sentences is the
 * same as giving BERT a pair.
 */
export function segmentIds(tokens: TraceToken[], sepId: number | undefined, padId: number): number[] {
  const firstSep = tokens.findIndex((t) => t.id === sepId);
  return tokens.map((t, i) => (firstSep >= 0 && i > firstSep && t.id !== padId ? 1 : 0));
}

export class ModelRunner {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();
  /** Time spent creating sessions and running them since the current request began. */
  private clock = { runMs: 0, buildMs: 0 };

  constructor(
    readonly config: ModelConfig,
    readonly info: ModelInfo,
    readonly codec: TextCodec,
    private readonly checkpoint: Checkpoint,
    public backend: Backend,
  ) {}

  private request(options: RunOptions): TapRequest {
    return { taps: new Set(options.taps ?? TAP_NAMES), hidden: options.hidden ?? false };
  }

  private build(part: GraphPart, request: TapRequest): BuiltGraph {
    const c = this.config;
    if (c.family === 'gpt2') return buildGpt2(c, this.checkpoint, request);
    if (c.family === 'bert') return buildBert(c, this.checkpoint, request);
    return part === 'encoder' ? buildT5Encoder(c, this.checkpoint, request) : buildT5Decoder(c, this.checkpoint, request);
  }

  /** Builds every graph once without running it, so a missing or mis-shaped tensor is reported at load time. */
  validate(): void {
    const parts: GraphPart[] = this.config.family === 't5' ? ['encoder', 'decoder'] : ['main'];
    for (const part of parts) this.build(part, { taps: new Set(TAP_NAMES), hidden: true });
  }

  /** One session per graph and tap set; building a graph is cheap, creating a session is not. */
  private session(part: GraphPart, request: TapRequest): Promise<ort.InferenceSession> {
    const key = `${part}:${[...request.taps].sort().join(',')}:${request.hidden}`;
    let s = this.sessions.get(key);
    if (!s) {
      const graph = this.build(part, request);
      s = ort.InferenceSession.create(graph.model, sessionOptions(this.backend, graph.externalData));
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * Runs one graph. If WebGPU fails (no support for an op, device lost), the model is
   * moved to WASM, the reason recorded on the backend, and the run repeated there.
   */
  private async exec(part: GraphPart, request: TapRequest, feeds: Feeds): Promise<Outputs> {
    try {
      const t0 = performance.now();
      const session = await this.session(part, request);
      const t1 = performance.now();
      const out = await session.run(feeds);
      this.clock.buildMs += t1 - t0;
      this.clock.runMs += performance.now() - t1;
      return out;
    } catch (e) {
      if (e instanceof AtlasError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (this.backend.name !== 'webgpu')
        throw new AtlasError('runtime-failed', `The model failed to run: ${message}`, 'Try a shorter text or reload the page; your text and settings are kept.');
      await this.release();
      this.backend = { name: 'wasm', threads: ort.env.wasm.numThreads as number, reason: `WebGPU failed (${message.slice(0, 160)}), so the model now runs on the CPU with WASM.` };
      return this.exec(part, request, feeds);
    }
  }

  private checkLength(n: number, options: RunOptions, what = 'text'): number {
    const max = this.info.maxPositions;
    if (max !== null && n > max) {
      if (options.truncate) return max;
      throw new AtlasError(
        'too-long',
        `The ${what} is ${n} tokens long; ${this.info.id} reads at most ${max}.`,
        `Shorten the ${what}, or turn on truncation to keep the first ${max} tokens.`,
      );
    }
    return n;
  }

  private checkMemory(queries: number, keys: number, request: TapRequest): void {
    const bytes = estimateTraceBytes(this.info, queries, keys, request);
    if (bytes > TRACE_MEMORY_LIMIT)
      throw new AtlasError(
        'too-much-memory',
        `This run would keep about ${Math.round(bytes / 1e6)} MB of attention data, over the ${Math.round(TRACE_MEMORY_LIMIT / 1e6)} MB this app allows.`,
        'Shorten the text, or choose fewer taps (probabilities only).',
      );
  }

  private collect(out: Outputs, kinds: AttentionKind[]): Partial<Record<AttentionKind, AttentionTaps>> {
    const attention: Partial<Record<AttentionKind, AttentionTaps>> = {};
    for (const kind of kinds) {
      const taps: AttentionTaps = {};
      for (const tap of TAP_NAMES) if (out[`${kind}.${tap}`]) taps[tap] = tensorOf(out[`${kind}.${tap}`]);
      if (out[`${kind}.positionBias`]) taps.positionBias = tensorOf(out[`${kind}.positionBias`]);
      if (Object.keys(taps).length) attention[kind] = taps;
    }
    return attention;
  }

  private baseTrace(text: string, tokens: TraceToken[]): Trace {
    const timings = { runMs: this.clock.runMs, buildMs: this.clock.buildMs };
    this.clock = { runMs: 0, buildMs: 0 };
    return { version: 1, model: this.info, backend: this.backend, text, tokens, attention: {}, timings };
  }

  // ---- GPT-2 and BERT -------------------------------------------------------

  async run(text: string, options: RunOptions = {}): Promise<Trace> {
    if (this.config.family === 't5') return this.runT5(text, undefined, options);
    requireText(text);
    return this.runTokens(text, toTraceTokens(this.codec.encode(text)), options);
  }

  /** One forward pass over given tokens (GPT-2, BERT), e.g. ids made by a script. */
  async runTokens(text: string, tokens: TraceToken[], options: RunOptions = {}): Promise<Trace> {
    if (tokens.length === 0) throw new AtlasError('bad-input', 'There are no tokens to run.', 'Type a sentence into the text box.');
    tokens = tokens.slice(0, this.checkLength(tokens.length, options));
    if (this.config.family === 'gpt2') return this.forwardGpt2(text, tokens, options);
    if (this.config.family === 'bert') return this.forwardBert(text, tokens, options);
    throw new AtlasError('bad-input', 'T5 models take a source and a target: use runT5.');
  }

  /** Tokens for bare ids (no source text, so no spans). */
  tokensOf(ids: number[]): TraceToken[] {
    return ids.map((id) => ({ id, text: this.codec.piece(id), start: 0, end: 0, special: this.codec.specialIds.has(id) }));
  }

  private async forwardGpt2(text: string, tokens: TraceToken[], options: RunOptions): Promise<Trace> {
    const request = this.request(options);
    const n = tokens.length;
    this.checkMemory(n, n, request);
    // Next-token logits are all the app needs; the LM head over every position is ~30 % of GPT-2's FLOPs.
    const positions = options.predictAll ? range(n) : [n - 1];
    const out = await this.exec('main', request, {
      [INPUT.ids]: i64(tokens.map((t) => t.id)),
      [INPUT.positions]: i64(range(n)),
      [INPUT.mask]: bools(causalKeep(n), [n, n]),
      [INPUT.logitPositions]: i64(positions),
    });
    const trace = this.baseTrace(text, tokens);
    trace.attention = this.collect(out, ['self']);
    if (out[OUTPUT.hidden]) trace.hidden = tensorOf(out[OUTPUT.hidden]);
    this.addPredictions(trace, positions, out[OUTPUT.logits], options);
    return trace;
  }

  private async forwardBert(text: string, tokens: TraceToken[], options: RunOptions): Promise<Trace> {
    if (this.config.family !== 'bert') throw new Error('not a BERT model');
    const request = this.request(options);
    const real = tokens.length;
    const padId = this.config.padTokenId;
    if (options.padTo && options.padTo > real)
      tokens = [...tokens, ...Array.from({ length: options.padTo - real }, () => ({ id: padId, text: this.codec.piece(padId), start: text.length, end: text.length, special: true }))];
    const n = tokens.length;
    this.checkMemory(n, n, request);
    const keep = new Uint8Array(n).fill(1, 0, real);
    const maskId = this.codec.id('[MASK]');
    const predictAt = range(real).filter((i) => tokens[i].id === maskId || (options.predictAll && !tokens[i].special));
    // Zero-sized tensors break some WebGPU kernels: with nothing to predict, compute one row and drop it.
    const logitRows = predictAt.length ? predictAt : [0];
    const feeds: Feeds = {
      [INPUT.ids]: i64(tokens.map((t) => t.id)),
      [INPUT.positions]: i64(range(n)),
      [INPUT.mask]: bools(keep, [1, n]),
      [INPUT.logitPositions]: i64(logitRows),
    };
    if (this.config.variant === 'bert') feeds[INPUT.tokenTypes] = i64(segmentIds(tokens, this.codec.id('[SEP]'), padId));
    const out = await this.exec('main', request, feeds);
    const trace = this.baseTrace(text, tokens);
    trace.attention = this.collect(out, ['self']);
    if (out[OUTPUT.hidden]) trace.hidden = tensorOf(out[OUTPUT.hidden]);
    if (out[OUTPUT.logits] && predictAt.length) this.addPredictions(trace, predictAt, out[OUTPUT.logits], options);
    return trace;
  }

  private addPredictions(trace: Trace, positions: number[], logits: ort.Tensor, options: RunOptions, k = 10): void {
    const v = this.info.vocabSize;
    const data = logits.data as Float32Array;
    trace.predictions = positions.map((position, i) => ({
      position,
      candidates: softmaxTopK(data.subarray(i * v, (i + 1) * v), options.topK ?? k, this.codec.piece),
    }));
    if (options.keepLogits) trace.logits = { positions, values: tensorOf(logits) };
  }

  /** GPT-2 continuation: greedy (sampleTopK 1) or top-k sampling; the trace covers the final text. */
  async generate(text: string, options: GenerateOptions): Promise<Trace> {
    if (this.config.family === 't5') return this.runT5(text, undefined, options);
    if (this.config.family !== 'gpt2') throw new AtlasError('bad-input', 'Only GPT-2 and T5 models generate text.', 'BERT predicts masked words: put [MASK] in the text.');
    requireText(text);
    const prompt = toTraceTokens(this.codec.encode(text));
    const max = this.info.maxPositions ?? Infinity;
    const ids = prompt.map((t) => t.id).slice(0, this.checkLength(prompt.length, options));
    const random = mulberry32(options.seed ?? 1);
    const logitsOnly: TapRequest = { taps: new Set(), hidden: false };
    const newIds: number[] = [];
    for (let step = 0; step < options.steps && ids.length < max; step++) {
      if (options.cancelled?.()) throw new AtlasError('cancelled', 'The run was replaced by a newer one.');
      const n = ids.length;
      const out = await this.exec('main', logitsOnly, {
        [INPUT.ids]: i64(ids),
        [INPUT.positions]: i64(range(n)),
        [INPUT.mask]: bools(causalKeep(n), [n, n]),
        [INPUT.logitPositions]: i64([n - 1]),
      });
      const next = this.pick(out[OUTPUT.logits].data as Float32Array, options, random);
      ids.push(next);
      newIds.push(next);
      if (next === this.config.eosTokenId) break;
    }
    const added = generatedTokens(this.codec, newIds, text.length, this.codec.specialIds);
    return this.forwardGpt2(text + added.text, [...prompt.slice(0, ids.length - newIds.length), ...added.tokens], options);
  }

  private pick(logits: Float32Array, options: GenerateOptions, random: () => number): number {
    const k = options.sampleTopK ?? 1;
    if (k <= 1) {
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
      return best;
    }
    const temperature = options.temperature ?? 1;
    const top = softmaxTopK(logits.map((l) => l / temperature), k, this.codec.piece);
    const total = top.reduce((a, c) => a + c.prob, 0);
    let r = random() * total;
    for (const c of top) if ((r -= c.prob) <= 0) return c.id;
    return top[top.length - 1].id;
  }

  // ---- T5 -------------------------------------------------------------------

  /**
   * T5 on a source text: with a target, teacher forcing (the decoder reads the start
   * token and the target); without, greedy decoding for `steps` tokens. The decoder
   * tokens of the trace are the decoder's inputs: the start token, then the target.
   */
  async runT5(source: string, target: string | undefined, options: RunOptions | GenerateOptions): Promise<Trace> {
    if (this.config.family !== 't5') throw new AtlasError('bad-input', 'Only T5 models take a source and a target.');
    requireText(source);
    const eos = this.config.eosTokenId;
    // Teacher forcing: the decoder reads [start] + target without its closing </s>.
    const targetTokens = target === undefined ? undefined : toTraceTokens(this.codec.encode(target)).filter((t, i, all) => !(i === all.length - 1 && t.id === eos));
    return this.runT5Tokens(source, toTraceTokens(this.codec.encode(source)), target, targetTokens, options);
  }

  /**
   * T5 over given source tokens; `targetTokens` (without the start token or a closing
   * </s>) for teacher forcing, or undefined for greedy decoding.
   */
  async runT5Tokens(source: string, encoded: TraceToken[], target: string | undefined, targetTokens: TraceToken[] | undefined, options: RunOptions | GenerateOptions): Promise<Trace> {
    if (this.config.family !== 't5') throw new AtlasError('bad-input', 'Only T5 models take a source and a target.');
    const c: T5Config = this.config;
    if (encoded.length === 0) throw new AtlasError('bad-input', 'There are no source tokens to run.', 'Type a sentence into the text box.');
    const request = this.request(options);
    const s = encoded.length;
    const sourceKeep = bools(new Uint8Array(s).fill(1), [1, s]);
    const enc = await this.exec('encoder', request, {
      [INPUT.ids]: i64(encoded.map((t) => t.id)),
      [INPUT.buckets]: new ort.Tensor('int64', bucketMatrix(s, s, true, c), [s, s]),
      [INPUT.mask]: sourceKeep,
    });
    const start: TraceToken = { id: c.decoderStartTokenId, text: this.codec.piece(c.decoderStartTokenId), start: 0, end: 0, special: true };

    const runDecoder = async (ids: number[]) => {
      const n = ids.length;
      this.checkMemory(n, Math.max(n, s), request);
      return this.exec('decoder', request, {
        [INPUT.ids]: i64(ids),
        [INPUT.buckets]: new ort.Tensor('int64', bucketMatrix(n, n, false, c), [n, n]),
        [INPUT.mask]: bools(causalKeep(n), [n, n]),
        [INPUT.encoderHidden]: enc[OUTPUT.encoderHidden],
        [INPUT.encoderMask]: sourceKeep,
        [INPUT.logitPositions]: i64(range(n)),
      });
    };
    const toTrace = (targetText: string, decoderTokens: TraceToken[], out: Outputs): Trace => {
      const trace = this.baseTrace(source, encoded);
      trace.target = targetText;
      trace.decoderTokens = decoderTokens;
      trace.attention = { ...this.collect(enc, ['encoder']), ...this.collect(out, ['decoder', 'cross']) };
      if (enc[OUTPUT.hidden]) trace.hidden = tensorOf(enc[OUTPUT.hidden]);
      this.addPredictions(trace, range(decoderTokens.length), out[OUTPUT.logits], options, 5);
      return trace;
    };

    if (targetTokens !== undefined) {
      const ids = [start.id, ...targetTokens.map((t) => t.id)];
      return toTrace(target ?? '', [start, ...targetTokens], await runDecoder(ids));
    }

    const g = options as GenerateOptions;
    const steps = g.steps ?? 32;
    const ids = [start.id];
    let last = await runDecoder(ids);
    for (let step = 0; step < steps; step++) {
      if (g.cancelled?.()) throw new AtlasError('cancelled', 'The run was replaced by a newer one.');
      const v = this.info.vocabSize;
      const n = ids.length;
      const logits = (last[OUTPUT.logits].data as Float32Array).subarray((n - 1) * v, n * v);
      let best = 0;
      for (let i = 1; i < v; i++) if (logits[i] > logits[best]) best = i;
      if (best === c.eosTokenId) break;
      ids.push(best);
      last = await runDecoder(ids);
      if (g.onStep) {
        const added = generatedTokens(this.codec, ids.slice(1), 0, this.codec.specialIds);
        g.onStep(toTrace(added.text, [start, ...added.tokens], last));
      }
    }
    const added = generatedTokens(this.codec, ids.slice(1), 0, this.codec.specialIds);
    return toTrace(added.text, [start, ...added.tokens], last);
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s.catch(() => null))?.release();
    this.sessions.clear();
  }
}

export function modelInfo(config: ModelConfig, base: Pick<ModelInfo, 'id' | 'source' | 'revision'>, parameters: number): ModelInfo {
  return {
    ...base,
    family: config.family,
    modelType: config.modelType,
    layers: config.layers,
    decoderLayers: config.family === 't5' ? config.decoderLayers : undefined,
    heads: config.heads,
    headDim: headDim(config),
    dModel: config.dModel,
    vocabSize: config.vocabSize,
    maxPositions: config.family === 't5' ? null : config.maxPositions,
    positionEncoding: config.family === 't5' ? 't5-relative-bias' : 'learned-absolute',
    scaled: config.family !== 't5',
    parameters,
  };
}
