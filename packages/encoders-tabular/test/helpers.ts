// Test helpers: random tabular batches for a feature layout, and a gradient check over an encoder's variables.
import * as tf from '@tensorflow/tfjs';
import type { Encoder, TabularInput } from '@finmm/core';
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

/** Names of the encoder's variables whose gradient under a random projection of its outputs is zero or missing. */
export function variablesWithoutGradient(encoder: Encoder<'tabular'>, input: TabularInput): string[] {
  const vars = encoder.variables();
  const { value, grads } = tf.variableGrads(() => {
    const out = encoder.encode(input, true);
    const pooledLoss = tf.sum(tf.mul(out.pooled, tf.randomNormal(out.pooled.shape, 0, 1, 'float32', 11)));
    const tokenLoss = out.tokens === undefined ? tf.scalar(0) : tf.sum(tf.mul(out.tokens, tf.randomNormal(out.tokens.shape, 0, 1, 'float32', 12)));
    return tf.add(pooledLoss, tokenLoss) as tf.Scalar;
  }, vars);
  const missing = vars.filter((v) => {
    const g = grads[v.name];
    return g === undefined || tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0] === 0);
  });
  tf.dispose([value, ...Object.values(grads)]);
  return missing.map((v) => v.name);
}
