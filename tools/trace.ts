// npm run trace -- --model <dir | embedded id | hub id | llama2.c model.bin [--tokenizer tokenizer.bin]> --text "…" | --text-file f [--target "…"]
//                  [--generate N] [--taps probs,q,k,v,scores,context] [--hidden]
//                  [--analysis valueNorms,valueWeighted,rollout,logitLens]
//                  [--ablate L:H[,L:H…] (T5: encoder:L:H, decoder:L:H, cross:L:H)] [--ablate-mode zero|mean|uniform]
//                  [--revision R] [--threads N] [--out file.json]
//
// Runs a model with the app's own code (onnxruntime-web WASM in Node) and writes the
// trace as JSON: to --out, or to standard output. A one-line summary goes to stderr
// (or stdout when --out is given). This is also the research workflow: dump attention
// from a script and read `attentions.self[layer][head][query][key]`.

import { QUANTIZATIONS, type Quantization } from '../src/lib/graph/quantize';
import type { LoadOptions } from '../src/lib/runtime/load';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { AtlasError } from '../src/lib/errors';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import { loadModelDir } from '../src/lib/runtime/node';
import { checkVocabulary } from '../src/lib/runtime/vocab-check';
import { probePatternsInThread, probeTokenizerInThread } from '../src/lib/runtime/pattern-probe-node';
import { TOKENIZE_BUDGET_MS } from '../src/lib/runtime/codec';
import { normalizerOf, tokenizerPatterns } from '../src/lib/tokenize/patterns';
import { fetchModelFiles, filesFromDrop, type FileCache } from '../src/lib/hub/sources';
import { llama2cToHfFiles } from '../src/lib/hub/llama2c';
import type { ModelRunner } from '../src/lib/runtime/runner';
import { TAP_NAMES, type TapName, type Trace } from '../src/lib/trace/types';
import { traceToJSONChunks } from '../src/lib/trace/json-stream';
import { ANALYSES, attachAnalyses, type AnalysisName } from '../src/lib/trace/analysis';
import { ABLATION_MODES, type AblationMode } from '../src/lib/graph/ablation';
import type { Ablation } from '../src/lib/graph/taps';
import type { AttentionKind } from '../src/lib/vocabulary/attention-kinds';
import { findNonFinite, nonFiniteMessage } from '../src/lib/trace/non-finite';

/** Exit code when the trace was written but holds NaN or ±∞ (see the README). */
export const EXIT_NON_FINITE = 3;

/** T5 without a target decodes greedily up to this many tokens. */
const T5_DEFAULT_STEPS = 32;

const USAGE = `usage: npm run trace -- --model <dir | embedded id | hub id | llama2.c model.bin> (--text "…" | --text-file file.txt) [--target "…"] [--generate N [--no-cache]] [--quantize ${QUANTIZATIONS.join('|')}]
       [--tokenizer tokenizer.bin (with a llama2.c model)]
       [--taps ${TAP_NAMES.join(',')}] [--hidden] [--analysis ${ANALYSES.join(',')}]
       [--ablate L:H[,L:H…] (T5: encoder:L:H, decoder:L:H, cross:L:H)] [--ablate-mode ${ABLATION_MODES.join('|')}]
       [--revision main] [--threads 1] [--out trace.json]`;

/** A file cache for Hub downloads in Node, like Cache Storage in the browser. */
function diskCache(dir: string): FileCache {
  const path = (url: string) => join(dir, createHash('sha256').update(url).digest('hex'));
  return {
    async get(url) {
      return existsSync(path(url)) ? new Uint8Array(readFileSync(path(url))) : undefined;
    },
    async put(url, bytes) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path(url), bytes);
      writeFileSync(path(url) + '.url', url);
    },
    async keys() {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.url'))
        .map((f) => readFileSync(join(dir, f), 'utf8'));
    },
    async delete(url) {
      rmSync(path(url), { force: true });
      rmSync(path(url) + '.url', { force: true });
    },
  };
}

export async function openModel(model: string, revision: string, threads: number, tokenizer?: string, options: LoadOptions = {}): Promise<ModelRunner> {
  const runner = await openRunner(model, revision, threads, tokenizer, options);
  checkVocabulary(runner.codec.tokenizer, runner.info.vocabSize, runner.info.id, runner.config);
  return runner;
}

