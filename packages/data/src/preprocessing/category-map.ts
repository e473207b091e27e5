// Maps category values to indices 1..K fitted on the training rows; 0 is the slot for unseen values and null.
import { z } from 'zod';

const jsonSchema = z.object({
  kind: z.literal('category'),
  /** Category keys in index order: values[0] has index 1. */
  values: z.array(z.string()),
});
export type CategoryMapJson = z.infer<typeof jsonSchema>;

/** A category value as stored in a table. */
export type CategoryValue = string | number | boolean | null;

/** The index of each category seen in training (1..K, most frequent first); unseen values and null map to 0. */
export class CategoryMap {
  private readonly index: Map<string, number>;

  private constructor(readonly values: readonly string[]) {
    this.index = new Map(values.map((v, i) => [v, i + 1]));
  }

  /** The key a value is stored under (numbers and booleans by their text). */
  static key(value: Exclude<CategoryValue, null>): string {
    return String(value);
  }

  /** Fits on the training rows' values; values seen fewer than `minCount` times, and those past `maxSize`, stay unknown. */
  static fit(trainValues: Iterable<CategoryValue>, options: { minCount?: number; maxSize?: number } = {}): CategoryMap {
    const counts = new Map<string, number>();
    for (const v of trainValues) {
      if (v === null) continue;
      const key = CategoryMap.key(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const minCount = options.minCount ?? 1;
    const kept = [...counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, options.maxSize ?? Number.POSITIVE_INFINITY)
      .map(([k]) => k);
    return new CategoryMap(kept);
  }

  /** Number of slots including the unknown slot 0 (an embedding table needs this many rows). */
  get size(): number {
    return this.values.length + 1;
  }

  /** The index of a value: 1..K when seen in training, 0 when unseen or null. */
  transform(value: CategoryValue): number {
    return value === null ? 0 : (this.index.get(CategoryMap.key(value)) ?? 0);
  }

  /** A JSON description to save with the model. */
  toJSON(): CategoryMapJson {
    return { kind: 'category', values: [...this.values] };
  }

  /** Restores a map saved by `toJSON`. */
  static fromJSON(json: unknown): CategoryMap {
    const parsed = jsonSchema.parse(json);
    if (new Set(parsed.values).size !== parsed.values.length) throw new Error('CategoryMap: duplicate values');
    return new CategoryMap(parsed.values);
  }
}
