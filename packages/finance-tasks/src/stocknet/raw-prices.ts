// Parses price/raw/<T>.csv: Yahoo's daily `Date,Open,High,Low,Close,Adj Close,Volume`, oldest first.
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';
import { splitLines } from '../common/lines.js';
import { parseDecimal, parseIsoDate } from '../common/values.js';

/** Yahoo's header, checked exactly. */
export const YAHOO_HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';
/** Column names of the parsed OHLCV values, in file order. */
export const OHLCV_FIELDS = ['open', 'high', 'low', 'close', 'adj_close', 'volume'] as const;
const HEADER_FIELDS = YAHOO_HEADER.split(',');

/** One trading day of a raw price file. */
export interface RawPriceDay {
  date: string;
  /** OHLCV_FIELDS values. */
  values: number[];
  line: number;
}

/** A day Yahoo lists with every value `null` (no data); it is left out of the history and reported here. */
export interface YahooNullDay {
  file: string;
  line: number;
  date: string;
}

/** The parsed days (oldest first) and the all-null days left out. */
export interface ParsedRawPrices {
  days: RawPriceDay[];
  nullDays: YahooNullDay[];
}

/** Parses a Yahoo CSV; a bad header, field count, number, date order or a partly-null row is a DataError. */
export function parseRawPrices(text: string, file: string, policy: BadRecordPolicy = {}): ParsedRawPrices {
  const lines = splitLines(text);
  const header = lines[0];
  if (header === undefined || header.text.trim() !== YAHOO_HEADER) {
    throw new DataError({ file, line: 1 }, `expected the header "${YAHOO_HEADER}", got "${header?.text ?? ''}"`);
  }
  const days: RawPriceDay[] = [];
  const nullDays: YahooNullDay[] = [];
  let previous: string | null = null;
  for (const { line, text: raw } of lines.slice(1)) {
    if (raw.trim() === '') continue;
    try {
      const fields = raw.split(',');
      if (fields.length !== 7) throw new DataError({ file, line }, `expected 7 comma-separated fields (${YAHOO_HEADER}), got ${fields.length}`);
      const date = parseIsoDate(fields[0] as string, file, line, 'Date');
      if (previous !== null && date <= previous) {
        throw new DataError({ file, line, field: 'Date' }, `dates must run oldest first without repeats: ${date} after ${previous}`);
      }
      previous = date;
      const rest = fields.slice(1);
      if (rest.every((f) => f === 'null')) {
        nullDays.push({ file, line, date });
        continue;
      }
      const values = new Array<number>(rest.length);
      for (let i = 0; i < rest.length; i++) values[i] = parseDecimal(rest[i] as string, file, line, HEADER_FIELDS[i + 1] as string);
      days.push({ date, values, line });
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      rejectRecord(error, policy);
    }
  }
  return { days, nullDays };
}
