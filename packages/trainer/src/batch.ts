// Helpers over core Batches: freeing every tensor a batch holds.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@finmm/core';

/** Every tensor of a batch: inputs, presence masks and labels. */
export function batchTensors(batch: Batch): tf.Tensor[] {
  const tensors: tf.Tensor[] = [];
  for (const input of Object.values(batch.inputs)) {
    for (const value of Object.values(input ?? {})) if (value instanceof tf.Tensor) tensors.push(value);
  }
  for (const mask of Object.values(batch.present)) if (mask !== undefined) tensors.push(mask);
  for (const labels of Object.values(batch.labels)) tensors.push(labels.y, labels.mask);
  return tensors;
}

/** Frees every tensor of a batch (the trainer owns the batches its data source yields). */
export function disposeBatch(batch: Batch): void {
  tf.dispose(batchTensors(batch));
}
