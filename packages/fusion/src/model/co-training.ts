// Co-training of two modality views (Blum & Mitchell 1998) on unlabelled samples: the model seeing only one view
// labels the samples it is confident about, and those pseudo-labels train the other view.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Modality, Model } from '@finmm/core';

/** Which task and views to co-train, and how confident a prediction must be to become a label. */
export interface CoTrainingOptions {
  task: string;
  /** The two views (modalities). */
  views: [Modality, Modality];
  /** Minimum predicted probability of the chosen class (binary: max(p, 1 - p)), in [0, 1]. */
  threshold: number;
}

/** Samples one view labelled for the other: a batch carrying only `view`, with the pseudo-labels as its task labels. */
export interface PseudoLabelledBatch {
  /** The view this batch trains. */
  view: Modality;
  /** The view whose confident predictions gave the labels. */
  from: Modality;
  /** Inputs of `view` only (cloned), its presence, and the task's pseudo-labels with a mask of the confident samples. */
  batch: Batch;
  /** Number of confident samples (mask = 1). */
  count: number;
}

/** Frees every tensor of a batch (inputs, presence masks, labels). */
export function disposeBatch(batch: Batch): void {
  const inputs = Object.values(batch.inputs).flatMap((input) => Object.values(input as object) as tf.Tensor[]);
  tf.dispose([...inputs, ...Object.values(batch.present), ...Object.values(batch.labels).flatMap((l) => [l.y, l.mask])]);
}

/** The batch restricted to one view: the other modalities are absent (inputs left out, presence 0). */
function onlyView(batch: Batch, view: Modality): Batch {
  const present = batch.present[view];
  return { size: batch.size, inputs: { [view]: batch.inputs[view] }, present: present === undefined ? {} : { [view]: present }, labels: {} };
}

/**
 * For each direction (A labels B, B labels A): predicts the task from one view alone and keeps the samples whose
 * confidence reaches the threshold and where both views are present. The model should have been trained with
 * modality dropout so that it predicts from one view. Only classification tasks can be co-trained.
 */
export function coTrainingPseudoLabels(model: Model, batch: Batch, options: CoTrainingOptions): PseudoLabelledBatch[] {
  const spec = model.tasks().find((t) => t.name === options.task);
  if (spec === undefined) throw new Error(`co-training: the model has no task "${options.task}"`);
  if (spec.kind === 'regression') throw new Error(`co-training: task "${options.task}" is a regression task; co-training needs class predictions`);
  const [a, b] = options.views;
  if (a === b) throw new Error(`co-training: the two views must differ, got ${a} twice`);
  if (!(options.threshold >= 0 && options.threshold <= 1)) throw new Error(`co-training: threshold must be in [0, 1], got ${options.threshold}`);
  for (const v of options.views) if (batch.inputs[v] === undefined) throw new Error(`co-training: the batch has no ${v} inputs`);
  return [
    [a, b],
    [b, a],
  ].map(([from, view]) => label(model, batch, spec.name, spec.kind === 'binary', from as Modality, view as Modality, options.threshold));
}

function label(model: Model, batch: Batch, task: string, binary: boolean, from: Modality, view: Modality, threshold: number): PseudoLabelledBatch {
  const outputs = model.forward(onlyView(batch, from), { training: false });
  const { y, mask } = tf.tidy(() => {
    const logits = outputs.outputs[task] as tf.Tensor2D; // [B, C] or [B, 1]
    let classes: tf.Tensor1D;
    let confidence: tf.Tensor1D;
    if (binary) {
      const p = tf.reshape(tf.sigmoid(logits), [-1]) as tf.Tensor1D; // [B, 1] -> [B]
      classes = tf.cast(tf.greater(p, 0.5), 'int32') as tf.Tensor1D;
      confidence = tf.maximum(p, tf.sub(1, p));
    } else {
      const probs = tf.softmax(logits);
      classes = tf.argMax(probs, 1) as tf.Tensor1D;
      confidence = tf.max(probs, 1) as tf.Tensor1D;
    }
    const presence = (m: Modality): tf.Tensor1D => {
      const p = batch.present[m];
      return (p === undefined ? tf.ones([batch.size]) : tf.cast(tf.greater(p, 0), 'float32')) as tf.Tensor1D;
    };
    const confident = tf.cast(tf.greaterEqual(confidence, threshold), 'float32');
    return { y: classes, mask: tf.mul(tf.mul(confident, presence(from)), presence(view)) as tf.Tensor1D };
  });
  tf.dispose(outputs as unknown as tf.TensorContainerObject);
  const input = batch.inputs[view] as object;
  const cloned = Object.fromEntries(Object.entries(input).map(([k, t]) => [k, tf.clone(t as tf.Tensor)]));
  const present = batch.present[view];
  const count = Array.from(mask.dataSync()).reduce((sum, v) => sum + v, 0);
  return {
    view,
    from,
    count,
    batch: {
      size: batch.size,
      inputs: { [view]: cloned },
      present: present === undefined ? {} : { [view]: tf.clone(present) },
      labels: { [task]: { y, mask } },
    },
  };
}

/**
 * Class probabilities `[B][C]` of a classification task predicted from one view of the batch alone (the other
 * modalities absent): softmax for multiclass, `[1 - p, p]` for binary. The `predict` of `coTrain` for a fused model.
 */
export function predictView(model: Model, batch: Batch, view: Modality, task: string): number[][] {
  const spec = model.tasks().find((t) => t.name === task);
  if (spec === undefined) throw new Error(`predictView: the model has no task "${task}"`);
  if (spec.kind === 'regression') throw new Error(`predictView: task "${task}" is a regression task; class probabilities need a classification task`);
  if (batch.inputs[view] === undefined) throw new Error(`predictView: the batch has no ${view} inputs`);
  const outputs = model.forward(onlyView(batch, view), { training: false });
  try {
    const probs = tf.tidy(() => {
      const logits = outputs.outputs[task] as tf.Tensor2D; // [B, C] or [B, 1]
      if (spec.kind !== 'binary') return tf.softmax(logits);
      const p = tf.sigmoid(logits); // [B, 1]
      return tf.concat([tf.sub(1, p), p], 1); // [B, 2]
    });
    const rows = probs.arraySync() as number[][];
    probs.dispose();
    return rows;
  } finally {
    tf.dispose(outputs as unknown as tf.TensorContainerObject);
  }
}
