// Runs a loaded model: text → graph inputs → onnxruntime session → DenseTrace.
// The same class runs in the browser's worker and in Node (CLI, tests, benchmarks).
// Nothing here knows a family: the family's runtime (src/lib/families/<family>/run.ts)
// prepares the inputs and reads the outputs; this class keeps the sessions, the
// WebGPU → WASM fallback and the guards (length, memory, cancellation).

import { AtlasError } from '../errors';
import { familySpec, type AnyFamilySpec, type ModelConfig } from '../families';
import type { FamilyRuntime } from '../families/types';
import { INPUT, OUTPUT, type Ablation, type TapRequest } from '../graph/taps';
import type { TapName } from '../vocabulary/taps';
import { ABLATION_MODES, ablationFactors } from '../graph/ablation';
import { LENS_OUTPUT, LENS_POSITIONS, lensWindow } from '../graph/logit-lens';
import { POSITION_OUTPUT, POSITION_SAMPLE, positionSample } from '../graph/position-embedding';
import { attentionKinds } from '../families';
import type { BuiltGraph } from '../graph/builder';
import type { Checkpoint } from '../graph/weights';
import type { AttentionKind, Backend, ModelInfo, Prediction, DenseTrace, TraceToken } from '../trace/types';
import { TAP_KEYS, TAP_NAMES, DEFAULT_TAPS } from '../vocabulary/taps';
import type * as Ort from 'onnxruntime-web';
import { ort, sessionOptions } from './backend';
import { requireText, toTraceTokens, type TextCodec } from './codec';
import { tensorOf } from './feeds';
import { estimateTraceBytes, TRACE_MEMORY_LIMIT } from './memory';
import type { Feeds, GenerateOptions, Outputs, RunContext, RunOptions } from './run-context';

export type { RunOptions, GenerateOptions } from './run-context';

