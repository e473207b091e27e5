// Ready collators: text (via a core TextTokenizer), tabular (after preprocessing), list-of-list timeseries, pixels.
import type { TextTokenizer } from '@finmm/core';
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../preprocessing/bundle.js';
import type { CellValue } from '../table-access.js';
import type { CollateContext, Collator } from './collator.js';
import { padSequences } from './pad.js';

function valuesOf(context: CollateContext, column: string): readonly CellValue[] {
  const values = context.values[column];
  if (values === undefined) throw new Error(`collator: column "${column}" was not provided`);
  return values;
}

function where(context: CollateContext, b: number, column: string): string {
  return `row ${context.rows[b] ?? b}, column "${column}"`;
}

/** Text from a string column (or a list of strings, joined with `joinWith`): ids and attention mask `[B, maxLen]`. */
export function textCollator(options: {
  column: string;
  tokenizer: TextTokenizer;
  maxLen: number;
  truncate?: 'right' | 'left';
  joinWith?: string;
}): Collator<'text'> {
  const { column, tokenizer, maxLen } = options;
  return {
    modality: 'text',
    columns: [column],
    collate(context) {
      const values = valuesOf(context, column);
      const present = new Float32Array(values.length);
      const seqs = values.map((v, b) => {
        if (v === null) return [];
        let text: string;
        if (typeof v === 'string') text = v;
        else if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) text = v.join(options.joinWith ?? ' ');
        else throw new Error(`textCollator: ${where(context, b, column)}: expected a string or a list of strings, got ${JSON.stringify(v)}`);
        present[b] = 1;
        return tokenizer.encode(text);
      });
      const { ids, mask } = padSequences(seqs, maxLen, tokenizer.padId, options.truncate ?? 'right');
      return {
        input: {
          ids: tf.tensor2d(ids, [values.length, maxLen], 'int32'), // [B, T]
          attentionMask: tf.tensor2d(mask, [values.length, maxLen], 'float32'), // [B, T]
        },
        present: tf.tensor1d(present, 'float32'),
      };
    },
  };
}

/**
 * Tabular features through the fitted preprocessing: numeric columns `[B, Fn]` (float32) and category indices
 * `[B, Fc]` (int32, 0 = unknown or null). A null numeric value marks the sample's tabular modality absent
 * (`missing: 'absent'`, the default) or is an error (`missing: 'error'`); it never becomes a silent 0.
 */
export function tabularCollator(options: {
  numeric?: readonly string[];
  categorical?: readonly string[];
  preprocessing: Preprocessing;
  missing?: 'absent' | 'error';
}): Collator<'tabular'> {
  const numeric = options.numeric ?? [];
  const categorical = options.categorical ?? [];
  if (numeric.length + categorical.length === 0) throw new Error('tabularCollator: no columns');
  const scalers = numeric.map((c) => options.preprocessing.numeric(c));
  const maps = categorical.map((c) => options.preprocessing.categorical(c));
  return {
    modality: 'tabular',
    columns: [...numeric, ...categorical],
    collate(context) {
      const size = context.rows.length;
      const present = new Float32Array(size).fill(1);
      const num = new Float32Array(size * numeric.length); // [B, Fn]
      const cat = new Int32Array(size * categorical.length); // [B, Fc]
      numeric.forEach((column, f) => {
        const values = valuesOf(context, column);
        const scaler = scalers[f];
        for (let b = 0; b < size; b++) {
          const v = values[b];
          if (v === null || v === undefined) {
            if (options.missing === 'error') throw new Error(`tabularCollator: ${where(context, b, column)}: missing value`);
            present[b] = 0;
            continue;
          }
          const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
          if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`tabularCollator: ${where(context, b, column)}: expected a finite number, got ${JSON.stringify(v)}`);
          num[b * numeric.length + f] = scaler?.transform(x) ?? x;
        }
      });
      categorical.forEach((column, f) => {
        const values = valuesOf(context, column);
        const map = maps[f];
        for (let b = 0; b < size; b++) {
          const v = values[b] ?? null;
          if (Array.isArray(v)) throw new Error(`tabularCollator: ${where(context, b, column)}: expected a single category, got a list`);
          cat[b * categorical.length + f] = map?.transform(v) ?? 0;
        }
      });
      for (let b = 0; b < size; b++) {
        if (present[b] === 0) num.fill(0, b * numeric.length, (b + 1) * numeric.length); // absent: values unused
      }
      return {
        input: {
          ...(numeric.length > 0 ? { numeric: tf.tensor2d(num, [size, numeric.length], 'float32') } : {}), // [B, Fn]
          ...(categorical.length > 0 ? { categorical: tf.tensor2d(cat, [size, categorical.length], 'int32') } : {}), // [B, Fc]
        },
        present: tf.tensor1d(present, 'float32'),
      };
    },
  };
}

