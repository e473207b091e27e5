import { findDataDir } from '@finmm/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chronologicalSplit,
  chronologicalSplitByFraction,
  foldsFromAssignment,
  groupSplit,
  kFold,
  randomSplit,
  readFoldFile,
  stratifiedSplit,
  type Split,
} from '../src/index.js';

const fractions = { train: 0.7, valid: 0.1, test: 0.2 };

function expectPartition(split: Split, n: number): void {
  const all = [...split.train, ...split.valid, ...split.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('splits', () => {
  it('random: a reproducible partition with the given sizes', () => {
    const a = randomSplit(1000, { fractions, seed: 3 });
    expectPartition(a, 1000);
    expect([a.train.length, a.valid.length, a.test.length]).toEqual([700, 100, 200]);
    expect(randomSplit(1000, { fractions, seed: 3 })).toEqual(a);
    expect(randomSplit(1000, { fractions, seed: 4 }).test).not.toEqual(a.test);
    expect(() => randomSplit(10, { fractions: { train: 0.5, valid: 0.1, test: 0.1 }, seed: 0 })).toThrow(/sum to 1/);
  });

  it('stratified: every part keeps the label shares', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 < 3 ? 'bad' : 'good'));
    const split = stratifiedSplit(labels, { fractions, seed: 1 });
    expectPartition(split, 1000);
    for (const part of [split.train, split.valid, split.test]) {
      expect(part.filter((i) => labels[i] === 'bad').length / part.length).toBeCloseTo(0.3, 2);
    }
  });

  it('grouped: no group in two parts', () => {
    const groups = Array.from({ length: 500 }, (_, i) => `T${i % 37}`);
    const split = groupSplit(groups, { fractions, seed: 2 });
    expectPartition(split, 500);
    const of = (rows: number[]): Set<string> => new Set(rows.map((i) => groups[i] ?? ''));
    const [tr, va, te] = [of(split.train), of(split.valid), of(split.test)];
    for (const g of tr) expect(va.has(g) || te.has(g)).toBe(false);
    for (const g of va) expect(te.has(g)).toBe(false);
  });

  it('k-fold: each row validates once; stratified folds balance labels; fold files are read as given', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const folds = kFold(103, 5, { seed: 0, labels });
    const validated = folds.flatMap((f) => f.valid).sort((a, b) => a - b);
    expect(validated).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const fold of folds) {
      expect(fold.train.length + fold.valid.length).toBe(103);
      expect(fold.train.some((i) => fold.valid.includes(i))).toBe(false);
      expect(Math.abs(fold.valid.length - 103 / 5)).toBeLessThanOrEqual(1);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-folds-'));
    const file = path.join(dir, 'folds.json');
    fs.writeFileSync(file, JSON.stringify({ fold: [0, 1, 2, 0, 1, 2] }));
    expect(foldsFromAssignment(readFoldFile(file, 6))[1]).toEqual({ train: [0, 2, 3, 5], valid: [1, 4] });
    expect(() => readFoldFile(file, 7)).toThrow(`${file} field "fold": has 6 entries, but the dataset has 7 rows`);
    fs.writeFileSync(file, JSON.stringify({ fold: [0, 'x'] }));
    expect(() => readFoldFile(file)).toThrow(`${file} field "fold[1]": expected a fold number >= 0, got "x"`);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('german-credit fold file, when the data is present', () => {
    const dataDir = findDataDir()?.dir;
    const file = dataDir === undefined ? '' : path.join(dataDir, 'german-credit', 'folds_5.json');
    if (!fs.existsSync(file)) return;
    const folds = foldsFromAssignment(readFoldFile(file, 1000));
    expect(folds.length).toBe(5);
    expect(folds.reduce((s, f) => s + f.valid.length, 0)).toBe(1000);
  });

  it('chronological: cuts at dates, drops the embargo gap, never puts a later row before an earlier one', () => {
    const day = 86_400_000;
    const times = Array.from({ length: 100 }, (_, i) => Date.UTC(2015, 0, 1) + ((i * 37) % 100) * day);
    const validFrom = Date.UTC(2015, 0, 1) + 60 * day;
    const testFrom = Date.UTC(2015, 0, 1) + 80 * day;
    const split = chronologicalSplit(times, { validFrom, testFrom, embargoMs: 5 * day });
    const t = (rows: number[]): number[] => rows.map((i) => times[i] ?? 0);
    expect(Math.max(...t(split.train))).toBeLessThan(validFrom - 5 * day);
    expect(Math.min(...t(split.valid))).toBeGreaterThanOrEqual(validFrom);
    expect(Math.max(...t(split.valid))).toBeLessThan(testFrom - 5 * day);
    expect(Math.min(...t(split.test))).toBeGreaterThanOrEqual(testFrom);
    expect(split.embargoed.length).toBe(10);
    expect(split.train.length + split.valid.length + split.test.length + split.embargoed.length).toBe(100);
    expect(() => chronologicalSplit([1, null], { validFrom: 1, testFrom: 2 })).toThrow(/row 1 has no time/);

    const byFraction = chronologicalSplitByFraction(times, { fractions, embargoMs: 0 });
    expect([byFraction.train.length, byFraction.valid.length, byFraction.test.length]).toEqual([70, 10, 20]);
    expect(Math.max(...t(byFraction.train))).toBeLessThan(Math.min(...t(byFraction.valid)));
  });
});
