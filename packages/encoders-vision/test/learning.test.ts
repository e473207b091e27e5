// Each vision encoder learns a trend drawn in 5-day price charts (up vs down drift under daily noise) to test
// accuracy > 0.95, trained from the rendered images only.
import * as tf from '@tensorflow/tfjs';
import { Rng, registry, type ComponentConfig, type Encoder, type ImageInput } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { renderCharts, type ChartBar } from '../src/index.js';
import { trainBinary, type BinaryData } from '../../../tools/test-helpers/train.js';

const TRAIN = 384;
const TEST = 200;

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
}

/** A 5-day window (plus 4 days of MA history) drifting 2% a day up or down, with 1% daily noise and wicks. */
function trendWindow(rng: Rng, up: boolean): ChartBar[] {
  let close = 100;
  return Array.from({ length: 9 }, () => {
    const open = close * (1 + 0.004 * gauss(rng));
    close = open * (1 + (up ? 0.02 : -0.02) + 0.01 * gauss(rng));
    const high = Math.max(open, close) * (1 + 0.005 * Math.abs(gauss(rng)));
    const low = Math.min(open, close) * (1 - 0.005 * Math.abs(gauss(rng)));
    return { open, high, low, close, volume: 1e6 * (1 + rng.float()) };
  });
}

function chartData(seed: number): BinaryData<'image'> {
  const rng = Rng.fromSeed(seed);
  const split = (n: number): { input: ImageInput; labels: tf.Tensor2D } => {
    const labels = Array.from({ length: n }, () => (rng.float() < 0.5 ? 1 : 0));
    return { input: { pixels: renderCharts(labels.map((y) => trendWindow(rng, y === 1)), 5) }, labels: tf.tensor2d(labels, [n, 1]) };
  };
  return { train: split(TRAIN), test: split(TEST) };
}

const slice = (input: ImageInput, from: number, size: number): ImageInput => ({ pixels: tf.slice(input.pixels, [from, 0, 0, 0], [size, -1, -1, -1]) });

const cases: Array<{ name: string; config: ComponentConfig; epochs: number; lr: number }> = [
  { name: 'jkx-cnn', config: { type: 'vision/jkx-cnn', days: 5, baseChannels: 8, outDim: 8, dropout: 0, seed: 1 }, epochs: 15, lr: 0.003 },
  { name: 'resnet', config: { type: 'vision/resnet', channels: [8, 16], outDim: 8, seed: 1 }, epochs: 15, lr: 0.003 },
];

describe('vision encoders learn a trend drawn in a chart', () => {
  for (const c of cases) {
    it(`${c.name} reaches test accuracy > 0.95`, () => {
      const data = chartData(21);
      const encoder = registry.build('encoder', c.config) as Encoder<'image'>;
      const acc = trainBinary(encoder, data, { epochs: c.epochs, batchSize: 32, learningRate: c.lr, slice, stopAt: 0.99, report: c.name });
      encoder.dispose();
      tf.dispose([data.train.input.pixels, data.train.labels, data.test.input.pixels, data.test.labels]);
      expect(acc).toBeGreaterThan(0.95);
    });
  }
});
