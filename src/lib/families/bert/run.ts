// BERT's runtime: one bidirectional graph with a padding mask, segment ids, and
// masked-token predictions at each [MASK].

import { INPUT, OUTPUT } from '../../graph/taps';
import { bools, i64, range } from '../../runtime/feeds';
import type { Feeds } from '../../runtime/run-context';
import type { TraceToken } from '../../trace/types';
import type { FamilyRuntime } from '../types';
import type { BertConfig } from './config';
import { buildBert } from './graph';

/**
 * BERT's segment (token type) ids: 0 up to and including the first [SEP], 1 after it,
 * as for a sentence pair "A [SEP] B" — so typing [SEP] between two sentences is the
 * same as giving BERT a pair.
 */
export function segmentIds(tokens: TraceToken[], sepId: number | undefined, padId: number): number[] {
  const firstSep = tokens.findIndex((t) => t.id === sepId);
  return tokens.map((t, i) => (firstSep >= 0 && i > firstSep && t.id !== padId ? 1 : 0));
}

export const bertRuntime: FamilyRuntime<BertConfig> = {
  parts: ['main'],
  build: (_part, config, checkpoint, request) => buildBert(config, checkpoint, request),

  async forward(ctx, { text, tokens }, options) {
    const real = tokens.length;
    const padId = ctx.config.padTokenId;
    if (options.padTo && options.padTo > real)
      tokens = [...tokens, ...Array.from({ length: options.padTo - real }, () => ({ id: padId, text: ctx.codec.piece(padId), start: text.length, end: text.length, special: true }))];
    const n = tokens.length;
    const { request, leftOut } = ctx.fitRequest(n, n, ctx.request(options), options);
    ctx.checkMemory(n, n, request);
    const keep = new Uint8Array(n).fill(1, 0, real);
    const maskId = ctx.codec.id('[MASK]');
    const predictAt = range(real).filter((i) => tokens[i].id === maskId || (options.predictAll && !tokens[i].special));
    // Zero-sized tensors break some WebGPU kernels: with nothing to predict, compute one row and drop it.
    const logitRows = predictAt.length ? predictAt : [0];
    const feeds: Feeds = {
      [INPUT.ids]: i64(tokens.map((t) => t.id)),
      [INPUT.positions]: i64(range(n)),
      [INPUT.mask]: bools(keep, [1, n]),
      [INPUT.logitPositions]: i64(logitRows),
    };
    if (ctx.config.variant === 'bert') feeds[INPUT.tokenTypes] = i64(segmentIds(tokens, ctx.codec.id('[SEP]'), padId));
    const out = await ctx.exec('main', request, feeds);
    const trace = ctx.trace(text, tokens, out, ['self']);
    if (leftOut) trace.tapsLeftOut = leftOut;
    if (out[OUTPUT.logits] && predictAt.length) ctx.addPredictions(trace, predictAt, out[OUTPUT.logits], options);
    return trace;
  },
};
