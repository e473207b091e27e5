// Reads plain JS values out of Arrow columns for chosen rows (null stays null; never a silent 0).
import type * as arrow from 'apache-arrow';

/** A JS value of one Arrow cell: numbers (dates as epoch ms), strings, booleans, nested arrays, or null. */
export type CellValue = number | string | boolean | null | CellValue[];

function plain(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object' && value !== null && Symbol.iterator in value) {
    return Array.from(value as Iterable<unknown>, plain);
  }
  throw new Error(`unsupported Arrow cell value ${String(value)}`);
}

/** The column named `name`, or an error naming the column and the table's columns. */
export function requireColumn(table: arrow.Table, name: string): arrow.Vector {
  const column = table.getChild(name);
  if (column === null) {
    throw new Error(`the table has no column "${name}" (it has: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  }
  return column;
}

/** Values of `column` at `rows` (all rows when omitted), as plain JS values. */
export function columnValues(table: arrow.Table, column: string, rows?: readonly number[]): CellValue[] {
  const vector = requireColumn(table, column);
  if (rows === undefined) return Array.from({ length: vector.length }, (_, i) => plain(vector.get(i)));
  return rows.map((row) => {
    if (!Number.isInteger(row) || row < 0 || row >= vector.length) throw new Error(`row ${row} is out of range 0..${vector.length - 1}`);
    return plain(vector.get(row));
  });
}
