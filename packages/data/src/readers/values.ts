// Strict conversion of one CSV text field or JSON value to a column's type; a bad value throws, never becomes 0/NaN.
import type { ColumnSpec } from './column-types.js';
import { describeDateFormat, parseDate } from './dates.js';

/** A value that does not fit its column; `reason` says what was expected and what was found. */
export class BadValue extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BadValue';
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Quotes a bad value for a message, shortened to 40 characters. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Whether text is a decimal number (no NaN, Infinity, hex or thousands separators). */
export function isNumberText(text: string): boolean {
  return NUMBER.test(text);
}

/** Whether text is an integer that fits int32. */
export function isInt32Text(text: string): boolean {
  if (!INTEGER.test(text)) return false;
  const v = Number(text);
  return v >= INT32_MIN && v <= INT32_MAX;
}

/** Parses a finite decimal number; "NaN", "1.2.3", "" and overflow throw. */
export function parseNumberText(text: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new BadValue(`expected a number, got ${quote(text)}`);
  const v = Number(t);
  if (!Number.isFinite(v)) throw new BadValue(`number out of range: ${quote(text)}`);
  return v;
}

function checkNumber(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BadValue(`expected a finite number, got ${String(value)}`);
    return value;
  }
  if (typeof value === 'string') return parseNumberText(value);
  throw new BadValue(`expected a number, got ${typeof value} ${quote(value)}`);
}

function checkInt32(value: unknown): number {
  const v = typeof value === 'string' && !INTEGER.test(value.trim()) ? NaN : checkNumber(value);
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) throw new BadValue(`expected a 32-bit integer, got ${quote(value)}`);
  return v;
}

function checkBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  if (value === 1 || value === 0) return value === 1;
  throw new BadValue(`expected true or false, got ${quote(value)}`);
}

function checkDate(value: unknown, spec: ColumnSpec): number {
  if (typeof value === 'number' && (spec.dateFormat === 'epoch-ms' || spec.dateFormat === 'epoch-s')) {
    return checkDate(String(value), spec);
  }
  if (typeof value !== 'string') throw new BadValue(`expected a date string, got ${typeof value} ${quote(value)}`);
  const t = parseDate(value, spec.dateFormat);
  if (t === null) throw new BadValue(`unparsable date ${quote(value)}; expected ${describeDateFormat(spec.dateFormat)}`);
  return t;
}

function checkList(value: unknown): unknown[] {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new BadValue(`expected a JSON array, got ${quote(value)}`);
    }
  }
  if (!Array.isArray(value)) throw new BadValue(`expected an array, got ${quote(value)}`);
  return value;
}

function checkElements<T>(list: unknown[], check: (v: unknown) => T, what: string): T[] {
  return list.map((v, i) => {
    if (v === null || v === undefined) throw new BadValue(`null at index ${i} of ${what}`);
    try {
      return check(v);
    } catch (error) {
      if (error instanceof BadValue) throw new BadValue(`${error.reason} at index ${i} of ${what}`);
      throw error;
    }
  });
}

function checkJsonNumber(value: unknown): number {
  if (typeof value !== 'number') throw new BadValue(`expected a number, got ${typeof value} ${quote(value)}`);
  return checkNumber(value);
}

function checkNumberList(value: unknown): number[] {
  if (!Array.isArray(value)) throw new BadValue(`expected an array, got ${quote(value)}`);
  return checkElements(value, checkJsonNumber, 'the inner list');
}

function checkString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new BadValue(`expected a string, got ${typeof value} ${quote(value)}`);
}

/**
 * Converts a present (non-null) value to the column's type: a CSV field (string) or a JSON value.
 * Numbers must be finite decimals, dates must parse in the column's format; anything else throws BadValue.
 */
export function convertValue(value: unknown, spec: ColumnSpec): unknown {
  switch (spec.type) {
    case 'float64':
    case 'float32':
      return checkNumber(value);
    case 'int32':
      return checkInt32(value);
    case 'bool':
      return checkBool(value);
    case 'string':
      return checkString(value);
    case 'date':
    case 'timestamp':
      return checkDate(value, spec);
    case 'list<float64>':
      return checkElements(checkList(value), checkJsonNumber, 'the list');
    case 'list<string>':
      return checkElements(checkList(value), checkString, 'the list');
    case 'list<list<float64>>':
      return checkElements(checkList(value), checkNumberList, 'the list');
  }
}
