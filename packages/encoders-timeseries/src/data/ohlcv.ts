// Daily OHLCV rows: their type and the validation that turns a bad row into an error naming its date and field.

/** One trading day of prices and volume, oldest first in a series. */
export interface OhlcvRow {
  /** Trading date, `YYYY-MM-DD` (any string that sorts in time order works). */
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Close adjusted for splits and dividends, when the source has it. */
  adjClose?: number;
  volume: number;
}

/** Rows as given by a caller: a plain array or anything array-like. */
export type OhlcvRows = ArrayLike<OhlcvRow>;

/** A bad OHLCV row; the message names the source, date and field. */
export class OhlcvError extends Error {
  constructor(
    message: string,
    /** Date of the bad row ('' when the row has none). */
    readonly date: string,
    /** Field that is wrong, e.g. `high` or `volume`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'OhlcvError';
  }
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/** The first problem of one row as `[field, reason]`, or null when the row is valid. */
export function ohlcvRowProblem(row: OhlcvRow): [string, string] | null {
  if (typeof row.date !== 'string' || row.date === '') return ['date', `expected a date string, got ${JSON.stringify(row.date)}`];
  for (const field of PRICE_FIELDS) {
    const value = row[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) return [field, `expected a finite number, got ${String(value)}`];
    if (value <= 0) return [field, `expected a positive price, got ${value}`];
  }
  if (row.adjClose !== undefined && (!Number.isFinite(row.adjClose) || row.adjClose <= 0)) {
    return ['adjClose', `expected a finite positive price, got ${String(row.adjClose)}`];
  }
  if (typeof row.volume !== 'number' || !Number.isFinite(row.volume)) return ['volume', `expected a finite number, got ${String(row.volume)}`];
  if (row.volume < 0) return ['volume', `expected a volume >= 0, got ${row.volume}`];
  if (row.high < row.low) return ['high', `high ${row.high} is below low ${row.low}`];
  return null;
}

/**
 * Checks every row (finite positive prices, high >= low, volume >= 0) and that dates strictly increase;
 * throws an OhlcvError naming `source`, the date and the field of the first bad row.
 */
export function validateOhlcv(rows: OhlcvRows, source = 'rows'): void {
  let previous: string | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as OhlcvRow;
    const problem = ohlcvRowProblem(row);
    const date = typeof row?.date === 'string' ? row.date : '';
    if (problem !== null) {
      throw new OhlcvError(`${source}: row ${i} (date ${date || '?'}): field "${problem[0]}": ${problem[1]}`, date, problem[0]);
    }
    if (previous !== null && !(row.date > previous)) {
      throw new OhlcvError(`${source}: row ${i} (date ${row.date}): field "date": dates must increase, but it follows ${previous}`, row.date, 'date');
    }
    previous = row.date;
  }
}

/** The same data by column, e.g. typed arrays from a columnar file: every column has one entry per day. */
export interface OhlcvColumns {
  date: ArrayLike<string>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  adjClose?: ArrayLike<number>;
  volume: ArrayLike<number>;
}

/** Rows from rows or columns; columns of different lengths are an error naming `source` and the column. */
export function toOhlcvRows(input: OhlcvRows | OhlcvColumns, source = 'rows'): OhlcvRows {
  if (!('date' in input) || typeof input.date === 'string') return input as OhlcvRows;
  const columns = input as OhlcvColumns;
  const n = columns.date.length;
  for (const field of ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const) {
    const column = columns[field];
    if (column === undefined && field === 'adjClose') continue;
    if (column === undefined || column.length !== n) {
      throw new OhlcvError(`${source}: column "${field}" has ${column?.length ?? 'no'} entries, column "date" has ${n}`, '', field);
    }
  }
  return Array.from({ length: n }, (_, t) => {
    const row: OhlcvRow = {
      date: columns.date[t] as string,
      open: columns.open[t] as number,
      high: columns.high[t] as number,
      low: columns.low[t] as number,
      close: columns.close[t] as number,
      volume: columns.volume[t] as number,
    };
    if (columns.adjClose !== undefined) row.adjClose = columns.adjClose[t] as number;
    return row;
  });
}
