// Dilated causal 1-D convolution as one matMul over shifted copies of the input (im2col), so that it trains on
// every backend: tfjs has no gradient for dilated conv2d.
import * as tf from '@tensorflow/tfjs';
import type { DenseParams } from '@finmm/core';

/**
 * `y[t] = b + sum_j x[t - (k-1-j) * dilation] W_j` for x `[B, T, C]` and kernel `[k*C, C_out]` (tap j's rows at
 * `j*C .. (j+1)*C`); steps before the start read zeros, so y[t] never sees a step after t.
 */
export function causalConv(x: tf.Tensor3D, p: DenseParams, kernelSize: number, dilation: number): tf.Tensor3D {
  const [b, t, c] = x.shape;
  const taps: tf.Tensor3D[] = [];
  for (let j = 0; j < kernelSize; j++) {
    const shift = (kernelSize - 1 - j) * dilation;
    if (shift === 0) taps.push(x);
    else if (shift >= t) taps.push(tf.zeros([b, t, c]));
    else taps.push(tf.pad(tf.slice(x, [0, 0, 0], [b, t - shift, c]), [[0, 0], [shift, 0], [0, 0]])); // [B, T, C], delayed by shift
  }
  const stacked = tf.concat(taps, 2); // [B, T, k*C]
  const y = tf.add(tf.matMul(tf.reshape(stacked, [b * t, kernelSize * c]) as tf.Tensor2D, p.kernel), p.bias); // [B*T, C_out]
  return tf.reshape(y, [b, t, p.kernel.shape[1]]) as tf.Tensor3D; // [B, T, C_out]
}
