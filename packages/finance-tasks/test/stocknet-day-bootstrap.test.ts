// The day-clustered bootstrap: exact on hand-made cases, equal to a sample-level recomputation of the same
// resampled days, paired differences, and MCC as scikit-learn defines it.
import { describe, expect, it } from 'vitest';
import { Rng } from '@finmm/core';
import { matthewsCorrcoef } from '@finmm/trainer';
import { accuracyOf, confusionOf, dayBootstrap, mccOf, quantileSorted } from '../src/index.js';

/** `perDay` samples on each of `days` days with random labels and two predictors (one better than chance). */
function synthetic(days: number, perDay: number, seed: number): { days: string[]; yTrue: number[]; good: number[]; coin: number[] } {
  const rng = Rng.fromSeed(seed);
  const out = { days: [] as string[], yTrue: [] as number[], good: [] as number[], coin: [] as number[] };
  for (let d = 0; d < days; d++) {
    const dayUp = rng.float() < 0.5;
    for (let k = 0; k < perDay; k++) {
      const y = rng.float() < (dayUp ? 0.8 : 0.2) ? 1 : 0;
      out.days.push(`2015-10-${String(d + 1).padStart(2, '0')}`);
      out.yTrue.push(y);
      out.good.push(rng.float() < 0.7 ? y : 1 - y);
      out.coin.push(rng.float() < 0.5 ? 1 : 0);
    }
  }
  return out;
}

describe('confusion, accuracy and MCC', () => {
  it('agree with the trainer metrics (checked against scikit-learn) and give MCC 0 for an empty margin', () => {
    const s = synthetic(10, 9, 1);
    const c = confusionOf(s.yTrue, s.good);
    expect(c.tp + c.fp + c.tn + c.fn).toBe(90);
    expect(mccOf(c)).toBeCloseTo(matthewsCorrcoef(s.yTrue, s.good, 2), 12);
    expect(accuracyOf(c)).toBeCloseTo(s.yTrue.filter((y, i) => y === s.good[i]).length / 90, 12);
    expect(mccOf(confusionOf([0, 1, 1], [1, 1, 1]))).toBe(0); // always "up": no predicted-down column
    expect(() => confusionOf([0, 2], [0, 1])).toThrow(/sample 1: label 2 and prediction 1 must be 0 or 1/);
  });

  it('reads quantiles as numpy does (linear interpolation)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
    expect(quantileSorted([7], 0.975)).toBe(7);
  });
});

