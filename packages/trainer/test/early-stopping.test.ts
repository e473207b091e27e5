import { describe, expect, it } from 'vitest';
import { BceLoss } from '@finmm/losses';
import { EarlyStopping, Trainer } from '../src/index.js';
import { batchSource, makeDataset } from './helpers/data.js';
import { TinyMlp, maxWeightDiff, weightsOf } from './helpers/mlp.js';

const data = makeDataset(64, 4, 5, (row) => ({ up: row[0]! > 0 ? 1 : 0 }), { up: 'int32' });
const task = { name: 'up', kind: 'binary' as const, outDim: 1, loss: new BceLoss() };

describe('EarlyStopping', () => {
  it('counts evaluations without an improvement larger than minDelta', () => {
    const es = new EarlyStopping({ metric: 'f1', patience: 2, minDelta: 0.01 });
    expect(es.mode).toBe('max');
    const seq = [0.5, 0.6, 0.605, 0.62, 0.625, 0.63];
    const improved = seq.map((v, i) => es.update({ f1: v }, i));
    expect(improved).toEqual([true, true, false, true, false, false]);
    expect(es.stopped).toBe(true);
    expect(es.state()).toEqual({ best: 0.62, bestStep: 3, badEvaluations: 2, stopped: true });
    expect(new EarlyStopping({ metric: 'val.loss', patience: 1 }).mode).toBe('min');
    expect(() => es.update({ acc: 1 }, 9)).toThrow(/metric 'f1' is not among/);
  });
});

describe('Trainer early stopping', () => {
  it('stops at the right epoch on a scripted metric sequence and restores the best weights', async () => {
    // loss (mode min, minDelta 0.05, patience 3): best at epoch 3 (0.5); 0.48, 0.47, 0.49 do not beat 0.45.
    const script = [0.9, 0.7, 0.5, 0.48, 0.47, 0.49, 0.1, 0.1];
    const model = new TinyMlp({ inputs: 4, hidden: [4], tasks: [task], seed: 3, prefix: 'es' });
    const snapshots: Array<Map<string, Float32Array>> = [];
    const trainer = new Trainer(model, { epochs: 20, progress: 'none', optimizer: { type: 'adamw', lr: 1e-2 }, earlyStopping: { metric: 'loss', patience: 3, minDelta: 0.05 } });
    const result = await trainer.fit({
      train: batchSource(data, 16),
      validation: {
        evaluate: (m, at) => {
          snapshots.push(weightsOf(m));
          return { loss: script[at.epoch - 1] as number };
        },
      },
    });
    expect(result.stopReason).toBe('early-stopping');
    expect(result.epochs).toBe(6);
    expect(result.evaluations.map((e) => e.metrics['loss'])).toEqual(script.slice(0, 6));
    expect(result.best).toEqual({ metric: 'loss', value: 0.5, step: 12 });
    expect(result.restoredBest).toBe(true);
    expect(maxWeightDiff(weightsOf(model), snapshots[2]!)).toBe(0);
    expect(maxWeightDiff(weightsOf(model), snapshots[5]!)).toBeGreaterThan(0);
    trainer.dispose();
    model.dispose();
  });

  it('evaluates every N steps and stops mid-epoch', async () => {
    const model = new TinyMlp({ inputs: 4, hidden: [4], tasks: [task], seed: 3, prefix: 'es-steps' });
    let calls = 0;
    const trainer = new Trainer(model, { epochs: 10, evalEvery: 3, progress: 'none', earlyStopping: { metric: 'auc', patience: 2, restoreBest: false } });
    const result = await trainer.fit({ train: batchSource(data, 16), validation: { evaluate: () => ({ auc: [0.6, 0.7, 0.65, 0.66][calls++] ?? 0 }) } });
    expect(result.evaluations.map((e) => e.step)).toEqual([3, 6, 9, 12]);
    expect(result.steps).toBe(12);
    expect(result.stopReason).toBe('early-stopping');
    expect(result.restoredBest).toBe(false);
    trainer.dispose();
    model.dispose();
  });
});
