// Runs a model over batches in inference mode and gathers each task's labelled predictions as plain arrays.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model, TaskSpec } from '@finmm/core';
import { disposeBatch } from './batch.js';

/** Labelled predictions of one task. */
export interface TaskPredictions {
  task: TaskSpec;
  /** True class index (classification) or targets (regression), one entry per labelled sample. */
  yTrue: number[][];
  /** Class probabilities (softmax, or sigmoid for a one-output binary head) or regression predictions. */
  outputs: number[][];
  /** Sum over batches of the task's masked mean loss times the batch's labelled count. */
  lossSum: number;
  /** Labelled samples seen. */
  count: number;
}

function probabilities(task: TaskSpec, logits: tf.Tensor2D): tf.Tensor2D {
  if (task.kind === 'regression') return logits;
  return logits.shape[1] === 1 ? tf.sigmoid(logits) : tf.softmax(logits);
}

/** Predictions per task over all `batches` (which it disposes). */
export async function collectPredictions(model: Model, batches: AsyncIterable<Batch> | Iterable<Batch>): Promise<Record<string, TaskPredictions>> {
  const tasks = model.tasks();
  const result: Record<string, TaskPredictions> = {};
  for (const task of tasks) result[task.name] = { task, yTrue: [], outputs: [], lossSum: 0, count: 0 };
  for await (const batch of batches) {
    try {
      const rows = tf.tidy(() => {
        const out = model.forward(batch, { training: false });
        const perTask: Array<{ name: string; y: number[][]; p: number[][]; loss: number; count: number }> = [];
        for (const task of tasks) {
          const labels = batch.labels[task.name];
          const logits = out.outputs[task.name];
          if (labels === undefined || logits === undefined) continue;
          const mask = Array.from(labels.mask.dataSync());
          const count = mask.filter((m) => m > 0).length;
          if (count === 0) continue;
          const y = tf.reshape(labels.y, [batch.size, -1]).arraySync() as number[][]; // [B, K]
          const p = probabilities(task, logits).arraySync();
          const keep = (_: unknown, i: number): boolean => (mask[i] as number) > 0;
          perTask.push({ name: task.name, y: y.filter(keep), p: p.filter(keep), loss: task.loss.compute(logits, labels).dataSync()[0] as number, count });
        }
        return perTask;
      });
      for (const r of rows) {
        const acc = result[r.name] as TaskPredictions;
        acc.yTrue.push(...r.y);
        acc.outputs.push(...r.p);
        acc.lossSum += r.loss * r.count;
        acc.count += r.count;
      }
    } finally {
      disposeBatch(batch);
    }
  }
  return result;
}
