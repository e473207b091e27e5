// Binary cross-entropy on logits (numerically stable), for binary and multi-label heads.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { maskedMean, targetsLike } from './masked.js';

/** Options of the binary cross-entropy loss. */
export interface BceOptions {
  /** Weight of the positive term, as PyTorch's `pos_weight` (e.g. negatives / positives). Default 1. */
  posWeight?: number;
}

/** Element-wise BCE with logits `[B, K]` against 0/1 targets `[B, K]`: `(1-z) x + (1 + (p-1) z) softplus(-x)`. */
export function bceWithLogits(logits: tf.Tensor2D, targets: tf.Tensor2D, posWeight = 1): tf.Tensor2D {
  return tf.tidy(() => {
    const softplusNeg = tf.add(tf.relu(tf.neg(logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))); // softplus(-x), [B, K]
    const logWeight = tf.add(1, tf.mul(posWeight - 1, targets));
    return tf.add(tf.mul(tf.sub(1, targets), logits), tf.mul(logWeight, softplusNeg)) as tf.Tensor2D;
  });
}

/** Binary cross-entropy with logits: outputs `[B, K]` (K = 1 for a binary head), labels `[B]` or `[B, K]` in {0, 1}. */
export class BceLoss implements Loss {
  readonly name = 'bce';
  private readonly posWeight: number;

  constructor(options: BceOptions = {}) {
    this.posWeight = options.posWeight ?? 1;
    if (!(this.posWeight > 0)) throw new Error(`posWeight must be > 0, got ${this.posWeight}`);
  }

  /** Mean over masked-in samples of the per-sample mean over the K outputs. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      const targets = targetsLike(labels.y, labels.mask, output);
      const perSample = tf.mean(bceWithLogits(output, targets, this.posWeight), 1) as tf.Tensor1D; // [B]
      return maskedMean(perSample, labels.mask);
    });
  }
}
