// Integrated gradients (Sundararajan et al. 2017, "Axiomatic Attribution for Deep Networks") over a modality's
// embeddings, through core's `ForwardOptions.embeddingDeltas`, and their aggregation to tabular features.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Modality, Model } from '@finmm/core';

/** What to attribute and against which baseline. */
export interface IntegratedGradientsOptions {
  /** The task whose output is attributed. */
  task: string;
  /** Which output column of the task (default 0: the logit of a binary head). */
  output?: number;
  /** The modality whose embeddings are attributed; its encoder must expose them (tabular and text encoders do). */
  modality: Modality;
  /** One sample's baseline embedding (the embedding shape without the batch axis), e.g. the training mean. */
  baseline: tf.Tensor;
  /** Riemann steps (midpoint rule) along the straight path from the baseline; default 32. */
  steps?: number;
}

/** Attributions per embedding entry and the outputs they explain. */
export interface Attributions {
  /** `[B, ...embedding shape]`: (x - baseline) * mean gradient along the path. Free it when done. */
  values: tf.Tensor;
  /** The attributed output at each sample and at the baseline; attributions sum to their difference (completeness). */
  output: Float32Array;
  baselineOutput: Float32Array;
}

function taskColumn(outputs: Record<string, tf.Tensor2D>, task: string, column: number): tf.Tensor1D {
  const out = outputs[task];
  if (out === undefined) throw new Error(`integrated gradients: the model has no output for task "${task}"`);
  if (column < 0 || column >= out.shape[1]) throw new Error(`integrated gradients: task "${task}" has ${out.shape[1]} outputs, not column ${column}`);
  return tf.reshape(tf.slice(out, [0, column], [-1, 1]), [-1]) as tf.Tensor1D; // [B, K] -> [B]
}

/** Integrated gradients of one task output with respect to a modality's embeddings, for every sample of the batch. */
export function integratedGradients(model: Model, batch: Batch, options: IntegratedGradientsOptions): Attributions {
  const steps = options.steps ?? 32;
  const column = options.output ?? 0;
  const m = options.modality;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`integrated gradients: steps must be a positive integer, got ${steps}`);
  const result = tf.tidy(() => {
    const at = (delta: tf.Tensor | null): tf.Tensor1D => {
      const out = model.forward(batch, { training: false, ...(delta === null ? {} : { embeddingDeltas: { [m]: delta } }) });
      return taskColumn(out.outputs, options.task, column);
    };
    const plain = model.forward(batch, { training: false });
    const x = plain.embeddings[m];
    if (x === undefined) throw new Error(`integrated gradients: the ${m} encoder does not expose its embeddings`);
    const expected = x.shape.slice(1).join(',');
    if (options.baseline.shape.join(',') !== expected) {
      throw new Error(`integrated gradients: baseline has shape [${options.baseline.shape.join(', ')}]; one sample's ${m} embedding is [${expected}]`);
    }
    const output = taskColumn(plain.outputs, options.task, column);
    const diff = tf.sub(x, tf.expandDims(options.baseline, 0)); // [B, ...]
    // The forward pass adds `delta` to x, so delta = (alpha - 1) * diff walks baseline -> x.
    const gradient = tf.grad((delta: tf.Tensor) => tf.sum(at(delta)));
    let total: tf.Tensor = tf.zerosLike(diff);
    for (let k = 0; k < steps; k++) {
      const alpha = (k + 0.5) / steps;
      const g = gradient(tf.mul(diff, alpha - 1));
      const next = tf.add(total, g);
      total.dispose();
      g.dispose();
      total = next;
    }
    const values = tf.mul(diff, tf.div(total, steps));
    const baselineOutput = at(tf.neg(diff));
    return { values, output, baselineOutput };
  });
  try {
    return { values: result.values, output: result.output.dataSync() as Float32Array, baselineOutput: result.baselineOutput.dataSync() as Float32Array };
  } finally {
    result.output.dispose();
    result.baselineOutput.dispose();
  }
}

/** How many numeric and categorical features a tabular embedding holds (numeric first, as the collator orders them). */
export interface TabularFeatureCounts {
  numeric: number;
  categorical: number;
}

/**
 * Sums attributions back to features `[B][F]` (numeric features first, then categorical): an MLP encoder's
 * `[B, Fn + Fc*E]` (one column per numeric feature, E per categorical one) or feature tokens `[B, F, D]`.
 */
export function tabularFeatureAttributions(values: tf.Tensor, counts: TabularFeatureCounts): number[][] {
  const features = counts.numeric + counts.categorical;
  if (values.rank === 3) {
    if (values.shape[1] !== features) throw new Error(`attributions have ${values.shape[1]} feature tokens, expected ${features}`);
    return tf.tidy(() => tf.sum(values, 2).arraySync() as number[][]); // [B, F, D] -> [B, F]
  }
  if (values.rank !== 2) throw new Error(`attributions of rank ${values.rank}; expected [B, W] or [B, F, D]`);
  const width = values.shape[1] as number;
  const perCategory = counts.categorical === 0 ? 0 : (width - counts.numeric) / counts.categorical;
  if (!Number.isInteger(perCategory) || (counts.categorical === 0 && width !== counts.numeric)) {
    throw new Error(`attributions are ${width} wide; that is not ${counts.numeric} numeric + ${counts.categorical} x E categorical columns`);
  }
  const rows = values.arraySync() as number[][];
  return rows.map((row) => {
    const out = row.slice(0, counts.numeric);
    for (let k = 0; k < counts.categorical; k++) {
      const from = counts.numeric + k * perCategory;
      out.push(row.slice(from, from + perCategory).reduce((a, b) => a + b, 0));
    }
    return out;
  });
}

/** The mean embedding of a modality over batches (which it disposes), as a baseline for integrated gradients. */
export async function meanEmbedding(model: Model, batches: AsyncIterable<Batch> | Iterable<Batch>, modality: Modality, dispose: (b: Batch) => void): Promise<tf.Tensor> {
  let sum: tf.Tensor | null = null;
  let count = 0;
  for await (const batch of batches) {
    try {
      const part = tf.tidy(() => {
        const e = model.forward(batch, { training: false }).embeddings[modality];
        if (e === undefined) throw new Error(`meanEmbedding: the ${modality} encoder does not expose its embeddings`);
        return tf.sum(e, 0);
      });
      count += batch.size;
      const next: tf.Tensor = sum === null ? part : tf.add(sum, part);
      if (sum !== null) {
        sum.dispose();
        part.dispose();
      }
      sum = next;
    } finally {
      dispose(batch);
    }
  }
  if (sum === null || count === 0) throw new Error('meanEmbedding: no samples');
  const mean = tf.div(sum, count);
  sum.dispose();
  return mean;
}
