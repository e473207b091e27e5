// MLM loss and masked-token accuracy of a model on held-out texts, with a fixed masking seed so that two evaluations
// (before and after training) score the same predictions.
import * as tf from '@tensorflow/tfjs';
import { disposeMlmBatch, MLM_TASK, mlmBatch } from './collator.js';
import type { MlmData } from './mlm-data.js';
import type { MlmModel } from './mlm-model.js';

/** What `evaluateMlm` measures. */
export interface MlmEvaluation {
  /** Mean cross-entropy (nats) over every predicted position. */
  loss: number;
  /** Fraction of predicted positions whose most likely token is the original. */
  accuracy: number;
  /** Predicted positions scored. */
  predictions: number;
  /** Non-padding tokens read. */
  tokens: number;
}

/** Scores `model` (in evaluation mode, no dropout) on the batches of `data` for the epoch seed `seed`. */
export function evaluateMlm(model: MlmModel, data: MlmData, seed: number): MlmEvaluation {
  let lossSum = 0;
  let correct = 0;
  let predictions = 0;
  let tokens = 0;
  for (const arrays of data.maskedArrays(seed)) {
    tokens += arrays.tokens;
    const m = arrays.positions.length;
    if (m === 0) continue;
    const batch = mlmBatch(arrays);
    const [sum, hits] = tf.tidy(() => {
      const logits = model.forward(batch, { training: false }).outputs[MLM_TASK] as tf.Tensor2D; // [M, V]
      const y = batch.labels[MLM_TASK]?.y as tf.Tensor1D;
      const lse = tf.reshape(tf.logSumExp(logits, 1), [-1]); // [M]
      const perRow = tf.sub(lse, tf.sum(tf.mul(logits, tf.oneHot(y, logits.shape[1])), 1)); // [M]
      const hit = tf.equal(tf.argMax(logits, 1), y); // [M]
      return [tf.sum(perRow).dataSync()[0] as number, tf.sum(tf.cast(hit, 'float32')).dataSync()[0] as number];
    });
    disposeMlmBatch(batch);
    lossSum += sum;
    correct += hits;
    predictions += m;
  }
  if (predictions === 0) throw new Error('evaluateMlm: the data has no position to predict');
  return { loss: lossSum / predictions, accuracy: correct / predictions, predictions, tokens };
}
