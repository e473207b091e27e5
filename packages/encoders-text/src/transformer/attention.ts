// Multi-head self-attention with batched matMuls: softmax(Q K^T / sqrt(Dh) + mask) V, then the output projection.
import * as tf from '@tensorflow/tfjs';
import type { TransformerConfig } from './config.js';
import { nativeOps } from './native.js';
import { dropout, dropoutMask, linear } from './ops.js';
import type { LinearParams, ParamStore } from './params.js';
import type { LayerNames } from './weight-names.js';

/** Shapes of the batch being encoded. */
export interface BatchShape {
  batch: number;
  seqLen: number;
}

/**
 * Scaled dot-product attention core: `dropout(softmax(q k^T + maskBias)) v` for q (already scaled), k, v
 * `[B, H, T, Dh]` and maskBias `[B, 1, 1, T]`; returns `[B, H, T, Dh]`. On the native backend one custom gradient
 * with two BatchMatMuls forward and four backward replaces tfjs's reshaping 4-D matMuls.
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, maskBias: tf.Tensor4D, rate: number, training: boolean): tf.Tensor4D {
  const native = nativeOps();
  if (native === null) {
    const probs = dropout(tf.softmax(tf.add(tf.matMul(q, k, false, true), maskBias)), rate, training); // [B, H, T, T]
    return tf.matMul(probs, v);
  }
  const keep = training && rate > 0 ? dropoutMask([q.shape[0], q.shape[1], q.shape[2], k.shape[2]], rate) : null; // [B, H, T, T]
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [sq, sk, sv, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const probs = tf.softmax(tf.add(native.matMul<tf.Tensor4D>(sq, sk, false, true), maskBias)); // [B, H, T, T]
    const dropped = keep === null ? probs : tf.mul(probs, keep); // [B, H, T, T]
    save(keep === null ? [sq, sk, sv, probs, dropped] : [sq, sk, sv, probs, dropped, keep]); // saved tensors outlive encode's tidy
    return {
      value: native.matMul<tf.Tensor4D>(dropped, sv), // [B, H, T, Dh]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [q4, k4, v4, p4, d4, m4] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D?];
        const dv = native.matMul(d4, dy, true, false); // [B, H, T, Dh]
        const dDropped = native.matMul<tf.Tensor4D>(dy, v4, false, true); // [B, H, T, T]
        const dProbs = m4 === undefined ? dDropped : tf.mul(dDropped, m4);
        const dScores = tf.mul(p4, tf.sub(dProbs, tf.sum(tf.mul(dProbs, p4), -1, true))); // softmax gradient, [B, H, T, T]
        return [native.matMul(dScores, k4), native.matMul(dScores, q4, true, false), dv]; // dq, dk, dv
      },
    };
  });
  return fn(q, k, v) as tf.Tensor4D;
}

/** Self-attention of one layer: query, key, value and output projections. */
export class SelfAttention {
  readonly query: LinearParams;
  readonly key: LinearParams;
  readonly value: LinearParams;
  readonly output: LinearParams;
  private readonly heads: number;
  private readonly headDim: number;
  private readonly scale: number;

  constructor(
    store: ParamStore,
    names: LayerNames,
    private readonly config: TransformerConfig,
    /** One `[B*T, 3D]` projection from the concatenated weights instead of three `[B*T, D]` ones. */
    private readonly fuseQkv: boolean,
  ) {
    const d = config.hiddenSize;
    this.query = store.linear(names.query, d, d);
    this.key = store.linear(names.key, d, d);
    this.value = store.linear(names.value, d, d);
    this.output = store.linear(names.attentionOut, d, d);
    this.heads = config.numHeads;
    this.headDim = d / config.numHeads;
    this.scale = 1 / Math.sqrt(this.headDim);
  }

  /**
   * Attends over `x` `[B*T, D]` with `maskBias` `[B, 1, 1, T]` (0 for real keys, a large negative for padding);
   * returns the projected context `[B*T, D]` (before the residual dropout).
   */
  forward(x: tf.Tensor2D, maskBias: tf.Tensor4D, shape: BatchShape, training: boolean): tf.Tensor2D {
    const { batch, seqLen } = shape;
    const [q, k, v] = this.fuseQkv ? this.projectFused(x, shape) : this.projectSeparate(x, shape); // each [B, H, T, Dh]
    const context = attend(q, k, v, maskBias, this.config.attentionDropout, training); // [B, H, T, Dh]
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seqLen, this.config.hiddenSize]) as tf.Tensor2D; // [B, T, H, Dh] -> [B*T, D]
    return linear(merged, this.output);
  }

  /** Three projections, the query pre-scaled by 1/sqrt(Dh) through its (smaller) weights. */
  private projectSeparate(x: tf.Tensor2D, shape: BatchShape): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
    const scaledQuery = linear(x, { weight: tf.mul(this.query.weight, this.scale), bias: tf.mul(this.query.bias, this.scale) }); // [B*T, D]
    return [this.splitHeads(scaledQuery, shape), this.splitHeads(linear(x, this.key), shape), this.splitHeads(linear(x, this.value), shape)];
  }

  private splitHeads(x: tf.Tensor2D, { batch, seqLen }: BatchShape): tf.Tensor4D {
    const heads = tf.reshape(x, [batch, seqLen, this.heads, this.headDim]); // [B, T, H, Dh]
    return tf.transpose(heads, [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, Dh]
  }

  /** One projection with the weights concatenated `[3D, D]`, then one transpose for all three. */
  private projectFused(x: tf.Tensor2D, { batch, seqLen }: BatchShape): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
    const scaledWeight: tf.Tensor2D = tf.mul(this.query.weight, this.scale);
    const scaledBias: tf.Tensor1D = tf.mul(this.query.bias, this.scale);
    const weight = tf.concat([scaledWeight, this.key.weight, this.value.weight], 0); // [3D, D]
    const bias = tf.concat([scaledBias, this.key.bias, this.value.bias], 0); // [3D]
    const qkv = linear(x, { weight, bias }); // [B*T, 3D]
    const split = tf.reshape(qkv, [batch, seqLen, 3, this.heads, this.headDim]); // [B, T, 3, H, Dh]
    const [q, k, v] = tf.unstack(tf.transpose(split, [2, 0, 3, 1, 4])); // 3 x [B, H, T, Dh]
    return [q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D];
  }

  /** Every variable of the attention block. */
  variables(): tf.Variable[] {
    return [this.query, this.key, this.value, this.output].flatMap((p) => [p.weight, p.bias]);
  }
}
