// Hinge loss for margin classifiers: binary on one output, Crammer-Singer on several.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { classIndices, maskedMean, targetsLike } from './masked.js';

/** Options of the hinge loss. */
export interface HingeOptions {
  /** Required margin. Default 1. */
  margin?: number;
}

/**
 * Hinge loss as scikit-learn's `hinge_loss`: one output `[B, 1]` with labels 0/1 uses `max(0, m - t x)` with
 * t = 2y - 1; C > 1 outputs use Crammer-Singer `max(0, m + max_{j != y} x_j - x_y)`.
 */
export class HingeLoss implements Loss {
  readonly name = 'hinge';
  private readonly margin: number;

  constructor(options: HingeOptions = {}) {
    this.margin = options.margin ?? 1;
    if (!(this.margin > 0)) throw new Error(`margin must be > 0, got ${this.margin}`);
  }

  /** Mean hinge loss over masked-in samples. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      let perSample: tf.Tensor1D;
      if (output.shape[1] === 1) {
        const t = tf.sub(tf.mul(targetsLike(labels.y, labels.mask, output), 2), 1); // [B, 1]
        perSample = tf.reshape(tf.relu(tf.sub(this.margin, tf.mul(t, output))), [-1]) as tf.Tensor1D; // [B]
      } else {
        const y = classIndices(labels.y, labels.mask);
        const isTrue = tf.cast(tf.oneHot(y, output.shape[1]), 'bool'); // [B, C]
        const trueScore = tf.sum(tf.where(isTrue, output, tf.zerosLike(output)), 1); // [B]
        const bestOther = tf.max(tf.where(isTrue, tf.fill(output.shape, -1e30), output), 1); // [B]
        perSample = tf.relu(tf.add(this.margin, tf.sub(bestOther, trueScore))) as tf.Tensor1D;
      }
      return maskedMean(perSample, labels.mask);
    });
  }
}
