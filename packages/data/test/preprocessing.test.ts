import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CategoryMap,
  Preprocessing,
  QuantileNormalizer,
  StandardScaler,
  parseDatasetSchema,
  randomSplit,
} from '../src/index.js';

describe('StandardScaler', () => {
  it('fits mean and std, ignores nulls, refuses NaN, round-trips JSON', () => {
    const s = StandardScaler.fit([1, 2, 3, null, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25));
    expect(s.transform(2.5)).toBe(0);
    expect(StandardScaler.fromJSON(JSON.parse(JSON.stringify(s))).transform(4)).toBeCloseTo(s.transform(4));
    expect(() => StandardScaler.fit([1, Number.NaN])).toThrow(/finite/);
    expect(() => s.transform(Number.NaN)).toThrow(/finite/);
    expect(StandardScaler.fit([5, 5]).transform(5)).toBe(0); // constant column: std 1, no division by 0
  });
});

describe('QuantileNormalizer', () => {
  it('maps to the training CDF in [0, 1], clips outside, handles ties', () => {
    const q = QuantileNormalizer.fit(Array.from({ length: 101 }, (_, i) => i));
    expect(q.transform(50)).toBeCloseTo(0.5);
    expect(q.transform(-5)).toBe(0);
    expect(q.transform(1e9)).toBe(1);
    const ties = QuantileNormalizer.fit([0, 1, 1, 1, 2]);
    expect(ties.transform(1)).toBeCloseTo(0.5);
    expect(QuantileNormalizer.fromJSON(q.toJSON()).transform(25)).toBeCloseTo(0.25);
  });
});

describe('CategoryMap', () => {
  it('gives seen values 1..K by frequency and unseen values or null the unknown slot 0', () => {
    const m = CategoryMap.fit(['b', 'a', 'b', 'c', null, 'b', 'a']);
    expect(m.values).toEqual(['b', 'a', 'c']);
    expect(m.size).toBe(4);
    expect([m.transform('b'), m.transform('a'), m.transform('c'), m.transform('zzz'), m.transform(null)]).toEqual([1, 2, 3, 0, 0]);
    expect(CategoryMap.fit(['x', 'x', 'y'], { minCount: 2 }).transform('y')).toBe(0);
    expect(CategoryMap.fromJSON(m.toJSON()).transform('c')).toBe(3);
  });
});

describe('Preprocessing', () => {
  const n = 400;
  const schema = parseDatasetSchema({
    name: 'leak',
    columns: {
      x: { role: 'numeric' },
      sector: { role: 'categorical' },
      y: { role: 'label', task: 'risk', kind: 'multiclass' },
    },
  });
  const split = randomSplit(n, { fractions: { train: 0.6, valid: 0.2, test: 0.2 }, seed: 11 });
  const inTrain = new Set(split.train);
  // Values outside the training rows are wildly different, so any leak would show in the fitted statistics.
  const x = Array.from({ length: n }, (_, i) => (inTrain.has(i) ? i % 10 : 1000 + i));
  const sector = Array.from({ length: n }, (_, i) => (inTrain.has(i) ? `s${i % 3}` : `only-outside-train-${i % 2}`));
  const y = Array.from({ length: n }, (_, i) => (inTrain.has(i) ? ['low', 'high'][i % 2] : 'mid'));
  const table = new arrow.Table({
    x: arrow.vectorFromArray(x, new arrow.Float64()),
    sector: arrow.vectorFromArray(sector, new arrow.Utf8()),
    y: arrow.vectorFromArray(y, new arrow.Utf8()),
  });

  it('is fitted on the training rows only: no statistic, category or class from other rows', () => {
    const pre = Preprocessing.fit(table, schema, split.train);
    const scaler = pre.numeric('x') as StandardScaler;
    const trainX = split.train.map((i) => x[i] ?? 0);
    const mean = trainX.reduce((a, b) => a + b, 0) / trainX.length;
    expect(scaler.mean).toBeCloseTo(mean, 10);
    expect(scaler.count).toBe(split.train.length);
    expect(scaler.mean).toBeLessThan(10); // rows outside train are >= 1000
    const map = pre.categorical('sector');
    expect([...map.values].sort()).toEqual(['s0', 's1', 's2']);
    expect(map.transform('only-outside-train-0')).toBe(0); // unseen in training -> unknown slot
    expect(pre.labelClasses['risk']).toEqual(['high', 'low']);
  });

  it('saves to and loads from preprocessing.json unchanged', async () => {
    const pre = Preprocessing.fit(table, schema, split.train, { numeric: 'quantile', quantiles: 50 }).withExtra('vocab', ['[PAD]', 'a']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-pre-'));
    const file = await pre.save(dir);
    expect(path.basename(file)).toBe('preprocessing.json');
    const loaded = await Preprocessing.load(dir);
    expect(loaded.toJSON()).toEqual(pre.toJSON());
    expect(loaded.numeric('x').transform(4.5)).toBeCloseTo(pre.numeric('x').transform(4.5));
    expect(loaded.extra['vocab']).toEqual(['[PAD]', 'a']);
    fs.writeFileSync(file, JSON.stringify({ version: 1, columns: { x: { kind: 'standard', mean: 0, std: -1, count: 1 } }, labelClasses: {}, extra: {} }));
    await expect(Preprocessing.load(dir)).rejects.toThrow(/preprocessing\.json: field "columns\.x"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
