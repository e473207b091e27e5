import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsIn, findDataDir, requireDataset } from '../src/index.js';

describe('data directory', () => {
  it('finds ../shared/data beside the repository by default, with the three datasets', () => {
    const found = findDataDir({});
    expect(found).not.toBeNull();
    expect(found?.how).toBe('default');
    expect(datasetsIn(found?.dir ?? '').map((d) => d.folder)).toEqual(['financial-phrasebank', 'stocknet', 'german-credit']);
  });

  it('follows FINMM_DATA_DIR and names a missing directory', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'finmm-data-'));
    expect(findDataDir({ FINMM_DATA_DIR: tmp })).toEqual({ dir: tmp, how: 'FINMM_DATA_DIR' });
    expect(() => findDataDir({ FINMM_DATA_DIR: path.join(tmp, 'nope') })).toThrow(/FINMM_DATA_DIR=.*nope is not a directory/);
    expect(() => requireDataset('german-credit', { FINMM_DATA_DIR: tmp })).toThrow(
      /Statlog German Credit is incomplete or missing in .*german-credit: missing german.data, german.doc, folds_5.json. Download it from https:\/\/archive.ics.uci.edu/,
    );
    fs.rmSync(tmp, { recursive: true });
  });
});
