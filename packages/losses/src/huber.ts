// Huber (smooth L1) loss for regression heads, robust to outlying targets.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { maskedMean, targetsLike } from './masked.js';

/** Options of the Huber loss. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** Huber loss as PyTorch's `HuberLoss`: `0.5 d^2` for `|d| <= delta`, else `delta (|d| - 0.5 delta)`. */
export class HuberLoss implements Loss {
  readonly name = 'huber';
  private readonly delta: number;

  constructor(options: HuberOptions = {}) {
    this.delta = options.delta ?? 1;
    if (!(this.delta > 0)) throw new Error(`delta must be > 0, got ${this.delta}`);
  }

  /** Huber loss averaged over the K targets of a sample, then over masked-in samples. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      const y = targetsLike(labels.y, labels.mask, output);
      const abs = tf.abs(tf.sub(output, y));
      const quadratic = tf.minimum(abs, this.delta);
      const linear = tf.sub(abs, quadratic);
      const elementwise = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(this.delta, linear)); // [B, K]
      return maskedMean(tf.mean(elementwise, 1) as tf.Tensor1D, labels.mask);
    });
  }
}
