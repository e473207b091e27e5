// Tensor functions the transformer is built from: linear layers, LayerNorm, GELU and dropout with hand-written
// gradients (fewer ops per training step than autodiff gives). On the native CPU backend, finmm's fused kernels
// (@finmm/core's native-kernels: one pass each for GELU, LayerNorm, dropout and their gradients) when built, else
// native TensorFlow kernels; tfjs ops on other backends.
import * as tf from '@tensorflow/tfjs';
import { hasFusedKernel, nextDropoutSeed, runFusedKernel } from '@finmm/core';
import type { Activation } from './config.js';
import { nativeOps, type NativeNormSaved } from './native.js';
import type { NormParams } from './params.js';

type LinearFn = (x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;
let nativeLinearFn: LinearFn | null = null;

// One MatMul and one BiasAdd forward; MatMul x2 and BiasAddGrad backward (tfjs's matMul reshapes to 3-D around a
// BatchMatMul, and its bias gradient is a generic sum).
function makeNativeLinear(): LinearFn {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, weight, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const native = nativeOps() as NonNullable<ReturnType<typeof nativeOps>>;
    save([x, weight]);
    return {
      value: native.biasAdd(native.matMul<tf.Tensor2D>(x, weight, false, true), bias), // [N, out]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [native.matMul(dy, sw), native.matMul(dy, sx, true, false), native.biasAddGrad(dy)]; // [N, in], [out, in], [out]
      },
    };
  });
  return fn as unknown as LinearFn;
}

/** `x W^T + b` for x `[N, in]` and a PyTorch-layout linear layer (W `[out, in]`); returns `[N, out]`. */
export function linear(x: tf.Tensor2D, p: { weight: tf.Tensor2D; bias: tf.Tensor1D }): tf.Tensor2D {
  if (nativeOps() === null) return tf.add(tf.matMul(x, p.weight, false, true), p.bias);
  nativeLinearFn ??= makeNativeLinear();
  return nativeLinearFn(x, p.weight, p.bias);
}

type LayerNormFn = (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;
const layerNormFns = new Map<string, LayerNormFn>();

// Composed from tfjs ops: 9 ops forward, 11 backward.
function makeLayerNorm(eps: number): LayerNormFn {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const centred = tf.sub(x, tf.mean(x, -1, true)); // [N, D]
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)); // [N, 1]
    const xhat = tf.mul(centred, rstd); // [N, D]
    save([xhat, rstd, gamma]);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sXhat, sRstd, sGamma] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dxhat = tf.mul(dy, sGamma); // [N, D]
        // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), all means over D.
        const dx = tf.mul(
          sRstd,
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(sXhat, tf.mean(tf.mul(dxhat, sXhat), -1, true))),
        );
        return [dx, tf.sum(tf.mul(dy, sXhat), 0), tf.sum(dy, 0)];
      },
    };
  });
  return fn as unknown as LayerNormFn;
}

// FusedBatchNormV3 over rows forward, FusedBatchNormGradV3 backward, BiasAddGrad for the parameter gradients.
function makeNativeLayerNorm(eps: number): LayerNormFn {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const native = nativeOps() as NonNullable<ReturnType<typeof nativeOps>>;
    const normed = native.normalizeRows(x, eps);
    save([normed.xhat, normed.x4, gamma, ...normed.reserve]);
    return {
      value: native.biasAdd(tf.mul(normed.xhat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xhat, x4, sGamma, ...reserve] = saved as [tf.Tensor2D, tf.Tensor4D, tf.Tensor1D, ...tf.Tensor[]];
        const restored: NativeNormSaved = { xhat, x4, reserve };
        const dx = native.normalizeRowsGrad(tf.mul(dy, sGamma) as tf.Tensor2D, restored, eps);
        return [dx, native.biasAddGrad(tf.mul(dy, xhat)), native.biasAddGrad(dy)];
      },
    };
  });
  return fn as unknown as LayerNormFn;
}

// finmm's fused kernels: FinmmLayerNorm forward (y, and each row's mean and 1/std for the gradient), one
// FinmmLayerNormGrad backward (dx, dgamma, dbeta); one pass each over the rows.
function makeFusedLayerNorm(eps: number): LayerNormFn {
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, rstd] = runFusedKernel('FinmmLayerNorm', [x, gamma, beta, tf.scalar(eps)], 3) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    save([x, mean, rstd, gamma]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runFusedKernel('FinmmLayerNormGrad', [dy, ...saved], 3),
    };
  });
  return fn as unknown as LayerNormFn;
}

/** LayerNorm over the last axis of `[N, D]`, as `torch.nn.LayerNorm(D, eps)`. */
export function layerNorm(x: tf.Tensor2D, p: NormParams, eps: number): tf.Tensor2D {
  const kind = hasFusedKernel('FinmmLayerNormGrad') ? 'fused' : nativeOps() !== null ? 'native' : 'tfjs';
  const key = `${kind}:${eps}`;
  let fn = layerNormFns.get(key);
  if (fn === undefined) {
    fn = kind === 'fused' ? makeFusedLayerNorm(eps) : kind === 'native' ? makeNativeLayerNorm(eps) : makeLayerNorm(eps);
    layerNormFns.set(key, fn);
  }
  return fn(x, p.weight, p.bias);
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU, `x * Phi(x)` with the erf, and its gradient `Phi(x) + x * phi(x)`. */
export const geluExact = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const cdf = tf.add(0.5, tf.mul(0.5, tf.erf(tf.mul(x, INV_SQRT2))));
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sCdf] = saved as [tf.Tensor, tf.Tensor];
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
      return [tf.mul(dy, tf.add(sCdf, tf.mul(sx, pdf)))];
    },
  };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

