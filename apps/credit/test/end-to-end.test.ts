// train -> evaluate -> predict on a slice of the real German Credit data: the run directory, honest splits,
// predict's output and error lines, and that a rerun with the same config and seed gives the same metrics.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDataset } from '@finmm/core';
import { configHeaderProblem, GERMAN_ATTRIBUTES } from '@finmm/finance-tasks';
import { evaluateCredit, predictCredit, trainCredit, type TrainOutcome } from '../src/index.js';
import { lines, readJsonl, tempDir, writeConfig } from './helpers.js';

const dir = tempDir('e2e');
const runs = path.join(dir, 'runs');
const germanFolder = requireDataset('german-credit');
const config = writeConfig(dir, 'slice.yaml', {
  name: 'slice',
  data: { source: 'german', limit: 300 },
  cv: true,
  seeds: [0],
  validation: 0.25,
  refit: true,
  weighting: 'cost',
  model: {
    encoder: { type: 'tabular/mlp', embeddingDim: 2, hidden: [], outDim: 8 },
    fusion: { type: 'fusion/gated', dim: 8, hidden: [] },
    head: { type: 'head/linear' },
  },
  trainer: { epochs: 12, optimizer: { type: 'adamw', lr: 0.01, weightDecay: 0.5 }, earlyStopping: { metric: 'loss', patience: 4 } },
  explain: { steps: 8, top: 3 },
  progress: 'none',
});

