// Gradient clipping by global norm, computed on the device without reading values back.
import * as tf from '@tensorflow/tfjs';

/**
 * Scales every gradient by `min(1, maxNorm / (norm + 1e-6))` where `norm` is the L2 norm over all of them (as
 * PyTorch's `clip_grad_norm_`). Returns new tensors and the pre-clipping norm; the caller disposes the inputs.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}

/** L2 norm over all elements of all tensors. */
export function globalNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (tensors.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
  });
}
