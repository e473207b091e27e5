// Finds the data directory: FINMM_DATA_DIR, else ../shared/data beside the repository, and what it holds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A dataset finmm knows the original layout of. */
export interface KnownDataset {
  /** Folder name under the data directory. */
  folder: string;
  title: string;
  /** Files (relative to the folder) whose presence shows the dataset is there. */
  markers: string[];
  /** Where a user downloads the original files. */
  source: string;
}

/** The three datasets of finmm's apps, in their original layouts. */
export const KNOWN_DATASETS: readonly KnownDataset[] = [
  {
    folder: 'financial-phrasebank',
    title: 'Financial PhraseBank v1.0',
    markers: ['FinancialPhraseBank-v1.0/Sentences_50Agree.txt', 'split_50agree_finbert.json'],
    source: 'https://huggingface.co/datasets/takala/financial_phrasebank (FinancialPhraseBank-v1.0.zip); split file from https://github.com/yya518/FinBERT',
  },
  {
    folder: 'stocknet',
    title: 'StockNet (ACL18)',
    markers: ['price/raw', 'price/preprocessed', 'tweet/preprocessed'],
    source: 'https://github.com/yumoxu/stocknet-dataset',
  },
  {
    folder: 'german-credit',
    title: 'Statlog German Credit',
    markers: ['german.data', 'german.doc', 'folds_5.json'],
    source: 'https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data',
  },
];

/** Where the data directory was found and how. */
export interface DataDirLocation {
  dir: string;
  /** `FINMM_DATA_DIR` or the default `../shared/data` found from `from`. */
  how: 'FINMM_DATA_DIR' | 'default';
}

function ancestors(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    out.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/** Finds the data directory, or returns null when neither FINMM_DATA_DIR nor ../shared/data exists. */
export function findDataDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DataDirLocation | null {
  const fromEnv = env['FINMM_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = path.resolve(cwd, fromEnv);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new Error(`FINMM_DATA_DIR=${fromEnv} is not a directory (resolved to ${dir})`);
    }
    return { dir, how: 'FINMM_DATA_DIR' };
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const start of [cwd, here]) {
    for (const dir of ancestors(start)) {
      const candidate = path.join(dir, '..', 'shared', 'data');
      if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) {
        return { dir: path.resolve(candidate), how: 'default' };
      }
    }
  }
  return null;
}

/** A human-readable description of the expected layout, for errors when data is missing. */
export function expectedLayout(): string {
  const lines = KNOWN_DATASETS.map(
    (d) => `  <data dir>/${d.folder}/  ${d.title}: ${d.markers.join(', ')}  (download: ${d.source})`,
  );
  return `Set FINMM_DATA_DIR to a folder laid out as:\n${lines.join('\n')}\n(or place it at ../shared/data beside the repository).`;
}

/** The data directory, or a clear error naming the expected layout and where to download the data. */
export function requireDataDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const found = findDataDir(env, cwd);
  if (found === null) throw new Error(`no data directory found. ${expectedLayout()}`);
  return found.dir;
}

/** Path of one dataset's folder, checked for its marker files; the error names what is missing. */
export function requireDataset(folder: string, env: NodeJS.ProcessEnv = process.env): string {
  const dataset = KNOWN_DATASETS.find((d) => d.folder === folder);
  if (dataset === undefined) throw new Error(`unknown dataset folder '${folder}'`);
  const dir = path.join(requireDataDir(env), folder);
  const missing = dataset.markers.filter((m) => !fs.existsSync(path.join(dir, m)));
  if (missing.length > 0) {
    throw new Error(
      `${dataset.title} is incomplete or missing in ${dir}: missing ${missing.join(', ')}. Download it from ${dataset.source}.`,
    );
  }
  return dir;
}

/** Which known datasets a data directory holds (all marker files present). */
export function datasetsIn(dir: string): KnownDataset[] {
  return KNOWN_DATASETS.filter((d) => d.markers.every((m) => fs.existsSync(path.join(dir, d.folder, m))));
}
