// Tensor functions fusions and heads are built from: dense layers, activations, LayerNorm, dropout and MLPs.
import * as tf from '@tensorflow/tfjs';
import type { DenseParams, NormParams } from './params.js';

/** Activations the tabular encoders offer. */
export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'silu'] as const;
/** One of ACTIVATIONS. */
export type Activation = (typeof ACTIVATIONS)[number];

/** `x W + b` for x `[N, in]`; returns `[N, out]`. */
export function dense(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  return tf.add(tf.matMul(x, p.kernel), p.bias);
}

/** Applies an activation elementwise (GELU in its tanh approximation). */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'gelu': {
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
  }
}

/** LayerNorm over the last axis of `x` (any rank). */
export function layerNorm<T extends tf.Tensor>(x: T, p: NormParams, eps = 1e-5): T {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), p.gamma), p.beta);
}

/** Inverted dropout in training, the identity otherwise. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
  if (!training || rate === 0) return x;
  return tf.dropout(x, rate) as T;
}
