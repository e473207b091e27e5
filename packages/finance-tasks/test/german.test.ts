import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SkipReport } from '@finmm/data';
import { GERMAN_ATTRIBUTES, GERMAN_COST_MATRIX, GERMAN_COST_THRESHOLD, germanCreditCost, loadGermanCredit } from '../src/index.js';
import { copyDataset, countValues, dataErrorOf, replaceLine, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary data dir with a copy of the German Credit files; returns [dataDir, german.data, folds_5.json]. */
function copy(): [string, string, string] {
  const dataDir = tempDir('german');
  dirs.push(dataDir);
  const folder = copyDataset(dataDir, 'german-credit', ['german.data', 'german.doc', 'folds_5.json']);
  return [dataDir, path.join(folder, 'german.data'), path.join(folder, 'folds_5.json')];
}

describe('loadGermanCredit on the original files', () => {
  it('reads 1,000 applicants, 700 good / 300 bad, in 5 folds of 200', async () => {
    const { table, schema, classes, foldColumn } = await loadGermanCredit();
    expect(table.numRows).toBe(1000);
    expect(classes).toEqual(['good', 'bad']);
    expect(countValues([...table.getChild('class')!].map((i) => classes[i as number]))).toEqual({ good: 700, bad: 300 });
    expect(countValues(table.getChild(foldColumn)!)).toEqual({ '0': 200, '1': 200, '2': 200, '3': 200, '4': 200 });
    const roles = countValues(Object.values(schema.columns).map((c) => c.role));
    expect(roles).toEqual({ numeric: 7, categorical: 13, label: 1, id: 1 });
  });

  it('gives readable names, german.doc labels and numbers', async () => {
    const { table } = await loadGermanCredit();
    expect(table.schema.fields.map((f) => f.name).slice(0, 5)).toEqual(['checking_status', 'duration_months', 'credit_history', 'purpose', 'credit_amount']);
    // line 1: A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1
    const first = table.get(0)!.toJSON();
    expect(first).toMatchObject({
      checking_status: '< 0 DM', duration_months: 6, credit_history: 'critical account / other credits existing (not at this bank)',
      purpose: 'radio/television', credit_amount: 1169, age_years: 67, foreign_worker: 'yes', class: 0, fold: 2, row: 0,
    });
    for (const a of GERMAN_ATTRIBUTES) {
      const values = [...table.getChild(a.name)!];
      if (a.kind === 'numeric') expect(values.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
      else expect(values.every((v) => Object.values(a.codes).includes(v as string))).toBe(true);
    }
  });

  it('exports the cost matrix of german.doc', () => {
    expect(GERMAN_COST_MATRIX.cost).toEqual([[0, 1], [5, 0]]);
    expect(germanCreditCost([0, 1, 1, 0], [0, 0, 1, 1])).toBe(6);
    expect(GERMAN_COST_THRESHOLD).toBeCloseTo(1 / 6);
    expect(() => germanCreditCost([0, 2], [0, 0])).toThrow(/item 1 is not a class index/);
  });
});

describe('malformed German Credit files', () => {
  const field = (line: string, i: number, value: string): string => line.split(' ').map((f, j) => (j === i ? value : f)).join(' ');
  const cases: Array<[number, (s: string) => string, string | undefined, RegExp]> = [
    [3, (s) => field(s, 0, 'A15'), 'checking_status', /unknown code "A15"; german.doc lists A11, A12, A13, A14/],
    [5, (s) => field(s, 3, 'A11'), 'purpose', /unknown code "A11"/],
    [8, (s) => field(s, 4, '12x0'), 'credit_amount', /expected an integer, got "12x0"/],
    [9, (s) => field(s, 12, 'NaN'), 'age_years', /expected an integer, got "NaN"/],
    [13, (s) => field(s, 12, ''), undefined, /expected 21 space-separated fields .* got 20/],
    [10, (s) => s.split(' ').slice(0, 15).join(' '), undefined, /expected 21 space-separated fields .* got 15/],
    [11, (s) => `${s} A201`, undefined, /got 22/],
    [12, (s) => field(s, 20, '3'), 'class', /expected class 1 \(good\) or 2 \(bad\), got "3"/],
  ];

  it('names file, line and attribute for unknown codes, bad numbers, wrong field counts and bad classes', async () => {
    for (const [line, edit, name, reason] of cases) {
      const [dataDir, file] = copy();
      replaceLine(file, line, edit);
      const error = await dataErrorOf(loadGermanCredit({ dataDir }));
      expect(error.at).toEqual(name === undefined ? { file, line } : { file, line, field: name });
      expect(error.message.startsWith(`${file}:${line}`)).toBe(true);
      expect(error.reason).toMatch(reason);
    }
  });

  it('skips and counts bad rows in lenient mode, keeping folds aligned by row', async () => {
    const [dataDir, file] = copy();
    for (const [line, edit] of cases) replaceLine(file, line, edit);
    const skipped = new SkipReport();
    const { table } = await loadGermanCredit({ dataDir, lenient: true, skipped });
    expect(skipped.total).toBe(cases.length);
    expect(table.numRows).toBe(1000 - cases.length);
    const rows = [...table.getChild('row')!] as number[];
    for (const [line] of cases) expect(rows).not.toContain(line - 1);
    const real = await loadGermanCredit();
    const foldOf = new Map([...real.table.getChild('row')!].map((r, i) => [r, real.table.getChild('fold')!.get(i)]));
    rows.forEach((r, i) => expect(table.getChild('fold')!.get(i)).toBe(foldOf.get(r)));
  });

  it('validates folds_5.json: length, values, fold sizes and row count', async () => {
    const edits: Array<[(j: Record<string, unknown>) => void, string, RegExp]> = [
      [(j) => { (j['fold'] as number[]).pop(); }, 'fold', /expected 1000 entries, got 999/],
      [(j) => { (j['fold'] as number[])[17] = 5; }, 'fold[17]', /expected a fold 0..4, got 5/],
      [(j) => { (j['fold'] as unknown[])[18] = '1'; }, 'fold[18]', /got "1"/],
      [(j) => { const f = j['fold'] as number[]; for (let i = 0; i < f.length; i++) if (f[i] === 1 && i % 3 === 0) f[i] = 0; }, 'fold', /fold 0 holds \d+ rows; expected about 200/],
      [(j) => { j['rows'] = 999; }, 'rows', /999 rows, but german.data has 1000/],
    ];
    for (const [edit, name, reason] of edits) {
      const [dataDir, , foldsFile] = copy();
      const json = JSON.parse(fs.readFileSync(foldsFile, 'utf8')) as Record<string, unknown>;
      edit(json);
      fs.writeFileSync(foldsFile, JSON.stringify(json));
      const error = await dataErrorOf(loadGermanCredit({ dataDir }));
      expect(error.at).toEqual({ file: foldsFile, field: name });
      expect(error.reason).toMatch(reason);
    }
  });
});
