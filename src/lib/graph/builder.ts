// A small builder for ONNX graphs: named values, ops, weights as external data, and the
// few composite blocks (layer norm, gelu, attention) that every family shares.
//
// All activations are 2-D [positions, features] or 3-D [heads, positions, headDim]:
// the app runs one sequence at a time, so there is no batch axis, and Hugging Face's
// [out, in] Linear weights can be used untransposed through Gemm(transB=1).

import { DataType, encodeModel, type AttrValue, type NodeProto, type TensorProto, type ValueInfo } from './onnx-proto';
import type { Checkpoint, ExternalBuffer } from './weights';
/** The MLP activations the graphs write out (gelu_new is the tanh approximation). */
export type Activation = 'gelu' | 'gelu_new' | 'relu';

/** What masked attention scores are set to, as in Hugging Face (torch.finfo(float32).min). */
export const MASK_VALUE = -3.4028234663852886e38;

export const OPSET = 17;
const IR_VERSION = 8;

export interface BuiltGraph {
  model: Uint8Array;
  externalData: ExternalBuffer[];
  inputs: string[];
  outputs: string[];
}

type Attrs = Record<string, number | string | number[]>;

function attr(value: number | string | number[], floatKeys: boolean): AttrValue {
  if (typeof value === 'string') return { kind: 'string', value };
  if (Array.isArray(value)) return { kind: 'ints', value };
  return floatKeys ? { kind: 'float', value } : { kind: 'int', value };
}

// Attributes that ONNX defines as floats.
const FLOAT_ATTRS = new Set(['epsilon', 'alpha', 'beta']);

export class GraphBuilder {
  private nodes: NodeProto[] = [];
  private initializers: TensorProto[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private constants = new Map<string, string>();
  private usedLocations = new Set<string>();

  constructor(
    readonly name: string,
    private readonly checkpoint: Checkpoint,
  ) {}

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  input(name: string, elemType: DataType, shape: (number | string)[]): string {
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Marks `value` as a graph output called `name` (through Identity if the names differ). */
  output(value: string, name: string, shape: (number | string)[]): void {
    if (value !== name) this.nodes.push({ name: `out_${name}`, opType: 'Identity', inputs: [value], outputs: [name] });
    this.outputs.push({ name, elemType: DataType.FLOAT, shape });
  }

  /** A checkpoint tensor as an initializer, shape-checked against `shape`. */
  weight(names: string | string[], shape: number[]): string {
    const ref = this.checkpoint.ref(names, shape);
    const name = `w:${typeof names === 'string' ? names : names[0]}`;
    if (!this.initializers.some((t) => t.name === name)) {
      this.initializers.push({
        name,
        dataType: DataType.FLOAT,
        dims: ref.dims,
        external: { location: ref.location, offset: ref.offset, length: ref.length },
      });
      this.usedLocations.add(ref.location);
    }
    return name;
  }

  hasWeight(names: string[]): boolean {
    return this.checkpoint.find(names) !== undefined;
  }

  private constant(dataType: DataType, dims: number[], bytes: Uint8Array, key: string): string {
    const cached = this.constants.get(key);
    if (cached) return cached;
    const name = this.fresh('const');
    this.initializers.push({ name, dataType, dims, raw: bytes });
    this.constants.set(key, name);
    return name;
  }

  float(values: number[] | number, dims: number[] = []): string {
    const arr = Float32Array.from(typeof values === 'number' ? [values] : values);
    return this.constant(DataType.FLOAT, dims, new Uint8Array(arr.buffer), `f:${dims}:${arr.join(',')}`);
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    const arr = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.constant(DataType.INT64, dims, new Uint8Array(arr.buffer), `i:${dims}:${values.join(',')}`);
  }

  op(opType: string, inputs: string[], attrs: Attrs = {}, hint = opType.toLowerCase()): string {
    return this.opN(opType, inputs, 1, attrs, hint)[0];
  }

  opN(opType: string, inputs: string[], outputs: number, attrs: Attrs = {}, hint = opType.toLowerCase()): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(hint));
    const attributes: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = attr(v, FLOAT_ATTRS.has(k));
    this.nodes.push({ name: this.fresh(`n_${opType}`), opType, inputs, outputs: outs, attributes });
    return outs;
  }

  // ---- composite blocks ---------------------------------------------------

  /** y = x·Wᵀ + b for a Hugging Face Linear weight [out, in]; bias optional. */
  linear(x: string, w: string, b?: string): string {
    return this.op('Gemm', b ? [x, w, b] : [x, w], { transB: 1 }, 'linear');
  }

  /** y = x·W + b for GPT-2's Conv1D weight [in, out]. */
  conv1d(x: string, w: string, b: string): string {
    return this.op('Gemm', [x, w, b], {}, 'conv1d');
  }

  layerNorm(x: string, gamma: string, beta: string, eps: number): string {
    return this.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: eps }, 'ln');
  }

  /** T5's RMS norm: x / sqrt(mean(x²) + eps) · weight, with no mean subtraction and no bias. */
  rmsNorm(x: string, weight: string, eps: number): string {
    const meanSquare = this.op('ReduceMean', [this.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const rms = this.op('Sqrt', [this.op('Add', [meanSquare, this.float(eps)])]);
    return this.op('Mul', [this.op('Div', [x, rms]), weight], {}, 'rms');
  }

  /** Activations written out from elementary ops, which every execution provider has. */
  activation(x: string, kind: Activation): string {
    if (kind === 'relu') return this.op('Relu', [x]);
    const half = this.op('Mul', [x, this.float(0.5)]);
    let inner: string;
    if (kind === 'gelu') {
      // 0.5·x·(1 + erf(x/√2))
      inner = this.op('Erf', [this.op('Mul', [x, this.float(Math.SQRT1_2)])]);
    } else {
      // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = this.op('Mul', [this.op('Mul', [x, x]), x]);
      const poly = this.op('Add', [x, this.op('Mul', [cube, this.float(0.044715)])]);
      inner = this.op('Tanh', [this.op('Mul', [poly, this.float(Math.sqrt(2 / Math.PI))])]);
    }
    return this.op('Mul', [half, this.op('Add', [inner, this.float(1)])], {}, 'gelu');
  }

  /** [T, H·d] → [H, T, d] */
  splitHeads(x: string, heads: number, dHead: number): string {
    const r = this.op('Reshape', [x, this.int64([0, heads, dHead])]);
    return this.op('Transpose', [r], { perm: [1, 0, 2] }, 'heads');
  }

  /** [H, T, d] → [T, H·d] */
  mergeHeads(x: string, heads: number, dHead: number): string {
    const t = this.op('Transpose', [x], { perm: [1, 0, 2] });
    return this.op('Reshape', [t, this.int64([0, heads * dHead])], {}, 'merged');
  }

  /** Stacks per-layer values [a, b, c] into one [layers, a, b, c] output. */
  stack(values: string[]): string {
    const unsqueezed = values.map((v) => this.op('Unsqueeze', [v, this.int64([0])]));
    return unsqueezed.length === 1 ? unsqueezed[0] : this.op('Concat', unsqueezed, { axis: 0 }, 'stack');
  }

  build(): BuiltGraph {
    const model = encodeModel({
      irVersion: IR_VERSION,
      producerName: 'attention-atlas',
      opsets: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        nodes: this.nodes,
        initializers: this.initializers,
        inputs: this.inputs,
        outputs: this.outputs,
      },
    });
    return {
      model,
      externalData: this.checkpoint.externalData(this.usedLocations),
      inputs: this.inputs.map((i) => i.name),
      outputs: this.outputs.map((o) => o.name),
    };
  }
}
