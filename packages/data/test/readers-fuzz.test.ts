import { Rng } from '@finmm/core';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, readArrowFile, readCsv, readJsonl, SkipReport, streamArrow, streamCsv, streamJsonl, writeArrowFile } from '../src/index.js';
import { FUZZ_COLUMNS, corruptCsv, corruptJsonl, type FuzzFile } from './fuzz-data.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-fuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TRIALS = 40;

async function caught(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError, but the read succeeded');
}

async function drain(stream: AsyncIterable<arrow.RecordBatch>): Promise<number[]> {
  const ids: number[] = [];
  for await (const batch of stream) for (const id of batch.getChild('id') ?? []) ids.push(Number(id));
  return ids;
}

function expectStrictError(error: DataError, file: string, fuzz: FuzzFile): void {
  const first = fuzz.rows.findIndex((r) => r.bad);
  const row = fuzz.rows[first];
  expect(error.at.file, error.message).toBe(file);
  expect(error.at.line, `${row?.kind}: ${error.message}`).toBe(fuzz.lines[first]);
  expect(error.message).toContain(`${file}:${fuzz.lines[first]}`);
  if (row?.field !== undefined) {
    expect(error.at.field, `${row.kind}: ${error.message}`).toBe(row.field);
    expect(error.message).toContain(`field "${row.field}"`);
  }
}

function expectLenient(ids: number[], skipped: SkipReport, fuzz: FuzzFile): void {
  const good = fuzz.rows.filter((r) => !r.bad).map((r) => r.id);
  const bad = fuzz.rows.filter((r) => r.bad);
  expect(ids).toEqual(good);
  expect(skipped.total, skipped.summary()).toBe(bad.length);
  const badLines = new Set(fuzz.rows.flatMap((r, i) => (r.bad ? [fuzz.lines[i]] : [])));
  for (const example of skipped.examples) expect(badLines.has(example.at.line ?? -1), example.message).toBe(true);
  const counted = [...skipped.byReason.values()].reduce((a, b) => a + b, 0);
  expect(counted).toBe(bad.length);
}

describe('CSV reader fuzz', () => {
  it(`names file, line and field of the first bad record, and lenient mode skips exactly the bad rows (${TRIALS} seeds)`, async () => {
    for (let seed = 0; seed < TRIALS; seed++) {
      const rng = Rng.fromSeed(seed);
      const fuzz = corruptCsv(rng, 150, 0.08 + 0.1 * rng.float());
      const file = path.join(dir, `fuzz-${seed}.csv`);
      fs.writeFileSync(file, fuzz.bytes);
      if (!fuzz.rows.some((r) => r.bad)) continue;

      expectStrictError(await caught(readCsv(file, { columns: FUZZ_COLUMNS })), file, fuzz);

      const skipped = new SkipReport();
      const { table } = await readCsv(file, { columns: FUZZ_COLUMNS, lenient: true, skipped });
      expectLenient([...(table.getChild('id') ?? [])].map(Number), skipped, fuzz);

      // the streaming reader agrees, across small batches
      const streamSkipped = new SkipReport();
      const streamed = await drain(streamCsv(file, { columns: FUZZ_COLUMNS, lenient: true, skipped: streamSkipped, batchRows: 16 }));
      expectLenient(streamed, streamSkipped, fuzz);
      expectStrictError(await caught(drain(streamCsv(file, { columns: FUZZ_COLUMNS, batchRows: 7 }))), file, fuzz);
    }
  });

  it('never turns a bad value into 0 or NaN: clean rows round-trip exactly', async () => {
    const fuzz = corruptCsv(Rng.fromSeed(123), 200, 0);
    const file = path.join(dir, 'clean.csv');
    fs.writeFileSync(file, fuzz.bytes);
    const { table, skipped } = await readCsv(file, { columns: FUZZ_COLUMNS });
    expect(skipped.total).toBe(0);
    expect(table.numRows).toBe(200);
    for (const value of table.getChild('price') ?? []) expect(Number.isFinite(value)).toBe(true);
    expect(table.getChild('volume')?.nullCount).toBeGreaterThan(0);
    expect(table.getChild('price')?.nullCount).toBe(0);
  });

  it('a missing column names the file, the header line and the column, even in lenient mode', async () => {
    const file = path.join(dir, 'missing.csv');
    fs.writeFileSync(file, 'id,date,price,name,flag\n1,2020-01-01,1.5,a,true\n');
    const error = await caught(readCsv(file, { columns: FUZZ_COLUMNS, lenient: true }));
    expect(error.at).toEqual({ file, line: 1, field: 'volume' });
    expect(error.message).toMatch(/missing column "volume"/);
  });
});

