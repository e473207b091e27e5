// Loads the rows a credit model trains on: German Credit (german.data + folds_5.json) or the user's own table
// (CSV, JSONL or Arrow, column types inferred by @finmm/data's readers), with a 0/1 label and the fold of each row.
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { columnValues, kFold, readTable, SkipReport, type CellValue } from '@finmm/data';
import { GERMAN_ATTRIBUTES, GERMAN_CLASSES, GERMAN_COST_MATRIX, loadGermanCredit, type CostMatrix } from '@finmm/finance-tasks';
import type { CreditDataConfig } from './config.js';
import { LABEL_COLUMN, type FeatureSpec } from './features.js';

/** Rows ready for training: features, a 0/1 label column, folds and where they came from. */
export interface CreditData {
  /** Feature columns and LABEL_COLUMN (int32 0/1). */
  table: arrow.Table;
  spec: FeatureSpec;
  /** 0/1 label of each row (1 = positive, the risky class). */
  labels: number[];
  /** Class names [negative, positive]. */
  classes: [string, string];
  /** Fold of each row, for cross-validation. */
  folds: number[];
  costMatrix: CostMatrix;
  /** Source files (fingerprinted in every run). */
  files: string[];
  /** Records skipped as malformed (lenient mode only). */
  skipped: SkipReport;
  /** Human name of the data, e.g. `german.data` or the file name. */
  name: string;
}

function take(table: arrow.Table, names: readonly string[], limit: number | undefined): Record<string, arrow.Vector> {
  const out: Record<string, arrow.Vector> = {};
  for (const name of names) {
    const vector = table.getChild(name);
    if (vector === null) throw new Error(`the table has no column "${name}"`);
    out[name] = limit === undefined || limit >= vector.length ? vector : vector.slice(0, limit);
  }
  return out;
}

async function loadGerman(config: Extract<CreditDataConfig, { source: 'german' }>): Promise<CreditData> {
  const dataset = await loadGermanCredit(config.dataDir === undefined ? {} : { dataDir: config.dataDir });
  const numeric = GERMAN_ATTRIBUTES.filter((a) => a.kind === 'numeric').map((a) => a.name);
  const categorical = GERMAN_ATTRIBUTES.filter((a) => a.kind === 'categorical').map((a) => a.name);
  const codes: FeatureSpec['codes'] = {};
  for (const a of GERMAN_ATTRIBUTES) if (a.kind === 'categorical') codes[a.name] = { ...a.codes };
  const columns = take(dataset.table, [...numeric, ...categorical, 'class', 'fold'], config.limit);
  const labels = Array.from(columns['class']?.toArray() as Int32Array);
  const folds = Array.from(columns['fold']?.toArray() as Int32Array);
  const { class: labelVector, fold: _fold, ...features } = columns;
  const table = new arrow.Table({ ...features, [LABEL_COLUMN]: labelVector as arrow.Vector });
  const folder = path.dirname(dataset.file);
  return {
    table,
    spec: { numeric, categorical, order: GERMAN_ATTRIBUTES.map((a) => a.name), codes, closedCategories: true, id: null },
    labels,
    classes: [GERMAN_CLASSES[0], GERMAN_CLASSES[1]],
    folds,
    costMatrix: { classes: [...GERMAN_COST_MATRIX.classes], cost: GERMAN_COST_MATRIX.cost.map((r) => [...r]) },
    files: [dataset.file, path.join(folder, 'folds_5.json')],
    skipped: new SkipReport(),
    name: 'german.data',
  };
}

/** Feature role of a column from its Arrow type: numbers numeric, strings and booleans categorical, others none. */
function inferredRole(type: arrow.DataType): 'numeric' | 'categorical' | null {
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) return 'numeric';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isBool(type) || arrow.DataType.isDictionary(type)) return 'categorical';
  return null;
}

function labelsOf(values: readonly CellValue[], positive: string | number | boolean, column: string, file: string): { labels: number[]; negative: string } {
  const distinct = [...new Set(values.map((v) => (v === null ? null : String(v))))];
  const nullAt = values.indexOf(null);
  if (nullAt >= 0) throw new Error(`${file}: data row ${nullAt + 1}: the label "${column}" is empty; every row needs a label`);
  const want = String(positive);
  if (!distinct.includes(want)) throw new Error(`${file}: config field "data.positive": ${JSON.stringify(positive)} never occurs in label column "${column}" (values: ${distinct.slice(0, 10).map((v) => JSON.stringify(v)).join(', ')})`);
  const others = distinct.filter((v) => v !== want) as string[];
  if (others.length !== 1) throw new Error(`${file}: label column "${column}" must hold exactly two values for a binary task; it holds ${distinct.length}: ${distinct.slice(0, 10).map((v) => JSON.stringify(v)).join(', ')}`);
  return { labels: values.map((v) => (String(v) === want ? 1 : 0)), negative: others[0] as string };
}

