// The runtime of a decoder-only causal language model (GPT-2 today; any family whose one
// graph reads ids, positions, a causal keep-mask and the positions to predict at):
// a forward pass with next-token predictions, and continuation, greedy or sampled.

import { AtlasError } from '../errors';
import { INPUT, OUTPUT, type TapRequest } from '../graph/taps';
import type { BuiltGraph } from '../graph/builder';
import type { Checkpoint } from '../graph/weights';
import { generatedTokens, toTraceTokens } from '../runtime/codec';
import { bools, causalKeep, floats, i64, range } from '../runtime/feeds';
import { usesCache, type Feeds, type GenerateOptions, type RunContext, type RunOptions } from '../runtime/run-context';
import { mulberry32 } from '../runtime/random';
import type { DenseTrace, TraceToken } from '../trace/types';
import type { FamilyConfig, FamilyRuntime, RunInput } from './types';

export interface CausalLmConfig extends FamilyConfig {
  eosTokenId: number | null;
}

const MAIN = 'main';

/** Which keys each query may see, [n, n] row-major (default: the causal mask). */
export type KeepMask<C> = (n: number, config: C) => Uint8Array;

/** Which of the keys 0..keys−1 the query at `position` may see (with a key/value cache: one row at a time). */
export type KeepRow<C> = (position: number, keys: number, config: C) => Uint8Array;

/** How a family's causal LM differs: its keep-mask, and inputs of its own at given positions (LLaMA's RoPE tables). */
export interface CausalLmOptions<C> {
  keep?: KeepMask<C>;
  keepRow?: KeepRow<C>;
  feeds?: (positions: number[], config: C) => Feeds;
}

function feeds<C>(ids: number[], logitPositions: number[], o: Required<CausalLmOptions<C>>, config: C): Feeds {
  const n = ids.length;
  return {
    ...o.feeds(range(n), config),
    [INPUT.ids]: i64(ids),
    [INPUT.positions]: i64(range(n)),
    [INPUT.mask]: bools(o.keep(n, config), [n, n]),
    [INPUT.logitPositions]: i64(logitPositions),
  };
}

const byteLength = (t: Feeds[string]): number => (t.data as Float32Array).byteLength;

/** The cache of the positions run so far, [layers, kvHeads, P, headDim] each (graph/kv-cache.ts). */
interface Cache {
  k: Feeds[string];
  v: Feeds[string];
  length: number;
}

/**
 * One step with the cache: the new tokens `ids` at positions cache.length…, attending over the
 * cached keys and their own; the logits of the last one.
 */
function cachedFeeds<C>(ids: number[], cache: Cache, o: Required<CausalLmOptions<C>>, config: C): Feeds {
  const start = cache.length;
  const positions = ids.map((_, i) => start + i);
  const keys = start + ids.length;
  const keep = new Uint8Array(ids.length * keys);
  positions.forEach((p, i) => keep.set(o.keepRow(p, keys, config), i * keys));
  return {
    ...o.feeds(positions, config),
    [INPUT.ids]: i64(ids),
    [INPUT.positions]: i64(positions),
    [INPUT.mask]: bools(keep, [ids.length, keys]),
    [INPUT.logitPositions]: i64([ids.length - 1]),
    [INPUT.pastK]: cache.k,
    [INPUT.pastV]: cache.v,
  };
}

async function forward<C extends CausalLmConfig>(ctx: RunContext<C>, family: Required<CausalLmOptions<C>>, text: string, tokens: TraceToken[], options: RunOptions): Promise<DenseTrace> {
  const n = tokens.length;
  const { request, leftOut } = ctx.fitRequest(n, n, ctx.request(options), options);
  ctx.checkMemory(n, n, request);
  // Next-token logits are all the app needs; the LM head over every position is ~30 % of GPT-2's FLOPs.
  const positions = options.predictAll ? range(n) : [n - 1];
  const out = await ctx.exec(MAIN, request, feeds(tokens.map((t) => t.id), positions, family, ctx.config));
  const trace = ctx.trace(text, tokens, out, ['self']);
  if (leftOut) trace.tapsLeftOut = leftOut;
  ctx.addPredictions(trace, positions, out[OUTPUT.logits], options);
  return trace;
}

