import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SkipReport } from '@finmm/data';
import { PHRASEBANK_CLASSES, loadPhraseBank, parsePhraseBankText } from '../src/index.js';
import { copyDataset, countValues, dataErrorOf, replaceLine, tempDir } from './helpers.js';

const SENTENCES = 'FinancialPhraseBank-v1.0/Sentences_50Agree.txt';
const SPLIT = 'split_50agree_finbert.json';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary data dir with a copy of the PhraseBank files; returns [dataDir, sentence file, split file]. */
function copy(): [string, string, string] {
  const dataDir = tempDir('phrasebank');
  dirs.push(dataDir);
  const folder = copyDataset(dataDir, 'financial-phrasebank', [SENTENCES, SPLIT]);
  return [dataDir, path.join(folder, SENTENCES), path.join(folder, SPLIT)];
}

describe('loadPhraseBank on the original files', () => {
  it('reads 4,846 sentences with 2,879 / 1,363 / 604 neutral / positive / negative and the FinBERT split', async () => {
    const { table, schema, splitColumn } = await loadPhraseBank();
    expect(table.numRows).toBe(4846);
    const labels = [...table.getChild('label')!].map((i) => PHRASEBANK_CLASSES[i as number]);
    expect(countValues(labels)).toEqual({ neutral: 2879, positive: 1363, negative: 604 });
    expect(splitColumn).toBe('split');
    expect(countValues(table.getChild('split')!)).toEqual({ train: 3488, validation: 388, test: 970 });
    expect([...table.getChild('row')!]).toEqual(Array.from({ length: 4846 }, (_, i) => i));
    expect(schema.columns['label']).toEqual({ role: 'label', task: 'sentiment', kind: 'multiclass', classes: ['negative', 'neutral', 'positive'] });
    const first = table.get(0)!.toJSON();
    expect(first['sentence']).toMatch(/^According to Gran , the company has no plans/);
    expect(PHRASEBANK_CLASSES[first['label'] as number]).toBe('neutral');
  });

  it('reads the other agreement files, without the 50Agree-only split', async () => {
    const counts: Record<string, number> = {};
    for (const agreement of ['66', '75', 'All'] as const) {
      const { table, splitColumn } = await loadPhraseBank({ agreement });
      counts[agreement] = table.numRows;
      expect(splitColumn).toBeUndefined();
      expect(table.getChild('split')).toBeNull();
    }
    expect(counts).toEqual({ '66': 4217, '75': 3453, All: 2264 });
    await expect(loadPhraseBank({ agreement: '66', split: 'finbert' })).rejects.toThrow(/defined on Sentences_50Agree.txt only/);
  });
});

describe('parsePhraseBankText', () => {
  it('splits on the last @, decodes CRLF and counts rows over non-empty lines only', () => {
    const { records, rows } = parsePhraseBankText('mail me @ home @ 9@positive\r\n\r\nok@neutral\r\n', 'f.txt');
    expect(rows).toBe(2);
    expect(records).toEqual([
      { row: 0, line: 1, sentence: 'mail me @ home @ 9', label: 2 },
      { row: 1, line: 3, sentence: 'ok', label: 1 },
    ]);
  });

  it('decodes ISO-8859-1 bytes', async () => {
    const [dataDir, file] = copy();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.concat([Buffer.from('Sepp'), Buffer.from([0xe4]), Buffer.from('l'), Buffer.from([0xe4]), Buffer.from(' sales rose@positive\r\n'), bytes.subarray(bytes.indexOf('\r\n') + 2)]));
    const { table } = await loadPhraseBank({ dataDir });
    expect(table.get(0)!.toJSON()['sentence']).toBe('Seppälä sales rose');
  });
});

describe('malformed PhraseBank files', () => {
  it('names file and line for a line without @, an unknown label and a truncated line', async () => {
    const cases: Array<[number, (s: string) => string, RegExp]> = [
      [7, (s) => s.replace('@', ' '), /no "@"/],
      [12, (s) => s.replace(/@\w+$/, '@bullish'), /unknown label "bullish"/],
      [30, (s) => s.slice(0, s.length - 4), /unknown label "(neut|posi|nega)"/],
    ];
    for (const [line, edit, reason] of cases) {
      const [dataDir, file] = copy();
      replaceLine(file, line, edit, 'latin1');
      const error = await dataErrorOf(loadPhraseBank({ dataDir }));
      expect(error.at).toEqual({ file, line, field: 'label' });
      expect(error.message).toContain(`${file}:${line} field "label"`);
      expect(error.reason).toMatch(reason);
    }
  });

  it('skips and counts bad lines in lenient mode, keeping row indices aligned with the split', async () => {
    const [dataDir, file] = copy();
    replaceLine(file, 7, (s) => s.replace('@', ' '), 'latin1');
    replaceLine(file, 12, (s) => s.replace(/@\w+$/, '@bullish'), 'latin1');
    const skipped = new SkipReport();
    const { table } = await loadPhraseBank({ dataDir, lenient: true, skipped });
    expect(skipped.total).toBe(2);
    expect(skipped.examples.map((e) => e.at.line)).toEqual([7, 12]);
    expect(table.numRows).toBe(4844);
    const rows = [...table.getChild('row')!] as number[];
    expect(rows).not.toContain(6);
    expect(rows).not.toContain(11);
    expect(rows[rows.length - 1]).toBe(4845);
    expect(countValues(table.getChild('split')!)).toEqual({ train: 3486, validation: 388, test: 970 }); // rows 6 and 11 are train rows
  });

  it('validates the split file: range, overlap, file name and row count', async () => {
    const edits: Array<[(j: Record<string, unknown>) => void, string, RegExp]> = [
      [(j) => { (j['train'] as number[])[3] = 4846; }, 'train[3]', /expected a row index 0..4845, got 4846/],
      [(j) => { (j['test'] as number[])[0] = (j['train'] as number[])[0]!; }, 'test[0]', /already in train/],
      [(j) => { j['file'] = 'Sentences_66Agree.txt'; }, 'file', /split is for "Sentences_66Agree.txt"/],
      [(j) => { j['rows'] = 4845; }, 'rows', /4845 rows, but the sentence file has 4846/],
      [(j) => { (j['validation'] as unknown[])[1] = 'x'; }, 'validation[1]', /got "x"/],
    ];
    for (const [edit, field, reason] of edits) {
      const [dataDir, , splitFile] = copy();
      const json = JSON.parse(fs.readFileSync(splitFile, 'utf8')) as Record<string, unknown>;
      edit(json);
      fs.writeFileSync(splitFile, JSON.stringify(json));
      const error = await dataErrorOf(loadPhraseBank({ dataDir }));
      expect(error.at).toEqual({ file: splitFile, field });
      expect(error.reason).toMatch(reason);
    }
    const [dataDir, , splitFile] = copy();
    fs.writeFileSync(splitFile, '{"file": ');
    expect((await dataErrorOf(loadPhraseBank({ dataDir }))).message).toMatch(/split_50agree_finbert.json: not valid JSON/);
  });
});
