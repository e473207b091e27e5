// Turns a CNN's last feature map into the encoder output: a linear projection to the embedding size, applied
// either to the flattened map (as Jiang-Kelly-Xiu's fully connected layer) or per cell and averaged (global pool).
import * as tf from '@tensorflow/tfjs';
import { dropout, type EncoderOutput, type ParamStore } from '@finmm/core';

/** How a feature map becomes `pooled`. */
export const POOLINGS = ['flatten', 'global'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** Projection of a `[B, h, w, C]` feature map to `[B, D]`. */
export class PoolProjection {
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;

  constructor(
    store: ParamStore,
    readonly pooling: Pooling,
    /** Shape of the feature map per sample, [h, w, C]. */
    readonly mapShape: [number, number, number],
    readonly outDim: number,
    /** Dropout on the projection's input while training. */
    readonly dropout: number,
  ) {
    const [h, w, c] = mapShape;
    const inDim = pooling === 'flatten' ? h * w * c : c;
    this.kernel = store.heUniform('projection.kernel', [inDim, outDim], inDim) as tf.Variable<tf.Rank.R2>;
    this.bias = store.filled('projection.bias', outDim, 0);
  }

  /**
   * 'flatten': pooled = drop(flatten(map)) W + b, no tokens. 'global': tokens = map cells projected `[B, h*w, D]`,
   * pooled = their mean (= the projection of the global average pool).
   */
  forward(map: tf.Tensor4D, training: boolean): EncoderOutput {
    const [b, h, w, c] = map.shape;
    const drop = (x: tf.Tensor2D): tf.Tensor2D => dropout(x, this.dropout, training);
    if (this.pooling === 'flatten') {
      const flat = tf.reshape(map, [b, h * w * c]) as tf.Tensor2D; // [B, h*w*C]
      return { pooled: tf.add(tf.matMul(drop(flat), this.kernel), this.bias) as tf.Tensor2D };
    }
    const cells = drop(tf.reshape(map, [b * h * w, c]) as tf.Tensor2D); // [B*h*w, C]
    const tokens = tf.reshape(tf.add(tf.matMul(cells, this.kernel), this.bias), [b, h * w, this.outDim]) as tf.Tensor3D; // [B, h*w, D]
    return { pooled: tf.mean(tokens, 1) as tf.Tensor2D, tokens, tokenMask: tf.ones([b, h * w]) as tf.Tensor2D };
  }

  /** The projection's variables. */
  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }
}
