// P(positive) from a credit model: the head's logit, corrected for the positive-class weight it was trained with.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '@finmm/core';
import { disposeBatch, type BatchSource } from '@finmm/data';
import { CREDIT_TASK } from './features.js';

/**
 * P(positive) for a batch. A BCE weight w on positives multiplies the learned odds by w, so the logit is shifted by
 * -ln(w) to give probabilities for the data's own class balance (the Bayes threshold then applies).
 */
export function positiveProbability(model: Model, batch: Batch, posWeight: number): number[] {
  return tf.tidy(() => {
    const logits = model.forward(batch, { training: false }).outputs[CREDIT_TASK];
    if (logits === undefined) throw new Error(`the model has no "${CREDIT_TASK}" head`);
    return Array.from(tf.sigmoid(tf.sub(tf.reshape(logits, [-1]), Math.log(posWeight))).dataSync()); // [B, 1] -> [B]
  });
}

/** P(positive) for table rows, in the order given. */
export async function scoreRows(model: Model, source: BatchSource, rows: readonly number[], posWeight: number): Promise<number[]> {
  const scores: number[] = [];
  for await (const batch of source.batches({ batchSize: 256, rows, shuffle: false })) {
    try {
      scores.push(...positiveProbability(model, batch, posWeight));
    } finally {
      disposeBatch(batch);
    }
  }
  return scores;
}
