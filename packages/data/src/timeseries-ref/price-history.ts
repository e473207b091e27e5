// A price table indexed by group key and date, answering "the N rows strictly before this date" (no look-ahead).
import type * as arrow from 'apache-arrow';
import { DataError } from '../errors.js';
import { describeDateFormat, parseDate, type DateFormat } from '../readers/dates.js';
import { columnValues, requireColumn, type CellValue } from '../table-access.js';

/** How row dates are compared with a sample's date. */
export type DateGranularity = 'day' | 'exact';

/** Which columns of a price table hold the key, the date and the features. */
export interface PriceHistoryOptions {
  /** Group key column (ticker): strings or integers. */
  keyColumn: string;
  /** Date column: an Arrow date/timestamp column, epoch milliseconds, or strings in `dateFormat`. */
  dateColumn: string;
  /** Feature columns, in the order of the `F` axis; numeric or bool. */
  features: readonly string[];
  /** How string dates are written (default ISO 8601). */
  dateFormat?: DateFormat;
  /**
   * `day` (default): a row counts as before a sample when its UTC calendar day is earlier than the sample's
   * (a daily close dated d is never used for a sample at any time on day d). `exact`: compares the instants.
   */
  granularity?: DateGranularity;
  /** Names the table in errors (default "price table"). */
  source?: string;
}

/** One key's rows, sorted by date. */
interface Series {
  /** Comparable date of each row (UTC day number or epoch ms), increasing. */
  times: Float64Array;
  /** Epoch ms of each row, for reporting. */
  dates: Float64Array;
  /** Row-major `[n, F]`. */
  values: Float32Array;
  /** `[n]`: 1 when every feature of the row is present, 0 when one is null (the step is masked out). */
  observed: Uint8Array;
}

/** The history of one key before a date: at most `window` rows, oldest first. */
export interface HistoryWindow {
  /** Row-major `[n, F]` values of the rows found (n <= window). */
  values: Float32Array;
  /** `[n]`: 1 for a fully observed row, 0 for a row with a null feature. */
  observed: Uint8Array;
  /** Epoch ms of each row found. */
  dates: number[];
}

const DAY_MS = 86_400_000;

function keyText(value: CellValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return null;
}

/** Epoch ms of a date cell: a number (Arrow date/timestamp, epoch ms) or a string in `format`; null when unparsable. */
export function dateCellToMs(value: CellValue, format: DateFormat = 'iso'): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return parseDate(value, format);
  return null;
}

