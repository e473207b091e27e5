// timeseries-ref columns: price windows looked up by key and date, strictly before the date, with masks.
import type { TimeseriesInput } from '@finmm/core';
import { Rng } from '@finmm/core';
import * as tf from '@tensorflow/tfjs';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  BatchSource,
  PriceHistory,
  disposeBatch,
  parseDatasetSchema,
  resolveTimeseriesRef,
  timeseriesRefCollator,
  timeseriesRefCollatorFor,
} from '../src/index.js';

const DAY = 86_400_000;
const day0 = Date.UTC(2015, 0, 1);
const dateOf = (d: number, hours = 0): number => day0 + d * DAY + hours * 3_600_000;

/**
 * Prices of two tickers: AAPL trades on days 0..39 except weekends-like gaps (d % 7 in {5, 6}), MSFT on days 20..39.
 * Feature `day` is the row's own day number (so a window shows which dates it used); `ret` is null on AAPL day 15.
 */
function priceTable(): arrow.Table {
  const rows: Array<{ ticker: string; date: number; day: number; ret: number | null }> = [];
  for (let d = 39; d >= 0; d--) {
    // inserted newest first: the index must sort by date itself
    if (d % 7 !== 5 && d % 7 !== 6) rows.push({ ticker: 'AAPL', date: dateOf(d), day: d, ret: d === 15 ? null : d / 100 });
    if (d >= 20) rows.push({ ticker: 'MSFT', date: dateOf(d), day: d, ret: -d / 100 });
  }
  return new arrow.Table({
    ticker: arrow.vectorFromArray(rows.map((r) => r.ticker), new arrow.Utf8()),
    date: arrow.vectorFromArray(rows.map((r) => new Date(r.date)), new arrow.DateMillisecond()),
    day: arrow.vectorFromArray(rows.map((r) => r.day), new arrow.Float64()),
    ret: arrow.vectorFromArray(rows.map((r) => r.ret), new arrow.Float64()),
  });
}

function samplesTable(samples: Array<{ ticker: string | null; date: number | null }>, label = false): arrow.Table {
  return new arrow.Table({
    ticker: arrow.vectorFromArray(samples.map((s) => s.ticker), new arrow.Utf8()),
    date: arrow.vectorFromArray(samples.map((s) => s.date), new arrow.TimestampMillisecond()),
    ...(label ? { up: arrow.vectorFromArray(samples.map((_, i) => (i % 2 === 0 ? 'up' : 'down')), new arrow.Utf8()) } : {}),
  });
}

const prices = PriceHistory.fromTable(priceTable(), { keyColumn: 'ticker', dateColumn: 'date', features: ['day', 'ret'], source: 'prices.arrow' });

/** Trading days of AAPL in the fixture. */
const aaplDays = Array.from({ length: 40 }, (_, d) => d).filter((d) => d % 7 !== 5 && d % 7 !== 6);

describe('PriceHistory', () => {
  it('returns the last rows strictly before a date, oldest first', () => {
    const w = prices.before('AAPL', dateOf(10), 3);
    expect(w.dates.map((t) => (t - day0) / DAY)).toEqual([7, 8, 9]);
    expect(Array.from(w.values)).toEqual([7, 0.07, 8, 0.08, 9, 0.09].map(Math.fround));
    // Day 12 is not a trading day (12 % 7 = 5): the window ends at day 11, never at 12 or later.
    expect(prices.before('AAPL', dateOf(13), 2).dates.map((t) => (t - day0) / DAY)).toEqual([10, 11]);
    // Same-day rows are excluded at day granularity even when the sample is made late in the day.
    expect(prices.before('AAPL', dateOf(10, 23), 1).dates.map((t) => (t - day0) / DAY)).toEqual([9]);
    // At exact granularity a row stamped at midnight is before a sample made at noon of that day.
    const exact = PriceHistory.fromTable(priceTable(), { keyColumn: 'ticker', dateColumn: 'date', features: ['day'], granularity: 'exact' });
    expect(exact.before('AAPL', dateOf(10, 12), 1).dates.map((t) => (t - day0) / DAY)).toEqual([10]);
    expect(prices.before('AAPL', dateOf(0), 5).dates).toEqual([]);
    expect(prices.keys()).toEqual(['AAPL', 'MSFT']);
  });

  it('rejects bad price tables naming the table, row and column', () => {
    const table = priceTable();
    const withDup = new arrow.Table({
      ticker: arrow.vectorFromArray(['A', 'A'], new arrow.Utf8()),
      date: arrow.vectorFromArray(['2015-01-02', '2015-01-02'], new arrow.Utf8()),
      day: arrow.vectorFromArray([1, 2], new arrow.Float64()),
    });
    expect(() => PriceHistory.fromTable(withDup, { keyColumn: 'ticker', dateColumn: 'date', features: ['day'], source: 'dup.csv' })).toThrow(
      /dup\.csv:2 field "date": key "A" has two rows for 2015-01-02/,
    );
    const badDate = new arrow.Table({
      ticker: arrow.vectorFromArray(['A', 'A'], new arrow.Utf8()),
      date: arrow.vectorFromArray(['2015-01-02', '2015-02-30'], new arrow.Utf8()),
      day: arrow.vectorFromArray([1, 2], new arrow.Float64()),
    });
    expect(() => PriceHistory.fromTable(badDate, { keyColumn: 'ticker', dateColumn: 'date', features: ['day'], source: 'bad.csv' })).toThrow(
      /bad\.csv:2 field "date": expected an ISO 8601 date .*got "2015-02-30"/,
    );
    const nan = new arrow.Table({
      ticker: arrow.vectorFromArray(['A'], new arrow.Utf8()),
      date: arrow.vectorFromArray(['2015-01-02'], new arrow.Utf8()),
      day: arrow.vectorFromArray([Number.NaN], new arrow.Float64()),
    });
    expect(() => PriceHistory.fromTable(nan, { keyColumn: 'ticker', dateColumn: 'date', features: ['day'], source: 'nan.csv' })).toThrow(/nan\.csv:1 field "day": expected a finite number, got NaN/);
    expect(() => PriceHistory.fromTable(table, { keyColumn: 'ticker', dateColumn: 'date', features: ['close'], source: 'prices.arrow' })).toThrow(
      /prices\.arrow field "close": the table has no column "close"/,
    );
  });
});

