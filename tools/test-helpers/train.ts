// Test helper (import it from tests by relative path): a small Adam loop for the encoders' learning tests, a linear
// logit head on an encoder's pooled output with binary labels, and the accuracy of such logits.
import * as tf from '@tensorflow/tfjs';
import type { Encoder, Modality, ModalityInputs } from '@finmm/core';

/** A binary classification data set already in tensors. */
export interface BinaryData<M extends Modality> {
  train: { input: ModalityInputs[M]; labels: tf.Tensor2D };
  test: { input: ModalityInputs[M]; labels: tf.Tensor2D };
}

/** Options of `trainBinary`. */
export interface TrainOptions<M extends Modality> {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Slices a batch [from, from + size) out of the training input. */
  slice: (input: ModalityInputs[M], from: number, size: number) => ModalityInputs[M];
  /** Stop early once the training accuracy of an epoch reaches this; default 1 (never). */
  stopAt?: number;
  /** When given, logs `<report>: test accuracy A in S s`. */
  report?: string;
}

/** The share of rows where `logits > 0` agrees with `labels > 0.5`, both `[N, 1]`. */
export function binaryAccuracy(logits: tf.Tensor2D, labels: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.greater(logits, 0), tf.greater(labels, 0.5)), 'float32')).dataSync()[0] as number);
}

/** Trains encoder + head with Adam and returns the test accuracy (and frees the head and optimizer). */
export function trainBinary<M extends Modality>(encoder: Encoder<M>, data: BinaryData<M>, options: TrainOptions<M>): number {
  const t0 = performance.now();
  const head = tf.variable(tf.randomNormal([encoder.outDim, 1], 0, 0.1, 'float32', 7));
  const bias = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(options.learningRate);
  const vars = [...encoder.variables().filter((v) => v.trainable), head, bias];
  const n = data.train.labels.shape[0];
  const logitsOf = (input: ModalityInputs[M], training: boolean): tf.Tensor2D =>
    tf.add(tf.matMul(encoder.encode(input, training).pooled, head), bias) as tf.Tensor2D;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let from = 0; from + options.batchSize <= n; from += options.batchSize) {
        tf.tidy(() => {
          const input = options.slice(data.train.input, from, options.batchSize);
          const labels = tf.slice(data.train.labels, [from, 0], [options.batchSize, 1]);
          optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(labels, logitsOf(input, true)) as tf.Scalar, false, vars);
        });
      }
      if (options.stopAt !== undefined) {
        const trainAcc = tf.tidy(() => binaryAccuracy(logitsOf(data.train.input, false), data.train.labels));
        if (trainAcc >= options.stopAt) break;
      }
    }
    const acc = tf.tidy(() => binaryAccuracy(logitsOf(data.test.input, false), data.test.labels));
    if (options.report !== undefined) console.log(`${options.report}: test accuracy ${acc.toFixed(3)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return acc;
  } finally {
    optimizer.dispose();
    tf.dispose([head, bias]);
  }
}
