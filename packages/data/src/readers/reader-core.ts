// The pipeline every text reader shares: raw records -> (inferred) column specs -> typed rows -> RecordBatches.
import * as arrow from 'apache-arrow';
import { DataError, SkipReport, rejectRecord, type BadRecordPolicy } from '../errors.js';
import { BatchAssembler } from './batch-assembler.js';
import { arrowSchemaOf, type Columns, type NamedSpec } from './column-types.js';
import type { TextEncoding } from './lines.js';

/** Options every reader takes. */
export interface ReaderOptions extends BadRecordPolicy {
  /** Declared columns (only these are read, in this order); inferred from the data when absent. */
  columns?: Columns;
  /** Text encoding of the file (default `utf8`; invalid UTF-8 is a bad record, never replaced silently). */
  encoding?: TextEncoding;
}

/** Options of the streaming readers. */
export interface StreamOptions extends ReaderOptions {
  /** Rows per RecordBatch (default 65,536). */
  batchRows?: number;
  /** Without declared columns, types are inferred from this many first rows (default `batchRows`). */
  inferRows?: number;
}

/** A table read from a file, and the records skipped in lenient mode. */
export interface ReadResult {
  table: arrow.Table;
  skipped: SkipReport;
}

/** How one reader turns its raw records into rows. */
export interface RecordFormat<R> {
  /** Raw records and record-level errors, in file order. */
  items: AsyncIterable<Array<R | DataError>>;
  /** Declared specs, or null to infer. */
  declared: NamedSpec[] | null;
  /** Infers specs from the first raw records. */
  infer(records: readonly R[]): NamedSpec[];
  /** A converter for the final specs; it throws a DataError (file, line, field) for a bad record. */
  converter(specs: readonly NamedSpec[]): (record: R) => unknown[];
}

/** Runs the shared pipeline: yields RecordBatches, skipping bad records in lenient mode. */
export async function* assembleBatches<R>(
  format: RecordFormat<R>,
  policy: BadRecordPolicy,
  batchRows: number,
  inferRows: number,
): AsyncGenerator<arrow.RecordBatch, NamedSpec[]> {
  let specs = format.declared;
  let inferredFrom: number | null = null;
  let convert = specs === null ? null : format.converter(specs);
  let assembler = specs === null ? null : new BatchAssembler(specs, batchRows);
  const held: R[] = [];

  function* take(record: R): Generator<arrow.RecordBatch> {
    if (convert === null || assembler === null) return;
    let values: unknown[];
    try {
      values = convert(record);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      const hint = inferredFrom === null ? '' : ` (column types were inferred from the first ${inferredFrom} rows; declare columns to set them)`;
      rejectRecord(hint === '' ? error : new DataError(error.at, `${error.reason}${hint}`), policy);
      return;
    }
    const batch = assembler.append(values);
    if (batch !== null) yield batch;
  }

  function* startAfterInference(complete: boolean): Generator<arrow.RecordBatch> {
    specs = format.infer(held);
    if (!complete) inferredFrom = held.length;
    convert = format.converter(specs);
    assembler = new BatchAssembler(specs, batchRows);
    for (const record of held.splice(0)) yield* take(record);
  }

  for await (const items of format.items) {
    for (const item of items) {
      if (item instanceof DataError) {
        rejectRecord(item, policy);
      } else if (specs === null) {
        held.push(item);
        if (held.length >= inferRows) yield* startAfterInference(false);
      } else {
        yield* take(item);
      }
    }
  }
  if (specs === null) yield* startAfterInference(true);
  const last = assembler?.flush();
  if (last !== undefined && last !== null) yield last;
  return specs ?? [];
}

/** Collects all batches of a pipeline into one table (an empty table keeps the schema). */
export async function collectTable(batches: AsyncGenerator<arrow.RecordBatch, NamedSpec[]>): Promise<arrow.Table> {
  const all: arrow.RecordBatch[] = [];
  for (;;) {
    const next = await batches.next();
    if (next.done === true) return all.length > 0 ? new arrow.Table(all) : new arrow.Table(arrowSchemaOf(next.value));
    all.push(next.value);
  }
}

/** The policy readers pass on: the caller's, with a SkipReport always present. */
export function policyOf(options: BadRecordPolicy): { lenient: boolean; skipped: SkipReport } {
  return { lenient: options.lenient === true, skipped: options.skipped ?? new SkipReport() };
}

/** Turns a read failure (missing file, permissions) into a DataError naming the file. */
export function readFailure(file: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  return new DataError({ file }, `cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
