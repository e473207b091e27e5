// Multi-task losses of a forward pass: each task's masked loss over the samples labelled for it, and a fixed-weight sum.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Model, ModelOutputs } from '@finmm/core';

/** One task's term for a batch (the shape @finmm/losses' combiners take). */
export interface TaskLossTerm {
  /** The task's mean loss over its labelled samples (0 when none). */
  loss: tf.Scalar;
  /** 1 when at least one sample of the batch has a label for the task, else 0. */
  labelled: tf.Scalar;
}

/**
 * Per-task loss terms for the tasks the batch has labels for. Each task's Loss reduces over its `mask`, so a sample
 * without a label for a task contributes nothing to that task's loss or its head's gradient.
 */
export function taskLossTerms(model: Model, batch: Batch, outputs: ModelOutputs): Record<string, TaskLossTerm> {
  const terms: Record<string, TaskLossTerm> = {};
  for (const spec of model.tasks()) {
    const labels = batch.labels[spec.name];
    if (labels === undefined) continue;
    const output = outputs.outputs[spec.name];
    if (output === undefined) throw new Error(`taskLossTerms: the model outputs have no task "${spec.name}"`);
    if (labels.mask.rank !== 1 || labels.mask.shape[0] !== output.shape[0]) {
      throw new Error(`taskLossTerms: labels.${spec.name}.mask has shape [${labels.mask.shape.join(', ')}]; expected [${output.shape[0]}]`);
    }
    terms[spec.name] = tf.tidy(() => ({
      loss: spec.loss.compute(output, labels),
      labelled: tf.cast(tf.greater(tf.sum(labels.mask), 0), 'float32') as tf.Scalar,
    }));
  }
  return terms;
}

/** The training loss with fixed task weights: `sum_t weight_t * L_t + auxiliaryLoss`. */
export function weightedTaskLoss(model: Model, batch: Batch, outputs: ModelOutputs): tf.Scalar {
  return tf.tidy(() => {
    const terms = taskLossTerms(model, batch, outputs);
    let total: tf.Scalar = outputs.auxiliaryLoss === undefined ? tf.scalar(0) : tf.add(outputs.auxiliaryLoss, 0);
    for (const spec of model.tasks()) {
      const term = terms[spec.name];
      if (term !== undefined) total = tf.add(total, tf.mul(term.loss, spec.weight));
    }
    return total;
  });
}
