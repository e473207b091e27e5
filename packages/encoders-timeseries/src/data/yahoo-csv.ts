// Reads Yahoo-style daily price CSV text (`Date,Open,High,Low,Close,Adj Close,Volume`) into validated OHLCV rows.
import { OhlcvError, ohlcvRowProblem, type OhlcvRow } from './ohlcv.js';

/** A row left out by `parseYahooCsv` with `skipInvalid`. */
export interface SkippedRow {
  line: number;
  date: string;
  field: string;
  reason: string;
}

/** Options of `parseYahooCsv`. */
export interface YahooCsvOptions {
  /** Leave out invalid rows (e.g. Yahoo's `null` rows) and list them instead of throwing; default false. */
  skipInvalid?: boolean;
}

const COLUMNS = { date: 'Date', open: 'Open', high: 'High', low: 'Low', close: 'Close', adjClose: 'Adj Close', volume: 'Volume' } as const;

/** Parses CSV text; errors name `file`, the line, the date and the field. `Adj Close` is optional. */
export function parseYahooCsv(text: string, file: string, options: YahooCsvOptions = {}): { rows: OhlcvRow[]; skipped: SkippedRow[] } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const index = (name: string, required: boolean): number => {
    const i = header.indexOf(name);
    if (i < 0 && required) throw new OhlcvError(`${file}: line 1: missing column "${name}" (header: ${header.join(',')})`, '', name);
    return i;
  };
  const col = {
    date: index(COLUMNS.date, true),
    open: index(COLUMNS.open, true),
    high: index(COLUMNS.high, true),
    low: index(COLUMNS.low, true),
    close: index(COLUMNS.close, true),
    adjClose: index(COLUMNS.adjClose, false),
    volume: index(COLUMNS.volume, true),
  };
  const rows: OhlcvRow[] = [];
  const skipped: SkippedRow[] = [];
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const num = (i: number): number => {
      const cell = (cells[i] ?? '').trim();
      return cell === '' || cell === 'null' ? Number.NaN : Number(cell);
    };
    const row: OhlcvRow = {
      date: (cells[col.date] ?? '').trim(),
      open: num(col.open),
      high: num(col.high),
      low: num(col.low),
      close: num(col.close),
      volume: num(col.volume),
    };
    if (col.adjClose >= 0) row.adjClose = num(col.adjClose);
    const problem = ohlcvRowProblem(row);
    if (problem !== null) {
      if (options.skipInvalid) {
        skipped.push({ line: l + 1, date: row.date, field: problem[0], reason: problem[1] });
        continue;
      }
      throw new OhlcvError(`${file}: line ${l + 1} (date ${row.date || '?'}): field "${problem[0]}": ${problem[1]}`, row.date, problem[0]);
    }
    const previous = rows[rows.length - 1];
    if (previous !== undefined && !(row.date > previous.date)) {
      throw new OhlcvError(`${file}: line ${l + 1} (date ${row.date}): field "date": dates must increase, but it follows ${previous.date}`, row.date, 'date');
    }
    rows.push(row);
  }
  return { rows, skipped };
}