async function openRunner(model: string, revision: string, threads: number, tokenizer?: string, options: LoadOptions = {}): Promise<ModelRunner> {
  configureOrt({ threads });
  if (model.endsWith('.bin') && existsSync(model)) {
    // A llama2.c checkpoint: converted in memory with its tokenizer.bin.
    if (!tokenizer) throw new AtlasError('bad-input', `${model} looks like a llama2.c checkpoint, which needs its tokenizer.`, 'Add --tokenizer path/to/tokenizer.bin.');
    if (!existsSync(tokenizer)) throw new AtlasError('bad-input', `The tokenizer ${tokenizer} does not exist.`);
    const files = llama2cToHfFiles(new Uint8Array(readFileSync(model)), new Uint8Array(readFileSync(tokenizer)), { model: basename(model), tokenizer: basename(tokenizer) });
    return loadModel(filesFromDrop(basename(model), files), { id: basename(model, '.bin'), source: 'local' }, 'wasm', undefined, options);
  }
  if (existsSync(model)) return loadModelDir(resolve(model), { source: 'local' }, threads, 'wasm', options);
  const embedded = resolve('static/models', model);
  if (existsSync(join(embedded, 'config.json'))) return loadModelDir(embedded, { id: model, source: 'embedded' }, threads, 'wasm', options);
  if (looksLikePath(model))
    throw new AtlasError('bad-input', `There is no folder ${model} (${resolve(model)} does not exist).`, 'Check the path; a Hub id looks like "gpt2" or "owner/name", and an embedded id like "tiny-gpt2".');
  const files = await fetchModelFiles(
    { kind: 'hub', id: model, revision },
    {
      modelsBase: 'file:///',
      hubEndpoint: process.env.ATLAS_HUB_ENDPOINT,
      cache: diskCache(process.env.ATLAS_CACHE_DIR ?? join(homedir(), '.cache', 'attention-atlas')),
      onProgress: (p) => process.stderr.write(`\rdownloading ${p.file}: ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB`),
    },
  );
  process.stderr.write('\n');
  return loadModel(files, { id: model, source: 'hub', revision }, 'wasm', undefined, options);
}

/**
 * A --model that is meant as a folder: it starts like a path, has more than one "/", or its
 * first part is a folder here ("models/x" where ./models exists). Such a mistyped path is
 * reported as missing rather than sent to the Hub as an id.
 */
export function looksLikePath(model: string): boolean {
  if (/^(\.{1,2}([/\\]|$)|[/\\~])/.test(model) || model.includes('\\') || /^[A-Za-z]:/.test(model)) return true;
  const parts = model.split('/');
  return parts.length > 2 || (parts.length === 2 && existsSync(parts[0]));
}

/** --text or --text-file (the OS limits one argument to ~128 kB). */
function readText(values: { text?: string; 'text-file'?: string }): string | undefined {
  const file = values['text-file'];
  if (file === undefined) return values.text;
  if (values.text !== undefined) throw new AtlasError('bad-input', 'Give either --text or --text-file, not both.');
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AtlasError('bad-input', `Could not read the text file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`, 'Check the path given to --text-file.');
  }
}

export function summary(trace: Trace): string {
  const m = trace.model;
  const layers = m.decoderLayers !== undefined ? `${m.layers}+${m.decoderLayers}` : `${m.layers}`;
  const tokens = trace.decoderTokens ? `${trace.tokens.length}+${trace.decoderTokens.length}` : `${trace.tokens.length}`;
  // Generation (a continuation, or T5's greedy target): its speed, and whether each step reused the key/value cache.
  const g = trace.generated ?? trace.generation;
  const written = trace.generated ? trace.generated.steps.length : Math.max(0, (trace.decoderTokens?.length ?? 1) - 1);
  const speed = g?.msPerToken ? `, ${written} tokens generated at ${(1000 / g.msPerToken).toFixed(1)} tokens/s (${g.cache ? 'key/value cache' : 'recomputing every step'})` : '';
  const q = m.quantization ? `, weights as ${m.quantization.mode} (${(m.quantization.bytes / 1e6).toFixed(2)} MB for its ${m.quantization.tensors} matrices, ${(m.quantization.fp32Bytes / 1e6).toFixed(2)} MB as float32; expanded to float32 at load)` : '';
  return `${m.id} (${m.modelType}): ${layers} layers × ${m.heads} heads, ${tokens} tokens, ${trace.backend.name}, ${trace.timings.runMs.toFixed(0)} ms${speed}${q}`;
}

