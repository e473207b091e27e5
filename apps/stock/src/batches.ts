// Batches of target rows for training (order reproducible from the trainer's epoch seed) and P(up) of rows.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model } from '@finmm/core';
import { batchRows, disposeBatch, epochOrder } from '@finmm/data';
import { MOVEMENT_TASK, type StockInputs } from './inputs.js';

/** Options of `stockBatches`. */
export interface StockBatchOptions {
  batchSize: number;
  /** Shuffle by (seed, epoch); default true. */
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
}

/** The batches of one pass over `rows`; each batch belongs to the consumer (the trainer frees it). */
export function* stockBatches(inputs: StockInputs, rows: readonly number[], labels: ReadonlyArray<number | null> | null, options: StockBatchOptions): Generator<Batch> {
  const order = epochOrder(rows, { seed: options.seed ?? 0, epoch: options.epoch ?? 0, shuffle: options.shuffle ?? true });
  for (const chunk of batchRows(order, options.batchSize)) yield inputs.collate(chunk, labels);
}

/** P(up) of a batch: the sigmoid of the head's logit. */
export function upProbability(model: Model, batch: Batch): number[] {
  return tf.tidy(() => {
    const logits = model.forward(batch, { training: false }).outputs[MOVEMENT_TASK];
    if (logits === undefined) throw new Error(`the model has no "${MOVEMENT_TASK}" head`);
    return Array.from(tf.sigmoid(tf.reshape(logits, [-1])).dataSync()); // [B, 1] -> [B]
  });
}

/** P(up) of target rows, in the order given. */
export function scoreRows(model: Model, inputs: StockInputs, rows: readonly number[], batchSize = 256): number[] {
  const scores: number[] = [];
  for (const batch of stockBatches(inputs, rows, null, { batchSize, shuffle: false })) {
    try {
      scores.push(...upProbability(model, batch));
    } finally {
      disposeBatch(batch);
    }
  }
  return scores;
}
