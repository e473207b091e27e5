// A small serialisable tabular preprocessor fitted on training rows: numeric scaling (standard or quantile) and
// category maps whose index 0 is the unknown slot. Its JSON goes into the model directory (preprocessing.json).
import * as tf from '@tensorflow/tfjs';
import type { JsonValue, TabularInput } from '@finmm/core';
import type { FeatureLayout } from './features.js';

/** How numeric features are scaled: z-score, or the empirical CDF mapped to [-1, 1]. */
export type NumericScaling = 'standard' | 'quantile';

/** Raw column values; null, undefined, NaN and '' are missing. */
export type ColumnValues = ReadonlyArray<string | number | boolean | null | undefined>;

/** Raw columns by name. */
export type TabularColumns = Readonly<Record<string, ColumnValues>>;

/** Which columns to use and how. */
export interface TabularPreprocessorSpec {
  /** Numeric columns, in feature order. */
  numeric?: string[];
  /** Categorical columns, in feature order. */
  categorical?: string[];
  /** Numeric scaling; default 'standard'. */
  scaling?: NumericScaling;
  /** Knots of the quantile scaling; default 100. */
  quantiles?: number;
  /** Categories seen fewer times than this in training map to the unknown slot; default 1. */
  minCount?: number;
}

/** Fitted statistics of one numeric column. */
export type NumericStats = { name: string; mean: number; std: number } | { name: string; knots: number[] };

/** The fitted state, as stored in preprocessing.json. */
export interface TabularPreprocessorState {
  kind: 'finmm/tabular-preprocessor';
  version: 1;
  scaling: NumericScaling;
  numeric: NumericStats[];
  /** Known categories of each categorical column; category i has index i + 1. */
  categorical: Array<{ name: string; categories: string[] }>;
}

function isMissing(v: string | number | boolean | null | undefined): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

function column(columns: TabularColumns, name: string, rows: number | null): ColumnValues {
  const values = columns[name];
  if (values === undefined) throw new Error(`tabular preprocessing: column "${name}" is missing`);
  if (rows !== null && values.length !== rows) {
    throw new Error(`tabular preprocessing: column "${name}" has ${values.length} rows, expected ${rows}`);
  }
  return values;
}

function numericValue(v: string | number | boolean | null | undefined, name: string, row: number): number | null {
  if (isMissing(v)) return null;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`tabular preprocessing: column "${name}" row ${row}: ${JSON.stringify(v)} is not a number`);
  return x;
}

/** Knots at evenly spaced quantiles of sorted values (linear interpolation). */
function quantileKnots(sorted: number[], count: number): number[] {
  const k = Math.max(2, Math.min(count, sorted.length));
  return Array.from({ length: k }, (_, i) => {
    const pos = (i / (k - 1)) * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
  });
}

/** The empirical CDF at x from knots, in [0, 1]; ties take the middle of their run of knots. */
function cdf(knots: readonly number[], x: number): number {
  const last = knots.length - 1;
  let lo = 0; // first knot >= x
  while (lo <= last && (knots[lo] as number) < x) lo++;
  let hi = lo - 1; // last knot <= x
  while (hi + 1 <= last && (knots[hi + 1] as number) <= x) hi++;
  if (lo > last) return 1;
  if (hi < 0) return 0;
  if (lo <= hi) return (lo + hi) / 2 / last;
  const a = knots[hi] as number;
  const b = knots[lo] as number;
  return (hi + (x - a) / (b - a)) / last;
}

/**
 * Scales numeric columns and indexes categorical ones with statistics fitted on training rows only.
 * Missing numeric values become 0 (the training mean / median); unseen or missing categories become index 0.
 *
 * ```ts
 * const pre = TabularPreprocessor.fit(trainColumns, { numeric: ['age'], categorical: ['purpose'] });
 * const input = pre.toInput(testColumns); // { numeric [B, 1], categorical [B, 1] }
 * const context = pre.layout();           // { numericFeatures: 1, cardinalities: [k + 1] }
 * ```
 */
export class TabularPreprocessor {
  private constructor(readonly state: TabularPreprocessorState) {}

