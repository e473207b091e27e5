// Standardises a numeric column to zero mean and unit variance, with statistics fitted on training rows only.
import { z } from 'zod';

const jsonSchema = z.object({
  kind: z.literal('standard'),
  mean: z.number(),
  std: z.number().positive(),
  count: z.number().int().nonnegative(),
});
export type StandardScalerJson = z.infer<typeof jsonSchema>;

function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`${what}: expected a finite number, got ${value}`);
  return value;
}

/** (x - mean) / std with mean and std of the training values (std 1 for a constant column). */
export class StandardScaler {
  private constructor(
    readonly mean: number,
    readonly std: number,
    readonly count: number,
  ) {}

  /** Fits on the training rows' values; nulls are ignored, NaN or Infinity is an error. */
  static fit(trainValues: Iterable<number | null>): StandardScaler {
    let count = 0;
    let mean = 0;
    let m2 = 0;
    for (const v of trainValues) {
      if (v === null) continue;
      finite(v, 'StandardScaler.fit');
      count += 1;
      const delta = v - mean; // Welford: numerically stable running variance
      mean += delta / count;
      m2 += delta * (v - mean);
    }
    if (count === 0) throw new Error('StandardScaler.fit: no non-null training values');
    const std = Math.sqrt(m2 / count);
    return new StandardScaler(mean, std > 1e-12 ? std : 1, count);
  }

  /** The standardised value. */
  transform(value: number): number {
    return (finite(value, 'StandardScaler.transform') - this.mean) / this.std;
  }

  /** The value before standardisation. */
  inverse(value: number): number {
    return value * this.std + this.mean;
  }

  /** A JSON description to save with the model. */
  toJSON(): StandardScalerJson {
    return { kind: 'standard', mean: this.mean, std: this.std, count: this.count };
  }

  /** Restores a scaler saved by `toJSON`. */
  static fromJSON(json: unknown): StandardScaler {
    const parsed = jsonSchema.parse(json);
    return new StandardScaler(parsed.mean, parsed.std, parsed.count);
  }
}
