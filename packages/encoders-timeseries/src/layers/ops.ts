// Small tensor helpers shared by the sequence encoders: step masks, masked pooling and LayerNorm.
import * as tf from '@tensorflow/tfjs';
import type { NormParams, TimeseriesInput } from '@finmm/core';

/** The checked input of a sequence encoder: values with masked steps zeroed, and the mask (null = all observed). */
export interface PreparedSeries {
  /** `[B, T, F]`; masked steps hold 0 whatever the input held there (NaN included). */
  x: tf.Tensor3D;
  /** `[B, T]` float 1/0, or null when the input has no stepMask. */
  mask: tf.Tensor2D | null;
}

/** Checks shapes against the encoder's input width (naming `who`) and zeroes masked steps. */
export function prepareSeries(input: TimeseriesInput, inputDim: number, who: string): PreparedSeries {
  const { values, stepMask } = input;
  if (values.rank !== 3) throw new Error(`${who}: input "values" must be [B, T, F], got shape [${values.shape.join(', ')}]`);
  const [b, t, f] = values.shape;
  if (f !== inputDim) throw new Error(`${who}: input "values" has ${f} features per step, the encoder was built for inputDim ${inputDim}`);
  if (stepMask === undefined) return { x: values, mask: null };
  if (stepMask.rank !== 2 || stepMask.shape[0] !== b || stepMask.shape[1] !== t) {
    throw new Error(`${who}: input "stepMask" must be [${b}, ${t}], got [${stepMask.shape.join(', ')}]`);
  }
  const mask = tf.cast(tf.greater(stepMask, 0), 'float32') as tf.Tensor2D; // [B, T]
  const x = tf.where(tf.greater(tf.expandDims(mask, 2), 0), values, tf.zerosLike(values)) as tf.Tensor3D; // [B, T, F]
  return { x, mask };
}

/** Zeroes the steps of `x` `[B, T, D]` whose mask `[B, T]` is 0. */
export function applyMask(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
  return mask === null ? x : (tf.mul(x, tf.expandDims(mask, 2)) as tf.Tensor3D);
}

/** Max over observed steps of `x` `[B, T, D]` -> `[B, D]` (masked steps count as a very negative value). */
export function maskedMax(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  if (mask === null) return tf.max(x, 1) as tf.Tensor2D;
  const penalty = tf.expandDims(tf.mul(tf.sub(1, mask), -1e9), 2); // [B, T, 1]
  return tf.max(tf.add(x, penalty), 1) as tf.Tensor2D;
}

/** The last observed step of `x` `[B, T, D]` -> `[B, D]` (the last step when there is no mask). */
export function lastObserved(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor2D {
  const [b, t, d] = x.shape;
  if (mask === null) return tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D; // [B, 1, D] -> [B, D]
  const position = tf.mul(mask, tf.range(1, t + 1)); // [B, T]: step number where observed, else 0
  const last = tf.argMax(position, 1); // [B]
  const pick = tf.oneHot(last, t); // [B, T]
  return tf.sum(tf.mul(x, tf.expandDims(pick, 2)), 1) as tf.Tensor2D; // [B, D]
}

/** Additive attention bias from a step mask `[B, T]`: 0 where observed, -1e9 where masked, `[B, 1, T]`. */
export function maskBias(mask: tf.Tensor2D): tf.Tensor3D {
  return tf.expandDims(tf.mul(tf.sub(1, mask), -1e9), 1) as tf.Tensor3D;
}

/**
 * LayerNorm over the last axis (epsilon 1e-5, as PyTorch). The same values as core's `layerNorm`, but through
 * `tf.moments`, whose input gradient rounds differently in the last bit; the time-series encoders keep this form so
 * that their training stays bit-for-bit reproducible.
 */
export function layerNorm<T extends tf.Tensor>(x: T, p: NormParams): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), p.gamma), p.beta) as T;
}

/** The tokenMask of an output: the step mask, or ones `[B, T]` when there is none. */
export function tokenMaskOf(mask: tf.Tensor2D | null, batch: number, steps: number): tf.Tensor2D {
  return mask === null ? tf.ones([batch, steps]) : (tf.add(mask, 0) as tf.Tensor2D);
}
