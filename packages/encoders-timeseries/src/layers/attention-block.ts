// One pre-LayerNorm transformer encoder block over time steps: masked multi-head self-attention, then a ReLU MLP.
import * as tf from '@tensorflow/tfjs';
import { attend, dense, dropout, type DenseParams, type NormParams, type ParamStore } from '@finmm/core';
import { layerNorm } from './ops.js';

/** Sizes of a block. */
export interface BlockShape {
  dModel: number;
  heads: number;
  ffnDim: number;
  dropout: number;
}

/** Weights of one block. */
export class AttentionBlock {
  readonly norm1: NormParams;
  /** Q, K, V projections fused: `[D, 3D]`. */
  readonly qkv: DenseParams;
  readonly out: DenseParams;
  readonly norm2: NormParams;
  readonly ffn1: DenseParams;
  readonly ffn2: DenseParams;

  constructor(
    store: ParamStore,
    prefix: string,
    private readonly shape: BlockShape,
  ) {
    const { dModel: d, ffnDim } = shape;
    this.norm1 = store.norm(`${prefix}.norm1`, d);
    this.qkv = store.dense(`${prefix}.qkv`, d, 3 * d);
    this.out = store.dense(`${prefix}.out`, d, d);
    this.norm2 = store.norm(`${prefix}.norm2`, d);
    this.ffn1 = store.dense(`${prefix}.ffn1`, d, ffnDim);
    this.ffn2 = store.dense(`${prefix}.ffn2`, ffnDim, d);
  }

  /** `x` `[B, T, D]`, `bias` `[B, 1, 1, T]` (0 observed, -1e9 masked) or null; returns `[B, T, D]`. */
  forward(x: tf.Tensor3D, bias: tf.Tensor4D | null, training: boolean): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const { heads, dropout: rate } = this.shape;
    const hd = d / heads;
    const qkv = tf.reshape(dense(layerNorm(x, this.norm1), this.qkv), [b, t, 3, heads, hd]); // [B, T, 3, H, Dh]
    const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // 3 x [B, H, T, Dh]
    const context = attend(q, k, v, bias, rate, training); // [B, H, T, Dh]
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, t, d]); // [B, T, H, Dh] -> [B, T, D]
    const h = tf.add(x, dropout(dense(merged, this.out), rate, training)) as tf.Tensor3D; // [B, T, D]
    const ffn = dense(dropout(tf.relu(dense(layerNorm(h, this.norm2), this.ffn1)), rate, training), this.ffn2); // [B, T, D]
    return tf.add(h, dropout(ffn, rate, training)) as tf.Tensor3D;
  }

  /** Every variable of the block. */
  variables(): tf.Variable[] {
    return [this.norm1.gamma, this.norm1.beta, this.qkv.kernel, this.qkv.bias, this.out.kernel, this.out.bias, this.norm2.gamma, this.norm2.beta, this.ffn1.kernel, this.ffn1.bias, this.ffn2.kernel, this.ffn2.bias];
  }
}
