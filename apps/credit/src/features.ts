// The features a credit model reads, the dataset schema built from them, and the conversion of one raw input
// record (JSON values or CSV text) into feature values, with an error naming the field for a bad record.
import { parseNumberText, type CellValue, type DatasetSchema, type Preprocessing } from '@finmm/data';

/** Name of the 0/1 label column the app adds to every table (1 = the positive, risky class). */
export const LABEL_COLUMN = '__label';
/** The task name of the credit head. */
export const CREDIT_TASK = 'credit_risk';

/** Which columns feed the model and how raw values are read. */
export interface FeatureSpec {
  numeric: string[];
  categorical: string[];
  /** Every feature column in the source's column order (how input records are checked and reported). */
  order: string[];
  /** Per categorical column, input codes accepted for its values (German Credit: `A11` -> `< 0 DM`). */
  codes: Record<string, Record<string, string>>;
  /** Categories outside the training ones are errors (true: a closed code list) or the unknown slot with a warning. */
  closedCategories: boolean;
  /** A row id column echoed by predict, when the data has one. */
  id: string | null;
}

/** The dataset schema of the features and the app's label column. */
export function creditSchema(spec: FeatureSpec): DatasetSchema {
  const columns: DatasetSchema['columns'] = {};
  for (const c of spec.numeric) columns[c] = { role: 'numeric' };
  for (const c of spec.categorical) columns[c] = { role: 'categorical' };
  columns[LABEL_COLUMN] = { role: 'label', task: CREDIT_TASK, kind: 'binary', classes: ['0', '1'] };
  return { name: 'credit', columns };
}

/** Feature values of one record, and notes about values mapped to the unknown category. */
export interface RecordValues {
  values: Record<string, CellValue>;
  warnings: string[];
  id: CellValue;
}

function numericValue(column: string, raw: unknown): number {
  if (raw === undefined) throw new Error(`field "${column}" is missing`);
  if (raw === null || raw === '') throw new Error(`field "${column}" is empty; expected a number`);
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new Error(`field "${column}": ${raw} is not a finite number`);
    return raw;
  }
  if (typeof raw === 'string') {
    try {
      return parseNumberText(raw);
    } catch (error) {
      throw new Error(`field "${column}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  throw new Error(`field "${column}": expected a number, got ${JSON.stringify(raw)}`);
}

function categoryValue(column: string, raw: unknown, spec: FeatureSpec, known: readonly string[], warnings: string[]): string | null {
  if (raw === undefined) throw new Error(`field "${column}" is missing`);
  if (raw === null || raw === '') {
    if (spec.closedCategories) throw new Error(`field "${column}" is empty; expected one of ${describe(column, spec, known)}`);
    warnings.push(`${column}: empty, read as the unknown category`);
    return null;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new Error(`field "${column}": expected a category, got ${JSON.stringify(raw)}`);
  }
  const text = String(raw).trim();
  const value = spec.codes[column]?.[text] ?? text;
  if (!known.includes(value)) {
    const codes = spec.codes[column] ?? {};
    const listed = Object.values(codes).includes(value);
    if (spec.closedCategories && !listed) throw new Error(`field "${column}": unknown category ${JSON.stringify(text)}; expected one of ${describe(column, spec, known)}`);
    warnings.push(`${column}: category ${JSON.stringify(text)} was not seen in training, read as unknown`);
  }
  return value;
}

function describe(column: string, spec: FeatureSpec, known: readonly string[]): string {
  const codes = spec.codes[column];
  if (codes !== undefined) return Object.entries(codes).map(([code, label]) => `${code} (${label})`).join(', ');
  return known.map((k) => JSON.stringify(k)).join(', ');
}

/** Reads one raw record into feature values; throws an Error naming every bad field (in `spec.order`). */
export function recordValues(record: Record<string, unknown>, spec: FeatureSpec, preprocessing: Preprocessing): RecordValues {
  const values: Record<string, CellValue> = {};
  const warnings: string[] = [];
  const problems: string[] = [];
  const numeric = new Set(spec.numeric);
  for (const c of spec.order) {
    try {
      values[c] = numeric.has(c) ? numericValue(c, record[c]) : categoryValue(c, record[c], spec, preprocessing.categorical(c).values, warnings);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new Error(`${problems.slice(0, 5).join('; ')}${more}`);
  }
  const id = spec.id === null ? null : (record[spec.id] ?? null);
  return { values, warnings, id: typeof id === 'object' ? null : (id as CellValue) };
}
