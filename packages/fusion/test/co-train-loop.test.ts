// The co-training round loop on a synthetic two-view task: with unlabelled samples, both views end up better than
// when trained on the small labelled set alone.
import * as tf from '@tensorflow/tfjs';
import { Rng, type Batch } from '@finmm/core';
import { describe, expect, it } from 'vitest';
import { buildModel, coTrain, predictView, type CoTrainExample, type FusedModel } from '../src/index.js';
import { freeBatch, testRegistry, train } from './helpers.js';

const registry = testRegistry();
const FEATURES = 40;

/**
 * Two views, conditionally independent given the class: view v is `(2y - 1) mu_v + N(0, I)` in 40 dimensions with
 * |mu_v| = 1.5, so each view alone can reach 93% accuracy (the Bayes rate), but not from ten labelled samples.
 */
function drawViews(n: number, seed: number): { y: number[]; views: [number[][], number[][]] } {
  const rng = Rng.fromSeed(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const direction = (k: number): number[] => Array.from({ length: FEATURES }, (_, i) => (i % 2 === k ? 1.5 / Math.sqrt(FEATURES / 2) : 0));
  const mu = [direction(0), direction(1)];
  const y = Array.from({ length: n }, () => (rng.float() < 0.5 ? 0 : 1));
  const view = (v: number): number[][] => y.map((c) => (mu[v] as number[]).map((m) => (2 * c - 1) * m + gauss()));
  return { y, views: [view(0), view(1)] };
}

const data = drawViews(1010, 21); // 10 labelled, 600 unlabelled, 400 test
const labelledIds = Array.from({ length: 10 }, (_, i) => i);
const unlabelledIds = Array.from({ length: 600 }, (_, i) => 10 + i);
const testIds = Array.from({ length: 400 }, (_, i) => 610 + i);
const VIEWS = ['a', 'b'] as const;
const viewIndex = (view: string): 0 | 1 => (view === 'a' ? 0 : 1);

function viewModel(view: string): FusedModel {
  return buildModel(
    {
      encoders: { tabular: { type: 'test/tabular', features: FEATURES, outDim: 8, seed: 10 + viewIndex(view) } },
      fusion: { type: 'fusion/concat', hidden: [8], outDim: 8 },
      tasks: [{ name: 'y', kind: 'binary', loss: { type: 'loss/bce' }, head: { type: 'head/linear' } }],
      seed: 3,
    },
    { registry },
  );
}

/** One view's features of the samples `ids` as a tabular batch, with labels when given. */
function batchOf(view: string, ids: readonly number[], labels?: readonly number[]): Batch {
  const rows = ids.map((id) => data.views[viewIndex(view)][id] as number[]);
  return {
    size: ids.length,
    inputs: { tabular: { numeric: tf.tensor2d(rows, [ids.length, FEATURES]) } },
    present: { tabular: tf.ones([ids.length]) as tf.Tensor1D },
    labels: labels === undefined ? {} : { y: { y: tf.tensor1d(labels as number[], 'int32'), mask: tf.ones([ids.length]) as tf.Tensor1D } },
  };
}

function trainOn(model: FusedModel, view: string, examples: readonly CoTrainExample[], steps: number): void {
  const batch = batchOf(view, examples.map((e) => e.id), examples.map((e) => e.label));
  train(model, [batch], { steps, learningRate: 0.03 });
  freeBatch(batch);
}

/** L2-regularised logistic regression by full-batch gradient descent: a fast, deterministic learner for one view. */
class Logistic {
  w = new Float64Array(FEATURES);
  b = 0;
  fit(x: readonly (readonly number[])[], y: readonly number[], iterations = 300, lr = 0.5, l2 = 0.01): void {
    this.w.fill(0);
    this.b = 0;
    const n = y.length;
    for (let it = 0; it < iterations; it++) {
      const gw = new Float64Array(FEATURES);
      let gb = 0;
      x.forEach((row, i) => {
        const g = this.prob(row) - (y[i] as number);
        row.forEach((v, j) => (gw[j] = (gw[j] as number) + g * v));
        gb += g;
      });
      for (let j = 0; j < FEATURES; j++) this.w[j] = (this.w[j] as number) - lr * ((gw[j] as number) / n + l2 * (this.w[j] as number));
      this.b -= (lr * gb) / n;
    }
  }
  prob(row: readonly number[]): number {
    let z = this.b;
    row.forEach((v, j) => (z += v * (this.w[j] as number)));
    return 1 / (1 + Math.exp(-z));
  }
}

const rowsOf = (view: string, ids: readonly number[]): number[][] => ids.map((id) => data.views[viewIndex(view)][id] as number[]);
const logisticAccuracy = (m: Logistic, view: string): number =>
  testIds.filter((id) => (m.prob(data.views[viewIndex(view)][id] as number[]) > 0.5 ? 1 : 0) === data.y[id]).length / testIds.length;

describe('coTrain', () => {
  const labelled = labelledIds.map((id) => ({ id, label: data.y[id] as number }));

  it('beats training on the labelled samples alone on a two-view task', async () => {
    const baseline = VIEWS.map((view) => {
      const m = new Logistic();
      m.fit(rowsOf(view, labelledIds), labelledIds.map((id) => data.y[id] as number));
      return logisticAccuracy(m, view);
    });
    const models = { a: new Logistic(), b: new Logistic() };
    const history: number[][] = [];
    const result = await coTrain({
      views: VIEWS,
      labelled,
      unlabelled: unlabelledIds,
      rounds: 4,
      confidence: 0.8,
      perRound: 100,
      train: (view, examples) => models[view as 'a' | 'b'].fit(rowsOf(view, examples.map((e) => e.id)), examples.map((e) => e.label)),
      predict: (view, ids) => rowsOf(view, ids).map((row) => {
        const p = models[view as 'a' | 'b'].prob(row);
        return [1 - p, p];
      }),
      onRound: () => {
        history.push(VIEWS.map((v) => logisticAccuracy(models[v], v)));
      },
    });
    const final = VIEWS.map((v) => logisticAccuracy(models[v], v));
    const pseudoRight = result.pseudoLabels.filter((p) => p.label === data.y[p.id]).length / result.pseudoLabels.length;
    console.log(
      `co-training (logistic views): labelled-only test accuracy ${baseline.map((x) => x.toFixed(3)).join(' / ')} (views a / b); ` +
        `after each round ${history.map((h) => h.map((x) => x.toFixed(3)).join('/')).join(', ')}; ` +
        `${result.pseudoLabels.length} pseudo-labels, ${(100 * pseudoRight).toFixed(1)}% right; Bayes rate 0.933`,
    );

    // The loop's bookkeeping: rounds, the pool shrinking, each view trained on the other's pseudo-labels.
    expect(result.rounds.map((r) => r.round)).toEqual([0, 1, 2, 3, 4]);
    expect(result.stopReason).toBe('rounds');
    for (let i = 1; i < result.rounds.length; i++) expect(result.rounds[i]!.poolLeft).toBeLessThan(result.rounds[i - 1]!.poolLeft);
    for (const view of VIEWS) {
      const fromOther = result.pseudoLabels.filter((p) => p.to === view);
      expect(fromOther.length).toBeGreaterThan(0);
      expect(fromOther.every((p) => p.from !== view && p.confidence >= 0.8)).toBe(true);
      expect(result.training[view]).toHaveLength(labelled.length + fromOther.length);
      expect(new Set(result.training[view]!.map((e) => e.id)).size).toBe(result.training[view]!.length);
    }
    expect(result.pool.length).toBe(result.rounds[4]!.poolLeft);
    expect(history[0]).toEqual(baseline); // round 0 is the labelled-only model

    // The point of co-training: both views end clearly better than from the labelled samples alone.
    expect(pseudoRight).toBeGreaterThan(0.85);
    for (const v of [0, 1]) expect(final[v]!).toBeGreaterThan(baseline[v]! + 0.03);
    expect((final[0]! + final[1]!) / 2).toBeGreaterThan((baseline[0]! + baseline[1]!) / 2 + 0.05);
  });

  it('co-trains two fused models through predictView, freeing every tensor', async () => {
    const before = tf.memory().numTensors;
    const models = { a: viewModel('a'), b: viewModel('b') };
    const predicted = new Map<string, number[]>();
    const result = await coTrain({
      views: VIEWS,
      labelled,
      unlabelled: unlabelledIds.slice(0, 120),
      rounds: 2,
      confidence: 0.7,
      perRound: 40,
      train: (view, examples) => trainOn(models[view as 'a' | 'b'], view, examples, 8),
      predict: (view, ids) => {
        const batch = batchOf(view, ids);
        const probs = predictView(models[view as 'a' | 'b'], batch, 'tabular', 'y');
        freeBatch(batch);
        ids.forEach((id, i) => predicted.set(`${view}:${id}`, probs[i] as number[]));
        return probs;
      },
    });
    expect(result.pseudoLabels.length).toBeGreaterThan(0);
    for (const p of result.pseudoLabels) {
      // Each pseudo-label is the giving view's predicted class, with the probability predictView gave it.
      const probs = predicted.get(`${p.from}:${p.id}`) as number[];
      expect(probs[0]! + probs[1]!).toBeCloseTo(1, 5);
      expect(p.label).toBe(probs[1]! > probs[0]! ? 1 : 0);
      expect(p.confidence).toBeCloseTo(Math.max(...probs), 6);
    }
    // predictView agrees with the model's own binary output.
    const batch = batchOf('a', testIds.slice(0, 8));
    const probs = predictView(models.a, batch, 'tabular', 'y');
    const sigmoid = tf.tidy(() => Array.from(tf.sigmoid(models.a.forward(batch, { training: false }).outputs['y'] as tf.Tensor).dataSync()));
    probs.forEach((row, i) => expect(row[1]).toBeCloseTo(sigmoid[i] as number, 6));
    expect(() => predictView(models.a, batch, 'text', 'y')).toThrow(/no text inputs/);
    expect(() => predictView(models.a, batch, 'tabular', 'z')).toThrow(/no task "z"/);
    freeBatch(batch);
    models.a.dispose();
    models.b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early and checks its inputs', async () => {
    const calls: string[] = [];
    const base = {
      views: ['a', 'b'] as const,
      labelled: [
        { id: 0, label: 0 },
        { id: 1, label: 1 },
      ],
      unlabelled: [2, 3, 4],
      rounds: 3,
      confidence: 0.9,
      perRound: 2,
      train: (view: string, examples: readonly CoTrainExample[]) => {
        calls.push(`${view}:${examples.length}`);
      },
    };
    // Unsure predictions: nothing is handed over, the loop stops after the initial training.
    const unsure = await coTrain({ ...base, predict: (_v, ids) => ids.map(() => [0.5, 0.5]) });
    expect(unsure.stopReason).toBe('no-confident-predictions');
    expect(calls).toEqual(['a:2', 'b:2']);
    // Sure predictions: quotas keep the labelled class balance (1 of each per round), then the pool empties.
    calls.length = 0;
    const sure = await coTrain({ ...base, perRound: 2, rounds: 5, predict: (_v, ids) => ids.map((id) => (id % 2 === 0 ? [0.95, 0.05] : [0.02, 0.98])) });
    expect(sure.pseudoLabels.filter((p) => p.round === 1).map((p) => [p.from, p.id, p.label])).toEqual([
      ['a', 3, 1],
      ['a', 2, 0],
      ['b', 3, 1],
      ['b', 2, 0],
    ]);
    expect(sure.stopReason).toBe('pool-empty');
    expect(sure.pool).toEqual([]);
    expect(calls).toEqual(['a:2', 'b:2', 'a:4', 'b:4', 'a:5', 'b:5']);
    await expect(coTrain({ ...base, views: ['a', 'a'], predict: () => [] })).rejects.toThrow(/views must differ/);
    await expect(coTrain({ ...base, unlabelled: [1, 2], predict: () => [] })).rejects.toThrow(/sample 1 is both labelled and unlabelled/);
    await expect(coTrain({ ...base, confidence: 0.3, predict: () => [] })).rejects.toThrow(/"confidence" must be in \[0.5, 1\]/);
    await expect(coTrain({ ...base, predict: (_v, ids) => ids.map(() => [0.5]) })).rejects.toThrow(/gave sample 2 1 class probabilities/);
    await expect(coTrain({ ...base, predict: () => [[0.5, 0.5]] })).rejects.toThrow(/returned 1 rows for 3 samples/);
  });
});
