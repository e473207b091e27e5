import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Batch, ModelOutputs, TaskSpec } from '@finmm/core';
import { FixedWeights, MseLoss } from '@finmm/losses';
import { taskLossTerms, totalLoss } from '../src/index.js';

describe('totalLoss', () => {
  it('combines the masked task losses with their weights and adds the auxiliary loss', () => {
    tf.tidy(() => {
      const tasks: TaskSpec[] = [
        { name: 'a', kind: 'regression', outDim: 1, loss: new MseLoss(), weight: 2 },
        { name: 'b', kind: 'regression', outDim: 1, loss: new MseLoss(), weight: 1 },
        { name: 'c', kind: 'regression', outDim: 1, loss: new MseLoss(), weight: 5 },
      ];
      const outputs: ModelOutputs = {
        outputs: { a: tf.tensor2d([[1], [2]]), b: tf.tensor2d([[0], [0]]), c: tf.tensor2d([[9], [9]]) },
        latent: tf.zeros([2, 1]) as tf.Tensor2D,
        embeddings: {},
        auxiliaryLoss: tf.scalar(0.25),
      };
      const batch: Batch = {
        size: 2,
        inputs: {},
        present: {},
        labels: {
          a: { y: tf.tensor1d([0, 0]), mask: tf.tensor1d([1, 1]) },
          b: { y: tf.tensor1d([3, 1]), mask: tf.tensor1d([0, 0]) },
          // task c has no labels in this batch: it is skipped
        },
      };
      const terms = taskLossTerms(tasks, outputs, batch);
      expect(Object.keys(terms)).toEqual(['a', 'b']);
      expect(terms['a']!.labelled.dataSync()[0]).toBe(1);
      expect(terms['b']!.labelled.dataSync()[0]).toBe(0);
      const total = totalLoss(tasks, outputs, batch, new FixedWeights({ a: 2, b: 1, c: 5 }));
      expect(total.dataSync()[0]).toBeCloseTo(2 * 2.5 + 0 + 0.25, 6);
      expect(() => taskLossTerms([{ ...tasks[0]!, name: 'd' }], outputs, { ...batch, labels: { d: batch.labels['a']! } })).toThrow(/no output for task 'd'/);
    });
  });
});
