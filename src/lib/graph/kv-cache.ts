// The key/value cache of a decoder (issue 17): with it, a generation step runs only the new
// token. The graph takes the keys and values of every earlier position, past_k and past_v
// [layers, kvHeads, P, headDim] (keys after RoPE, as attention used them), appends the new
// position's to each layer's, attends over all of them, and returns the grown cache as
// present_k and present_v [layers, kvHeads, P + T, headDim] for the next step.

import { DataType } from './onnx-proto';
import type { GraphBuilder } from './builder';
import { INPUT, OUTPUT } from './taps';

export interface LayerPast {
  k: string;
  v: string;
}

export class KvCache {
  private readonly pastK?: string;
  private readonly pastV?: string;
  private readonly presentK: string[] = [];
  private readonly presentV: string[] = [];

  constructor(
    private readonly g: GraphBuilder,
    private readonly kvHeads: number,
    private readonly dHead: number,
    enabled: boolean,
  ) {
    if (!enabled) return;
    this.pastK = g.input(INPUT.pastK, DataType.FLOAT, ['L', kvHeads, 'P', dHead]);
    this.pastV = g.input(INPUT.pastV, DataType.FLOAT, ['L', kvHeads, 'P', dHead]);
  }

  get enabled(): boolean {
    return this.pastK !== undefined;
  }

  /** Layer l's cached keys and values [kvHeads, P, headDim], when the graph has a cache. */
  forLayer(l: number): LayerPast | undefined {
    if (!this.pastK || !this.pastV) return undefined;
    const at = this.g.int64([l], []);
    return { k: this.g.op('Gather', [this.pastK, at], { axis: 0 }, `past_k_${l}`), v: this.g.op('Gather', [this.pastV, at], { axis: 0 }, `past_v_${l}`) };
  }

  /** The layer's keys and values after this step (past + new), from attention's `present`. */
  add(present: LayerPast | undefined): void {
    if (!this.enabled || !present) return;
    this.presentK.push(present.k);
    this.presentV.push(present.v);
  }

  emit(): void {
    if (!this.enabled) return;
    this.g.output(this.g.stack(this.presentK), OUTPUT.presentK, ['L', this.kvHeads, 'K', this.dHead]);
    this.g.output(this.g.stack(this.presentV), OUTPUT.presentV, ['L', this.kvHeads, 'K', this.dHead]);
  }
}
