// Windows of N trading days ending strictly before each target date, cut from a feature table, with a step mask.
import * as tf from '@tensorflow/tfjs';
import type { TimeseriesInput } from '@finmm/core';
import type { FeatureTable } from './features.js';

/** Options of `windowsBefore`. */
export interface WindowOptions {
  /** Trading days per window, N; the window holds the N days before the target date. */
  days: number;
  /**
   * Fewest observed days a window may have; default `days`. A window with fewer days of history (start of the
   * series, or days before `firstValid`) is left-padded with zeros whose step mask is 0.
   */
  minDays?: number;
}

/** Samples cut by `windowsBefore`. */
export interface Windows {
  /** Row-major `[S, N, F]`. */
  values: Float32Array;
  /** `[S, N]`: 1 for an observed day, 0 for padding. */
  mask: Float32Array;
  /** Windows S, days N and features F. */
  count: number;
  days: number;
  features: number;
  /** For each window, the index of its target date in the `targetDates` given. */
  targetIndex: number[];
  /** Target dates that got no window (too little history), with their index and reason. */
  skipped: Array<{ index: number; date: string; reason: string }>;
}

/** Index of the first table row whose date is >= `date` (binary search; dates increase). */
function firstRowAtOrAfter(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((dates[mid] as string) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each target date d, the `days` rows with date < d (never d itself), oldest first. The target date need not
 * be a trading day in the table. Rows before `table.firstValid` count as missing history.
 */
export function windowsBefore(table: FeatureTable, targetDates: readonly string[], options: WindowOptions): Windows {
  const { days } = options;
  const minDays = options.minDays ?? days;
  if (!Number.isInteger(days) || days < 1) throw new Error(`windowsBefore: option "days" must be an integer >= 1, got ${days}`);
  if (!Number.isInteger(minDays) || minDays < 1 || minDays > days) {
    throw new Error(`windowsBefore: option "minDays" must be an integer in [1, days=${days}], got ${minDays}`);
  }
  const f = table.names.length;
  const kept: Array<{ index: number; end: number; observed: number }> = [];
  const skipped: Windows['skipped'] = [];
  targetDates.forEach((date, index) => {
    const end = firstRowAtOrAfter(table.dates, date); // rows [end - days, end) lie before the target date
    const observed = Math.min(days, end - table.firstValid);
    if (observed < minDays) {
      skipped.push({ index, date, reason: `only ${Math.max(observed, 0)} valid trading days before ${date}, need ${minDays}` });
    } else {
      kept.push({ index, end, observed });
    }
  });
  const values = new Float32Array(kept.length * days * f);
  const mask = new Float32Array(kept.length * days);
  kept.forEach(({ end, observed }, s) => {
    const pad = days - observed;
    values.set(table.values.subarray((end - observed) * f, end * f), (s * days + pad) * f);
    mask.fill(1, s * days + pad, (s + 1) * days);
  });
  return { values, mask, count: kept.length, days, features: f, targetIndex: kept.map((k) => k.index), skipped };
}

/** Tensors of windows for an encoder: values `[S, N, F]` and stepMask `[S, N]` (caller disposes). */
export function windowsToInput(windows: Pick<Windows, 'values' | 'mask' | 'count' | 'days' | 'features'>): TimeseriesInput {
  return {
    values: tf.tensor3d(windows.values, [windows.count, windows.days, windows.features]),
    stepMask: tf.tensor2d(windows.mask, [windows.count, windows.days]),
  };
}
