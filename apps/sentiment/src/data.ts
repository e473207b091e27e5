// Loads the sentences a sentiment model trains on: Financial PhraseBank with the FinBERT split, or the user's own
// table (CSV, JSONL or Arrow) with a text column, a label column and a split column or a seeded stratified split.
import path from 'node:path';
import { columnValues, DataError, readTable, SkipReport, stratifiedSplit, type CellValue } from '@finmm/data';
import { loadPhraseBank, PHRASEBANK_CLASSES } from '@finmm/finance-tasks';
import type { SentimentDataConfig } from './config.js';

/** The parts of a split, in the order they are reported. */
export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
/** One part of a split. */
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Labelled sentences ready for training, with their split and where they came from. */
export interface SentimentData {
  /** Text of each row. */
  texts: string[];
  /** Class index of each row (into `classes`). */
  labels: number[];
  /** Row id of each row (the id column, or the source row number). */
  ids: CellValue[];
  classes: string[];
  /** Row indices (into texts) of each part; never overlapping. */
  split: Record<SplitName, number[]>;
  /** Source files (fingerprinted in every run). */
  files: string[];
  /** Records skipped as malformed (lenient mode only). */
  skipped: SkipReport;
  /** Human name of the data, e.g. `Sentences_50Agree.txt` or the file name. */
  name: string;
  /** The text field predict reads from each record. */
  textField: string;
  /** The id field predict echoes, or null. */
  idField: string | null;
}

/** `limit` evenly spaced rows of each part (all when undefined), so that a slice keeps the class mix of files sorted by label. */
export function limitSplit(split: Record<SplitName, number[]>, limit: number | undefined): Record<SplitName, number[]> {
  if (limit === undefined) return split;
  const pick = (rows: number[]): number[] => (rows.length <= limit ? rows : Array.from({ length: limit }, (_, j) => rows[Math.floor((j * rows.length) / limit)] as number));
  return { train: pick(split.train), validation: pick(split.validation), test: pick(split.test) };
}

async function loadPhrasebankData(config: Extract<SentimentDataConfig, { source: 'phrasebank' }>): Promise<SentimentData> {
  const dataset = await loadPhraseBank({ ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }), split: 'finbert' });
  const texts = columnValues(dataset.table, 'sentence') as string[];
  const labels = columnValues(dataset.table, 'label') as number[];
  const rows = columnValues(dataset.table, 'row') as number[];
  const parts = columnValues(dataset.table, 'split') as string[];
  const split: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  parts.forEach((part, i) => split[part as SplitName].push(i));
  const folder = path.dirname(path.dirname(dataset.file));
  return {
    texts,
    labels,
    ids: rows,
    classes: [...PHRASEBANK_CLASSES],
    split: limitSplit(split, config.limit),
    files: [dataset.file, path.join(folder, 'split_50agree_finbert.json')],
    skipped: new SkipReport(),
    name: path.basename(dataset.file),
    textField: 'sentence',
    idField: null,
  };
}

