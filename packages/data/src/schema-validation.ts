// Checks that a table has every column a dataset schema names, with an Arrow type that fits the column's role.
import * as arrow from 'apache-arrow';
import { DataError } from './errors.js';
import type { ColumnRole, DatasetSchema } from './schema.js';

type TypeTest = (type: arrow.DataType) => boolean;

const isNumber: TypeTest = (t) => arrow.DataType.isInt(t) || arrow.DataType.isFloat(t);
const isText: TypeTest = (t) =>
  arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || (arrow.DataType.isDictionary(t) && isText(t.dictionary));
const isTime: TypeTest = (t) => arrow.DataType.isDate(t) || arrow.DataType.isTimestamp(t);
const isKey: TypeTest = (t) => isText(t) || arrow.DataType.isInt(t);
const childType = (t: arrow.DataType): arrow.DataType | undefined =>
  arrow.DataType.isList(t) || arrow.DataType.isFixedSizeList(t) ? t.children[0]?.type : undefined;
const listOf =
  (inner: TypeTest): TypeTest =>
  (t) => {
    const child = childType(t);
    return child !== undefined && inner(child);
  };
const anyOf =
  (...tests: TypeTest[]): TypeTest =>
  (t) =>
    tests.some((test) => test(t));

interface Expectation {
  test: TypeTest;
  description: string;
}

/** The Arrow types a column of each role may have. */
export function expectedTypeOf(role: ColumnRole): Expectation {
  switch (role.role) {
    case 'text':
      return { test: anyOf(isText, listOf(isText)), description: 'a string or list<string> column' };
    case 'timeseries':
      return {
        test: anyOf(listOf(isNumber), listOf(listOf(isNumber))),
        description: 'a list<number> ([T]) or list<list<number>> ([T, F]) column',
      };
    case 'timeseries-ref':
      return { test: () => true, description: 'any column (resolved by key and date)' };
    case 'image':
      return role.source === 'path'
        ? { test: isText, description: 'a string column of image paths' }
        : { test: anyOf(listOf(isNumber), arrow.DataType.isBinary), description: 'a list<number> or binary column of pixels' };
    case 'numeric':
      return { test: anyOf(isNumber, arrow.DataType.isBool), description: 'a numeric (int, float or bool) column' };
    case 'categorical':
      return { test: anyOf(isText, arrow.DataType.isInt, arrow.DataType.isBool), description: 'a string, int or bool column' };
    case 'label':
      return role.kind === 'regression'
        ? { test: anyOf(isNumber, listOf(isNumber)), description: 'a numeric or list<number> column (regression targets)' }
        : { test: anyOf(isText, arrow.DataType.isInt, arrow.DataType.isBool), description: 'a string, int or bool column (class labels)' };
    case 'group':
      return { test: isKey, description: 'a string or int column (group key)' };
    case 'time':
      return { test: isTime, description: 'a date or timestamp column' };
    case 'id':
      return { test: () => true, description: 'any column' };
  }
}

/**
 * Checks every schema column against the table: a missing column or a wrong Arrow type is a DataError naming
 * `source`, the column and the expected type. A `timeseries-ref` needs its key and date columns instead.
 */
export function validateTableAgainstSchema(table: arrow.Table, schema: DatasetSchema, source: string): void {
  const fieldOf = (name: string): arrow.Field | undefined => table.schema.fields.find((f) => f.name === name);
  const require = (name: string, expectation: Expectation, why: string): void => {
    const field = fieldOf(name);
    if (field === undefined) {
      const has = table.schema.fields.map((f) => f.name).join(', ');
      throw new DataError({ file: source, field: name }, `missing column; expected ${expectation.description} ${why} (the table has: ${has})`);
    }
    if (!expectation.test(field.type)) {
      throw new DataError({ file: source, field: name }, `wrong type ${String(field.type)}; expected ${expectation.description} ${why}`);
    }
  };
  for (const [name, role] of Object.entries(schema.columns)) {
    if (role.role === 'timeseries-ref') {
      require(role.keyColumn, { test: isKey, description: 'a string or int column' }, `(key of timeseries-ref "${name}")`);
      require(role.dateColumn, { test: anyOf(isTime, isText), description: 'a date, timestamp or date-string column' }, `(date of timeseries-ref "${name}")`);
      continue;
    }
    require(name, expectedTypeOf(role), `for role "${role.role}"`);
  }
}
