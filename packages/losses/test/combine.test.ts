import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FixedWeights, MseLoss, UncertaintyWeighting, type TaskLossTerm } from '../src/index.js';

function term(loss: number, labelled = 1): TaskLossTerm {
  return { loss: tf.scalar(loss), labelled: tf.scalar(labelled) };
}

describe('multi-task combiners', () => {
  it('fixed weights sum the weighted task losses', () => {
    const c = new FixedWeights({ a: 2, b: 0.5 });
    const total = tf.tidy(() => c.combine({ a: term(1.5), b: term(4), c: term(1) }).dataSync()[0]);
    expect(total).toBeCloseTo(2 * 1.5 + 0.5 * 4 + 1, 6);
    expect(c.parameters()).toEqual({});
  });

  it('uncertainty weighting follows the documented conventions', () => {
    const tasks = [
      { name: 'cls', kind: 'multiclass' as const },
      { name: 'reg', kind: 'regression' as const },
    ];
    const uniform = new UncertaintyWeighting({ tasks, initLogVariance: 0.7 });
    const kendall = new UncertaintyWeighting({ tasks, convention: 'kendall', initLogVariance: 0.7 });
    const e = Math.exp(-0.7);
    expect(tf.tidy(() => uniform.combine({ cls: term(2), reg: term(3) }).dataSync()[0])).toBeCloseTo(e * 2 + 0.7 + e * 3 + 0.7, 5);
    expect(tf.tidy(() => kendall.combine({ cls: term(2), reg: term(3) }).dataSync()[0])).toBeCloseTo(e * 2 + 0.35 + 0.5 * e * 3 + 0.35, 5);
    // A task without labels in the batch adds no regulariser.
    expect(tf.tidy(() => uniform.combine({ cls: term(0, 0) }).dataSync()[0])).toBeCloseTo(0, 6);
    expect(kendall.weights()['reg']).toBeCloseTo(0.5 * e, 6);
    expect(Object.keys(uniform.parameters())).toEqual(['uncertainty.log_var.cls', 'uncertainty.log_var.reg']);
    uniform.dispose();
    kendall.dispose();
  });

  it('learns a larger weight for the less noisy task', () => {
    const n = 256;
    const x = tf.randomNormal([n, 4], 0, 1, 'float32', 1);
    const wTrue = tf.tensor2d([[1], [-2], [0.5], [1.5]]);
    const clean = tf.add(tf.matMul(x, wTrue), tf.randomNormal([n, 1], 0, 0.1, 'float32', 2)) as tf.Tensor2D;
    const noisy = tf.add(tf.matMul(x, wTrue), tf.randomNormal([n, 1], 0, 1.0, 'float32', 3)) as tf.Tensor2D;
    const wa = tf.variable(tf.zeros([4, 1]));
    const wb = tf.variable(tf.zeros([4, 1]));
    const combiner = new UncertaintyWeighting({ tasks: [{ name: 'clean', kind: 'regression' }, { name: 'noisy', kind: 'regression' }] });
    const mse = new MseLoss();
    const mask = tf.ones([n]) as tf.Tensor1D;
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < 300; i++) {
      opt.minimize(() =>
        combiner.combine({
          clean: { loss: mse.compute(tf.matMul(x, wa), { y: clean, mask }), labelled: tf.scalar(1) },
          noisy: { loss: mse.compute(tf.matMul(x, wb), { y: noisy, mask }), labelled: tf.scalar(1) },
        }),
      );
    }
    const w = combiner.weights();
    // At the optimum exp(-s_t) = 1 / L_t: about 1 / 0.01 for the clean task and 1 / 1 for the noisy one.
    expect(w['clean']!).toBeGreaterThan(10 * w['noisy']!);
    expect(w['noisy']!).toBeGreaterThan(0.5);
    expect(w['noisy']!).toBeLessThan(2);
    tf.dispose([x, wTrue, clean, noisy, wa, wb, mask]);
    opt.dispose();
    combiner.dispose();
  });
});
