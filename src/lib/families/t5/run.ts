// T5's runtime: the encoder runs once; the decoder runs on the target (teacher forcing)
// or token by token (greedy decoding), reading the encoder's hidden states.

import { AtlasError } from '../../errors';
import { INPUT, OUTPUT } from '../../graph/taps';
import { generatedTokens, toTraceTokens } from '../../runtime/codec';
import { bools, causalKeep, floats, i64, i64Matrix, range, tensorOf } from '../../runtime/feeds';
import { usesCache, type Feeds, type GenerateOptions, type Outputs, type RunContext, type RunOptions } from '../../runtime/run-context';
import type { TapRequest } from '../../graph/taps';
import type { DenseTrace, TraceToken } from '../../trace/types';
import type { FamilyRuntime, RunInput } from '../types';
import type { T5Config } from './config';
import { bucketMatrix, buildT5Decoder, buildT5Encoder } from './graph';
import { StepRows } from './step-rows';

/** Greedy decoding stops after this many tokens when no `steps` is given. */
export const T5_DEFAULT_STEPS = 32;

/** Greedy decoding never writes more than twice the source's tokens: a model that loops stops there. */
export function t5StepLimit(sourceTokens: number): number {
  return 2 * sourceTokens;
}

/**
 * T5 on source tokens; with `targetTokens` (without the start token or a closing </s>)
 * teacher forcing, without them greedy decoding. The decoder tokens of the trace are
 * the decoder's inputs: the start token, then the target.
 */
