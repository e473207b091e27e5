// Column types the readers parse into, and their Apache Arrow types.
import * as arrow from 'apache-arrow';
import type { DateFormat } from './dates.js';

/** The value types a reader can parse a column into. */
export const COLUMN_TYPES = [
  'float64',
  'float32',
  'int32',
  'bool',
  'string',
  /** A calendar date, stored as Arrow Date64 (milliseconds since the epoch, UTC). */
  'date',
  /** An instant, stored as Arrow Timestamp (milliseconds since the epoch, UTC). */
  'timestamp',
  'list<float64>',
  'list<string>',
  /** A `[T, F]` sequence of feature vectors. */
  'list<list<float64>>',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** How to read one column. */
export interface ColumnSpec {
  type: ColumnType;
  /** Whether an empty CSV field / JSON null / missing key becomes null (default false: it is an error). */
  nullable?: boolean;
  /** For `date` and `timestamp` columns: how the text is written (default `iso`). */
  dateFormat?: DateFormat;
}

/** Declared columns: a type name or a full spec per column name, in output order. */
export type Columns = Record<string, ColumnType | ColumnSpec>;

/** A column name with its full spec. */
export interface NamedSpec extends ColumnSpec {
  name: string;
}

/** Expands the `Columns` shorthand into full specs, checking the type names. */
export function normaliseColumns(columns: Columns, source: string): NamedSpec[] {
  return Object.entries(columns).map(([name, value]) => {
    const spec: ColumnSpec = typeof value === 'string' ? { type: value } : value;
    if (!(COLUMN_TYPES as readonly string[]).includes(spec.type)) {
      throw new Error(`${source}: column "${name}": unknown type "${String(spec.type)}"; expected one of ${COLUMN_TYPES.join(', ')}`);
    }
    return { ...spec, name };
  });
}

function item(type: arrow.DataType): arrow.Field {
  return new arrow.Field('item', type, true);
}

/** The Arrow type a column type is stored as. */
export function arrowTypeOf(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'float64':
      return new arrow.Float64();
    case 'float32':
      return new arrow.Float32();
    case 'int32':
      return new arrow.Int32();
    case 'bool':
      return new arrow.Bool();
    case 'string':
      return new arrow.Utf8();
    case 'date':
      return new arrow.DateMillisecond();
    case 'timestamp':
      return new arrow.TimestampMillisecond();
    case 'list<float64>':
      return new arrow.List(item(new arrow.Float64()));
    case 'list<string>':
      return new arrow.List(item(new arrow.Utf8()));
    case 'list<list<float64>>':
      return new arrow.List(item(new arrow.List(item(new arrow.Float64()))));
  }
}

/** The Arrow schema of a list of column specs. */
export function arrowSchemaOf(specs: readonly NamedSpec[]): arrow.Schema {
  return new arrow.Schema(specs.map((s) => new arrow.Field(s.name, arrowTypeOf(s.type), s.nullable === true)));
}