  /** Fits the scaling and category maps on training columns. */
  static fit(columns: TabularColumns, spec: TabularPreprocessorSpec): TabularPreprocessor {
    const scaling = spec.scaling ?? 'standard';
    const minCount = spec.minCount ?? 1;
    const numeric = (spec.numeric ?? []).map((name): NumericStats => {
      const values = column(columns, name, null)
        .map((v, row) => numericValue(v, name, row))
        .filter((v): v is number => v !== null);
      if (values.length === 0) throw new Error(`tabular preprocessing: column "${name}" has no values to fit`);
      if (scaling === 'quantile') return { name, knots: quantileKnots([...values].sort((a, b) => a - b), spec.quantiles ?? 100) };
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      return { name, mean, std: std > 0 ? std : 1 };
    });
    const categorical = (spec.categorical ?? []).map((name) => {
      const counts = new Map<string, number>();
      for (const v of column(columns, name, null)) if (!isMissing(v)) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const categories = [...counts.entries()]
        .filter(([, c]) => c >= minCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([k]) => k);
      return { name, categories };
    });
    return new TabularPreprocessor({ kind: 'finmm/tabular-preprocessor', version: 1, scaling, numeric, categorical });
  }

  /** Restores a preprocessor from `toJSON()`; errors name the bad field. */
  static fromJSON(raw: unknown): TabularPreprocessor {
    const state = raw as TabularPreprocessorState;
    if (typeof raw !== 'object' || raw === null || state.kind !== 'finmm/tabular-preprocessor') {
      throw new Error('tabular preprocessing: field "kind" must be "finmm/tabular-preprocessor"');
    }
    if (state.version !== 1) throw new Error(`tabular preprocessing: field "version" ${String(state.version)} is not supported`);
    if (!Array.isArray(state.numeric)) throw new Error('tabular preprocessing: field "numeric" must be an array');
    if (!Array.isArray(state.categorical)) throw new Error('tabular preprocessing: field "categorical" must be an array');
    return new TabularPreprocessor(structuredClone(state));
  }

  /** The fitted state as JSON. */
  toJSON(): JsonValue {
    return structuredClone(this.state) as unknown as JsonValue;
  }

  /** Feature counts for the encoder's build context (cardinalities include the unknown slot). */
  layout(): FeatureLayout {
    return { numericFeatures: this.state.numeric.length, cardinalities: this.state.categorical.map((c) => c.categories.length + 1) };
  }

  /** Transforms columns to row-major arrays: numeric `[rows * Fn]`, categorical indices `[rows * Fc]`. */
  transform(columns: TabularColumns): { rows: number; numeric: Float32Array; categorical: Int32Array } {
    const first = [...this.state.numeric, ...this.state.categorical][0];
    const rows = first === undefined ? 0 : column(columns, first.name, null).length;
    const fn = this.state.numeric.length;
    const fc = this.state.categorical.length;
    const numeric = new Float32Array(rows * fn);
    this.state.numeric.forEach((stats, j) => {
      const values = column(columns, stats.name, rows);
      for (let i = 0; i < rows; i++) {
        const x = numericValue(values[i], stats.name, i);
        if (x === null) continue;
        numeric[i * fn + j] = 'knots' in stats ? 2 * cdf(stats.knots, x) - 1 : (x - stats.mean) / stats.std;
      }
    });
    const categorical = new Int32Array(rows * fc);
    this.state.categorical.forEach((cat, j) => {
      const index = new Map(cat.categories.map((c, i) => [c, i + 1]));
      const values = column(columns, cat.name, rows);
      for (let i = 0; i < rows; i++) {
        const v = values[i];
        categorical[i * fc + j] = isMissing(v) ? 0 : (index.get(String(v)) ?? 0);
      }
    });
    return { rows, numeric, categorical };
  }

  /** Transforms columns to the tensors of core's TabularInput. */
  toInput(columns: TabularColumns): TabularInput {
    const { rows, numeric, categorical } = this.transform(columns);
    const fn = this.state.numeric.length;
    const fc = this.state.categorical.length;
    return {
      ...(fn > 0 ? { numeric: tf.tensor2d(numeric, [rows, fn], 'float32') } : {}),
      ...(fc > 0 ? { categorical: tf.tensor2d(categorical, [rows, fc], 'int32') } : {}),
    };
  }
}
