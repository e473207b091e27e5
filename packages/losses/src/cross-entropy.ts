// Softmax cross-entropy over class logits, with class weights and label smoothing.
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';
import { classIndices, maskedMean } from './masked.js';

/** Options of the cross-entropy loss. */
export interface CrossEntropyOptions {
  /** Weight of each class, by index; a sample counts with the weight of its true class. Default: all 1. */
  classWeights?: number[];
  /** Label smoothing epsilon: the target is `(1 - eps) * onehot + eps / C` (PyTorch's convention). Default 0. */
  labelSmoothing?: number;
}

/**
 * Multiclass cross-entropy on logits `[B, C]` and class indices `[B]`. With class weights the reduction is
 * PyTorch's: `sum_i m_i w_{y_i} l_i / sum_i m_i w_{y_i}` over masked-in samples.
 */
export class CrossEntropyLoss implements Loss {
  readonly name = 'cross-entropy';
  private readonly classWeights: number[] | undefined;
  private readonly labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    this.classWeights = options.classWeights;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (this.labelSmoothing < 0 || this.labelSmoothing >= 1) throw new Error(`labelSmoothing must be in [0, 1), got ${this.labelSmoothing}`);
  }

  /** Mean smoothed, class-weighted cross-entropy over masked-in samples. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    return tf.tidy(() => {
      const classes = output.shape[1];
      if (this.classWeights !== undefined && this.classWeights.length !== classes) {
        throw new Error(`cross-entropy: ${this.classWeights.length} class weights for ${classes} classes`);
      }
      const y = classIndices(labels.y, labels.mask);
      const eps = this.labelSmoothing;
      const target = tf.add(tf.mul(tf.oneHot(y, classes).toFloat(), 1 - eps), eps / classes); // [B, C]
      const perSample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(output)), 1)) as tf.Tensor1D; // [B]
      let weights = labels.mask.toFloat();
      if (this.classWeights !== undefined) weights = tf.mul(weights, tf.gather(tf.tensor1d(this.classWeights), y));
      return maskedMean(perSample, weights);
    });
  }
}