function foldsOf(config: Extract<CreditDataConfig, { source: 'file' }>, table: arrow.Table, labels: number[], file: string): number[] {
  if (typeof config.folds === 'number') {
    if (config.folds > labels.length) throw new Error(`${file}: ${config.folds} folds for ${labels.length} rows`);
    const assignment = new Array<number>(labels.length).fill(0);
    kFold(labels.length, config.folds, { seed: config.foldSeed, labels }).forEach((f, k) => f.valid.forEach((row) => (assignment[row] = k)));
    return assignment;
  }
  const column = config.folds.column;
  const values = columnValues(table, column);
  const folds = values.map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${file}: data row ${i + 1}: fold column "${column}" holds ${JSON.stringify(v)}; expected a fold number 0, 1, ...`);
    return v;
  });
  const k = Math.max(...folds) + 1;
  for (let f = 0; f < k; f++) if (!folds.includes(f)) throw new Error(`${file}: fold column "${column}" has no row in fold ${f} of 0..${k - 1}`);
  return folds;
}

async function loadFile(config: Extract<CreditDataConfig, { source: 'file' }>): Promise<CreditData> {
  const file = path.resolve(config.path);
  const skipped = new SkipReport(1000);
  const read = await readTable(file, { lenient: config.lenient, skipped });
  const names = read.table.schema.fields.map((f) => f.name);
  for (const [name] of Object.entries(config.columns)) {
    if (!names.includes(name)) throw new Error(`${file}: config field "data.columns.${name}": no such column (the table has: ${names.join(', ')})`);
  }
  for (const [field, name] of [['label', config.label], ['id', config.id]] as const) {
    if (name !== undefined && !names.includes(name)) throw new Error(`${file}: config field "data.${field}": no column "${name}" (the table has: ${names.join(', ')})`);
  }
  const foldColumn = typeof config.folds === 'object' ? config.folds.column : null;
  const numeric: string[] = [];
  const categorical: string[] = [];
  for (const field of read.table.schema.fields) {
    if (field.name === config.label || field.name === config.id || field.name === foldColumn) continue;
    const role = config.columns[field.name] ?? inferredRole(field.type);
    if (role === 'numeric') numeric.push(field.name);
    else if (role === 'categorical') categorical.push(field.name);
    else if (role === null) process.stderr.write(`credit: column "${field.name}" (${String(field.type)}) is not numeric or categorical; left out (set data.columns.${field.name})\n`);
  }
  if (numeric.length + categorical.length === 0) throw new Error(`${file}: no feature columns left after the label, id and ignored columns`);
  const limit = config.limit;
  const table0 = limit === undefined ? read.table : read.table.slice(0, limit);
  for (const c of numeric) {
    const values = columnValues(table0, c);
    const empty = values.flatMap((v, i) => (v === null ? [i + 1] : []));
    if (empty.length > 0) {
      throw new Error(`${file}: numeric column "${c}" has ${empty.length} empty values (first in data row ${empty[0]}); numeric features cannot be empty: fill them, or set data.columns.${c} to categorical or ignore`);
    }
  }
  const { labels, negative } = labelsOf(columnValues(table0, config.label), config.positive, config.label, file);
  const folds = foldsOf(config, table0, labels, file);
  const columns = take(table0, [...numeric, ...categorical], undefined);
  const table = new arrow.Table({ ...columns, [LABEL_COLUMN]: arrow.vectorFromArray(Int32Array.from(labels)) });
  return {
    table,
    spec: { numeric, categorical, order: names.filter((n) => numeric.includes(n) || categorical.includes(n)), codes: {}, closedCategories: false, id: config.id ?? null },
    labels,
    classes: [negative, String(config.positive)],
    folds,
    costMatrix: { classes: [negative, String(config.positive)], cost: [[0, 1], [1, 0]] },
    files: [file],
    skipped,
    name: path.basename(file),
  };
}

/** Loads the configured data; `costMatrix` (from the config) replaces the default one of file data. */
export async function loadCreditData(config: CreditDataConfig, costMatrix?: number[][]): Promise<CreditData> {
  const data = config.source === 'german' ? await loadGerman(config) : await loadFile(config);
  if (costMatrix !== undefined) data.costMatrix = { classes: data.classes, cost: costMatrix.map((r) => [...r]) };
  return data;
}
