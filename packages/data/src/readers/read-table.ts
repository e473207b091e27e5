// Reads a CSV, TSV, JSON-lines or Arrow IPC file into a table, choosing the reader by the file's extension.
import { readArrowFile } from '../arrow-io.js';
import { SkipReport } from '../errors.js';
import { readCsv, type CsvOptions } from './csv.js';
import { readJsonl } from './jsonl.js';
import type { ReadResult } from './reader-core.js';

/** Reads `.csv`, `.tsv`, `.jsonl`/`.ndjson` or `.arrow`/`.ipc`/`.feather` files (Arrow files are read as stored). */
export async function readTable(file: string, options: CsvOptions = {}): Promise<ReadResult> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return readCsv(file, options);
  if (lower.endsWith('.tsv')) return readCsv(file, { delimiter: '\t', ...options });
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return readJsonl(file, options);
  if (lower.endsWith('.arrow') || lower.endsWith('.ipc') || lower.endsWith('.feather')) {
    return { table: await readArrowFile(file), skipped: options.skipped ?? new SkipReport() };
  }
  throw new Error(`readTable: cannot tell the format of ${file}; expected .csv, .tsv, .jsonl, .ndjson, .arrow, .ipc or .feather`);
}
