// Multi-head self-attention with a key mask, and a pre-norm transformer block (attention + feed-forward) built on it.
import * as tf from '@tensorflow/tfjs';
import { activate, dense, dropout, layerNorm, type Activation } from './ops.js';
import type { DenseParams, NormParams, ParamStore } from './params.js';

/** Added to the attention scores of masked keys. */
const MASKED = -1e9;

/** The additive attention bias of a key mask `[B, N]` (1 = may be attended to): 0 or -1e9, `[B, 1, 1, N]`. */
export function keyMaskBias(keyMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, n] = keyMask.shape;
  return tf.reshape(tf.mul(tf.sub(1, keyMask), MASKED), [batch, 1, 1, n]);
}

/**
 * Scaled dot-product attention per head: `softmax(q k^T / sqrt(Dh) + bias) v` for q, k, v `[B, H, N, Dh]`, with
 * `bias` (e.g. `keyMaskBias`) added to the scores `[B, H, N, N]` unless null and dropout on the probabilities.
 * Returns `[B, H, N, Dh]`.
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor | null, dropoutRate: number, training: boolean): tf.Tensor4D {
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[3])); // [B, H, N, N]
  if (bias !== null) scores = tf.add(scores, bias);
  return tf.matMul(dropout(tf.softmax(scores, -1), dropoutRate, training), v); // [B, H, N, Dh]
}

/** Shape and regularisation of a transformer block. */
export interface BlockOptions {
  /** Token width D. */
  dim: number;
  /** Attention heads, dividing `dim`. */
  heads: number;
  /** Hidden width of the feed-forward network. */
  ffnDim: number;
  /** Activation of the feed-forward network. */
  activation: Activation;
  /** Dropout on attention outputs and feed-forward activations. */
  dropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
}

/** A stack of `layers` transformer blocks of one shape. */
export interface TransformerStackOptions extends BlockOptions {
  /** Transformer blocks. */
  layers: number;
}

/** The transformer-stack fields of a validated component config; the FFN width defaults to twice `dim`. */
export function transformerStackOptions(config: Omit<TransformerStackOptions, 'ffnDim'> & { ffnDim?: number | undefined }): TransformerStackOptions {
  const { dim, layers, heads, activation, dropout, attentionDropout } = config;
  return { dim, layers, heads, ffnDim: config.ffnDim ?? 2 * dim, activation, dropout, attentionDropout };
}

/** One pre-norm block over tokens: `x + Attn(LN(x))`, then `x + FFN(LN(x))`, with separate Q, K and V projections. */
export class TransformerBlock {
  private readonly norm1: NormParams;
  private readonly query: DenseParams;
  private readonly key: DenseParams;
  private readonly value: DenseParams;
  private readonly out: DenseParams;
  private readonly norm2: NormParams;
  private readonly ffnIn: DenseParams;
  private readonly ffnOut: DenseParams;

  constructor(
    params: ParamStore,
    name: string,
    private readonly options: BlockOptions,
  ) {
    const { dim, ffnDim } = options;
    this.norm1 = params.norm(`${name}.norm1`, dim);
    this.query = params.dense(`${name}.query`, dim, dim);
    this.key = params.dense(`${name}.key`, dim, dim);
    this.value = params.dense(`${name}.value`, dim, dim);
    this.out = params.dense(`${name}.out`, dim, dim);
    this.norm2 = params.norm(`${name}.norm2`, dim);
    this.ffnIn = params.dense(`${name}.ffn_in`, dim, ffnDim);
    this.ffnOut = params.dense(`${name}.ffn_out`, ffnDim, dim);
  }

  /** Runs the block on tokens `[B, N, D]`; `keyMask` `[B, N]` is 1 for keys that may be attended to. */
  forward(x: tf.Tensor3D, keyMask: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const [batch, n, d] = x.shape;
    const { heads, activation } = this.options;
    const flat = tf.reshape(layerNorm(x, this.norm1), [batch * n, d]) as tf.Tensor2D; // [B*N, D]
    const split = (t: tf.Tensor2D): tf.Tensor4D =>
      tf.transpose(tf.reshape(t, [batch, n, heads, d / heads]), [0, 2, 1, 3]); // [B, N, H, Dh] -> [B, H, N, Dh]
    const q = split(dense(flat, this.query));
    const k = split(dense(flat, this.key));
    const v = split(dense(flat, this.value));
    const context = attend(q, k, v, keyMaskBias(keyMask), this.options.attentionDropout, training); // [B, H, N, Dh]
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * n, d]) as tf.Tensor2D; // [B, N, H, Dh] -> [B*N, D]
    const attended = dropout(dense(merged, this.out), this.options.dropout, training);
    const h = tf.add(x, tf.reshape(attended, [batch, n, d])) as tf.Tensor3D; // [B, N, D]
    const hFlat = tf.reshape(layerNorm(h, this.norm2), [batch * n, d]) as tf.Tensor2D; // [B*N, D]
    const ffn = dense(dropout(activate(dense(hFlat, this.ffnIn), activation), this.options.dropout, training), this.ffnOut);
    return tf.add(h, tf.reshape(ffn, [batch, n, d])) as tf.Tensor3D; // [B, N, D]
  }

  /** The block's variables: the norms, then the dense layers. */
  variables(): tf.Variable[] {
    const dense = [this.query, this.key, this.value, this.out, this.ffnIn, this.ffnOut].flatMap((p) => [p.kernel, p.bias]);
    const norms = [this.norm1, this.norm2].flatMap((p) => [p.gamma, p.beta]);
    return [...norms, ...dense];
  }
}
