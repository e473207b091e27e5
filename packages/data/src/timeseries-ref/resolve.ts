// Resolves `timeseries-ref` columns: each sample's (key, date) becomes the `window` price rows strictly before the
// date, as `[B, T, F]` values, a `[B, T]` step mask and a `[B]` presence mask.
import type * as arrow from 'apache-arrow';
import { DataError } from '../errors.js';
import { describeDateFormat, type DateFormat } from '../readers/dates.js';
import { columnValues, type CellValue } from '../table-access.js';
import { dateCellToMs, type PriceHistory } from './price-history.js';

/** How a sample's reference is resolved. */
export interface TimeseriesRefOptions {
  /** Samples-table column holding the group key (ticker). */
  keyColumn: string;
  /** Samples-table column holding the date the sample is made at (nothing on or after it is used). */
  dateColumn: string;
  /** Rows per window, T. */
  window: number;
  /** The price table the references point into. */
  prices: PriceHistory;
  /** How string dates of the samples table are written (default ISO 8601). */
  dateFormat?: DateFormat;
  /** Fewest observed rows a sample needs to count as present (default 1); fewer gives presence 0. */
  minSteps?: number;
  /** A key the price table lacks: an error naming row, column and key (default), or presence 0. */
  unknownKey?: 'error' | 'absent';
  /** Names the samples table in errors (default "samples"). */
  source?: string;
}

/** Resolved windows of B samples. */
export interface ResolvedWindows {
  /** Row-major `[B, T, F]`, left-padded: the latest row before the date sits at t = T - 1. */
  values: Float32Array;
  /** `[B, T]`: 1 for an observed row, 0 for padding or a row with a null feature. */
  stepMask: Float32Array;
  /** `[B]`: 1 when the sample has at least `minSteps` observed rows, else 0 (its values and mask are all 0). */
  present: Float32Array;
  /** B, T and F. */
  size: number;
  window: number;
  features: number;
}

function checkOptions(o: TimeseriesRefOptions): void {
  if (!Number.isInteger(o.window) || o.window < 1) throw new Error(`timeseries-ref: "window" must be a positive integer, got ${o.window}`);
  const min = o.minSteps ?? 1;
  if (!Number.isInteger(min) || min < 1 || min > o.window) {
    throw new Error(`timeseries-ref: "minSteps" must be an integer in [1, window=${o.window}], got ${min}`);
  }
}

/**
 * Resolves the references of B samples given their key and date cells; `rows` (table rows, for errors) defaults to
 * 0..B-1. A null key or date is an absent sample; an unparsable date or (by default) an unknown key is a DataError
 * naming the row, the column and the value.
 */
export function resolveWindows(keys: readonly CellValue[], dates: readonly CellValue[], options: TimeseriesRefOptions, rows?: readonly number[]): ResolvedWindows {
  checkOptions(options);
  if (keys.length !== dates.length) throw new Error(`timeseries-ref: ${keys.length} keys but ${dates.length} dates`);
  const { prices, window } = options;
  const source = options.source ?? 'samples';
  const format = options.dateFormat ?? 'iso';
  const minSteps = options.minSteps ?? 1;
  const f = prices.numFeatures;
  const size = keys.length;
  const values = new Float32Array(size * window * f); // [B, T, F]
  const stepMask = new Float32Array(size * window); // [B, T]
  const present = new Float32Array(size); // [B]
  const at = (b: number, field: string): { file: string; line: number; field: string } => ({ file: source, line: (rows?.[b] ?? b) + 1, field });
  for (let b = 0; b < size; b++) {
    const key = keys[b] ?? null;
    const date = dates[b] ?? null;
    if (key === null || date === null) continue; // no reference: absent
    if (typeof key !== 'string' && !(typeof key === 'number' && Number.isInteger(key))) {
      throw new DataError(at(b, options.keyColumn), `expected a string or integer key, got ${JSON.stringify(key)}`);
    }
    const keyText = String(key);
    const ms = dateCellToMs(date, format);
    if (ms === null) {
      throw new DataError(at(b, options.dateColumn), `key "${keyText}": expected ${describeDateFormat(format)}, got ${JSON.stringify(date)}`);
    }
    if (!prices.has(keyText)) {
      if (options.unknownKey === 'absent') continue;
      const known = prices.keys();
      throw new DataError(
        at(b, options.keyColumn),
        `key "${keyText}" (date ${new Date(ms).toISOString().slice(0, 10)}) has no rows in ${prices.source} (it has ${known.length} keys: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''})`,
      );
    }
    const found = prices.before(keyText, ms, window);
    const n = found.observed.length;
    const observed = found.observed.reduce((sum, o) => sum + o, 0);
    if (observed < minSteps) continue; // too little history before the date: absent, never zeros posing as data
    const pad = window - n;
    values.set(found.values, (b * window + pad) * f);
    for (let t = 0; t < n; t++) stepMask[b * window + pad + t] = found.observed[t] as number;
    present[b] = 1;
  }
  return { values, stepMask, present, size, window, features: f };
}

/** Resolves the references of a samples table's rows (all rows when `rows` is omitted). */
export function resolveTimeseriesRef(samples: arrow.Table, options: TimeseriesRefOptions, rows?: readonly number[]): ResolvedWindows {
  const all = rows ?? Array.from({ length: samples.numRows }, (_, i) => i);
  return resolveWindows(columnValues(samples, options.keyColumn, all), columnValues(samples, options.dateColumn, all), options, all);
}
