import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BceLoss, CrossEntropyLoss, MseLoss } from '@finmm/losses';
import { accuracy, disposeBatch, evaluateModel, formatClassificationReport, matthewsCorrcoef, r2Score, rocAuc } from '../src/index.js';
import { evalBatches, makeBatch, makeDataset } from './helpers/data.js';
import { TinyMlp } from './helpers/mlp.js';

describe('evaluateModel', () => {
  it('computes per-task metrics over labelled rows only, batch by batch', async () => {
    const data = makeDataset(90, 5, 17, (row) => ({ up: row[0]! > 0 ? 1 : 0, cls: row[1]! > 0.5 ? 2 : row[1]! > -0.5 ? 1 : 0, ret: row[2]! }), {
      up: 'int32',
      cls: 'int32',
      ret: 'float32',
    });
    data.labels['up']!.mask = data.labels['up']!.values.map((_, i) => (i % 3 === 0 ? 0 : 1));
    const model = new TinyMlp({
      inputs: 5,
      hidden: [6],
      tasks: [
        { name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss(), weight: 2 },
        { name: 'cls', kind: 'multiclass', outDim: 3, loss: new CrossEntropyLoss() },
        { name: 'ret', kind: 'regression', outDim: 1, loss: new MseLoss() },
      ],
      seed: 5,
      prefix: 'eval',
    });
    const result = await evaluateModel(model, evalBatches(data, 32)());
    // The same numbers from one forward pass over all rows.
    const all = makeBatch(data, Array.from({ length: data.n }, (_, i) => i));
    const out = model.forward(all, { training: false });
    const labelled = data.labels['up']!.mask!.map((m, i) => (m > 0 ? i : -1)).filter((i) => i >= 0);
    const pUp = Array.from(tf.sigmoid(out.outputs['up']!).dataSync());
    const yUp = labelled.map((i) => data.labels['up']!.values[i]!);
    const sUp = labelled.map((i) => pUp[i]!);
    expect(result.metrics['up.roc_auc']).toBeCloseTo(rocAuc(yUp, sUp), 6);
    expect(result.metrics['up.accuracy']).toBeCloseTo(accuracy(yUp, sUp.map((p) => (p >= 0.5 ? 1 : 0))), 6);
    const cls = tf.argMax(out.outputs['cls']!, 1).arraySync() as number[];
    expect(result.metrics['cls.mcc']).toBeCloseTo(matthewsCorrcoef(data.labels['cls']!.values, cls, 3), 6);
    expect(result.metrics['ret.r2']).toBeCloseTo(r2Score(data.labels['ret']!.values, Array.from(out.outputs['ret']!.dataSync())), 5);
    const upLoss = new BceLoss().compute(out.outputs['up']!, all.labels['up']!).dataSync()[0]!;
    const clsLoss = result.metrics['cls.loss']!;
    expect(result.metrics['up.loss']).toBeCloseTo(upLoss, 5);
    expect(result.metrics['loss']).toBeCloseTo(2 * upLoss + clsLoss + result.metrics['ret.loss']!, 5);
    expect(result.reports['cls']!.classes.reduce((a, c) => a + c.support, 0)).toBe(90);
    expect(result.reports['up']!.macro.support).toBe(labelled.length);
    expect(formatClassificationReport(result.reports['cls']!)).toMatch(/weighted avg/);
    for (const k of ['up.pr_auc', 'up.ks', 'up.gini', 'up.brier', 'up.f1', 'cls.f1_macro', 'cls.roc_auc', 'cls.brier', 'ret.mae', 'ret.rmse']) {
      expect(Number.isFinite(result.metrics[k])).toBe(true);
    }
    tf.dispose([out.latent, ...Object.values(out.outputs), ...Object.values(out.embeddings)]);
    disposeBatch(all);
    model.dispose();
  });
});
