// Split evaluation on hand-made cases: the day-clustered intervals (zero width when every day is alike, always
// around the point estimate), the market rule and the majority baseline beside the model, paired differences.
import { describe, expect, it } from 'vitest';
import { marketSeries } from '@finmm/finance-tasks';
import { evaluateSplit, MAJORITY, MARKET_RULE, MODEL } from '../src/index.js';

/** A market that rose on 2015-10-01 and 2015-10-05 and fell on 2015-10-02 (two tickers, same moves). */
const market = marketSeries(
  new Map([
    ['A', [{ date: '2015-09-30', close: 100 }, { date: '2015-10-01', close: 101 }, { date: '2015-10-02', close: 100 }, { date: '2015-10-05', close: 102 }]],
    ['B', [{ date: '2015-09-30', close: 10 }, { date: '2015-10-01', close: 10.1 }, { date: '2015-10-02', close: 10 }, { date: '2015-10-05', close: 10.2 }]],
  ]),
);

describe('evaluateSplit', () => {
  it('gives zero-width intervals when every test day has the same outcomes', () => {
    const dates = ['2015-10-02', '2015-10-02', '2015-10-05', '2015-10-05', '2015-10-06', '2015-10-06'];
    const labels = [1, 0, 1, 0, 1, 0];
    const e = evaluateSplit({ split: 'test', dates, labels, scores: [0.9, 0.2, 0.8, 0.1, 0.7, 0.3], market, majorityClass: 1, bootstrap: { resamples: 100, seed: 1 } });
    expect(e.bootstrap.metrics[MODEL]).toEqual({ accuracy: { estimate: 1, low: 1, high: 1 }, mcc: { estimate: 1, low: 1, high: 1 } });
    expect(e.bootstrap.metrics[MAJORITY]?.accuracy).toEqual({ estimate: 0.5, low: 0.5, high: 0.5 });
    expect(e).toMatchObject({ samples: 6, days: 3, up: 3, ruleFallbacks: 0 });
    expect(e.metrics.roc_auc).toBe(1);
  });

  it('predicts with the previous market day for the rule, and its intervals contain the estimates', () => {
    // 2015-10-02 follows a rising day (rule: up); 2015-10-05 follows a falling day (down); 2015-10-06 a rising one
    const dates = ['2015-10-02', '2015-10-02', '2015-10-02', '2015-10-05', '2015-10-05', '2015-10-06', '2015-10-06', '2015-10-06', '2015-09-30'];
    const labels = [1, 1, 0, 0, 1, 1, 0, 1, 0];
    const scores = [0.6, 0.4, 0.3, 0.2, 0.7, 0.55, 0.45, 0.52, 0.6];
    const e = evaluateSplit({ split: 'test', dates, labels, scores, market, majorityClass: 0, bootstrap: { resamples: 400, seed: 2 } });
    expect(e.ruleFallbacks).toBe(1); // 2015-09-30 has no market day before it: the rule predicts the majority class
    // rule predictions: up, up, up, down, down, up, up, up, down -> 6 of 9 right
    expect(e.bootstrap.metrics[MARKET_RULE]?.accuracy.estimate).toBeCloseTo(6 / 9, 12);
    for (const name of [MODEL, MARKET_RULE, MAJORITY]) {
      for (const m of ['accuracy', 'mcc'] as const) {
        const iv = e.bootstrap.metrics[name]![m];
        expect(iv.low, `${name} ${m}`).toBeLessThanOrEqual(iv.estimate);
        expect(iv.high, `${name} ${m}`).toBeGreaterThanOrEqual(iv.estimate);
      }
    }
    const diff = e.bootstrap.differences.find((d) => d.b === MARKET_RULE)!;
    expect(diff.accuracy.estimate).toBeCloseTo(e.metrics.accuracy - 6 / 9, 12);
    expect(diff.accuracy.low).toBeLessThanOrEqual(diff.accuracy.estimate);
    expect(diff.accuracy.high).toBeGreaterThanOrEqual(diff.accuracy.estimate);
  });
});
