// Parses price/preprocessed/<T>.txt: tab-separated, newest first, date + 6 numbers per trading day.
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';
import { splitLines } from '../common/lines.js';
import { parseDecimal, parseIsoDate } from '../common/values.js';
import { STOCKNET_PRICE_FEATURES } from './task.js';

/** One trading day of a preprocessed file. */
export interface PreprocessedDay {
  date: string;
  /** Close-to-close change as a fraction, as a double (the label rule compares it exactly). */
  movement: number;
  /** The STOCKNET_PRICE_FEATURES values of the day. */
  features: Float32Array;
  /** 1-based line in the file. */
  line: number;
}

const FIELDS = ['date', ...STOCKNET_PRICE_FEATURES];

/** The days of a preprocessed price file, oldest first; a bad field or out-of-order date is a DataError. */
export function parsePreprocessedPrices(text: string, file: string, policy: BadRecordPolicy = {}): PreprocessedDay[] {
  const days: PreprocessedDay[] = [];
  let previous: string | null = null; // the file runs newest first
  for (const { line, text: raw } of splitLines(text)) {
    if (raw.trim() === '') continue;
    try {
      const fields = raw.split('\t');
      if (fields.length !== FIELDS.length) {
        throw new DataError({ file, line }, `expected ${FIELDS.length} tab-separated fields (${FIELDS.join(', ')}), got ${fields.length}`);
      }
      const date = parseIsoDate(fields[0] as string, file, line, 'date');
      if (previous !== null && date >= previous) {
        throw new DataError({ file, line, field: 'date' }, `dates must run newest first without repeats: ${date} after ${previous}`);
      }
      const features = new Float32Array(STOCKNET_PRICE_FEATURES.length);
      const movement = parseDecimal(fields[1] as string, file, line, FIELDS[1] as string);
      features[0] = movement;
      for (let i = 1; i < features.length; i++) features[i] = parseDecimal(fields[i + 1] as string, file, line, FIELDS[i + 1] as string);
      days.push({ date, movement, features, line });
      previous = date;
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      rejectRecord(error, policy);
    }
  }
  return days.reverse();
}