describe('dayBootstrap', () => {
  it('gives a zero-width interval when every day has the same outcomes', () => {
    const days = ['2015-10-01', '2015-10-01', '2015-10-02', '2015-10-02', '2015-10-05', '2015-10-05'];
    const yTrue = [1, 0, 1, 0, 1, 0];
    const result = dayBootstrap({ days, yTrue, predictions: { model: [1, 1, 1, 1, 1, 1] } }, { resamples: 200, seed: 3 });
    const { accuracy, mcc } = result.metrics['model']!;
    expect(accuracy).toEqual({ estimate: 0.5, low: 0.5, high: 0.5 });
    expect(mcc).toEqual({ estimate: 0, low: 0, high: 0 });
    expect(result).toMatchObject({ days: 3, samples: 6, resamples: 200, seed: 3, level: 0.95 });
  });

  it('contains the point estimate, is reproducible from its seed and wider for fewer days', () => {
    const s = synthetic(60, 40, 2);
    const input = { days: s.days, yTrue: s.yTrue, predictions: { good: s.good, coin: s.coin } };
    const a = dayBootstrap(input, { resamples: 500, seed: 7 });
    for (const name of ['good', 'coin']) {
      for (const m of ['accuracy', 'mcc'] as const) {
        const iv = a.metrics[name]![m];
        expect(iv.low).toBeLessThanOrEqual(iv.estimate);
        expect(iv.high).toBeGreaterThanOrEqual(iv.estimate);
        expect(iv.high - iv.low).toBeGreaterThan(0);
      }
    }
    expect(a.metrics['good']!.accuracy.estimate).toBeCloseTo(accuracyOf(confusionOf(s.yTrue, s.good)), 12);
    expect(dayBootstrap(input, { resamples: 500, seed: 7 })).toEqual(a);
    expect(dayBootstrap(input, { resamples: 500, seed: 8 }).metrics['good']!.accuracy.low).not.toBe(a.metrics['good']!.accuracy.low);
    const few = synthetic(8, 300, 2); // as many samples, far fewer clusters
    const b = dayBootstrap({ days: few.days, yTrue: few.yTrue, predictions: { good: few.good } }, { resamples: 500, seed: 7 });
    const width = (iv: { low: number; high: number }): number => iv.high - iv.low;
    expect(width(b.metrics['good']!.mcc)).toBeGreaterThan(width(a.metrics['good']!.mcc));
  });

  it('resamples whole days: its intervals equal a sample-level recomputation of the same drawn days', () => {
    const s = synthetic(12, 7, 4);
    const resamples = 50;
    const result = dayBootstrap({ days: s.days, yTrue: s.yTrue, predictions: { good: s.good } }, { resamples, seed: 11, level: 0.9 });
    const dayList = [...new Set(s.days)].sort();
    const rng = Rng.fromSeed(11);
    const acc: number[] = [];
    const mcc: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const y: number[] = [];
      const p: number[] = [];
      for (let k = 0; k < dayList.length; k++) {
        const day = dayList[rng.int(0, dayList.length - 1)];
        s.days.forEach((d, i) => {
          if (d === day) {
            y.push(s.yTrue[i]!);
            p.push(s.good[i]!);
          }
        });
      }
      acc.push(y.filter((v, i) => v === p[i]).length / y.length);
      mcc.push(matthewsCorrcoef(y, p, 2));
    }
    const sortNum = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    expect(result.metrics['good']!.accuracy.low).toBeCloseTo(quantileSorted(sortNum(acc), 0.05), 12);
    expect(result.metrics['good']!.accuracy.high).toBeCloseTo(quantileSorted(sortNum(acc), 0.95), 12);
    expect(result.metrics['good']!.mcc.low).toBeCloseTo(quantileSorted(sortNum(mcc), 0.05), 10);
    expect(result.metrics['good']!.mcc.high).toBeCloseTo(quantileSorted(sortNum(mcc), 0.95), 10);
  });

  it('pairs differences on the same resampled days', () => {
    const s = synthetic(40, 30, 5);
    const same = dayBootstrap({ days: s.days, yTrue: s.yTrue, predictions: { a: s.good, b: [...s.good] }, pairs: [['a', 'b']] }, { resamples: 300 });
    expect(same.differences).toEqual([{ a: 'a', b: 'b', accuracy: { estimate: 0, low: 0, high: 0 }, mcc: { estimate: 0, low: 0, high: 0 } }]);
    const versus = dayBootstrap({ days: s.days, yTrue: s.yTrue, predictions: { good: s.good, coin: s.coin }, pairs: [['good', 'coin']] }, { resamples: 300 });
    const diff = versus.differences[0]!;
    expect(diff.accuracy.estimate).toBeCloseTo(versus.metrics['good']!.accuracy.estimate - versus.metrics['coin']!.accuracy.estimate, 12);
    expect(diff.accuracy.low).toBeGreaterThan(0); // 0.7 vs 0.5 accuracy over 1,200 samples on 40 days
    expect(() => dayBootstrap({ days: s.days, yTrue: s.yTrue, predictions: { good: s.good }, pairs: [['good', 'rule']] })).toThrow(/pair \[good, rule\] names a predictor that is not given/);
    expect(() => dayBootstrap({ days: s.days.slice(1), yTrue: s.yTrue, predictions: { good: s.good } })).toThrow(/1199 days for 1200 labels/);
  });
});
