// The results bench/forward.ts measures, shared with the report writer.

import type { FlopCount } from '../flops';

export type ForwardFamily = 'gpt2' | 'bert' | 't5';

export interface VariantResult {
  /** e.g. 'logits only', 'probs', 'all taps', 'logits only, all positions'. */
  variant: string;
  taps: string[];
  predictAll: boolean;
  tokens: number;
  /** T5: decoder tokens (teacher forcing). */
  decoderTokens?: number;
  /** Positions the LM head computed (from the trace's predictions). */
  logitPositions: number;
  /** Wall time of ModelRunner.run (tokenize → feeds → session.run → Trace), ms. */
  wallMs: number[];
  /** CPU time of the whole process (all threads) during each run, ms: over wall time, how many cores the run kept busy. */
  cpuMs: number[];
  /** Of which onnxruntime's session.run, ms (the trace's timings.runMs). */
  sessionMs: number[];
  /** The warm-up run, which also created this tap set's session(s). */
  firstRunMs: number;
  sessionCreateMs: number;
  /** Bytes of the trace's typed arrays (taps, hidden). */
  traceBytes: number;
  flops: FlopCount;
}

export interface ForwardChildResult {
  family: ForwardFamily;
  config: string;
  parameters: number;
  threads: number;
  runs: number;
  /** Making the random checkpoint and its safetensors bytes, ms. */
  checkpointMs: number;
  /** loadModel: parse, tokenizer, graph validation, ms. */
  loadMs: number;
  variants: VariantResult[];
  /** Process RSS with the checkpoint loaded, before any session exists (after a GC), bytes. */
  rssLoaded: number;
  /** Process RSS after each length's runs (after a GC), bytes, by token count. */
  rssAfter: Record<number, number>;
  /** Peak RSS of the whole child process, bytes. */
  maxRss: number;
  /** The load average when this child started and finished. */
  load: [number[], number[]];
}

export interface ForwardResults {
  started: string;
  runs: number;
  children: ForwardChildResult[];
  wallSeconds: number;
}