/**
 * A sequence column (list<number> = one feature, list<list<number>> = `[T, F]`) as values `[B, maxLen, F]` and a
 * step mask `[B, maxLen]`; longer sequences keep their last `maxLen` steps (`truncate: 'left'`, the default).
 * Null rows are absent; null steps are masked out; NaN is an error.
 */
export function timeseriesCollator(options: { column: string; maxLen: number; features: number; truncate?: 'right' | 'left' }): Collator<'timeseries'> {
  const { column, maxLen, features } = options;
  if (!Number.isInteger(maxLen) || maxLen < 1 || !Number.isInteger(features) || features < 1) {
    throw new Error(`timeseriesCollator: maxLen and features must be positive integers, got ${maxLen} and ${features}`);
  }
  return {
    modality: 'timeseries',
    columns: [column],
    collate(context) {
      const values = valuesOf(context, column);
      const size = values.length;
      const out = new Float32Array(size * maxLen * features); // [B, T, F]
      const stepMask = new Float32Array(size * maxLen); // [B, T]
      const present = new Float32Array(size);
      values.forEach((v, b) => {
        if (v === null) return;
        if (!Array.isArray(v)) throw new Error(`timeseriesCollator: ${where(context, b, column)}: expected a list, got ${JSON.stringify(v)}`);
        present[b] = 1;
        const keep = Math.min(v.length, maxLen);
        const from = (options.truncate ?? 'left') === 'left' ? v.length - keep : 0;
        for (let t = 0; t < keep; t++) {
          const step = v[from + t] ?? null;
          if (step === null) continue; // a missing step: masked out
          const row = Array.isArray(step) ? step : [step];
          if (row.length !== features) {
            throw new Error(`timeseriesCollator: ${where(context, b, column)}: step ${from + t} has ${row.length} features, expected ${features}`);
          }
          row.forEach((x, f) => {
            if (typeof x !== 'number' || !Number.isFinite(x)) {
              throw new Error(`timeseriesCollator: ${where(context, b, column)}: step ${from + t} feature ${f} is ${JSON.stringify(x)}, expected a finite number`);
            }
            out[(b * maxLen + t) * features + f] = x;
          });
          stepMask[b * maxLen + t] = 1;
        }
      });
      return {
        input: {
          values: tf.tensor3d(out, [size, maxLen, features], 'float32'), // [B, T, F]
          stepMask: tf.tensor2d(stepMask, [size, maxLen], 'float32'), // [B, T]
        },
        present: tf.tensor1d(present, 'float32'),
      };
    },
  };
}

/** In-memory pixels (a list<number> of `height * width * channels` values, channels last) as `[B, H, W, C]`; null rows are absent. */
export function pixelCollator(options: { column: string; height: number; width: number; channels: number; scale?: number }): Collator<'image'> {
  const { column, height, width, channels } = options;
  const per = height * width * channels;
  return {
    modality: 'image',
    columns: [column],
    collate(context) {
      const values = valuesOf(context, column);
      const pixels = new Float32Array(values.length * per); // [B, H, W, C]
      const present = new Float32Array(values.length);
      values.forEach((v, b) => {
        if (v === null) return;
        if (!Array.isArray(v) || v.length !== per) {
          throw new Error(`pixelCollator: ${where(context, b, column)}: expected ${per} pixel values, got ${Array.isArray(v) ? v.length : JSON.stringify(v)}`);
        }
        v.forEach((x, i) => {
          if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`pixelCollator: ${where(context, b, column)}: pixel ${i} is ${JSON.stringify(x)}`);
          pixels[b * per + i] = x * (options.scale ?? 1);
        });
        present[b] = 1;
      });
      return {
        input: { pixels: tf.tensor4d(pixels, [values.length, height, width, channels], 'float32') }, // [B, H, W, C]
        present: tf.tensor1d(present, 'float32'),
      };
    },
  };
}