async function forward(ctx: RunContext<T5Config>, input: RunInput, options: RunOptions | GenerateOptions): Promise<DenseTrace> {
  const c = ctx.config;
  const { text: source, target } = input;
  // Generation comes here straight from the text, so the source's length is checked here too.
  const encoded = input.tokens.slice(0, ctx.checkLength(input.tokens.length, options));
  if (encoded.length === 0) throw new AtlasError('bad-input', 'There are no source tokens to run.', 'Type a sentence into the text box.');
  // Teacher forcing: the decoder reads [start] + target without its closing </s>.
  const targetTokens =
    input.targetTokens ?? (target === undefined ? undefined : toTraceTokens(ctx.codec.encode(target)).filter((t, i, all) => !(i === all.length - 1 && t.id === c.eosTokenId)));
  const request = ctx.request(options);
  const s = encoded.length;
  // Before the encoder runs: the decoder's length and the memory of the whole trace.
  const g0 = options as GenerateOptions;
  const decoderLength = targetTokens !== undefined ? ctx.checkLength(targetTokens.length + 1, {}, 'target') : Math.min(g0.steps ?? T5_DEFAULT_STEPS, t5StepLimit(s)) + 1;
  ctx.checkMemory(Math.max(decoderLength, s), Math.max(decoderLength, s), request);
  const sourceKeep = bools(new Uint8Array(s).fill(1), [1, s]);
  // Greedy decoding with the cache: the encoder graph also projects cross-attention's keys and values, once.
  const cachedDecoding = targetTokens === undefined && usesCache(g0);
  const enc = await ctx.exec('encoder', cachedDecoding ? { ...request, kvCache: true } : request, {
    [INPUT.ids]: i64(encoded.map((t) => t.id)),
    [INPUT.buckets]: i64Matrix(bucketMatrix(s, s, true, c), [s, s]),
    [INPUT.mask]: sourceKeep,
  });
  const start: TraceToken = { id: c.decoderStartTokenId, text: ctx.codec.piece(c.decoderStartTokenId), start: 0, end: 0, special: true };

  const runDecoder = async (ids: number[]) => {
    const n = ids.length;
    ctx.checkMemory(n, Math.max(n, s), request);
    return ctx.exec('decoder', request, {
      [INPUT.ids]: i64(ids),
      [INPUT.buckets]: i64Matrix(bucketMatrix(n, n, false, c), [n, n]),
      [INPUT.mask]: bools(causalKeep(n), [n, n]),
      [INPUT.encoderHidden]: enc[OUTPUT.encoderHidden],
      [INPUT.encoderMask]: sourceKeep,
      [INPUT.logitPositions]: i64(range(n)),
    });
  };
  /** The decoder's side of a trace: its and cross-attention's taps, and the logits [positions, vocab] at every decoder token. */
  const toTrace = (targetText: string, decoderTokens: TraceToken[], decoded: Decoded, partial = false): DenseTrace => {
    const trace = ctx.trace(source, encoded, null, [], partial);
    trace.target = targetText;
    trace.decoderTokens = decoderTokens;
    trace.attention = { ...ctx.collect(enc, ['encoder']), ...decoded.attention };
    if (enc[OUTPUT.hidden]) trace.hidden = tensorOf(enc[OUTPUT.hidden]);
    if (decoded.out) ctx.addLens(trace, decoded.out);
    ctx.addPredictions(trace, range(decoderTokens.length), decoded.logits, options, 5);
    return trace;
  };
  const wholeRun = (out: Outputs): Decoded => ({ attention: ctx.collect(out, ['decoder', 'cross']), logits: out[OUTPUT.logits], out });

  if (targetTokens !== undefined) {
    const ids = [start.id, ...targetTokens.map((t) => t.id)];
    return toTrace(target ?? '', [start, ...targetTokens], wholeRun(await runDecoder(ids)));
  }

  const g = options as GenerateOptions;
  const limit = t5StepLimit(s);
  const steps = Math.min(g.steps ?? T5_DEFAULT_STEPS, limit);
  const decoding = cachedDecoding ? cachedSteps(ctx, request, enc, sourceKeep, !!g.onStep) : recomputing(runDecoder, wholeRun, ctx.info.vocabSize);
  const ids = [start.id];
  const stepMs: number[] = [];
  const started = performance.now();
  const timed = async (): Promise<Float32Array> => {
    const t0 = performance.now();
    const logits = await decoding.run(ids);
    stepMs.push(performance.now() - t0);
    return logits;
  };
  let logits = await timed();
  // The greedy choice after the last decoder token (T5 decodes greedily, whatever sampling was asked).
  const greedy = { steps: 0 };
  const next = () => ctx.pick(logits, greedy, Math.random);
  let ended = false;
  for (let step = 0; step < steps; step++) {
    ctx.checkCancelled(g);
    const best = next();
    if (best === c.eosTokenId) {
      ended = true;
      break;
    }
    ids.push(best);
    logits = await timed();
    if (g.onStep) {
      const added = generatedTokens(ctx.codec, ids.slice(1), 0, ctx.codec.specialIds);
      g.onStep(toTrace(added.text, [start, ...added.tokens], decoding.sofar(), true));
    }
  }
  // The last step may still have predicted </s>.
  if (!ended) ended = next() === c.eosTokenId;
  const msPerToken = ids.length > 1 ? (performance.now() - started) / (ids.length - 1) : 0;
  const added = generatedTokens(ctx.codec, ids.slice(1), 0, ctx.codec.specialIds);
  // The finished trace is one whole decoder run over what was written, with or without the cache, so every view has every tap.
  const trace = toTrace(added.text, [start, ...added.tokens], cachedDecoding ? wholeRun(await runDecoder(ids)) : decoding.sofar());
  // Why it stopped: </s>, the twice-the-source limit (the page says so), or the steps the caller asked for.
  trace.generation = {
    stopped: ended ? 'end-of-sequence' : ids.length - 1 >= limit ? 'length-limit' : 'steps',
    limit,
    cache: cachedDecoding,
    msPerToken,
    stepMs,
    ...(decoding.cacheBytes ? { cacheBytes: decoding.cacheBytes() } : {}),
  };
  return trace;
}

/** The decoder's part of a trace: the taps of its stacks, the logits at every decoder token, and the outputs (for the logit lens) of a whole run. */
interface Decoded {
  attention: DenseTrace['attention'];
  logits: Feeds[string];
  out?: Outputs;
}

/** How greedy decoding runs the decoder: `run` takes every decoder token so far and returns the last one's logits. */
interface Decoding {
  run(ids: number[]): Promise<Float32Array>;
  /** The decoder's side of the trace over every token run so far. */
  sofar(): Decoded;
  /** With the cache: the bytes of the self-attention keys and values the last step returned. */
  cacheBytes?(): number;
}

