// Loads Financial PhraseBank from its original files into an Arrow table with the FinBERT split.
import fs from 'node:fs';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import { DataError, type BadRecordPolicy, type DatasetSchema } from '@finmm/data';
import { datasetFolder } from '../common/dataset-folder.js';
import { FINBERT_SPLIT_FILE, readFinbertSplit, type SplitPart } from './finbert-split.js';
import { PHRASEBANK_CLASSES, decodeLatin1, parsePhraseBankText } from './sentences.js';

/** The annotator-agreement levels of the release (Sentences_<level>Agree.txt). */
export const PHRASEBANK_AGREEMENTS = ['50', '66', '75', 'All'] as const;
export type PhraseBankAgreement = (typeof PHRASEBANK_AGREEMENTS)[number];

/** Options of `loadPhraseBank`. */
export interface PhraseBankOptions extends BadRecordPolicy {
  /** Which agreement file; default '50' (4,846 sentences, FinBERT's "all data"). */
  agreement?: PhraseBankAgreement;
  /** Data directory holding `financial-phrasebank/`; default FINMM_DATA_DIR or ../shared/data. */
  dataDir?: string;
  /** 'finbert' adds the `split` column (defined on 50Agree only; the default there), 'none' leaves it out. */
  split?: 'finbert' | 'none';
}

/** The loaded sentences: columns sentence, label (int32 index into classes), row (int32) and, with the split, split. */
export interface PhraseBankDataset {
  table: arrow.Table;
  schema: DatasetSchema;
  classes: readonly string[];
  /** The sentence file read. */
  file: string;
  /** 'split' (values train/validation/test) when the FinBERT split was added. */
  splitColumn?: 'split';
}

/** The dataset schema of a PhraseBank table: sentence is text, label the sentiment task, row the id. */
export function phraseBankSchema(agreement: PhraseBankAgreement = '50'): DatasetSchema {
  return {
    name: `financial-phrasebank-${agreement.toLowerCase()}agree`,
    columns: {
      sentence: { role: 'text' },
      label: { role: 'label', task: 'sentiment', kind: 'multiclass', classes: [...PHRASEBANK_CLASSES] },
      row: { role: 'id' },
    },
  };
}

/** Loads one agreement file (ISO-8859-1, CRLF, split on the last `@`) with the FinBERT split; bad lines throw or are skipped. */
export async function loadPhraseBank(options: PhraseBankOptions = {}): Promise<PhraseBankDataset> {
  const agreement = options.agreement ?? '50';
  if (!PHRASEBANK_AGREEMENTS.includes(agreement)) {
    throw new Error(`loadPhraseBank: agreement "${String(agreement)}" is not one of ${PHRASEBANK_AGREEMENTS.join(', ')}`);
  }
  const splitMode = options.split ?? (agreement === '50' ? 'finbert' : 'none');
  if (splitMode === 'finbert' && agreement !== '50') {
    throw new Error(`loadPhraseBank: the FinBERT split is defined on Sentences_50Agree.txt only, not agreement "${agreement}"`);
  }
  const folder = datasetFolder('financial-phrasebank', options.dataDir);
  const relative = `FinancialPhraseBank-v1.0/Sentences_${agreement}Agree.txt`;
  const file = path.join(folder, relative);
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (error) {
    throw new DataError({ file }, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { records, rows } = parsePhraseBankText(decodeLatin1(bytes), file, options);
  const columns: Record<string, arrow.Vector> = {
    sentence: arrow.vectorFromArray(records.map((r) => r.sentence), new arrow.Utf8()),
    label: arrow.vectorFromArray(Int32Array.from(records, (r) => r.label)),
    row: arrow.vectorFromArray(Int32Array.from(records, (r) => r.row)),
  };
  const result: PhraseBankDataset = { table: new arrow.Table(columns), schema: phraseBankSchema(agreement), classes: PHRASEBANK_CLASSES, file };
  if (splitMode === 'finbert') {
    const partOf: SplitPart[] = readFinbertSplit(path.join(folder, 'split_50agree_finbert.json'), FINBERT_SPLIT_FILE, rows);
    columns['split'] = arrow.vectorFromArray(records.map((r) => partOf[r.row] as string), new arrow.Utf8());
    result.table = new arrow.Table(columns);
    result.splitColumn = 'split';
  }
  return result;
}
