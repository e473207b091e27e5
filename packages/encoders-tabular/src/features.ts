// The feature layout a tabular encoder is built for, input checks, and per-feature categorical embedding lookups.
import * as tf from '@tensorflow/tfjs';
import type { TabularInput } from '@finmm/core';

/** How many numeric features, and the table size of each categorical feature (including the unknown slot 0). */
export interface FeatureLayout {
  numericFeatures: number;
  /** Rows of each categorical feature's table: known categories + 1 (index 0 is the unknown slot). */
  cardinalities: number[];
}

/** Checks a tabular batch against the layout and returns its batch size; errors name the bad field. */
export function checkTabularInput(input: TabularInput, layout: FeatureLayout, type: string): number {
  const { numericFeatures, cardinalities } = layout;
  let batch: number | null = null;
  const check = (field: 'numeric' | 'categorical', tensor: tf.Tensor2D | undefined, width: number): void => {
    if (width === 0) return;
    if (tensor === undefined) {
      throw new Error(`${type}: input field "tabular.${field}" is missing; expected [B, ${width}]`);
    }
    if (tensor.rank !== 2 || tensor.shape[1] !== width) {
      throw new Error(`${type}: input field "tabular.${field}" has shape [${tensor.shape.join(', ')}]; expected [B, ${width}]`);
    }
    if (batch !== null && tensor.shape[0] !== batch) {
      throw new Error(`${type}: input field "tabular.${field}" has ${tensor.shape[0]} rows but "tabular.numeric" has ${batch}`);
    }
    batch = tensor.shape[0];
  };
  check('numeric', input.numeric, numericFeatures);
  check('categorical', input.categorical, cardinalities.length);
  if (batch === null) throw new Error(`${type}: the tabular input has no features`);
  return batch;
}

/** Row offsets of each categorical feature in one concatenated table. */
export function tableOffsets(cardinalities: readonly number[]): number[] {
  const offsets: number[] = [];
  let total = 0;
  for (const c of cardinalities) {
    offsets.push(total);
    total += c;
  }
  return offsets;
}

/**
 * Looks up each categorical feature in its part of the concatenated `table` `[sum(cardinalities), E]`;
 * indices outside `[0, cardinality)` of their feature read the unknown slot 0. Returns `[B, Fc, E]`.
 */
export function lookupCategories(categorical: tf.Tensor2D, table: tf.Tensor2D, cardinalities: readonly number[]): tf.Tensor3D {
  const [batch, features] = categorical.shape;
  const ids = tf.cast(categorical, 'int32');
  const inRange = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, tf.tensor1d([...cardinalities], 'int32')));
  const safe = tf.where(inRange, ids, tf.zerosLike(ids)); // [B, Fc]
  const rows = tf.add(safe, tf.tensor1d(tableOffsets(cardinalities), 'int32')); // [B, Fc]
  const gathered = tf.gather(table, tf.reshape(rows, [-1])); // [B*Fc, E]
  return tf.reshape(gathered, [batch, features, table.shape[1]]); // [B, Fc, E]
}
