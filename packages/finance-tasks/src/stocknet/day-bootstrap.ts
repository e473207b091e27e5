// Day-clustered bootstrap of accuracy and MCC for binary predictions. Stocks move together on a day, so the
// samples of one day are not independent: the bootstrap resamples whole days with replacement (seeded) and reads a
// percentile interval; differences between predictors are paired (the same resampled days for both).
import { Rng } from '@finmm/core';

/** Counts of a binary confusion matrix (1 = positive). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** The confusion counts of 0/1 predictions against 0/1 labels. */
export function confusionOf(yTrue: readonly number[], yPred: readonly number[]): Confusion {
  if (yTrue.length !== yPred.length) throw new Error(`confusionOf: ${yTrue.length} labels but ${yPred.length} predictions`);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  yTrue.forEach((y, i) => addSample(c, y, yPred[i] as number, i));
  return c;
}

function addSample(c: Confusion, y: number, p: number, index: number): void {
  if ((y !== 0 && y !== 1) || (p !== 0 && p !== 1)) throw new Error(`sample ${index}: label ${y} and prediction ${p} must be 0 or 1`);
  if (p === 1) {
    if (y === 1) c.tp++;
    else c.fp++;
  } else if (y === 0) c.tn++;
  else c.fn++;
}

/** Accuracy of a confusion matrix (NaN when empty). */
export function accuracyOf(c: Confusion): number {
  const n = c.tp + c.fp + c.tn + c.fn;
  return n === 0 ? Number.NaN : (c.tp + c.tn) / n;
}

/** Matthews correlation coefficient; 0 when a row or column of the matrix is empty (as scikit-learn). */
export function mccOf(c: Confusion): number {
  const denominator = Math.sqrt((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn));
  return denominator === 0 ? 0 : (c.tp * c.tn - c.fp * c.fn) / denominator;
}

/** A point estimate (on the data as given) and its bootstrap percentile interval. */
export interface BootstrapInterval {
  estimate: number;
  low: number;
  high: number;
}

/** Options of `dayBootstrap`. */
export interface DayBootstrapOptions {
  /** Resamples of the days; default 2,000. */
  resamples?: number;
  /** Seed of the resampling; default 0. */
  seed?: number;
  /** Coverage of the interval; default 0.95. */
  level?: number;
}

/** What `dayBootstrap` resamples: every sample's day and label, and the 0/1 predictions of each predictor. */
export interface DayBootstrapInput {
  days: readonly string[];
  yTrue: readonly number[];
  /** Predictions per predictor name, aligned with `yTrue`. */
  predictions: Readonly<Record<string, readonly number[]>>;
  /** Paired differences to report, `[a, b]` meaning a minus b. */
  pairs?: ReadonlyArray<readonly [string, string]>;
}

/** Accuracy and MCC with intervals. */
export interface MetricIntervals {
  accuracy: BootstrapInterval;
  mcc: BootstrapInterval;
}

/** What `dayBootstrap` returns. */
export interface DayBootstrapResult {
  /** Distinct days (the clusters) and samples. */
  days: number;
  samples: number;
  resamples: number;
  seed: number;
  level: number;
  metrics: Record<string, MetricIntervals>;
  /** Per pair, the interval of metric(a) - metric(b) over the same resampled days. */
  differences: Array<{ a: string; b: string } & MetricIntervals>;
}

/** The q-quantile of sorted values with linear interpolation (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: no values');
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

function interval(estimate: number, draws: Float64Array, level: number): BootstrapInterval {
  const sorted = Float64Array.from(draws).sort();
  const tail = (1 - level) / 2;
  return { estimate, low: quantileSorted(sorted, tail), high: quantileSorted(sorted, 1 - tail) };
}

/**
 * Resamples whole days with replacement `resamples` times (seeded) and gives, per predictor, accuracy and MCC with
 * percentile intervals, and for each pair the interval of the paired difference. Per-day confusion counts are
 * summed, so a resample costs O(days) per predictor.
 */
export function dayBootstrap(input: DayBootstrapInput, options: DayBootstrapOptions = {}): DayBootstrapResult {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`dayBootstrap: option "resamples" must be an integer >= 1, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new Error(`dayBootstrap: option "level" must be in (0, 1), got ${level}`);
  const n = input.yTrue.length;
  if (n === 0) throw new Error('dayBootstrap: no samples');
  if (input.days.length !== n) throw new Error(`dayBootstrap: ${input.days.length} days for ${n} labels`);
  const names = Object.keys(input.predictions);
  if (names.length === 0) throw new Error('dayBootstrap: no predictions');
  const dayList = [...new Set(input.days)].sort();
  const dayIndex = new Map(dayList.map((d, i) => [d, i]));
  // perDay[p][d]: confusion counts of predictor p on day d
  const perDay = names.map((name) => {
    const pred = input.predictions[name] as readonly number[];
    if (pred.length !== n) throw new Error(`dayBootstrap: predictor "${name}" has ${pred.length} predictions for ${n} labels`);
    const counts = dayList.map((): Confusion => ({ tp: 0, fp: 0, tn: 0, fn: 0 }));
    input.yTrue.forEach((y, i) => addSample(counts[dayIndex.get(input.days[i] as string) as number] as Confusion, y, pred[i] as number, i));
    return counts;
  });
  const totals = perDay.map((counts) => counts.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, tn: a.tn + c.tn, fn: a.fn + c.fn }), { tp: 0, fp: 0, tn: 0, fn: 0 }));
  const accDraws = names.map(() => new Float64Array(resamples));
  const mccDraws = names.map(() => new Float64Array(resamples));
  const rng = Rng.fromSeed(seed);
  const picks = new Int32Array(dayList.length);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < picks.length; k++) picks[k] = rng.int(0, dayList.length - 1);
    perDay.forEach((counts, p) => {
      const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
      for (const d of picks) {
        const day = counts[d] as Confusion;
        c.tp += day.tp;
        c.fp += day.fp;
        c.tn += day.tn;
        c.fn += day.fn;
      }
      (accDraws[p] as Float64Array)[r] = accuracyOf(c);
      (mccDraws[p] as Float64Array)[r] = mccOf(c);
    });
  }
  const metrics: Record<string, MetricIntervals> = {};
  names.forEach((name, p) => {
    const total = totals[p] as Confusion;
    metrics[name] = { accuracy: interval(accuracyOf(total), accDraws[p] as Float64Array, level), mcc: interval(mccOf(total), mccDraws[p] as Float64Array, level) };
  });
  const differences = (input.pairs ?? []).map(([a, b]) => {
    const ia = names.indexOf(a);
    const ib = names.indexOf(b);
    if (ia < 0 || ib < 0) throw new Error(`dayBootstrap: pair [${a}, ${b}] names a predictor that is not given (${names.join(', ')})`);
    const diff = (draws: Float64Array[]): Float64Array => (draws[ia] as Float64Array).map((v, r) => v - ((draws[ib] as Float64Array)[r] as number));
    const ma = metrics[a] as MetricIntervals;
    const mb = metrics[b] as MetricIntervals;
    return {
      a,
      b,
      accuracy: interval(ma.accuracy.estimate - mb.accuracy.estimate, diff(accDraws), level),
      mcc: interval(ma.mcc.estimate - mb.mcc.estimate, diff(mccDraws), level),
    };
  });
  return { days: dayList.length, samples: n, resamples, seed, level, metrics, differences };
}