/** softmax(logits)[id], computed stably. */
function softmaxAt(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  return Math.exp(logits[id] - max) / sum;
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

/** A trace of an ablated model says so: its predictions are the ablated model's, its taps what each head computed. */
function withAblation(trace: DenseTrace, options: RunOptions): DenseTrace {
  return options.ablation?.heads.length ? { ...trace, ablation: { heads: options.ablation.heads.map((h) => ({ ...h })), mode: options.ablation.mode } } : trace;
}

export class ModelRunner implements RunContext<ModelConfig> {
  private sessions = new Map<string, Promise<Ort.InferenceSession>>();
  /** Time spent creating sessions and running them since the current request began. */
  private clock = { runMs: 0, buildMs: 0 };
  readonly spec: AnyFamilySpec;

  constructor(
    readonly config: ModelConfig,
    readonly info: ModelInfo,
    readonly codec: TextCodec,
    private readonly checkpoint: Checkpoint,
    public backend: Backend,
    private readonly runtime: FamilyRuntime<ModelConfig>,
  ) {
    this.spec = familySpec(config.family);
  }

  request(options: RunOptions): TapRequest {
    const ablation = options.ablation?.heads.length ? options.ablation : undefined;
    if (ablation) this.checkAblation(ablation);
    return { taps: new Set(options.taps ?? DEFAULT_TAPS), hidden: options.hidden ?? false, ...(ablation ? { ablation } : {}), ...(options.logitLens ? { logitLens: true, ...(typeof options.logitLens === 'object' ? { lensPositions: options.logitLens.positions, lensBudget: options.logitLens.budget } : {}) } : {}), ...(options.positionEmbedding && this.spec.positionEncoding === 'learned-absolute' ? { positionEmbedding: true } : {}) };
  }

  /** Ablated heads must exist: a head that is not there would silently ablate nothing. */
  private checkAblation(a: Ablation): void {
    const kinds = attentionKinds(this.info.family);
    for (const { kind, layer, head } of a.heads) {
      const layers = kind === 'decoder' || kind === 'cross' ? (this.info.decoderLayers ?? this.info.layers) : this.info.layers;
      if (!kinds.includes(kind)) throw new AtlasError('bad-input', `${this.info.id} has no ${kind} attention to ablate.`, `Its stacks: ${kinds.join(', ')}.`);
      if (!(Number.isInteger(layer) && layer >= 0 && layer < layers && Number.isInteger(head) && head >= 0 && head < this.info.heads))
        throw new AtlasError('bad-input', `${this.info.id} has no ${kind} layer ${layer}, head ${head} to ablate.`, `Layers 0–${layers - 1}, heads 0–${this.info.heads - 1}.`);
    }
    if (!ABLATION_MODES.includes(a.mode)) throw new AtlasError('bad-input', `Unknown ablation mode ${a.mode}.`, `Modes: ${ABLATION_MODES.join(', ')}.`);
  }

  /** The ablation factors for every `ablate.<kind>` input a session declares. */
  private ablationFeeds(session: Ort.InferenceSession, a: Ablation): Feeds {
    const feeds: Feeds = {};
    for (const name of session.inputNames) {
      if (!name.startsWith('ablate.')) continue;
      const kind = name.slice('ablate.'.length) as AttentionKind;
      const layers = kind === 'decoder' || kind === 'cross' ? (this.info.decoderLayers ?? this.info.layers) : this.info.layers;
      const heads = a.heads.filter((x) => x.kind === kind).map((x) => [x.layer, x.head] as [number, number]);
      feeds[name] = new ort.Tensor('float32', ablationFactors(layers, this.info.heads, heads, a.mode), [layers, this.info.heads, 3]);
    }
    return feeds;
  }

  private build(part: string, request: TapRequest): BuiltGraph {
    return this.runtime.build(part, this.config, this.checkpoint, request);
  }

  /** Builds every graph once without running it, so a missing or mis-shaped tensor is reported at load time. */
  validate(): void {
    for (const part of this.runtime.parts) this.build(part, { taps: new Set(TAP_NAMES), hidden: true });
  }

  /** One session per graph and tap set; building a graph is cheap, creating a session is not. */
  private session(part: string, request: TapRequest): Promise<Ort.InferenceSession> {
    const key = `${part}:${[...request.taps].sort().join(',')}:${request.hidden}:${request.logitLens ? 'lens' : ''}:${request.positionEmbedding ? 'positions' : ''}:${request.kvCache ? 'kv' : ''}:${request.ablation ? 'ablate' : ''}`;
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
  async exec(part: string, request: TapRequest, feeds: Feeds): Promise<Outputs> {
    try {
      const t0 = performance.now();
      const session = await this.session(part, request);
      const t1 = performance.now();
      const extra = { ...(request.ablation ? this.ablationFeeds(session, request.ablation) : {}), ...(session.inputNames.includes(LENS_POSITIONS) ? this.lensFeeds(feeds, request) : {}), ...(session.inputNames.includes(POSITION_SAMPLE) ? this.positionFeeds() : {}) };
      const out = await session.run({ ...feeds, ...extra });
      this.clock.buildMs += t1 - t0;
      this.clock.runMs += performance.now() - t1;
      return out;
    } catch (e) {
      if (e instanceof AtlasError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (this.backend.name !== 'webgpu')
        throw new AtlasError('runtime-failed', `The model failed to run: ${message}`, 'Try a shorter text or reload the page; your text and settings are kept.');
      await this.release();
      this.backend = { name: 'wasm', threads: ort.env.wasm.numThreads as number, reason: `WebGPU failed (${message.slice(0, 160)}), so the model now runs on the CPU with WASM.`, why: 'webgpu-failed' };
      return this.exec(part, request, feeds);
    }
  }

  checkLength(n: number, options: RunOptions, what = 'text'): number {
    const limit = this.spec.lengthLimit;
    const max = this.info.maxPositions ?? limit?.tokens ?? null;
    if (max !== null && n > max) {
      if (options.truncate) return max;
      const why = this.info.maxPositions === null && limit ? ` (${limit.why})` : '';
      throw new AtlasError(
        'too-long',
        `The ${what} is ${n} tokens long; ${this.info.id} reads at most ${max}${why}.`,
        `Shorten the ${what}, or run on its first ${max} tokens (in the explorer: “Run on the first part”; in the CLI: --truncate).`,
      );
    }
    return n;
  }

  checkMemory(queries: number, keys: number, request: TapRequest): void {
    const bytes = estimateTraceBytes(this.info, queries, keys, request);
    if (bytes > TRACE_MEMORY_LIMIT)
      throw new AtlasError(
        'too-much-memory',
        `This run would keep about ${Math.round(bytes / 1e6)} MB of attention data, over the ${Math.round(TRACE_MEMORY_LIMIT / 1e6)} MB this app allows.`,
        'Shorten the text, or choose fewer taps (probabilities only).',
      );
  }

  fitRequest(queries: number, keys: number, request: TapRequest, options: RunOptions): { request: TapRequest; leftOut?: DenseTrace['tapsLeftOut'] } {
    if (!options.fitTaps) return { request };
    const bytes = estimateTraceBytes(this.info, queries, keys, request);
    if (bytes <= TRACE_MEMORY_LIMIT) return { request };
    const taps = new Set(request.taps);
    const leftOut: TapName[] = [];
    // Scores are as large as the weights and only checked, never drawn; then the vectors the Q/K/V view needs.
    for (const tap of ['scores', 'qPreRope', 'kPreRope', 'context', 'valueNorms', 'v', 'k', 'q'] as const) {
      if (estimateTraceBytes(this.info, queries, keys, { ...request, taps }) <= TRACE_MEMORY_LIMIT) break;
      if (taps.delete(tap)) leftOut.push(tap);
    }
    const fitted = { ...request, taps };
    this.checkMemory(queries, keys, fitted);
    return { request: fitted, leftOut: { taps: leftOut, bytes } };
  }

  checkCancelled(options: GenerateOptions): void {
    if (options.cancelled?.()) throw new AtlasError('cancelled', 'The run was replaced by a newer one.');
  }

  /** Graph outputs are named `<kind>.<tap>`; every key of the tap registry is read. */
  collect(out: Outputs, kinds: readonly AttentionKind[]): DenseTrace['attention'] {
    const attention: DenseTrace['attention'] = {};
    for (const kind of kinds) {
      const taps: NonNullable<DenseTrace['attention'][AttentionKind]> = {};
      for (const tap of TAP_KEYS) if (out[`${kind}.${tap}`]) taps[tap] = tensorOf(out[`${kind}.${tap}`]);
      if (Object.keys(taps).length) attention[kind] = taps;
    }
    return attention;
  }

  trace(text: string, tokens: TraceToken[], out: Outputs | null, kinds: readonly AttentionKind[], partial = false): DenseTrace {
    const timings = { runMs: this.clock.runMs, buildMs: this.clock.buildMs };
    if (!partial) this.clock = { runMs: 0, buildMs: 0 };
    const trace: DenseTrace = { version: 1, model: this.info, backend: this.backend, text, tokens, attention: {}, timings };
    if (out) {
      trace.attention = this.collect(out, kinds);
      if (out[OUTPUT.hidden]) trace.hidden = tensorOf(out[OUTPUT.hidden]);
      this.addLens(trace, out);
      if (out[POSITION_OUTPUT.norms]) trace.positionEmbedding = { norms: tensorOf(out[POSITION_OUTPUT.norms]), samples: this.positionRows(), similarity: tensorOf(out[POSITION_OUTPUT.similarity]) };
    }
    return trace;
  }

  /** The position-table rows compared (every s-th up to the model's limit). */
  private positionRows(): number[] {
    return positionSample(this.info.maxPositions ?? 0);
  }

  private positionFeeds(): Feeds {
    const rows = this.positionRows();
    return { [POSITION_SAMPLE]: new ort.Tensor('int64', BigInt64Array.from(rows, BigInt), [rows.length]) };
  }

  /** The lens positions fed last (the trace records them). */
  private lensPositions: number[] = [];

  /** The positions the lens reads: those asked for (within the input), or every one. */
  private lensFeeds(feeds: Feeds, request: TapRequest): Feeds {
    const n = feeds[INPUT.ids].dims[0];
    const asked = request.lensPositions?.filter((p) => Number.isInteger(p) && p >= 0 && p < n);
    const layers = Math.max(this.info.layers, this.info.decoderLayers ?? 0);
    if (asked?.length) this.lensPositions = asked;
    else if (request.lensBudget) this.lensPositions = lensWindow(n, layers, this.info.dModel, this.info.vocabSize, request.lensBudget);
    else this.lensPositions = Array.from({ length: n }, (_, i) => i);
    return { [LENS_POSITIONS]: new ort.Tensor('int64', BigInt64Array.from(this.lensPositions, BigInt), [this.lensPositions.length]) };
  }

  addLens(trace: DenseTrace, out: Outputs): void {
    if (!out[LENS_OUTPUT.probs]) return;
    const ids = tensorOf(out[LENS_OUTPUT.ids]);
    trace.logitLens = { positions: [...this.lensPositions], probs: tensorOf(out[LENS_OUTPUT.probs]), ids, rank: tensorOf(out[LENS_OUTPUT.rank]), texts: Array.from(ids.data, (id) => this.codec.piece(id)) };
  }

  addPredictions(trace: DenseTrace, positions: number[], logits: Ort.Tensor, options: RunOptions, k = 10): void {
    const v = this.info.vocabSize;
    const data = logits.data as Float32Array;
    trace.predictions = positions.map((position, i) => ({
      position,
      candidates: softmaxTopK(data.subarray(i * v, (i + 1) * v), options.topK ?? k, this.codec.piece),
    }));
    if (options.keepLogits) trace.logits = { positions, values: tensorOf(logits) };
  }

  stepChoice(logits: Float32Array, id: number): NonNullable<DenseTrace['generated']>['steps'][number] {
    return { id, text: this.codec.piece(id), prob: softmaxAt(logits, id), alternatives: softmaxTopK(logits, 5, this.codec.piece) };
  }

  pick(logits: Float32Array, options: GenerateOptions, random: () => number): number {
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

  // ---- What callers use -------------------------------------------------------

  /**
   * One forward pass over a text. Seq2seq models (T5) read it as the source: with a
   * `target`, teacher forcing; without, greedy decoding for `steps` tokens.
   */
  async run(text: string, options: RunOptions | GenerateOptions = {}, target?: string): Promise<DenseTrace> {
    requireText(text);
    return this.runTokens(text, toTraceTokens(this.codec.encode(text)), options, target === undefined ? undefined : { target });
  }

  /**
   * One forward pass over given tokens, e.g. ids made by a script. For seq2seq models,
   * `target.tokens` (without the start token or a closing </s>) are the decoder's input.
   */
  async runTokens(text: string, tokens: TraceToken[], options: RunOptions | GenerateOptions = {}, target?: { target?: string; tokens?: TraceToken[] }): Promise<DenseTrace> {
    if (tokens.length === 0) throw new AtlasError('bad-input', 'There are no tokens to run.', 'Type a sentence into the text box.');
    const all = tokens.length;
    tokens = tokens.slice(0, this.checkLength(all, options));
    const seq2seq = this.spec.task === 'seq2seq';
    const trace = withAblation(await this.runtime.forward(this, { text, tokens, target: seq2seq ? target?.target : undefined, targetTokens: seq2seq ? target?.tokens : undefined }, options), options);
    // Cut to the model's length: the trace says so, so the page can say how much it shows.
    if (tokens.length < all) trace.truncated = { tokens: all };
    return trace;
  }

  /** Tokens for bare ids (no source text, so no spans). */
  tokensOf(ids: number[]): TraceToken[] {
    return ids.map((id) => ({ id, text: this.codec.piece(id), start: 0, end: 0, special: this.codec.specialIds.has(id) }));
  }

  /** Writes text: a causal LM continues it, a seq2seq model writes a target for it. */
  async generate(text: string, options: GenerateOptions): Promise<DenseTrace> {
    if (!this.runtime.generate)
      throw new AtlasError('bad-input', `${this.spec.label} models do not generate text.`, this.spec.task === 'fill-mask' ? `${this.spec.label} predicts masked words: put [MASK] in the text.` : undefined);
    requireText(text);
    return withAblation(await this.runtime.generate(this, text, options), options);
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s.catch(() => null))?.release();
    this.sessions.clear();
  }
}

export function modelInfo(config: ModelConfig, base: Pick<ModelInfo, 'id' | 'source' | 'revision'>, parameters: number): ModelInfo {
  const spec = familySpec(config.family);
  const info: ModelInfo = {
    ...base,
    family: config.family,
    modelType: config.modelType,
    ...spec.shape(config),
    positionEncoding: spec.positionEncoding,
    scaled: spec.scaled,
    parameters,
  };
  if (info.decoderLayers === undefined) delete info.decoderLayers;
  return info;
}
