import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataError,
  columnsFromSchema,
  parseDate,
  parseDatasetSchema,
  readCsv,
  readJsonl,
  readTable,
  streamArrow,
  streamCsv,
  writeArrowFile,
} from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-readers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(content: string | Buffer, ext = 'csv'): string {
  const file = path.join(dir, `f${n++}.${ext}`);
  fs.writeFileSync(file, content);
  return file;
}
function rows(table: arrow.Table): Array<Record<string, unknown>> {
  return table.toArray().map((r: { toJSON(): Record<string, unknown> }) => {
    const o = r.toJSON();
    for (const [k, v] of Object.entries(o)) if (v instanceof arrow.Vector) o[k] = [...v].map((x: unknown) => (x instanceof arrow.Vector ? [...x] : x));
    return o;
  });
}

describe('readCsv', () => {
  it('infers int, float, bool, date, timestamp and string columns; nullable where a field is empty', async () => {
    const file = write('i,f,b,d,t,s\n1,1.5,true,2020-01-02,2020-01-02T03:04:05Z,x\n2,,false,2020-02-29,2020-01-02 03:04,"y, z"\n');
    const { table } = await readCsv(file);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual([
      'i:Int32:false',
      'f:Float64:true',
      'b:Bool:false',
      'd:Date64<MILLISECOND>:false',
      't:Timestamp<MILLISECOND>:false',
      's:Utf8:false',
    ]);
    expect(rows(table)).toEqual([
      { i: 1, f: 1.5, b: true, d: Date.UTC(2020, 0, 2), t: Date.UTC(2020, 0, 2, 3, 4, 5), s: 'x' },
      { i: 2, f: null, b: false, d: Date.UTC(2020, 1, 29), t: Date.UTC(2020, 0, 2, 3, 4), s: 'y, z' },
    ]);
  });

  it('reads declared columns only, in declared order, from TSV, CRLF, BOM and multi-line quoted fields', async () => {
    const file = write(Buffer.from('\uFEFFname\tprice\tnote\r\n"a\r\nb"\t1e3\tx\r\nc\t-2.5\ty\r\n', 'utf8'), 'tsv');
    const { table } = await readTable(file, { columns: { price: 'float64', name: 'string' } });
    expect(rows(table)).toEqual([
      { price: 1000, name: 'a\nb' },
      { price: -2.5, name: 'c' },
    ]);
  });

  it('reads files without a header, custom null tokens and latin1', async () => {
    const file = write(Buffer.from('Zürich@NA\nBern@3\n', 'latin1'));
    const { table } = await readCsv(file, {
      header: ['city', 'n'],
      delimiter: '@',
      nullValues: ['NA'],
      encoding: 'latin1',
      columns: { city: 'string', n: { type: 'int32', nullable: true } },
    });
    expect(rows(table)).toEqual([
      { city: 'Zürich', n: null },
      { city: 'Bern', n: 3 },
    ]);
  });

  it('reads empty fields as empty strings when nullValues is []', async () => {
    const file = write('a,b\n,1\n');
    const { table } = await readCsv(file, { nullValues: [], columns: { a: 'string', b: 'int32' } });
    expect(rows(table)).toEqual([{ a: '', b: 1 }]);
  });

  it('keeps the schema of an empty file body and rejects an empty file', async () => {
    const { table } = await readCsv(write('a,b\n'), { columns: { a: 'string', b: 'float64' } });
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
    const empty = write('');
    await expect(readCsv(empty)).rejects.toThrow(`${empty}:1: empty file: no header line`);
  });

  it('errors name the file, line and field', async () => {
    const file = write('d,x\n2020-01-01,1\n2020-01-32,2\n');
    await expect(readCsv(file, { columns: { d: 'date', x: 'float64' } })).rejects.toThrow(
      `${file}:3 field "d": unparsable date "2020-01-32"; expected an ISO 8601 date`,
    );
    const nan = write('x\n1\nNaN\n');
    await expect(readCsv(nan, { columns: { x: 'float64' } })).rejects.toThrow(`${nan}:3 field "x": expected a number, got "NaN"`);
    const dup = write('x,x\n1,2\n');
    await expect(readCsv(dup)).rejects.toThrow(`${dup}:1 field "x": duplicate column name`);
    await expect(readCsv(path.join(dir, 'nope.csv'))).rejects.toThrow(DataError);
  });

  it('streams RecordBatches of batchRows rows; inferred types hint at declaring columns', async () => {
    const lines = ['a,b', ...Array.from({ length: 25 }, (_, i) => `${i},${i % 2 === 0 ? 'x' : 'y'}`)];
    const file = write(lines.join('\n'));
    const sizes: number[] = [];
    for await (const batch of streamCsv(file, { batchRows: 10 })) sizes.push(batch.numRows);
    expect(sizes).toEqual([10, 10, 5]);
    const late = write(['a', ...Array.from({ length: 20 }, (_, i) => String(i)), 'oops'].join('\n'));
    const consume = async (): Promise<void> => {
      for await (const batch of streamCsv(late, { batchRows: 10 })) void batch;
    };
    await expect(consume()).rejects.toThrow(/:22 field "a": expected a 32-bit integer, got "oops" \(column types were inferred from the first 10 rows/);
  });
});

describe('readJsonl', () => {
  it('infers list, date and string columns and parses declared Twitter dates', async () => {
    const file = write(
      '{"text": ["a", "b"], "created_at": "Wed Jan 01 03:59:03 +0000 2014", "n": 1}\n\n{"text": [], "created_at": "Thu Jan 02 10:00:00 +0100 2014", "n": 2.5}\n',
      'jsonl',
    );
    const inferred = await readJsonl(file);
    expect(inferred.table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['text:List<Utf8>', 'created_at:Utf8', 'n:Float64']);
    const { table } = await readJsonl(file, { columns: { text: 'list<string>', created_at: { type: 'timestamp', dateFormat: 'twitter' } } });
    expect(rows(table)).toEqual([
      { text: ['a', 'b'], created_at: Date.UTC(2014, 0, 1, 3, 59, 3) },
      { text: [], created_at: Date.UTC(2014, 0, 2, 9, 0, 0) },
    ]);
  });

  it('reads [T, F] sequences and rejects NaN-like values inside them', async () => {
    const file = write('{"s": [[1, 2], [3, 4]]}\n{"s": [[5, "NaN"]]}\n', 'jsonl');
    await expect(readJsonl(file, { columns: { s: 'list<list<float64>>' } })).rejects.toThrow(
      `${file}:2 field "s": expected a number, got string "NaN" at index 1 of the inner list at index 0 of the list`,
    );
    const { table, skipped } = await readJsonl(file, { columns: { s: 'list<list<float64>>' }, lenient: true });
    expect(rows(table)).toEqual([{ s: [[1, 2], [3, 4]] }]);
    expect(skipped.total).toBe(1);
  });

  it('mixed types in an undeclared column name both lines', async () => {
    const file = write('{"a": 1}\n{"a": "x"}\n', 'jsonl');
    await expect(readJsonl(file)).rejects.toThrow(`${file}:2 field "a": mixed types: string here, int at line 1`);
  });
});

describe('Arrow IPC', () => {
  it('streams the record batches of a file', async () => {
    const table = new arrow.Table([1, 2, 3].map((k) => new arrow.Table({ x: arrow.vectorFromArray([k, k], new arrow.Float64()) }).batches[0] as arrow.RecordBatch));
    const file = path.join(dir, 'three.arrow');
    await writeArrowFile(file, table);
    const seen: number[][] = [];
    for await (const batch of streamArrow(file)) seen.push([...(batch.getChild('x') ?? [])].map(Number));
    expect(seen).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect((await readTable(file)).table.numRows).toBe(6);
  });
});

describe('dates', () => {
  it('parses strictly', () => {
    expect(parseDate('2014-01-02')).toBe(Date.UTC(2014, 0, 2));
    expect(parseDate('2014-01-02T10:00:00+02:00')).toBe(Date.UTC(2014, 0, 2, 8));
    expect(parseDate('2014-02-29')).toBeNull();
    expect(parseDate('2014-01-02T24:00')).toBeNull();
    expect(parseDate('Jan 2 2014')).toBeNull();
    expect(parseDate('1388620800', 'epoch-s')).toBe(Date.UTC(2014, 0, 2));
    expect(parseDate('Wed Jan 01 03:59:03 +0000 2014', 'twitter')).toBe(Date.UTC(2014, 0, 1, 3, 59, 3));
  });
});

describe('columnsFromSchema', () => {
  it('declares the obvious types of a schema', () => {
    const schema = parseDatasetSchema({
      name: 's',
      columns: {
        t: { role: 'text' },
        x: { role: 'numeric' },
        c: { role: 'categorical' },
        d: { role: 'time' },
        y: { role: 'label', task: 'up', kind: 'binary' },
        s: { role: 'timeseries' },
      },
    });
    expect(columnsFromSchema(schema, ['x'])).toEqual({
      t: { type: 'string', nullable: false },
      x: { type: 'float64', nullable: true },
      c: { type: 'string', nullable: false },
      d: { type: 'date', nullable: false },
      y: { type: 'string', nullable: false },
    });
  });
});
