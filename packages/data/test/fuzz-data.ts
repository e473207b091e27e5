// Seeded generators of clean and corrupted CSV / JSON-lines files for the reader fuzz tests.
import { Rng } from '@finmm/core';

/** Columns of the generated files, as declared to the readers. */
export const FUZZ_COLUMNS = {
  id: 'int32',
  date: 'date',
  price: 'float64',
  name: 'string',
  flag: 'bool',
  volume: { type: 'float64', nullable: true },
} as const;
const NAMES = Object.keys(FUZZ_COLUMNS);

/** One generated row and, when corrupted, which field is to blame (undefined: the whole record). */
export interface FuzzRow {
  id: number;
  bad: boolean;
  field?: string;
  kind?: string;
}

/** A generated file: its bytes, the rows in file order, and the line each row starts on. */
export interface FuzzFile {
  bytes: Buffer;
  rows: FuzzRow[];
  lines: number[];
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)] as T;
}

function isoDate(rng: Rng): string {
  const d = new Date(Date.UTC(2014, 0, 1) + rng.int(0, 700) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function csvQuote(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const WORDS = ['acme', 'beta, inc', 'say "hi"', 'multi\nline', 'plain', 'zürich', '€uro', 'x'];
const BAD_NUMBERS = ['1.2.3', 'NaN', 'abc', '1e999', '--1', '0x10', 'Infinity', '', '1,5'];
const BAD_DATES = ['2020-13-01', '2020-02-30', 'yesterday', '2020/01/02', '', '01-02-2020', '2020-1-2'];
const BAD_INTS = ['1.5', '99999999999', 'one', ''];
const BAD_BOOLS = ['yes', 'T', '', 'truee'];

interface CleanRow {
  id: number;
  fields: string[]; // CSV-escaped field texts
  json: Record<string, unknown>;
}

function cleanRow(rng: Rng, id: number): CleanRow {
  const date = isoDate(rng);
  const price = Math.round(rng.float() * 1e6) / 100;
  const name = pick(rng, WORDS);
  const flag = rng.float() < 0.5;
  const volume = rng.float() < 0.2 ? null : rng.int(0, 1e6);
  return {
    id,
    fields: [String(id), date, String(price), csvQuote(name), String(flag), volume === null ? '' : String(volume)],
    json: { id, date, price, name, flag, volume },
  };
}

/** Joins rows into a file and records the 1-based line each row starts on. */
function assemble(texts: Array<Buffer>, header: Buffer | null, rows: FuzzRow[]): FuzzFile {
  const parts: Buffer[] = [];
  const lines: number[] = [];
  let line = 1;
  if (header !== null) {
    parts.push(header, Buffer.from('\n'));
    line += 1 + header.toString('latin1').split('\n').length - 1;
  }
  for (const text of texts) {
    lines.push(line);
    parts.push(text, Buffer.from('\n'));
    line += text.toString('latin1').split('\n').length;
  }
  return { bytes: Buffer.concat(parts), rows, lines };
}

/** A CSV file of `n` rows where about `rate` of them carry one random corruption. */
export function corruptCsv(rng: Rng, n: number, rate: number): FuzzFile {
  const rows: FuzzRow[] = [];
  const texts: Buffer[] = [];
  for (let id = 0; id < n; id++) {
    const row = cleanRow(rng, id);
    const fields = [...row.fields];
    let text: Buffer | null = null;
    const fuzz: FuzzRow = { id, bad: false };
    if (rng.float() < rate) {
      fuzz.bad = true;
      const kind = pick(rng, ['truncate', 'drop-field', 'extra-field', 'number', 'date', 'int', 'bool', 'utf8', 'unclosed-quote', 'stray-quote', 'empty-required']);
      fuzz.kind = kind;
      const set = (name: string, value: string): void => {
        fields[NAMES.indexOf(name)] = csvQuote(value);
        fuzz.field = name;
      };
      switch (kind) {
        case 'truncate': {
          // Cut the first physical line before the delimiter of the last field: fewer fields or an open quote.
          const full = fields.join(',');
          const lastComma = full.length - (fields[fields.length - 1] ?? '').length - 1;
          const newline = full.indexOf('\n');
          text = Buffer.from(full.slice(0, rng.int(1, (newline < 0 ? lastComma : Math.min(lastComma, newline)) - 1)));
          break;
        }
        case 'drop-field':
          fields.splice(rng.int(0, fields.length - 1), 1);
          break;
        case 'extra-field':
          fields.splice(rng.int(0, fields.length), 0, 'extra');
          break;
        case 'number':
          set('price', pick(rng, BAD_NUMBERS));
          break;
        case 'date':
          set('date', pick(rng, BAD_DATES));
          break;
        case 'int':
          set('id', pick(rng, BAD_INTS));
          break;
        case 'bool':
          set('flag', pick(rng, BAD_BOOLS));
          break;
        case 'utf8':
          fuzz.field = 'name';
          text = Buffer.concat(
            fields.map((f, i) => (i === NAMES.indexOf('name') ? Buffer.concat([Buffer.from('ab'), Buffer.from([0xff, 0xc3]), Buffer.from('cd')]) : Buffer.from(f))).flatMap((b, i) => (i === 0 ? [b] : [Buffer.from(','), b])),
          );
          break;
        case 'unclosed-quote':
          fields[NAMES.indexOf('name')] = '"abc';
          break;
        case 'stray-quote':
          fields[NAMES.indexOf('name')] = 'ab"c"d';
          break;
        case 'empty-required':
          set(pick(rng, ['price', 'date', 'name', 'flag']), ''); // empty = null, and these columns are not nullable
          break;
      }
    }
    rows.push(fuzz);
    texts.push(text ?? Buffer.from(fields.join(',')));
  }
  return assemble(texts, Buffer.from(NAMES.join(',')), rows);
}

/** A JSON-lines file of `n` rows where about `rate` of them carry one random corruption. */
export function corruptJsonl(rng: Rng, n: number, rate: number): FuzzFile {
  const rows: FuzzRow[] = [];
  const texts: Buffer[] = [];
  for (let id = 0; id < n; id++) {
    const record = cleanRow(rng, id).json;
    let text: Buffer | null = null;
    const fuzz: FuzzRow = { id, bad: false };
    if (rng.float() < rate) {
      fuzz.bad = true;
      const kind = pick(rng, ['truncate', 'not-object', 'number', 'nan-text', 'null-required', 'missing-key', 'date', 'wrong-type', 'utf8', 'list']);
      fuzz.kind = kind;
      const set = (name: string, value: unknown): void => {
        record[name] = value;
        fuzz.field = name;
      };
      switch (kind) {
        case 'truncate': {
          const full = JSON.stringify(record);
          text = Buffer.from(full.slice(0, rng.int(1, full.length - 1)));
          break;
        }
        case 'not-object':
          text = Buffer.from(pick(rng, ['[1,2,3]', '42', '"text"', 'null']));
          break;
        case 'number':
          set('price', pick(rng, ['1.2.3', 'abc', '']));
          break;
        case 'nan-text':
          set('price', 'NaN');
          break;
        case 'null-required':
          set(pick(rng, ['price', 'date', 'name', 'flag', 'id']), null);
          break;
        case 'missing-key': {
          const key = pick(rng, ['price', 'date', 'name', 'flag', 'id']);
          delete record[key];
          fuzz.field = key;
          break;
        }
        case 'date':
          set('date', pick(rng, BAD_DATES));
          break;
        case 'wrong-type':
          set(pick(rng, ['name', 'flag', 'id']), pick(rng, [{ a: 1 }, [1], 1.5, 'yes']));
          if (fuzz.field === 'name' && typeof record['name'] === 'string') fuzz.bad = false;
          break;
        case 'utf8': {
          fuzz.field = 'name';
          const full = JSON.stringify({ ...record, name: 'ab__cd' });
          const at = full.indexOf('__');
          text = Buffer.concat([Buffer.from(full.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(full.slice(at + 2))]);
          break;
        }
        case 'list':
          text = Buffer.from(`${JSON.stringify(record).slice(0, -1)},}`); // trailing comma: invalid JSON
          break;
      }
    }
    rows.push(fuzz);
    texts.push(text ?? Buffer.from(JSON.stringify(record)));
  }
  return assemble(texts, null, rows);
}
