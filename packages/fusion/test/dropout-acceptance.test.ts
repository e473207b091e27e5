// Acceptance: with a modality absent at inference, a model trained with modality dropout loses less accuracy than
// the same model trained without it.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/index.js';
import { accuracy, drawTwoViews, freeBatch, makeBatch, testRegistry, train, twoViewConfig } from './helpers.js';

const registry = testRegistry();
// B decides the label exactly; A agrees with it on 80% of samples. Trained with both, a model can rely on B alone;
// B's inputs sit far from 0, so its absence looks like nothing seen in training.
function views(n: number, seed: number): ReturnType<typeof drawTwoViews> {
  const d = drawTwoViews(n, seed);
  d.a = d.a.map((a, i) => Math.sign(d.b[i] as number) * Math.abs(a) * ((d.noiseB[i]?.[0] as number) < -0.12 ? -1 : 1));
  return d;
}
const trainData = views(512, 21);
const testData = views(400, 22);
const label = (d: typeof trainData): number[] => d.b.map((b) => (b > 0 ? 1 : 0));
const OFFSET_B = 3;

function trainAndTest(modalityDropout: number): { both: number; withoutB: number } {
  const model = buildModel(twoViewConfig({ type: 'fusion/concat', hidden: [16], outDim: 16 }, { modalityDropout, seed: 7 }), { registry });
  const batches = [0, 128, 256, 384].map((from) => makeBatch(trainData, from, from + 128, { offsetB: OFFSET_B, labels: { y: { y: label(trainData) } } }));
  train(model, batches, { steps: 120, learningRate: 0.01 });
  const testLabels = { y: { y: label(testData) } };
  const both = makeBatch(testData, 0, 400, { offsetB: OFFSET_B, labels: testLabels });
  const withoutB = makeBatch(testData, 0, 400, { offsetB: OFFSET_B, labels: testLabels, presentB: null });
  const result = { both: accuracy(model, both, 'y'), withoutB: accuracy(model, withoutB, 'y') };
  [...batches, both, withoutB].forEach(freeBatch);
  model.dispose();
  return result;
}

describe('modality dropout', () => {
  it('makes a model lose less accuracy when a modality is absent at inference', () => {
    const plain = trainAndTest(0);
    const dropout = trainAndTest(0.4);
    console.log(`without dropout: ${plain.both.toFixed(3)} -> ${plain.withoutB.toFixed(3)}; with dropout: ${dropout.both.toFixed(3)} -> ${dropout.withoutB.toFixed(3)}`);
    expect(plain.both).toBeGreaterThan(0.9);
    expect(dropout.both).toBeGreaterThan(0.9);
    const lossPlain = plain.both - plain.withoutB;
    const lossDropout = dropout.both - dropout.withoutB;
    expect(lossDropout).toBeLessThan(lossPlain - 0.15);
    expect(dropout.withoutB).toBeGreaterThan(0.7); // A alone agrees with the label on 80% of samples
  });
});
