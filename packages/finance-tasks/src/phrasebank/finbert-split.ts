// Reads and validates the FinBERT train/validation/test split of Sentences_50Agree.txt.
import { DataError } from '@finmm/data';
import { isJsonObject, readJsonFile } from '../common/json-file.js';

/** The split's parts in the order they are checked. */
export const SPLIT_PARTS = ['train', 'validation', 'test'] as const;
export type SplitPart = (typeof SPLIT_PARTS)[number];

/** The file the split indexes, as the split file names it (relative to the dataset folder). */
export const FINBERT_SPLIT_FILE = 'FinancialPhraseBank-v1.0/Sentences_50Agree.txt';

/**
 * Reads the split file and checks it against the sentence file: same file name, same row count, every index an
 * integer in range, parts disjoint and together covering every row. Returns the part of each row.
 */
export function readFinbertSplit(splitFile: string, expectedFile: string, rows: number): SplitPart[] {
  const json = readJsonFile(splitFile);
  if (!isJsonObject(json)) throw new DataError({ file: splitFile }, 'expected a JSON object with file, rows, train, validation, test');
  if (json['file'] !== expectedFile) {
    throw new DataError({ file: splitFile, field: 'file' }, `split is for "${String(json['file'])}", not "${expectedFile}"`);
  }
  if (json['rows'] !== rows) {
    throw new DataError({ file: splitFile, field: 'rows' }, `split is for ${String(json['rows'])} rows, but the sentence file has ${rows} non-empty lines`);
  }
  const partOf = new Array<SplitPart | undefined>(rows).fill(undefined);
  for (const part of SPLIT_PARTS) {
    const indices = json[part];
    if (!Array.isArray(indices)) throw new DataError({ file: splitFile, field: part }, 'expected an array of row indices');
    indices.forEach((index: unknown, i) => {
      const field = `${part}[${i}]`;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= rows) {
        throw new DataError({ file: splitFile, field }, `expected a row index 0..${rows - 1}, got ${JSON.stringify(index)}`);
      }
      const before = partOf[index];
      if (before !== undefined) throw new DataError({ file: splitFile, field }, `row ${index} is already in ${before}`);
      partOf[index] = part;
    });
  }
  const missing = partOf.findIndex((p) => p === undefined);
  if (missing >= 0) throw new DataError({ file: splitFile }, `row ${missing} is in no part of the split`);
  return partOf as SplitPart[];
}