export function causalLmRuntime<C extends CausalLmConfig>(
  build: (config: C, checkpoint: Checkpoint, request: TapRequest) => BuiltGraph,
  options: CausalLmOptions<C> = {},
): FamilyRuntime<C> {
  const family: Required<CausalLmOptions<C>> = {
    keep: options.keep ?? ((n) => causalKeep(n)),
    // Causal: the query at position p sees keys 0..p, which are all the keys a cached step has.
    keepRow: options.keepRow ?? ((position, keys) => new Uint8Array(keys).fill(1, 0, position + 1)),
    feeds: options.feeds ?? (() => ({})),
  };
  return {
    parts: [MAIN],
    build: (_part, config, checkpoint, request) => build(config, checkpoint, request),
    forward: (ctx, input: RunInput, options) => forward(ctx, family, input.text, input.tokens, options),

    /** Continuation: greedy (sampleTopK 1) or top-k sampling; the trace covers the final text. */
    async generate(ctx: RunContext<C>, text: string, options: GenerateOptions): Promise<DenseTrace> {
      // The runner has checked that there is text.
      const prompt = toTraceTokens(ctx.codec.encode(text));
      if (prompt.length === 0) throw new AtlasError('bad-input', 'There are no tokens to run.', 'Type a sentence into the text box.');
      const max = ctx.info.maxPositions ?? Infinity;
      const ids = prompt.map((t) => t.id).slice(0, ctx.checkLength(prompt.length, options));
      const random = mulberry32(options.seed ?? 1);
      // Only the logits, but the same ablation: an ablated model writes its own continuation.
      const logitsOnly: TapRequest = { ...ctx.request(options), taps: new Set(), hidden: false, logitLens: false, positionEmbedding: false };
      const newIds: number[] = [];
      const steps: NonNullable<DenseTrace['generated']>['steps'] = [];
      // With the cache (the default) each step runs only the newest token; the first runs the prompt
      // against an empty cache. Without it every step runs the whole text again (to compare).
      const useCache = usesCache(options);
      const { layers, heads, headDim } = ctx.info;
      const kvHeads = ctx.info.kvHeads ?? heads;
      const empty = () => floats(new Float32Array(0), [layers, kvHeads, 0, headDim]);
      let cache: Cache = { k: empty(), v: empty(), length: 0 };
      const started = performance.now();
      const stepMs: number[] = [];
      for (let step = 0; step < options.steps && ids.length < max; step++) {
        ctx.checkCancelled(options);
        const t0 = performance.now();
        const out = useCache
          ? await ctx.exec(MAIN, { ...logitsOnly, kvCache: true }, cachedFeeds(ids.slice(cache.length), cache, family, ctx.config))
          : await ctx.exec(MAIN, logitsOnly, feeds(ids, [ids.length - 1], family, ctx.config));
        if (useCache) cache = { k: out[OUTPUT.presentK], v: out[OUTPUT.presentV], length: ids.length };
        const logits = out[OUTPUT.logits].data as Float32Array;
        stepMs.push(performance.now() - t0);
        const next = ctx.pick(logits, options, random);
        steps.push(ctx.stepChoice(logits, next));
        ids.push(next);
        newIds.push(next);
        if (next === ctx.config.eosTokenId) break;
      }
      const added = generatedTokens(ctx.codec, newIds, text.length, ctx.codec.specialIds);
      const from = ids.length - newIds.length;
      const trace = await forward(ctx, family, text + added.text, [...prompt.slice(0, from), ...added.tokens], options);
      // The steps line up with the generated tokens when decoding gave one token per id (it always
      // does here: generatedTokens makes one token per id).
      if (added.tokens.length === steps.length) trace.generated = { from, steps, cache: useCache, msPerToken: steps.length ? (performance.now() - started) / steps.length : 0, stepMs, ...(useCache ? { cacheBytes: byteLength(cache.k) + byteLength(cache.v) } : {}) };
      return trace;
    },
  };
}
