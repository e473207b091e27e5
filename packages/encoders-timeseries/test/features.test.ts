// OHLCV validation, feature values on hand-built rows, windows that end before the target date, and the scalers.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  FeatureScaler,
  OhlcvError,
  computeFeatures,
  featureNames,
  normalizePerWindow,
  parseYahooCsv,
  validateOhlcv,
  windowsBefore,
  windowsToInput,
  type OhlcvRow,
} from '../src/index.js';

/** Day i (0-based) of a hand-built series: close 100 + i, high close + 1, low close - 2, open close - 0.5. */
function rows(n: number): OhlcvRow[] {
  return Array.from({ length: n }, (_, i) => {
    const close = 100 + i;
    return { date: `2020-01-${String(i + 1).padStart(2, '0')}`, open: close - 0.5, high: close + 1, low: close - 2, close, volume: 1000 + 100 * (i % 3) };
  });
}

describe('OHLCV validation', () => {
  it.each([
    ['high', { high: Number.NaN }, /row 2 \(date 2020-01-03\): field "high": expected a finite number, got NaN/],
    ['volume', { volume: -5 }, /row 2 \(date 2020-01-03\): field "volume": expected a volume >= 0/],
    ['high < low', { high: 90 }, /row 2 \(date 2020-01-03\): field "high": high 90 is below low 100/],
    ['close', { close: Number.POSITIVE_INFINITY }, /field "close"/],
  ])('names the date and field of a bad %s', (_name, patch, message) => {
    const data = rows(5);
    data[2] = { ...(data[2] as OhlcvRow), ...patch };
    expect(() => validateOhlcv(data, 'AAPL')).toThrow(message);
    try {
      computeFeatures(data, {}, 'AAPL');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OhlcvError);
      expect((error as OhlcvError).date).toBe('2020-01-03');
      expect((error as Error).message).toMatch(/^AAPL: /);
    }
  });

  it('rejects dates out of order', () => {
    const data = rows(3);
    data[2] = { ...(data[2] as OhlcvRow), date: '2020-01-01' };
    expect(() => validateOhlcv(data)).toThrow(/row 2 \(date 2020-01-01\): field "date": dates must increase/);
  });

  it('parses a Yahoo CSV and names the line of a null row, or skips it when asked', () => {
    const text = 'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,0.5,1.5,1.4,100\n2020-01-03,null,null,null,null,null,null\n2020-01-06,1,2,0.5,1.5,1.4,100\n';
    expect(() => parseYahooCsv(text, 'X.csv')).toThrow(/X\.csv: line 3 \(date 2020-01-03\): field "open"/);
    const { rows: parsed, skipped } = parseYahooCsv(text, 'X.csv', { skipInvalid: true });
    expect(parsed.map((r) => r.date)).toEqual(['2020-01-02', '2020-01-06']);
    expect(parsed[0]).toEqual({ date: '2020-01-02', open: 1, high: 2, low: 0.5, close: 1.5, adjClose: 1.4, volume: 100 });
    expect(skipped).toEqual([{ line: 3, date: '2020-01-03', field: 'open', reason: 'expected a finite number, got NaN' }]);
  });

  it('reads the real AAPL file', () => {
    const file = '/work/shared/data/stocknet/price/raw/AAPL.csv';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // the shared data folder is optional
    }
    const { rows: parsed } = parseYahooCsv(text, file);
    expect(parsed.length).toBe(1258);
    expect(parsed[0]?.date).toBe('2012-09-04');
    const table = computeFeatures(parsed, {}, file);
    expect(table.values.subarray(table.firstValid * table.names.length).every(Number.isFinite)).toBe(true);
  });
});

describe('computeFeatures', () => {
  it('computes each feature from the day and earlier days only', () => {
    const data = rows(25);
    const table = computeFeatures(data, { maWindows: [5], volatilityWindows: [3], volumeWindow: 3 });
    expect(table.names).toEqual(['return', 'logReturn', 'range', 'closePosition', 'volumeZ', 'maGap5', 'volatility3']);
    expect(table.firstValid).toBe(4); // MA(5) needs days 0..4
    const f = table.names.length;
    const at = (t: number, name: string): number => table.values[t * f + table.names.indexOf(name)] as number;
    expect(Number.isNaN(at(3, 'return'))).toBe(true);
    const t = 10; // close 110, previous 109
    expect(at(t, 'return')).toBeCloseTo(110 / 109 - 1, 6);
    expect(at(t, 'logReturn')).toBeCloseTo(Math.log(110 / 109), 6);
    expect(at(t, 'range')).toBeCloseTo(3 / 110, 6);
    expect(at(t, 'closePosition')).toBeCloseTo(2 / 3, 6);
    expect(at(t, 'maGap5')).toBeCloseTo(110 / 108 - 1, 6); // mean of 106..110
    // volumes of days 8, 9, 10 (1000 + 100 * (i % 3)): 1200, 1000, 1100 -> mean 1100, so z = 0
    expect(at(t, 'volumeZ')).toBeCloseTo(0, 6);
    const r = [108 / 107, 109 / 108, 110 / 109].map(Math.log);
    const mean = r.reduce((a, b) => a + b) / 3;
    expect(at(t, 'volatility3')).toBeCloseTo(Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 3), 6);
    // changing a later day leaves earlier features alone
    const later = rows(25);
    later[11] = { ...(later[11] as OhlcvRow), close: 50, low: 49 };
    const table2 = computeFeatures(later, { maWindows: [5], volatilityWindows: [3], volumeWindow: 3 });
    expect(Array.from(table2.values.subarray(0, 11 * f))).toEqual(Array.from(table.values.subarray(0, 11 * f)));
  });

  it('takes columns (typed arrays) as well as rows, and names a short column', () => {
    const data = rows(25);
    const columns = {
      date: data.map((r) => r.date),
      open: Float64Array.from(data, (r) => r.open),
      high: Float64Array.from(data, (r) => r.high),
      low: Float32Array.from(data, (r) => r.low),
      close: Float64Array.from(data, (r) => r.close),
      volume: Float64Array.from(data, (r) => r.volume),
    };
    expect(Array.from(computeFeatures(columns).values)).toEqual(Array.from(computeFeatures(data).values));
    expect(() => computeFeatures({ ...columns, volume: columns.volume.subarray(1) }, {}, 'MSFT')).toThrow(/MSFT: column "volume" has 24 entries, column "date" has 25/);
    columns.high[3] = Number.NaN;
    expect(() => computeFeatures(columns, {}, 'MSFT')).toThrow(/MSFT: row 3 \(date 2020-01-04\): field "high"/);
  });

  it('uses adjusted closes for close-to-close features when present', () => {
    const data = rows(3).map((r, i) => ({ ...r, adjClose: r.close * (i === 2 ? 0.5 : 1) }));
    const table = computeFeatures(data, { features: ['return', 'range'] });
    expect(table.values[2 * 2]).toBeCloseTo(51 / 101 - 1, 6);
    expect(table.values[2 * 2 + 1]).toBeCloseTo(3 / 102, 6);
    const raw = computeFeatures(data, { features: ['return'], adjusted: false });
    expect(raw.values[2]).toBeCloseTo(102 / 101 - 1, 6);
    expect(featureNames({ features: ['maGap'], maWindows: [2, 7] })).toEqual(['maGap2', 'maGap7']);
  });
});

