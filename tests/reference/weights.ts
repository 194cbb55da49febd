// Reading Hugging Face checkpoints for the reference: tensors by name, config fields by
// name with the defaults of the HF config classes.

import { parseSafetensors, readFloat32 } from '../../src/lib/hub/safetensors';
import type { HFConfig, RefWeight, Weights } from './types';

/** Weights read from a model.safetensors file (F32 tensors are views, F16/BF16 are converted). */
export function weightsFromSafetensors(bytes: Uint8Array): Weights {
  const file = parseSafetensors(bytes);
  const cache = new Map<string, RefWeight>();
  return {
    get(name) {
      const info = file.tensors.get(name);
      if (!info) return undefined;
      let w = cache.get(name);
      if (!w) {
        w = { shape: info.shape, data: readFloat32(file, info) };
        cache.set(name, w);
      }
      return w;
    },
    names: () => [...file.tensors.keys()],
  };
}

/** Weights from tensors already in memory (e.g. a random checkpoint before it is serialized). */
export function weightsFromTensors(tensors: Iterable<{ name: string } & RefWeight>): Weights {
  const map = new Map<string, RefWeight>();
  for (const t of tensors) map.set(t.name, { shape: t.shape, data: t.data });
  return { get: (name) => map.get(name), names: () => [...map.keys()] };
}

/**
 * The first of `names` present in the checkpoint, checked against `shape`. Several names
 * cover the spellings real checkpoints use (with or without a `transformer.` prefix, old
 * `LayerNorm.gamma/beta`).
 */
export function tensor(weights: Weights, names: string | string[], shape: number[]): Float32Array | Float64Array {
  const list = typeof names === 'string' ? [names] : names;
  for (const name of list) {
    const w = weights.get(name);
    if (!w) continue;
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
      throw new Error(`reference: tensor ${name} has shape [${w.shape}], expected [${shape}]`);
    return w.data;
  }
  throw new Error(`reference: checkpoint has none of ${list.join(', ')}`);
}

export function hasTensor(weights: Weights, name: string): boolean {
  return weights.get(name) !== undefined;
}

/** A LayerNorm's weight and bias under HF's current (`weight`/`bias`) or old (`gamma`/`beta`) names. */
export function layerNormParams(weights: Weights, prefix: string, d: number): { gamma: ArrayLike<number>; beta: ArrayLike<number> } {
  return {
    gamma: tensor(weights, [`${prefix}.weight`, `${prefix}.gamma`], [d]),
    beta: tensor(weights, [`${prefix}.bias`, `${prefix}.beta`], [d]),
  };
}

export function configNumber(config: HFConfig, key: string, fallback?: number): number {
  const v = config[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  throw new Error(`reference: config.${key} is ${JSON.stringify(v)}, expected a number`);
}

export function configString(config: HFConfig, key: string, fallback: string): string {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return fallback;
  throw new Error(`reference: config.${key} is ${JSON.stringify(v)}, expected a string`);
}

export function configBool(config: HFConfig, key: string, fallback: boolean): boolean {
  const v = config[key];
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return fallback;
  throw new Error(`reference: config.${key} is ${JSON.stringify(v)}, expected a boolean`);
}
