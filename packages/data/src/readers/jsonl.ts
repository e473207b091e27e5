// JSON-lines files into Arrow: whole (`readJsonl`) or as a stream of RecordBatches (`streamJsonl`).
import type * as arrow from 'apache-arrow';
import { DataError } from '../errors.js';
import { normaliseColumns, type NamedSpec } from './column-types.js';
import { JsonTypeInferrer } from './infer.js';
import { fileChunks, splitLines, type Line } from './lines.js';
import { assembleBatches, collectTable, policyOf, readFailure, type ReadResult, type ReaderOptions, type StreamOptions } from './reader-core.js';
import { BadValue, convertValue } from './values.js';

/** One parsed JSON line. */
interface JsonRecord {
  line: number;
  value: Record<string, unknown>;
}

function firstKeyWithReplacement(value: Record<string, unknown>): string | undefined {
  return Object.keys(value).find((k) => k.includes('\uFFFD') || JSON.stringify(value[k]).includes('\uFFFD'));
}

function parseLine(file: string, line: Line): JsonRecord | DataError | null {
  if (line.text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    return new DataError({ file, line: line.line }, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new DataError({ file, line: line.line }, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const record = value as Record<string, unknown>;
  if (line.invalidUtf8) {
    const field = firstKeyWithReplacement(record);
    return new DataError(field === undefined ? { file, line: line.line } : { file, line: line.line, field }, 'invalid UTF-8');
  }
  return { line: line.line, value: record };
}

async function* jsonItems(file: string, options: ReaderOptions): AsyncGenerator<Array<JsonRecord | DataError>> {
  try {
    for await (const lines of splitLines(fileChunks(file), options.encoding)) {
      const items: Array<JsonRecord | DataError> = [];
      for (const line of lines) {
        const item = parseLine(file, line);
        if (item !== null) items.push(item);
      }
      yield items;
    }
  } catch (error) {
    throw readFailure(file, error);
  }
}

function convertRecord(file: string, specs: readonly NamedSpec[], record: JsonRecord): unknown[] {
  return specs.map((spec) => {
    const at = { file, line: record.line, field: spec.name };
    const value = record.value[spec.name];
    if (value === undefined || value === null) {
      if (spec.nullable === true) return null;
      throw new DataError(at, value === undefined ? 'missing field, and the column is not nullable' : 'null, but the column is not nullable');
    }
    try {
      return convertValue(value, spec);
    } catch (error) {
      if (error instanceof BadValue) throw new DataError(at, error.reason);
      throw error;
    }
  });
}

function jsonBatches(file: string, options: ReaderOptions, batchRows: number, inferRows: number): AsyncGenerator<arrow.RecordBatch, NamedSpec[]> {
  return assembleBatches<JsonRecord>(
    {
      items: jsonItems(file, options),
      declared: options.columns === undefined ? null : normaliseColumns(options.columns, file),
      infer(records) {
        const inferrer = new JsonTypeInferrer(file);
        for (const record of records) inferrer.observe(record.value, record.line);
        return inferrer.result();
      },
      converter: (specs) => (record) => convertRecord(file, specs, record),
    },
    policyOf(options),
    batchRows,
    inferRows,
  );
}

/** Reads a whole JSON-lines file (one object per line) into a table; bad lines throw or are skipped. */
export async function readJsonl(file: string, options: ReaderOptions = {}): Promise<ReadResult> {
  const policy = policyOf(options);
  const table = await collectTable(jsonBatches(file, { ...options, ...policy }, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  return { table, skipped: policy.skipped };
}

/** Streams a JSON-lines file as RecordBatches of `batchRows` rows without loading it whole. */
export async function* streamJsonl(file: string, options: StreamOptions = {}): AsyncGenerator<arrow.RecordBatch> {
  const batchRows = options.batchRows ?? 65_536;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new Error(`streamJsonl: batchRows must be a positive integer, got ${batchRows}`);
  yield* jsonBatches(file, options, batchRows, options.inferRows ?? batchRows);
}