/** Without the cache: the whole decoder runs over every token so far, each step. */
function recomputing(runDecoder: (ids: number[]) => Promise<Outputs>, wholeRun: (out: Outputs) => Decoded, vocab: number): Decoding {
  let last: Outputs = {};
  return {
    async run(ids) {
      last = await runDecoder(ids);
      const n = ids.length;
      return (last[OUTPUT.logits].data as Float32Array).subarray((n - 1) * vocab, n * vocab);
    },
    sofar: () => wholeRun(last),
  };
}

/**
 * With the cache: the decoder runs only the tokens not yet cached (the start token, then one per
 * step) against the self-attention keys and values of the earlier ones, and cross-attention reads
 * the keys and values the encoder graph projected once (`enc`). The steps' taps are stacked back
 * into whole tensors (step-rows.ts) for the partial traces; the logit lens is left to the final trace.
 */
function cachedSteps(ctx: RunContext<T5Config>, request: TapRequest, enc: Outputs, sourceKeep: Feeds[string], watched: boolean): Decoding {
  const c = ctx.config;
  const vocab = ctx.info.vocabSize;
  const s = (sourceKeep.dims as readonly number[])[1];
  // Taps only when partial traces are watched (the page); otherwise the steps need only their logits, the final run has the taps.
  const stepRequest: TapRequest = { ...request, taps: watched ? request.taps : new Set(), hidden: false, logitLens: false, positionEmbedding: false, kvCache: true };
  const empty = floats(new Float32Array(0), [c.decoderLayers, c.heads, 0, c.dKv]);
  let past: { k: Feeds[string]; v: Feeds[string]; length: number } = { k: empty, v: empty, length: 0 };
  const rows = new StepRows();
  const logits: Float32Array[] = [];
  return {
    async run(ids) {
      const fresh = ids.slice(past.length);
      const n = fresh.length;
      const keys = ids.length;
      ctx.checkMemory(n, Math.max(keys, s), stepRequest);
      // Each new query's row of the causal mask and of the relative-position buckets.
      const keep = new Uint8Array(n * keys);
      for (let i = 0; i < n; i++) keep.fill(1, i * keys, i * keys + past.length + i + 1);
      const buckets = bucketMatrix(n, keys, false, c, past.length);
      const out = await ctx.exec('decoder', stepRequest, {
        [INPUT.ids]: i64(fresh),
        [INPUT.buckets]: i64Matrix(buckets, [n, keys]),
        [INPUT.mask]: bools(keep, [n, keys]),
        [INPUT.pastK]: past.k,
        [INPUT.pastV]: past.v,
        [INPUT.crossK]: enc[OUTPUT.crossK],
        [INPUT.crossV]: enc[OUTPUT.crossV],
        [INPUT.encoderMask]: sourceKeep,
        [INPUT.logitPositions]: i64(range(n)),
      });
      past = { k: out[OUTPUT.presentK], v: out[OUTPUT.presentV], length: keys };
      const taps = ctx.collect(out, ['decoder', 'cross']);
      rows.add('decoder', taps.decoder ?? {});
      rows.add('cross', taps.cross ?? {});
      rows.endStep(n);
      const all = out[OUTPUT.logits].data as Float32Array;
      for (let i = 0; i < n; i++) logits.push(all.slice(i * vocab, (i + 1) * vocab));
      return logits[logits.length - 1];
    },
    sofar() {
      const all = new Float32Array(logits.length * vocab);
      logits.forEach((row, i) => all.set(row, i * vocab));
      return { attention: { decoder: rows.taps('decoder'), cross: rows.taps('cross') }, logits: floats(all, [logits.length, vocab]) };
    },
    cacheBytes: () => (past.k.data as Float32Array).byteLength + (past.v.data as Float32Array).byteLength,
  };
}

export const t5Runtime: FamilyRuntime<T5Config> = {
  parts: ['encoder', 'decoder'],
  build: (part, config, checkpoint, request) => (part === 'encoder' ? buildT5Encoder(config, checkpoint, request) : buildT5Decoder(config, checkpoint, request)),
  forward,
  // Generation is greedy decoding of the target from the source.
  generate: (ctx, text, options) => forward(ctx, { text, tokens: toTraceTokens(ctx.codec.encode(text)) }, options),
};