let first: TrainOutcome;
beforeAll(async () => {
  first = await trainCredit({ config, set: [], runs }, lines().print);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

/** A german.data line as a record of attribute -> code or number, as a user would send it. */
function germanRecord(line: number): Record<string, unknown> {
  const fields = fs.readFileSync(path.join(germanFolder, 'german.data'), 'latin1').split('\n')[line - 1]?.trim().split(/\s+/) ?? [];
  return Object.fromEntries(GERMAN_ATTRIBUTES.map((a, i) => [a.name, a.kind === 'numeric' ? Number(fields[i]) : fields[i]]));
}

describe('credit train', () => {
  it('writes the resolved config, data fingerprint, seeds, metrics logs, reports and models', () => {
    const run = first.runDir;
    expect(path.relative(runs, run)).toMatch(/^credit[/\\]\d{8}-\d{6}-slice$/);
    const resolved = fs.readFileSync(path.join(run, 'config.yaml'), 'utf8');
    expect(configHeaderProblem(path.join(run, 'config.yaml'), resolved)).toBeNull();
    const data = readJson(path.join(run, 'data.json')) as { files: Array<{ name: string; sha256: string }>; rows: number };
    const sha = createHash('sha256').update(fs.readFileSync(path.join(germanFolder, 'german.data'))).digest('hex');
    expect(data.files.find((f) => f.name === 'german.data')?.sha256).toBe(sha);
    expect(data.files.map((f) => f.name)).toContain('folds_5.json');
    expect(data.rows).toBe(300);
    expect((readJson(path.join(run, 'seeds.json'))['fits'] as unknown[]).length).toBe(5);
    const fit = path.join(run, 'fits', 'fold0-seed0');
    const log = readJsonl(path.join(fit, 'train', 'metrics.jsonl'));
    expect(log.some((r) => r['type'] === 'eval')).toBe(true);
    expect(fs.existsSync(path.join(fit, 'refit', 'metrics.jsonl'))).toBe(true);
    const evaluation = readJson(path.join(fit, 'evaluation.json')) as { report: { metrics: { roc_auc: number }; curves: { roc: { fpr: number[] } } } };
    expect(evaluation.report.metrics.roc_auc).toBeGreaterThan(0.5);
    expect(evaluation.report.curves.roc.fpr.length).toBeGreaterThan(10);
    const markdown = fs.readFileSync(path.join(fit, 'evaluation.md'), 'utf8');
    for (const part of ['ROC-AUC', 'Threshold "cost"', 'Threshold "bayes"', '| actual \\ predicted | good | bad |', 'precision', '### Calibration']) {
      expect(markdown).toContain(part);
    }
    expect(fs.readFileSync(path.join(run, 'summary.md'), 'utf8')).toMatch(/\| ROC-AUC \| 0\.\d{4} ± 0\.\d{4} \|/);
    for (const file of ['config.json', 'model.safetensors', 'preprocessing.json', 'credit.json']) expect(fs.existsSync(path.join(fit, 'model', file))).toBe(true);
    expect(first.models).toHaveLength(5);
    expect(first.summary?.overall.roc_auc.n).toBe(5);
  });

  it('never lets the test fold into training, preprocessing or the threshold choice', () => {
    for (const model of first.models) {
      const info = readJson(path.join(model, 'credit.json')) as { split: { train: number[]; valid: number[]; test: number[]; fold: number } };
      const seen = new Set([...info.split.train, ...info.split.valid]);
      expect(info.split.test.length).toBeGreaterThan(40);
      expect(info.split.test.filter((r) => seen.has(r))).toEqual([]);
      const pre = readJson(path.join(model, 'preprocessing.json')) as { columns: Record<string, { count?: number }> };
      expect(pre.columns['age_years']?.count).toBe(info.split.train.length); // scalers fitted on the training rows only
    }
  });

  it('gives the same metrics and predictions when rerun with the same config and seed, and frees its tensors', async () => {
    const tensors = tf.memory().numTensors;
    const second = await trainCredit({ config, set: [], runs }, lines().print);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(second.runDir).not.toBe(first.runDir);
    const metrics = (o: TrainOutcome) => o.summary?.fits.map((f) => [f.name, f.epochs, f.threshold, f.metrics]);
    expect(metrics(second)).toEqual(metrics(first));
    for (const fit of ['fold0-seed0', 'fold3-seed0']) {
      const read = (run: string) => fs.readFileSync(path.join(run, 'fits', fit, 'test-predictions.csv'), 'utf8');
      expect(read(second.runDir)).toBe(read(first.runDir));
    }
  }, 120_000);
});

describe('credit evaluate', () => {
  it('reproduces the held-out fold metrics from the saved model directory', async () => {
    const model = first.models[0] as string;
    const out = lines();
    const result = await evaluateCredit({ model, split: 'test', runs }, out.print);
    const saved = readJson(path.join(path.dirname(model), 'evaluation.json')) as { report: { metrics: Record<string, number> } };
    expect(result.report.metrics).toEqual(saved.report.metrics);
    expect(fs.existsSync(path.join(result.runDir, 'evaluation.md'))).toBe(true);
    expect(out.all[0]).toMatch(/^credit: test \(\d+ rows, held-out fold 0/);
    const valid = await evaluateCredit({ model, split: 'valid', runs }, lines().print);
    expect(valid.report.n).toBeGreaterThan(0);
  });

  it('names the problem for a directory that is not a credit model', async () => {
    await expect(evaluateCredit({ model: path.join(dir, 'nowhere'), split: 'test', runs }, lines().print)).rejects.toThrow(/model directory .*nowhere does not exist/);
    await expect(evaluateCredit({ model: first.runDir, split: 'test', runs }, lines().print)).rejects.toThrow(/is not a model directory \(no config\.json\)/);
  });
});

describe('credit predict', () => {
  it('writes one JSON line per record: predictions with reasons, and error lines for bad records', async () => {
    const good = [germanRecord(1), germanRecord(2), { ...germanRecord(3), checking_status: '< 0 DM' }]; // codes or labels
    const input = path.join(dir, 'applicants.jsonl');
    fs.writeFileSync(input, [
      JSON.stringify(good[0]),
      '{"truncated": ',
      JSON.stringify(good[1]),
      JSON.stringify({ ...good[0], purpose: 'A499' }),
      JSON.stringify({ ...good[0], age_years: 'old' }),
      JSON.stringify({ ...good[0], credit_amount: undefined }),
      '',
      JSON.stringify(good[2]),
    ].join('\n'));
    const output = path.join(dir, 'out', 'scored.jsonl');
    const model = first.models[1] as string;
    const tensors = tf.memory().numTensors;
    const result = await predictCredit({ model, input, output }, lines().print);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result).toEqual({ records: 7, predicted: 3, errors: 4 });
    const out = readJsonl(output);
    expect(out.map((o) => o['line'])).toEqual([1, 2, 3, 4, 5, 6, 8]);
    expect(out[1]).toEqual({ line: 2, error: expect.stringMatching(/^not valid JSON/) as unknown });
    expect(out[3]?.['error']).toMatch(/field "purpose": unknown category "A499"; expected one of A40 \(car \(new\)\)/);
    expect(out[4]?.['error']).toBe('field "age_years": expected a number, got "old"');
    expect(out[5]?.['error']).toBe('field "credit_amount" is missing');
    const names = new Set(GERMAN_ATTRIBUTES.map((a) => a.name));
    for (const line of [out[0], out[2], out[6]]) {
      const p = line?.['probabilities'] as { good: number; bad: number };
      expect(p.good + p.bad).toBeCloseTo(1, 5);
      expect(line?.['prediction']).toBe(p.bad >= (line?.['threshold'] as number) ? 'bad' : 'good');
      const reasons = line?.['reasons'] as Array<{ attribute: string; value: unknown; contribution: number }>;
      expect(reasons.length).toBeLessThanOrEqual(3);
      for (const r of reasons) {
        expect(names.has(r.attribute)).toBe(true);
        expect(r.contribution).toBeGreaterThan(0);
      }
      expect(reasons.map((r) => r.contribution)).toEqual([...reasons.map((r) => r.contribution)].sort((a, b) => b - a));
    }
    const checking = (out[6]?.['reasons'] as Array<{ attribute: string; value: unknown }>).find((r) => r.attribute === 'checking_status');
    if (checking !== undefined) expect(checking.value).toBe('< 0 DM');

    const csv = path.join(dir, 'applicants.csv');
    const header = GERMAN_ATTRIBUTES.map((a) => a.name);
    fs.writeFileSync(csv, `${header.join(',')}\n${header.map((h) => String(good[0]?.[h])).join(',')}\n1,2,3\n`);
    const fromCsv = path.join(dir, 'out', 'scored-csv.jsonl');
    expect(await predictCredit({ model, input: csv, output: fromCsv }, lines().print)).toEqual({ records: 2, predicted: 1, errors: 1 });
    const csvOut = readJsonl(fromCsv);
    expect(csvOut[0]?.['probabilities']).toEqual(out[0]?.['probabilities']);
    expect(csvOut[1]).toEqual({ line: 3, error: `expected ${header.length} fields (as the header), got 3` });
  });
});
