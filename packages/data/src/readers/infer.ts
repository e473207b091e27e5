// Infers column types from the values seen: CSV text (numbers, booleans, ISO dates, else strings) or JSON values.
import { DataError } from '../errors.js';
import type { ColumnType, NamedSpec } from './column-types.js';
import { isIsoDateOnly, parseIsoDate } from './dates.js';
import { isInt32Text, isNumberText } from './values.js';

const INT32 = 1;
const FLOAT = 2;
const BOOL = 4;
const DATE = 8;
const TIMESTAMP = 16;
const TEXT_ORDER: Array<[number, ColumnType]> = [
  [INT32, 'int32'],
  [FLOAT, 'float64'],
  [BOOL, 'bool'],
  [DATE, 'date'],
  [TIMESTAMP, 'timestamp'],
];

/** The candidate types (of those still `alive`) that `text` fits. */
function textCandidates(text: string, alive: number): number {
  const t = text.trim();
  let mask = 0;
  if ((alive & INT32) !== 0 && isInt32Text(t)) mask |= INT32;
  if ((alive & FLOAT) !== 0 && isNumberText(t)) mask |= FLOAT;
  if ((alive & BOOL) !== 0 && /^(true|false)$/i.test(t)) mask |= BOOL;
  if ((alive & DATE) !== 0 && isIsoDateOnly(t)) mask |= DATE;
  if ((alive & TIMESTAMP) !== 0 && parseIsoDate(t) !== null) mask |= TIMESTAMP;
  return mask;
}

/** Infers CSV column types: the narrowest of int32, float64, bool, date, timestamp that fits every value, else string. */
export class TextTypeInferrer {
  private readonly masks: number[];
  private readonly sawNull: boolean[];
  private readonly sawValue: boolean[];

  constructor(private readonly names: readonly string[]) {
    this.masks = names.map(() => INT32 | FLOAT | BOOL | DATE | TIMESTAMP);
    this.sawNull = names.map(() => false);
    this.sawValue = names.map(() => false);
  }

  /** Takes one record's fields (null where the field was a null token). */
  observe(fields: ReadonlyArray<string | null>): void {
    for (let i = 0; i < this.names.length; i++) {
      const value = fields[i];
      if (value === null || value === undefined) {
        this.sawNull[i] = true;
      } else {
        this.sawValue[i] = true;
        const alive = this.masks[i] ?? 0;
        if (alive !== 0) this.masks[i] = textCandidates(value, alive);
      }
    }
  }

  /** The inferred specs; a column with a null token is nullable. */
  result(): NamedSpec[] {
    return this.names.map((name, i) => {
      const mask = this.masks[i] ?? 0;
      const type = this.sawValue[i] === true ? (TEXT_ORDER.find(([bit]) => (mask & bit) !== 0)?.[1] ?? 'string') : 'string';
      return { name, type, nullable: this.sawNull[i] === true };
    });
  }
}

type JsonKind = 'bool' | 'int' | 'float' | 'date' | 'timestamp' | 'string' | 'list<string>' | 'list<number>' | 'list<list<number>>' | 'list<>';

function isNumberList(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

function jsonKind(value: unknown): JsonKind | null {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) && isInt32Text(String(value)) ? 'int' : 'float';
    case 'string':
      return isIsoDateOnly(value) ? 'date' : parseIsoDate(value) !== null ? 'timestamp' : 'string';
    default:
      if (!Array.isArray(value)) return null;
      if (value.length === 0) return 'list<>';
      if (value.every((v) => typeof v === 'string')) return 'list<string>';
      if (value.every((v) => typeof v === 'number')) return 'list<number>';
      if (value.every(isNumberList)) return 'list<list<number>>';
      return null;
  }
}

function mergeKinds(a: JsonKind, b: JsonKind): JsonKind | null {
  if (a === b) return a;
  const pair = new Set([a, b]);
  const has = (x: JsonKind, y: JsonKind): boolean => pair.has(x) && pair.has(y);
  if (has('int', 'float')) return 'float';
  if (has('date', 'timestamp')) return 'timestamp';
  if (has('date', 'string') || has('timestamp', 'string')) return 'string';
  if (pair.has('list<>') && (a.startsWith('list<') && b.startsWith('list<'))) return a === 'list<>' ? b : a;
  return null;
}

const KIND_TYPES: Record<JsonKind, ColumnType> = {
  bool: 'bool',
  int: 'int32',
  float: 'float64',
  date: 'date',
  timestamp: 'timestamp',
  string: 'string',
  'list<string>': 'list<string>',
  'list<number>': 'list<float64>',
  'list<list<number>>': 'list<list<float64>>',
  'list<>': 'list<float64>',
};

interface JsonColumnState {
  kind: JsonKind | null;
  line: number;
  sawNull: boolean;
}

/** Infers JSON-lines column types from JS value types; mixed types in one column are an error naming both lines. */
export class JsonTypeInferrer {
  private readonly columns = new Map<string, JsonColumnState>();
  private records = 0;

  constructor(private readonly file: string) {}

  /** Takes one record; keys missing from it (or seen only later) make their columns nullable. */
  observe(record: Record<string, unknown>, line: number): void {
    this.records += 1;
    for (const [name, value] of Object.entries(record)) {
      let state = this.columns.get(name);
      if (state === undefined) {
        state = { kind: null, line, sawNull: this.records > 1 };
        this.columns.set(name, state);
      }
      if (value === null) {
        state.sawNull = true;
        continue;
      }
      const kind = jsonKind(value);
      if (kind === null) {
        throw new DataError({ file: this.file, line, field: name }, `cannot infer a column type for ${JSON.stringify(value).slice(0, 40)}; declare the column's type`);
      }
      if (state.kind === null) {
        state.kind = kind;
        state.line = line;
        continue;
      }
      const merged = mergeKinds(state.kind, kind);
      if (merged === null) {
        throw new DataError(
          { file: this.file, line, field: name },
          `mixed types: ${kind} here, ${state.kind} at line ${state.line}; declare the column's type`,
        );
      }
      state.kind = merged;
    }
    for (const [name, state] of this.columns) if (!(name in record)) state.sawNull = true;
  }

  /** The inferred specs in order of first appearance. */
  result(): NamedSpec[] {
    return [...this.columns.entries()].map(([name, s]) => ({
      name,
      type: s.kind === null ? 'string' : KIND_TYPES[s.kind],
      nullable: s.sawNull,
    }));
  }
}
