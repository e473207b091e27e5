import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Loss, TaskLabels } from '@finmm/core';
import { BceLoss, CrossEntropyLoss, FocalLoss, HingeLoss, HuberLoss, MseLoss } from '../src/index.js';

const logits = [
  [2.0, -1.0, 0.5],
  [0.1, 0.2, 0.3],
  [-3.0, 4.0, 1.0],
  [1.5, 1.5, -2.0],
];
const classes = [0, 2, 1, 1];

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function value(loss: Loss, out: number[][], y: tf.Tensor, mask: number[]): number {
  return tf.tidy(() => {
    const labels: TaskLabels = { y, mask: tf.tensor1d(mask) };
    return loss.compute(tf.tensor2d(out), labels).dataSync()[0] as number;
  });
}

describe('losses match hand-computed values', () => {
  it('cross-entropy with class weights and label smoothing', () => {
    const y = tf.tensor1d(classes, 'int32');
    const mask = [1, 1, 0, 1];
    const w = [1, 2, 0.5];
    const eps = 0.1;
    let num = 0;
    let den = 0;
    logits.forEach((row, i) => {
      if (mask[i] === 0) return;
      const p = softmax(row);
      const c = classes[i] as number;
      const l = -p.reduce((acc, pj, j) => acc + ((j === c ? 1 - eps : 0) + eps / 3) * Math.log(pj), 0);
      num += (w[c] as number) * l;
      den += w[c] as number;
    });
    expect(value(new CrossEntropyLoss({ classWeights: w, labelSmoothing: eps }), logits, y, mask)).toBeCloseTo(num / den, 5);
    const plain = logits.map((row, i) => -Math.log(softmax(row)[classes[i] as number] as number));
    expect(value(new CrossEntropyLoss(), logits, y, [1, 1, 1, 1])).toBeCloseTo(plain.reduce((a, b) => a + b) / 4, 5);
    y.dispose();
  });

  it('binary cross-entropy with logits and pos_weight', () => {
    const x = [[2.0], [-1.0], [0.3], [-20.0]];
    const z = [1, 0, 1, 1];
    const y = tf.tensor1d(z, 'int32');
    const ref = (pw: number): number =>
      x.reduce((acc, [xi], i) => {
        const p = sigmoid(xi as number);
        return acc - (pw * (z[i] as number) * Math.log(p) + (1 - (z[i] as number)) * Math.log(1 - p));
      }, 0) / 4;
    expect(value(new BceLoss(), x, y, [1, 1, 1, 1])).toBeCloseTo(ref(1), 4);
    expect(value(new BceLoss({ posWeight: 3 }), x, y, [1, 1, 1, 1])).toBeCloseTo(ref(3), 4);
    y.dispose();
  });

  it('focal loss, softmax and sigmoid forms; gamma 0 is cross-entropy', () => {
    const y = tf.tensor1d(classes, 'int32');
    const gamma = 2;
    const ref = logits.map((row, i) => {
      const pt = softmax(row)[classes[i] as number] as number;
      return -Math.pow(1 - pt, gamma) * Math.log(pt) * ([0.5, 1, 2][classes[i] as number] as number);
    });
    expect(value(new FocalLoss({ gamma, alpha: [0.5, 1, 2] }), logits, y, [1, 1, 1, 1])).toBeCloseTo(ref.reduce((a, b) => a + b) / 4, 5);
    expect(value(new FocalLoss({ gamma: 0 }), logits, y, [1, 1, 1, 1])).toBeCloseTo(value(new CrossEntropyLoss(), logits, y, [1, 1, 1, 1]), 5);
    const x = [[1.0], [-2.0], [0.5]];
    const z = [1, 0, 0];
    const alpha = 0.25;
    const sref = x.map(([xi], i) => {
      const p = sigmoid(xi as number);
      const zi = z[i] as number;
      const pt = zi === 1 ? p : 1 - p;
      const at = zi === 1 ? alpha : 1 - alpha;
      return -at * Math.pow(1 - pt, gamma) * Math.log(pt);
    });
    const yb = tf.tensor1d(z, 'int32');
    expect(value(new FocalLoss({ gamma, alpha }), x, yb, [1, 1, 1])).toBeCloseTo(sref.reduce((a, b) => a + b) / 3, 5);
    y.dispose();
    yb.dispose();
  });

  it('mse and huber on multi-target regression', () => {
    const out = [
      [1.0, 2.0],
      [0.0, -1.0],
      [3.0, 0.5],
    ];
    const t = [
      [1.5, 0.0],
      [0.2, -1.0],
      [-1.0, 0.5],
    ];
    const y = tf.tensor2d(t);
    const d = out.map((r, i) => r.map((v, j) => v - (t[i]![j] as number)));
    const mse = d.map((r) => (r[0]! ** 2 + r[1]! ** 2) / 2);
    expect(value(new MseLoss(), out, y, [1, 0, 1])).toBeCloseTo((mse[0]! + mse[2]!) / 2, 5);
    const hub = (v: number, delta: number): number => (Math.abs(v) <= delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta));
    const h = d.map((r) => (hub(r[0]!, 1) + hub(r[1]!, 1)) / 2);
    expect(value(new HuberLoss(), out, y, [1, 1, 1])).toBeCloseTo((h[0]! + h[1]! + h[2]!) / 3, 5);
    const h2 = d.map((r) => (hub(r[0]!, 0.5) + hub(r[1]!, 0.5)) / 2);
    expect(value(new HuberLoss({ delta: 0.5 }), out, y, [1, 1, 1])).toBeCloseTo((h2[0]! + h2[1]! + h2[2]!) / 3, 5);
    y.dispose();
  });

  it('hinge: binary and Crammer-Singer multiclass', () => {
    const x = [[0.5], [-2.0], [3.0]];
    const z = [1, 0, 0];
    const yb = tf.tensor1d(z, 'int32');
    const bref = x.map(([xi], i) => Math.max(0, 1 - (2 * (z[i] as number) - 1) * (xi as number)));
    expect(value(new HingeLoss(), x, yb, [1, 1, 1])).toBeCloseTo((bref[0]! + bref[1]! + bref[2]!) / 3, 5);
    const y = tf.tensor1d(classes, 'int32');
    const mref = logits.map((row, i) => {
      const c = classes[i] as number;
      const other = Math.max(...row.filter((_, j) => j !== c));
      return Math.max(0, 1 + other - (row[c] as number));
    });
    expect(value(new HingeLoss(), logits, y, [1, 1, 1, 1])).toBeCloseTo(mref.reduce((a, b) => a + b) / 4, 5);
    yb.dispose();
    y.dispose();
  });
});

