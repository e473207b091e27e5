// Strict parsers for text fields: a bad value is a DataError naming file, line and field, never 0 or NaN.
// They take the location as separate arguments so the hot path allocates nothing.
import { DataError } from '@finmm/data';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a finite decimal number (no blanks, no NaN/Infinity, no hex); the error names file, line and field. */
export function parseDecimal(text: string, file: string, line: number, field: string): number {
  if (!DECIMAL.test(text)) throw new DataError({ file, line, field }, `expected a number, got "${text}"`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new DataError({ file, line, field }, `expected a finite number, got "${text}"`);
  return value;
}

/** Parses a base-10 integer that fits a double exactly; the error names file, line and field. */
export function parseInteger(text: string, file: string, line: number, field: string): number {
  if (!INTEGER.test(text)) throw new DataError({ file, line, field }, `expected an integer, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new DataError({ file, line, field }, `integer out of range: "${text}"`);
  return value;
}

/** True when `text` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  return d <= days;
}

/** Checks a YYYY-MM-DD calendar date and returns it unchanged; the error names file, line and field. */
export function parseIsoDate(text: string, file: string, line: number, field: string): string {
  if (!isIsoDate(text)) throw new DataError({ file, line, field }, `expected a date YYYY-MM-DD, got "${text}"`);
  return text;
}
