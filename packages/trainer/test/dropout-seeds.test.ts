import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { dropout, nextDropoutSeed, seedDropout, unseedDropout } from '@finmm/core';
import { BceLoss } from '@finmm/losses';
import { Trainer } from '../src/index.js';
import { batchSource, makeDataset } from './helpers/data.js';
import { maxWeightDiff, TinyMlp, weightsOf } from './helpers/mlp.js';

const data = makeDataset(128, 6, 5, (row) => ({ up: row[0]! - row[1]! > 0 ? 1 : 0 }), { up: 'int32' });

async function train(trainerSeed: number, rate: number): Promise<Map<string, Float32Array>> {
  const model = new TinyMlp({ inputs: 6, hidden: [16, 16], tasks: [{ name: 'up', kind: 'binary', outDim: 1, loss: new BceLoss() }], seed: 3, prefix: 'drop', dropout: rate });
  const trainer = new Trainer(model, { epochs: 2, seed: trainerSeed, optimizer: { type: 'adamw', lr: 1e-2 }, checkpointEvery: 'never', progress: 'none' });
  await trainer.fit({ train: batchSource(data, 16) });
  const weights = weightsOf(model);
  trainer.dispose();
  model.dispose();
  return weights;
}

describe('seeded dropout', () => {
  it('draws the same mask for the same keys and another for other keys', () => {
    const x = tf.ones([64, 32]);
    seedDropout(1, 2, 3);
    const a = dropout(x, 0.5, true);
    seedDropout(1, 2, 3);
    const b = dropout(x, 0.5, true);
    seedDropout(1, 2, 4);
    const c = dropout(x, 0.5, true);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const kept = a.dataSync().filter((v) => v > 0).length / a.size;
    expect(kept).toBeGreaterThan(0.4);
    expect(kept).toBeLessThan(0.6);
    unseedDropout();
    expect(nextDropoutSeed()).toBeNull();
    tf.dispose([x, a, b, c]);
  });

  it('makes two training runs with dropout and the same seed end with identical weights', async () => {
    const first = await train(11, 0.3);
    const again = await train(11, 0.3);
    const withoutDropout = await train(11, 0); // same data order: any difference is the dropout's
    expect(maxWeightDiff(first, again)).toBe(0);
    expect(maxWeightDiff(first, withoutDropout)).toBeGreaterThan(1e-4);
  });
});