interface MaskCase {
  name: string;
  loss: Loss;
  out: () => tf.Tensor2D;
  /** Labels; `masked` changes rows 1 and 3 (masked out) to other values. */
  y: (masked: boolean) => tf.Tensor;
}

const cases: MaskCase[] = [
  { name: 'cross-entropy', loss: new CrossEntropyLoss({ classWeights: [1, 2, 3], labelSmoothing: 0.1 }), out: () => tf.tensor2d(logits), y: (m) => tf.tensor1d(m ? [0, -1, 1, 7] : classes, 'int32') },
  { name: 'bce', loss: new BceLoss({ posWeight: 2 }), out: () => tf.tensor2d([[1], [2], [-1], [0.5]]), y: (m) => tf.tensor1d(m ? [1, NaN, 0, 5] : [1, 0, 0, 1]) },
  { name: 'focal-softmax', loss: new FocalLoss({ alpha: [1, 2, 1] }), out: () => tf.tensor2d(logits), y: (m) => tf.tensor1d(m ? [0, 9, 1, -4] : classes, 'int32') },
  { name: 'focal-sigmoid', loss: new FocalLoss({ alpha: 0.3 }), out: () => tf.tensor2d([[1], [2], [-1], [0.5]]), y: (m) => tf.tensor1d(m ? [1, NaN, 0, 3] : [1, 0, 0, 1]) },
  { name: 'mse', loss: new MseLoss(), out: () => tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]), y: (m) => tf.tensor2d(m ? [[0, 1], [NaN, 1e6], [4, 4], [Infinity, 0]] : [[0, 1], [2, 2], [4, 4], [6, 6]]) },
  { name: 'huber', loss: new HuberLoss({ delta: 0.5 }), out: () => tf.tensor2d([[1], [3], [5], [7]]), y: (m) => tf.tensor1d(m ? [0, NaN, 4.2, 1e9] : [0, 2, 4.2, 6]) },
  { name: 'hinge-binary', loss: new HingeLoss(), out: () => tf.tensor2d([[0.2], [-3], [0.7], [1]]), y: (m) => tf.tensor1d(m ? [1, NaN, 0, 1] : [1, 1, 0, 0]) },
  { name: 'hinge-multiclass', loss: new HingeLoss(), out: () => tf.tensor2d(logits), y: (m) => tf.tensor1d(m ? [1, 5, 0, -2] : [1, 2, 0, 1], 'int32') },
];

function lossAndGrad(c: MaskCase, mask: number[], masked: boolean, bump: boolean): { loss: number; grad: number[][] } {
  return tf.tidy(() => {
    let out = c.out();
    if (bump) out = tf.add(out, tf.mul(tf.tensor2d([0, 1, 0, 1], [4, 1]), 3.7)) as tf.Tensor2D; // change masked rows' outputs
    const y = c.y(masked);
    const labels: TaskLabels = { y, mask: tf.tensor1d(mask) };
    const { value, grad } = tf.valueAndGrad((o: tf.Tensor) => c.loss.compute(o as tf.Tensor2D, labels))(out);
    return { loss: value.dataSync()[0] as number, grad: grad.arraySync() as number[][] };
  });
}

describe.each(cases)('$name respects the mask', (c) => {
  it('masked samples change neither the loss nor the gradients', () => {
    const mask = [1, 0, 1, 0];
    const base = lossAndGrad(c, mask, false, false);
    const changed = lossAndGrad(c, mask, true, true);
    expect(Number.isFinite(base.loss)).toBe(true);
    expect(changed.loss).toBeCloseTo(base.loss, 6);
    for (const row of [1, 3]) for (const g of changed.grad[row]!) expect(g === 0).toBe(true);
    for (const row of [0, 2]) changed.grad[row]!.forEach((g, j) => expect(g).toBeCloseTo(base.grad[row]![j]!, 6));
    // The masked mean equals the mean over only the labelled rows.
    const onlyLabelled = tf.tidy(() => {
      const out = tf.gather(c.out(), [0, 2]) as tf.Tensor2D;
      const y = tf.gather(c.y(false), [0, 2]);
      return c.loss.compute(out, { y, mask: tf.ones([2]) as tf.Tensor1D }).dataSync()[0] as number;
    });
    expect(base.loss).toBeCloseTo(onlyLabelled, 5);
    // Some gradient flows to labelled rows (the test would be vacuous otherwise).
    expect(base.grad[0]!.some((g) => g !== 0) || base.grad[2]!.some((g) => g !== 0)).toBe(true);
  });

  it('is 0 with zero gradient when no sample is labelled', () => {
    const none = lossAndGrad(c, [0, 0, 0, 0], true, false);
    expect(none.loss).toBe(0);
    for (const row of none.grad) for (const g of row) expect(g === 0).toBe(true);
  });
});