describe('JSON-lines reader fuzz', () => {
  it(`names file, line and field of the first bad record, and lenient mode skips exactly the bad rows (${TRIALS} seeds)`, async () => {
    for (let seed = 0; seed < TRIALS; seed++) {
      const rng = Rng.fromSeed(1000 + seed);
      const fuzz = corruptJsonl(rng, 150, 0.08 + 0.1 * rng.float());
      const file = path.join(dir, `fuzz-${seed}.jsonl`);
      fs.writeFileSync(file, fuzz.bytes);
      if (!fuzz.rows.some((r) => r.bad)) continue;

      expectStrictError(await caught(readJsonl(file, { columns: FUZZ_COLUMNS })), file, fuzz);
      const skipped = new SkipReport();
      const { table } = await readJsonl(file, { columns: FUZZ_COLUMNS, lenient: true, skipped });
      expectLenient([...(table.getChild('id') ?? [])].map(Number), skipped, fuzz);

      const streamSkipped = new SkipReport();
      const streamed = await drain(streamJsonl(file, { columns: FUZZ_COLUMNS, lenient: true, skipped: streamSkipped, batchRows: 10 }));
      expectLenient(streamed, streamSkipped, fuzz);
    }
  });
});

describe('Arrow IPC reader fuzz', () => {
  it('a truncated or garbled file is a DataError naming the file, never a crash', async () => {
    const rng = Rng.fromSeed(7);
    const fuzz = corruptCsv(rng, 300, 0);
    const csv = path.join(dir, 'arrow-src.csv');
    fs.writeFileSync(csv, fuzz.bytes);
    const { table } = await readCsv(csv, { columns: FUZZ_COLUMNS });
    const file = path.join(dir, 'fuzz.arrow');
    await writeArrowFile(file, table);
    const good = fs.readFileSync(file);
    expect((await readArrowFile(file)).numRows).toBe(300);

    for (let trial = 0; trial < 60; trial++) {
      const bad = path.join(dir, `bad-${trial}.arrow`);
      const mode = trial % 3;
      let bytes: Buffer;
      if (mode === 0) bytes = good.subarray(0, rng.int(0, good.length - 1)); // truncated
      else if (mode === 1) bytes = Buffer.concat([Buffer.from('garbage!'), good.subarray(8)]); // bad magic
      else {
        bytes = Buffer.from(good);
        for (let k = 0; k < 8; k++) bytes[rng.int(0, bytes.length - 1)] = rng.int(0, 255); // random bytes
      }
      fs.writeFileSync(bad, bytes);
      try {
        const t = await readArrowFile(bad);
        expect(mode, 'only random byte changes may go unnoticed (they can hit plain values)').toBe(2);
        expect(t.numRows).toBeGreaterThanOrEqual(0);
      } catch (error) {
        expect(error, String(error)).toBeInstanceOf(DataError);
        expect((error as DataError).at.file).toBe(bad);
      }
      if (mode !== 2) {
        const streamError = await caught(drain(streamArrow(bad)));
        expect(streamError.at.file).toBe(bad);
      }
    }
  });
});
