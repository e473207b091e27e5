// Mean squared error for regression heads.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { maskedMean, targetsLike } from './masked.js';

/** Squared error averaged over the K targets of each sample, then over masked-in samples. */
export class MseLoss implements Loss {
  readonly name = 'mse';

  /** Mean squared error over masked-in samples; outputs `[B, K]`, targets `[B]` or `[B, K]`. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      const y = targetsLike(labels.y, labels.mask, output);
      const perSample = tf.mean(tf.squaredDifference(output, y), 1) as tf.Tensor1D; // [B]
      return maskedMean(perSample, labels.mask);
    });
  }
}
