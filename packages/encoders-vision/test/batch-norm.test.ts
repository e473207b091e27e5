// The hand-written batch-norm gradient agrees with autodiff through tf.moments and tf.batchNorm.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormTrain } from '../src/layers/batch-norm-op.js';

describe('batchNormTrain', () => {
  it('matches the autodiff value and gradients, and returns the batch statistics', () => {
    const x = tf.randomNormal([4, 3, 5, 6], 1, 2, 'float32', 1) as tf.Tensor4D;
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 3) as tf.Tensor1D;
    const w = tf.randomNormal(x.shape, 0, 1, 'float32', 4);
    const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5), w));
    };
    let stats: tf.Tensor[] = [];
    const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const out = batchNormTrain(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
      stats = [out.mean, out.variance];
      return tf.sum(tf.mul(out.y, w));
    };
    const expected = tf.valueAndGrads(reference)([x, gamma, beta]);
    const actual = tf.valueAndGrads(ours)([x, gamma, beta]);
    expect(actual.value.dataSync()[0]).toBeCloseTo(expected.value.dataSync()[0] as number, 3);
    actual.grads.forEach((g, i) => {
      const diff = tf.max(tf.abs(tf.sub(g, expected.grads[i] as tf.Tensor))).dataSync()[0] as number;
      expect(diff, `gradient ${i}`).toBeLessThan(1e-4);
    });
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    expect(tf.max(tf.abs(tf.sub(stats[0] as tf.Tensor, mean))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(stats[1] as tf.Tensor, variance))).dataSync()[0]).toBeLessThan(1e-5);
  });
});
