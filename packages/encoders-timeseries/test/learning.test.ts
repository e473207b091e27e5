// Each encoder learns a synthetic task that needs its inductive bias, to test accuracy > 0.95:
// sequence memory (the sign of the first day, then noise) for LSTM, GRU and ALSTM; an ordered pattern at a random
// position (up-ramp vs down-ramp, same values) for the TCN; for the transformer, content-based lookup of a day
// flagged at a random position (label = sign of that day's value, every other day's value is as large).
import * as tf from '@tensorflow/tfjs';
import { Rng, registry, type ComponentConfig, type Encoder, type TimeseriesInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { trainBinary, type BinaryData } from '../../../tools/test-helpers/train.js';

const TRAIN = 384;
const TEST = 200;

/** Gaussian noise from the seeded Rng (Box-Muller). */
function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
}

/** Label = sign of day 0; days 1..T-1 are noise of the same scale. */
function memoryTask(rng: Rng, n: number, days: number): { values: Float32Array; labels: Float32Array } {
  const values = new Float32Array(n * days);
  const labels = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const up = rng.float() < 0.5;
    labels[s] = up ? 1 : 0;
    values[s * days] = up ? 1 : -1;
    for (let t = 1; t < days; t++) values[s * days + t] = 0.7 * gauss(rng);
  }
  return { values, labels };
}

/** Noise plus a 4-day ramp up (label 1) or down (label 0) at a random position; both ramps hold the same values. */
function patternTask(rng: Rng, n: number, days: number): { values: Float32Array; labels: Float32Array } {
  const ramp = [-1.5, -0.5, 0.5, 1.5];
  const values = new Float32Array(n * days);
  const labels = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const up = rng.float() < 0.5;
    labels[s] = up ? 1 : 0;
    for (let t = 0; t < days; t++) values[s * days + t] = 0.3 * gauss(rng);
    const at = rng.int(0, days - ramp.length);
    ramp.forEach((v, j) => (values[s * days + at + j] = up ? v : -v));
  }
  return { values, labels };
}

/** Two features: a value of random sign every day, and a flag set on one random day; label = sign on the flagged day. */
function lookupTask(rng: Rng, n: number, days: number): { values: Float32Array; labels: Float32Array } {
  const values = new Float32Array(n * days * 2);
  const labels = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < days; t++) values[(s * days + t) * 2] = (rng.float() < 0.5 ? -1 : 1) * (0.5 + rng.float());
    const at = rng.int(0, days - 1);
    values[(s * days + at) * 2 + 1] = 1;
    labels[s] = (values[(s * days + at) * 2] as number) > 0 ? 1 : 0;
  }
  return { values, labels };
}

const TASKS = { memory: memoryTask, pattern: patternTask, lookup: lookupTask };
const FEATURES = { memory: 1, pattern: 1, lookup: 2 };

function toData(task: keyof typeof TASKS, days: number, seed: number): BinaryData<'timeseries'> {
  const rng = Rng.fromSeed(seed);
  const split = (n: number): { input: TimeseriesInput; labels: tf.Tensor2D } => {
    const { values, labels } = TASKS[task](rng, n, days);
    return { input: { values: tf.tensor3d(values, [n, days, FEATURES[task]]) }, labels: tf.tensor2d(labels, [n, 1]) };
  };
  return { train: split(TRAIN), test: split(TEST) };
}

const slice = (input: TimeseriesInput, from: number, size: number): TimeseriesInput => ({ values: tf.slice(input.values, [from, 0, 0], [size, -1, -1]) });

const cases: Array<{ name: string; task: keyof typeof TASKS; days: number; config: ComponentConfig; epochs: number; lr: number }> = [
  { name: 'lstm', task: 'memory', days: 12, config: { type: 'timeseries/lstm', inputDim: 1, hidden: 8, seed: 1 }, epochs: 40, lr: 0.03 },
  { name: 'gru', task: 'memory', days: 12, config: { type: 'timeseries/gru', inputDim: 1, hidden: 8, seed: 1 }, epochs: 40, lr: 0.03 },
  { name: 'alstm', task: 'memory', days: 12, config: { type: 'timeseries/alstm', inputDim: 1, units: 8, seed: 1 }, epochs: 40, lr: 0.03 },
  { name: 'tcn', task: 'pattern', days: 16, config: { type: 'timeseries/tcn', inputDim: 1, channels: [8, 8], kernelSize: 2, pooling: 'max', seed: 1 }, epochs: 40, lr: 0.02 },
  { name: 'transformer', task: 'lookup', days: 16, config: { type: 'timeseries/transformer', inputDim: 2, dModel: 16, heads: 2, layers: 1, ffnDim: 32, dropout: 0, seed: 1 }, epochs: 40, lr: 0.01 },
];

describe('encoders learn tasks that need their inductive bias', () => {
  for (const c of cases) {
    it(`${c.name} reaches test accuracy > 0.95 on the ${c.task} task`, () => {
      const data = toData(c.task, c.days, 11);
      const encoder = registry.build('encoder', c.config) as Encoder<'timeseries'>;
      const acc = trainBinary(encoder, data, { epochs: c.epochs, batchSize: 64, learningRate: c.lr, slice, stopAt: 0.99, report: c.name });
      encoder.dispose();
      tf.dispose([data.train.input.values, data.train.labels, data.test.input.values, data.test.labels]);
      expect(acc).toBeGreaterThan(0.95);
    });
  }
});
