// One pre-LayerNorm transformer encoder block over time steps: masked multi-head self-attention, then a ReLU MLP.
import * as tf from '@tensorflow/tfjs';
import { dense, dropout, layerNorm, type Dense, type Norm } from './ops.js';
import type { ParamStore } from './params.js';

/** Sizes of a block. */
export interface BlockShape {
  dModel: number;
  heads: number;
  ffnDim: number;
  dropout: number;
}

/** Weights of one block. */
export class AttentionBlock {
  readonly norm1: Norm;
  /** Q, K, V projections fused: `[D, 3D]`. */
  readonly qkv: Dense;
  readonly out: Dense;
  readonly norm2: Norm;
  readonly ffn1: Dense;
  readonly ffn2: Dense;

  constructor(
    store: ParamStore,
    prefix: string,
    private readonly shape: BlockShape,
  ) {
    const { dModel: d, ffnDim } = shape;
    const norm = (name: string): Norm => ({ gamma: store.filled(`${prefix}.${name}.gamma`, d, 1), beta: store.filled(`${prefix}.${name}.beta`, d, 0) });
    const lin = (name: string, i: number, o: number): Dense => ({ kernel: store.glorot(`${prefix}.${name}.kernel`, i, o), bias: store.filled(`${prefix}.${name}.bias`, o, 0) });
    this.norm1 = norm('norm1');
    this.qkv = lin('qkv', d, 3 * d);
    this.out = lin('out', d, d);
    this.norm2 = norm('norm2');
    this.ffn1 = lin('ffn1', d, ffnDim);
    this.ffn2 = lin('ffn2', ffnDim, d);
  }

  /** `x` `[B, T, D]`, `bias` `[B, 1, 1, T]` (0 observed, -1e9 masked) or null; returns `[B, T, D]`. */
  forward(x: tf.Tensor3D, bias: tf.Tensor4D | null, training: boolean): tf.Tensor3D {
    const [b, t, d] = x.shape;
    const { heads, dropout: rate } = this.shape;
    const hd = d / heads;
    const qkv = tf.reshape(dense(layerNorm(x, this.norm1), this.qkv), [b, t, 3, heads, hd]); // [B, T, 3, H, Dh]
    const [q, k, v] = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4])) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]; // 3 x [B, H, T, Dh]
    let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)); // [B, H, T, T]
    if (bias !== null) scores = tf.add(scores, bias);
    const context = tf.matMul(dropout(tf.softmax(scores), rate, training), v); // [B, H, T, Dh]
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
