// Market context: cross-sectional average moves on hand-made closes, no look-ahead (nothing dated on or after the
// target date changes the features), and the "yesterday's market" rule on the real StockNet test split.
import { describe, expect, it } from 'vitest';
import {
  dailyCloses,
  loadStockNet,
  loadStockNetPrices,
  marketContextBefore,
  marketContextNames,
  marketRulePredictions,
  marketSeries,
  type DailyClose,
} from '../src/index.js';

const closes = (dates: string[], values: number[]): DailyClose[] => dates.map((date, i) => ({ date, close: values[i]! }));
const D = ['2015-01-02', '2015-01-05', '2015-01-06', '2015-01-07', '2015-01-08', '2015-01-09'];

function market(overrides: (values: number[]) => number[] = (v) => v): Map<string, DailyClose[]> {
  return new Map([
    ['AAA', closes(D, overrides([100, 101, 99.99, 102, 104.04, 100]))],
    ['BBB', closes(D, overrides([50, 49, 49.49, 49, 48, 50]))],
    ['CCC', closes(D.slice(1), [10, 11, 12, 11, 10])], // listed a day later
  ]);
}

describe('marketSeries', () => {
  it('averages each day the returns of the tickers with a previous close', () => {
    const s = marketSeries(market());
    expect(s.dates).toEqual(D.slice(1));
    expect(Array.from(s.count)).toEqual([2, 3, 3, 3, 3]);
    expect(s.meanMove[0]).toBeCloseTo((0.01 - 0.02) / 2, 12);
    expect(s.meanMove[1]).toBeCloseTo((-0.01 + 0.01 + 0.1) / 3, 12);
    expect(Array.from(s.upShare)).toEqual([0.5, 2 / 3, 2 / 3, 1 / 3, 1 / 3]);
    expect(s.tickers).toBe(3);
  });

  it('drops days covered by too few of the listed tickers, and names a bad row', () => {
    const m = market();
    m.set('DDD', closes(['2015-01-02', '2015-01-03'], [5, 6])); // a stray Saturday
    m.set('EEE', closes(['2015-01-02', '2015-01-05'], [5, 6]));
    expect(marketSeries(m).dates).not.toContain('2015-01-03');
    expect(marketSeries(m, { minCoverage: 0 }).dates).toContain('2015-01-03');
    expect(() => marketSeries(new Map([['X', closes(['2015-01-02', '2015-01-02'], [1, 2])]]))).toThrow(/ticker X, 2015-01-02: dates must increase/);
    expect(() => marketSeries(new Map([['X', closes(['2015-01-02', '2015-01-05'], [1, Number.NaN])]]))).toThrow(/ticker X, 2015-01-05: field "close": expected a positive price, got NaN/);
  });
});

describe('marketContextBefore', () => {
  it('gives the last K market days strictly before each target, newest first', () => {
    const s = marketSeries(market());
    const ctx = marketContextBefore(s, ['2015-01-08', '2015-01-06', '2015-01-12'], 2);
    expect(marketContextNames(2)).toEqual(['market_move_1', 'market_move_2', 'market_up_share_1', 'market_up_share_2']);
    expect(ctx.features).toBe(4);
    expect(Array.from(ctx.available)).toEqual([1, 0, 1]); // 2015-01-06 has one market day before it
    expect(ctx.values[0]).toBeCloseTo(s.meanMove[2]!, 6); // 2015-01-07
    expect(ctx.values[1]).toBeCloseTo(s.meanMove[1]!, 6); // 2015-01-06
    expect(ctx.values[2]).toBeCloseTo(s.upShare[2]!, 6);
    expect(Array.from(ctx.values.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(ctx.values[8]).toBeCloseTo(s.meanMove[4]!, 6); // 2015-01-09, the Friday before a Monday target
    expect(ctx.lastDay).toEqual(['2015-01-07', '2015-01-05', '2015-01-09']);
  });

  it('never reads a price dated on or after the target date', () => {
    const target = '2015-01-07';
    const base = marketContextBefore(marketSeries(market()), [target], 2);
    // every close from the target date on replaced: the features of the target are unchanged
    const future = market((v) => v.map((x, i) => (D[i]! >= target ? x * (3 + i) : x)));
    expect(Array.from(marketContextBefore(marketSeries(future), [target], 2).values)).toEqual(Array.from(base.values));
    expect(marketRulePredictions(marketSeries(future), [target])).toEqual(marketRulePredictions(marketSeries(market()), [target]));
    // a change on the day before the target does change them
    const past = market((v) => v.map((x, i) => (D[i] === '2015-01-06' ? x * 2 : x)));
    expect(Array.from(marketContextBefore(marketSeries(past), [target], 2).values)).not.toEqual(Array.from(base.values));
  });

  it('the rule predicts up after a rising market day, and null with no day before', () => {
    const s = marketSeries(market());
    expect(marketRulePredictions(s, ['2015-01-05', '2015-01-06', '2015-01-07', '2015-01-08'])).toEqual([null, 0, 1, 1]);
  });
});

describe('on StockNet', () => {
  it('"predict yesterday\'s average move of the 88 stocks" scores about 0.536 / MCC 0.075 on the test split', async () => {
    const prices = await loadStockNetPrices();
    const series = marketSeries(dailyCloses(prices));
    expect(series.tickers).toBe(88);
    const data = await loadStockNet();
    const split = data.table.getChild('split')!;
    const dates: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < data.table.numRows; i++) {
      if (split.get(i) !== 'test') continue;
      dates.push(data.table.getChild('date')!.get(i) as string);
      labels.push(data.table.getChild('label')!.get(i) as number);
    }
    const predicted = marketRulePredictions(series, dates);
    let tp = 0, tn = 0, fp = 0, fn = 0;
    predicted.forEach((p, i) => {
      if (p === 1 && labels[i] === 1) tp++;
      else if (p === 1) fp++;
      else if (labels[i] === 0) tn++;
      else fn++;
    });
    expect(predicted).not.toContain(null);
    const accuracy = (tp + tn) / labels.length;
    const mcc = (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    expect(Math.abs(accuracy - 0.536)).toBeLessThan(0.001); // the figures, rounded to 3 digits
    expect(Math.abs(mcc - 0.075)).toBeLessThan(0.001);
  }, 60_000);
});