// One FinmmGelu pass forward and one FinmmGeluGrad pass backward (finmm's fused kernels), instead of 5 + 7 ops.
const fusedGelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: runFusedKernel('FinmmGelu', [x], 1)[0] as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runFusedKernel('FinmmGeluGrad', [dy, saved[0] as tf.Tensor], 1),
  };
}) as (x: tf.Tensor2D) => tf.Tensor2D;

/** Exact GELU: finmm's fused kernels (@finmm/core) on the native CPU backend when built, else `geluExact`'s ops. */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return hasFusedKernel('FinmmGeluGrad') ? fusedGelu(x) : geluExact(x);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`). */
export function geluTanh(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(0.044715, tf.pow(x, 3))), SQRT_2_OVER_PI);
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Applies a feed-forward activation. */
export function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'gelu':
      return gelu(x);
    case 'gelu_new':
      return geluTanh(x);
    case 'relu':
      return tf.relu(x);
  }
}

type LookupFn = (table: tf.Tensor2D, ids: tf.Tensor) => tf.Tensor;

// Gather forward; the gradient scatters (sums) the output gradient rows into a zero table with ScatterNd. tfjs's own
// gather gradient needs UnsortedSegmentSum, which wasm lacks and the pure-JS cpu backend runs once per table row
// (about ten minutes for a 30k-word vocabulary).
const scatterLookup = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  return {
    value: tf.gather(table, ids), // [...ids.shape, D]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sIds] = saved as [tf.Tensor];
      const [rows, d] = table.shape;
      const indices = tf.reshape(sIds, [sIds.size, 1]); // [N, 1]
      const updates = tf.reshape(dy, [sIds.size, d]); // [N, D]
      return [tf.scatterND(indices, updates, [rows, d]), tf.zerosLike(sIds)];
    },
  };
}) as LookupFn;

/**
 * Rows `ids` (int32, any shape) of `table` `[V, D]`: `[...ids.shape, D]`. The native backend uses tfjs's gather
 * (its gradient runs TensorFlow's UnsortedSegmentSum); other backends get a ScatterNd gradient.
 */
export function embeddingLookup<T extends tf.Tensor>(table: tf.Tensor2D, ids: tf.Tensor): T {
  return (nativeOps() === null ? scatterLookup(table, ids) : tf.gather(table, ids)) as T;
}

/**
 * Uniform [0, 1) floats of `shape`. On the native backend TensorFlow's RandomUniform kernel makes them (tfjs's own
 * randomUniform fills a buffer in JavaScript, which costs more than the rest of a dropout).
 */
export function randomUniform(shape: number[]): tf.Tensor {
  const seed = nextDropoutSeed(); // seeded per training step by the trainer (core's seedDropout), else null
  return nativeOps()?.randomUniform(shape, seed) ?? tf.randomUniform(shape, 0, 1, 'float32', seed ?? undefined);
}

/** The seed of one fused dropout mask: the trainer's seeded stream when set, else a fresh random one. */
function fusedDropoutSeed(): tf.Tensor1D {
  const seed = nextDropoutSeed() ?? Math.floor(Math.random() * 0x7fffffff);
  return tf.tensor1d([seed, 0x5eed], 'int32');
}

// finmm's FinmmDropout: the mask is hashed from (seed, element index), so the gradient is the same op, with the same
// seed, on dy; one pass each way and no mask tensor kept.
const fusedDropout = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, seed, rate, save] = args as [tf.Tensor, tf.Tensor1D, tf.Scalar, tf.GradSaveFunc];
  save([seed, rate]);
  return {
    value: runFusedKernel('FinmmDropout', [x, seed, rate], 1)[0] as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [runFusedKernel('FinmmDropout', [dy, ...saved], 1)[0] as tf.Tensor, tf.zerosLike(seed), tf.zerosLike(rate)],
  };
}) as (x: tf.Tensor, seed: tf.Tensor1D, rate: tf.Scalar) => tf.Tensor;

/** A dropout mask of `shape`: 0 with probability `rate`, else 1 / (1 - rate). */
export function dropoutMask(shape: number[], rate: number): tf.Tensor {
  if (hasFusedKernel('FinmmDropout')) {
    return tf.tidy(() => runFusedKernel('FinmmDropout', [tf.ones(shape), fusedDropoutSeed(), tf.scalar(rate)], 1)[0] as tf.Tensor);
  }
  const keep = 1 - rate;
  // floor(u + keep) is 1 with probability keep.
  return tf.tidy(() => tf.mul(tf.floor(tf.add(randomUniform(shape), keep)), 1 / keep));
}

/** Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
  if (!training || rate === 0) return x;
  if (hasFusedKernel('FinmmDropout')) return fusedDropout(x, fusedDropoutSeed(), tf.scalar(rate)) as T;
  return tf.mul(x, dropoutMask(x.shape, rate)) as T;
}
