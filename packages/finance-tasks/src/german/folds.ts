// Reads and validates folds_5.json: the cross-validation fold of every row of german.data.
import { DataError } from '@finmm/data';
import { isJsonObject, readJsonFile } from '../common/json-file.js';

/** Number of folds in folds_5.json. */
export const GERMAN_FOLDS = 5;

/**
 * The fold (0..4) of each row; checks the file name, row count, length, values and that fold sizes differ from
 * rows / 5 by at most 2 (stratified folds of 1,000 rows hold 200 each).
 */
export function readGermanFolds(foldsFile: string, expectedFile: string, rows: number): number[] {
  const json = readJsonFile(foldsFile);
  if (!isJsonObject(json)) throw new DataError({ file: foldsFile }, 'expected a JSON object with file, rows, fold');
  if (json['file'] !== expectedFile) {
    throw new DataError({ file: foldsFile, field: 'file' }, `folds are for "${String(json['file'])}", not "${expectedFile}"`);
  }
  if (json['rows'] !== rows) {
    throw new DataError({ file: foldsFile, field: 'rows' }, `folds are for ${String(json['rows'])} rows, but ${expectedFile} has ${rows}`);
  }
  const fold = json['fold'];
  if (!Array.isArray(fold)) throw new DataError({ file: foldsFile, field: 'fold' }, 'expected an array with the fold of each row');
  if (fold.length !== rows) throw new DataError({ file: foldsFile, field: 'fold' }, `expected ${rows} entries, got ${fold.length}`);
  const sizes = new Array<number>(GERMAN_FOLDS).fill(0);
  fold.forEach((value: unknown, i) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= GERMAN_FOLDS) {
      throw new DataError({ file: foldsFile, field: `fold[${i}]` }, `expected a fold 0..${GERMAN_FOLDS - 1}, got ${JSON.stringify(value)}`);
    }
    sizes[value] = (sizes[value] ?? 0) + 1;
  });
  const target = rows / GERMAN_FOLDS;
  sizes.forEach((size, k) => {
    if (Math.abs(size - target) > 2) {
      throw new DataError({ file: foldsFile, field: 'fold' }, `fold ${k} holds ${size} rows; expected about ${target} (sizes ${sizes.join('/')})`);
    }
  });
  return fold as number[];
}
