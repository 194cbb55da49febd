// T5's runtime: the encoder runs once; the decoder runs on the target (teacher forcing)
// or token by token (greedy decoding), reading the encoder's hidden states.

import { AtlasError } from '../../errors';
import { INPUT, OUTPUT } from '../../graph/taps';
import { generatedTokens, toTraceTokens } from '../../runtime/codec';
import { bools, causalKeep, i64, i64Matrix, range, tensorOf } from '../../runtime/feeds';
import type { GenerateOptions, Outputs, RunContext, RunOptions } from '../../runtime/run-context';
import type { Trace, TraceToken } from '../../trace/types';
import type { FamilyRuntime, RunInput } from '../types';
import type { T5Config } from './config';
import { bucketMatrix, buildT5Decoder, buildT5Encoder } from './graph';

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
async function forward(ctx: RunContext<T5Config>, input: RunInput, options: RunOptions | GenerateOptions): Promise<Trace> {
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
  const enc = await ctx.exec('encoder', request, {
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
  const toTrace = (targetText: string, decoderTokens: TraceToken[], out: Outputs, partial = false): Trace => {
    const trace = ctx.trace(source, encoded, null, [], partial);
    trace.target = targetText;
    trace.decoderTokens = decoderTokens;
    trace.attention = { ...ctx.collect(enc, ['encoder']), ...ctx.collect(out, ['decoder', 'cross']) };
    if (enc[OUTPUT.hidden]) trace.hidden = tensorOf(enc[OUTPUT.hidden]);
    ctx.addLens(trace, out);
    ctx.addPredictions(trace, range(decoderTokens.length), out[OUTPUT.logits], options, 5);
    return trace;
  };

  if (targetTokens !== undefined) {
    const ids = [start.id, ...targetTokens.map((t) => t.id)];
    return toTrace(target ?? '', [start, ...targetTokens], await runDecoder(ids));
  }

  const g = options as GenerateOptions;
  const limit = t5StepLimit(s);
  const steps = Math.min(g.steps ?? T5_DEFAULT_STEPS, limit);
  const ids = [start.id];
  let last = await runDecoder(ids);
  // The greedy choice after the last decoder token (T5 decodes greedily, whatever sampling was asked).
  const greedy = { steps: 0 };
  const next = () => {
    const v = ctx.info.vocabSize;
    const n = ids.length;
    return ctx.pick((last[OUTPUT.logits].data as Float32Array).subarray((n - 1) * v, n * v), greedy, Math.random);
  };
  let ended = false;
  for (let step = 0; step < steps; step++) {
    ctx.checkCancelled(g);
    const best = next();
    if (best === c.eosTokenId) {
      ended = true;
      break;
    }
    ids.push(best);
    last = await runDecoder(ids);
    if (g.onStep) {
      const added = generatedTokens(ctx.codec, ids.slice(1), 0, ctx.codec.specialIds);
      g.onStep(toTrace(added.text, [start, ...added.tokens], last, true));
    }
  }
  // The last step may still have predicted </s>.
  if (!ended) ended = next() === c.eosTokenId;
  const added = generatedTokens(ctx.codec, ids.slice(1), 0, ctx.codec.specialIds);
  const trace = toTrace(added.text, [start, ...added.tokens], last);
  // Why it stopped: </s>, the twice-the-source limit (the page says so), or the steps the caller asked for.
  trace.generation = { stopped: ended ? 'end-of-sequence' : ids.length - 1 >= limit ? 'length-limit' : 'steps', limit };
  return trace;
}

export const t5Runtime: FamilyRuntime<T5Config> = {
  parts: ['encoder', 'decoder'],
  build: (part, config, checkpoint, request) => (part === 'encoder' ? buildT5Encoder(config, checkpoint, request) : buildT5Decoder(config, checkpoint, request)),
  forward,
  // Generation is greedy decoding of the target from the source.
  generate: (ctx, text, options) => forward(ctx, { text, tokens: toTraceTokens(ctx.codec.encode(text)) }, options),
};
