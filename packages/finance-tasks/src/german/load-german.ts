// Loads Statlog German Credit from german.data with readable attributes, the class and the 5-fold assignment.
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { type BadRecordPolicy, type ColumnRole, type DatasetSchema } from '@finmm/data';
import { readTextFile } from '../common/read-text.js';
import { datasetFolder } from '../common/dataset-folder.js';
import { GERMAN_ATTRIBUTES, GERMAN_CLASSES } from './attributes.js';
import { GERMAN_COST_MATRIX } from './cost.js';
import { readGermanFolds } from './folds.js';
import { parseGermanData } from './records.js';

/** Options of `loadGermanCredit`. */
export interface GermanCreditOptions extends BadRecordPolicy {
  /** Data directory holding `german-credit/`; default FINMM_DATA_DIR or ../shared/data. */
  dataDir?: string;
}

/**
 * The applicants: one column per attribute (float64 numbers, utf8 category labels), `class` (int32: 0 good, 1 bad),
 * `fold` (int32 0..4 from folds_5.json) and `row` (int32 index in german.data).
 */
export interface GermanCreditDataset {
  table: arrow.Table;
  schema: DatasetSchema;
  classes: readonly string[];
  costMatrix: typeof GERMAN_COST_MATRIX;
  foldColumn: 'fold';
  file: string;
}

/** The dataset schema: 7 numeric and 13 categorical attributes, the credit-risk label and the row id. */
export function germanCreditSchema(): DatasetSchema {
  const columns: Record<string, ColumnRole> = {};
  for (const a of GERMAN_ATTRIBUTES) columns[a.name] = { role: a.kind };
  columns['class'] = { role: 'label', task: 'credit_risk', kind: 'binary', classes: [...GERMAN_CLASSES] };
  columns['row'] = { role: 'id' };
  return { name: 'german-credit', columns };
}

/** Loads german.data with german.doc's labels and folds_5.json; unknown codes and bad numbers throw or are skipped. */
export async function loadGermanCredit(options: GermanCreditOptions = {}): Promise<GermanCreditDataset> {
  const folder = datasetFolder('german-credit', options.dataDir);
  const file = path.join(folder, 'german.data');
  const text = readTextFile(file, 'latin1');
  const { records, rows } = parseGermanData(text, file, options);
  const folds = readGermanFolds(path.join(folder, 'folds_5.json'), 'german.data', rows);
  const columns: Record<string, arrow.Vector> = {};
  for (const a of GERMAN_ATTRIBUTES) {
    columns[a.name] = a.kind === 'numeric'
      ? arrow.vectorFromArray(Float64Array.from(records, (r) => r.values[a.name] as number))
      : arrow.vectorFromArray(records.map((r) => r.values[a.name] as string), new arrow.Utf8());
  }
  columns['class'] = arrow.vectorFromArray(Int32Array.from(records, (r) => r.label));
  columns['fold'] = arrow.vectorFromArray(Int32Array.from(records, (r) => folds[r.row] as number));
  columns['row'] = arrow.vectorFromArray(Int32Array.from(records, (r) => r.row));
  return {
    table: new arrow.Table(columns),
    schema: germanCreditSchema(),
    classes: GERMAN_CLASSES,
    costMatrix: GERMAN_COST_MATRIX,
    foldColumn: 'fold',
    file,
  };
}
