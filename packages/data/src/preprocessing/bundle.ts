// The fitted preprocessing of a dataset (scalers, category maps, label classes), fitted on training rows only
// and saved with the model as preprocessing.json.
import type { JsonValue } from '@finmm/core';
import type * as arrow from 'apache-arrow';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../arrow-io.js';
import type { DatasetSchema } from '../schema.js';
import { columnValues, type CellValue } from '../table-access.js';
import { CategoryMap } from './category-map.js';
import { QuantileNormalizer } from './quantile-normalizer.js';
import { StandardScaler } from './standard-scaler.js';

/** A fitted per-column numeric transform. */
export type NumericTransform = StandardScaler | QuantileNormalizer;
/** Any fitted per-column transform. */
export type ColumnTransform = NumericTransform | CategoryMap;

/** The file name a bundle is saved under in a model directory. */
export const PREPROCESSING_FILE = 'preprocessing.json';

/** How `Preprocessing.fit` treats columns. */
export interface PreprocessingOptions {
  /** Numeric columns: standardise (default) or map to quantiles. */
  numeric?: 'standard' | 'quantile';
  /** Reference points of quantile normalisers (default 1000). */
  quantiles?: number;
  /** Categories seen fewer times in training map to the unknown slot (default 1). */
  minCount?: number;
  /** At most this many categories per column (the most frequent), the rest unknown. */
  maxCategories?: number;
}

const bundleSchema = z.object({
  version: z.literal(1),
  columns: z.record(z.string(), z.object({ kind: z.enum(['standard', 'quantile', 'category']) }).loose()),
  labelClasses: z.record(z.string(), z.array(z.string())),
  extra: z.record(z.string(), z.json()),
});
/** The JSON form of a bundle. */
export type PreprocessingJson = z.infer<typeof bundleSchema>;

function numericValue(value: CellValue, column: string): number | null {
  if (value === null || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new Error(`numeric column "${column}" holds a ${typeof value} value; expected numbers`);
}

function categoryValue(value: CellValue, column: string): string | number | boolean | null {
  if (Array.isArray(value)) throw new Error(`categorical column "${column}" holds a list; expected single values`);
  return value;
}

/** Per-column transforms and label classes, fitted on training rows and applied unchanged to every split. */
export class Preprocessing {
  constructor(
    readonly columns: Readonly<Record<string, ColumnTransform>>,
    /** Class names per task, in index order. */
    readonly labelClasses: Readonly<Record<string, readonly string[]>>,
    /** Anything else fitted on training rows that the model needs again (e.g. a text vocabulary). */
    readonly extra: Readonly<Record<string, JsonValue>> = {},
  ) {}

  /**
   * Fits a numeric transform per `numeric` column, a CategoryMap per `categorical` column and the class list of
   * each classification label (the schema's `classes`, else the sorted training values), using `trainRows` only.
   */
  static fit(table: arrow.Table, schema: DatasetSchema, trainRows: readonly number[], options: PreprocessingOptions = {}): Preprocessing {
    if (trainRows.length === 0) throw new Error('Preprocessing.fit: no training rows');
    const columns: Record<string, ColumnTransform> = {};
    const labelClasses: Record<string, string[]> = {};
    for (const [name, role] of Object.entries(schema.columns)) {
      if (role.role === 'numeric') {
        const values = columnValues(table, name, trainRows).map((v) => numericValue(v, name));
        columns[name] = options.numeric === 'quantile' ? QuantileNormalizer.fit(values, options.quantiles) : StandardScaler.fit(values);
      } else if (role.role === 'categorical') {
        const values = columnValues(table, name, trainRows).map((v) => categoryValue(v, name));
        columns[name] = CategoryMap.fit(values, { minCount: options.minCount, maxSize: options.maxCategories });
      } else if (role.role === 'label' && role.kind !== 'regression') {
        if (labelClasses[role.task] !== undefined) throw new Error(`two label columns for task "${role.task}"`);
        labelClasses[role.task] =
          role.classes ??
          [...new Set(columnValues(table, name, trainRows).flatMap((v) => (v === null ? [] : [String(categoryValue(v, name))])))].sort();
      }
    }
    return new Preprocessing(columns, labelClasses);
  }

  /** A copy with extra fitted state (e.g. a vocabulary) added under `key`. */
  withExtra(key: string, value: JsonValue): Preprocessing {
    return new Preprocessing(this.columns, this.labelClasses, { ...this.extra, [key]: value });
  }

  /** The numeric transform of a column, or an error naming it. */
  numeric(column: string): NumericTransform {
    const t = this.columns[column];
    if (t instanceof StandardScaler || t instanceof QuantileNormalizer) return t;
    throw new Error(`no numeric transform fitted for column "${column}"`);
  }

  /** The category map of a column, or an error naming it. */
  categorical(column: string): CategoryMap {
    const t = this.columns[column];
    if (t instanceof CategoryMap) return t;
    throw new Error(`no category map fitted for column "${column}"`);
  }

  /** The JSON form saved as preprocessing.json. */
  toJSON(): PreprocessingJson {
    const columns: PreprocessingJson['columns'] = {};
    for (const [name, t] of Object.entries(this.columns)) columns[name] = t.toJSON();
    const labelClasses: Record<string, string[]> = {};
    for (const [task, classes] of Object.entries(this.labelClasses)) labelClasses[task] = [...classes];
    return { version: 1, columns, labelClasses, extra: { ...this.extra } };
  }

  /** Restores a bundle from its JSON form; `source` names it in errors. */
  static fromJSON(json: unknown, source = PREPROCESSING_FILE): Preprocessing {
    const parsed = bundleSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${source}: field "${(issue?.path ?? []).join('.')}": ${issue?.message ?? 'invalid'}`);
    }
    const columns: Record<string, ColumnTransform> = {};
    for (const [name, t] of Object.entries(parsed.data.columns)) {
      try {
        columns[name] = t.kind === 'standard' ? StandardScaler.fromJSON(t) : t.kind === 'quantile' ? QuantileNormalizer.fromJSON(t) : CategoryMap.fromJSON(t);
      } catch (error) {
        throw new Error(`${source}: field "columns.${name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return new Preprocessing(columns, parsed.data.labelClasses, parsed.data.extra as Record<string, JsonValue>);
  }

  /** Writes `<dir>/preprocessing.json` atomically. */
  async save(dir: string): Promise<string> {
    const file = path.join(dir, PREPROCESSING_FILE);
    await writeFileAtomic(file, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
    return file;
  }

  /** Reads `<dir>/preprocessing.json`. */
  static async load(dir: string): Promise<Preprocessing> {
    const file = path.join(dir, PREPROCESSING_FILE);
    let json: unknown;
    try {
      json = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return Preprocessing.fromJSON(json, file);
  }
}
