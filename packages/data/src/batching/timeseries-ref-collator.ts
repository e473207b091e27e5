// A collator filling `inputs.timeseries` from `timeseries-ref` columns: price windows looked up by key and date.
import * as tf from '@tensorflow/tfjs';
import type { DatasetSchema } from '../schema.js';
import type { PriceHistory } from '../timeseries-ref/price-history.js';
import { resolveWindows, type TimeseriesRefOptions } from '../timeseries-ref/resolve.js';
import type { Collator } from './collator.js';

/**
 * The `window` price rows strictly before each sample's date, for the sample's key: values `[B, T, F]`, step mask
 * `[B, T]` (left-padded; a row with a null feature is masked) and presence `[B]` (0 for a null key or date, or
 * fewer than `minSteps` rows of history). Unknown keys and unparsable dates are errors naming row, column and value.
 */
export function timeseriesRefCollator(options: TimeseriesRefOptions): Collator<'timeseries'> {
  if (!Number.isInteger(options.window) || options.window < 1) {
    throw new Error(`timeseriesRefCollator: "window" must be a positive integer, got ${options.window}`);
  }
  return {
    modality: 'timeseries',
    columns: [options.keyColumn, options.dateColumn],
    collate(context) {
      const keys = context.values[options.keyColumn];
      const dates = context.values[options.dateColumn];
      if (keys === undefined || dates === undefined) {
        throw new Error(`timeseriesRefCollator: columns "${options.keyColumn}" and "${options.dateColumn}" must be provided`);
      }
      const r = resolveWindows(keys, dates, options, context.rows);
      return {
        input: {
          values: tf.tensor3d(r.values, [r.size, r.window, r.features], 'float32'), // [B, T, F]
          stepMask: tf.tensor2d(r.stepMask, [r.size, r.window], 'float32'), // [B, T]
        },
        present: tf.tensor1d(r.present, 'float32'),
      };
    },
  };
}

/** Options of `timeseriesRefCollatorFor`, beyond what the schema column says. */
export type SchemaRefOptions = Omit<TimeseriesRefOptions, 'keyColumn' | 'dateColumn' | 'window' | 'prices'> & {
  /** Price tables by the name a `timeseries-ref` role gives in `table`. */
  tables: Readonly<Record<string, PriceHistory>>;
};

/** The collator of the schema's `timeseries-ref` column `column`, its price table looked up by name in `tables`. */
export function timeseriesRefCollatorFor(schema: DatasetSchema, column: string, options: SchemaRefOptions): Collator<'timeseries'> {
  const role = schema.columns[column];
  if (role === undefined || role.role !== 'timeseries-ref') {
    throw new Error(`schema "${schema.name}": column "${column}" is ${role === undefined ? 'not in the schema' : `a "${role.role}" column`}, not a timeseries-ref`);
  }
  const prices = options.tables[role.table];
  if (prices === undefined) {
    throw new Error(`schema "${schema.name}" column "${column}": price table "${role.table}" was not given (given: ${Object.keys(options.tables).join(', ') || 'none'})`);
  }
  if (role.features !== undefined) {
    const same = role.features.length === prices.features.length && role.features.every((f, i) => f === prices.features[i]);
    if (!same) {
      throw new Error(`schema "${schema.name}" column "${column}": expects features [${role.features.join(', ')}] but price table "${role.table}" has [${prices.features.join(', ')}]`);
    }
  }
  const { tables: _tables, ...rest } = options;
  return timeseriesRefCollator({ ...rest, source: options.source ?? schema.name, keyColumn: role.keyColumn, dateColumn: role.dateColumn, window: role.window, prices });
}
