import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGermanCredit, loadPhraseBank, loadStockNet, loadStockNetPrices } from '../src/index.js';
import { tempDir } from './helpers.js';

const dirs: string[] = [];
const savedEnv = process.env['FINMM_DATA_DIR'];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  if (savedEnv === undefined) delete process.env['FINMM_DATA_DIR'];
  else process.env['FINMM_DATA_DIR'] = savedEnv;
});

describe('a missing data directory', () => {
  it('surfaces the error that names the expected layout and the download', async () => {
    const empty = tempDir('empty');
    dirs.push(empty);
    await expect(loadPhraseBank({ dataDir: empty })).rejects.toThrow(
      /Financial PhraseBank v1.0 is incomplete or missing in .*financial-phrasebank: missing FinancialPhraseBank-v1.0\/Sentences_50Agree.txt, split_50agree_finbert.json. Download it from https:\/\/huggingface.co/,
    );
    await expect(loadGermanCredit({ dataDir: empty })).rejects.toThrow(/Statlog German Credit is incomplete or missing .*missing german.data, german.doc, folds_5.json/);
    await expect(loadStockNet({ dataDir: empty })).rejects.toThrow(/StockNet \(ACL18\) is incomplete or missing .*missing price\/raw, price\/preprocessed, tweet\/preprocessed. Download it from https:\/\/github.com\/yumoxu\/stocknet-dataset/);
    await expect(loadStockNetPrices({ dataDir: empty })).rejects.toThrow(/StockNet \(ACL18\) is incomplete or missing/);
  });

  it('honours FINMM_DATA_DIR', async () => {
    const empty = tempDir('env');
    dirs.push(empty);
    process.env['FINMM_DATA_DIR'] = empty;
    await expect(loadGermanCredit()).rejects.toThrow(`missing in ${path.join(empty, 'german-credit')}`);
    process.env['FINMM_DATA_DIR'] = path.join(empty, 'nope');
    await expect(loadGermanCredit()).rejects.toThrow(/FINMM_DATA_DIR=.*nope is not a directory/);
  });
});
