// The credit app on the user's own table: column types inferred by @finmm/data's readers and overridden in the
// config, k-fold cross-validation, evaluate/predict on the saved model, and clear errors for bad data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCredit, loadCreditData, predictCredit, trainCredit, type CreditModelInfo, type TrainOutcome } from '../src/index.js';
import { lines, readJsonl, syntheticRows, tempDir, writeConfig, writeCsv } from './helpers.js';

const dir = tempDir('user-data');
const runs = path.join(dir, 'runs');
const csv = writeCsv(path.join(dir, 'loans.csv'), syntheticRows(240, 7) as unknown as Array<Record<string, unknown>>);
const base = {
  name: 'my-loans',
  data: { source: 'file', path: csv, label: 'defaulted', positive: 'yes', id: 'id', columns: { zip: 'categorical' }, folds: 3 },
  costMatrix: [[0, 1], [4, 0]],
  seeds: [3],
  model: { encoder: { type: 'tabular/mlp', embeddingDim: 2, hidden: [], outDim: 8 }, fusion: { type: 'fusion/gated', dim: 8, hidden: [] } },
  trainer: { epochs: 10, optimizer: { type: 'adamw', lr: 0.01 }, earlyStopping: { metric: 'loss', patience: 3 } },
  explain: { steps: 8, top: 3 },
  progress: 'none',
};

let outcome: TrainOutcome;
beforeAll(async () => {
  outcome = await trainCredit({ config: writeConfig(dir, 'loans.yaml', base), set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('credit on a CSV of your own', () => {
  it('infers numeric and categorical columns, applies overrides, and cross-validates', () => {
    const info = JSON.parse(fs.readFileSync(path.join(outcome.models[0] as string, 'credit.json'), 'utf8')) as CreditModelInfo;
    expect(info.features).toMatchObject({ numeric: ['signal', 'noise'], categorical: ['segment', 'colour', 'zip'], id: 'id', closedCategories: false });
    expect(info.classes).toEqual(['no', 'yes']);
    expect(info.posWeight).toBe(4); // weighting: cost (the default) from the config's cost matrix
    expect(outcome.models).toHaveLength(3);
    expect(outcome.summary?.overall.roc_auc.mean).toBeGreaterThan(0.7);
    expect(fs.readFileSync(path.join(outcome.runDir, 'summary.md'), 'utf8')).toContain('loans.csv, 240 rows');
  });

  it('evaluates and predicts with the saved model; unseen categories are warnings, bad values errors', async () => {
    const model = outcome.models[2] as string;
    const evaluation = await evaluateCredit({ model, split: 'test', runs }, lines().print);
    expect(evaluation.report.n).toBe(80);
    const input = path.join(dir, 'new.csv');
    fs.writeFileSync(input, 'id,signal,noise,segment,colour,zip\nn1,0.9,0,safe,purple,10002\nn2,abc,0,safe,red,10002\nn3,0.2,1,,red,99999\n');
    const output = path.join(dir, 'scored.jsonl');
    expect(await predictCredit({ model, input, output }, lines().print)).toEqual({ records: 3, predicted: 2, errors: 1 });
    const [n1, n2, n3] = readJsonl(output);
    expect(n1).toMatchObject({ line: 2, id: 'n1', warnings: ['colour: category "purple" was not seen in training, read as unknown'] });
    expect(Object.keys(n1?.['probabilities'] as object)).toEqual(['no', 'yes']);
    expect(n2).toEqual({ line: 3, error: 'field "signal": expected a number, got "abc"' });
    expect(n3?.['warnings']).toEqual(['segment: empty, read as the unknown category', 'zip: category "99999" was not seen in training, read as unknown']);
  });

  it('refuses a test split for a model trained with cv=false', async () => {
    const all = await trainCredit({ config: writeConfig(dir, 'all.yaml', base), set: ['cv=false', 'refit=false'], runs }, lines().print);
    expect(all.summary).toBeNull();
    expect(all.models).toHaveLength(1);
    await expect(evaluateCredit({ model: all.models[0] as string, split: 'test', runs }, lines().print)).rejects.toThrow(/cv=false.*no held-out test split/);
    const valid = await evaluateCredit({ model: all.models[0] as string, split: 'valid', runs }, lines().print);
    expect(valid.report.n).toBe(48);
  });

  it('reports bad data with the file, row and column', async () => {
    const file = { source: 'file' as const, path: csv, label: 'defaulted', positive: 'yes', columns: {}, folds: 5, foldSeed: 0, lenient: false };
    await expect(loadCreditData({ ...file, label: 'missing' })).rejects.toThrow(/config field "data.label": no column "missing"/);
    await expect(loadCreditData({ ...file, positive: 'maybe' })).rejects.toThrow(/"maybe" never occurs in label column "defaulted"/);
    await expect(loadCreditData({ ...file, label: 'colour', positive: 'red' })).rejects.toThrow(/must hold exactly two values/);
    const holes = path.join(dir, 'holes.csv');
    fs.writeFileSync(holes, 'income,city,bad\n10,a,1\n,b,0\n30,a,0\n');
    await expect(loadCreditData({ ...file, path: holes, label: 'bad', positive: 1 })).rejects.toThrow(/numeric column "income" has 1 empty values \(first in data row 2\)/);
    const broken = path.join(dir, 'broken.csv');
    fs.writeFileSync(broken, 'income,city,bad\n10,a,1\n20,b\n30,a,0\n');
    await expect(loadCreditData({ ...file, path: broken, label: 'bad', positive: 1 })).rejects.toThrow(/broken\.csv:3: expected 3 fields, got 2/);
    const lenient = await loadCreditData({ ...file, path: broken, label: 'bad', positive: 1, lenient: true, folds: 2 });
    expect(lenient.labels).toEqual([1, 0]);
    expect(lenient.skipped.total).toBe(1);
  });
});
