// CSV files into Arrow: whole (`readCsv`) or as a stream of RecordBatches (`streamCsv`).
import type * as arrow from 'apache-arrow';
import { DataError } from '../errors.js';
import { normaliseColumns, type NamedSpec } from './column-types.js';
import { CsvRecordSplitter, type CsvRecord } from './csv-records.js';
import { TextTypeInferrer } from './infer.js';
import { fileChunks, splitLines } from './lines.js';
import { assembleBatches, collectTable, policyOf, readFailure, type ReadResult, type ReaderOptions, type StreamOptions } from './reader-core.js';
import { BadValue, convertValue, quote } from './values.js';

/** CSV dialect options. */
export interface CsvDialect {
  /** Field delimiter (default `,`; `\t` for TSV). */
  delimiter?: string;
  /** Quote character (default `"`). */
  quote?: string;
  /** `true` (default): the first record names the columns; or the column names of a file without a header. */
  header?: boolean | string[];
  /** Field texts that mean null (default `[""]`); allowed only in nullable columns. */
  nullValues?: string[];
  /** A quoted field may span at most this many lines (default 10,000). */
  maxRecordLines?: number;
}

/** Options of `readCsv`. */
export type CsvOptions = ReaderOptions & CsvDialect;
/** Options of `streamCsv`. */
export type CsvStreamOptions = StreamOptions & CsvDialect;

async function* csvItems(
  file: string,
  options: CsvDialect & ReaderOptions,
  onHeader: (names: string[]) => void,
): AsyncGenerator<Array<CsvRecord | DataError>> {
  const splitter = new CsvRecordSplitter({
    file,
    delimiter: options.delimiter ?? ',',
    quote: options.quote ?? '"',
    maxRecordLines: options.maxRecordLines ?? 10_000,
  });
  let needHeader = options.header === undefined || options.header === true;
  if (Array.isArray(options.header)) {
    onHeader(options.header);
    splitter.expectFields(options.header.length);
  }
  const emit = (items: Array<CsvRecord | DataError>): Array<CsvRecord | DataError> => {
    if (!needHeader || items.length === 0) return items;
    const [first, ...rest] = items;
    if (first instanceof DataError) throw first; // a broken header is fatal, even in lenient mode
    if (first !== undefined) {
      if (first.badUtf8Field >= 0) throw new DataError({ file, line: first.line }, 'invalid UTF-8 in the header');
      onHeader(first.fields.map((f) => f.trim()));
      splitter.expectFields(first.fields.length);
    }
    needHeader = false;
    return rest;
  };
  try {
    for await (const lines of splitLines(fileChunks(file), options.encoding)) yield emit(splitter.push(lines));
    yield emit(splitter.end());
  } catch (error) {
    throw readFailure(file, error);
  }
  if (needHeader) throw new DataError({ file, line: 1 }, 'empty file: no header line');
}

function checkHeader(file: string, header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) throw new DataError({ file, line: 1, field: name }, `duplicate column name in the header`);
    index.set(name, i);
  });
  return index;
}

/** The CSV pipeline of one file, as RecordBatches of `batchRows` rows. */
function csvBatches(file: string, options: CsvDialect & ReaderOptions, batchRows: number, inferRows: number): AsyncGenerator<arrow.RecordBatch, NamedSpec[]> {
  const policy = policyOf(options);
  const nulls = new Set(options.nullValues ?? ['']);
  let header: string[] = [];
  const declared = options.columns === undefined ? null : normaliseColumns(options.columns, file);
  const headerLine = Array.isArray(options.header) ? undefined : 1;
  const fieldsOf = (record: CsvRecord): void => {
    if (record.fields.length !== header.length) {
      throw new DataError({ file, line: record.line }, `expected ${header.length} fields, got ${record.fields.length}`);
    }
    if (record.badUtf8Field >= 0) {
      throw new DataError({ file, line: record.line, field: header[record.badUtf8Field] ?? `#${record.badUtf8Field + 1}` }, 'invalid UTF-8');
    }
  };
  const positionsOf = (specs: readonly NamedSpec[]): number[] => {
    const index = checkHeader(file, header);
    return specs.map((spec) => {
      const at = index.get(spec.name);
      if (at === undefined) {
        const has = header.map((h) => quote(h)).join(', ');
        throw new DataError({ file, line: headerLine, field: spec.name }, `missing column "${spec.name}"; the header has ${has}`);
      }
      return at;
    });
  };
  return assembleBatches<CsvRecord>(
    {
      items: csvItems(file, options, (names) => {
        header = names;
        checkHeader(file, header);
        if (declared !== null) positionsOf(declared); // a missing column fails at the header, even with no rows
      }),
      declared,
      infer(records) {
        const inferrer = new TextTypeInferrer(header);
        for (const record of records) {
          if (record.fields.length !== header.length || record.badUtf8Field >= 0) continue; // rejected later
          inferrer.observe(record.fields.map((f) => (nulls.has(f) ? null : f)));
        }
        return inferrer.result();
      },
      converter(specs) {
        let positions: number[] | null = null;
        return (record) => {
          positions ??= positionsOf(specs);
          fieldsOf(record);
          return specs.map((spec, k) => {
            const text = record.fields[positions?.[k] ?? 0] ?? '';
            if (nulls.has(text)) {
              if (spec.nullable === true) return null;
              throw new DataError({ file, line: record.line, field: spec.name }, `empty value ${quote(text)}, but the column is not nullable`);
            }
            try {
              return convertValue(text, spec);
            } catch (error) {
              if (error instanceof BadValue) throw new DataError({ file, line: record.line, field: spec.name }, error.reason);
              throw error;
            }
          });
        };
      },
    },
    policy,
    batchRows,
    inferRows,
  );
}

/** Reads a whole CSV file into a table (types declared or inferred from all rows); bad records throw or are skipped. */
export async function readCsv(file: string, options: CsvOptions = {}): Promise<ReadResult> {
  const policy = policyOf(options);
  const table = await collectTable(csvBatches(file, { ...options, ...policy }, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  return { table, skipped: policy.skipped };
}

/** Streams a CSV file as RecordBatches of `batchRows` rows without loading it whole (types inferred from the first rows unless declared). */
export async function* streamCsv(file: string, options: CsvStreamOptions = {}): AsyncGenerator<arrow.RecordBatch> {
  const batchRows = options.batchRows ?? 65_536;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new Error(`streamCsv: batchRows must be a positive integer, got ${batchRows}`);
  yield* csvBatches(file, options, batchRows, options.inferRows ?? batchRows);
}
