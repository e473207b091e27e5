// P(positive) from a credit model (one network or an ensemble of members): the members' mean logit, corrected
// for the positive-class weight they were trained with.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '@finmm/core';
import { disposeBatch, type BatchSource } from '@finmm/data';
import { CREDIT_TASK } from './features.js';

/** The head's logits `[B]` of one model for a batch (a tensor the caller frees). */
function logitsOf(model: Model, batch: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const logits = model.forward(batch, { training: false }).outputs[CREDIT_TASK];
    if (logits === undefined) throw new Error(`the model has no "${CREDIT_TASK}" head`);
    return tf.reshape(logits, [-1]) as tf.Tensor1D; // [B, 1] -> [B]
  });
}

/** The models of a credit model: one network, or the members of an ensemble. */
export type CreditModels = Model | readonly Model[];

const asList = (models: CreditModels): readonly Model[] => (Array.isArray(models) ? (models as readonly Model[]) : [models as Model]);

/**
 * P(positive) for a batch: sigmoid of the members' mean logit. A BCE weight w on positives multiplies the learned
 * odds by w, so the logit is shifted by -ln(w) to give probabilities for the data's own class balance (the Bayes
 * threshold then applies).
 */
export function positiveProbability(models: CreditModels, batch: Batch, posWeight: number): number[] {
  const list = asList(models);
  if (list.length === 0) throw new Error('positiveProbability: no model given');
  return tf.tidy(() => {
    const mean = tf.mean(tf.stack(list.map((m) => logitsOf(m, batch))), 0); // [M, B] -> [B]
    return Array.from(tf.sigmoid(tf.sub(mean, Math.log(posWeight))).dataSync());
  });
}

/** P(positive) for table rows, in the order given. */
export async function scoreRows(models: CreditModels, source: BatchSource, rows: readonly number[], posWeight: number): Promise<number[]> {
  const scores: number[] = [];
  for await (const batch of source.batches({ batchSize: 256, rows, shuffle: false })) {
    try {
      scores.push(...positiveProbability(models, batch, posWeight));
    } finally {
      disposeBatch(batch);
    }
  }
  return scores;
}

/** One model's raw head logits for table rows, in the order given. */
export async function rowLogits(model: Model, source: BatchSource, rows: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of source.batches({ batchSize: 256, rows, shuffle: false })) {
    try {
      const logits = logitsOf(model, batch);
      out.push(...logits.dataSync());
      logits.dispose();
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

/** P(positive) per row from several members' logits `[M][N]`: sigmoid(mean logit - ln posWeight). */
export function combineLogits(logits: readonly (readonly number[])[], posWeight: number): number[] {
  const first = logits[0];
  if (first === undefined) throw new Error('combineLogits: no member logits given');
  const shift = Math.log(posWeight);
  return first.map((_, i) => {
    const mean = logits.reduce((a, l) => a + (l[i] as number), 0) / logits.length;
    return 1 / (1 + Math.exp(-(mean - shift)));
  });
}