describe('windowsBefore', () => {
  const table = computeFeatures(rows(30), { features: ['return', 'closePosition'] }); // firstValid 1

  it('takes the N trading days before the target date, never the target itself', () => {
    const w = windowsBefore(table, ['2020-01-10', '2020-01-09T'], { days: 3 });
    expect(w.count).toBe(2);
    const f = 2;
    // target 2020-01-10 is row 9: window rows 6, 7, 8
    const firstFeature = [0, 1, 2].map((t) => w.values[t * f] as number);
    expect(firstFeature[2]).toBeCloseTo(table.values[8 * f] as number, 7);
    expect(firstFeature[0]).toBeCloseTo(table.values[6 * f] as number, 7);
    // a target between trading days (after 2020-01-09) also ends with row 8
    expect(Array.from(w.values.subarray(6, 12))).toEqual(Array.from(w.values.subarray(0, 6)));
    expect(Array.from(w.mask)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('pads short histories with a 0 mask when minDays allows, and reports skipped targets', () => {
    const w = windowsBefore(table, ['2020-01-01', '2020-01-03', '2020-01-05'], { days: 4, minDays: 2 });
    // row 0 has no return (firstValid 1): before 2020-01-03 only row 1 is valid -> skipped; before 01-05 rows 1..3
    expect(w.targetIndex).toEqual([2]);
    expect(w.skipped.map((s) => s.index)).toEqual([0, 1]);
    expect(w.skipped[1]?.reason).toMatch(/only 1 valid trading days before 2020-01-03, need 2/);
    expect(Array.from(w.mask)).toEqual([0, 1, 1, 1]);
    expect(Array.from(w.values.subarray(0, 2))).toEqual([0, 0]);
    const input = windowsToInput(w);
    expect(input.values.shape).toEqual([1, 4, 2]);
    expect(input.stepMask?.shape).toEqual([1, 4]);
    tf.dispose([input.values, input.stepMask ?? []]);
  });
});

describe('normalisation', () => {
  it('fits a scaler on training rows and round-trips it through JSON', () => {
    const values = new Float32Array([1, 10, 3, 10, 5, 10, 100, 100]);
    const mask = new Float32Array([1, 1, 1, 0]);
    const scaler = FeatureScaler.fit(values, ['a', 'b'], mask);
    expect(Array.from(scaler.mean)).toEqual([3, 10]);
    expect(scaler.std[1]).toBe(1); // constant feature
    const json = JSON.parse(JSON.stringify(scaler)) as unknown;
    const back = FeatureScaler.fromJSON(json);
    expect(back.toJSON()).toEqual(scaler.toJSON());
    const out = back.transform(values, mask);
    expect(out[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 6);
    expect(out[1]).toBe(0);
    expect(Array.from(out.subarray(6))).toEqual([0, 0]);
    expect(() => FeatureScaler.fromJSON({ kind: 'standard', names: ['a'], mean: [0], std: [0] }, 'model/scaler.json')).toThrow(/model\/scaler\.json: field "std"/);
    expect(() => FeatureScaler.fit(new Float32Array([Number.NaN, 1]), ['a', 'b'])).toThrow(/feature "a" of row 0 is NaN/);
  });

  it('normalises each window by its own observed days', () => {
    // one window of 3 days x 1 feature, the first day padded
    const out = normalizePerWindow(new Float32Array([99, 1, 3]), new Float32Array([0, 1, 1]), 3, 1);
    expect(Array.from(out)).toEqual([0, -1, 1]);
    expect(Array.from(normalizePerWindow(new Float32Array([2, 2]), new Float32Array([1, 1]), 2, 1))).toEqual([0, 0]);
  });
});