function labelText(value: CellValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function columnSplitOf(
  config: Extract<SentimentDataConfig, { source: 'file' }>,
  values: readonly CellValue[],
  kept: readonly number[],
  file: string,
): Record<SplitName, number[]> {
  if (config.split.by !== 'column') throw new Error('unreachable: not a column split');
  const { column, train, validation, test } = config.split;
  const names: Record<string, SplitName> = { [train]: 'train', [validation]: 'validation', [test]: 'test' };
  const split: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  kept.forEach((source, i) => {
    const value = values[source];
    const part = value === null ? undefined : names[String(value)];
    if (part === undefined) {
      throw new Error(`${file}: data row ${source + 1}: split column "${column}" holds ${JSON.stringify(value)}; expected one of ${[train, validation, test].map((v) => JSON.stringify(v)).join(', ')} (config field "data.split")`);
    }
    split[part].push(i);
  });
  return split;
}

async function loadFileData(config: Extract<SentimentDataConfig, { source: 'file' }>): Promise<SentimentData> {
  const file = path.resolve(config.path);
  const skipped = new SkipReport(1000);
  const read = await readTable(file, { lenient: config.lenient, skipped });
  const names = read.table.schema.fields.map((f) => f.name);
  const fields: Array<[string, string | undefined]> = [['text', config.text], ['label', config.label], ['id', config.id], ['split.column', config.split.by === 'column' ? config.split.column : undefined]];
  for (const [field, name] of fields) {
    if (name !== undefined && !names.includes(name)) throw new Error(`${file}: config field "data.${field}": no column "${name}" (the table has: ${names.join(', ')})`);
  }
  const texts = columnValues(read.table, config.text);
  const labelValues = columnValues(read.table, config.label).map(labelText);
  const kept: number[] = [];
  const reject = (row: number, field: string, message: string): void => {
    if (!config.lenient) throw new Error(`${file}: data row ${row + 1}: ${message}`);
    skipped.add(new DataError({ file: `${file} data row ${row + 1}`, field }, message));
  };
  texts.forEach((text, i) => {
    if (typeof text !== 'string' || text.trim() === '') return reject(i, config.text, `the text "${config.text}" is empty or not a string; every row needs a text`);
    if (labelValues[i] === null) return reject(i, config.label, `the label "${config.label}" is empty; every row needs a label`);
    kept.push(i);
  });
  const distinct = [...new Set(kept.map((i) => labelValues[i] as string))].sort();
  const classes = config.classes ?? distinct;
  const unknown = distinct.find((label) => !classes.includes(label));
  if (unknown !== undefined) {
    const row = kept.find((i) => labelValues[i] === unknown) as number;
    throw new Error(`${file}: data row ${row + 1}: label ${JSON.stringify(unknown)} of column "${config.label}" is not one of config field "data.classes": ${classes.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  if (classes.length < 2) throw new Error(`${file}: label column "${config.label}" holds only ${JSON.stringify(classes[0])}; a classifier needs at least two classes`);
  const labels = kept.map((i) => classes.indexOf(labelValues[i] as string));
  let split: Record<SplitName, number[]>;
  if (config.split.by === 'column') {
    split = columnSplitOf(config, columnValues(read.table, config.split.column), kept, file);
  } else {
    const { validation, test, seed } = config.split;
    if (validation + test >= 1) throw new Error(`${file}: config field "data.split": validation ${validation} + test ${test} leave no training rows`);
    const parts = stratifiedSplit(labels, { fractions: { train: 1 - validation - test, valid: validation, test }, seed });
    split = { train: parts.train, validation: parts.valid, test: parts.test };
  }
  split = limitSplit(split, config.limit);
  for (const part of SPLIT_NAMES) {
    if (split[part].length === 0) throw new Error(`${file}: the ${part} part of the split is empty (config field "data.split"); every part needs rows`);
  }
  const ids = config.id === undefined ? kept.map((i) => i + 1) : columnValues(read.table, config.id, kept);
  return {
    texts: kept.map((i) => texts[i] as string),
    labels,
    ids,
    classes: [...classes],
    split,
    files: [file],
    skipped,
    name: path.basename(file),
    textField: config.text,
    idField: config.id ?? null,
  };
}

/** Loads the configured data (PhraseBank with the FinBERT split, or a user table). */
export async function loadSentimentData(config: SentimentDataConfig): Promise<SentimentData> {
  return config.source === 'phrasebank' ? loadPhrasebankData(config) : loadFileData(config);
}

/** Rows per class of some rows, e.g. `{ negative: 10, neutral: 50, positive: 20 }`. */
export function classCounts(data: Pick<SentimentData, 'labels' | 'classes'>, rows: readonly number[]): Record<string, number> {
  const counts = Object.fromEntries(data.classes.map((c) => [c, 0])) as Record<string, number>;
  for (const r of rows) {
    const name = data.classes[data.labels[r] as number] as string;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
