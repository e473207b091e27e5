// Maps a numeric column to [0, 1] by its empirical distribution on the training rows (robust to outliers).
import { z } from 'zod';

const jsonSchema = z.object({
  kind: z.literal('quantile'),
  /** Ascending reference values at evenly spaced quantiles 0..1. */
  references: z.array(z.number()).min(1),
});
export type QuantileNormalizerJson = z.infer<typeof jsonSchema>;

/** The empirical CDF of the training values, interpolated between `nQuantiles` reference points. */
export class QuantileNormalizer {
  private constructor(readonly references: readonly number[]) {}

  /** Fits on the training rows' values (nulls ignored, NaN or Infinity is an error). */
  static fit(trainValues: Iterable<number | null>, nQuantiles = 1000): QuantileNormalizer {
    const values: number[] = [];
    for (const v of trainValues) {
      if (v === null) continue;
      if (!Number.isFinite(v)) throw new Error(`QuantileNormalizer.fit: expected a finite number, got ${v}`);
      values.push(v);
    }
    if (values.length === 0) throw new Error('QuantileNormalizer.fit: no non-null training values');
    values.sort((a, b) => a - b);
    const n = Math.max(2, Math.min(nQuantiles, values.length));
    const references = Array.from({ length: n }, (_, i) => {
      const pos = (i / (n - 1)) * (values.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.min(values.length - 1, lo + 1);
      return (values[lo] ?? 0) + ((values[hi] ?? 0) - (values[lo] ?? 0)) * (pos - lo);
    });
    return new QuantileNormalizer(references);
  }

  /** The value's position in the training distribution, in [0, 1] (clipped outside the training range). */
  transform(value: number): number {
    if (!Number.isFinite(value)) throw new Error(`QuantileNormalizer.transform: expected a finite number, got ${value}`);
    const refs = this.references;
    const n = refs.length;
    if (n === 1 || value <= (refs[0] ?? 0)) return n === 1 ? 0.5 : 0;
    if (value >= (refs[n - 1] ?? 0)) return 1;
    // first index with refs[i] > value, and first with refs[i] >= value: ties take the middle of their range
    const upper = this.search((r) => r > value);
    const lower = this.search((r) => r >= value);
    const interpolate = (i: number): number => {
      const a = refs[i - 1] ?? 0;
      const b = refs[i] ?? 0;
      return (i - 1 + (b > a ? (value - a) / (b - a) : 0)) / (n - 1);
    };
    return (interpolate(upper) + interpolate(lower)) / 2;
  }

  /** The training value at quantile `q` in [0, 1] (interpolated between reference points). */
  inverse(q: number): number {
    const refs = this.references;
    const pos = Math.min(1, Math.max(0, q)) * (refs.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(refs.length - 1, lo + 1);
    return (refs[lo] ?? 0) + ((refs[hi] ?? 0) - (refs[lo] ?? 0)) * (pos - lo);
  }

  private search(past: (ref: number) => boolean): number {
    let lo = 1;
    let hi = this.references.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (past(this.references[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A JSON description to save with the model. */
  toJSON(): QuantileNormalizerJson {
    return { kind: 'quantile', references: [...this.references] };
  }

  /** Restores a normaliser saved by `toJSON`. */
  static fromJSON(json: unknown): QuantileNormalizer {
    const parsed = jsonSchema.parse(json);
    for (let i = 1; i < parsed.references.length; i++) {
      if ((parsed.references[i] ?? 0) < (parsed.references[i - 1] ?? 0)) throw new Error('QuantileNormalizer: references must ascend');
    }
    return new QuantileNormalizer(parsed.references);
  }
}
