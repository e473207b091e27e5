// Input records for `predict`: one item per record of a JSON-lines or CSV file, each with its line number, so
// that one bad record becomes an error line while the others still get predictions.
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';

/** A raw input record (field name -> value as read: JSON values, or strings from CSV). */
export type InputRecord = Record<string, unknown>;

/** A record read from line `line` (1-based), or why that line could not be read. */
export type InputItem = { line: number; record: InputRecord } | { line: number; error: string };

function jsonlItems(text: string): InputItem[] {
  const items: InputItem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        items.push({ line: i + 1, error: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` });
      } else {
        items.push({ line: i + 1, record: value as InputRecord });
      }
    } catch (error) {
      items.push({ line: i + 1, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
  return items;
}

function csvItems(text: string, file: string): InputItem[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as typeof rows;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new Error(`${file}${line === undefined ? '' : `:${line}`}: not valid CSV: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const [header, ...records] = rows;
  if (header === undefined) throw new Error(`${file}: empty CSV file (no header line)`);
  const names = header.record.map((n) => n.trim());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`${file}:1: duplicate column "${duplicate}" in the header`);
  return records.map(({ record, info }) => {
    const line = info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0); // first line of the record
    if (record.length !== names.length) return { line, error: `expected ${names.length} fields (as the header), got ${record.length}` };
    return { line, record: Object.fromEntries(names.map((n, i) => [n, record[i] as string])) };
  });
}

/** Reads `.jsonl`/`.ndjson` (one JSON object a line) or `.csv` (with a header) into per-record items. */
export async function readInputRecords(file: string): Promise<InputItem[]> {
  const lower = file.toLowerCase();
  const kind = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') ? 'jsonl' : lower.endsWith('.csv') ? 'csv' : null;
  if (kind === null) throw new Error(`${file}: cannot tell the format; expected .jsonl, .ndjson or .csv`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`input file ${file}: ${code === 'ENOENT' ? 'does not exist' : (error as Error).message}`, { cause: error });
  }
  return kind === 'jsonl' ? jsonlItems(text) : csvItems(text, file);
}

/** What an app's `predict` command returns: records read, predicted, and answered with an error line. */
export interface PredictOutcome {
  records: number;
  predicted: number;
  errors: number;
}

/** A probability rounded to 6 decimals, as predict output lines write it. */
export function roundProbability(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