describe('resolving timeseries-ref columns', () => {
  it('gives [B, T, F] windows, left-padded step masks and presence', () => {
    const samples = samplesTable([
      { ticker: 'AAPL', date: dateOf(10) }, // full window: days 4, 7, 8, 9 (5 and 6 are gaps)
      { ticker: 'MSFT', date: dateOf(22, 15) }, // two rows of history (20, 21): padded
      { ticker: 'MSFT', date: dateOf(20) }, // no history before its first day: absent
      { ticker: null, date: dateOf(20) }, // no reference: absent
      { ticker: 'AAPL', date: dateOf(17) }, // day 15 has a null feature: masked step
    ]);
    const r = resolveTimeseriesRef(samples, { keyColumn: 'ticker', dateColumn: 'date', window: 4, prices });
    expect([r.size, r.window, r.features]).toEqual([5, 4, 2]);
    expect(Array.from(r.present)).toEqual([1, 1, 0, 0, 1]);
    const days = (b: number): number[] => Array.from({ length: 4 }, (_, t) => r.values[(b * 4 + t) * 2] as number);
    const mask = (b: number): number[] => Array.from(r.stepMask.subarray(b * 4, b * 4 + 4));
    expect(days(0)).toEqual([4, 7, 8, 9]);
    expect(mask(0)).toEqual([1, 1, 1, 1]);
    expect(days(1)).toEqual([0, 0, 20, 21]);
    expect(mask(1)).toEqual([0, 0, 1, 1]);
    expect(days(2)).toEqual([0, 0, 0, 0]);
    expect(mask(2)).toEqual([0, 0, 0, 0]);
    expect(mask(3)).toEqual([0, 0, 0, 0]);
    // Days before 17: 11, 14, 15, 16 (12 and 13 are gaps); day 15's return is null, so the step is masked and zero.
    expect(days(4)).toEqual([11, 14, 0, 16]);
    expect(mask(4)).toEqual([1, 1, 0, 1]);
    // minSteps: too short a history is absent, not a zero series.
    const strict = resolveTimeseriesRef(samples, { keyColumn: 'ticker', dateColumn: 'date', window: 4, prices, minSteps: 3 });
    expect(Array.from(strict.present)).toEqual([1, 0, 0, 0, 1]);
    expect(Array.from(strict.stepMask.subarray(4, 8))).toEqual([0, 0, 0, 0]);
  });

  it('never looks ahead: every observed step is dated before the sample, and it is the latest such row', () => {
    const rng = Rng.fromSeed(3);
    const samples = Array.from({ length: 300 }, () => ({ ticker: rng.float() < 0.5 ? 'AAPL' : 'MSFT', date: day0 + Math.floor(rng.float() * 45 * DAY) }));
    const window = 5;
    const r = resolveTimeseriesRef(samplesTable(samples), { keyColumn: 'ticker', dateColumn: 'date', window, prices });
    const msftDays = Array.from({ length: 20 }, (_, i) => 20 + i);
    let checked = 0;
    samples.forEach((s, b) => {
      const sampleDay = Math.floor((s.date - day0) / DAY);
      // Brute force: the last `window` trading days before the sample's day.
      const expected = (s.ticker === 'AAPL' ? aaplDays : msftDays).filter((d) => d < sampleDay).slice(-window);
      const pad = window - expected.length;
      for (let t = 0; t < window; t++) {
        const m = r.stepMask[b * window + t] as number;
        const dayFeature = r.values[(b * window + t) * 2] as number;
        if (t < pad) {
          expect([m, dayFeature]).toEqual([0, 0]); // padding
        } else if (m === 1) {
          expect(dayFeature).toBeLessThan(sampleDay); // the no-look-ahead property itself
          expect(dayFeature).toBe(expected[t - pad]);
          checked++;
        } else {
          expect(s.ticker === 'AAPL' && expected[t - pad] === 15).toBe(true); // only AAPL's day 15 (null return) is masked
        }
      }
      const observed = expected.filter((d) => !(s.ticker === 'AAPL' && d === 15)).length;
      expect(r.present[b]).toBe(observed > 0 ? 1 : 0);
    });
    expect(checked).toBeGreaterThan(1000);
  });

  it('fails naming the row, column and value when a reference cannot be resolved', () => {
    const unknown = samplesTable([{ ticker: 'AAPL', date: dateOf(9) }, { ticker: 'TSLA', date: dateOf(9) }]);
    expect(() => resolveTimeseriesRef(unknown, { keyColumn: 'ticker', dateColumn: 'date', window: 3, prices, source: 'samples.csv' })).toThrow(
      /samples\.csv:2 field "ticker": key "TSLA" \(date 2015-01-10\) has no rows in prices\.arrow \(it has 2 keys: AAPL, MSFT\)/,
    );
    const lenient = resolveTimeseriesRef(unknown, { keyColumn: 'ticker', dateColumn: 'date', window: 3, prices, unknownKey: 'absent' });
    expect(Array.from(lenient.present)).toEqual([1, 0]);
    const textDates = new arrow.Table({
      ticker: arrow.vectorFromArray(['AAPL', 'AAPL'], new arrow.Utf8()),
      date: arrow.vectorFromArray(['2015-01-10', '10/01/2015'], new arrow.Utf8()),
    });
    expect(() => resolveTimeseriesRef(textDates, { keyColumn: 'ticker', dateColumn: 'date', window: 3, prices, source: 'samples.csv' })).toThrow(
      /samples\.csv:2 field "date": key "AAPL": expected an ISO 8601 date .*got "10\/01\/2015"/,
    );
    const first = resolveTimeseriesRef(textDates, { keyColumn: 'ticker', dateColumn: 'date', window: 3, prices }, [0]);
    expect(Array.from(first.values.filter((_, i) => i % 2 === 0))).toEqual([4, 7, 8]); // 2015-01-10 is day 9
    expect(() => resolveTimeseriesRef(textDates, { keyColumn: 'ticker', dateColumn: 'date', window: 0, prices })).toThrow(/"window" must be a positive integer/);
  });

  it('fills inputs.timeseries through a BatchSource from the schema column', async () => {
    const schema = parseDatasetSchema({
      name: 'moves',
      columns: {
        prices: { role: 'timeseries-ref', table: 'daily', keyColumn: 'ticker', dateColumn: 'date', window: 3, features: ['day', 'ret'] },
        up: { role: 'label', task: 'move', kind: 'binary', classes: ['down', 'up'] },
      },
    });
    const table = samplesTable(
      [
        { ticker: 'AAPL', date: dateOf(10) },
        { ticker: 'MSFT', date: dateOf(10) },
        { ticker: 'MSFT', date: dateOf(30) },
      ],
      true,
    );
    const before = tf.memory().numTensors;
    const source = new BatchSource({ table, schema, collators: { timeseries: timeseriesRefCollatorFor(schema, 'prices', { tables: { daily: prices } }) } });
    const batch = await source.collate([0, 1, 2]);
    const input = batch.inputs.timeseries as TimeseriesInput;
    expect(input.values.shape).toEqual([3, 3, 2]);
    expect(input.stepMask?.shape).toEqual([3, 3]);
    expect(Array.from(batch.present.timeseries?.dataSync() ?? [])).toEqual([1, 0, 1]);
    expect(Array.from(input.values.dataSync()).filter((_, i) => i % 2 === 0)).toEqual([7, 8, 9, 0, 0, 0, 27, 28, 29]);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);

    expect(() => timeseriesRefCollatorFor(schema, 'prices', { tables: {} })).toThrow(/price table "daily" was not given/);
    expect(() => timeseriesRefCollatorFor(schema, 'up', { tables: { daily: prices } })).toThrow(/column "up" is a "label" column, not a timeseries-ref/);
    const other = PriceHistory.fromTable(priceTable(), { keyColumn: 'ticker', dateColumn: 'date', features: ['ret'] });
    expect(() => timeseriesRefCollatorFor(schema, 'prices', { tables: { daily: other } })).toThrow(/expects features \[day, ret\] but price table "daily" has \[ret\]/);
    // A bad key in a batch fails with the table row, through the collator.
    const bad = samplesTable([{ ticker: 'AAPL', date: dateOf(10) }, { ticker: 'IBM', date: dateOf(10) }], true);
    const badSource = new BatchSource({ table: bad, schema, collators: { timeseries: timeseriesRefCollator({ keyColumn: 'ticker', dateColumn: 'date', window: 3, prices, source: 'bad' }) } });
    await expect(badSource.collate([1])).rejects.toThrow(/bad:2 field "ticker": key "IBM"/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
