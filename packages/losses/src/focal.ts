// Focal loss (Lin et al. 2017): cross-entropy down-weighted on well-classified samples.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { bceWithLogits } from './bce.js';
import { classIndices, maskedMean, targetsLike } from './masked.js';

/** Options of the focal loss. */
export interface FocalOptions {
  /** Focusing parameter gamma >= 0; 0 gives (weighted) cross-entropy. Default 2. */
  gamma?: number;
  /**
   * Class balance. Sigmoid (outDim 1): a number alpha, positives weighted alpha and negatives 1 - alpha
   * (torchvision's `sigmoid_focal_loss`). Softmax (outDim > 1): one weight per class. Default: none.
   */
  alpha?: number | number[] | null;
}

/**
 * Focal loss `-alpha_t (1 - p_t)^gamma log p_t`. A head with one output uses the sigmoid form (labels 0/1 `[B]`),
 * a head with C > 1 outputs the softmax form (class indices `[B]`). Reduced by the plain mean over masked-in
 * samples (alpha multiplies the per-sample loss; it does not renormalise).
 */
export class FocalLoss implements Loss {
  readonly name = 'focal';
  private readonly gamma: number;
  private readonly alpha: number | number[] | null;

  constructor(options: FocalOptions = {}) {
    this.gamma = options.gamma ?? 2;
    this.alpha = options.alpha ?? null;
    if (!(this.gamma >= 0)) throw new Error(`gamma must be >= 0, got ${this.gamma}`);
  }

  /** Mean focal loss over masked-in samples. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      const perSample = output.shape[1] === 1 ? this.sigmoidForm(output, labels) : this.softmaxForm(output, labels);
      return maskedMean(perSample, labels.mask);
    });
  }

  private sigmoidForm(output: tf.Tensor2D, labels: TaskLabels): tf.Tensor1D {
    const z = targetsLike(labels.y, labels.mask, output); // [B, 1]
    const ce = bceWithLogits(output, z);
    const p = tf.sigmoid(output);
    const pt = tf.add(tf.mul(p, z), tf.mul(tf.sub(1, p), tf.sub(1, z)));
    let loss = tf.mul(ce, tf.pow(tf.sub(1, pt), this.gamma));
    if (typeof this.alpha === 'number') loss = tf.mul(loss, tf.add(tf.mul(this.alpha, z), tf.mul(1 - this.alpha, tf.sub(1, z))));
    else if (Array.isArray(this.alpha)) throw new Error('focal: a one-output (sigmoid) head takes a number alpha, not a list');
    return tf.reshape(loss, [-1]) as tf.Tensor1D; // [B]
  }

  private softmaxForm(output: tf.Tensor2D, labels: TaskLabels): tf.Tensor1D {
    const classes = output.shape[1];
    const y = classIndices(labels.y, labels.mask);
    const logpt = tf.sum(tf.mul(tf.oneHot(y, classes).toFloat(), tf.logSoftmax(output)), 1); // [B]
    let loss = tf.mul(tf.neg(logpt), tf.pow(tf.sub(1, tf.exp(logpt)), this.gamma));
    if (Array.isArray(this.alpha)) {
      if (this.alpha.length !== classes) throw new Error(`focal: ${this.alpha.length} alpha weights for ${classes} classes`);
      loss = tf.mul(loss, tf.gather(tf.tensor1d(this.alpha), y));
    } else if (typeof this.alpha === 'number') {
      throw new Error('focal: a softmax head takes one alpha per class, not a single number');
    }
    return loss as tf.Tensor1D;
  }
}
