// Groups numbered lines into CSV records (quoted fields may span lines) and splits them with csv-parse.
// Every record keeps its first line number; a syntax error costs exactly the lines of the bad record.
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';
import type { Line } from './lines.js';

/** One CSV record: its fields and the line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Index of the first field with invalid UTF-8 bytes, or -1. */
  badUtf8Field: number;
}

/** CSV dialect and limits. */
export interface CsvSyntax {
  file: string;
  delimiter: string;
  quote: string;
  /** A quoted field may span at most this many lines; beyond that its opening quote is taken as unclosed. */
  maxRecordLines: number;
}

type Slot = { kind: 'line'; line: Line } | { kind: 'done'; item: CsvRecord | DataError };

const SYNTAX_REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'malformed CSV: a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'malformed CSV: a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'malformed CSV: characters after a closing quote',
};

function syntaxReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return SYNTAX_REASONS[code] ?? `malformed CSV (${code})`;
  return `malformed CSV: ${error instanceof Error ? error.message : String(error)}`;
}

function countQuotes(text: string, quote: string): number {
  let n = 0;
  for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) n += 1;
  return n;
}

function toRecord(fields: string[], lines: readonly Line[]): CsvRecord {
  const invalid = lines.some((l) => l.invalidUtf8);
  return { line: lines[0]?.line ?? 0, fields, badUtf8Field: invalid ? Math.max(0, fields.findIndex((f) => f.includes('\uFFFD'))) : -1 };
}

/** Turns groups of lines into CSV records and syntax errors, in file order. */
export class CsvRecordSplitter {
  private pending: Line[] = [];
  private parity = 0;
  private slots: Slot[] = [];
  private expectedFields: number | null = null;

  constructor(private readonly syntax: CsvSyntax) {}

  private options(): { delimiter: string; quote: string; relax_column_count: true; skip_empty_lines: false } {
    return { delimiter: this.syntax.delimiter, quote: this.syntax.quote, relax_column_count: true, skip_empty_lines: false };
  }

  private error(line: number, reason: string): DataError {
    return new DataError({ file: this.syntax.file, line }, reason);
  }

  /** The first line of a pending multi-line record is bad: report it and replay the lines after it. */
  private abandon(reason: string): void {
    const [first, ...rest] = this.pending;
    this.pending = [];
    this.parity = 0;
    if (first !== undefined) this.slots.push({ kind: 'done', item: this.error(first.line, reason) });
    for (const line of rest) this.feed(line);
  }

  private completeMultiLine(): void {
    const lines = this.pending;
    let rows: string[][];
    try {
      rows = parse(lines.map((l) => l.text).join('\n'), this.options()) as string[][];
    } catch (error) {
      this.abandon(syntaxReason(error));
      return;
    }
    this.pending = [];
    this.parity = 0;
    if (rows.length !== 1 || rows[0] === undefined) {
      this.abandon(SYNTAX_REASONS['CSV_QUOTE_NOT_CLOSED'] ?? 'malformed CSV');
      return;
    }
    if (this.expectedFields !== null && rows[0].length !== this.expectedFields) {
      // Most likely a quote opened on the first line and closed by a later record: cost only the first line.
      this.abandon(`malformed CSV: a quoted field opened here does not close into a record of ${this.expectedFields} fields`);
      return;
    }
    this.slots.push({ kind: 'done', item: toRecord(rows[0], lines) });
  }

  private feed(line: Line): void {
    const quotes = countQuotes(line.text, this.syntax.quote) & 1;
    if (this.pending.length === 0) {
      if (line.text === '') return; // blank lines between records carry no record
      if (quotes === 0) {
        this.slots.push({ kind: 'line', line });
        return;
      }
      this.pending = [line];
      this.parity = 1;
      return;
    }
    this.pending.push(line);
    this.parity ^= quotes;
    if (this.parity === 0) this.completeMultiLine();
    else if (this.pending.length > this.syntax.maxRecordLines) this.abandon(SYNTAX_REASONS['CSV_QUOTE_NOT_CLOSED'] ?? '');
  }

  private parseOne(line: Line): CsvRecord | DataError {
    try {
      const rows = parse(line.text, this.options()) as string[][];
      if (rows.length !== 1 || rows[0] === undefined) return this.error(line.line, 'malformed CSV record');
      return toRecord(rows[0], [line]);
    } catch (error) {
      return this.error(line.line, syntaxReason(error));
    }
  }

  /** Parses the single-line records collected so far in one csv-parse call (per line if that call fails). */
  private drain(): Array<CsvRecord | DataError> {
    // A line without quote characters has no escaping to undo: splitting it on the delimiter is exactly what a
    // CSV parser does, and ~10x faster; lines with quotes go to csv-parse in one call.
    const { delimiter, quote } = this.syntax;
    const singles = this.slots.flatMap((s) => (s.kind === 'line' && s.line.text.includes(quote) ? [s.line] : []));
    let parsed: string[][] | null = null;
    if (singles.length > 0) {
      try {
        parsed = parse(singles.map((l) => l.text).join('\n'), this.options()) as string[][];
        if (parsed.length !== singles.length) parsed = null;
      } catch {
        parsed = null;
      }
    }
    let k = 0;
    const out = this.slots.map((slot) => {
      if (slot.kind === 'done') return slot.item;
      if (!slot.line.text.includes(quote)) return toRecord(slot.line.text.split(delimiter), [slot.line]);
      const row = parsed?.[k];
      k += 1;
      return row !== undefined ? toRecord(row, [slot.line]) : this.parseOne(slot.line);
    });
    this.slots = [];
    return out;
  }

  /** Sets the number of fields a record has (from the header), so that a wrongly joined multi-line record is split again. */
  expectFields(count: number): void {
    this.expectedFields = count;
  }

  /** Records and syntax errors completed by these lines, in file order. */
  push(lines: readonly Line[]): Array<CsvRecord | DataError> {
    for (const line of lines) this.feed(line);
    return this.drain();
  }

  /** Call at the end of input: an open quote that never closed is an error on its first line. */
  end(): Array<CsvRecord | DataError> {
    while (this.pending.length > 0) this.abandon(SYNTAX_REASONS['CSV_QUOTE_NOT_CLOSED'] ?? '');
    return this.drain();
  }
}
