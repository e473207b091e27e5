// Masked reduction and label sanitising shared by every loss: samples whose mask is 0 count for nothing.
import * as tf from '@tensorflow/tfjs';

/**
 * Weighted mean of per-sample losses `[B]` over the samples whose weight is > 0; the weight is the task mask
 * (optionally times per-sample weights). Masked-out entries are replaced by 0 through `where` before the sum, so
 * even a NaN loss of an unlabelled sample neither reaches the result nor its gradient. Returns 0 (with zero
 * gradient) when no sample is masked in.
 */
export function maskedMean(perSample: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const w = weights.toFloat();
    const keep = tf.greater(w, 0);
    const safe = tf.where(keep, perSample, tf.zerosLike(perSample));
    const total = tf.sum(tf.mul(safe, w));
    const count = tf.sum(w);
    return tf.div(total, tf.maximum(count, 1e-12)) as tf.Scalar;
  });
}

/** A `[B]` mask broadcast to the shape of `like` (`[B]` or `[B, K]`) as booleans. */
export function maskLike(mask: tf.Tensor1D, like: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const keep = tf.greater(mask.toFloat(), 0);
    if (like.rank === 1) return keep;
    const b = like.shape[0] as number;
    const rest = like.shape.slice(1);
    const reshaped = tf.reshape(keep, [b, ...rest.map(() => 1)]); // [B, 1, ...]
    return tf.broadcastTo(reshaped, like.shape);
  });
}

/**
 * Replaces the labels of masked-out samples by `fill` (a valid class or target), so that a placeholder such as
 * -1 or NaN in an unlabelled row cannot turn into NaN gradients.
 */
export function sanitizeLabels(y: tf.Tensor, mask: tf.Tensor1D, fill = 0): tf.Tensor {
  return tf.tidy(() => tf.where(maskLike(mask, y), y, tf.fill(y.shape, fill, y.dtype)));
}

/** Class indices `[B]` as int32 with masked-out rows set to class 0. */
export function classIndices(y: tf.Tensor, mask: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(y, [-1]); // [B]
    const clean = tf.where(tf.greater(mask.toFloat(), 0), flat, tf.zerosLike(flat));
    return tf.cast(clean, 'int32') as tf.Tensor1D;
  });
}

/** Float targets reshaped to the outputs' `[B, K]` shape, masked-out rows set to 0. */
export function targetsLike(y: tf.Tensor, mask: tf.Tensor1D, output: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const yf = tf.reshape(y.toFloat(), output.shape); // [B, K]
    return sanitizeLabels(yf, mask, 0) as tf.Tensor2D;
  });
}
