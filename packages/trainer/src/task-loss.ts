// The training loss of a batch: each task's masked loss from the model's TaskSpecs, combined, plus auxiliary terms.
import * as tf from '@tensorflow/tfjs';
import type { Batch, ModelOutputs, TaskSpec } from '@finmm/core';
import type { LossCombiner, TaskLossTerm } from '@finmm/losses';

/** Per-task loss terms of a batch, for the tasks that have labels in it. */
export function taskLossTerms(tasks: readonly TaskSpec[], outputs: ModelOutputs, batch: Batch): Record<string, TaskLossTerm> {
  const terms: Record<string, TaskLossTerm> = {};
  for (const task of tasks) {
    const labels = batch.labels[task.name];
    if (labels === undefined) continue;
    const output = outputs.outputs[task.name];
    if (output === undefined) throw new Error(`the model has no output for task '${task.name}'`);
    terms[task.name] = {
      loss: task.loss.compute(output, labels),
      labelled: tf.tidy(() => tf.minimum(tf.sum(tf.cast(tf.greater(labels.mask, 0), 'float32')), 1) as tf.Scalar),
    };
  }
  return terms;
}

/** The total loss: the combined task losses plus `outputs.auxiliaryLoss` when the model returns one. */
export function totalLoss(tasks: readonly TaskSpec[], outputs: ModelOutputs, batch: Batch, combiner: LossCombiner): tf.Scalar {
  return tf.tidy(() => {
    const combined = combiner.combine(taskLossTerms(tasks, outputs, batch));
    return outputs.auxiliaryLoss === undefined ? combined : tf.add(combined, outputs.auxiliaryLoss);
  });
}
