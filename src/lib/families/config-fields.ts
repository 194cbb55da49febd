// Readers for config.json fields, shared by every family's config parser: a field that
// is missing, of the wrong type or out of bounds is a clear error before anything is built.

import { AtlasError } from '../errors';
import type { Json } from './types';

import type { Activation } from '../graph/builder';

export type { Activation };

export function num(c: Json, keys: string[], fallback?: number): number {
  for (const k of keys) {
    const v = c[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  if (fallback !== undefined) return fallback;
  throw new AtlasError('bad-config', `config.json has no numeric "${keys[0]}".`, 'Check that the model folder holds its own config.json.');
}

export function positiveInt(c: Json, keys: string[], fallback?: number): number {
  const v = num(c, keys, fallback);
  // Generous bounds: catch garbage (negative, fractional, absurd) before any allocation.
  if (!Number.isInteger(v) || v <= 0 || v > 10_000_000)
    throw new AtlasError('bad-config', `config.json has an invalid "${keys[0]}": ${v}.`, 'It must be a positive whole number.');
  return v;
}

export function activation(value: unknown, where: string): Activation {
  const a = String(value);
  if (a === 'gelu_new' || a === 'gelu_pytorch_tanh') return 'gelu_new';
  if (a === 'gelu' || a === 'relu') return a;
  throw new AtlasError('unsupported-model', `The activation "${a}" in ${where} is not supported.`, 'Supported: gelu, gelu_new, relu.');
}

export function requireDivisible(d: number, heads: number): void {
  if (d % heads !== 0) throw new AtlasError('bad-config', `The hidden size ${d} does not divide into ${heads} heads.`);
}

/**
 * A layer-norm epsilon: a positive number. Zero or less divides by zero or takes the root of
 * a negative variance, and the model computes NaN attention (issue 19, item 6).
 */
export function epsilon(c: Json, key: string, fallback: number): number {
  const v = c[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new AtlasError(
      'bad-config',
      `config.json's "${key}" is ${JSON.stringify(v)}, but a layer-norm epsilon must be a positive number.`,
      'With zero or less the model computes NaN. Typical values: 1e-5 (GPT-2), 1e-12 (BERT), 1e-6 (T5, LLaMA).',
    );
  return v;
}
