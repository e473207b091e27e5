// Parses german.data: 20 space-separated attributes and the class (1 good, 2 bad) per line.
import { DataError, rejectRecord, type BadRecordPolicy } from '@finmm/data';
import { splitLines } from '../common/lines.js';
import { parseInteger } from '../common/values.js';
import { GERMAN_ATTRIBUTES } from './attributes.js';

/** One applicant: attribute values by name (numbers or category labels) and the class index. */
export interface GermanRecord {
  /** 0-based index among the file's non-empty lines (folds_5.json's index), kept when others are skipped. */
  row: number;
  values: Record<string, number | string>;
  /** 0 good, 1 bad. */
  label: number;
}

/** The parsed records and the number of non-empty lines. */
export interface ParsedGerman {
  records: GermanRecord[];
  rows: number;
}

function parseLine(fields: string[], file: string, line: number, row: number): GermanRecord {
  const expected = GERMAN_ATTRIBUTES.length + 1;
  if (fields.length !== expected) {
    throw new DataError({ file, line }, `expected ${expected} space-separated fields (20 attributes and the class), got ${fields.length}`);
  }
  const values: Record<string, number | string> = {};
  GERMAN_ATTRIBUTES.forEach((attribute, i) => {
    const text = fields[i] as string;
    if (attribute.kind === 'numeric') {
      values[attribute.name] = parseInteger(text, file, line, attribute.name);
    } else {
      const label = Object.hasOwn(attribute.codes, text) ? attribute.codes[text] : undefined;
      if (label === undefined) {
        throw new DataError({ file, line, field: attribute.name }, `unknown code "${text}"; german.doc lists ${Object.keys(attribute.codes).join(', ')}`);
      }
      values[attribute.name] = label;
    }
  });
  const classText = fields[GERMAN_ATTRIBUTES.length] as string;
  if (classText !== '1' && classText !== '2') {
    throw new DataError({ file, line, field: 'class' }, `expected class 1 (good) or 2 (bad), got "${classText}"`);
  }
  return { row, values, label: classText === '1' ? 0 : 1 };
}

/** The applicants of german.data's text; a wrong field count, bad number or unknown code is a DataError. */
export function parseGermanData(text: string, file: string, policy: BadRecordPolicy = {}): ParsedGerman {
  const records: GermanRecord[] = [];
  let row = 0;
  for (const { line, text: raw } of splitLines(text)) {
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const thisRow = row++;
    try {
      records.push(parseLine(trimmed.split(/\s+/), file, line, thisRow));
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      rejectRecord(error, policy);
    }
  }
  return { records, rows: row };
}
