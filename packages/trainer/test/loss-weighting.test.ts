// A model that asks for uncertainty weighting (Model.lossWeighting) gets it unless the trainer config says otherwise.
import { MseLoss } from '@finmm/losses';
import { describe, expect, it } from 'vitest';
import { Trainer } from '../src/index.js';
import { batchSource, gaussian, makeDataset } from './helpers/data.js';
import { TinyMlp, type MlpOptions } from './helpers/mlp.js';

/** TinyMlp whose config asks for a loss weighting, as a fusion model built with `lossWeighting` does. */
class WeightedMlp extends TinyMlp {
  constructor(
    options: MlpOptions,
    private readonly weighting: 'fixed' | 'uncertainty',
  ) {
    super(options);
  }
  lossWeighting(): 'fixed' | 'uncertainty' {
    return this.weighting;
  }
}

const w = [1, -2, 0.5, 1.5];
const dot = (row: number[]): number => row.reduce((a, v, i) => a + v * (w[i] as number), 0);
const data = makeDataset(256, 4, 5, (row, rng) => ({ clean: dot(row) + 0.05 * gaussian(rng), noisy: dot(row) + 2 * gaussian(rng) }), { clean: 'float32', noisy: 'float32' });

function model(weighting: 'fixed' | 'uncertainty', prefix: string): WeightedMlp {
  const tasks = [
    { name: 'clean', kind: 'regression' as const, outDim: 1, loss: new MseLoss() },
    { name: 'noisy', kind: 'regression' as const, outDim: 1, loss: new MseLoss(), weight: 0.5 },
  ];
  return new WeightedMlp({ inputs: 4, hidden: [16], tasks, seed: 4, prefix }, weighting);
}

const trainerConfig = { epochs: 10, optimizer: { type: 'adamw' as const, lr: 3e-2, weightDecay: 0 }, groupLr: { extra: 5 }, progress: 'none' as const };

describe('loss weighting from the model', () => {
  it('trains with learned uncertainty weights when the model asks and the trainer config is silent', async () => {
    const m = model('uncertainty', 'lw-u');
    const trainer = new Trainer(m, trainerConfig);
    expect(trainer.config.combiner).toEqual({ type: 'uncertainty', convention: 'uniform' });
    expect(trainer.combiner.name).toBe('uncertainty');
    const result = await trainer.fit({ train: batchSource(data, 32) });
    // Learned weights: both moved away from their initial 1 (fixed weights would report 1 and 0.5), and the noisy
    // task (residual noise std 2 against 0.05) got the smaller one.
    expect(Object.keys(result.taskWeights).sort()).toEqual(['clean', 'noisy']);
    for (const weight of Object.values(result.taskWeights)) expect(Math.abs(weight - 1)).toBeGreaterThan(0.2);
    console.log('learned task weights', result.taskWeights);
    expect(result.taskWeights['clean']!).toBeGreaterThan(3 * result.taskWeights['noisy']!);
    trainer.dispose();
    m.dispose();
  });

  it('keeps the trainer config’s combiner when it names one, and fixed weights for other models', async () => {
    const m = model('uncertainty', 'lw-f');
    const trainer = new Trainer(m, { ...trainerConfig, epochs: 2, combiner: { type: 'fixed' } });
    expect(trainer.combiner.name).toBe('fixed');
    const result = await trainer.fit({ train: batchSource(data, 32) });
    expect(result.taskWeights).toEqual({ clean: 1, noisy: 0.5 });
    trainer.dispose();
    const plain = new Trainer(model('fixed', 'lw-p'), trainerConfig);
    expect(plain.combiner.name).toBe('fixed');
    expect(plain.config.combiner).toEqual({ type: 'fixed' });
    plain.dispose();
    plain.model.dispose();
    m.dispose();
  });
});
