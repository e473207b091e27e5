import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { fusedKernelsStatus, hasFusedKernel, nativeMatMulInstalled, runDoctor, runFusedKernel, setFusedKernelsEnabled } from '../src/index.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU and its derivative composed from TensorFlow ops, in float64 on the JS side for a reference. */
function geluReference(x: number): { y: number; dydx: number } {
  const cdf = 0.5 * (1 + erf(x * SQRT1_2));
  return { y: x * cdf, dydx: cdf + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI };
}

/** erf in double to ~1e-13: the Maclaurin series up to 3, the continued fraction of erfc above. */
function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a > 3) {
    // erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))), evaluated from the bottom.
    let t = a;
    for (let k = 60; k >= 1; k--) t = a + k / 2 / t;
    return sign * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / t);
  }
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (-a * a) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return sign * (2 / Math.sqrt(Math.PI)) * sum;
}

function values(n: number, seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([n], 0, 3, 'float32', seed).dataSync() as Float32Array);
}

describe('fused native kernels (packages/core/native)', () => {
  afterEach(() => {
    setFusedKernelsEnabled(true);
  });

  it('are built by npm ci and loaded on the native CPU backend; doctor lists them', async () => {
    const status = fusedKernelsStatus();
    expect(status.reason).toBeNull();
    expect(status.active).toBe(true);
    expect([...status.ops].sort()).toEqual(['FinmmAdamW', 'FinmmDropout', 'FinmmGelu', 'FinmmGeluGrad', 'FinmmLayerNorm', 'FinmmLayerNormGrad']);
    const report = await runDoctor();
    expect(report.lines.join('\n')).toMatch(/^fused ops: +FinmmGelu, FinmmGeluGrad, FinmmAdamW, FinmmLayerNorm, FinmmLayerNormGrad, FinmmDropout$/m);
  });

  it('FinmmGelu and FinmmGeluGrad match exact GELU and its derivative, on one thread and split over threads', () => {
    for (const n of [1000, 300_001]) {
      const xs = values(n, n);
      xs.set([0, -0, 1e-30, 4, -4, 4.5, -4.5, 13, -13, 20, -20, 60, -60], 0);
      const dys = values(n, n + 1);
      const [y, dx] = tf.tidy(() => {
        const x = tf.tensor1d(xs);
        const dy = tf.tensor1d(dys);
        return [runFusedKernel('FinmmGelu', [x], 1)[0], runFusedKernel('FinmmGeluGrad', [dy, x], 1)[0]].map((t) => t!.dataSync());
      });
      let worstY = 0;
      let worstDx = 0;
      for (let i = 0; i < n; i++) {
        const ref = geluReference(xs[i]!);
        worstY = Math.max(worstY, Math.abs(y![i]! - ref.y) / Math.max(1, Math.abs(ref.y)));
        worstDx = Math.max(worstDx, Math.abs(dx![i]! - dys[i]! * ref.dydx) / Math.max(1, Math.abs(dys[i]! * ref.dydx)));
      }
      expect(worstY).toBeLessThan(2e-6);
      expect(worstDx).toBeLessThan(2e-6);
    }
  });

  it('propagates NaN instead of turning it into a number', () => {
    const [y, dx] = tf.tidy(() => {
      const x = tf.tensor1d([NaN, 1]);
      return [runFusedKernel('FinmmGelu', [x], 1)[0]!.dataSync(), runFusedKernel('FinmmGeluGrad', [tf.ones([2]), x], 1)[0]!.dataSync()];
    });
    expect(Number.isNaN(y![0])).toBe(true);
    expect(Number.isNaN(dx![0])).toBe(true);
    expect(y![1]).toBeCloseTo(geluReference(1).y, 6);
  });

  it('FinmmAdamW gives the same bits as the AdamW formula in TensorFlow ops', () => {
    const n = 100_003; // split over threads, with a tail
    const [b1, b2, eps, stepSize, bc2, decay] = [0.9, 0.999, 1e-8, 0.013, Math.sqrt(1 - 0.999 ** 3), 1 - 0.01 * 0.1];
    const [fused, reference] = tf.tidy(() => {
      const p = tf.randomNormal([n], 0, 1, 'float32', 1);
      const m = tf.randomNormal([n], 0, 0.1, 'float32', 2);
      const v = tf.abs(tf.randomNormal([n], 0, 0.01, 'float32', 3));
      const g = tf.randomNormal([n], 0, 1, 'float32', 4);
      const hyper = tf.tensor1d([b1, 1 - b1, b2, 1 - b2, eps, stepSize, bc2, decay]);
      const out = runFusedKernel('FinmmAdamW', [p, m, v, g, hyper], 3).map((t) => t.dataSync());
      const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      const denom = tf.add(tf.div(tf.sqrt(vNew), bc2), eps);
      const pNew = tf.sub(tf.mul(p, decay), tf.mul(tf.div(mNew, denom), stepSize));
      return [out, [pNew, mNew, vNew].map((t) => t.dataSync())];
    });
    for (let k = 0; k < 3; k++) {
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(fused[k]![i]! - reference[k]![i]!) / Math.max(1e-3, Math.abs(reference[k]![i]!)));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it.each([[3, 19], [2000, 256], [5, 1]])('FinmmLayerNorm and its gradient match LayerNorm composed from TensorFlow ops (%i rows x %i)', (rows, d) => {
    const eps = 1e-12;
    const composed = (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor2D => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
    };
    const [fused, reference] = tf.tidy(() => {
      const x = tf.add(tf.randomNormal([rows, d], 0, 2, 'float32', rows), 3) as tf.Tensor2D; // an offset, as activations have
      const gamma = tf.randomNormal([d], 1, 0.2, 'float32', 5) as tf.Tensor1D;
      const beta = tf.randomNormal([d], 0, 0.2, 'float32', 6) as tf.Tensor1D;
      const dy = tf.randomNormal([rows, d], 0, 1, 'float32', 7);
      const [y, mean, rstd] = runFusedKernel('FinmmLayerNorm', [x, gamma, beta, tf.scalar(eps)], 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const grads = runFusedKernel('FinmmLayerNormGrad', [dy, x, mean, rstd, gamma], 3);
      const ref = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(composed(a as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), dy)))([x, gamma, beta]);
      return [[y, ...grads].map((t) => t.dataSync()), [composed(x, gamma, beta), ...ref].map((t) => t.dataSync())];
    });
    ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, k) => {
      let scale = 1;
      let worst = 0;
      for (let i = 0; i < reference[k]!.length; i++) {
        scale = Math.max(scale, Math.abs(reference[k]![i]!));
        worst = Math.max(worst, Math.abs(fused[k]![i]! - reference[k]![i]!));
      }
      expect(worst / scale, name).toBeLessThan(d === 1 ? 1e-3 : 2e-5);
    });
  });

  it('FinmmDropout keeps each element with probability 1 - rate, scaled, from a mask fixed by its seed', () => {
    const n = 1 << 20;
    const rate = 0.1;
    const drop = (x: tf.Tensor, a: number, b: number): Float32Array =>
      tf.tidy(() => runFusedKernel('FinmmDropout', [x, tf.tensor1d([a, b], 'int32'), tf.scalar(rate)], 1)[0]!.dataSync() as Float32Array);
    const ones = tf.ones([n]);
    const m1 = drop(ones, 11, 0x5eed);
    const again = drop(ones, 11, 0x5eed);
    const m2 = drop(ones, 12, 0x5eed);
    ones.dispose();
    const scale = Math.fround(1 / (1 - rate));
    let kept = 0;
    let both = 0;
    let neighbours = 0;
    let otherValues = 0;
    for (let i = 0; i < n; i++) {
      if (m1[i] !== 0 && m1[i] !== scale) otherValues++;
      if (m1[i] !== 0) kept++;
      if (m1[i] !== 0 && m2[i] !== 0) both++;
      if (i > 0 && m1[i] !== 0 && m1[i - 1] !== 0) neighbours++;
    }
    expect(otherValues).toBe(0);
    expect(again.every((v, i) => v === m1[i])).toBe(true);
    const sd = Math.sqrt(n * 0.9 * 0.1);
    expect(Math.abs(kept - 0.9 * n)).toBeLessThan(5 * sd); // the keep rate
    expect(Math.abs(both - 0.81 * n)).toBeLessThan(5 * sd); // another seed: an independent mask
    expect(Math.abs(neighbours - 0.81 * (n - 1))).toBeLessThan(5 * sd); // neighbouring elements independent
    const x = tf.randomNormal([1000], 0, 1, 'float32', 3);
    const y = drop(x, 11, 0x5eed);
    const xs = x.dataSync();
    x.dispose();
    expect(y.every((v, i) => v === Math.fround(xs[i]! * m1[i]!))).toBe(true); // 0 or x / keep, with m1's mask
  });

  it('rejects wrong inputs with an error naming the op and what was expected', () => {
    tf.tidy(() => {
      expect(() => runFusedKernel('FinmmGelu', [tf.tensor1d([1, 2], 'int32')], 1)).toThrow(/cannot compute FinmmGelu as input #0.*expected to be a float tensor but is a int32 tensor/);
      expect(() => runFusedKernel('FinmmGeluGrad', [tf.ones([3]), tf.ones([2])], 1)).toThrow(/FinmmGeluGrad: dy and x must have the same number of elements/);
      const four = tf.ones([4]);
      expect(() => runFusedKernel('FinmmAdamW', [four, four, four, tf.ones([3]), tf.ones([8])], 3)).toThrow(/same number of elements/);
      expect(() => runFusedKernel('FinmmAdamW', [four, four, four, four, tf.ones([5])], 3)).toThrow(/hyper must hold 8 floats/);
      const x = tf.ones([2, 4]);
      expect(() => runFusedKernel('FinmmLayerNorm', [x, tf.ones([3]), tf.ones([4]), tf.scalar(1e-5)], 3)).toThrow(/FinmmLayerNorm: .*gamma and beta the size of its last axis/);
      expect(() => runFusedKernel('FinmmLayerNormGrad', [x, x, tf.ones([3]), tf.ones([2]), tf.ones([4])], 3)).toThrow(/mean and rstd hold one value per row/);
      const seed = tf.tensor1d([1, 2], 'int32');
      expect(() => runFusedKernel('FinmmDropout', [x, seed, tf.scalar(1)], 1)).toThrow(/FinmmDropout: rate must be one float in \[0, 1\)/);
      expect(() => runFusedKernel('FinmmDropout', [x, tf.tensor1d([1, 2, 3], 'int32'), tf.scalar(0.1)], 1)).toThrow(/FinmmDropout: seed must be two int32 values/);
    });
  });

  it('can be switched off, and then refuses to run with the reason', () => {
    expect(hasFusedKernel('FinmmGelu')).toBe(true);
    expect(hasFusedKernel('NoSuchOp')).toBe(false);
    setFusedKernelsEnabled(false);
    expect(hasFusedKernel('FinmmGelu')).toBe(false);
    expect(fusedKernelsStatus().reason).toMatch(/disabled/);
    expect(() => tf.tidy(() => runFusedKernel('FinmmGelu', [tf.ones([2])], 1))).toThrow(/fused kernel FinmmGelu is not available: disabled/);
  });

  it('tf.matMul on the native backend (MatMul for batches of one) equals BatchMatMulV2, values and gradients, and frees its temporaries', () => {
    const be = tf.backend() as unknown as { executeSingleOutput(n: string, a: object[], i: tf.Tensor[]): tf.Tensor; binding: Record<string, number> };
    const viaBatchMatMul = (a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor =>
      be.executeSingleOutput('BatchMatMulV2', [
        { name: 'T', type: be.binding['TF_ATTR_TYPE']!, value: be.binding['TF_FLOAT']! },
        { name: 'adj_x', type: be.binding['TF_ATTR_BOOL']!, value: ta },
        { name: 'adj_y', type: be.binding['TF_ATTR_BOOL']!, value: tb },
      ], [a, b]);
    expect(nativeMatMulInstalled()).toBe(true);
    tf.tidy(() => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = tf.randomNormal(ta ? [7, 5] : [5, 7], 0, 1, 'float32', 1);
        const b = tf.randomNormal(tb ? [3, 7] : [7, 3], 0, 1, 'float32', 2);
        const ours = tf.matMul(a, b, ta, tb);
        expect(ours.shape).toEqual([5, 3]);
        expect(tf.max(tf.abs(tf.sub(ours, tf.squeeze(viaBatchMatMul(tf.expandDims(a), tf.expandDims(b), ta, tb), [0])))).dataSync()[0]).toBe(0);
      }
      const batched = tf.matMul(tf.ones([4, 2, 3]), tf.ones([4, 3, 2])); // a real batch: tfjs-node's own kernel
      expect(Array.from(batched.dataSync())).toEqual(new Array(16).fill(3));
      const [ga] = tf.grads((x: tf.Tensor) => tf.sum(tf.matMul(x, tf.ones([3, 2]))))([tf.ones([2, 3])]);
      expect(Array.from(ga!.dataSync())).toEqual(new Array(6).fill(2));
    });
    const before = tf.memory().numTensors;
    const a = tf.ones([64, 32]);
    for (let i = 0; i < 5; i++) tf.matMul(a, a, false, true).dispose();
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        const x = tf.randomNormal([70_000]);
        runFusedKernel('FinmmGeluGrad', [x, x], 1);
        runFusedKernel('FinmmAdamW', [x, x, x, x, tf.ones([8])], 3);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
