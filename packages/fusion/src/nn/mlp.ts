// A stack of dense layers with an activation and dropout between them.
import type * as tf from '@tensorflow/tfjs';
import { activate, dense, dropout, type Activation, type DenseParams, type ParamStore } from '@finmm/core';

/** How an MLP is shaped. */
export interface MlpOptions {
  /** Input width, then each layer's output width (no layers when only the input width is given). */
  widths: number[];
  activation: Activation;
  /** Dropout after each activated layer. */
  dropout: number;
  /** Whether the last layer is activated too (a representation) or left linear (logits). */
  activateLast: boolean;
}

/** Dense layers `widths[0] -> widths[1] -> ...`; every layer but (optionally) the last is activated. */
export class Mlp {
  private readonly layers: DenseParams[];

  constructor(
    params: ParamStore,
    name: string,
    private readonly options: MlpOptions,
  ) {
    const { widths } = options;
    this.layers = widths.slice(1).map((w, i) => params.dense(`${name}.${i}`, widths[i] as number, w));
  }

  /** Width of the output (the input width when there are no layers). */
  get outDim(): number {
    return this.options.widths[this.options.widths.length - 1] as number;
  }

  /** Runs `x` `[N, in]` through the layers; returns `[N, outDim]`. */
  forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = dense(h, layer);
      if (i < this.layers.length - 1 || this.options.activateLast) {
        h = dropout(activate(h, this.options.activation), this.options.dropout, training);
      }
    });
    return h;
  }

  /** The layers' kernels and biases, bottom to top. */
  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }
}
