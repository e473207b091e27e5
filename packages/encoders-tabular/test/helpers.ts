// Test helpers: random tabular batches for a feature layout.
import * as tf from '@tensorflow/tfjs';
import type { TabularInput } from '@finmm/core';
import type { FeatureLayout } from '../src/index.js';

/** A random batch for a layout: numeric normal values, categorical indices covering every slot incl. unknown. */
export function randomTabular(layout: FeatureLayout, batch: number, seed = 3): TabularInput {
  const numeric = layout.numericFeatures > 0 ? tf.randomNormal([batch, layout.numericFeatures], 0, 1, 'float32', seed) : undefined;
  const cats = layout.cardinalities.length;
  const ids = new Int32Array(batch * cats);
  for (let i = 0; i < batch; i++) for (let j = 0; j < cats; j++) ids[i * cats + j] = (i + j) % (layout.cardinalities[j] as number);
  return {
    ...(numeric === undefined ? {} : { numeric: numeric as tf.Tensor2D }),
    ...(cats > 0 ? { categorical: tf.tensor2d(ids, [batch, cats], 'int32') } : {}),
  };
}

/** Frees a tabular input. */
export function disposeInput(input: TabularInput): void {
  input.numeric?.dispose();
  input.categorical?.dispose();
}
