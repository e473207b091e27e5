// No look-ahead: every input of a target date (price windows, chart image, market context over all 88 stocks) is
// unchanged when every price dated on or after that date is replaced, and changes when the day before changes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '@finmm/core';
import { disposeBatch } from '@finmm/data';
import type { OhlcvRow } from '@finmm/encoders-timeseries';
import { loadPriceData, PriceContext, StockInputs, type PriceHistory, type StockConfig, type StockPreprocessing } from '../src/index.js';

const TARGET = '2015-10-05'; // a Monday: the last trading day before it is Friday 2015-10-02
const TICKERS = ['AAPL', 'XOM', 'GOOG', 'JPM'];
const inputs: StockConfig['inputs'] = {
  tweets: null,
  prices: { encoder: { type: 'timeseries/alstm' }, days: 5, features: ['return', 'logReturn', 'range', 'closePosition', 'volumeZ', 'maGap', 'volatility'] },
  chart: { encoder: { type: 'vision/jkx-cnn' }, days: 20, height: 32, movingAverage: true, volume: true },
  market: { encoder: { type: 'tabular/mlp' }, days: 5, minCoverage: 0.5 },
};
const targets = { ticker: TICKERS, date: TICKERS.map(() => TARGET), messages: TICKERS.map(() => []) };

let prices: PriceHistory;
let preprocessing: StockPreprocessing;
beforeAll(async () => {
  prices = (await loadPriceData({ source: 'stocknet', minTweetDays: 0 })).prices;
  preprocessing = StockInputs.build(targets, new PriceContext(prices, inputs), inputs).fit([0, 1, 2, 3]);
}, 60_000);

/** Every ticker's rows, with `edit` applied to the rows it selects. */
function edited(select: (row: OhlcvRow) => boolean, factor: number): PriceHistory {
  return new Map(
    [...prices].map(([ticker, rows]) => [
      ticker,
      rows.map((r) => {
        if (!select(r)) return r;
        const k = factor * (1 + (r.date.charCodeAt(9) % 7) / 10); // a different jump per day
        return { ...r, open: r.open * k, high: r.high * k * 1.05, low: r.low * k * 0.95, close: r.close * k, adjClose: (r.adjClose ?? r.close) * k, volume: r.volume * 3 + 1 };
      }),
    ]),
  );
}

/** The batch of the four targets as plain arrays per input. */
function arrays(history: PriceHistory): Record<string, number[]> {
  const built = StockInputs.build(targets, new PriceContext(history, inputs), inputs).scale(preprocessing);
  const batch: Batch = built.collate([0, 1, 2, 3], null);
  try {
    const out: Record<string, number[]> = {};
    const put = (name: string, t: tf.Tensor | undefined): void => {
      if (t !== undefined) out[name] = Array.from(t.dataSync());
    };
    put('prices', batch.inputs.timeseries?.values);
    put('priceMask', batch.inputs.timeseries?.stepMask);
    put('chart', batch.inputs.image?.pixels);
    put('market', batch.inputs.tabular?.numeric);
    put('present', tf.tidy(() => tf.stack(Object.values(batch.present) as tf.Tensor1D[])));
    return out;
  } finally {
    disposeBatch(batch);
  }
}

describe('inputs of a target date', () => {
  it('are all present for these targets', () => {
    const base = arrays(prices);
    expect(base['present']!.every((p) => p === 1)).toBe(true);
    expect(base['chart']!.some((p) => p === 1)).toBe(true);
  });

  it('do not change when every price dated on or after the target date is replaced (all 88 tickers)', () => {
    const base = arrays(prices);
    const future = arrays(edited((r) => r.date >= TARGET, 1.7));
    for (const name of ['prices', 'priceMask', 'chart', 'market', 'present']) expect(future[name], name).toEqual(base[name]);
  });

  it('do not change when a later dividend rescales every earlier adjusted close (as Yahoo back-adjusts)', () => {
    const base = arrays(prices);
    const rescaled = new Map([...prices].map(([t, rows]) => [t, rows.map((r) => (r.date < '2016-03-01' ? { ...r, adjClose: (r.adjClose ?? r.close) * 2 } : r))]));
    const after = arrays(rescaled);
    for (const name of ['prices', 'chart', 'market']) expect(after[name], name).toEqual(base[name]);
  });

  it('do change when the day before the target date changes', () => {
    const base = arrays(prices);
    const before = arrays(edited((r) => r.date === '2015-10-02', 1.7));
    for (const name of ['prices', 'chart', 'market']) expect(before[name], name).not.toEqual(base[name]);
    // only the other tickers moving on that day: the market context of AAPL still changes
    const others = new Map(prices);
    const moved = edited((r) => r.date === '2015-10-02', 1.7);
    for (const t of moved.keys()) if (!TICKERS.includes(t)) others.set(t, moved.get(t) as OhlcvRow[]);
    const market = arrays(others);
    expect(market['prices']).toEqual(base['prices']);
    expect(market['chart']).toEqual(base['chart']);
    expect(market['market']).not.toEqual(base['market']);
  });
});