/** `--ablate 0:1,2:3` (one stack) or `encoder:0:1,cross:1:2` (T5). The runner checks that the heads exist. */
export function parseAblation(list: string, mode: string, kinds: readonly AttentionKind[]): Ablation {
  if (!(ABLATION_MODES as readonly string[]).includes(mode)) throw new AtlasError('bad-input', `Unknown --ablate-mode ${mode}.`, `Modes: ${ABLATION_MODES.join(', ')}.`);
  const heads = list.split(',').map((item) => {
    const parts = item.trim().split(':');
    const kind = (parts.length === 3 ? parts[0] : kinds.length === 1 ? kinds[0] : '') as AttentionKind;
    const [layer, head] = parts.slice(-2).map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
    if (!kind || !kinds.includes(kind) || parts.length < 2 || parts.length > 3 || Number.isNaN(layer) || Number.isNaN(head))
      throw new AtlasError('bad-input', `--ablate ${JSON.stringify(item)} is not a head.`, kinds.length === 1 ? 'Write layer:head, e.g. 0:1,2:3.' : `Write stack:layer:head with a stack of ${kinds.join(', ')}, e.g. ${kinds[0]}:0:1.`);
    return { kind, layer, head };
  });
  return { heads, mode: mode as AblationMode };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      text: { type: 'string' },
      'text-file': { type: 'string' },
      target: { type: 'string' },
      tokenizer: { type: 'string' },
      generate: { type: 'string' },
      // Generation reuses the key/value cache unless told to recompute the whole text every step.
      'no-cache': { type: 'boolean', default: false },
      quantize: { type: 'string' },
      taps: { type: 'string' },
      analysis: { type: 'string' },
      ablate: { type: 'string' },
      'ablate-mode': { type: 'string', default: 'zero' },
      hidden: { type: 'boolean', default: false },
      revision: { type: 'string', default: 'main' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string' },
      truncate: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.model || (values.text === undefined && values['text-file'] === undefined)) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const text = readText(values)!;
  const taps = (values.taps ?? 'probs').split(',').map((t) => t.trim()) as TapName[];
  const unknown = taps.filter((t) => !TAP_NAMES.includes(t));
  if (unknown.length) throw new AtlasError('bad-input', `Unknown tap ${unknown.join(', ')}.`, `Taps: ${TAP_NAMES.join(', ')}.`);
  const analyses = new Set((values.analysis ?? '').split(',').map((a) => a.trim()).filter(Boolean) as AnalysisName[]);
  const unknownAnalysis = [...analyses].filter((a) => !ANALYSES.includes(a));
  if (unknownAnalysis.length) throw new AtlasError('bad-input', `Unknown analysis ${unknownAnalysis.join(', ')}.`, `Analyses: ${ANALYSES.join(', ')}.`);
  // Every analysis is made of the weights; value-weighted attention also of the value-norm tap.
  if (analyses.size && !taps.includes('probs')) taps.push('probs');
  if ((analyses.has('valueNorms') || analyses.has('valueWeighted')) && !taps.includes('valueNorms')) taps.push('valueNorms');
  const quantize = values.quantize;
  if (quantize !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantize)) throw new AtlasError('bad-input', `Unknown --quantize ${quantize}.`, `Precisions: ${QUANTIZATIONS.join(', ')}.`);
  const runner = await openModel(values.model, values.revision!, Number(values.threads), values.tokenizer, quantize ? { quantize: quantize as Quantization } : {});
  // A tokenizer regex that never finishes would hang this thread for good: each runs alone, on a thread that can be stopped, first.
  const patterns = tokenizerPatterns(runner.codec.tokenizer.lib);
  const normalize = normalizerOf(runner.codec.tokenizer.lib);
  const budgetMs = Number(process.env.ATLAS_TOKENIZE_BUDGET_MS ?? TOKENIZE_BUDGET_MS);
  for (const t of [text, values.target])
    if (t !== undefined) {
      await probePatternsInThread(patterns, t, normalize);
      // Then the whole tokenizer, under the same budget as in the browser.
      await probeTokenizerInThread(runner.codec.tokenizer, t, budgetMs);
    }
  const ablation = values.ablate === undefined ? undefined : parseAblation(values.ablate, values['ablate-mode']!, runner.spec.kinds);
  const options = { taps, hidden: values.hidden, truncate: values.truncate, ...(ablation ? { ablation } : {}), ...(analyses.has('logitLens') ? { logitLens: true } : {}), ...(analyses.has('positionEmbedding') ? { positionEmbedding: true } : {}) };
  let trace: Trace;
  if (values.generate !== undefined) trace = await runner.generate(text, { ...options, steps: Number(values.generate), cache: !values['no-cache'] });
  else if (runner.spec.task === 'seq2seq') trace = await runner.run(text, { ...options, steps: T5_DEFAULT_STEPS, cache: !values['no-cache'] }, values.target);
  else trace = await runner.run(text, options);
  trace = attachAnalyses(trace, analyses);
  // In pieces: a large trace's JSON is longer than the longest string V8 can hold.
  if (values.out) {
    const fd = openSync(values.out, 'w');
    let chars = 0;
    try {
      for (const chunk of traceToJSONChunks(trace)) {
        writeSync(fd, chunk);
        chars += chunk.length;
      }
    } finally {
      closeSync(fd);
    }
    console.log(`${summary(trace)} → ${values.out} (${(chars / 1e6).toFixed(2)} MB)`);
  } else {
    console.error(summary(trace));
    for (const chunk of traceToJSONChunks(trace)) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    process.stdout.write('\n');
  }
  // The trace is written (its numbers may help find the fault), but a script must not take it for a good one.
  const bad = findNonFinite(trace);
  if (bad) {
    console.error(`warning: ${nonFiniteMessage(bad)}`);
    process.exitCode = EXIT_NON_FINITE;
  }
  await runner.release();
}

if (import.meta.url === `file://${process.argv[1]}`)
  main().catch((e) => {
    if (e instanceof AtlasError) console.error(`error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`);
    else console.error(e);
    process.exit(1);
  });
