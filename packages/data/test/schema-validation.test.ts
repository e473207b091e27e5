import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError, parseDatasetSchema, validateTableAgainstSchema } from '../src/index.js';

const f = (t: arrow.DataType): arrow.Field => new arrow.Field('item', t, true);
const table = new arrow.Table({
  text: arrow.vectorFromArray(['a'], new arrow.Utf8()),
  price: arrow.vectorFromArray([1.5], new arrow.Float64()),
  sector: arrow.vectorFromArray(['x'], new arrow.Utf8()),
  date: arrow.vectorFromArray([0], new arrow.DateMillisecond()),
  ticker: arrow.vectorFromArray(['AAPL'], new arrow.Utf8()),
  series: arrow.vectorFromArray([[[1, 2]]], new arrow.List(f(new arrow.List(f(new arrow.Float64()))))),
  up: arrow.vectorFromArray([1], new arrow.Int32()),
});

const schema = parseDatasetSchema({
  name: 'toy',
  columns: {
    text: { role: 'text' },
    price: { role: 'numeric' },
    sector: { role: 'categorical' },
    date: { role: 'time' },
    ticker: { role: 'group' },
    series: { role: 'timeseries' },
    up: { role: 'label', task: 'movement', kind: 'binary' },
    prices: { role: 'timeseries-ref', table: 'prices', keyColumn: 'ticker', dateColumn: 'date', window: 5 },
  },
});

describe('validateTableAgainstSchema', () => {
  it('accepts a table whose columns fit their roles', () => {
    expect(() => validateTableAgainstSchema(table, schema, 'toy.arrow')).not.toThrow();
  });

  it('names the missing column and the expected type', () => {
    const s = parseDatasetSchema({ name: 'x', columns: { volume: { role: 'numeric' } } });
    expect(() => validateTableAgainstSchema(table, s, 'toy.arrow')).toThrow(DataError);
    expect(() => validateTableAgainstSchema(table, s, 'toy.arrow')).toThrow(
      /^toy\.arrow field "volume": missing column; expected a numeric \(int, float or bool\) column for role "numeric"/,
    );
  });

  it('names a column of the wrong Arrow type and what was expected', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ text: { role: 'numeric' } }, /field "text": wrong type Utf8; expected a numeric/],
      [{ price: { role: 'time' } }, /field "price": wrong type Float64; expected a date or timestamp column/],
      [{ price: { role: 'timeseries' } }, /field "price": wrong type Float64; expected a list<number>/],
      [{ up: { role: 'text' } }, /field "up": wrong type Int32; expected a string or list<string> column/],
      [{ r: { role: 'timeseries-ref', table: 'p', keyColumn: 'ticker', dateColumn: 'price', window: 3 } }, /field "price": wrong type Float64; expected a date, timestamp or date-string column \(date of timeseries-ref "r"\)/],
    ];
    for (const [columns, message] of cases) {
      expect(() => validateTableAgainstSchema(table, parseDatasetSchema({ name: 'x', columns }), 'toy.arrow')).toThrow(message);
    }
  });
});
