// Co-training of two modality views: each view's confident predictions label the other view's training data.
import * as tf from '@tensorflow/tfjs';
import type { Batch, TaskLabels } from '@finmm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, coTrainingPseudoLabels, disposeBatch, type FusedModel } from '../src/index.js';
import { accuracy, drawTwoViews, freeBatch, makeBatch, testRegistry, train, twoViewConfig } from './helpers.js';

const registry = testRegistry();
// The label is the sign of a; b agrees with it on ~80% of samples (two views, conditionally independent noise).
function views(n: number, seed: number): ReturnType<typeof drawTwoViews> {
  const d = drawTwoViews(n, seed);
  d.b = d.b.map((b, i) => Math.sign(d.a[i] as number) * Math.abs(b) * ((d.noiseA[i]?.[1] as number) > 0.6 ? -1 : 1));
  return d;
}
const labelled = views(256, 51);
const unlabelled = views(256, 52);
const label = (d: ReturnType<typeof views>): number[] => d.a.map((a) => (a > 0 ? 1 : 0));

function trainedModel(): FusedModel {
  const model = buildModel(twoViewConfig({ type: 'fusion/concat', hidden: [16], outDim: 16 }, { modalityDropout: 0.5 }), { registry });
  const batches = [0, 128].map((from) => makeBatch(labelled, from, from + 128, { labels: { y: { y: label(labelled) } } }));
  train(model, batches, { steps: 80, learningRate: 0.01 });
  batches.forEach(freeBatch);
  return model;
}

describe('co-training pseudo-labels', () => {
  const model = trainedModel();
  afterAll(() => model.dispose());

  it('labels each view with the other view’s confident predictions', () => {
    const before = tf.memory().numTensors;
    const presentB = unlabelled.a.map((_, i) => (i % 10 === 0 ? 0 : 1));
    const batch = makeBatch(unlabelled, 0, 256, { presentB });
    const [forB, forA] = coTrainingPseudoLabels(model, batch, { task: 'y', views: ['tabular', 'timeseries'], threshold: 0.9 });
    expect([forB?.view, forB?.from, forA?.view, forA?.from]).toEqual(['timeseries', 'tabular', 'tabular', 'timeseries']);
    const b = forB?.batch as Batch;
    expect(Object.keys(b.inputs)).toEqual(['timeseries']);
    const labels = b.labels['y'] as TaskLabels;
    expect(labels.y.dtype).toBe('int32');

    // Labels are the predictions of the model seeing only the tabular view; the mask keeps the confident ones.
    const onlyA: Batch = { size: 256, inputs: { tabular: batch.inputs.tabular }, present: {}, labels: {} };
    const probs = tf.tidy(() => Array.from(tf.sigmoid(model.forward(onlyA, { training: false }).outputs['y'] as tf.Tensor).dataSync()));
    const y = Array.from(labels.y.dataSync());
    const mask = Array.from(labels.mask.dataSync());
    probs.forEach((p, i) => {
      const confident = Math.max(p, 1 - p) >= 0.9 && presentB[i] === 1;
      expect(mask[i]).toBe(confident ? 1 : 0);
      if (confident) expect(y[i]).toBe(p > 0.5 ? 1 : 0);
    });
    expect(forB?.count).toBe(mask.reduce((s, v) => s + v, 0));
    // The tabular view decides the label, so its confident pseudo-labels are right.
    const truth = label(unlabelled);
    const right = y.filter((v, i) => mask[i] === 1 && v === truth[i]).length;
    expect(right / (forB?.count as number)).toBeGreaterThan(0.95);
    expect(forB?.count).toBeGreaterThan(100);

    // A stricter threshold keeps fewer samples.
    const strict = coTrainingPseudoLabels(model, batch, { task: 'y', views: ['tabular', 'timeseries'], threshold: 0.999 });
    expect(strict[0]?.count).toBeLessThan(forB?.count as number);

    for (const p of [forB, forA, ...strict]) disposeBatch(p?.batch as Batch);
    freeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives batches that train the other view (its loss falls, its accuracy holds)', () => {
    const test = makeBatch(unlabelled, 128, 256, { presentA: null, labels: { y: { y: label(unlabelled) } } });
    const pool = makeBatch(unlabelled, 0, 128);
    const before = accuracy(model, test, 'y');
    const [forB] = coTrainingPseudoLabels(model, pool, { task: 'y', views: ['tabular', 'timeseries'], threshold: 0.8 });
    const losses = train(model, [forB?.batch as Batch], { steps: 40, learningRate: 0.01 });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] as number);
    const after = accuracy(model, test, 'y');
    console.log(`timeseries-only accuracy ${before.toFixed(3)} -> ${after.toFixed(3)} after co-training on ${forB?.count} pseudo-labels`);
    expect(after).toBeGreaterThanOrEqual(before - 0.02);
    expect(after).toBeGreaterThan(0.7);
    disposeBatch(forB?.batch as Batch);
    freeBatch(test);
    freeBatch(pool);
  });

  it('rejects what it cannot co-train', () => {
    const batch = makeBatch(unlabelled, 0, 4, { presentB: null });
    expect(() => coTrainingPseudoLabels(model, batch, { task: 'y', views: ['tabular', 'timeseries'], threshold: 0.9 })).toThrow(/no timeseries inputs/);
    expect(() => coTrainingPseudoLabels(model, batch, { task: 'z', views: ['tabular', 'timeseries'], threshold: 0.9 })).toThrow(/no task "z"/);
    expect(() => coTrainingPseudoLabels(model, batch, { task: 'y', views: ['tabular', 'tabular'], threshold: 0.9 })).toThrow(/must differ/);
    freeBatch(batch);
  });
});
