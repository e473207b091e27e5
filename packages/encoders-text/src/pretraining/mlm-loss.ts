// Cross-entropy over the vocabulary at the predicted positions, with a hand-written gradient (softmax minus one-hot,
// one op chain instead of autodiff through logSoftmax and a one-hot product).
import * as tf from '@tensorflow/tfjs';
import type { Loss, TaskLabels } from '@finmm/core';

type CrossEntropyFn = (logits: tf.Tensor2D) => tf.Scalar;

/**
 * `sum_i w_i (logsumexp(z_i) - z_i[y_i]) / sum_i w_i` for logits z `[M, V]`, targets y `[M]` and weights w `[M]`
 * (the task mask); 0 when no weight is positive. The gradient is `w_i (softmax(z_i) - onehot(y_i)) / sum w`.
 */
function weightedCrossEntropy(y: tf.Tensor1D, weights: tf.Tensor1D, classes: number): CrossEntropyFn {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const keep = tf.greater(weights, 0); // [M]
    const w = tf.where(keep, weights, tf.zerosLike(weights)); // [M]
    const scale = tf.div(w, tf.maximum(tf.sum(w), 1e-12)); // [M]
    const safeY = tf.where(keep, y, tf.zerosLike(y)); // [M]: a masked-out label may be anything
    const onehot = tf.oneHot(safeY, classes); // [M, V]
    const lse = tf.logSumExp(logits, 1, true); // [M, 1]
    const picked = tf.sum(tf.mul(logits, onehot), 1, true); // [M, 1]
    const perRow = tf.reshape(tf.sub(lse, picked), [-1]); // [M, 1] -> [M]
    save([logits, lse, onehot, scale]);
    return {
      value: tf.sum(tf.mul(tf.where(keep, perRow, tf.zerosLike(perRow)), scale)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sLogits, sLse, sOnehot, sScale] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const probs = tf.exp(tf.sub(sLogits, sLse)); // [M, V]
        const rowScale = tf.mul(tf.reshape(sScale, [-1, 1]), dy); // [M] -> [M, 1]
        return [tf.mul(tf.sub(probs, sOnehot), rowScale)];
      },
    };
  }) as unknown as CrossEntropyFn;
}

/** The MLM loss: mean cross-entropy over the vocabulary at the masked positions whose label mask is 1. */
export class MlmLoss implements Loss {
  readonly name = 'mlm-cross-entropy';

  /** Mean cross-entropy of logits `[M, V]` against labels y `[M]` (int32 ids) with mask `[M]`. */
  compute(output: tf.Tensor2D, labels: TaskLabels): tf.Scalar {
    const [rows, classes] = output.shape;
    if (labels.y.size !== rows || labels.mask.size !== rows) {
      throw new Error(`MLM loss: ${rows} rows of logits but ${labels.y.size} labels and ${labels.mask.size} mask entries`);
    }
    return tf.tidy(() => {
      const y = tf.cast(tf.reshape(labels.y, [-1]), 'int32') as tf.Tensor1D; // [M]
      const weights = tf.cast(labels.mask, 'float32') as tf.Tensor1D;
      return weightedCrossEntropy(y, weights, classes)(output);
    });
  }
}
