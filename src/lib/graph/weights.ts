// Looks up a checkpoint's tensors by their Hugging Face names, checks their shapes, and
// turns them into ONNX initializers that point straight into the safetensors bytes
// (external data), so weights are never copied in JavaScript when they are float32.

import { AtlasError } from '../errors';
import { readFloat32, type SafetensorsFile, type TensorInfo } from '../hub/safetensors';

export interface ExternalBuffer {
  path: string;
  data: Uint8Array;
}

export interface WeightRef {
  dims: number[];
  location: string;
  offset: number;
  length: number;
}

export class Checkpoint {
  private readonly index = new Map<string, { file: SafetensorsFile; info: TensorInfo }>();
  /** Tensors that had to be converted (F16/BF16 or misaligned F32), packed into one buffer. */
  private converted: Float32Array[] = [];
  private convertedBytes = 0;
  private convertedRefs = new Map<string, WeightRef>();
  static readonly CONVERTED = 'converted.bin';

  constructor(files: SafetensorsFile[]) {
    for (const file of files)
      for (const [name, info] of file.tensors) if (!this.index.has(name)) this.index.set(name, { file, info });
  }

  get names(): string[] {
    return [...this.index.keys()];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** The first of `names` present; checkpoints disagree on prefixes (`transformer.`) and on gamma/beta. */
  find(names: string[]): string | undefined {
    return names.find((n) => this.index.has(n));
  }

  /** Resolves a tensor, checking its shape; the error names the tensor and both shapes. */
  ref(names: string | string[], shape: number[]): WeightRef {
    const candidates = typeof names === 'string' ? [names] : names;
    const name = this.find(candidates);
    if (!name)
      throw new AtlasError(
        'missing-tensor',
        `The checkpoint has no tensor "${candidates[0]}"${candidates.length > 1 ? ` (nor ${candidates.slice(1).join(', ')})` : ''}.`,
        'The weights do not match this model type. Check that config.json and model.safetensors come from the same model.',
      );
    const { file, info } = this.index.get(name)!;
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i]))
      throw new AtlasError(
        'tensor-shape',
        `Tensor "${name}" has shape [${info.shape.join(', ')}] but config.json implies [${shape.join(', ')}].`,
        'The weights do not match config.json. Check that both come from the same model.',
      );
    if (info.dtype === 'F32' && info.begin % 4 === 0)
      return { dims: shape, location: file.name, offset: info.begin, length: info.end - info.begin };
    const done = this.convertedRefs.get(name);
    if (done) return done;
    const values = readFloat32(file, info);
    const ref = { dims: shape, location: Checkpoint.CONVERTED, offset: this.convertedBytes, length: values.byteLength };
    this.converted.push(values);
    this.convertedBytes += values.byteLength;
    this.convertedRefs.set(name, ref);
    return ref;
  }

  /** A tensor's values as float32 (for the few numbers read in JavaScript). */
  values(name: string): Float32Array {
    const entry = this.index.get(name);
    if (!entry) throw new AtlasError('missing-tensor', `The checkpoint has no tensor "${name}".`);
    return readFloat32(entry.file, entry.info);
  }

  /** The buffers the runtime must be given as external data, by location name. */
  externalData(usedLocations: Set<string>): ExternalBuffer[] {
    const out: ExternalBuffer[] = [];
    const files = new Set([...this.index.values()].map((e) => e.file));
    for (const f of files) if (usedLocations.has(f.name)) out.push({ path: f.name, data: f.bytes });
    if (usedLocations.has(Checkpoint.CONVERTED)) {
      const all = new Uint8Array(this.convertedBytes);
      let at = 0;
      for (const c of this.converted) {
        all.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
        at += c.byteLength;
      }
      out.push({ path: Checkpoint.CONVERTED, data: all });
    }
    return out;
  }
}
