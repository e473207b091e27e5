// Acceptance: a label that is the XOR of a sign in modality A and a sign in modality B (neither alone beats chance)
// is solved by every fusion that lets modalities interact, and not by late fusion.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/index.js';
import { accuracy, drawTwoViews, freeBatch, makeBatch, testRegistry, train, twoViewConfig } from './helpers.js';

const registry = testRegistry();
const trainData = drawTwoViews(512, 11);
const testData = drawTwoViews(400, 12);
const xor = (d: typeof trainData): number[] => d.a.map((a, i) => ((a > 0) !== ((d.b[i] as number) > 0) ? 1 : 0));

const fusions: Array<[string, Record<string, unknown>]> = [
  ['fusion/concat', { type: 'fusion/concat', hidden: [16], outDim: 16 }],
  ['fusion/gated', { type: 'fusion/gated', dim: 16, hidden: [16] }],
  ['fusion/attention', { type: 'fusion/attention', dim: 16, heads: 2, layers: 1 }],
  ['fusion/attention (token sequences)', { type: 'fusion/attention', dim: 16, heads: 2, layers: 1, sequence: true }],
  ['fusion/late', { type: 'fusion/late', dim: 16, hidden: [16] }],
];

function fit(fusion: Record<string, unknown>): number {
  const model = buildModel(twoViewConfig(fusion), { registry });
  const labels = { y: { y: xor(trainData) } };
  const batches = [0, 128, 256, 384].map((from) => makeBatch(trainData, from, from + 128, { labels }));
  train(model, batches, { steps: 60, learningRate: 0.005 });
  const testBatch = makeBatch(testData, 0, 400, { labels: { y: { y: xor(testData) } } });
  const result = accuracy(model, testBatch, 'y');
  batches.forEach(freeBatch);
  freeBatch(testBatch);
  model.dispose();
  return result;
}

describe('XOR across two modalities', () => {
  it('is a label neither modality predicts alone', () => {
    const y = xor(trainData);
    const agreeA = y.filter((v, i) => v === ((trainData.a[i] as number) > 0 ? 1 : 0)).length / y.length;
    const agreeB = y.filter((v, i) => v === ((trainData.b[i] as number) > 0 ? 1 : 0)).length / y.length;
    expect(Math.abs(agreeA - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(agreeB - 0.5)).toBeLessThan(0.06);
  });

  it.each(fusions)('%s', (name, fusion) => {
    const before = tf.memory().numTensors;
    const test = fit(fusion);
    console.log(`${name}: test accuracy ${test.toFixed(3)}`);
    if (name === 'fusion/late') expect(Math.abs(test - 0.5)).toBeLessThan(0.15); // additive logits: at most 3 of the 4 sign cells, chance in practice
    else expect(test).toBeGreaterThan(0.9);
    expect(tf.memory().numTensors).toBe(before);
  });
});
