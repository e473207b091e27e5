// Training-mode batch normalisation over all axes but the last, as one recorded op with a hand-written gradient:
// autodiff through tf.moments and tf.batchNorm costs several more full-size ops per layer.
import * as tf from '@tensorflow/tfjs';

/** What `batchNormTrain` returns: the normalised tensor and the batch statistics (for the running averages). */
export interface BatchNormResult<T extends tf.Tensor> {
  y: T;
  /** Per-channel batch mean and (biased) variance `[C]`, outside any tidy scope: the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

type Fn = (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor;
const fns = new Map<number, Fn>();
/** Batch statistics of the last call, handed from inside the op (where nothing is taped) to the caller. */
let lastStats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;

/** The op: y = gamma * xhat + beta, xhat = (x - mean) * rstd; dx = rstd * gamma * (dy - mean(dy) - xhat * mean(dy * xhat)). */
function make(eps: number): Fn {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes); // [C], [C]
    lastStats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) };
    const rstd = tf.rsqrt(tf.add(variance, eps)); // [C]
    const xhat = tf.mul(tf.sub(x, mean), rstd); // x's shape
    save([xhat, rstd, gamma]);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sXhat, sRstd, sGamma] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const n = dy.size / (dy.shape[dy.shape.length - 1] as number);
        const dGamma = tf.sum(tf.mul(dy, sXhat), axes); // [C]
        const dBeta = tf.sum(dy, axes); // [C]
        const centred = tf.sub(dy, tf.add(tf.div(dBeta, n), tf.mul(sXhat, tf.div(dGamma, n))));
        return [tf.mul(centred, tf.mul(sRstd, sGamma)), dGamma, dBeta];
      },
    };
  }) as unknown as Fn;
}

/** Batch norm of `x` `[..., C]` with its own batch statistics, which it also returns (the caller disposes them). */
export function batchNormTrain<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormResult<T> {
  let fn = fns.get(eps);
  if (fn === undefined) {
    fn = make(eps);
    fns.set(eps, fn);
  }
  lastStats = null;
  const y = fn(x, gamma, beta) as T;
  const stats = lastStats as { mean: tf.Tensor1D; variance: tf.Tensor1D } | null;
  lastStats = null;
  if (stats === null) throw new Error('batchNormTrain: the batch statistics were not recorded');
  return { y, ...stats };
}