/** The value compared for "strictly before": a UTC day number (`day`) or epoch ms (`exact`). */
export function comparableTime(ms: number, granularity: DateGranularity): number {
  return granularity === 'day' ? Math.floor(ms / DAY_MS) : ms;
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A price table grouped by key and sorted by date, built once and queried per sample:
 * `history.before('AAPL', Date.UTC(2015, 9, 1), 5)` is the 5 rows of AAPL dated strictly before 2015-10-01.
 * Errors (DataError) name the table, row and column: a null key or date, an unparsable date, a non-finite
 * feature, a duplicated (key, date). A null feature keeps the row with observed = 0 (masked), never a silent 0.
 */
export class PriceHistory {
  readonly features: readonly string[];
  readonly granularity: DateGranularity;
  readonly source: string;
  private readonly series: Map<string, Series>;

  private constructor(series: Map<string, Series>, features: readonly string[], granularity: DateGranularity, source: string) {
    this.series = series;
    this.features = features;
    this.granularity = granularity;
    this.source = source;
  }

  /** Indexes an Arrow price table; throws a DataError naming the table, row and column of the first bad value. */
  static fromTable(table: arrow.Table, options: PriceHistoryOptions): PriceHistory {
    const source = options.source ?? 'price table';
    const granularity = options.granularity ?? 'day';
    const format = options.dateFormat ?? 'iso';
    if (options.features.length === 0) throw new Error(`${source}: PriceHistory needs at least one feature column`);
    const at = (row: number, field: string): { file: string; line: number; field: string } => ({ file: source, line: row + 1, field });
    for (const column of [options.keyColumn, options.dateColumn, ...options.features]) {
      try {
        requireColumn(table, column);
      } catch (error) {
        throw new DataError({ file: source, field: column }, error instanceof Error ? error.message : String(error));
      }
    }
    const keys = columnValues(table, options.keyColumn);
    const dates = columnValues(table, options.dateColumn);
    const features = options.features.map((c) => columnValues(table, c));
    const f = options.features.length;
    const rowsByKey = new Map<string, number[]>();
    const ms = new Float64Array(table.numRows);
    for (let row = 0; row < table.numRows; row++) {
      const key = keyText(keys[row] ?? null);
      if (key === null) {
        throw new DataError(at(row, options.keyColumn), `expected a string or integer key, got ${JSON.stringify(keys[row] ?? null)}`);
      }
      const t = dateCellToMs(dates[row] ?? null, format);
      if (t === null) {
        throw new DataError(at(row, options.dateColumn), `expected ${describeDateFormat(format)}, got ${JSON.stringify(dates[row] ?? null)}`);
      }
      ms[row] = t;
      const list = rowsByKey.get(key);
      if (list === undefined) rowsByKey.set(key, [row]);
      else list.push(row);
    }
    const series = new Map<string, Series>();
    for (const [key, rows] of rowsByKey) {
      rows.sort((a, b) => (ms[a] as number) - (ms[b] as number));
      const n = rows.length;
      const s: Series = { times: new Float64Array(n), dates: new Float64Array(n), values: new Float32Array(n * f), observed: new Uint8Array(n) };
      rows.forEach((row, i) => {
        const t = ms[row] as number;
        s.dates[i] = t;
        s.times[i] = comparableTime(t, granularity);
        if (i > 0 && s.times[i] === s.times[i - 1]) {
          throw new DataError(at(row, options.dateColumn), `key "${key}" has two rows for ${isoOf(t)} (rows ${(rows[i - 1] as number) + 1} and ${row + 1})`);
        }
        let observed = 1;
        features.forEach((column, j) => {
          const v = column[row] ?? null;
          if (v === null) {
            observed = 0;
            return;
          }
          const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
          if (typeof x !== 'number' || !Number.isFinite(x)) {
            throw new DataError(at(row, options.features[j] as string), `expected a finite number, got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`);
          }
          s.values[i * f + j] = x;
        });
        if (observed === 0) s.values.fill(0, i * f, (i + 1) * f); // a partly missing row is masked out whole
        s.observed[i] = observed;
      });
      series.set(key, s);
    }
    return new PriceHistory(series, [...options.features], granularity, source);
  }

  /** Number of features F. */
  get numFeatures(): number {
    return this.features.length;
  }

  /** Whether the table has rows for `key`. */
  has(key: string): boolean {
    return this.series.has(key);
  }

  /** The keys of the table, sorted. */
  keys(): string[] {
    return [...this.series.keys()].sort();
  }

  /**
   * The last `window` rows of `key` dated strictly before `dateMs` (by the table's granularity), oldest first;
   * fewer when the history is short, none before the first row. Throws when the key is unknown.
   */
  before(key: string, dateMs: number, window: number): HistoryWindow {
    const s = this.series.get(key);
    if (s === undefined) throw new Error(`${this.source} has no rows for key "${key}" (keys: ${this.keys().slice(0, 10).join(', ')}${this.series.size > 10 ? ', ...' : ''})`);
    if (!Number.isInteger(window) || window < 1) throw new Error(`PriceHistory.before: window must be a positive integer, got ${window}`);
    const cutoff = comparableTime(dateMs, this.granularity);
    let lo = 0;
    let hi = s.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((s.times[mid] as number) < cutoff) lo = mid + 1;
      else hi = mid;
    }
    const end = lo; // rows [0, end) lie strictly before the cutoff
    const start = Math.max(0, end - window);
    const f = this.features.length;
    return {
      values: s.values.slice(start * f, end * f),
      observed: s.observed.slice(start, end),
      dates: Array.from(s.dates.subarray(start, end)),
    };
  }
}
