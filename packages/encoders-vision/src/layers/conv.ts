// 2-D convolution and batch normalisation layers over tf.Variables, channels last.
import * as tf from '@tensorflow/tfjs';
import { batchNormTrain } from './batch-norm-op.js';
import type { ParamStore } from '@finmm/core';

/** A convolution: kernel `[kh, kw, in, out]`, bias `[out]` (null when a batch norm follows). */
export interface Conv2d {
  kernel: tf.Variable<tf.Rank.R4>;
  bias: tf.Variable<tf.Rank.R1> | null;
  stride: [number, number];
}

/** Creates a convolution with He-uniform weights. */
export function createConv(store: ParamStore, name: string, size: [number, number], inC: number, outC: number, options: { stride?: [number, number]; bias: boolean }): Conv2d {
  const [kh, kw] = size;
  return {
    kernel: store.heUniform(`${name}.kernel`, [kh, kw, inC, outC], kh * kw * inC) as tf.Variable<tf.Rank.R4>,
    bias: options.bias ? store.filled(`${name}.bias`, outC, 0) : null,
    stride: options.stride ?? [1, 1],
  };
}

/** 'same'-padded convolution of `x` `[B, H, W, in]` -> `[B, ceil(H/sh), ceil(W/sw), out]`. */
export function conv2d(x: tf.Tensor4D, p: Conv2d): tf.Tensor4D {
  const y = tf.conv2d(x, p.kernel, p.stride, 'same');
  return p.bias === null ? y : (tf.add(y, p.bias) as tf.Tensor4D);
}

/** Variables of a convolution. */
export function convVariables(p: Conv2d): tf.Variable[] {
  return p.bias === null ? [p.kernel] : [p.kernel, p.bias];
}

/** Batch normalisation over B, H, W with running statistics for inference (momentum 0.1 and eps 1e-5, as PyTorch). */
export class BatchNorm {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  /** Running mean and (unbiased) variance, non-trainable. */
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;

  constructor(store: ParamStore, name: string, channels: number) {
    this.gamma = store.filled(`${name}.gamma`, channels, 1);
    this.beta = store.filled(`${name}.beta`, channels, 0);
    this.runningMean = store.filled(`${name}.runningMean`, channels, 0, false);
    this.runningVar = store.filled(`${name}.runningVar`, channels, 1, false);
  }

  /** Normalises `x` `[B, H, W, C]` by batch statistics (training, updating the running ones) or the running ones. */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training) return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, 1e-5) as tf.Tensor4D;
    const { y, mean, variance } = batchNormTrain(x, this.gamma, this.beta, 1e-5);
    const [b, h, w] = x.shape;
    const n = b * h * w;
    tf.tidy(() => {
      const unbiased = tf.mul(variance, n > 1 ? n / (n - 1) : 1);
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 0.9), tf.mul(mean, 0.1)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 0.9), tf.mul(unbiased, 0.1)));
    });
    tf.dispose([mean, variance]);
    return y;
  }

  /** Trainable scale and shift. */
  trainable(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  /** All four variables. */
  variables(): tf.Variable[] {
    return [this.gamma, this.beta, this.runningMean, this.runningVar];
  }
}
