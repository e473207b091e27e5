// Synthetic tabular datasets and batch sources for trainer tests.
import * as tf from '@tensorflow/tfjs';
import { Rng, type Batch, type TaskLabels } from '@finmm/core';
import type { BatchSource, EpochContext } from '../../src/index.js';

/** Labels of one task: class indices (int) or regression targets (float), with an optional 0/1 mask. */
export interface TaskColumn {
  values: number[];
  dtype: 'int32' | 'float32';
  mask?: number[];
}

/** A dataset of n rows with F numeric features. */
export interface Dataset {
  n: number;
  features: number;
  x: Float32Array;
  labels: Record<string, TaskColumn>;
}

/** Gaussian features; `labelOf` turns each row into the task labels (and may edit the row in place). */
export function makeDataset(
  n: number,
  features: number,
  seed: number,
  labelOf: (row: number[], rng: Rng) => Record<string, number>,
  dtypes: Record<string, 'int32' | 'float32'>,
): Dataset {
  const rng = Rng.fromSeed(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const x = new Float32Array(n * features);
  const labels: Record<string, TaskColumn> = {};
  for (const [task, dtype] of Object.entries(dtypes)) labels[task] = { values: [], dtype };
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: features }, gauss);
    const ys = labelOf(row, rng); // may rewrite the row in place (e.g. to move it towards its class)
    x.set(row, i * features);
    for (const task of Object.keys(dtypes)) (labels[task] as TaskColumn).values.push(ys[task] as number);
  }
  return { n, features, x, labels };
}

/** A standard-normal sample from `rng`. */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
}

/** The batch of rows `idx`. */
export function makeBatch(data: Dataset, idx: readonly number[]): Batch {
  const x = new Float32Array(idx.length * data.features);
  idx.forEach((r, i) => x.set(data.x.subarray(r * data.features, (r + 1) * data.features), i * data.features));
  const labels: Record<string, TaskLabels> = {};
  for (const [task, col] of Object.entries(data.labels)) {
    labels[task] = {
      y: tf.tensor1d(idx.map((r) => col.values[r] as number), col.dtype),
      mask: tf.tensor1d(idx.map((r) => col.mask?.[r] ?? 1)),
    };
  }
  return {
    size: idx.length,
    inputs: { tabular: { numeric: tf.tensor2d(x, [idx.length, data.features]) } },
    present: { tabular: tf.ones([idx.length]) as tf.Tensor1D },
    labels,
  };
}

/** Batches of `batchSize` rows per epoch, shuffled with the epoch's seed when `shuffle`. */
export function batchSource(data: Dataset, batchSize: number, shuffle = true, seen?: EpochContext[]): BatchSource {
  return (ctx) => {
    seen?.push(ctx);
    const order = shuffle ? Rng.fromSeed(ctx.seed).permutation(data.n) : Array.from({ length: data.n }, (_, i) => i);
    return (function* () {
      for (let start = 0; start < data.n; start += batchSize) yield makeBatch(data, order.slice(start, start + batchSize));
    })();
  };
}

/** All rows in fixed order, for evaluation. */
export function evalBatches(data: Dataset, batchSize = 256): () => Iterable<Batch> | AsyncIterable<Batch> {
  return () => batchSource(data, batchSize, false)({ epoch: 0, seed: 0, skip: 0 });
}
