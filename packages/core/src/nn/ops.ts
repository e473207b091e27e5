// Tensor functions layers are built from: dense maps, activations, LayerNorm, dropout, masked pooling.
import * as tf from '@tensorflow/tfjs';
import { nextDropoutSeed } from './dropout-seeds.js';
import type { EncoderOutput } from '../contracts.js';
import type { DenseParams, NormParams } from './params.js';

/** Activations the configurable layers offer ('linear': none, the identity). */
export const ACTIVATIONS = ['relu', 'gelu', 'tanh', 'silu', 'linear'] as const;
/** One of ACTIVATIONS. */
export type Activation = (typeof ACTIVATIONS)[number];

/** `x W + b` over the last axis of `x` `[..., in]`; returns `[..., out]`. */
export function dense(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D;
export function dense(x: tf.Tensor3D, p: DenseParams): tf.Tensor3D;
export function dense(x: tf.Tensor, p: DenseParams): tf.Tensor;
export function dense(x: tf.Tensor, p: DenseParams): tf.Tensor {
  if (x.rank === 2) return tf.add(tf.matMul(x as tf.Tensor2D, p.kernel), p.bias);
  const shape = x.shape;
  const inDim = shape[shape.length - 1] as number;
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D; // [M, in]
  const y = tf.add(tf.matMul(flat, p.kernel), p.bias); // [M, out]
  return tf.reshape(y, [...shape.slice(0, -1), p.kernel.shape[1]]); // [..., out]
}

/** Applies an activation elementwise (GELU in its tanh approximation; 'linear' returns `x` itself). */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'linear':
      return x;
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

/** Inverted dropout in training (its mask seeded by `seedDropout`'s stream when one is set), the identity otherwise. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
  if (!training || rate === 0) return x;
  const seed = nextDropoutSeed();
  return (seed === null ? tf.dropout(x, rate) : tf.dropout(x, rate, undefined, seed)) as T;
}

/** Mean of `x` `[B, T, D]` over the steps where `mask` `[B, T]` is 1 (zero for a sample with none); over all steps when `mask` is null. */
export function maskedMean(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  if (mask === null) return tf.mean(x, 1) as tf.Tensor2D;
  const summed = tf.sum(tf.mul(x, tf.expandDims(mask, 2)), 1); // [B, D]
  return tf.div(summed, tf.maximum(tf.sum(mask, 1, true), 1)) as tf.Tensor2D; // [B, D] / [B, 1]
}

/** tf.tidy for an encoder output: frees the intermediates, keeps the output's tensors. */
export function tidyOutput(fn: () => EncoderOutput): EncoderOutput {
  return tf.tidy(() => fn() as unknown as tf.TensorContainerObject) as unknown as EncoderOutput;
}
