// Multi-task training with partially missing labels: no NaNs, and samples without a label for a task do not reach
// that task's head (zero gradient).
import * as tf from '@tensorflow/tfjs';
import type { Batch, TaskLabels } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { buildModel, taskLossTerms, weightedTaskLoss } from '../src/index.js';
import { drawTwoViews, freeBatch, makeBatch, testRegistry, train, twoViewConfig } from './helpers.js';

const registry = testRegistry();
const data = drawTwoViews(192, 31);
const n = data.a.length;
// Each task is labelled for a different ~half of the samples; unlabelled rows hold garbage (-1 classes, NaN targets).
const mask = (k: number): number[] => data.a.map((_, i) => ((i * 7 + k * 3) % 5 < 2 + (k % 2) ? 1 : 0));
const masks = { dir: mask(0), cls: mask(1), ret: mask(2) };
const taskLabels = {
  dir: { y: data.a.map((a, i) => (masks.dir[i] ? (a > 0 ? 1 : 0) : -1)), mask: masks.dir },
  cls: { y: data.b.map((b, i) => (masks.cls[i] ? (b < -0.5 ? 0 : b < 0.5 ? 1 : 2) : -1)), mask: masks.cls },
  ret: { y: data.a.map((a, i) => [masks.ret[i] ? a + (data.b[i] as number) : Number.NaN]), mask: masks.ret, dtype: 'float32' as const },
};

function multiTaskConfig(fusion: Record<string, unknown>): Record<string, unknown> {
  return {
    ...twoViewConfig(fusion),
    tasks: [
      { name: 'dir', kind: 'binary', loss: 'loss/bce', weight: 1 },
      { name: 'cls', kind: 'multiclass', classes: ['down', 'flat', 'up'], loss: { type: 'loss/cross-entropy' }, weight: 0.5, head: { type: 'head/mlp', hidden: [8] } },
      { name: 'ret', kind: 'regression', loss: { type: 'loss/mse' }, weight: 0.2 },
    ],
  };
}

describe.each([
  { type: 'fusion/concat', hidden: [16], outDim: 16 },
  { type: 'fusion/late', dim: 8 },
])('multi-task model with $type', (fusion) => {
  it('trains with partially missing labels without NaNs', () => {
    const model = buildModel(multiTaskConfig(fusion), { registry });
    const batches = [0, 64, 128].map((from) => makeBatch(data, from, from + 64, { labels: taskLabels }));
    const losses = train(model, batches, { steps: 30, learningRate: 0.01 });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] as number);
    for (const v of model.variables()) expect(tf.tidy(() => tf.all(tf.isFinite(v)).dataSync()[0])).toBe(1);
    batches.forEach(freeBatch);
    model.dispose();
  });

  it('gives zero gradient to samples a task has no label for, and its head ignores their labels', () => {
    const model = buildModel(multiTaskConfig(fusion), { registry });
    const batch = makeBatch(data, 0, n, { labels: taskLabels });
    for (const task of ['dir', 'cls', 'ret'] as const) {
      const latentGrad = tf.tidy(() => {
        const shape = model.forward(batch, { training: false }).latent.shape;
        const g = tf.grad((delta: tf.Tensor) => {
          const out = model.forward(batch, { training: false, latentDelta: delta as tf.Tensor2D });
          return taskLossTerms(model, batch, out)[task]?.loss as tf.Scalar;
        })(tf.zeros(shape));
        return tf.sum(tf.abs(g), 1).arraySync() as number[];
      });
      latentGrad.forEach((g, i) => {
        if (masks[task][i] === 0) expect(g).toBe(0);
      });
      expect(latentGrad.some((g) => g > 0)).toBe(true);

      // Changing the labels of unlabelled samples leaves the head's gradient unchanged.
      const headGrads = (b: Batch): number[] =>
        tf.tidy(() => {
          const vars = model.heads(task).flatMap((h) => h.variables());
          const { value, grads } = tf.variableGrads(() => weightedTaskLoss(model, b, model.forward(b, { training: false })), vars);
          value.dispose();
          return vars.flatMap((v) => Array.from((grads[v.name] as tf.Tensor).dataSync()));
        });
      const labels = batch.labels[task] as TaskLabels;
      const otherY = tf.tidy(() => tf.where(tf.greater(labels.mask, 0).reshape([-1, ...labels.y.shape.slice(1).map(() => 1)]).broadcastTo(labels.y.shape), labels.y, tf.onesLike(labels.y)));
      const changed: Batch = { ...batch, labels: { ...batch.labels, [task]: { y: otherY, mask: labels.mask } } };
      const a = headGrads(batch);
      const b = headGrads(changed);
      a.forEach((x, i) => expect(b[i]).toBeCloseTo(x, 6));
      otherY.dispose();
    }
    freeBatch(batch);
    model.dispose();
  });

  it('reports per-task terms for the tasks a batch has labels for', () => {
    const model = buildModel(multiTaskConfig(fusion), { registry });
    const batch = makeBatch(data, 0, 8, { labels: { dir: { ...taskLabels.dir, mask: data.a.map(() => 0) } } });
    tf.tidy(() => {
      const out = model.forward(batch, { training: false });
      const terms = taskLossTerms(model, batch, out);
      expect(Object.keys(terms)).toEqual(['dir']);
      expect(terms['dir']?.labelled.dataSync()[0]).toBe(0);
      expect(terms['dir']?.loss.dataSync()[0]).toBe(0);
      expect(weightedTaskLoss(model, batch, out).dataSync()[0]).toBe(0);
    });
    freeBatch(batch);
    model.dispose();
  });
});
